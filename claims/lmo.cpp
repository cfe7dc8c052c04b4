// lmo-polar: Kovalev's trust-region step is the spectral-ball linear minimization oracle
// (docs/theory.md 2f (derivation / standard fact, checked numerically)):
//     argmin_{||D||_op <= eta} <G, D> = -eta polar(G),  with value -eta ||G||_*
//   part value       <G, -eta polar(G)> = -eta ||G||_* and ||eta polar(G)||_op = eta
//   part optimality  no feasible D does better: D = Proj_ball(D* + t E) for random E, t = 2^-2..2^-12,
//                    and random feasible D (von Neumann's trace inequality says none can)
//   part ns-distance how far the Newton-Schulz schedules are from it: the measured ||NS(G) - polar(G)||_op
//                    equals its exact-arithmetic value max_i |q(sigma_i/s) - 1| (docs/theory.md 2g "Exact
//                    a-posteriori bound") up to rounding; each schedule's LMO suboptimality
//                    <G, -eta NS(G)/||NS(G)||_op> + eta ||G||_* is reported.
// Every check is an atom: value and ns-distance are identities (equal, the predicted side the
// formula), optimality is the lower bound <G, D> >= -eta ||G||_* at every feasible point tried,
// attained at D* (tightness 1).
// Decoys: op-norm-value (value -eta ||G||_op), frobenius-direction (claims -eta G/||G||_F, the
// Euclidean LMO of NSGD-M, is the minimizer, with minimum -eta ||G||_F: perturbations find lower values),
// ns-spectral-normalization (predicts max |q(sigma_i/sigma_max) - 1|: the wrong pre-normalization);
// edge decoys: value and ns-distance x 6/5, the minimum x 5/6.
//
// Tolerances. polar from the SVD: ||dP||_op <= 2 (m+n) u sigma_max/sigma_min (R.-C. Li's bound;
// support.hpp polar_error); <G, D> to mn u ||G||_F ||D||_F; ||G||_* from the SVD to (m+n) q u sigma_max.
// Projection onto the ball through an SVD: ||D||_op <= eta (1 + (m+n) u), worth eta (m+n) u ||G||_*.
// Newton-Schulz: a first-order rounding model. Step k (coefficients a, b, c, input op norm r_k)
// commits an error <= sqrt(q) (max(m,n) + 2q + 3) u (|a| r + |b| r^3 + |c| r^5) (three products,
// two additions); an error E in X_k reaches the output multiplied by at most L_k ... L_last, where
// L_k = max over the singular values x_i of X_k of |q_k'(x_i)| and the divided differences
// |q_k(x_i) -+ q_k(x_j)| / |x_i -+ x_j|, q_k(x_i)/x_i (the Daleckii-Krein bound for odd polynomials);
// the normalization's rounding ((max(m,n) q + 2) u relative) is propagated likewise.
#include <cmath>
#include <tuple>

#include "claims/support.hpp"
#include "harness/core/rng.hpp"
#include "solvers/spectral/newton_schulz.hpp"
#include "solvers/spectral/polar.hpp"

