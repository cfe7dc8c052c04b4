// What the flow claims share (docs/theory.md 2c-2e): an oracle over a problem, a ladder of flow runs
// at dt = t_end / n for doubling n, the rounding model of the identity residual, Romberg
// extrapolation to dt -> 0, and the two checks built on them (the residual's slope in dt, an
// atom equal(fitted, predicted order); and the identity's two sides extrapolated to dt -> 0, an
// atom equal(lim (E(0) - E(T)), lim D(T)) whose predicted side is the dissipated energy D, so that
// the dissipation coefficient gamma scaled by r turns the verdict: claims/resolution.hpp).
//
// Rounding model of r = H + D - H(0) after n steps (used by every flow claim): each step evaluates
// `stages` gradients and kinetic maps whose entries carry relative errors <= (d + 4) u (inner
// products of length <= d, the number of parameters, plus the few operations of the update), so
// one step moves H + D by at most stages (d + 4) u (|H(0)| + D) beyond the exact step; with no
// cancellation between steps, |rounding of r| <= n stages (d + 4) u (|H(0)| + D). This is a
// worst-case (linear) accumulation, so it over-estimates the typical sqrt(n) growth.
#pragma once

#include <functional>

#include "claims/support.hpp"
#include "harness/oracles.hpp"
#include "harness/problem.hpp"
#include "solvers/muon_flow.hpp"

