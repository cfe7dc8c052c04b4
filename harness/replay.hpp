// Replay: run a solver on a recorded gradient trace, so anyone can check muonbench against
// their own framework. TRACE = {"w0": M, "grads": [G1, ..., GT]} for one matrix parameter;
// the result is {"trajectory": [W1, ..., WT]}, W_k after step k, entries as decimal strings.
#pragma once

#include <string>

#include "harness/json_num.hpp"

namespace mb {

using ReplayFn = json (*)(const std::string& solver, const json& config, const json& trace, long max_entries);
// Dispatches on precision (float, double, mp50). Bad input throws Error naming the field; a step
// whose result is not finite throws NumericalError naming the step. Matrices of more than
// `max_entries` entries are refused before they are allocated.
json replay(const std::string& solver, const json& config, const std::string& precision, const json& trace,
            long max_entries = kDefaultMaxMatrixEntries);

}  // namespace mb
