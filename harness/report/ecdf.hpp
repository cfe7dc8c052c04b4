// COCO / IOHprofiler runtime ECDF (Hansen et al., "COCO: a platform for comparing continuous
// optimizers in a black-box setting", 2021, sec. 5): for each solver, the fraction of the P
// (workload, target) pairs it reaches within a budget x, as a function of x (steps or seconds),
// plotted with a log x axis. A pair's cost is the solver's median over the ranking seeds when the
// k-of-n rule counts it as reached, else +infinity (never reached: it never enters the curve).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace mb {

// costs[s]: solver s's cost on each of the P pairs (+infinity or NaN: unreached).
// -> {"pairs": P, "solvers": {solver: {"x": [sorted finite costs], "y": [(i + 1) / P]}}}.
nlohmann::json runtime_ecdf(const std::vector<std::string>& solvers, const std::vector<std::vector<double>>& costs,
                            size_t pairs);

}  // namespace mb
