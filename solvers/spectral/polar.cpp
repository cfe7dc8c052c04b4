// Exact polar factor from the SVD (THEORY.md section 2a notation: polar(M) = U_r V_r^T).
#include "harness/linalg.hpp"
#include "harness/registry.hpp"
#include "solvers/spectral/spectral.hpp"

namespace mb::spectral {

template <class T>
T rank_threshold(const Vec<T>& sigma, long rows, long cols) {
  if (sigma.size() == 0) return T(0);
  return T(std::max(rows, cols)) * std::numeric_limits<T>::epsilon() * sigma(0);
}

template <class T>
Mat<T> polar(const Mat<T>& M) {
  const linalg::Svd<T> d = linalg::thin_svd<T>(M);
  const T tol = rank_threshold<T>(d.s, M.rows(), M.cols());
  long r = 0;
  while (r < d.s.size() && d.s(r) > tol) ++r;
  if (r == 0) return Mat<T>::Zero(M.rows(), M.cols());
  return d.U.leftCols(r) * d.V.leftCols(r).transpose();
}

template MB_SCALAR rank_threshold<MB_SCALAR>(const Vec<MB_SCALAR>&, long, long);
template Mat<MB_SCALAR> polar<MB_SCALAR>(const Mat<MB_SCALAR>&);

}  // namespace mb::spectral
