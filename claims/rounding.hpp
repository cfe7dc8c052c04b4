// Rounding models the claims share: maps computed through the eigenvalues of the smaller Gram
// matrix (solvers/spectral/regularized.hpp), polar factors from an SVD, and test matrices with
// prescribed singular values. Header only (claims/*.cpp are compiled for double and mp50).
#pragma once

#include <algorithm>
#include <cmath>
#include <vector>

#include "harness/core/linalg.hpp"
#include "harness/core/rng.hpp"
#include "harness/core/scalar.hpp"

namespace mb::claims {

// ---- Rounding bounds for maps through the smaller Gram matrix (solvers/spectral/regularized.hpp) ---
// Forming the Gram matrix of an m x n matrix (inner products of length max(m, n)) and a backward
// stable symmetric eigensolver (error about 8 q u ||A||, q = min(m, n)) give every eigenvalue to
//     dlambda = (max(m, n) + 8 q) u sigma_max^2.
template <class T>
T gram_eigenvalue_error(long rows, long cols, const T& sigma_max) {
  const long q = std::min(rows, cols), p = std::max(rows, cols);
  return T(p + 8 * q) * T(unit_roundoff<T>()) * sigma_max * sigma_max;
}
// |computed psi_eps(M) - psi_eps(M)| <= sum_i min(dlambda / (2 sqrt(sigma_i^2 + eps^2)), sqrt(dlambda))
// (sqrt(lambda + eps^2) moves by at most that when lambda moves by dlambda) + 2 q u psi (the
// square roots and the sum) + sqrt(q) u ||M||_F (the rounding of M itself, times ||grad psi||_F).
template <class T>
T psi_error(long rows, long cols, const Vec<T>& sigma, const T& eps) {
  using std::sqrt;
  using std::min;
  const T u = T(unit_roundoff<T>());
  const T dl = gram_eigenvalue_error<T>(rows, cols, sigma.size() ? sigma(0) : T(0));
  const long q = sigma.size();
  T err(0), psi(0), fro(0);
  for (long i = 0; i < q; ++i) {
    const T r = sqrt(sigma(i) * sigma(i) + eps * eps);
    err += min(T(dl / (T(2) * r)), T(sqrt(dl)));
    psi += r;
    fro += sigma(i) * sigma(i);
  }
  return err + T(2 * q) * u * psi + sqrt(T(q)) * u * sqrt(fro);
}

// Rounding of a map X -> X f(X^T X) computed through a symmetric eigendecomposition of the smaller
// Gram matrix A (solvers/spectral/regularized.cpp gram_function). A backward-stable eigensolver
// gives f(A + E) exactly with ||E||_op <= dl = gram_eigenvalue_error(); f(A + E) - f(A) is bounded
// by ||E|| times the largest divided difference of f on the spectrum (Daleckii-Krein), i.e.
// max |f'| for a monotone convex f, and the map's output moves by ||X||_op times that, plus the
// rounding of the final product (max(m, n) u ||X||_op |f|_max) in every entry:
//     err <= sqrt(q) [ sigma_max dl max|f'| + max(m, n) u sigma_max max|f| ]   (Frobenius).
template <class T>
T gram_map_error(long rows, long cols, const T& sigma_max, const T& max_abs_fprime, const T& max_abs_f) {
  using std::sqrt;
  const long q = std::min(rows, cols), p = std::max(rows, cols);
  const T dl = gram_eigenvalue_error<T>(rows, cols, sigma_max);
  return sqrt(T(q)) * (sigma_max * dl * max_abs_fprime + T(p) * T(unit_roundoff<T>()) * sigma_max * max_abs_f);
}
// grad psi_eps(M) = M f(M^T M), f(l) = (l + eps^2)^(-1/2): |f'| <= 1/(2 (l_min + eps^2)^(3/2)) <= 1/(2 eps^3).
template <class T>
T reg_polar_error(long rows, long cols, const T& sigma_max, const T& sigma_min, const T& eps) {
  using std::sqrt;
  const T s2 = sigma_min * sigma_min + eps * eps;
  return gram_map_error<T>(rows, cols, sigma_max, T(1) / (T(2) * s2 * sqrt(s2)), T(1) / sqrt(s2));
}
// grad psi*_eps(Z) = Z f(Z^T Z), f(l) = eps (1 - l)^(-1/2): |f'| <= eps / (2 (1 - l_max)^(3/2)).
template <class T>
T conjugate_gradient_error(long rows, long cols, const T& sigma_max, const T& eps) {
  using std::sqrt;
  const T d = T(1) - sigma_max * sigma_max;
  return gram_map_error<T>(rows, cols, sigma_max, eps / (T(2) * d * sqrt(d)), eps / sqrt(d));
}
// |computed psi*_eps(Z) - psi*_eps(Z)| <= eps sum_i min(dl / (2 sqrt(1 - l_i)), sqrt(dl)) + 2 q u |psi*|.
template <class T>
T psi_conjugate_error(long rows, long cols, const Vec<T>& sigma, const T& eps) {
  using std::sqrt;
  using std::min;
  const T u = T(unit_roundoff<T>());
  const T dl = gram_eigenvalue_error<T>(rows, cols, sigma.size() ? sigma(0) : T(0));
  const long q = sigma.size();
  T err(0), val(0);
  for (long i = 0; i < q; ++i) {
    const T r = sqrt(T(1) - sigma(i) * sigma(i));
    err += min(T(dl / (T(2) * r)), T(sqrt(dl)));
    val += r;
  }
  return eps * err + T(2 * q) * u * eps * val;
}
// polar(M) from a backward-stable SVD (perturbation <= (m + n) u ||M||_op): the polar factor moves
// by at most 2 ||dM|| / (sigma_min + sigma_min') (R.-C. Li 1995), so by 2 (m + n) u sigma_max / sigma_min
// (op norm; times sqrt(q) in Frobenius).
template <class T>
T polar_error(long rows, long cols, const T& sigma_max, const T& sigma_min) {
  using std::sqrt;
  return sqrt(T(std::min(rows, cols))) * T(2 * (rows + cols)) * T(unit_roundoff<T>()) * sigma_max / sigma_min;
}

// A random matrix with prescribed singular values: U diag(s) V^T, U, V Haar (orthonormal_q of
// Gaussians). `s` has min(rows, cols) entries.
template <class T>
Mat<T> with_singular_values(Rng& rng, long rows, long cols, const std::vector<T>& s) {
  const long q = std::min(rows, cols);
  const Mat<T> U = linalg::orthonormal_q<T>(rng.normal_matrix<T>(rows, q));
  const Mat<T> V = linalg::orthonormal_q<T>(rng.normal_matrix<T>(cols, q));
  Mat<T> US = U;
  for (long i = 0; i < q; ++i) US.col(i) *= s.at(i);
  return linalg::mul_nt<T>(US, V);
}

}  // namespace mb::claims
