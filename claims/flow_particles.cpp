// flow-particles: the inertial flow of N interacting particles in the mean-field scaling
// (docs/theory.md 2c "Particles and mean field", 2e (derivation of this project)) on mean-field-2layer (f = J(rho_N)):
//     dW_i/dt = grad K(p_i),  dp_i/dt = -N grad_{W_i} J(rho_N) - gamma p_i,  H_N = J + (1/N) sum_i K(p_i),
//     H_N(T) + (gamma/N) int_0^T sum_i <p_i, grad K(p_i)> dt = H_N(0).
// Parts:
//   hn-order, hn-limit  the H_N identity's residual with rk4 has slope 4 in dt and Romberg limit 0
//                       (N = 3, d = 3, k = 2, d_o = 2, 6 samples, teacher 2, init_scale 1/2; gamma = 1/2,
//                       eps = 2, T = 1 (there the residual is in its dt^4 regime from dt = 1/8 on);
//                       checks and tolerances of claims/flow_support.hpp)
//   chaos               propagation of chaos with the nested-sample coupling (2e test 1): the N-system
//                       runs on the first N particles of a reference population of N_ref = 256 (same
//                       seed), and MSE_N = (1/N) sum_{i<N} ||theta_i^N(T) - theta_i^ref(T)||^2. The
//                       error is the linear response to the field perturbation rho_N - rho_ref, whose
//                       variance for nested samples is proportional to 1/N - 1/N_ref, so
//                       RMS_N = sqrt(mean over seeds of MSE_N) ~ C N_eff^(-1/2), N_eff = 1/(1/N - 1/N_ref).
//                       Slope of ln RMS against ln N_eff for N = 4 ... 64 (d = 2, k = 2, d_o = 1, 4 samples,
//                       teacher 2; heun, dt = 1/4, T = 2; 16 seeds double, 6 seeds mp50).
// Tolerance of the chaos slope: statistical. ln RMS_N has standard error
// se_N = sd_s(MSE_N) / (2 sqrt(S) mean_s MSE_N) (delta method over the S seeds); the fitted slope
// sum_j w_j ln RMS_j then has standard error sqrt(sum_j w_j^2 se_j^2), and the tolerance is 3 of
// them (nonlinear O(1/N) corrections to the linear response are below that at N >= 4 here).
// Decoys: no-1/N (H_N with sum_i K(p_i), no 1/N, and its dissipation without 1/N: nonzero limit);
// chaos-slope-1 (claims RMS ~ N^-1, the rate of the bias of observables, not of the particles).
#include <cmath>

#include "claims/flow_support.hpp"

