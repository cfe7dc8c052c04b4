// Symmetric products by recursive blocking (see products.hpp for why not Eigen's triangular kernel).
//
// Every block product goes to Eigen's GEMM kernel (general_matrix_matrix_product) with a packing
// workspace that lives per thread and per scalar type and only grows: the public product API
// would heap-allocate its packing buffers on every call above 128 KiB (EIGEN_STACK_ALLOCATION_LIMIT),
// about 126 times per Newton-Schulz step at n = 1024. That entry point is internal to Eigen, so it
// is used only for the Eigen version this was written against (3.4.x); other versions take the
// public API (same results, a few mallocs per product).
#include "solvers/spectral/products.hpp"

#include <algorithm>
#include <memory>
#include <type_traits>

#include "harness/core/registry.hpp"

#if EIGEN_VERSION_AT_LEAST(3, 4, 0) && !EIGEN_VERSION_AT_LEAST(3, 4, 90)
#define MB_SPECTRAL_RAW_GEMM 1
#endif

namespace mb::spectral {
namespace {

// Diagonal blocks of at most this size are computed in full (about leaf/n of extra work).
// Vectorised types: 64 keeps Eigen's GEMM kernels efficient at n >~ 512, 32 is faster below
// (0.90 vs 0.95 of a GEMM for the Gram matrix at n = 128, 0.79 vs 0.84 at 256; measured CPU-time
// minima); mp50: every flop costs the same, so recurse further.
template <class T>
long leaf_size(long n) {
  if (!std::is_floating_point_v<T>) return 8;
  return n <= 256 ? 32 : 64;
}
// Split point, a multiple of 8 (SIMD-aligned column blocks).
long split(long s) { return ((s / 2 + 7) / 8) * 8; }

// A view of a block of a column-major matrix: pointer, rows, cols, column stride, and whether
// it is read transposed.
template <class T>
struct View {
  const T* p;
  long rows, cols, ld;
  bool transposed;  // element (i, j) is p[j + i * ld] instead of p[i + j * ld]
};

#ifdef MB_SPECTRAL_RAW_GEMM
// Eigen's blocking object with packing buffers that persist and only grow. Block sizes are
// recomputed for every product exactly as Eigen's own product evaluator does (l3 blocking, one
// thread), so each GEMM runs as `C.noalias() += alpha * A * B` would, minus the mallocs.
template <class T>
class Workspace : public Eigen::internal::level3_blocking<T, T> {
 public:
  ~Workspace() { release(); }
  Eigen::internal::level3_blocking<T, T>& prepare(long rows, long cols, long depth) {
    Eigen::Index k = depth, m = rows, n = cols;
    Eigen::internal::computeProductBlockingSizes<T, T, 1>(k, m, n, Eigen::Index(1));
    this->m_kc = k, this->m_mc = m, this->m_nc = n;
    if (k * m > size_a_ || k * n > size_b_) {
      release();
      size_a_ = std::max(size_a_, k * m), size_b_ = std::max(size_b_, k * n);
      this->m_blockA = Eigen::internal::aligned_new<T>(static_cast<std::size_t>(size_a_));
      this->m_blockB = Eigen::internal::aligned_new<T>(static_cast<std::size_t>(size_b_));
    }
    return *this;
  }

