// Exact polar factor from the SVD, and the small exact helpers of common.hpp.
#include "solvers/spectral/polar.hpp"

#include <algorithm>

#include "harness/registry.hpp"

namespace mb::spectral {

template <class T>
T rank_threshold(const Vec<T>& sigma, long rows, long cols) {
  if (sigma.size() == 0) return T(0);
  return T(std::max(rows, cols)) * std::numeric_limits<T>::epsilon() * sigma.maxCoeff();
}

template <class T>
Mat<T> svd_compose(const linalg::Svd<T>& d, const Vec<T>& g) {
  return d.U * g.asDiagonal() * d.V.transpose();
}

template <class T>
T op_norm(const Mat<T>& A) {
  if (A.size() == 0) return T(0);
  return linalg::singular_values<T>(A).maxCoeff();
}

template <class T>
Mat<T> polar(const Mat<T>& M, long& rank) {
  const linalg::Svd<T> d = linalg::thin_svd<T>(M);
  const T tol = rank_threshold<T>(d.s, M.rows(), M.cols());
  Vec<T> g(d.s.size());
  rank = 0;
  for (Eigen::Index i = 0; i < d.s.size(); ++i) {
    g(i) = d.s(i) > tol ? T(1) : T(0);
    if (d.s(i) > tol) ++rank;
  }
  if (rank == 0) return Mat<T>::Zero(M.rows(), M.cols());
  return svd_compose<T>(d, g);
}

template <class T>
Mat<T> polar(const Mat<T>& M) {
  long rank = 0;
  return polar<T>(M, rank);
}

template MB_SCALAR rank_threshold<MB_SCALAR>(const Vec<MB_SCALAR>&, long, long);
template Mat<MB_SCALAR> svd_compose<MB_SCALAR>(const linalg::Svd<MB_SCALAR>&, const Vec<MB_SCALAR>&);
template MB_SCALAR op_norm<MB_SCALAR>(const Mat<MB_SCALAR>&);
template Mat<MB_SCALAR> polar<MB_SCALAR>(const Mat<MB_SCALAR>&);
template Mat<MB_SCALAR> polar<MB_SCALAR>(const Mat<MB_SCALAR>&, long&);

}  // namespace mb::spectral
