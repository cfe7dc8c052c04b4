// flow-kinetic: the kinetic-energy inequalities of the inertial flow (docs/theory.md 2c, "Inequalities
// for the kinetic energy"; derivation of this project), checked along flow trajectories:
//   kinetic-lower     K(p) <= <p, grad K(p)>       (per singular value s, r = sqrt(s^2 + eps'^2):
//   kinetic-upper     <p, grad K(p)> <= 2 K(p)      <p, grad K> / K = (r + eps')/r in [1, 2])
//   momentum-bound    sigma_max(p(t)) <= R0 = sqrt((H(0) - f* + eps')^2 - eps'^2)   (K(p(t)) <= H(0) - f*)
// The first two hold at every p: evaluated at the computed states, the integrator's error does not
// enter (the trajectory only chooses where they are tested). The lower one is nearly met where
// sigma(p) >> eps' (ratio 1 + eps'/r), the upper one where sigma(p) << eps' (ratio 2 - O(s^2/eps'^2)).
// Trajectory "wide": quadratic-kron 3 x 2 (kappa 4, seed 1), W(0) = the canonical start (W* + N(0,1)
// entries), p(0) = 0, gamma = 1/2, eps' = 1/50, T = 40: sigma_max(p) grows from 0 to about 40 eps'
// and decays to below eps'/1000 (measured), so both ends are visited.
// The momentum bound is a statement about the exact flow, so it is checked with the error of the
// computed p: trajectory "energy", the same problem with W(0) = W* + (3/2) x y^T (x, y unit,
// Rng 1602: the energy sits in one singular direction, so sigma_max carries nearly all of K when
// W passes W*), p(0) = 0, gamma = 1/50, eps' = 1/2, T = 8. Both trajectories are run at dt and dt/2
// (rk4); at each sample, sigma_max of the finer run is compared with R0, with tolerance
//   2 ||p_dt/2 - p_dt||_F / 15 (rk4 Richardson estimate of the finer run's error, |sigma_max(p) -
//   sigma_max(p')| <= ||p - p'||_F; factor 2 for the estimate's own error)
//   + n stages (d + 4) u max ||p|| (linear accumulation of rounding, claims/flow_support.hpp's model)
//   + (m + n) u sigma_max (the SVD) + (H(0) - f* + eps')/R0 (d + 4) u |H(0)| (rounding of R0).
// K and <p, grad K> are computed from their definitions (spectral::psi - q eps', <p, reg_polar(p)>),
// with rounding psi_error and reg_polar_error ||p|| + mn u ||grad K|| ||p|| (claims/support.hpp);
// samples where K is below 1000 times its rounding bound (p(0) = 0) are not used.
// Decoys: <p, grad K> <= (3/2) K (wrong constant); sigma_max <= H(0) - f* (R0 without eps');
// edge decoys: the lower bound's constant x 6/5, the upper bound's and R0 x 5/6.
#include <cmath>
#include <string>

#include "claims/flow_support.hpp"
#include "harness/core/rng.hpp"
#include "solvers/spectral/regularized.hpp"

