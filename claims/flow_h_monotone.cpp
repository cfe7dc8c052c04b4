// flow-h-monotone: along the inertial regularized Muon flow, H = f + K is non-increasing, and it
// falls at least at the dissipation rate: dH/dt = -gamma <p, grad K(p)> <= 0 (docs/theory.md 2c
// (derivation of this project)), while f itself need not fall: the flow has inertia, and in the
// underdamped regime f rises whenever the momentum carries W uphill.
// Instance: quadratic-kron 3 x 2 (kappa 4, seed 1), gamma = 1/4, eps = 1/4 (underdamped:
// gamma^2 < 4 mu / eps), p(0) = 0, T = 8, rk4 with dt = 1/16 and dt = 1/32.
// Check (one-sided, one upper atom per pair of consecutive common times t_k, step 1/16):
//     X(t_{k+1}) - X(t_k) <= -(D(t_{k+1}) - D(t_k)) + tol_k,   D = gamma int <p, grad K> dt,
// with X = H (the claim) or X = f (decoy "f-monotone"), X and D from the dt = 1/32 run. The bound's
// constant is the dissipated energy (gamma): "H non-increasing" in its tightest form, the fall of
// H bounded below by the energy the damping removes; the tightness is then ~1 (the bound is met
// with equality by the exact flow), and a dissipation coefficient larger by r > 1 + tol_k / dD_k
// fails (edge decoy "dissipation-x1.2": D x 6/5). tol_k is the integrator error of
// dH_k + dD_k: the rk4 global error of the finer run's R = H + D is estimated by Richardson,
// e_k = |R_{1/16}(t_k) - R_{1/32}(t_k)| / 15, and the difference is off by at most 2 (e_k + e_{k+1})
// (factor 2: the estimate's own O(dt) relative error, generous at these steps) plus the rounding
// model of flow_support.hpp for two values. The report lists the intervals on which f rises.
#include "claims/flow_support.hpp"

