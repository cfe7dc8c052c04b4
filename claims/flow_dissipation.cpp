// flow-dissipation: the Hamiltonian dissipation identity of the inertial regularized Muon flow
// (docs/theory.md 2c (derivation of this project)), integrated form:
//     H(T) + D(T) = H(0),   H = f + K(p),   D(T) = gamma int_0^T <p, grad K(p)> dt,
// checked on quadratic-kron (3 x 2, kappa 4, seed 1; gamma = 1/2, eps = 1/2, p(0) = 0, T = 1) with
// the solver's own integrators (solvers/muon_flow.hpp), D integrated with the state:
//   order-*           the residual r(dt) = H + D - H(0) falls like dt^q, q = 4 (rk4), 2 (heun),
//                     1 (conformal-euler): log-log slope over 5 step sizes
//   richardson-limit  Romberg extrapolation over 7-8 step sizes (double; 12 in mp50) of both sides:
//                     lim (H(0) - H(T)) = lim D(T) (to ~1e-30 in mp50, to rounding in double); the
//                     predicted side is the dissipated energy D, so gamma x r turns the verdict
//   discrete-gradient-exact  the discrete-gradient scheme dissipates exactly: per step,
//                     H_k - H_{k+1} = D_{k+1} - D_k up to the recorded fixed-point defect + rounding
//                     (tolerance 1e-14 double, 1e-45 mp50); one atom per step, D's step predicted
// Tolerances: slopes, fit_slope (spread of local slopes + rounding; the rounding of r from the
// model of claims/flow_support.hpp, n stages (d + 4) u (|H0| + D)); limit, the Romberg
// a-posteriori estimate + amplification x rounding; exactness, the defect bound
// ||gradbar f|| ||rho_W|| + ||gradbar K|| ||rho_p|| (rho: residuals of the implicit equations at the
// returned iterate) + 2 (d + 4) u (|H| + D) per step.
// Decoys: half-gamma (D with gamma/2) and p-squared (D = gamma int ||p||^2) give a nonzero
// limit; order-plus-one claims slope q + 1; rk4-exact claims rk4 dissipates exactly too.
// Edge decoys: gamma-x1.1 (the Romberg identity with D x 11/10), dg-gamma-x1.1 (the discrete
// gradient's per-step identity with D x 11/10), order-x1.2 (the rk4 order x 6/5).
#include "claims/flow_support.hpp"