namespace mb::claims {

using mb::ProblemOracle;

inline int scheme_stages(const std::string& s) { return s == "rk4" ? 4 : s == "heun" ? 2 : 1; }

template <class T>
T flow_rounding(long steps, const std::string& scheme, long params, const T& h0, const T& dissipated) {
  using std::abs;
  return T(steps * scheme_stages(scheme) * (params + 4)) * T(unit_roundoff<T>()) * (abs(h0) + abs(dissipated));
}

// One flow run to t_end in n steps. `energy_decoys` are other (wrong) energies E(W, p): their
// "residual" is E(T) + integral_j(T) - E(0), j the matching density (flow.add_density), so that a
// decoy identity is checked exactly as the true one.
template <class T>
struct FlowRunResult {
  long n = 0;
  T dt, residual, rounding, h0, dissipated;
  T drop;  // H(0) - H(T): the identity's measured side (its predicted side is `dissipated`)
  std::vector<T> decoy_residuals;
  std::vector<T> decoy_drops, decoy_integrals;  // E(0) - E(T) and integral_j(T) of each decoy
};
template <class T>
struct FlowDecoy {
  std::function<T(const flow::Flow<T>&, const Params<T>& W, const Params<T>& p)> energy;  // null: H
  typename flow::Flow<T>::Density density;
};

template <class T>
FlowRunResult<T> run_flow(const Problem<T>& prob, flow::FlowConfig<T> cfg, const T& t_end, long n,
                          const std::vector<FlowDecoy<T>>& decoys, std::uint64_t seed = 0) {
  ProblemOracle<T> o(prob);
  cfg.dt = t_end / T(n);
  flow::Flow<T> fl(cfg, prob.blocks());
  for (const auto& d : decoys) fl.add_density(d.density);
  Params<T> w = prob.initial_point(seed);
  fl.start(w, o);
  std::vector<T> e0;
  for (const auto& d : decoys) e0.push_back(d.energy ? d.energy(fl, w, fl.momentum()) : fl.hamiltonian());
  for (long k = 0; k < n; ++k) fl.advance(w, o);
  FlowRunResult<T> r;
  r.n = n, r.dt = cfg.dt, r.residual = fl.identity_residual(), r.h0 = fl.hamiltonian_initial(),
  r.dissipated = fl.dissipated();
  r.drop = r.h0 - fl.hamiltonian();
  r.rounding = flow_rounding<T>(n, cfg.scheme, total_size(prob.blocks()), r.h0, r.dissipated);
  for (size_t j = 0; j < decoys.size(); ++j) {
    const T e = decoys[j].energy ? decoys[j].energy(fl, w, fl.momentum()) : fl.hamiltonian();
    r.decoy_residuals.push_back(e + fl.integrals()[j] - e0[j]);
    r.decoy_drops.push_back(e0[j] - e);
    r.decoy_integrals.push_back(fl.integrals()[j]);
  }
  return r;
}

// Romberg extrapolation of values v_k at dt_k = dt_0 / 2^k whose expansion in dt has every power
// from `order` up (a one-step method's global error; the residual is a smooth function of it):
// column j removes dt^(order + j - 1). limit = the last diagonal entry R_KK; estimate = its
// distance to the previous diagonal entry, |R_KK - R_{K-1,K-1}| (Romberg's stopping estimate: the
// diagonal converges faster than geometrically, by factors 1e-2..1e-3 per level on our runs, so
// the last increment bounds the error of R_{K-1,K-1} and over-estimates that of R_KK; the
// column-wise |R_KK - R_{K,K-1}| does not bound it, as measured); amplification = the worst
// growth of input errors through the tableau (prod_j (2^e_j + 1) / (2^e_j - 1)).
template <class T>
struct Extrapolation {
  T limit, estimate, amplification;
  std::vector<T> diagonal;
};
template <class T>
Extrapolation<T> romberg(const std::vector<T>& v, int order) {
  using std::abs;
  std::vector<std::vector<T>> R(v.size());
  T amp(1);
  for (size_t k = 0; k < v.size(); ++k) {
    R[k].push_back(v[k]);
    for (size_t j = 1; j <= k; ++j) {
      const T f = T(long(1) << (order + j - 1));
      R[k].push_back((f * R[k][j - 1] - R[k - 1][j - 1]) / (f - T(1)));
    }
  }
  for (size_t j = 1; j < v.size(); ++j) {
    const T f = T(long(1) << (order + j - 1));
    amp *= (f + T(1)) / (f - T(1));
  }
  Extrapolation<T> e;
  const size_t K = v.size() - 1;
  e.limit = R[K][K];
  e.estimate = K > 0 ? abs(R[K][K] - R[K - 1][K - 1]) : abs(R[K][K]);
  e.amplification = amp;
  for (size_t k = 0; k < v.size(); ++k) e.diagonal.push_back(R[k][k]);
  return e;
}

// The residual's slope in dt over runs (fit_slope of support.hpp; rounding per point from the
// model above; truncation tail for corrections O(dt), below), against `predicted`.
template <class T>
Check<T> residual_slope_check(const std::string& label, const std::vector<T>& dt, const std::vector<T>& res,
                              const std::vector<T>& rounding, const T& predicted) {
  using std::abs;
  std::vector<T> e, r;
  for (size_t j = 0; j < res.size(); ++j) e.push_back(abs(res[j])), r.push_back(rounding[j] / abs(res[j]));
  const SlopeData<T> s = fit_slope<T>(dt, e, r);
  Check<T> c;
  c.instance = label;
  c.extra = s.to_json();
  c.predicted = {{"slope", num(predicted)}};
  if (!s.resolved) {
    c.resolved = false;
    c.unresolved_reason = "fewer than 3 step sizes have a residual 100x above its rounding bound";
    return c;
  }
  // fit_slope's tail term |s_last - s_prev| / 3 assumes corrections of relative size h^2 (ratio 1/4
  // per halving). A one-step method's global error has every power dt^q, dt^(q+1), ..., so the
  // local slopes approach q like c dt: their differences halve, and what the last one still lacks
  // is at most sum_i |s_last - s_prev| / 2^i = |s_last - s_prev|. Add the missing 2/3 of it.
  const size_t nl = s.local.size();
  const T tail = nl >= 2 ? T(2) * abs(s.local[nl - 1] - s.local[nl - 2]) / T(3) : T(0);
  c.measured = {{"fitted_slope", num(s.fitted)}};
  c.extra["tolerance_tail"] = num(tail);
  c.equal(s.fitted, predicted, T(s.truncation + tail + s.rounding));  // the predicted constant: the order
  return c;
}

// The identity lhs = rhs in the limit dt -> 0, from runs at dt_0 / 2^k: lhs_k = E(0) - E(T) (the
// energy dropped), rhs_k = D(T) (the energy dissipated, the predicted side: gamma int <p, grad K>).
// Both sides are Romberg-extrapolated; the atom is equal(lim lhs, lim rhs, tol), so scaling the
// predicted dissipation (i.e. gamma) by r turns the verdict once (r - 1) |lim D| > tol. The
// tolerance is that of the extrapolated residual lhs - rhs (the tableau is linear): the Romberg
// a-posteriori estimate of lim (lhs - rhs) + amplification x max rounding.
template <class T>
Check<T> limit_check(const std::string& label, const std::vector<T>& lhs, const std::vector<T>& rhs,
                     const std::vector<T>& rounding, int order) {
  using std::abs;
  using std::log10;
  std::vector<T> res;
  for (size_t k = 0; k < lhs.size(); ++k) res.push_back(lhs[k] - rhs[k]);
  const Extrapolation<T> x = romberg<T>(res, order), xl = romberg<T>(lhs, order), xr = romberg<T>(rhs, order);
  Check<T> c;
  c.instance = label;
  const T round = x.amplification * maxv(rounding);
  c.equal(xl.limit, xr.limit, T(x.estimate + round));
  c.measured = {{"extrapolated_energy_drop", num(xl.limit)}, {"extrapolated_residual", num(x.limit)}, {"residuals", nums(res)}};
  c.predicted = {{"extrapolated_dissipated", num(xr.limit)}, {"truncation_estimate", num(x.estimate)},
                 {"rounding_bound", num(round)}};
  c.extra = {{"romberg_diagonal_residual", nums(x.diagonal)}, {"leading_order", order}};
  if (abs(x.limit) > T(0)) c.extra["digits_of_zero"] = num(T(-log10(abs(x.limit))));
  return c;
}

}  // namespace mb::claims

