// mirror-prox: the regularized Muon step solves its Bregman prox problem (docs/theory.md 2b (derivation of this project)).
// With Phi(Z) = eps h(Z) = -eps tr((I - Z^T Z)^(1/2)) on ||Z||_op < 1 (Legendre, grad Phi = grad psi*_eps):
//
//   part bregman-prox       Z+ = argmin_Z (1-beta) <grad Phi(Z_k) - G, Z> + D_Phi(Z, Z_k)
//                           equals the closed form grad psi_eps(beta M_k + (1-beta) G), Z_k = grad psi_eps(M_k)
//   part trust-region-step  D = argmin_{||D||_op <= eta} <M, D> + eta eps h(D/eta)  equals  -eta grad psi_eps(M)
//
// Both prox problems are solved numerically by a generic damped Newton method on the literal
// objective (value, gradient, and the Hessian of Phi by the Daleckii-Krein formula on the
// eigendecomposition of Z^T Z), never by the closed form. Stopping: Newton decrement, then the
// solution's distance to the true minimizer is at most ||grad F(Z)||_F / eps (F is eps-strongly
// convex because h is 1-strongly convex, docs/theory.md 2a).
//
// Tolerance: ||Z_newton - Z_closed||_F <= (||grad F(Z_newton)||_F + d_grad) / eps + d_closed, with
// d_grad the rounding of grad Phi at Z_newton (conjugate_gradient_error, times 2 for the two grad Phi
// terms of the prox objective) and d_closed the rounding of grad psi_eps (reg_polar_error).
// Each part is one distance atom per instance, ||Z_newton - s Z_closed||_F <= tol (the closed form is
// the predicted side), so its resolution is ~ 1 + tol / ||Z_closed||.
// Decoys: beta-swapped (closed form grad psi(( 1-beta) M_k + beta G)), huber-step (the trust-region
// step -eta Proj_{||.||_op<=1}(M/eps), the Huber smoothing's step, not this one's); edge decoys:
// each closed form x 6/5.
#include <cmath>
#include <functional>
#include <tuple>

#include "claims/support.hpp"
#include "harness/core/rng.hpp"
#include "solvers/spectral/regularized.hpp"

