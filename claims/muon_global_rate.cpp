// muon-global-rate: regularized Muon with EMA momentum (the registered `muon-reg` solver),
//     M_{k+1} = beta M_k + (1 - beta) grad f(W_k),   W_{k+1} = W_k - eta grad psi_eps(M_{k+1}),
// started far from the optimum (||M|| >> eps: the map saturates, ||grad psi_eps(M)||_op -> 1) converges
// globally at the discrete linear rate of docs/theory.md 2d ("Discrete regularized Muon near the
// optimum"; the far-start argument is in the same subsection, derivation of this project):
//     f(W_k) - f* <= C rho^k,   rho = rho_disc = max_j r_j^2,
// r_j the spectral radius of [[1 - a b_j, -a beta], [b_j, beta]], a = eta/eps, b_j = (1 - beta) lambda_j,
// lambda_j the Hessian eigenvalues at the minimizer; and it is locally stable iff eta < eta* =
// 2 (1 + beta) eps / ((1 - beta) L), L = max_j lambda_j.
//   rate       the per-step ln-contraction of the gap, fitted over the tail, equals ln rho_disc (two-sided)
//              on three instances: quadratic-kron 3 x 2 with kappa 4 and kappa 100 (docs/theory.md 3 item 1)
//              and nonconvex-pl 4 x 3 (docs/theory.md 3 item 7: f = sum w^2 + 3 sin^2 w, PL, not convex,
//              Hessian 8 I at W* = 0; the far start crosses the non-convex band |w| in (0.96, 2.2) where
//              f'' < 0 for some entries, and the tail feels the quartic term). eta is set so that the slowest mode is
//              overdamped at 4/5 of critical damping, a b_min = (4/5)(1 - sqrt(beta))^2 (so its rate
//              is well separated from the underdamped modes, whose gap falls like beta^k), beta = 9/10.
//   threshold  at eta = (97/100) eta* the gap falls by >= 1e9 over 250 steps from a start in the linear
//              regime (init_scale 1e-4); at (103/100) eta*, from the far start, it falls by less than 1e3
//              (a bounded cycle: ||eta grad psi||_op <= eta). The observed behaviour brackets the threshold:
//              eta_lo <= eta* (converges) and eta* <= eta_hi (does not), each an atom, so the resolution is
//              1/0.97 (all three instances).
//   Finding (the decoy far-start-converges): from the far start, 0.97 eta* does NOT converge on the kron
//   instances: with eta ~ 37 eps/L every saturated step overshoots the linear zone ||W - W*|| ~ eps/L, and
//   the iterates stay in a saturated cycle (docs/theory.md 2d, "The threshold is local").
// Window: the tail starts 400 steps (kappa 100: 250, so that double still resolves the gap there)
// after the last step with sigma_max(M) > eps/1000 (the map is then M/eps to a relative 1e-6, and
// the underdamped modes have faded by (beta/rho)^400 ~ 1e-9, (beta/rho)^250 ~ 2e-6, behind the
// slowest), to the end of the run (at most 600 steps), every 5 steps.
//
// Tolerance model. The rate: support.hpp fit_slope (spread of the local slopes over the window +
// the rounding of ln gap), the gap's absolute rounding 2 (1 + k (d + 4)) u ||W*|| ||g_k|| (the iterate's
// accumulated rounding, worst-case linear in k, times the gradient: flow-sharp-rates' model) +
// 64 d u (|f_k| + |f*|) (the evaluation of f and of f*). The threshold: decisive (gap ratios 1e-9 and
// 1e-3 over 250 steps, far above rounding), tolerance 0 on the bracketing atoms.
// Decoys: rate-log-x1.1 (ln rho x 1.1, edge), threshold-x1.05 (eta* x 1.05, edge), rho-beta (rho = beta,
// the underdamped formula), threshold-no-1+beta (eta* without the factor 1 + beta), far-start-converges
// (every eta < eta* converges from the far start: violated on the kron instances, see the finding above).
#include <cmath>

#include "claims/flow_support.hpp"
#include "harness/oracles.hpp"
#include "harness/problem.hpp"
#include "harness/solver.hpp"