namespace mb::claims {

// The constants of the global Lyapunov argument (docs/theory.md 2d): R = R0 (the automatic momentum
// bound of 2c, from H(0)), rho_R = sqrt(R^2 + eps^2), l = L sqrt(rho_R / eps) (the alignment
// constant that always holds), c = min{gamma / (gamma^2 rho_R + 2 l), 1 / sqrt(2 L rho_R)},
// lambda = min{c mu / (1 + c), gamma / (2 + c mu rho_R)}.
template <class T>
struct LyapunovConstants {
  T mu, L, fstar, gamma, eps, R, rho, ell, c, lambda;
  json to_json() const {
    return {{"mu", num(mu)}, {"L", num(L)}, {"f_star", num(fstar)}, {"gamma", num(gamma)}, {"eps", num(eps)},
            {"R0", num(R)}, {"rho_R", num(rho)}, {"ell", num(ell)}, {"c", num(c)}, {"lambda", num(lambda)}};
  }
};
template <class T>
LyapunovConstants<T> lyapunov_constants(const T& mu, const T& L, const T& fstar, const T& gamma, const T& eps,
                                        const T& h0) {
  using std::min;
  using std::sqrt;
  LyapunovConstants<T> k{mu, L, fstar, gamma, eps, T(0), T(0), T(0), T(0), T(0)};
  const T e = h0 - fstar + eps;
  k.R = sqrt(e * e - eps * eps);
  k.rho = sqrt(k.R * k.R + eps * eps);
  k.ell = L * sqrt(k.rho / eps);
  k.c = min(T(gamma / (gamma * gamma * k.rho + T(2) * k.ell)), T(T(1) / sqrt(T(2) * L * k.rho)));
  k.lambda = min(T(k.c * mu / (T(1) + k.c)), T(gamma / (T(2) + k.c * mu * k.rho)));
  return k;
}

// Discrete regularized Muon near the optimum (docs/theory.md 2d): on a Hessian mode the EMA iteration
// is (x, m) -> [[1 - a b, -a beta], [b, beta]] (x, m) with a = eta/eps, b = (1 - beta) lambda_j;
// its spectral radius (trace 1 - a b + beta, determinant beta). The f-gap contracts by its square.
template <class T>
T mode_radius(const T& a, const T& b, const T& beta) {
  using std::abs;
  using std::sqrt;
  const T tr = T(1) - a * b + beta, disc = tr * tr - T(4) * beta;
  if (disc < T(0)) return sqrt(beta);
  return (abs(tr) + sqrt(disc)) / T(2);
}

}  // namespace mb::claims
