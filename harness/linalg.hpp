// Dense decompositions, compiled once per scalar type (harness/generic/linalg.cpp). Everything
// else calls these instead of instantiating Eigen's decompositions itself: an mp50 SVD costs
// ~25 s of compile time, and must be paid once.
#pragma once

#include "harness/scalar.hpp"

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

}  // namespace mb::linalg
