// A gradient checker in the style of Ceres's GradientChecker: compares the
// analytic gradient of a problem with central finite differences and reports the largest
// relative error and where it occurs. Instantiated once per scalar in harness/generic/.
//
// For each checked coordinate k, with step h_k = relative_step * max(1, |w_k|):
//   fd_k = (f(w + h_k e_k) - f(w - h_k e_k)) / (2 h_k),
//   error_k = |g_k - fd_k| / max(|g_k|, |fd_k|, floor * ||g||_inf).
// The floor makes entries far below the gradient's scale count in absolute terms: the finite-
// difference error, about h^2 |f'''| / 6 + u |f| / h, scales with f and its third derivative, not
// with the entry. The default step u^(1/3) balances the two terms (~1e-17 in mp50, where the
// error is then ~1e-33 relative to the gradient; ~5e-6 in double, error ~1e-11).
// Directional checks compare <g, v> with the central difference along random unit directions v
// (cheap for large problems), relative to ||g||_2.
#pragma once

#include <cstdint>
#include <string>

#include "harness/problem.hpp"

namespace mb {

struct GradientCheckOptions {
  double relative_step = 0;     // 0: u^(1/3) of the working precision
  double floor = 1e-3;          // relative to ||g||_inf, see above
  long max_coordinates = -1;    // -1: every coordinate; otherwise a seeded random subset
  long directions = 2;          // random directional checks
  std::uint64_t seed = 1;
};

template <class T>
struct GradientCheckResult {
  T max_relative_error = T(0);            // over checked coordinates (definition above)
  T max_absolute_error = T(0);
  T max_direction_relative_error = T(0);  // |<g,v> - fd_v| / ||g||_2 over the directions
  T gradient_inf_norm = T(0);
  long coordinates_checked = 0;
  std::string worst;                      // "block 'W' entry (i, j): analytic ..., finite difference ..."
  // Maximum of the coordinate and directional errors.
  T max_error() const { return max_relative_error > max_direction_relative_error ? max_relative_error : max_direction_relative_error; }
};

// Works on any objective: f evaluates, fg evaluates and writes the gradient.
template <class T>
GradientCheckResult<T> check_gradient(const std::function<T(const Params<T>&)>& f,
                                      const std::function<T(const Params<T>&, Params<T>&)>& fg,
                                      const std::vector<BlockSpec>& specs, const Params<T>& w,
                                      const GradientCheckOptions& options = {});

template <class T>
GradientCheckResult<T> check_gradient(const Problem<T>& problem, const Params<T>& w,
                                      const GradientCheckOptions& options = {});

}  // namespace mb
