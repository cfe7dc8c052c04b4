// Smoothed nuclear norm, its gradient (the regularised polar map), its conjugate, and the Huber
// variant (regularized.hpp; docs/theory.md section 2a).
#include "solvers/spectral/regularized.hpp"

#include <algorithm>

#include "harness/core/error.hpp"
#include "harness/core/linalg.hpp"
#include "harness/core/registry.hpp"
#include "solvers/spectral/products.hpp"

namespace mb::spectral {
namespace {

// The smaller Gram matrix: M^T M (n x n) for tall or square M, M M^T (m x m) for wide M.
template <class T>
Mat<T> small_gram(const Mat<T>& M, bool& tall) {
  tall = M.rows() >= M.cols();
  Mat<T> S;
  if (tall)
    gram<T>(Mat<T>(M.transpose()), S);
  else
    gram<T>(M, S);
  return S;
}

// Eigenvalues of the smaller Gram matrix, clamped at 0 (they are sigma_i^2; rounding can make
// the smallest slightly negative).
template <class T>
Vec<T> gram_eigenvalues(const Mat<T>& M) {
  bool tall;
  Vec<T> lam = linalg::sym_eig<T>(small_gram<T>(M, tall)).values;
  for (Eigen::Index i = 0; i < lam.size(); ++i) lam(i) = std::max(lam(i), T(0));
  return lam;
}

// M f(M^T M) (tall) or f(M M^T) M (wide), for f given on the eigenvalues lambda = sigma^2:
// equals U diag(sigma_i f(sigma_i^2)) V^T.
template <class T, class F>
Mat<T> gram_function(const Mat<T>& M, F&& f) {
  bool tall;
  const linalg::SymEig<T> e = linalg::sym_eig<T>(small_gram<T>(M, tall));
  Vec<T> d(e.values.size());
  for (Eigen::Index i = 0; i < d.size(); ++i) d(i) = f(std::max(e.values(i), T(0)));
  const Mat<T> F_ = e.vectors * d.asDiagonal() * e.vectors.transpose();
  return tall ? Mat<T>(M * F_) : Mat<T>(F_ * M);
}

template <class T>
void require_positive_eps(const T& eps, const char* what) {
  if (!(eps > T(0))) throw Error(std::string(what) + ": eps must be > 0, got " + to_decimal<T>(eps));
}

}  // namespace

template <class T>
Mat<T> reg_polar(const Mat<T>& M, const T& eps, const std::string& method, IterationReport* report,
                 const NewtonOptions& opt) {
  const std::vector<std::string>& names = reg_method_names();
  const auto it = std::find(names.begin(), names.end(), method);
  if (it == names.end()) {
    require_positive_eps(eps, "reg");
    throw_unknown("reg method", method, "method", names);
  }
  return reg_polar<T>(M, eps, static_cast<RegMethod>(it - names.begin()), report, opt);
}

template <class T>
Mat<T> reg_polar(const Mat<T>& M, const T& eps, RegMethod method, IterationReport* report, const NewtonOptions& opt) {
  using std::ldexp;
  using std::sqrt;
  require_positive_eps(eps, "reg");
  // grad psi_eps(c M) = grad psi_{eps/c}(M) (docs/theory.md 2a, "Scaling"): extreme inputs are
  // computed on M 2^-e with eps 2^-e (common.hpp).
  if (const int e = extreme_scale_exponent<T>(std::max(max_abs<T>(M), eps)))
    return reg_polar<T>(times_power_of_two<T>(M, -e), T(ldexp(eps, -e)), method, report, opt);
  const T eps2 = eps * eps;
  if (method == RegMethod::eig) {
    if (report) *report = IterationReport{};
    return gram_function<T>(M, [&](const T& lam) { return T(T(1) / sqrt(lam + eps2)); });
  }
  bool tall;
  Mat<T> S = small_gram<T>(M, tall), Z;
  S.diagonal().array() += eps2;
  IterationReport rep;
  newton_schulz_sqrt<T>(S, nullptr, &Z, opt, rep);
  if (report) *report = rep;
  if (!rep.converged)
    throw NumericalError("reg (newton): the coupled Newton-Schulz iteration did not converge in " +
                         std::to_string(rep.iterations) + " iterations (residual " + std::to_string(rep.residual) +
                         "); eps is too small for this matrix's conditioning, use --method eig");
  return tall ? Mat<T>(M * Z) : Mat<T>(Z * M);
}

template <class T>
Mat<T> reg_polar_svd(const Mat<T>& M, const T& eps) {
  using std::ldexp;
  using std::sqrt;
  require_positive_eps(eps, "reg");
  if (const int e = extreme_scale_exponent<T>(std::max(max_abs<T>(M), eps)))
    return reg_polar_svd<T>(times_power_of_two<T>(M, -e), T(ldexp(eps, -e)));
  const linalg::Svd<T> d = linalg::thin_svd<T>(M);
  Vec<T> g(d.s.size());
  for (Eigen::Index i = 0; i < g.size(); ++i) g(i) = d.s(i) / sqrt(d.s(i) * d.s(i) + eps * eps);
  return svd_compose<T>(d, g);
}

template <class T>
Mat<T> huber_polar(const Mat<T>& M, const T& eps) {
  using std::ldexp;
  using std::sqrt;
  require_positive_eps(eps, "huber");
  if (const int e = extreme_scale_exponent<T>(std::max(max_abs<T>(M), eps)))
    return huber_polar<T>(times_power_of_two<T>(M, -e), T(ldexp(eps, -e)));
  const T inv_eps = T(1) / eps, eps2 = eps * eps;
  // sigma f(sigma^2) = min(sigma/eps, 1): f = 1/eps up to eps^2, 1/sqrt(lambda) above.
  return gram_function<T>(M, [&](const T& lam) { return lam <= eps2 ? inv_eps : T(T(1) / sqrt(lam)); });
}

template <class T>
T psi(const Mat<T>& M, const T& eps) {
  using std::sqrt;
  require_positive_eps(eps, "psi");
  T sum(0);
  for (const T& lam : gram_eigenvalues<T>(M)) sum += sqrt(lam + eps * eps);
  return sum;
}

template <class T>
T psi_huber(const Mat<T>& M, const T& eps) {
  using std::sqrt;
  require_positive_eps(eps, "psi_huber");
  T sum(0);
  for (const T& lam : gram_eigenvalues<T>(M)) {
    const T s = sqrt(lam);
    sum += s <= eps ? T(lam / (T(2) * eps)) : T(s - eps / T(2));
  }
  return sum;
}

template <class T>
T psi_conjugate(const Mat<T>& Z, const T& eps) {
  using std::sqrt;
  require_positive_eps(eps, "psi*");
  const Vec<T> lam = gram_eigenvalues<T>(Z);
  const T allowance = T(8) * T(lam.size()) * std::numeric_limits<T>::epsilon();
  T sum(0);
  for (const T& l : lam) {
    if (l > T(1) + allowance) return std::numeric_limits<T>::infinity();
    sum += sqrt(std::max(T(1) - l, T(0)));
  }
  return -eps * sum;
}

template <class T>
Mat<T> psi_conjugate_gradient(const Mat<T>& Z, const T& eps) {
  using std::sqrt;
  require_positive_eps(eps, "grad psi*");
  const Vec<T> lam = gram_eigenvalues<T>(Z);
  const T top = lam.size() ? lam.maxCoeff() : T(0);
  if (!(top < T(1)))
    throw Error("grad psi*: needs ||Z||_op < 1, got ||Z||_op = " + to_decimal<T>(T(sqrt(top))));
  return gram_function<T>(Z, [&](const T& l) { return T(eps / sqrt(T(1) - l)); });
}

template Mat<MB_SCALAR> reg_polar<MB_SCALAR>(const Mat<MB_SCALAR>&, const MB_SCALAR&, const std::string&,
                                             IterationReport*, const NewtonOptions&);
template Mat<MB_SCALAR> reg_polar<MB_SCALAR>(const Mat<MB_SCALAR>&, const MB_SCALAR&, RegMethod, IterationReport*,
                                             const NewtonOptions&);
template Mat<MB_SCALAR> reg_polar_svd<MB_SCALAR>(const Mat<MB_SCALAR>&, const MB_SCALAR&);
template Mat<MB_SCALAR> huber_polar<MB_SCALAR>(const Mat<MB_SCALAR>&, const MB_SCALAR&);
template MB_SCALAR psi<MB_SCALAR>(const Mat<MB_SCALAR>&, const MB_SCALAR&);
template MB_SCALAR psi_huber<MB_SCALAR>(const Mat<MB_SCALAR>&, const MB_SCALAR&);
template MB_SCALAR psi_conjugate<MB_SCALAR>(const Mat<MB_SCALAR>&, const MB_SCALAR&);
template Mat<MB_SCALAR> psi_conjugate_gradient<MB_SCALAR>(const Mat<MB_SCALAR>&, const MB_SCALAR&);

}  // namespace mb::spectral
