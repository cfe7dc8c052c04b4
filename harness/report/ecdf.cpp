#include "harness/report/ecdf.hpp"

#include <algorithm>
#include <cmath>

namespace mb {

nlohmann::json runtime_ecdf(const std::vector<std::string>& solvers, const std::vector<std::vector<double>>& costs,
                            size_t pairs) {
  nlohmann::json by_solver = nlohmann::json::object();
  for (size_t s = 0; s < solvers.size(); ++s) {
    std::vector<double> x;
    for (double c : costs[s])
      if (std::isfinite(c)) x.push_back(c);
    std::sort(x.begin(), x.end());
    // A step function: after the i-th smallest cost, i + 1 of the P pairs are reached (equal costs
    // give equal x with increasing y, the vertical part of the step).
    nlohmann::json y = nlohmann::json::array();
    for (size_t i = 0; i < x.size(); ++i) y.push_back(pairs ? static_cast<double>(i + 1) / static_cast<double>(pairs) : 0.0);
    by_solver[solvers[s]] = {{"x", x}, {"y", y}};
  }
  return {{"pairs", pairs}, {"solvers", by_solver}};
}

}  // namespace mb
