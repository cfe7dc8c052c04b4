// inertial-limit: discrete regularized Muon with EMA momentum follows the inertial flow (docs/theory.md
// 2c, "From the discrete algorithm to a flow", and 2c "Inertial limit: first order"; derivation of
// this project). With eta = h, beta = 1 - gamma h and eps fixed, p_k = -M_k/gamma obeys
//   p_{k+1} = p_k + h (-grad f(W_k) - gamma p_k),   W_{k+1} = W_k + h grad psi_{eps'}(p_{k+1}),  eps' = eps/gamma,
// a semi-implicit Euler step of  W' = grad K(p), p' = -grad f(W) - gamma p  (K = psi_{eps'} - q eps'),
// so max_{kh <= T} ||W_k - W(kh)||_F = C h + O(h^2): a log-log slope 1 in h.
//   slope        the slope fitted over h = T/n, n = 256 .. 4096 (h over 1.2 decades) equals 1
//   decoys       pytorch-momentum: M = beta M + G (momentum_kind "sum") at the same eps: M is 1/(gamma h)
//                larger, the map saturates and the error does not vanish (slope ~ 0, not 1);
//                slope-x1.2: the predicted slope x 1.2 (an edge decoy).
// Instance: quadratic-kron 3 x 2, kappa 4, seed 1, W0 = W* + 3 N(0, 1) (||grad f|| ~ 3, the map
// saturates at the start: sigma(p) >> eps' for the first time units), M0 = 0 (p(0) = 0), gamma = 1,
// eps = 1/4 (eps' = 1/4), T = 4. The discrete runs are the registered solver muon-reg (ema, sqrt).
// The flow: rk4 at dt = h_min/2 (reference) and dt = h_min; rk4's error is O(dt^4), so the
// reference's error at the compared times is below |W_{h_min/2} - W_{h_min}| / 15, bounded here by the
// whole difference (15x generous).
// Tolerance of the slope (support.hpp fit_slope): spread of the local slopes + tail for O(h)
// corrections (the local slopes approach 1 like c h, their differences halve with h: what the last
// one still lacks is at most the last difference) + rounding through the fit's weights, with the
// relative error of each point r_j = (reference bound + rounding of both runs, n stages (d + 4) u
// max ||W||_F each) / e_j.
#include "claims/flow_support.hpp"
#include "harness/solver.hpp"