namespace mb {
namespace {

ClaimInfo flow_kinetic_info() {
  return {"flow-kinetic",
          "Along the inertial flow, the kinetic energy K(p) = psi_eps'(p) - q eps' satisfies K <= <p, grad K> <= 2K "
          "(each nearly met: the first where sigma(p) >> eps', the second where sigma(p) << eps'), and the momentum "
          "stays in the ball sigma_max(p(t)) <= R0 = sqrt((H(0) - f* + eps')^2 - eps'^2).",
          "K(p) <= <p, grad K(p)> <= 2 K(p);  sigma_max(p(t)) <= sqrt((H(0) - f* + eps')^2 - eps'^2)",
          "docs/theory.md 2c, 'Inequalities for the kinetic energy' (items 1 and 3) and 'Where they are met' "
          "(derivation of this project)",
          "K, <p, grad K>: rounding (psi_error; reg_polar_error ||p|| + mn u ||grad K|| ||p||), the inequalities "
          "hold at every p; sigma_max(p(t)): rk4 Richardson estimate 2 ||p_dt/2 - p_dt||/15 + linear rounding "
          "accumulation n stages (d+4) u max||p|| + SVD rounding + rounding of R0",
          {{"ratio-3/2", "claims <p, grad K> <= (3/2) K: the wrong constant"},
           {"R0-without-eps", "claims sigma_max(p) <= H(0) - f*, the radius computed without eps'"},
           {"kinetic-lower-x1.2", "the lower bound's constant 1 x 1.2: <p, grad K> >= 1.2 K"},
           {"kinetic-upper-x5/6", "the upper bound's constant 2 x 5/6: <p, grad K> <= (5/3) K"},
           {"momentum-bound-x5/6", "the radius R0 x 5/6"}},
          {{"kinetic-lower", "K(p(t)) <= <p, grad K(p(t))> at every sample (nearly met where sigma(p) >> eps')"},
           {"kinetic-upper", "<p, grad K(p(t))> <= 2 K(p(t)) at every sample (nearly met where sigma(p) << eps')"},
           {"momentum-bound", "sigma_max(p(t)) <= R0 for the exact flow (nearly met when W passes W*)"}}};
}

template <class T>
struct KineticRun {
  std::vector<T> t;
  std::vector<Mat<T>> p;
  T h0 = T(0), pmax = T(0);
  long steps = 0;
};

// One rk4 run in `n` steps to t_end, sampling p every `every` steps.
template <class T>
KineticRun<T> kinetic_run(const Problem<T>& prob, flow::FlowConfig<T> cfg, const Params<T>& w0, const T& t_end,
                          long n, long every) {
  claims::ProblemOracle<T> o(prob);
  cfg.dt = t_end / T(n);
  flow::Flow<T> fl(cfg, prob.blocks());
  Params<T> w = w0;
  fl.start(w, o);
  KineticRun<T> r;
  r.h0 = fl.hamiltonian_initial(), r.steps = n;
  for (long k = 0; k <= n; ++k) {
    if (k % every == 0) {
      r.t.push_back(fl.time());
      r.p.push_back(fl.momentum()[0]);
      const T s = fl.momentum()[0].norm();
      if (s > r.pmax) r.pmax = s;
    }
    if (k < n) fl.advance(w, o);
  }
  return r;
}

template <class T>
struct Trajectory {
  std::string label;
  T gamma, eps, t_end;
  long n, every;  // steps of the coarse run, samples every `every` coarse steps
  Params<T> w0;
};

template <class T>
std::vector<ClaimOutcome> flow_kinetic(const ClaimContext& ctx) {
  using std::abs;
  using std::sqrt;
  using claims::num;
  const T u = T(unit_roundoff<T>());
  const json params = {{"m", 3}, {"n", 2}, {"kappa", 4}, {"seed", 1}};
  auto prob = make_problem<T>("quadratic-kron", params);
  const T fstar = *prob->known().f_star;
  const Mat<T> Wstar = (*prob->minimizer())[0];
  const long m = Wstar.rows(), nc = Wstar.cols(), d = m * nc;
  Rng rng(1602);
  Mat<T> x = rng.normal_matrix<T>(m, 1), y = rng.normal_matrix<T>(nc, 1);
  x /= x.norm(), y /= y.norm();
  const Mat<T> E = T(3) / T(2) * linalg::mul_nt<T>(x, y);

  std::vector<Trajectory<T>> traj{
      {"wide", T(1) / T(2), T(1) / T(50), T(40), 2560, 16, prob->initial_point(0)},
      {"energy", T(1) / T(50), T(1) / T(2), T(8), 512, 4, Params<T>{Mat<T>(Wstar + E)}}};
  const json instance = {
      {"problem", "quadratic-kron"}, {"params", params}, {"scheme", "rk4"},
      {"trajectories",
       json::array({{{"label", "wide"}, {"W0", "canonical start"}, {"p0", 0}, {"gamma", "1/2"}, {"eps", "1/50"},
                     {"T", 40}, {"dt", "1/64 and 1/128"}, {"samples", "every 1/4"}},
                    {{"label", "energy"}, {"W0", "W* + (3/2) x y^T (x, y unit, Rng 1602)"}, {"p0", 0},
                     {"gamma", "1/50"},
                     {"eps", "1/2"}, {"T", 8}, {"dt", "1/64 and 1/128"}, {"samples", "every 1/16"}}})}};
  claims::Outcomes<T> out(ctx, flow_kinetic_info(), instance);
  const std::string src_k = "rounding of K (psi_error) and <p, grad K> (reg_polar_error ||p|| + mn u ||grad K|| ||p||)";
  const std::string src_r = "rk4 Richardson 2 ||p_dt/2 - p_dt||/15 + rounding (linear accumulation, SVD, R0)";
  auto& lower = out.of("kinetic-lower", src_k);
  auto upper = out.pair("kinetic-upper", "ratio-3/2", src_k);
  auto bound = out.pair("momentum-bound", "R0-without-eps", src_r);

  for (const auto& tr : traj) {
    flow::FlowConfig<T> cfg;
    cfg.gamma = tr.gamma, cfg.eps = tr.eps, cfg.scheme = "rk4";
    const KineticRun<T> coarse = kinetic_run<T>(*prob, cfg, tr.w0, tr.t_end, tr.n, tr.every);
    const KineticRun<T> fine = kinetic_run<T>(*prob, cfg, tr.w0, tr.t_end, 2 * tr.n, 2 * tr.every);
    const T eps = tr.eps, q = T(std::min(m, nc));

    // K <= <p, grad K> <= 2K at the samples of the finer run.
    claims::Check<T> lo, up[2];
    lo.instance = up[0].instance = up[1].instance = tr.label;
    T ratio_min(2), ratio_max(1), smax_hi(0), smax_lo(-1);  // sigma_max(p)/eps' over the samples used
    for (const auto& p : fine.p) {
      const Vec<T> s = linalg::singular_values<T>(p);
      const Mat<T> G = spectral::reg_polar<T>(p, eps);
      const T K = spectral::psi<T>(p, eps) - q * eps, P = claims::inner<T>(p, G);
      const T eK = claims::psi_error<T>(m, nc, s, eps) + q * u * eps;
      if (!(K > T(1000) * eK)) continue;  // p = 0 or K at the rounding floor: rounding, not the bound, would decide
      const T eP = claims::reg_polar_error<T>(m, nc, s(0), s(s.size() - 1), eps) * p.norm() +
                   T(d) * u * G.norm() * p.norm();
      lo.lower(P, K, eP + eK);
      up[0].upper(P, T(2) * K, eP + T(2) * eK);
      up[1].upper(P, T(3) / T(2) * K, eP + T(3) / T(2) * eK);
      ratio_min = P / K < ratio_min ? T(P / K) : ratio_min;
      ratio_max = P / K > ratio_max ? T(P / K) : ratio_max;
      smax_hi = s(0) / eps > smax_hi ? T(s(0) / eps) : smax_hi;
      smax_lo = smax_lo < T(0) || s(0) / eps < smax_lo ? T(s(0) / eps) : smax_lo;
    }
    const json range = {num(smax_lo), num(smax_hi)};
    lo.measured = {{"min_ratio_<p,gradK>/K", num(ratio_min)}, {"samples", fine.p.size()},
                   {"sigma_max_over_eps_range", range}};
    lo.predicted = {{"ratio_lower_bound", 1}};
    lower.push_back(lo);
    for (int decoy = 0; decoy < 2; ++decoy) {
      up[decoy].measured = {{"max_ratio_<p,gradK>/K", num(ratio_max)}, {"samples", fine.p.size()},
                            {"sigma_max_over_eps_range", range}};
      up[decoy].predicted = {{"ratio_upper_bound", decoy ? num(T(T(3) / T(2))) : num(T(2))}};
      upper.add(decoy, up[decoy]);
    }

    // sigma_max(p(t)) <= R0 for the exact flow.
    const T e0 = coarse.h0 - fstar;  // p(0) = 0: H(0) = f(W0)
    const T R0 = sqrt((e0 + eps) * (e0 + eps) - eps * eps);
    const T r0_round = (e0 + eps) / R0 * T(d + 4) * u * abs(fine.h0);
    const T accumulated = T(fine.steps * 4 * (d + 4)) * u * fine.pmax;
    claims::Check<T> rb[2];
    T smax(0), est_max(0);
    for (size_t k = 0; k < fine.p.size(); ++k) {
      const T s = linalg::singular_values<T>(fine.p[k])(0);
      const T est = T(2) * Mat<T>(fine.p[k] - coarse.p[k]).norm() / T(15);
      const T tol = est + accumulated + T(m + nc) * u * s + r0_round;
      rb[0].upper(s, R0, tol);
      rb[1].upper(s, e0, tol);
      smax = s > smax ? s : smax;
      est_max = est > est_max ? est : est_max;
    }
    for (int decoy = 0; decoy < 2; ++decoy) {
      rb[decoy].instance = tr.label;
      rb[decoy].measured = {{"max_sigma_max_p", num(smax)}, {"max_richardson_estimate", num(est_max)}};
      rb[decoy].predicted = {{"radius", num(decoy ? e0 : R0)}, {"H0_minus_fstar", num(e0)}};
      bound.add(decoy, rb[decoy]);
    }
  }
  out.edge("kinetic-lower-x1.2", "kinetic-lower", T(6) / T(5));
  out.edge("kinetic-upper-x5/6", "kinetic-upper", T(5) / T(6));
  out.edge("momentum-bound-x5/6", "momentum-bound", T(5) / T(6));
  return out.outcomes();
}

}  // namespace

MB_REGISTER_CLAIM(flow_kinetic_info, flow_kinetic);

}  // namespace mb