namespace mb {
namespace {

ClaimInfo lmo_polar_info() {
  return {"lmo-polar",
          "-eta polar(G) minimizes <G, D> over the spectral ball ||D||_op <= eta, with value -eta ||G||_*; "
          "Newton-Schulz schedules reach it only up to their exact-arithmetic error max_i |q(sigma_i/s) - 1|.",
          "argmin_{||D||_op <= eta} <G, D> = -eta polar(G), min = -eta ||G||_*;  "
          "||NS(G) - polar(G)||_op = max_i |q(sigma_i/s) - 1|",
          "docs/theory.md 2f (LMO and dual norm) (derivation / standard fact, checked numerically); 2g (exact a-posteriori bound) (derivation of this project)",
          "SVD rounding of polar (R.-C. Li's perturbation bound), inner products mn u |.||.|, projection onto the ball "
          "(m+n) u; Newton-Schulz: per-step rounding propagated through the divided differences of the step "
          "polynomials on the actual singular values",
          {{"op-norm-value", "claims the minimum is -eta ||G||_op: wrong norm"},
           {"frobenius-direction", "claims -eta G/||G||_F (the Euclidean-ball LMO) is the minimizer"},
           {"ns-spectral-normalization", "predicts max_i |q(sigma_i/sigma_max) - 1|: the spectral norm in place of the Frobenius pre-normalization"},
           {"value-x1.2", "claims the minimum is -1.2 eta ||G||_* and the radius 1.2 eta: the predicted values x 1.2"},
           {"optimality-min-x5/6", "claims no feasible D goes below -(5/6) eta ||G||_*: the lower bound x 5/6"},
           {"ns-distance-x1.2", "predicts 1.2 max_i |q(sigma_i/s) - 1|: the exact-arithmetic error x 1.2"}},
          {{"value", "<G, -eta polar(G)> = -eta ||G||_* and ||eta polar(G)||_op = eta"},
           {"optimality", "<G, D> >= -eta ||G||_* at the candidate (attained), its projected perturbations and random "
                          "feasible D"},
           {"ns-distance", "measured ||NS(G) - polar(G)||_op = max_i |q(sigma_i/s) - 1| for jordan, polar-express, "
                           "classic"}}};
}

// Proj_{||.||_op <= eta}(D) = U min(sigma, eta) V^T.
template <class T>
Mat<T> project_ball(const Mat<T>& D, const T& eta) {
  const linalg::Svd<T> s = linalg::thin_svd<T>(D);
  Vec<T> g = s.s;
  for (long i = 0; i < g.size(); ++i) g(i) = std::min(g(i), eta);
  return spectral::svd_compose<T>(s, g);
}

// First-order rounding bound of NS(G) (header comment), from the scalar trajectories of the
// singular values.
template <class T>
T ns_rounding(const spectral::NewtonSchulz<T>& ns, const Vec<T>& sigma, const T& s, long m, long n) {
  using std::abs;
  using std::sqrt;
  const T u = T(unit_roundoff<T>());
  const long q = std::min(m, n), p = std::max(m, n);
  std::vector<T> x;
  for (long i = 0; i < sigma.size(); ++i) x.push_back(sigma(i) / s);
  T err = T(p * q + 2) * u * claims::maxv(x);  // the normalization
  for (const auto& c : ns.coefficients()) {
    auto qk = [&](const T& y) { return c[0] * y + c[1] * y * y * y + c[2] * y * y * y * y * y; };
    auto dq = [&](const T& y) { return c[0] + T(3) * c[1] * y * y + T(5) * c[2] * y * y * y * y; };
    T L(0);
    for (size_t i = 0; i < x.size(); ++i) {
      L = std::max(L, T(abs(dq(x[i]))));
      L = std::max(L, T(abs(qk(x[i]) / x[i])));
      for (size_t j = 0; j < i; ++j) {
        L = std::max(L, T(abs((qk(x[i]) + qk(x[j])) / (x[i] + x[j]))));
        if (x[i] != x[j]) L = std::max(L, T(abs((qk(x[i]) - qk(x[j])) / (x[i] - x[j]))));
      }
    }
    const T r = claims::maxv(x);
    const T rho = sqrt(T(q)) * T(p + 2 * q + 3) * u * (abs(c[0]) * r + abs(c[1]) * r * r * r + abs(c[2]) * r * r * r * r * r);
    err = L * err + rho;
    for (auto& y : x) y = qk(y);
  }
  return err;
}

template <class T>
std::vector<ClaimOutcome> lmo_polar(const ClaimContext& ctx) {
  using std::abs;
  using std::sqrt;
  using claims::num;
  const T u = T(unit_roundoff<T>());
  const T eta = T(1) / T(4);
  Rng rng(605);
  const json instance = {{"matrices", "G Gaussian N(0,1): tall 6x4 and wide 3x5 (Rng 605)"},
                         {"eta", "1/4"},
                         {"perturbations", "Proj_ball(D + t E), E Gaussian unit, t = 2^-2 .. 2^-12 (6 values x 4 E), "
                                           "plus 8 random feasible D"},
                         {"ns_schedules", "jordan 5 steps, polar-express 5 steps, classic 12 steps (frobenius pre-normalization)"}};
  claims::Outcomes<T> out(ctx, lmo_polar_info(), instance);
  auto value = out.pair("value", "op-norm-value",
                        "mn u ||G|| ||D|| + eta ||G||_* ||dpolar||_op (Li's bound) + SVD rounding of ||G||_*");
  auto optimality = out.pair("optimality", "frobenius-direction",
                             "rounding of <G, D> for the candidate and the comparison points + ball projection (m+n) u");
  auto ns_distance = out.pair("ns-distance", "ns-spectral-normalization",
                              "first-order Newton-Schulz rounding through the step polynomials' divided differences + "
                              "polar_error + q u (op norm); the worst schedule");
  for (auto [label, m, n] : {std::tuple{"tall-6x4", 6L, 4L}, std::tuple{"wide-3x5", 3L, 5L}}) {
    const Mat<T> G = rng.normal_matrix<T>(m, n);
    const long q = std::min(m, n);
    const Vec<T> sig = linalg::singular_values<T>(G);
    T nuc(0);
    for (long i = 0; i < q; ++i) nuc += sig(i);
    const T dnuc = T((m + n) * q) * u * sig(0);
    const Mat<T> P = spectral::polar<T>(G);
    const T dP = claims::polar_error<T>(m, n, sig(0), sig(q - 1));
    const Mat<T> Dstar = -eta * P;
    const T v = claims::inner<T>(G, Dstar);
    const T dv = T(m * n) * u * G.norm() * Dstar.norm() + eta * nuc * dP + eta * dnuc;
    const T opn = spectral::op_norm<T>(Dstar);
    // --- value (decoy: -eta ||G||_op)
    for (int decoy = 0; decoy < 2; ++decoy) {
      const T pred = -eta * (decoy ? sig(0) : nuc);
      claims::Check<T> c;
      c.instance = label;
      // Two identities, each with its own tolerance: the value (predicted -eta ||G||_*) and the
      // radius (predicted eta; the polar factor's op norm is 1 up to ||dP||_op, plus its own rounding).
      c.equal(v, pred, dv);
      c.equal(opn, eta, T(eta * dP + T(q) * u * eta));
      c.measured = {{"value", num(v)}, {"op_norm_D", num(opn)}};
      c.predicted = {{"value", num(pred)}, {"op_norm_D", num(eta)}};
      value.add(decoy, c);
    }
    // --- optimality of the candidate (decoy: the Frobenius direction)
    std::vector<Mat<T>> Es;
    for (int j = 0; j < 4; ++j) {
      Mat<T> E = rng.normal_matrix<T>(m, n);
      Es.push_back(E / E.norm());
    }
    std::vector<Mat<T>> randoms;
    for (int j = 0; j < 8; ++j) randoms.push_back(project_ball<T>(rng.normal_matrix<T>(m, n), eta));
    // The predicted minimum is a lower bound on <G, D> over the ball, attained at the candidate: one
    // lower-bound atom per feasible point (the candidate, its projected perturbations, the random
    // ones). The true minimum -eta ||G||_* is attained at D*, so the bound's tightness is 1 and a
    // predicted minimum off by any factor beyond rounding fails at D* (or, scaled the other way, at the
    // perturbations). The decoy predicts the minimum <G, -eta G/||G||_F> = -eta ||G||_F.
    for (int decoy = 0; decoy < 2; ++decoy) {
      const Mat<T> cand = decoy ? Mat<T>(-eta * G / G.norm()) : Dstar;
      const T cv = claims::inner<T>(G, cand);
      const T pred_min = decoy ? T(-eta * G.norm()) : T(-eta * nuc);
      const T tol = T(2) * T(m * n) * u * G.norm() * eta * sqrt(T(q)) + eta * T(m + n) * u * nuc + dv;
      claims::Check<T> c;
      c.instance = label;
      T best = cv;
      c.lower(cv, pred_min, tol);
      T t = T(1) / T(4);
      for (int k = 0; k < 6; ++k, t /= T(4))
        for (const auto& E : Es) {
          const T val = claims::inner<T>(G, project_ball<T>(Mat<T>(cand + t * E), eta));
          best = std::min(best, val);
          c.lower(val, pred_min, tol);
        }
      for (const auto& D : randoms) {
        const T val = claims::inner<T>(G, D);
        best = std::min(best, val);
        c.lower(val, pred_min, tol);
      }
      c.measured = {{"candidate_value", num(cv)}, {"best_value_found", num(best)}};
      c.predicted = {{"candidate", decoy ? "-eta G/||G||_F" : "-eta polar(G)"}, {"minimum", num(pred_min)}};
      optimality.add(decoy, c);
    }
    // --- Newton-Schulz schedules
    claims::Check<T> c, cd;
    c.instance = cd.instance = label;
    json rows = json::array();
    for (auto [sched, steps] : {std::tuple{"jordan", 5}, std::tuple{"polar-express", 5}, std::tuple{"classic", 12}}) {
      spectral::NewtonSchulzConfig cfg;
      cfg.schedule = sched;
      cfg.steps = steps;
      spectral::NewtonSchulz<T> ns(cfg);
      const Mat<T> X = ns(G);
      const T meas = spectral::op_norm<T>(Mat<T>(X - P));
      const T pred = ns.predicted_polar_error(G);
      T pred_d(0);
      for (long i = 0; i < q; ++i) pred_d = std::max(pred_d, T(abs(ns.scalar_map(T(sig(i) / sig(0))) - T(1))));
      const T s = ns.normalization_scale(G);
      const T tol = ns_rounding<T>(ns, sig, s, m, n) + dP + T(q) * u * (T(1) + meas);
      const T xop = spectral::op_norm<T>(X);
      const T subopt = claims::inner<T>(G, Mat<T>(-eta * X / xop)) + eta * nuc;
      rows.push_back({{"schedule", sched}, {"steps", steps}, {"measured", num(meas)}, {"predicted", num(pred)},
                      {"tolerance", num(tol)}, {"lmo_suboptimality", num(subopt)},
                      {"relative_suboptimality", num(T(subopt / (eta * nuc)))}});
      // The measured distance equals its exact-arithmetic value (the predicted side) to rounding.
      c.equal(meas, pred, tol);
      cd.equal(meas, pred_d, tol);
    }
    c.measured = cd.measured = {{"schedules", rows}};
    c.predicted = {{"formula", "max_i |q(sigma_i/s) - 1|"}};
    cd.predicted = {{"formula", "max_i |q(sigma_i/sigma_max) - 1|"}};
    ns_distance.add(false, c);
    ns_distance.add(true, cd);
  }
  out.edge("value-x1.2", "value", T(6) / T(5));
  out.edge("optimality-min-x5/6", "optimality", T(5) / T(6));
  out.edge("ns-distance-x1.2", "ns-distance", T(6) / T(5));
  return out.outcomes();
}

}  // namespace

MB_REGISTER_CLAIM(lmo_polar_info, lmo_polar);

}  // namespace mb
