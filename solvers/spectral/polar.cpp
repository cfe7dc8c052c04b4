// Exact polar factor from the SVD, and the small exact helpers of common.hpp.
#include "solvers/spectral/polar.hpp"

#include <algorithm>

#include "harness/core/registry.hpp"

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
int extreme_scale_exponent(const T& magnitude) {
  using std::frexp;
  if (!(magnitude > T(0)) || !is_finite(magnitude)) return 0;
  const int q = std::numeric_limits<T>::max_exponent / 4;
  int e = 0;
  frexp(magnitude, &e);  // magnitude = f 2^e, f in [1/2, 1)
  return (e > q || e < -q) ? e : 0;
}

template <class T>
T max_abs(const Mat<T>& M) {
  return M.size() == 0 ? T(0) : T(M.cwiseAbs().maxCoeff());
}

template <class T>
Mat<T> times_power_of_two(const Mat<T>& M, int e) {
  using std::ldexp;
  return M.unaryExpr([e](const T& x) { return T(ldexp(x, e)); });
}

template <class T>
Mat<T> polar(const Mat<T>& M, long& rank) {
  // polar(c M) = polar(M) for c > 0: computed on M 2^-e where M's entries are extreme (common.hpp).
  if (const int e = extreme_scale_exponent<T>(max_abs<T>(M))) return polar<T>(times_power_of_two<T>(M, -e), rank);
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

template int extreme_scale_exponent<MB_SCALAR>(const MB_SCALAR&);
template MB_SCALAR max_abs<MB_SCALAR>(const Mat<MB_SCALAR>&);
template Mat<MB_SCALAR> times_power_of_two<MB_SCALAR>(const Mat<MB_SCALAR>&, int);
template MB_SCALAR rank_threshold<MB_SCALAR>(const Vec<MB_SCALAR>&, long, long);
template Mat<MB_SCALAR> svd_compose<MB_SCALAR>(const linalg::Svd<MB_SCALAR>&, const Vec<MB_SCALAR>&);
template MB_SCALAR op_norm<MB_SCALAR>(const Mat<MB_SCALAR>&);
template Mat<MB_SCALAR> polar<MB_SCALAR>(const Mat<MB_SCALAR>&);
template Mat<MB_SCALAR> polar<MB_SCALAR>(const Mat<MB_SCALAR>&, long&);

}  // namespace mb::spectral
