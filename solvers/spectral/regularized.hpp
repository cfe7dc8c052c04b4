// The smoothed nuclear norm and its maps (docs/theory.md section 2a), for any shape m x n, q = min(m, n):
//
//   psi_eps(M)        = sum_i sqrt(sigma_i^2 + eps^2)          (through the eigenvalues of the
//                       smaller Gram matrix, never an SVD)
//   reg: grad psi_eps = M (M^T M + eps^2 I)^(-1/2) = U diag(sigma / sqrt(sigma^2 + eps^2)) V^T
//                       method "eig":    symmetric eigendecomposition of the smaller Gram matrix
//                       method "newton": coupled Newton-Schulz for (Gram + eps^2 I)^(-1/2) (roots.hpp)
//   psi*_eps(Z)       = -eps sum_i sqrt(1 - sigma_i(Z)^2) on ||Z||_op <= 1, +infinity outside
//   grad psi*_eps(Z)  = eps Z (I - Z^T Z)^(-1/2), for ||Z||_op < 1; grad psi* (grad psi (M)) = M
//   Huber variant:      psi^N_eps(M) = sum_i Huber_eps(sigma_i), its gradient
//                       Proj_{||.||_op <= 1}(M / eps) = U diag(min(sigma / eps, 1)) V^T
//
// eps enters as eps^2 (the "eps" parametrisation of docs/theory.md; a caller wanting the eps^2 one
// passes sqrt). eps must be > 0. The zero matrix maps to zero under every gradient map.
#pragma once

#include <string>
#include <vector>

#include "solvers/spectral/common.hpp"
#include "solvers/spectral/roots.hpp"

namespace mb::spectral {

enum class RegMethod { eig, newton };
inline const std::vector<std::string>& reg_method_names() {  // in RegMethod's order
  static const std::vector<std::string> n{"eig", "newton"};
  return n;
}

// grad psi_eps(M). `report` (optional) receives the Newton iteration's report (iterations 0 for eig).
template <class T>
Mat<T> reg_polar(const Mat<T>& M, const T& eps, RegMethod method = RegMethod::eig, IterationReport* report = nullptr,
                 const NewtonOptions& opt = {});
// The same with the method named (one of reg_method_names()).
template <class T>
Mat<T> reg_polar(const Mat<T>& M, const T& eps, const std::string& method, IterationReport* report = nullptr,
                 const NewtonOptions& opt = {});
// The same map from the SVD (the reference for a-posteriori errors).
template <class T>
Mat<T> reg_polar_svd(const Mat<T>& M, const T& eps);

// Proj_{||.||_op <= 1}(M / eps), through the smaller Gram matrix.
template <class T>
Mat<T> huber_polar(const Mat<T>& M, const T& eps);

template <class T>
T psi(const Mat<T>& M, const T& eps);
// sum_i Huber_eps(sigma_i), Huber_eps(s) = s^2/(2 eps) for s <= eps, s - eps/2 above.
template <class T>
T psi_huber(const Mat<T>& M, const T& eps);
// +infinity when ||Z||_op > 1 (beyond a rounding allowance of 8 q u on sigma_max^2).
template <class T>
T psi_conjugate(const Mat<T>& Z, const T& eps);
// Throws mb::Error when ||Z||_op >= 1 (the map is not defined there).
template <class T>
Mat<T> psi_conjugate_gradient(const Mat<T>& Z, const T& eps);

}  // namespace mb::spectral