namespace mb {
namespace {

ClaimInfo muon_global_rate_info() {
  return {"muon-global-rate",
          "Regularized Muon (EMA momentum) started far from the optimum (||M|| >> eps, the map saturated) "
          "converges with f(W_k) - f* <= C rho^k, rho = rho_disc = max_j r_j^2 of the linearization at the "
          "optimum (sharp), and is locally stable iff eta < 2 (1 + beta) eps / ((1 - beta) L) (above it the iterates cycle, "
          "also from the far start; below it a far start may still cycle: the threshold is local).",
          "lim (f_{k+1} - f*)/(f_k - f*) = rho_disc = max_j rho([[1 - a b_j, -a beta], [b_j, beta]])^2, a = eta/eps, "
          "b_j = (1 - beta) lambda_j;  locally convergent iff eta < eta* = 2 (1 + beta) eps / ((1 - beta) L)",
          "docs/theory.md 2d (discrete regularized Muon near the optimum; far start) (derivation of this project)",
          "rate: spread of the local slopes over the tail window + rounding of ln gap, the gap to 2 (1 + k (d+4)) u "
          "||W*|| ||g_k|| + 64 d u (|f_k| + |f*|) (support.hpp fit_slope); threshold: decisive gap ratios (<= 1e-9 "
          "converged, >= 1e-3 not converged, over 250 steps), tolerance 0 on the bracket eta_lo <= eta* <= eta_hi",
          {{"rho-beta", "claims the tail rate is beta (the underdamped formula) where the slowest mode is overdamped"},
           {"threshold-no-1+beta", "claims eta* = 2 eps / ((1 - beta) L), without the factor (1 + beta)"},
           {"rate-log-x1.1", "ln rho_disc x 1.1: an edge decoy"},
           {"threshold-x1.05", "eta* x 1.05: an edge decoy"},
           {"far-start-converges", "claims every eta < eta* converges from the far start: at 0.97 eta* the saturated "
                                   "map keeps the iterates in a cycle (the linear threshold is local)"}},
          {{"rate", "tail per-step ln-contraction of the gap equals ln rho_disc (kron kappa 4, kappa 100, nonconvex-pl)"},
           {"threshold", "converges at 0.97 eta* (linear regime), does not converge at 1.03 eta* from the far start"}},
          {},
          "muon-reg"};
}

template <class T>
struct RegRun {
  std::vector<T> gap, abs_round, msig;  // per step k = 0..K: f_k - f*, its rounding, sigma_max(M_k)
};

// `muon-reg` (EMA, sqrt smoothing, no shape scale) from the problem's initial point; M is
// recomputed alongside (the same EMA) only to tell the saturated phase from the linear one.
template <class T>
RegRun<T> reg_run(const ClaimContext& ctx, const Problem<T>& prob, const T& eta, const T& beta, const T& eps, long K) {
  using std::abs;
  const Known<T> kn = prob.known();
  const T fstar = *kn.f_star, u = T(unit_roundoff<T>());
  const long d = total_size(prob.blocks());
  const T wstar = (*prob.minimizer())[0].norm();
  // `check --solver NAME` runs NAME here, given these keys (the theorem's premises).
  auto solver = make_solver<T>(ctx.solver_name("muon-reg"), ctx.hyper({{"lr", to_decimal<T>(eta)},
                                                                       {"momentum", to_decimal<T>(beta)},
                                                                       {"eps", to_decimal<T>(eps)},
                                                                       {"momentum_kind", "ema"},
                                                                       {"smoothing", "sqrt"}}));
  Params<T> w = prob.initial_point(0), g;
  solver->init(prob.blocks(), w);
  NoOracle<T> oracle;
  Mat<T> M = Mat<T>::Zero(w[0].rows(), w[0].cols());
  RegRun<T> r;
  for (long k = 0; k <= K; ++k) {
    const T f = prob.value_and_gradient(w, g);
    r.gap.push_back(f - fstar);
    r.abs_round.push_back(T(2) * T(1 + k * (d + 4)) * u * wstar * g[0].norm() + T(64 * d) * u * (abs(f) + abs(fstar)));
    r.msig.push_back(k == 0 ? T(0) : T(linalg::singular_values<T>(M)(0)));
    if (k == K) break;
    M = beta * M + (T(1) - beta) * g[0];
    solver->step(w, g, oracle);
  }
  return r;
}

template <class T>
struct RateInstance {
  std::string label, problem;
  json params;
  T eps;
  long steps, skip;  // run length; the tail window starts `skip` steps after the linear regime begins
  bool threshold;     // also run the threshold runs on this instance
};

template <class T>
std::vector<ClaimOutcome> muon_global_rate(const ClaimContext& ctx) {
  using std::exp;
  using std::log;
  using std::sqrt;
  using claims::num;
  const T beta = T(9) / T(10);
  const T crit = (T(1) - sqrt(beta)) * (T(1) - sqrt(beta));  // a b at critical damping
  const std::vector<RateInstance<T>> inst = {
      {"kron-kappa4", "quadratic-kron", {{"m", 3}, {"n", 2}, {"kappa", 4}, {"seed", 1}, {"init_scale", "3"}}, T(1) / T(10), 1500, 400, true},
      {"kron-kappa100", "quadratic-kron", {{"m", 3}, {"n", 2}, {"kappa", 100}, {"seed", 1}, {"init_scale", "1"}}, T(1) / T(100), 1200, 250, true},
      {"nonconvex-pl", "nonconvex-pl", {{"m", 4}, {"n", 3}, {"init_scale", "1"}}, T(1), 2200, 400, true}};

  json inst_json = json::object();
  claims::Outcomes<T> out(ctx, muon_global_rate_info(), json::object());
  auto rate = out.pair("rate", "rho-beta", "spread of the local slopes over the tail window + rounding of ln gap (fit_slope)");
  auto thr = out.pair("threshold", "threshold-no-1+beta", "decisive gap ratios over 250 steps; tolerance 0 on the bracket");
  auto& far_conv = out.of("far-start-converges", "decisive gap ratio over 250 steps (<= 1e-9 if converging)");
  for (const auto& in : inst) {
    auto prob = make_problem<T>(in.problem, in.params);
    const std::vector<T> lam = *prob->hessian_eigenvalues();
    const T muH = claims::minv(lam), LH = claims::maxv(lam);
    // eta: the slowest mode at 4/5 of critical damping.
    const T a = T(4) / T(5) * crit / ((T(1) - beta) * muH), eta = a * in.eps;
    T rho(0);
    for (const T& l : lam) {
      const T r = claims::mode_radius<T>(a, (T(1) - beta) * l, beta);
      rho = r * r > rho ? T(r * r) : rho;
    }
    const RegRun<T> run = reg_run<T>(ctx, *prob, eta, beta, in.eps, in.steps);
    long last_sat = 0, saturated = 0;
    T far(0);
    for (long k = 0; k <= in.steps; ++k) {
      if (run.msig[k] > in.eps / T(1000)) last_sat = k;
      if (run.msig[k] > in.eps) ++saturated;
      if (run.msig[k] / in.eps > far) far = run.msig[k] / in.eps;
    }
    // h = e^(k - from), so that the log-log slope is the per-step ln-rate (the window is at most
    // 600 steps: e^600 is finite in double).
    const long from = last_sat + in.skip, to = std::min(in.steps, from + 600);
    std::vector<T> h, e, rr;
    for (long k = from; k <= to; k += 5)
      h.push_back(exp(T(k - from))), e.push_back(run.gap[k]), rr.push_back(run.abs_round[k] / run.gap[k]);
    const claims::SlopeData<T> sd = claims::fit_slope<T>(h, e, rr);
    for (int decoy = 0; decoy < 2; ++decoy) {
      claims::Check<T> c = claims::slope_check<T>(in.label, sd, decoy ? T(log(beta)) : T(log(rho)),
                                                   "fewer than 3 tail points resolved above rounding (or the run is too short)");
      c.measured = {{"fitted_ln_rate_per_step", num(sd.fitted)}, {"fitted_rate_per_step", num(T(exp(sd.fitted)))},
                    {"saturated_steps", saturated}, {"last_step_with_sigma_max_M_above_eps/1000", last_sat},
                    {"max_k_sigma_max_M_over_eps", num(far)},
                    {"gap_0", num(run.gap[0])}, {"gap_end", num(run.gap.back())}};
      c.predicted = {{"ln_rate_per_step", num(T(decoy ? log(beta) : log(rho)))}, {"rho_disc", num(rho)},
                     {"eta", num(eta)}, {"a_b_min_over_critical", "4/5"}, {"mu_H", num(muH)}, {"L_H", num(LH)}};
      c.extra = {{"window", {{"from", from}, {"to", to}, {"every", 5}}}, {"local_slopes", claims::nums(sd.local)},
                 {"tolerance_truncation", num(sd.truncation)}, {"tolerance_rounding", num(sd.rounding)}};
      if (from + 100 > to) c.resolved = false, c.unresolved_reason = "the linear regime starts too late for the window";
      rate.add(decoy, c);
    }
    inst_json[in.label] = {{"problem", in.problem}, {"params", in.params}, {"solver", "muon-reg (ema, sqrt)"},
                           {"beta", "9/10"}, {"eps", num(in.eps)}, {"steps", in.steps}, {"hessian_eigenvalues", claims::nums(lam)}};

    if (!in.threshold) continue;
    // Threshold from the far start: the runs at 0.97 and 1.03 eta*.
    const T eta_star = T(2) * (T(1) + beta) * in.eps / ((T(1) - beta) * LH);
    const T eta_no = T(2) * in.eps / ((T(1) - beta) * LH);
    const T lo = T(97) / T(100) * eta_star, hi = T(103) / T(100) * eta_star;
    // max gap over k in [350, 400] / max over [100, 150], and the steps with sigma_max(M) > eps.
    auto decay = [&](const Problem<T>& p, const T& eta_run, long& sat) {
      const RegRun<T> r = reg_run<T>(ctx, p, eta_run, beta, in.eps, 400);
      T g1(0), g2(0);
      sat = 0;
      for (long k = 0; k <= 400; ++k) {
        if (r.msig[k] > in.eps) ++sat;
        if (k >= 100 && k <= 150 && r.gap[k] > g1) g1 = r.gap[k];
        if (k >= 350 && r.gap[k] > g2) g2 = r.gap[k];
      }
      return g2 / g1;
    };
    json near_params = in.params;
    near_params["init_scale"] = "0.0001";  // ||M|| << eps throughout: the linear regime
    auto near = make_problem<T>(in.problem, near_params);
    long sat_lo = 0, sat_hi = 0, sat_far_lo = 0;
    const T d_lo = decay(*near, lo, sat_lo), d_hi = decay(*prob, hi, sat_hi), d_far_lo = decay(*prob, lo, sat_far_lo);
    const T conv = T(1) / T(1000000000), stall = T(1) / T(1000);
    for (int decoy = 0; decoy < 2; ++decoy) {
      claims::Check<T> c;
      c.instance = in.label;
      const T pred = decoy ? eta_no : eta_star;
      // Observed: converged -> the threshold is above eta_run; not converged -> at or below it.
      for (const auto& [eta_run, ratio] : {std::pair<T, T>{lo, d_lo}, std::pair<T, T>{hi, d_hi}}) {
        if (ratio <= conv) c.upper(eta_run, pred, T(0));
        else if (ratio >= stall || !(ratio == ratio)) c.lower(eta_run, pred, T(0));
        else c.resolved = false, c.unresolved_reason = "gap ratio " + claims::sci(ratio) + " neither converged nor stalled";
      }
      c.measured = {{"gap_decay_at_0.97_near_start", num(d_lo)}, {"gap_decay_at_1.03_far_start", num(d_hi)},
                    {"gap_decay_at_0.97_far_start", num(d_far_lo)}, {"saturated_steps_at_0.97_near", sat_lo},
                    {"saturated_steps_at_1.03_far", sat_hi}, {"saturated_steps_at_0.97_far", sat_far_lo}};
      c.predicted = {{"eta_threshold", num(pred)}, {"eta_lo", num(lo)}, {"eta_hi", num(hi)},
                     {"converged_if_decay_below", "1e-9"}, {"not_converged_if_decay_above", "1e-3"}};
      thr.add(decoy, c);
    }
    // The decoy far-start-converges: "every eta < eta* converges from the far start", at 0.97 eta*.
    claims::Check<T> f;
    f.instance = in.label;
    f.upper(d_far_lo, conv, T(0));
    f.measured = {{"gap_decay_at_0.97_far_start", num(d_far_lo)}, {"saturated_steps", sat_far_lo}};
    f.predicted = {{"gap_decay_at_most", "1e-9"}};
    far_conv.push_back(f);
  }
  out.edge("rate-log-x1.1", "rate", T(11) / T(10));
  out.edge("threshold-x1.05", "threshold", T(21) / T(20));
  std::vector<ClaimOutcome> o = out.outcomes();
  for (auto& x : o) x.instance = inst_json;
  return o;
}

}  // namespace

MB_REGISTER_CLAIM(muon_global_rate_info, muon_global_rate);

}  // namespace mb
