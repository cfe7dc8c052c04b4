// What every spectral map shares: the report of an iterative map, and small exact helpers.
// Plain declarations; the templates are instantiated once per scalar type in polar.cpp.
#pragma once

#include <optional>
#include <string>

#include "harness/core/linalg.hpp"
#include "harness/core/scalar.hpp"

namespace mb::spectral {

// Newton-Schulz pre-normalisations and bf16 step forms, resolved from their names once, when a
// map is built (newton_schulz.hpp: normalization_names(), the bf16_form setting), so that applying
// the map compares no strings. Enumerators in the order of the name lists.
enum class Normalization { frobenius, frobenius_additive, spectral, schatten, aol, none };
enum class Bf16Form { addmm, unfused };

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
  // Newton-Schulz only: the exact-arithmetic prediction max_i |q(sigma_i / s) - 1| (docs/theory.md 2g).
  std::optional<double> predicted_error;
};

// Spectral norm ||A||_op (largest singular value; 0 for an empty matrix).
template <class T>
T op_norm(const Mat<T>& A);


// U diag(g) V^T from a thin SVD M = U diag(s) V^T and the values g_i = g(s_i) of a spectral map.
template <class T>
Mat<T> svd_compose(const linalg::Svd<T>& d, const Vec<T>& g);

// Inputs at the edges of the exponent range. Where `magnitude` (the largest |entry|, or eps when
// that is larger) lies outside [2^-q, 2^q], q = max_exponent / 4, squares of entries, Gram matrices
// and singular values can overflow or underflow: ||[[1e308, 1e308], [1e308, 1e308]]||_F = inf, and
// X / ||X||_F is then a silent zero. There this returns e with 2^(e-1) <= magnitude < 2^e, and the
// scale-invariant maps (polar, Newton-Schulz with a norm, reg with eps, power) are computed on
// M 2^-e, which is exactly the same map (a power of two scales without rounding); else 0, and
// ordinary inputs are computed as they always were, bit for bit.
template <class T>
int extreme_scale_exponent(const T& magnitude);
// max |m_ij| (0 for an empty matrix).
template <class T>
T max_abs(const Mat<T>& M);
// M 2^e, exactly (ldexp of every entry).
template <class T>
Mat<T> times_power_of_two(const Mat<T>& M, int e);

// Rank threshold of the exact maps: singular values <= max(m, n) * eps(T) * sigma_max count as
// zero (LAPACK's and numpy.linalg.matrix_rank's rule). 0 for the zero matrix.
template <class T>
T rank_threshold(const Vec<T>& sigma, long rows, long cols);

}  // namespace mb::spectral
