// Shared by the runner tests: a small suite, a temporary directory, and test-only problems
// (registered for double only, by tests/test_runner_fixtures.cpp) that misbehave on purpose:
//   test-nan-at-step-3     f = 1/2||W||^2 (f* = 0) until its 4th evaluation, which returns NaN
//   test-numerical-error   raises NumericalError("singular system") at its 3rd evaluation
//   test-throws            raises std::runtime_error("test problem failure") when evaluated
#pragma once

#include <filesystem>
#include <string>

#include "harness/core/json_num.hpp"

namespace mb::test {

// 1 problem (quadratic-ls 4x3), solvers gd (grid lr 0.5, 0.9) and muon, double + mp50, seeds 0 and 1,
// targets 1e-1 and 1e-2, the gd-pl-rate claim.
json small_suite();

struct TempDir {
  TempDir();
  ~TempDir();
  std::string path;
};

}  // namespace mb::test