 private:
  void release() {
    Eigen::internal::aligned_delete(this->m_blockA, static_cast<std::size_t>(size_a_));
    Eigen::internal::aligned_delete(this->m_blockB, static_cast<std::size_t>(size_b_));
    this->m_blockA = nullptr, this->m_blockB = nullptr;
  }
  Eigen::Index size_a_ = 0, size_b_ = 0;
};

template <class T, int LhsOrder, int RhsOrder>
void gemm_run(const View<T>& a, const View<T>& b, T* res, long ld_res, const T& alpha) {
  thread_local Workspace<T> ws;
  auto& blocking = ws.prepare(a.rows, b.cols, a.cols);
  Eigen::internal::general_matrix_matrix_product<Eigen::Index, T, LhsOrder, false, T, RhsOrder, false, Eigen::ColMajor,
                                                 1>::run(a.rows, b.cols, a.cols, a.p, a.ld, b.p, b.ld, res, 1, ld_res,
                                                         alpha, blocking, nullptr);
}
#endif

// res (a.rows x b.cols, column stride ld_res) += alpha * a * b.
template <class T>
void gemm_acc(const View<T>& a, const View<T>& b, T* res, long ld_res, const T& alpha) {
  if (a.rows == 0 || b.cols == 0 || a.cols == 0) return;
#ifdef MB_SPECTRAL_RAW_GEMM
  using Eigen::ColMajor;
  using Eigen::RowMajor;
  if (!a.transposed && !b.transposed) return gemm_run<T, ColMajor, ColMajor>(a, b, res, ld_res, alpha);
  if (!a.transposed && b.transposed) return gemm_run<T, ColMajor, RowMajor>(a, b, res, ld_res, alpha);
  if (a.transposed && !b.transposed) return gemm_run<T, RowMajor, ColMajor>(a, b, res, ld_res, alpha);
  return gemm_run<T, RowMajor, RowMajor>(a, b, res, ld_res, alpha);
#else
  using Stride = Eigen::OuterStride<>;
  using CMap = Eigen::Map<const Mat<T>, 0, Stride>;
  Eigen::Map<Mat<T>, 0, Stride> r(res, a.rows, b.cols, Stride(ld_res));
  const CMap am(a.p, a.transposed ? a.cols : a.rows, a.transposed ? a.rows : a.cols, Stride(a.ld));
  const CMap bm(b.p, b.transposed ? b.cols : b.rows, b.transposed ? b.rows : b.cols, Stride(b.ld));
  if (!a.transposed && !b.transposed) r.noalias() += alpha * (am * bm);
  if (!a.transposed && b.transposed) r.noalias() += alpha * (am * bm.transpose());
  if (a.transposed && !b.transposed) r.noalias() += alpha * (am.transpose() * bm);
  if (a.transposed && b.transposed) r.noalias() += alpha * (am.transpose() * bm.transpose());
#endif
}

template <class T>
View<T> rows_of(const Mat<T>& M, long r0, long rn) {  // M.middleRows(r0, rn)
  return {M.data() + r0, rn, M.cols(), M.rows(), false};
}
template <class T>
View<T> cols_of(const Mat<T>& M, long c0, long cn) {  // M.middleCols(c0, cn)
  return {M.data() + c0 * M.rows(), M.rows(), cn, M.rows(), false};
}
template <class T>
View<T> rows_of_transposed(const Mat<T>& M, long r0, long rn) {  // M.middleRows(r0, rn)^T
  return {M.data() + r0, M.cols(), rn, M.rows(), true};
}

// Lower-triangle block (rows r0 .. r0+rn, cols c0 .. c0+cn) of C = alpha A B + beta D, where
// the block of A B is lhs * rhs.
template <class T>
void fill_block(Mat<T>& C, const View<T>& lhs, const View<T>& rhs, const T& alpha, const Mat<T>* D, const T& beta,
                long r0, long rn, long c0, long cn) {
  auto blk = C.block(r0, c0, rn, cn);
  if (D)
    blk = beta * D->block(r0, c0, rn, cn);
  else
    blk.setZero();
  gemm_acc<T>(lhs, rhs, C.data() + r0 + c0 * C.rows(), C.rows(), alpha);
}

template <class T>
void gram_rec(const Mat<T>& X, Mat<T>& C, long lo, long s, long leaf) {
  if (s <= leaf) {
    fill_block<T>(C, rows_of(X, lo, s), rows_of_transposed(X, lo, s), T(1), nullptr, T(0), lo, s, lo, s);
    return;
  }
  const long h = split(s);
  gram_rec<T>(X, C, lo, h, leaf);
  gram_rec<T>(X, C, lo + h, s - h, leaf);
  fill_block<T>(C, rows_of(X, lo + h, s - h), rows_of_transposed(X, lo, h), T(1), nullptr, T(0), lo + h, s - h, lo, h);
}

template <class T>
void product_rec(const Mat<T>& A, const Mat<T>& B, Mat<T>& C, const T& alpha, const Mat<T>* D, const T& beta,
                 long lo, long s, long leaf) {
  if (s <= leaf) {
    fill_block<T>(C, rows_of(A, lo, s), cols_of(B, lo, s), alpha, D, beta, lo, s, lo, s);
    return;
  }
  const long h = split(s);
  product_rec<T>(A, B, C, alpha, D, beta, lo, h, leaf);
  product_rec<T>(A, B, C, alpha, D, beta, lo + h, s - h, leaf);
  fill_block<T>(C, rows_of(A, lo + h, s - h), cols_of(B, lo, h), alpha, D, beta, lo + h, s - h, lo, h);
}

}  // namespace

template <class T>
void mirror_lower(Mat<T>& C) {
  C.template triangularView<Eigen::StrictlyUpper>() = C.transpose();
}

template <class T>
void gram(const Mat<T>& X, Mat<T>& C) {
  const long r = X.rows();
  if (C.rows() != r || C.cols() != r) C.resize(r, r);
  if (r == 0) return;
  gram_rec<T>(X, C, 0, r, leaf_size<T>(r));
  mirror_lower<T>(C);
}

template <class T>
void sym_product(const Mat<T>& A, const Mat<T>& B, Mat<T>& C, const T& alpha, const Mat<T>* D, const T& beta,
                 const T& shift) {
  const long n = A.rows();
  if (C.rows() != n || C.cols() != n) C.resize(n, n);
  if (n == 0) return;
  product_rec<T>(A, B, C, alpha, beta == T(0) ? nullptr : D, beta, 0, n, leaf_size<T>(n));
  if (shift != T(0)) C.diagonal().array() += shift;
  mirror_lower<T>(C);
}

template <class T>
void product(const Mat<T>& A, const Mat<T>& B, Mat<T>& C) {
  if (C.rows() != A.rows() || C.cols() != B.cols()) C.resize(A.rows(), B.cols());
  C.setZero();
  gemm_acc<T>(cols_of(A, 0, A.cols()), cols_of(B, 0, B.cols()), C.data(), C.rows(), T(1));
}

template void mirror_lower<MB_SCALAR>(Mat<MB_SCALAR>&);
template void gram<MB_SCALAR>(const Mat<MB_SCALAR>&, Mat<MB_SCALAR>&);
template void sym_product<MB_SCALAR>(const Mat<MB_SCALAR>&, const Mat<MB_SCALAR>&, Mat<MB_SCALAR>&,
                                     const MB_SCALAR&, const Mat<MB_SCALAR>*, const MB_SCALAR&, const MB_SCALAR&);
template void product<MB_SCALAR>(const Mat<MB_SCALAR>&, const Mat<MB_SCALAR>&, Mat<MB_SCALAR>&);

}  // namespace mb::spectral