namespace mb {
namespace {

ClaimInfo flow_h_monotone_info() {
  return {"flow-h-monotone",
          "Along the inertial regularized Muon flow the Hamiltonian H = f + K(p) never increases, while the "
          "objective f can (it rises when inertia carries W uphill; the report lists when).",
          "H(t_k+1) - H(t_k) <= -gamma int_t_k^t_k+1 <p, grad K(p)> dt <= 0;  f(t) is not monotone in general",
          "docs/theory.md 2c (Hamiltonian and identity) (derivation of this project)",
          "per pair of consecutive common times: 2 (e_k + e_{k+1}) with e_k = |R_dt(t_k) - R_{dt/2}(t_k)| / 15, "
          "R = H + D (rk4 Richardson error estimate of the finer run) + rounding 2 n stages (d + 4) u (|H0| + D)",
          {{"f-monotone", "claims f falls at least at the dissipation rate too (true for gradient flow, false with inertia)"},
           {"dissipation-x1.2", "claims H falls at least 1.2 x the dissipated energy gamma int <p, grad K>"}}};
}

template <class T>
struct Samples {
  std::vector<T> t, f, H, D;
  T h0, dissipated;
};

template <class T>
Samples<T> sample(const Problem<T>& prob, flow::FlowConfig<T> cfg, long per_unit, long every, const T& t_end) {
  claims::ProblemOracle<T> o(prob);
  cfg.dt = T(1) / T(per_unit);
  flow::Flow<T> fl(cfg, prob.blocks());
  Params<T> w = prob.initial_point(0);
  fl.start(w, o);
  Samples<T> s;
  const long n = static_cast<long>(to_double(t_end)) * per_unit;
  for (long k = 0; k <= n; ++k) {
    if (k % every == 0) s.t.push_back(fl.time()), s.f.push_back(fl.f()), s.H.push_back(fl.hamiltonian()), s.D.push_back(fl.dissipated());
    if (k < n) fl.advance(w, o);
  }
  s.h0 = fl.hamiltonian_initial(), s.dissipated = fl.dissipated();
  return s;
}

template <class T>
std::vector<ClaimOutcome> flow_h_monotone(const ClaimContext& ctx) {
  using std::abs;
  using claims::num;
  const json params = {{"m", 3}, {"n", 2}, {"kappa", 4}, {"seed", 1}};
  auto prob = make_problem<T>("quadratic-kron", params);
  flow::FlowConfig<T> cfg;
  cfg.gamma = T(1) / T(4), cfg.eps = T(1) / T(4), cfg.scheme = "rk4";
  const T t_end(8);
  const Samples<T> coarse = sample<T>(*prob, cfg, 16, 1, t_end), fine = sample<T>(*prob, cfg, 32, 2, t_end);
  const long d = total_size(prob->blocks());
  const T round = T(2) * claims::flow_rounding<T>(256, "rk4", d, fine.h0, fine.dissipated);

  auto check = [&](bool of_f) {
    const std::vector<T>& xf = of_f ? fine.f : fine.H;
    claims::Check<T> c;
    c.instance = of_f ? "f" : "H";
    T max_rise(0), min_drop_ratio(0);
    auto R = [](const Samples<T>& s, size_t k) { return s.H[k] + s.D[k]; };  // H + D: constant for the exact flow
    for (size_t k = 0; k + 1 < xf.size(); ++k) {
      const T rise = xf[k + 1] - xf[k], dD = fine.D[k + 1] - fine.D[k];
      const T tol = T(2) * (abs(R(coarse, k) - R(fine, k)) + abs(R(coarse, k + 1) - R(fine, k + 1))) / T(15) + round;
      c.upper(rise, T(-dD), tol);
      if (k == 0 || rise > max_rise) max_rise = rise;
      if (dD > T(0) && (k == 0 || -rise / dD < min_drop_ratio)) min_drop_ratio = -rise / dD;
    }
    c.measured = {{"max_increase_between_samples", num(max_rise)}, {"min_drop_over_dissipated", num(min_drop_ratio)},
                  {"X_0", num(xf.front())}, {"X_T", num(xf.back())}, {"D_T", num(fine.D.back())}};
    c.predicted = {{"drop_at_least", "the dissipated energy D(t_k+1) - D(t_k) on every interval"}};
    return c;
  };
  // Intervals on which f rises (on the fine run's common times).
  json rises = json::array();
  for (size_t k = 0; k + 1 < fine.f.size();) {
    if (fine.f[k + 1] > fine.f[k]) {
      size_t e = k + 1;
      while (e + 1 < fine.f.size() && fine.f[e + 1] > fine.f[e]) ++e;
      rises.push_back({{"from_t", num(fine.t[k])}, {"to_t", num(fine.t[e])}, {"f_from", num(fine.f[k])}, {"f_to", num(fine.f[e])}});
      k = e;
    } else {
      ++k;
    }
  }
  const json instance = {{"problem", "quadratic-kron"}, {"params", params}, {"gamma", "1/4"}, {"eps", "1/4"},
                         {"T", 8}, {"scheme", "rk4"}, {"dt", "1/16 and 1/32"}, {"p0", 0}};
  const std::string src = "rk4 Richardson estimate 2 (e_k + e_{k+1}) + rounding 2 n stages (d+4) u (|H0| + D)";
  claims::Check<T> h = check(false);
  h.extra = {{"f_rises", rises}, {"f_rise_count", rises.size()}};
  claims::Outcomes<T> out(ctx, flow_h_monotone_info(), instance);
  out.of("claim", src).push_back(h);
  out.of("f-monotone", src).push_back(check(true));
  out.edge("dissipation-x1.2", "claim", T(6) / T(5));
  return out.outcomes();
}

}  // namespace

MB_REGISTER_CLAIM(flow_h_monotone_info, flow_h_monotone);

}  // namespace mb
