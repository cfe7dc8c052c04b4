// Dense decompositions, compiled once per scalar type (harness/core/linalg.cpp). Everything
// else calls these instead of instantiating Eigen's decompositions itself: an mp50 SVD costs
// ~25 s of compile time, and must be paid once.
#pragma once

#include "harness/core/scalar.hpp"

namespace mb::linalg {

template <class T>
struct Svd {
  Mat<T> U, V;  // thin factors: M = U diag(s) V^T
  Vec<T> s;     // descending
};
// Thin SVD (Eigen's BDCSVD, which uses one-sided Jacobi below 16 columns).
template <class T>
Svd<T> thin_svd(const Mat<T>& M);
template <class T>
Vec<T> singular_values(const Mat<T>& M);

template <class T>
struct SymEig {
  Vec<T> values;  // ascending
  Mat<T> vectors; // orthonormal columns
};
// Symmetric eigendecomposition S = V diag(values) V^T (only the lower triangle is read).
template <class T>
SymEig<T> sym_eig(const Mat<T>& S);

// Eigenvalues only, ascending (about 5x cheaper than sym_eig: no eigenvectors).
template <class T>
Vec<T> sym_eigenvalues(const Mat<T>& S);

// Q (n x r, orthonormal columns) of the Householder QR of G (n x r, n >= r), column signs chosen
// so that diag(R) > 0: a unique orthonormalisation (Haar-distributed for Gaussian G).
template <class T>
Mat<T> orthonormal_q(const Mat<T>& G);

// Solution X of A X = B for symmetric positive (semi)definite A (robust LDL^T).
template <class T>
Mat<T> solve_spd(const Mat<T>& A, const Mat<T>& B);

// ---- Dense products, compiled once per scalar ------------------------------------------------
// C = alpha op(A) op(B) + beta C, op(X) = X or X^T (BLAS gemm). Eigen's product kernels cost
// about 3 s of compile time per storage-order combination in mp50 and would otherwise be
// instantiated again in every problem file; code with many products calls these instead.
// A Ref binds to matrices and to blocks with unit inner stride (middleRows, block, ...) without
// a copy. C must have the right size (it is not resized).
template <class T>
using ConstRef = Eigen::Ref<const Mat<T>, 0, Eigen::OuterStride<>>;
template <class T>
using MutRef = Eigen::Ref<Mat<T>, 0, Eigen::OuterStride<>>;

template <class T>
void gemm(MutRef<T> C, const ConstRef<T>& A, bool transpose_a, const ConstRef<T>& B, bool transpose_b,
          const T& alpha, const T& beta);

// op(A) op(B) as a new matrix: mul(A, B) = A B, mul_tn(A, B) = A^T B, mul_nt(A, B) = A B^T.
template <class T>
Mat<T> mul(const ConstRef<T>& A, const ConstRef<T>& B) {
  Mat<T> C(A.rows(), B.cols());
  gemm<T>(C, A, false, B, false, T(1), T(0));
  return C;
}
template <class T>
Mat<T> mul_tn(const ConstRef<T>& A, const ConstRef<T>& B) {
  Mat<T> C(A.cols(), B.cols());
  gemm<T>(C, A, true, B, false, T(1), T(0));
  return C;
}
template <class T>
Mat<T> mul_nt(const ConstRef<T>& A, const ConstRef<T>& B) {
  Mat<T> C(A.rows(), B.rows());
  gemm<T>(C, A, false, B, true, T(1), T(0));
  return C;
}

}  // namespace mb::linalg