namespace mb {
namespace {

ClaimInfo mirror_prox_info() {
  return {"mirror-prox",
          "The regularized Muon step is a mirror-descent / Bregman-prox step in the update direction Z: the EMA "
          "update Z+ = grad psi_eps(beta M + (1-beta) G) solves argmin (1-beta)<grad Phi(Z_k) - G, Z> + D_Phi(Z, Z_k), "
          "and -eta grad psi_eps(M) solves the regularized trust-region problem.",
          "grad psi_eps(beta M_k + (1-beta) G) = argmin_Z (1-beta)<grad Phi(Z_k) - G, Z> + D_Phi(Z, Z_k);  "
          "-eta grad psi_eps(M) = argmin_{||D||_op<=eta} <M, D> + eta eps h(D/eta)",
          "docs/theory.md 2b (mirror and prox characterization) (derivation of this project)",
          "strong convexity (modulus eps) turns the final gradient norm of the numerical prox solve into a distance "
          "bound; plus Gram-map rounding of grad Phi and of the closed form (support.hpp)",
          {{"beta-swapped", "closed form grad psi_eps((1-beta) M_k + beta G): beta and 1-beta exchanged"},
           {"huber-step", "claims the trust-region step is -eta Proj_{||.||_op<=1}(M/eps) (the Huber smoothing's)"},
           {"bregman-prox-x1.2", "claims the prox solution is 1.2 grad psi_eps(beta M_k + (1-beta) G): the closed form x 1.2"},
           {"trust-region-step-x1.2", "claims the trust-region solution is -1.2 eta grad psi_eps(M): the step x 1.2"}},
          {{"bregman-prox", "numerical Bregman-prox solution = closed-form EMA update"},
           {"trust-region-step", "numerical regularized trust-region solution = -eta grad psi_eps(M)"}}};
}

// A prox objective F(Z) = Phi(Z) + (linear terms), given by its literal value and gradient; its
// Hessian is Phi's (the linear terms add none). Z tall (rows >= cols).
template <class T>
struct Prox {
  T eps;
  std::function<T(const Mat<T>&)> value;      // +infinity outside the open ball
  std::function<Mat<T>(const Mat<T>&)> grad;  // gradient of the literal objective
};

// Hessian of Phi(Z) = -eps tr(S^(1/2)), S = I - Z^T Z, applied to E:
//   grad Phi(Z) = eps Z S^(-1/2);  d grad Phi = eps [E S^(-1/2) + Z Df(S)[dS]],  dS = -(E^T Z + Z^T E),
//   Df(S)[dS] = V (Gamma o (V^T dS V)) V^T with Gamma_ij the divided differences of f(s) = s^(-1/2).
template <class T>
Mat<T> phi_hessian(const Mat<T>& Z, const T& eps) {
  using std::sqrt;
  const long m = Z.rows(), n = Z.cols(), d = m * n;
  const Mat<T> S = Mat<T>::Identity(n, n) - linalg::mul_tn<T>(Z, Z);
  const linalg::SymEig<T> ev = linalg::sym_eig<T>(S);
  const Vec<T>& s = ev.values;
  const Mat<T>& V = ev.vectors;
  Mat<T> Gamma(n, n), Sinvhalf = Mat<T>::Zero(n, n);
  for (long i = 0; i < n; ++i)
    for (long j = 0; j < n; ++j) {
      const T fi = T(1) / sqrt(s(i)), fj = T(1) / sqrt(s(j));
      // (f(a) - f(b))/(a - b) = -1 / (sqrt(a) sqrt(b) (sqrt(a) + sqrt(b))): no cancellation.
      Gamma(i, j) = -fi * fj / (sqrt(s(i)) + sqrt(s(j)));
    }
  Vec<T> fs(n);
  for (long i = 0; i < n; ++i) fs(i) = T(1) / sqrt(s(i));
  Sinvhalf = linalg::mul_nt<T>(Mat<T>(V * fs.asDiagonal()), V);
  Mat<T> H(d, d);
  for (long c = 0; c < d; ++c) {
    Mat<T> E = Mat<T>::Zero(m, n);
    E(c % m, c / m) = T(1);
    const Mat<T> dS = -(linalg::mul_tn<T>(E, Z) + linalg::mul_tn<T>(Z, E));
    const Mat<T> inner = linalg::mul<T>(linalg::mul_tn<T>(V, dS), V);
    const Mat<T> Df = linalg::mul_nt<T>(linalg::mul<T>(V, Mat<T>(Gamma.array() * inner.array())), V);
    const Mat<T> col = eps * (linalg::mul<T>(E, Sinvhalf) + linalg::mul<T>(Z, Df));
    for (long r = 0; r < d; ++r) H(r, c) = col(r % m, r / m);
  }
  return H;
}

template <class T>
Mat<T> newton_solve(const Prox<T>& P, Mat<T> Z, int& iterations, T& grad_norm) {
  using std::abs;
  const long m = Z.rows(), n = Z.cols(), d = m * n;
  const T u = T(unit_roundoff<T>());
  T f = P.value(Z);
  for (iterations = 0; iterations < 80; ++iterations) {
    const Mat<T> g = P.grad(Z);
    const Mat<T> H = phi_hessian<T>(Z, P.eps);
    Mat<T> rhs(d, 1);
    for (long r = 0; r < d; ++r) rhs(r, 0) = -g(r % m, r / m);
    const Mat<T> step = linalg::solve_spd<T>(H, rhs);
    Mat<T> S(m, n);
    for (long r = 0; r < d; ++r) S(r % m, r / m) = step(r, 0);
    const T decrement = -claims::inner<T>(g, S);  // lambda^2 >= 0
    if (!(decrement > T(64) * u * (T(1) + abs(f)))) break;
    T t(1);
    for (int b = 0; b < 60; ++b, t /= T(2)) {
      const Mat<T> Zt = Z + t * S;
      const T ft = P.value(Zt);
      if (ft <= f - t * decrement / T(4)) {
        Z = Zt, f = ft;
        break;
      }
    }
  }
  grad_norm = P.grad(Z).norm();
  return Z;
}

template <class T>
std::vector<ClaimOutcome> mirror_prox(const ClaimContext& ctx) {
  using std::sqrt;
  using claims::num;
  const T eps = T(1) / T(2), beta = from_decimal<T>("0.9"), eta = T(1) / T(8);
  Rng rng(604);
  const json instance = {{"matrices", "M_k and G Gaussian N(0,1) 4x3 and 5x2 (Rng 604), tall orientation"},
                         {"eps", "1/2"}, {"beta", "0.9"}, {"eta", "1/8"},
                         {"solver", "damped Newton (Armijo 1/4, halving), Daleckii-Krein Hessian, Newton-decrement stop"}};
  const std::string src = "(||grad F(Z_newton)||_F + rounding of grad Phi) / eps (strong convexity) + rounding of "
                          "the closed form (Gram-map model, support.hpp)";
  claims::Outcomes<T> out(ctx, mirror_prox_info(), instance);
  auto prox = out.pair("bregman-prox", "beta-swapped", src);
  auto trust = out.pair("trust-region-step", "huber-step", src);
  for (auto [label, m, n] : {std::tuple{"4x3", 4L, 3L}, std::tuple{"5x2", 5L, 2L}}) {
    const Mat<T> Mk = rng.normal_matrix<T>(m, n), G = rng.normal_matrix<T>(m, n);
    const Mat<T> Zk = spectral::reg_polar<T>(Mk, eps);
    const Mat<T> gPhiZk = spectral::psi_conjugate_gradient<T>(Zk, eps);  // = M_k up to rounding
    const T PhiZk = spectral::psi_conjugate<T>(Zk, eps);
    // --- Bregman prox, literal objective
    Prox<T> bprox{eps,
                  [&](const Mat<T>& Z) {
                    const T phi = spectral::psi_conjugate<T>(Z, eps);
                    return T((T(1) - beta) * claims::inner<T>(Mat<T>(gPhiZk - G), Z) + phi - PhiZk -
                             claims::inner<T>(gPhiZk, Mat<T>(Z - Zk)));
                  },
                  [&](const Mat<T>& Z) {
                    return Mat<T>((T(1) - beta) * (gPhiZk - G) + spectral::psi_conjugate_gradient<T>(Z, eps) - gPhiZk);
                  }};
    int its = 0;
    T gn(0);
    const Mat<T> Zn = newton_solve<T>(bprox, Zk, its, gn);
    const Mat<T> Y = beta * Mk + (T(1) - beta) * G;
    const Vec<T> ys = linalg::singular_values<T>(Y), zs = linalg::singular_values<T>(Zn);
    const T d_grad = T(2) * claims::conjugate_gradient_error<T>(m, n, zs(0), eps);
    const T d_closed = claims::reg_polar_error<T>(m, n, ys(0), ys(n - 1), eps);
    for (int decoy = 0; decoy < 2; ++decoy) {
      const Mat<T> closed = spectral::reg_polar<T>(decoy ? Mat<T>((T(1) - beta) * Mk + beta * G) : Y, eps);
      claims::Check<T> c;
      c.instance = label;
      const T err = (Zn - closed).norm();
      c.distance(Zn, closed, T((gn + d_grad) / eps + d_closed));  // the predicted side: the closed form
      c.measured = {{"distance_F", num(err)}, {"newton_iterations", its}, {"final_gradient_F", num(gn)}};
      c.predicted = {{"distance_F", "0"}, {"closed_form", decoy ? "grad psi((1-beta) M + beta G)" : "grad psi(beta M + (1-beta) G)"}};
      prox.add(decoy, c);
    }
    // --- regularized trust region in Z = D / eta: minimize <M, Z> + eps h(Z) (the factor eta drops)
    Prox<T> tprox{eps, [&](const Mat<T>& Z) { return T(claims::inner<T>(Mk, Z) + spectral::psi_conjugate<T>(Z, eps)); },
                  [&](const Mat<T>& Z) { return Mat<T>(Mk + spectral::psi_conjugate_gradient<T>(Z, eps)); }};
    const Mat<T> Zt = newton_solve<T>(tprox, Mat<T>(Mat<T>::Zero(m, n)), its, gn);
    const Mat<T> Dn = eta * Zt;
    const Vec<T> ms = linalg::singular_values<T>(Mk), zts = linalg::singular_values<T>(Zt);
    for (int decoy = 0; decoy < 2; ++decoy) {
      const Mat<T> closed = -eta * (decoy ? spectral::huber_polar<T>(Mk, eps) : spectral::reg_polar<T>(Mk, eps));
      claims::Check<T> c;
      c.instance = label;
      const T err = (Dn - closed).norm();
      c.distance(Dn, closed, T(eta * ((gn + claims::conjugate_gradient_error<T>(m, n, zts(0), eps)) / eps +
                                      claims::reg_polar_error<T>(m, n, ms(0), ms(n - 1), eps))));
      c.measured = {{"distance_F", num(err)}, {"newton_iterations", its}, {"final_gradient_F", num(gn)}};
      c.predicted = {{"distance_F", "0"}, {"closed_form", decoy ? "-eta Proj(M/eps)" : "-eta grad psi_eps(M)"}};
      trust.add(decoy, c);
    }
  }
  out.edge("bregman-prox-x1.2", "bregman-prox", T(6) / T(5));
  out.edge("trust-region-step-x1.2", "trust-region-step", T(6) / T(5));
  return out.outcomes();
}

}  // namespace

MB_REGISTER_CLAIM(mirror_prox_info, mirror_prox);

}  // namespace mb
