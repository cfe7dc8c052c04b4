// What the Kovalev claims share (claims/kovalev.cpp, claims/kovalev_complexity.cpp): the stochastic
// Kronecker quadratic (docs/theory.md section 3 items 1 and 12: g = grad f + sigma Xi/sqrt(mn), so
// E||xi||_F^2 = sigma^2), Kovalev's Algorithm 1 with the spectral norm as the Muon step of
// solvers/steps/muon_step.hpp, NSGD-M, Theorem 2's parameters, and seed statistics.
//
// Norm pair for Muon (docs/theory.md 2f): ||.|| = ||.||_op, dual ||.||_* (nuclear); rho = sqrt(q)
// (||.||_* <= sqrt(q) ||.||_F, so E||xi||_* <= rho sigma); L = q L_F (||P E Q||_* <= q L_F ||E||_op on the
// quadratic; Cesista eq. 7). NSGD-M: Frobenius both ways, rho = 1, L = L_F.
//
// Statistics over many seeds run in double even in an mp50 claim (seeds are statistics, not
// rounding: the noise is drawn in double by Rng either way), so both precisions report the same.
#pragma once

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "claims/support.hpp"
#include "harness/core/rng.hpp"
#include "harness/problem.hpp"
#include "solvers/spectral/polar.hpp"
#include "solvers/steps/muon_step.hpp"

namespace mb::kovalev {

template <class T>
T nuclear(const Mat<T>& A) {
  return linalg::singular_values<T>(A).sum();
}

// One instance of quadratic-kron with its constants.
template <class T>
struct Setup {
  std::unique_ptr<Problem<T>> problem;
  json params;
  Mat<T> x0;
  long m = 0, n = 0, q = 0;
  T L_F = T(0), sigma = T(0), f_star = T(0);
  T rho(bool muon) const {
    using std::sqrt;
    return muon ? T(sqrt(T(q))) : T(1);
  }
  T L(bool muon) const { return muon ? T(T(q) * L_F) : L_F; }
  T dual(bool muon, const Mat<T>& g) const { return muon ? nuclear<T>(g) : T(g.norm()); }
};

template <class T>
Setup<T> make_setup(long m, long n, const std::string& kappa, const std::string& sigma, const std::string& init_scale) {
  Setup<T> s;
  s.params = {{"m", m}, {"n", n}, {"kappa", kappa}, {"seed", 611}, {"sigma", sigma}, {"init_scale", init_scale}};
  s.problem = make_problem<T>("quadratic-kron", s.params);
  s.x0 = s.problem->initial_point(0)[0];
  s.m = m, s.n = n, s.q = std::min(m, n);
  s.L_F = *s.problem->known().L;
  s.sigma = s.problem->noise_sigma();
  s.f_star = s.problem->known().f_star ? *s.problem->known().f_star : T(0);
  return s;
}

template <class T>
Mat<T> grad(const Setup<T>& s, const Mat<T>& x) {
  Params<T> g;
  s.problem->value_and_gradient(Params<T>{x}, g);
  return g[0];
}
template <class T>
T value(const Setup<T>& s, const Mat<T>& x) {
  Params<T> g;
  return s.problem->value_and_gradient(Params<T>{x}, g);
}
template <class T>
Mat<T> noisy(const Setup<T>& s, const Mat<T>& x, Rng& rng) {
  Params<T> g;
  s.problem->value_and_gradient(Params<T>{x}, g);
  s.problem->add_gradient_noise(g, rng);
  return g[0];
}

// Kovalev's Algorithm 1 with the spectral norm (docs/theory.md 2f): m = (1 - alpha) m + alpha g started
// at m_0 = g_0, the exact polar map, no Nesterov, s = 1, wd = 0.
template <class T>
MuonStep<T> muon_step(const T& alpha, const T& eta) {
  MuonStep<T> st;
  st.momentum = Momentum<T>::ema_alpha(alpha, EmaForm::weighted);
  st.momentum.first_gradient = true;
  st.lr = eta;
  st.scale.kind = ShapeScaleKind::none;
  return st;
}
template <class T>
void exact_polar(const Mat<T>& u, Mat<T>& O) {
  O = spectral::polar<T>(u);
}

// Theorem 2's parameters (docs/theory.md 2f): eta = min{eps/(16L), eps^3/(256 rho^2 sigma^2 L)},
// alpha = min{1, eps^2/(16 rho^2 sigma^2)}, K = ceil(max{2048 L D0 rho^2 sigma^2/eps^4, 256 rho^3 sigma^3/eps^3,
// 128 L D0/eps^2, 16 rho sigma/eps}).
template <class T>
struct Theorem2 {
  T eta, alpha, K;
  Theorem2(const T& eps, const T& rho, const T& sigma, const T& L, const T& D0) {
    using std::ceil;
    const T rs = rho * sigma, e2 = eps * eps, e3 = e2 * eps, e4 = e3 * eps;
    eta = std::min(T(eps / (T(16) * L)), T(e3 / (T(256) * rs * rs * L)));
    alpha = std::min(T(1), T(e2 / (T(16) * rs * rs)));
    K = ceil(std::max(std::max(T(T(2048) * L * D0 * rs * rs / e4), T(T(256) * rs * rs * rs / e3)),
                      std::max(T(T(128) * L * D0 / e2), T(T(16) * rs / eps))));
  }
  // The right side of Theorem 2 after k steps.
  T bound(const T& k, const T& rho, const T& sigma, const T& L, const T& D0) const {
    using std::sqrt;
    const T rs = rho * sigma;
    return D0 / (eta * k) + T(2) * rs / (alpha * k) + T(2) * sqrt(alpha) * rs + T(3) * L * eta / T(2) +
           T(2) * L * eta / alpha;
  }
};

template <class T>
T mean(const std::vector<T>& v) {
  T a(0);
  for (const auto& x : v) a += x;
  return a / T(static_cast<long>(v.size()));
}
template <class T>
T stderr_of_mean(const std::vector<T>& v) {
  using std::sqrt;
  const T mu = mean(v);
  T a(0);
  for (const auto& x : v) a += (x - mu) * (x - mu);
  const T n(static_cast<long>(v.size()));
  return sqrt(a / (n - T(1)) / n);
}

}  // namespace mb::kovalev