namespace mb {
namespace {

ClaimInfo inertial_limit_info() {
  return {"inertial-limit",
          "With eta = h, beta = 1 - gamma h and fixed eps, regularized Muon with EMA momentum follows the inertial flow with "
          "eps' = eps/gamma: max over kh <= T of ||W_k - W(kh)||_F = O(h), slope exactly 1 in h.",
          "max_{kh <= T} ||W_k - W(kh)||_F = C h + O(h^2);  W' = grad psi_{eps'}(p), p' = -grad f(W) - gamma p, "
          "p = -M/gamma, eps' = eps/gamma",
          "docs/theory.md 2c, steps 'From the discrete algorithm to a flow' and 'Inertial limit: first order' "
          "(derivation of this project)",
          "|fitted slope - 1| <= spread of the local slopes + their last difference (O(h) corrections) + rounding of "
          "ln error through the fit's weights (reference rk4 error bounded by |W_{h_min/2} - W_{h_min}|, rounding of "
          "both runs n stages (d + 4) u max ||W||)",
          {{"pytorch-momentum", "claims the same limit for PyTorch-style momentum M = beta M + G at fixed eps"},
           {"slope-x1.2", "the predicted slope x 1.2"}},
          {{"slope", "log-log slope of max_k ||W_k - W(kh)||_F in h over 1.2 decades equals 1"}}};
}

template <class T>
std::vector<ClaimOutcome> inertial_limit(const ClaimContext& ctx) {
  using std::abs;
  using std::max;
  using claims::num;
  const json params = {{"m", 3}, {"n", 2}, {"kappa", 4}, {"seed", 1}, {"init_scale", "3"}};
  auto prob = make_problem<T>("quadratic-kron", params);
  const long d = total_size(prob->blocks());
  const T u = T(unit_roundoff<T>());
  const T gamma(1), eps = T(1) / T(4), t_end(4);
  const std::vector<long> ns = {256, 512, 1024, 2048, 4096};
  const long n_max = ns.back();
  const Params<T> w0 = prob->initial_point(0);

  // Reference flow at dt = T/(2 n_max), stored at every multiple of h_min = T/n_max; and at dt = h_min.
  auto flow_run = [&](long steps_per_hmin) {
    flow::FlowConfig<T> cfg;
    cfg.gamma = gamma, cfg.eps = eps / gamma, cfg.scheme = "rk4", cfg.dt = t_end / T(n_max * steps_per_hmin);
    claims::ProblemOracle<T> o(*prob);
    flow::Flow<T> fl(cfg, prob->blocks());
    Params<T> w = w0;
    fl.start(w, o);
    std::vector<Mat<T>> at{w[0]};
    for (long k = 0; k < n_max * steps_per_hmin; ++k) {
      fl.advance(w, o);
      if ((k + 1) % steps_per_hmin == 0) at.push_back(w[0]);
    }
    return at;
  };
  const std::vector<Mat<T>> ref = flow_run(2), coarse = flow_run(1);
  T ref_bound(0), wmax(0);
  for (size_t j = 0; j < ref.size(); ++j) ref_bound = max(ref_bound, T((ref[j] - coarse[j]).norm())), wmax = max(wmax, T(ref[j].norm()));
  const T ref_round = T(2 * n_max * 4 * (d + 4)) * u * wmax;

  // max_k ||W_k - W(kh)||_F for muon-reg with momentum_kind `kind`, h = T/n.
  auto max_error = [&](long n, const char* kind) {
    const T h = t_end / T(n);
    auto solver = make_solver<T>("muon-reg", {{"lr", to_decimal<T>(h)}, {"momentum", to_decimal<T>(T(1) - gamma * h)},
                                               {"eps", to_decimal<T>(eps)}, {"momentum_kind", kind}});
    Params<T> w = w0, g;
    solver->init(prob->blocks(), w);
    NoOracle<T> oracle;
    const long stride = n_max / n;
    T e(0);
    for (long k = 0; k <= n; ++k) {
      e = max(e, T((w[0] - ref[k * stride]).norm()));
      if (k == n) break;
      prob->value_and_gradient(w, g);
      solver->step(w, g, oracle);
    }
    return e;
  };

  claims::Outcomes<T> out(ctx, inertial_limit_info(),
                          {{"problem", "quadratic-kron"}, {"params", params}, {"solver", "muon-reg (sqrt smoothing)"},
                           {"gamma", 1}, {"eps", "1/4"}, {"eps_prime", "1/4"}, {"T", 4}, {"n", ns},
                           {"h", "T/n, eta = h, beta = 1 - gamma h"}, {"M0", 0},
                           {"reference", "rk4, dt = h_min/2 (bounded against dt = h_min)"}});
  const std::string src = "fit_slope: local-slope spread + last difference (O(h) tail) + rounding (reference rk4 "
                          "bound + rounding of both runs) through the fit's weights";
  auto pair = out.pair("slope", "pytorch-momentum", src);
  for (int decoy = 0; decoy < 2; ++decoy) {
    std::vector<T> h, e, r;
    for (long n : ns) {
      const T err = max_error(n, decoy ? "sum" : "ema");
      h.push_back(t_end / T(n)), e.push_back(err);
      r.push_back((ref_bound + ref_round + T(n * (d + 4)) * u * wmax) / err);
    }
    const claims::SlopeData<T> s = claims::fit_slope<T>(h, e, r);
    claims::Check<T> c;
    c.instance = decoy ? "pytorch-momentum" : "ema";
    c.extra = s.to_json();
    c.extra["reference_bound"] = num(ref_bound);
    c.predicted = {{"slope", 1}};
    if (!s.resolved) {
      c.resolved = false;
      c.unresolved_reason = "fewer than 3 step sizes have an error 100x above its bound";
    } else {
      const size_t nl = s.local.size();
      const T tail = nl >= 2 ? T(2) * abs(s.local[nl - 1] - s.local[nl - 2]) / T(3) : T(0);
      c.measured = {{"fitted_slope", num(s.fitted)}, {"errors", claims::nums(e)}};
      c.equal(s.fitted, T(1), T(s.truncation + tail + s.rounding));
    }
    pair.add(decoy == 1, c);
  }
  out.edge("slope-x1.2", "slope", T(6) / T(5));
  return out.outcomes();
}

}  // namespace

MB_REGISTER_CLAIM(inertial_limit_info, inertial_limit);

}  // namespace mb
