// Symmetric matrix products at well under the cost of a GEMM: the kernels under Newton-Schulz and
// Guo-Higham's coupled Newton iteration (every product there is a symmetric matrix).
//
// Only the lower triangle is computed, by a recursive blocking that hands the off-diagonal blocks
// to Eigen's GEMM (its fastest kernel) and computes small diagonal blocks in full; the upper
// triangle is then mirrored, so results are exactly symmetric. Eigen's own triangular-product
// kernel (`C.triangularView<Lower>() = A * B`) measured 0.6-1.4x a full GEMM at n = 256..1024 on
// our machines; the recursion 0.61-0.64x at n = 1024 and 0.7-0.9x at n = 128..512 (docs/spectral.md).
// Destinations are resized only when their shape changes, and GEMM packing buffers persist per
// thread (products.cpp), so repeated calls with one shape allocate nothing.
#pragma once

#include "harness/core/scalar.hpp"

namespace mb::spectral {

// C = X X^T (X is r x c; C is r x r).
template <class T>
void gram(const Mat<T>& X, Mat<T>& C);

// C = alpha A B + beta D + shift I, for square A, B whose product is known to be symmetric
// (A, B symmetric and commuting, e.g. polynomials in one matrix) and D symmetric (may be null
// when beta = 0). C must not alias A, B or D.
template <class T>
void sym_product(const Mat<T>& A, const Mat<T>& B, Mat<T>& C, const T& alpha, const Mat<T>* D, const T& beta,
                 const T& shift);

// C = A B for commuting symmetric A, B (the common case of sym_product).
template <class T>
void sym_mul(const Mat<T>& A, const Mat<T>& B, Mat<T>& C) {
  sym_product<T>(A, B, C, T(1), nullptr, T(0), T(0));
}

// C = A B (a general product through the same workspace: no allocation once C has its shape).
template <class T>
void product(const Mat<T>& A, const Mat<T>& B, Mat<T>& C);

// Copies the lower triangle onto the upper one.
template <class T>
void mirror_lower(Mat<T>& C);

}  // namespace mb::spectral
