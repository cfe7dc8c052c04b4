// Spectral powers U Sigma^p V^T, by SVD and by coupled Newton iterations (power.hpp).
#include "solvers/spectral/power.hpp"

#include "harness/core/error.hpp"
#include "harness/core/linalg.hpp"
#include "harness/core/registry.hpp"
#include "solvers/spectral/products.hpp"

namespace mb::spectral {
namespace {

// ||S||_2 of a symmetric S, from below, by 30 power iterations from a fixed start (enough to tell
// a condition number of 1e8 from 1e16).
template <class T>
T norm2_estimate(const Mat<T>& S) {
  using std::sqrt;
  Vec<T> v(S.rows());
  for (Eigen::Index i = 0; i < v.size(); ++i) v(i) = T(1) + T(i % 7) / T(10);
  T est(0);
  for (int it = 0; it < 30; ++it) {
    const T nv = v.norm();
    if (!(nv > T(0))) break;
    v /= nv;
    Vec<T> w = S * v;
    est = std::max(est, T(w.norm()));
    v.swap(w);
  }
  return est;
}

}  // namespace

template <class T>
SpectralPower<T>::SpectralPower(const PowerConfig& cfg) : cfg_(cfg) {
  validate(cfg);
  p_ = parse_decimal<T>(cfg.p, "p");
  delta_ = parse_decimal<T>(cfg.delta, "delta");
  newton_ = cfg.method == "newton";
  if (newton_) power_exponent_fraction(cfg.p, j_, k_);
}

template <class T>
Mat<T> SpectralPower<T>::exact_at(const Mat<T>& M, const T& delta) const {
  using std::pow;
  using std::sqrt;
  if (p_ == T(1)) return M;
  const linalg::Svd<T> d = linalg::thin_svd<T>(M);
  const T tol = rank_threshold<T>(d.s, M.rows(), M.cols());
  Vec<T> g(d.s.size());
  const T e = (p_ - T(1)) / T(2);
  for (Eigen::Index i = 0; i < g.size(); ++i) {
    const T s = d.s(i);
    if (delta > T(0))
      g(i) = s * pow(T(s * s + delta), e);
    else
      g(i) = s > tol ? (p_ == T(0) ? T(1) : T(pow(s, p_))) : T(0);
  }
  return svd_compose<T>(d, g);
}

template <class T>
void SpectralPower<T>::apply_at(const Mat<T>& M, Mat<T>& out, const T& delta) {
  if (!newton_ || p_ == T(1)) {
    out = exact_at(M, delta);
    return;
  }
  if (M.isZero(0)) {  // A = delta I may be singular; the map is zero anyway
    out = Mat<T>::Zero(M.rows(), M.cols());
    return;
  }
  const bool tall = M.rows() >= M.cols();
  Mat<T> A, R;
  if (tall)
    gram<T>(Mat<T>(M.transpose()), A);
  else
    gram<T>(M, A);
  A.diagonal().array() += delta;
  if (k_ == 2) {
    newton_schulz_sqrt<T>(A, nullptr, &R, cfg_.newton, report_);
  } else {
    Mat<T> X;
    inverse_root_newton<T>(A, static_cast<int>(k_), X, cfg_.newton, report_);
    sym_power<T>(X, j_, R);
  }
  // cond(A) = ||A||_2 / lambda_min(A), estimated from below (power iterations).
  // Above 1/(10 q eps) A is numerically singular (M rank-deficient with delta = 0): the iteration
  // may even "converge" on rounding-level eigenvalues, but the result would be noise there.
  const std::string what = "power (newton): A = Gram + delta I";
  const std::string advice = "; use delta > 0 or method svd";
  if (!report_.converged)
    throw NumericalError(what + ": the coupled iteration for A^(-" + std::to_string(j_) + "/" + std::to_string(k_) +
                         ") did not converge in " + std::to_string(report_.iterations) + " iterations (residual " +
                         std::to_string(report_.residual) + "): A is singular or too ill-conditioned" + advice);
  {
    using std::pow;
    // R = A^(-j/k): ||R||_2^(k/j) = 1 / lambda_min(A).
    const T cond = norm2_estimate<T>(A) * pow(norm2_estimate<T>(R), T(k_) / T(j_));
    const T limit = T(1) / (T(10) * T(A.rows()) * std::numeric_limits<T>::epsilon());
    if (!(cond < limit))
      throw NumericalError(what + " is numerically singular (condition number about " + to_decimal<double>(to_double(cond)) +
                           ", rank-deficient M with delta = 0)" + advice);
  }
  out = tall ? Mat<T>(M * R) : Mat<T>(R * M);
}

template <class T>
int SpectralPower<T>::extreme_exponent(const Mat<T>& M) const {
  using std::max;
  using std::sqrt;
  return p_ == T(1) ? 0 : extreme_scale_exponent<T>(max(max_abs<T>(M), T(sqrt(delta_))));
}

// Psi_p(c M; c^2 delta) = c^p Psi_p(M; delta): extreme inputs are computed on M 2^-e (common.hpp).
template <class T>
Mat<T> SpectralPower<T>::exact(const Mat<T>& M) const {
  using std::ldexp;
  using std::pow;
  const int e = extreme_exponent(M);
  if (!e) return exact_at(M, delta_);
  return Mat<T>(exact_at(times_power_of_two<T>(M, -e), T(ldexp(delta_, -2 * e))) * T(pow(T(2), T(e) * p_)));
}

template <class T>
void SpectralPower<T>::apply(const Mat<T>& M, Mat<T>& out) {
  using std::ldexp;
  using std::pow;
  report_ = IterationReport{};
  const int e = extreme_exponent(M);
  if (!e) return apply_at(M, out, delta_);
  apply_at(times_power_of_two<T>(M, -e), out, T(ldexp(delta_, -2 * e)));
  out *= T(pow(T(2), T(e) * p_));
}

template class SpectralPower<MB_SCALAR>;

}  // namespace mb::spectral
