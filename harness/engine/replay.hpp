// Replay: run a solver on a recorded gradient trace, so anyone can check muonbench against
// their own framework. TRACE = {"w0": M, "grads": [G1, ..., GT]} for one matrix parameter;
// the result is {"trajectory": [W1, ..., WT]}, W_k after step k, entries as decimal strings.
#pragma once

#include <string>

#include "harness/core/json_num.hpp"
#include "harness/core/precision.hpp"

namespace mb {

// Runs in `precision`. Bad input throws Error naming the field; a step
// whose result is not finite throws NumericalError naming the step. Matrices of more than
// `max_entries` entries are refused before they are allocated.
json replay(const std::string& solver, const json& config, Precision precision, const json& trace,
            long max_entries = kDefaultMaxMatrixEntries);
// The replay in scalar T (harness/engine/replay_steps.cpp, compiled per scalar).
template <class T>
json replay_in(const std::string& solver, const json& config, const json& trace, long max_entries);

}  // namespace mb
