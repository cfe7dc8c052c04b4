// Newton-Schulz coefficient schedules (PEERS.md section 1). Plain code: the list is the same for
// every scalar type; generic code parses the decimal strings exactly into its own type.
#include "harness/error.hpp"
#include "solvers/spectral/spectral.hpp"

namespace mb::spectral {

const std::vector<std::string>& schedule_names() {
  static const std::vector<std::string> names{"jordan", "classic", "cubic", "custom"};
  return names;
}

std::vector<std::array<std::string, 3>> schedule_coefficients(const NewtonSchulzConfig& cfg) {
  if (cfg.steps < 0) throw Error("newton-schulz: steps must be >= 0, got " + std::to_string(cfg.steps));
  auto repeat = [&](std::array<std::string, 3> c) {
    return std::vector<std::array<std::string, 3>>(static_cast<size_t>(cfg.steps), c);
  };
  if (cfg.schedule == "jordan") return repeat({"3.4445", "-4.7750", "2.0315"});
  if (cfg.schedule == "classic") return repeat({"1.875", "-1.25", "0.375"});  // (15, -10, 3)/8
  if (cfg.schedule == "cubic") return repeat({"1.5", "-0.5", "0"});           // X(3I - X^T X)/2
  if (cfg.schedule == "custom") {
    if (cfg.coefficients.empty()) throw Error("newton-schulz: schedule 'custom' needs a coefficient list");
    std::vector<std::array<std::string, 3>> out = cfg.coefficients;
    while (out.size() < static_cast<size_t>(cfg.steps)) out.push_back(cfg.coefficients.back());
    return out;
  }
  throw_unknown("Newton-Schulz schedule", cfg.schedule, "schedule", schedule_names());
}

}  // namespace mb::spectral