namespace mb {
namespace {

ClaimInfo flow_dissipation_info() {
  return {"flow-dissipation",
          "Along the inertial regularized Muon flow dW/dt = grad K(p), dp/dt = -grad f - gamma p, the Hamiltonian "
          "H = f + K satisfies H(T) + gamma int_0^T <p, grad K(p)> dt = H(0); integrators of order q reproduce it "
          "with residual O(dt^q), and the discrete-gradient scheme reproduces it exactly.",
          "H(T) + gamma int_0^T <p, grad K(p)> dt - H(0) = 0;  r(dt) = C dt^q;  Romberg lim r = 0",
          "docs/theory.md 2c (Hamiltonian and identity; numerical check items 1-3) (derivation of this project)",
          "slope: fit_slope (spread of local slopes + sum |w_j| r_j) with rounding n stages (d + 4) u (|H0| + D); "
          "limit: Romberg estimate |R_KK - R_K-1,K-1| + amplification x max rounding; exact: per-step defect bound of "
          "the fixed-point solve + 2 (d + 4) u (|H| + D)",
          {{"half-gamma", "dissipation integrated with gamma/2: a wrong factor"},
           {"p-squared", "dissipation gamma int ||p||^2 dt: the Euclidean kinetic energy's term, not <p, grad K>"},
           {"order-plus-one", "claims residual slopes 5, 3, 2: each scheme one order too high"},
           {"rk4-exact", "claims rk4 also conserves H + D per step to the discrete-gradient tolerance"},
           {"gamma-x1.1", "the Romberg identity with the dissipated energy (the dissipation coefficient gamma) x 1.1"},
           {"dg-gamma-x1.1", "the discrete gradient's per-step identity with the dissipated energy x 1.1"},
           {"order-x1.2", "the rk4 residual order 4 x 1.2"}},
          {{"order-rk4", "residual slope 4 in dt (rk4)"},
           {"order-heun", "residual slope 2 in dt (heun)"},
           {"order-conformal-euler", "residual slope 1 in dt (conformal symplectic Euler)"},
           {"richardson-limit", "Romberg limits: H(0) - H(T) = gamma int <p, grad K> dt, for every scheme"},
           {"discrete-gradient-exact", "discrete gradient: H_k - H_k+1 = D_k+1 - D_k to defect + rounding at every step"}}};
}

template <class T>
std::vector<ClaimOutcome> flow_dissipation(const ClaimContext& ctx) {
  using std::abs;
  using claims::num;
  const json params = {{"m", 3}, {"n", 2}, {"kappa", 4}, {"seed", 1}};
  auto prob = make_problem<T>("quadratic-kron", params);
  const long d = total_size(prob->blocks());
  flow::FlowConfig<T> cfg;
  cfg.gamma = T(1) / T(2), cfg.eps = T(1) / T(2);
  const T t_end(1);
  const T gamma = cfg.gamma;
  std::vector<claims::FlowDecoy<T>> decoys;
  // The decoy densities need grad K: a Flow object with the same settings provides it.
  auto kin = std::make_shared<flow::Flow<T>>(cfg, prob->blocks());
  decoys.push_back({nullptr, [kin](const Params<T>&, const Params<T>& p) {
                      return kin->dissipation_rate(p) / T(2);
                    }});
  decoys.push_back({nullptr, [gamma](const Params<T>&, const Params<T>& p) { return gamma * squared_norm(p); }});

  struct Ladder {
    std::string scheme;
    long n0;
    int levels;
  };
  constexpr bool mp = is_mp50<T>;
  // Step sizes dt = 1/n0 ... 1/(n0 2^(levels-1)); the slope uses the 5 finest.
  const std::vector<Ladder> ladders = {{"rk4", 4, mp ? 12 : 7}, {"heun", 8, mp ? 12 : 8}, {"conformal-euler", 16, mp ? 12 : 8}};
  std::vector<claims::Check<T>> slopes[3], slopes_decoy, limits, half, psq;
  for (size_t li = 0; li < ladders.size(); ++li) {
    const auto& L = ladders[li];
    cfg.scheme = L.scheme;
    const int q = flow::scheme_order(L.scheme);
    std::vector<T> dt, res, rnd, lhs, rhs, d_lhs, half_rhs, psq_rhs;
    for (int k = 0; k < L.levels; ++k) {
      const auto r = claims::run_flow<T>(*prob, cfg, t_end, L.n0 << k, decoys);
      dt.push_back(r.dt), res.push_back(r.residual), rnd.push_back(r.rounding);
      lhs.push_back(r.drop), rhs.push_back(r.dissipated);
      d_lhs.push_back(r.decoy_drops[0]);  // both decoys keep E = H
      half_rhs.push_back(r.decoy_integrals[0]), psq_rhs.push_back(r.decoy_integrals[1]);
    }
    const size_t a = dt.size() - 5;
    auto tail = [a](const std::vector<T>& v) { return std::vector<T>(v.begin() + a, v.end()); };
    slopes[li].push_back(claims::residual_slope_check<T>(L.scheme, tail(dt), tail(res), tail(rnd), T(q)));
    slopes_decoy.push_back(claims::residual_slope_check<T>(L.scheme, tail(dt), tail(res), tail(rnd), T(q + 1)));
    limits.push_back(claims::limit_check<T>(L.scheme, lhs, rhs, rnd, q));
    half.push_back(claims::limit_check<T>(L.scheme, d_lhs, half_rhs, rnd, q));
    psq.push_back(claims::limit_check<T>(L.scheme, d_lhs, psq_rhs, rnd, q));
  }

  // Exactness: 16 steps of dt = 1/8 with the discrete gradient (and, for the decoy, rk4).
  auto per_step = [&](const std::string& scheme) {
    claims::ProblemOracle<T> o(*prob);
    flow::FlowConfig<T> c = cfg;
    c.scheme = scheme, c.dt = T(1) / T(8);
    flow::Flow<T> fl(c, prob->blocks());
    Params<T> w = prob->initial_point(0);
    fl.start(w, o);
    const T u = T(unit_roundoff<T>());
    T h_prev = fl.hamiltonian(), d_prev = fl.dissipated();
    claims::Check<T> c_;
    c_.instance = scheme;
    T worst_dev(0), worst_defect(0);
    for (int k = 0; k < 16; ++k) {
      fl.advance(w, o);
      const T h_now = fl.hamiltonian(), d_now = fl.dissipated();
      const T dev = abs(h_now + d_now - h_prev - d_prev);
      const T defect = scheme == "discrete-gradient" ? fl.last_defect() : flow::default_dg_tolerance<T>();
      const T tol = defect + T(2 * (d + 4)) * u * (abs(fl.hamiltonian()) + fl.dissipated());
      // The step's identity: energy dropped = energy dissipated (the predicted side).
      c_.equal(T(h_prev - h_now), T(d_now - d_prev), tol);
      worst_dev = std::max(worst_dev, dev), worst_defect = std::max(worst_defect, defect);
      h_prev = h_now, d_prev = d_now;
    }
    c_.measured = {{"max_step_deviation", num(worst_dev)}, {"max_fixed_point_iterations", fl.max_iterations_used()}};
    c_.predicted = {{"max_defect_bound", num(worst_defect)}, {"solver_tolerance", num(flow::default_dg_tolerance<T>())}};
    return c_;
  };
  const json instance = {{"problem", "quadratic-kron"}, {"params", params}, {"gamma", "1/2"}, {"eps", "1/2"},
                         {"T", 1}, {"p0", 0}, {"ladders", "rk4 dt = 1/4..., heun 1/8..., conformal-euler 1/16..., halving"}};
  const std::string slope_src = "fit_slope spread + rounding model n stages (d+4) u (|H0| + D) (flow_support.hpp)";
  const std::string lim_src = "Romberg a-posteriori estimate + tableau amplification x rounding model";
  const std::string ex_src = "fixed-point defect bound ||gradbar f|| ||rho_W|| + ||gradbar K|| ||rho_p|| + 2 (d+4) u (|H| + D)";
  claims::Outcomes<T> out(ctx, flow_dissipation_info(), instance);
  const char* part_names[3] = {"order-rk4", "order-heun", "order-conformal-euler"};
  for (int i = 0; i < 3; ++i) out.of(part_names[i], slope_src) = slopes[i];
  out.of("richardson-limit", lim_src) = limits;
  out.of("discrete-gradient-exact", ex_src).push_back(per_step("discrete-gradient"));
  out.of("half-gamma", lim_src) = half;
  out.of("p-squared", lim_src) = psq;
  out.of("order-plus-one", slope_src) = slopes_decoy;
  if (ctx.decoys) out.of("rk4-exact", ex_src).push_back(per_step("rk4"));
  out.edge("gamma-x1.1", "richardson-limit", T(11) / T(10));
  out.edge("dg-gamma-x1.1", "discrete-gradient-exact", T(11) / T(10));
  out.edge("order-x1.2", "order-rk4", T(6) / T(5));
  return out.outcomes();
}

}  // namespace

MB_REGISTER_CLAIM(flow_dissipation_info, flow_dissipation);

}  // namespace mb