namespace mb {
namespace {

ClaimInfo flow_particles_info() {
  return {"flow-particles",
          "N particles moved by the inertial flow with the mean-field force dissipate H_N = J(rho_N) + (1/N) sum_i "
          "K(p_i) exactly as (gamma/N) sum_i <p_i, grad K(p_i)>, and they propagate chaos: their distance to the "
          "particles of a large reference population decays like N^(-1/2) (RMS over draws).",
          "H_N(T) + (gamma/N) int sum_i <p_i, grad K(p_i)> dt = H_N(0);  RMS_N ~ C (1/N - 1/N_ref)^(1/2)",
          "docs/theory.md 2c (particles and mean field) and 2e (propagation-of-chaos tests) (derivation of this project)",
          "identity: as flow-dissipation (fit_slope + rounding model; Romberg estimate + amplification x rounding); "
          "chaos: 3 standard errors of the fitted slope, se(ln RMS_N) = sd_s(MSE_N)/(2 sqrt(S) mean_s MSE_N)",
          {{"no-1/N", "H_N with sum_i K(p_i) (no 1/N) and dissipation gamma sum_i <p_i, grad K(p_i)>"},
           {"chaos-slope-1", "claims the particle error decays like N^-1"}},
          {{"hn-order", "H_N identity residual slope 4 in dt (rk4)"},
           {"hn-limit", "Romberg-extrapolated H_N residual is 0"},
           {"chaos", "RMS particle error against the reference population has slope -1/2 in N_eff"}}};
}

template <class T>
claims::Check<T> chaos_check(const std::vector<T>& neff, const std::vector<T>& rms, const std::vector<T>& se,
                             const T& predicted) {
  using std::abs;
  using std::log;
  using std::sqrt;
  using claims::num;
  std::vector<T> x, y;
  for (size_t j = 0; j < neff.size(); ++j) x.push_back(log(neff[j])), y.push_back(log(rms[j]));
  const claims::Line<T> l = claims::fit_line<T>(x, y);
  T var(0);
  for (size_t j = 0; j < x.size(); ++j) var += l.weights[j] * l.weights[j] * se[j] * se[j];
  claims::Check<T> c;
  c.instance = "nested coupling";
  c.margin = -abs(l.slope - predicted);
  c.tol = T(3) * sqrt(var);
  c.measured = {{"fitted_slope", num(l.slope)}, {"rms", claims::nums(rms)}, {"se_ln_rms", claims::nums(se)}};
  c.predicted = {{"slope", num(predicted)}};
  c.extra = {{"N_eff", claims::nums(neff)}};
  return c;
}

template <class T>
std::vector<ClaimOutcome> flow_particles(const ClaimContext& ctx) {
  using std::sqrt;
  constexpr bool mp = is_mp50<T>;
  flow::FlowConfig<T> cfg;
  cfg.gamma = T(1) / T(2), cfg.eps = T(1) / T(2), cfg.scheme = "rk4", cfg.per_slice = true, cfg.mean_field = true;

  // H_N identity.
  const json hn_params = {{"N", 3}, {"d", 3}, {"k", 2}, {"d_o", 2}, {"samples", 6}, {"teacher", 2}, {"init_scale", "0.5"}};
  flow::FlowConfig<T> hcfg = cfg;
  hcfg.eps = T(2);
  auto prob = make_problem<T>("mean-field-2layer", hn_params);
  std::vector<claims::FlowDecoy<T>> decoys = {
      {[](const flow::Flow<T>& fl, const Params<T>&, const Params<T>& p) { return fl.f() + fl.force_scale() * fl.kinetic(p); },
       [](const Params<T>&, const Params<T>&) { return T(0); }}};
  std::vector<T> dt, res, rnd, dec;
  for (int k = 0; k < (mp ? 7 : 6); ++k) {
    // Decoy energy f + sum_i K(p_i) = f + N (K/N); its dissipation gamma sum_i <p_i, grad K> = N D.
    auto r = claims::run_flow<T>(*prob, hcfg, T(1), 4L << k, decoys);
    dt.push_back(r.dt), res.push_back(r.residual), rnd.push_back(r.rounding);
    dec.push_back(r.decoy_residuals[0] + T(3) * r.dissipated);
  }
  const size_t a = dt.size() - 5;
  auto tail = [a](const std::vector<T>& v) { return std::vector<T>(v.begin() + a, v.end()); };

  // Chaos.
  const long n_ref = 256, seeds = mp ? 6 : 16;
  const std::vector<long> Ns = {4, 8, 16, 32, 64};
  json base = {{"d", 2}, {"k", 2}, {"d_o", 1}, {"samples", 4}, {"teacher", 2}, {"population", n_ref}};
  flow::FlowConfig<T> ccfg = cfg;
  ccfg.scheme = "heun";
  const T t_end(2);
  const long steps = 8;
  auto run_to_end = [&](const Problem<T>& p, std::uint64_t seed) {
    claims::ProblemOracle<T> o(p);
    flow::FlowConfig<T> c = ccfg;
    c.dt = t_end / T(steps);
    flow::Flow<T> fl(c, p.blocks());
    Params<T> w = p.initial_point(seed);
    fl.start(w, o);
    for (long k = 0; k < steps; ++k) fl.advance(w, o);
    return w;
  };
  json ref_params = base;
  ref_params["N"] = n_ref;
  auto ref_prob = make_problem<T>("mean-field-2layer", ref_params);
  std::vector<std::vector<T>> mse(Ns.size());
  for (long s = 0; s < seeds; ++s) {
    const Params<T> ref = run_to_end(*ref_prob, static_cast<std::uint64_t>(s));
    for (size_t j = 0; j < Ns.size(); ++j) {
      json pj = base;
      pj["N"] = Ns[j];
      auto pn = make_problem<T>("mean-field-2layer", pj);
      const Params<T> w = run_to_end(*pn, static_cast<std::uint64_t>(s));
      T e(0);
      for (size_t b = 0; b < w.size(); ++b) e += (w[b] - ref[b].topRows(w[b].rows())).squaredNorm();
      mse[j].push_back(e / T(Ns[j]));
    }
  }
  std::vector<T> neff, rms, se;
  for (size_t j = 0; j < Ns.size(); ++j) {
    T m(0), v(0);
    for (const T& x : mse[j]) m += x;
    m /= T(seeds);
    for (const T& x : mse[j]) v += (x - m) * (x - m);
    v /= T(seeds - 1);
    neff.push_back(T(1) / (T(1) / T(Ns[j]) - T(1) / T(n_ref)));
    rms.push_back(sqrt(m));
    se.push_back(sqrt(v) / (T(2) * sqrt(T(seeds)) * m));
  }
  const json instance = {{"identity", {{"problem", "mean-field-2layer"}, {"params", hn_params}, {"gamma", "1/2"}, {"eps", 2},
                                       {"T", 1}, {"scheme", "rk4"}, {"mean_field", true}}},
                         {"chaos", {{"params", base}, {"N", Ns}, {"N_ref", n_ref}, {"seeds", seeds}, {"scheme", "heun"},
                                    {"dt", "1/4"}, {"T", 2}}}};
  const std::string slope_src = "fit_slope spread + rounding model n stages (d+4) u (|H0| + D)";
  const std::string lim_src = "Romberg a-posteriori estimate + tableau amplification x rounding model";
  const std::string chaos_src = "3 standard errors of the fitted slope (seed-to-seed scatter, delta method)";
  std::vector<ClaimOutcome> out{
      claims::combine<T>("hn-order", false, {claims::residual_slope_check<T>("rk4", tail(dt), tail(res), tail(rnd), T(4))},
                         instance, slope_src),
      claims::combine<T>("hn-limit", false, {claims::limit_check<T>("rk4", res, rnd, 4)}, instance, lim_src),
      claims::combine<T>("chaos", false, {chaos_check<T>(neff, rms, se, T(-1) / T(2))}, instance, chaos_src)};
  if (ctx.decoys) {
    out.push_back(claims::combine<T>("no-1/N", true, {claims::limit_check<T>("rk4", dec, rnd, 4)}, instance, lim_src));
    out.push_back(claims::combine<T>("chaos-slope-1", true, {chaos_check<T>(neff, rms, se, T(-1))}, instance, chaos_src));
  }
  return out;
}

}  // namespace

MB_REGISTER_CLAIM(flow_particles_info, flow_particles);

}  // namespace mb
