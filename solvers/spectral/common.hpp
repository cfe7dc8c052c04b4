// What every spectral map shares: the report of an iterative map, and small exact helpers.
// Plain declarations; the templates are instantiated once per scalar type in polar.cpp.
#pragma once

#include <optional>
#include <string>

#include "harness/linalg.hpp"
#include "harness/scalar.hpp"

namespace mb::spectral {

// What an iterative map did. `residual` is the quantity its stopping rule tests (for the coupled
// Newton iterations ||M_k - I||_F, M_k -> I; for Newton-Schulz there is none: it runs a fixed
// schedule). `error_vs_exact` is ||result - exact map||_op, filled only when asked for (it costs
// an SVD). Reported as double: every value of interest (1e-50 .. 1e3) fits.
struct IterationReport {
  int iterations = 0;
  double residual = 0;
  bool converged = true;
  bool at_rounding_floor = false;  // stopped because the residual stopped halving (see roots.hpp)
  std::optional<double> error_vs_exact;
  // Newton-Schulz only: the exact-arithmetic prediction max_i |q(sigma_i / s) - 1| (THEORY.md 2g).
  std::optional<double> predicted_error;
};

// Spectral norm ||A||_op (largest singular value; 0 for an empty matrix).
template <class T>
T op_norm(const Mat<T>& A);


// U diag(g) V^T from a thin SVD M = U diag(s) V^T and the values g_i = g(s_i) of a spectral map.
template <class T>
Mat<T> svd_compose(const linalg::Svd<T>& d, const Vec<T>& g);

// Rank threshold of the exact maps: singular values <= max(m, n) * eps(T) * sigma_max count as
// zero (LAPACK's and numpy.linalg.matrix_rank's rule). 0 for the zero matrix.
template <class T>
T rank_threshold(const Vec<T>& sigma, long rows, long cols);

}  // namespace mb::spectral
