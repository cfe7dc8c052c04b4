// The linear measurement map of the sensing problems (docs/theory.md section 3 items 4 and 5):
// A(W)_i = <A_i, W>, i = 1..s, with A_i i.i.d. Gaussian (entries N(0, 1)), stored as the s x (m n)
// matrix whose row i is vec(A_i)^T (column-major vec, Eigen's storage order).
#pragma once

#include "harness/core/linalg.hpp"
#include "harness/core/rng.hpp"
#include "harness/core/scalar.hpp"

namespace mb {

template <class T>
struct SensingOperator {
  long m = 0, n = 0;
  Mat<T> A;  // s x (m n)

  SensingOperator() = default;
  SensingOperator(Rng& rng, long s, long m_, long n_) : m(m_), n(n_), A(rng.normal_matrix<T>(s, m_ * n_)) {}

  // A(W) as an s x 1 matrix.
  Mat<T> apply(const Mat<T>& W) const {
    return linalg::mul<T>(A, Eigen::Map<const Mat<T>>(W.data(), W.size(), 1));
  }
  // The adjoint: A^*(r) = sum_i r_i A_i, an m x n matrix.
  Mat<T> adjoint(const Mat<T>& r) const {
    const Mat<T> v = linalg::mul_tn<T>(A, Eigen::Map<const Mat<T>>(r.data(), r.size(), 1));
    return Eigen::Map<const Mat<T>>(v.data(), m, n);
  }
};

}  // namespace mb
