// flow-lyapunov: the inequalities the global Lyapunov rate of docs/theory.md 2d stands on (derivation of
// this project), each checked along inertial-flow trajectories as its own part. With the constants of
// claims/flow_support.hpp lyapunov_constants (R = R0 from H(0), rho_R, l = L sqrt(rho_R/eps), c, lambda)
// and E_c = f - f* + K(p) + c <p, grad f>:
//   derivative  dE_c/dt <= -(c/2)|grad f|^2 - (gamma/2)<p, grad K>                  (2d step 2)
//               dE_c/dt is computed exactly from the ODE right-hand side at the state:
//               dE_c/dt = -gamma <p, grad K> + c (-|grad f|^2 - gamma <p, grad f> + <p, hess f grad K>)
//               (hess f V: the assembled Hessian of the quadratic, or (2 + 6 cos 2W) * V entrywise
//               for nonconvex-pl), no finite differences.
//   lower       E_c >= (1 - c^2 rho_R L)(f - f*)                                  (2d step 1)
//               Step 1 proves this and then relaxes 1 - c^2 rho_R L >= 1/2. The relaxation is loose on
//               every instance: c <= gamma/(gamma^2 rho_R + 2l) <= 1/(2 sqrt(2 l rho_R)) and l >= L give
//               c^2 rho_R L <= 1/8, so E_c >= (7/8)(f - f*) always and the stated 1/2 can never be
//               tighter than 4/7; the part checks the constant the step proves (docs/theory.md 2d, "Where each step binds").
//   upper       E_c <= (1 + c)|grad f|^2/(2 mu) + (1 + c mu rho_R/2)<p, grad K>    (2d step 3)
//   comparison  (c/2)|grad f|^2 + (gamma/2)<p, grad K> >= lambda [right side of upper] (2d, "comparing
//               term by term": with steps 2 and 3 it gives dE_c/dt <= -lambda E_c)
//   gap         f - f* <= E_c(0) e^{-lambda t} / (1 - c^2 rho_R L) (<= 2 E_c(0) e^{-lambda t}, the stated form)
// Each is one-sided; the predicted constant scaled is the whole right side (the c/2 and gamma/2 of
// step 2, the 1 - c^2 rho_R L of step 1, the bound of step 3, lambda, the gap bound).
// Why this is checkable pointwise: the first four are inequalities between functions of the state
// (W, p) that hold at every state with sigma_max(p) <= R; the integrator only chooses which states are
// visited, so their tolerance is rounding alone (sigma_max(p(t)) <= R0 is recorded). The gap bound
// compares with the true trajectory: its tolerance adds 2|f_dt - f_{dt/2}|/15 (rk4 Richardson, factor 2).
// Rounding (u the unit roundoff, d parameters, (d + 4) u per inner product or sum): the regularized polar
// map grad K carries reg_polar_error, K carries psi_error (claims/support.hpp); every term's error is
// summed with its coefficient, times 2, plus 16 u times the sum of the terms' magnitudes (the constants'
// own rounding).
// Instances (quadratic-kron 3 x 2, seed 1; nonconvex-pl 3 x 2), each chosen so one inequality nearly
// binds (docs/theory.md 2d "Where each step binds" says where each is tight), plus far starts where Muon saturates:
//   kron4-at-min    kappa 4, W0 = W*, p0 = a v_top: dE_c/dt / RHS = 2 - 2c<p,H grad K>/(gamma <p, grad K>) ~ 1
//   kron4-young     kappa 4, W0 = W* + b v_top, p0 = -c rho_R grad f(W0): every step of 1 is an equality
//   kron100-slow    kappa 100, W0 = W* + v_bot, p0 small along v_bot: PL equality, p ~ 0 (upper, comparison)
//   kron100-far     kappa 100, W0 far (init_scale 3), p0 ~ N(0, 1): sigma(p) >> eps (saturated)
//   nonconvex-far   nonconvex-pl, W0 ~ N(0, 9), p0 ~ N(0, 1)
// v_top, v_bot: unit eigenvectors of the assembled Hessian (rank one u v^T for quadratic-kron).
#include "claims/flow_support.hpp"

namespace mb {
namespace {

ClaimInfo flow_lyapunov_info() {
  return {"flow-lyapunov",
          "The four inequalities behind the global Lyapunov rate of the inertial flow (derivative bound, lower and "
          "upper bounds on E_c, the gap bound) and the term-by-term comparison that yields lambda hold along "
          "trajectories, each nearly binding on some instance.",
          "E_c = f - f* + K + c<p, grad f>: dE_c/dt <= -(c/2)|grad f|^2 - (gamma/2)<p, grad K>; "
          "E_c >= (1 - c^2 rho_R L)(f - f*) (>= (f - f*)/2); E_c <= (1+c)|grad f|^2/(2mu) + (1 + c mu rho_R/2)<p, grad K>; "
          "(c/2)|grad f|^2 + (gamma/2)<p, grad K> >= lambda [upper bound]; f - f* <= E_c(0) e^{-lambda t}/(1 - c^2 rho_R L)",
          "docs/theory.md 2d, steps 1-3 and the comparison (derivation of this project)",
          "rounding only for the pointwise inequalities (they hold at every state with sigma_max(p) <= R0): each term's "
          "error with its coefficient (reg_polar_error for grad K, psi_error for K, (d + 4) u per inner product), x2, "
          "+ 16 u x the terms' magnitudes; the gap bound adds 2|f_dt - f_{dt/2}|/15 (rk4 Richardson)",
          {{"derivative-x1.2", "the derivative bound with c/2 and gamma/2 both x 1.2"},
           {"lower-x1.2", "E_c >= 1.2 (1 - c^2 rho_R L)(f - f*)"},
           {"upper-x5/6", "the upper bound on E_c x 5/6"},
           {"comparison-x1.2", "the comparison with lambda x 1.2"},
           {"gap-x5/6", "the gap bound x 5/6"}},
          {{"derivative", "dE_c/dt <= -(c/2)|grad f|^2 - (gamma/2)<p, grad K> at every sample"},
           {"lower", "E_c >= (1 - c^2 rho_R L)(f - f*) at every sample"},
           {"upper", "E_c <= (1 + c)|grad f|^2/(2 mu) + (1 + c mu rho_R/2)<p, grad K> at every sample"},
           {"comparison", "(c/2)|grad f|^2 + (gamma/2)<p, grad K> >= lambda x the upper bound at every sample"},
           {"gap", "f - f* <= E_c(0) e^{-lambda t}/(1 - c^2 rho_R L) at every sample"}}};
}

template <class T>
struct Setup {
  std::string label;
  std::unique_ptr<Problem<T>> prob;
  T gamma, eps;
  Params<T> W0, P0;
  Mat<T> H;  // the Hessian (quadratic-kron, constant); empty: nonconvex-pl's diagonal one
  json describe;
};

// hess f(W) V.
template <class T>
Mat<T> hess_vec(const Setup<T>& s, const Mat<T>& W, const Mat<T>& V) {
  using std::cos;
  if (s.H.size() == 0) {  // nonconvex-pl: f'' = 2 + 6 cos 2w entrywise (problems/nonconvex_pl.cpp)
    Mat<T> out = V;
    for (long j = 0; j < V.cols(); ++j)
      for (long i = 0; i < V.rows(); ++i) out(i, j) = (T(2) + T(6) * T(cos(T(2) * W(i, j)))) * V(i, j);
    return out;
  }
  const long m = V.rows(), n = V.cols();
  Mat<T> v(m * n, 1);
  for (long k = 0; k < m * n; ++k) v(k, 0) = V(k % m, k / m);
  const Mat<T> hv = linalg::mul<T>(s.H, v);
  Mat<T> out(m, n);
  for (long k = 0; k < m * n; ++k) out(k % m, k / m) = hv(k, 0);
  return out;
}

// The Hessian of a quadratic, column k = grad f(W* + e_k) - grad f(W*) (exact: the gradient is affine).
template <class T>
Mat<T> quadratic_hessian(const Problem<T>& prob, const Mat<T>& Wstar) {
  const long m = Wstar.rows(), n = Wstar.cols(), d = m * n;
  Params<T> g0, g;
  prob.value_and_gradient({Wstar}, g0);
  Mat<T> H(d, d);
  for (long k = 0; k < d; ++k) {
    Mat<T> W = Wstar;
    W(k % m, k / m) += T(1);
    prob.value_and_gradient({W}, g);
    for (long r = 0; r < d; ++r) H(r, k) = g[0](r % m, r / m) - g0[0](r % m, r / m);
  }
  return H;
}
template <class T>
Mat<T> eigen_direction(const Mat<T>& H, long m, long n, bool top) {
  const auto e = linalg::sym_eig<T>(H);
  const long k = top ? H.rows() - 1 : 0;
  Mat<T> out(m, n);
  for (long r = 0; r < m * n; ++r) out(r % m, r / m) = e.vectors(r, k);
  return out;
}

template <class T>
std::vector<Setup<T>> setups() {
  std::vector<Setup<T>> v;
  auto kron = [&](const std::string& label, int kappa, long init_scale) {
    Setup<T> s;
    s.label = label;
    const json params = {{"m", 3}, {"n", 2}, {"kappa", kappa}, {"seed", 1}, {"init_scale", init_scale}};
    s.prob = make_problem<T>("quadratic-kron", params);
    s.H = quadratic_hessian<T>(*s.prob, (*s.prob->minimizer())[0]);
    s.describe = {{"problem", "quadratic-kron"}, {"params", params}};
    return s;
  };
  Rng rng({7, 0x6c7961ULL});  // "lya"
  {  // derivative: at the minimizer, p along the top eigenvector, eps >> |p|, gamma^2 rho_R << 2L
    Setup<T> s = kron("kron4-at-min", 4, 1);
    s.gamma = T(1) / T(4), s.eps = T(1);
    const Mat<T> Ws = (*s.prob->minimizer())[0];
    s.W0 = {Ws}, s.P0 = {Mat<T>(eigen_direction<T>(s.H, 3, 2, true) / T(10))};
    s.describe.update({{"W0", "W*"}, {"p0", "v_top / 10"}});
    v.push_back(std::move(s));
  }
  {  // lower: p0 = -c rho_R grad f(W0), W0 - W* along the top eigenvector (Young and |g|^2 = 2L(f - f*) equalities)
    Setup<T> s = kron("kron4-young", 4, 1);
    s.gamma = T(1), s.eps = T(1);
    const Mat<T> Ws = (*s.prob->minimizer())[0];
    s.W0 = {Mat<T>(Ws + eigen_direction<T>(s.H, 3, 2, true) / T(10))};
    Params<T> g;
    const T f0 = s.prob->value_and_gradient(s.W0, g);
    const Known<T> kn = s.prob->known();
    s.P0 = {Mat<T>::Zero(3, 2)};
    for (int it = 0; it < 4; ++it) {  // c depends on H(0) = f0 + K(p0): a few fixed-point passes
      flow::FlowConfig<T> cfg;
      cfg.gamma = s.gamma, cfg.eps = s.eps;
      flow::Flow<T> fl(cfg, s.prob->blocks());
      const auto k = claims::lyapunov_constants<T>(*kn.mu, *kn.L, *kn.f_star, s.gamma, s.eps, T(f0 + fl.kinetic(s.P0)));
      s.P0 = {Mat<T>(-k.c * k.rho * g[0])};
    }
    s.describe.update({{"W0", "W* + v_top / 10"}, {"p0", "-c rho_R grad f(W0) (fixed point of c(H(0)))"}});
    v.push_back(std::move(s));
  }
  {  // upper and comparison: PL equality along the bottom eigenvector, p0 small, c small (gamma small)
    Setup<T> s = kron("kron100-slow", 100, 1);
    s.gamma = T(1) / T(10), s.eps = T(1) / T(100);
    const Mat<T> Ws = (*s.prob->minimizer())[0], vb = eigen_direction<T>(s.H, 3, 2, false);
    s.W0 = {Mat<T>(Ws + vb)}, s.P0 = {Mat<T>(vb / T(1000))};
    s.describe.update({{"W0", "W* + v_bot"}, {"p0", "v_bot / 1000"}});
    v.push_back(std::move(s));
  }
  {  // far: sigma(p) >> eps, Muon saturated
    Setup<T> s = kron("kron100-far", 100, 3);
    s.gamma = T(1), s.eps = T(1) / T(10);
    s.W0 = s.prob->initial_point(0), s.P0 = {rng.normal_matrix<T>(3, 2)};
    s.describe.update({{"W0", "initial_point(0), init_scale 3"}, {"p0", "N(0, 1) entries, Rng(7)"}});
    v.push_back(std::move(s));
  }
  {
    Setup<T> s;
    s.label = "nonconvex-far";
    const json params = {{"m", 3}, {"n", 2}};
    s.prob = make_problem<T>("nonconvex-pl", params);
    s.gamma = T(1), s.eps = T(1) / T(2);
    s.W0 = s.prob->initial_point(0), s.P0 = {rng.normal_matrix<T>(3, 2)};
    s.describe = {{"problem", "nonconvex-pl"}, {"params", params}, {"W0", "initial_point(0)"}, {"p0", "N(0, 1) entries, Rng(7)"}};
    v.push_back(std::move(s));
  }
  return v;
}

// The five checks of one setup: rk4 at dt = 1/32 (and 1/16, for the gap's Richardson estimate) to
// t_end = 8, sampled every 1/16.
template <class T>
void check_setup(const Setup<T>& s, std::vector<claims::Check<T>*> ch, json& constants) {
  using std::abs;
  using std::exp;
  using std::sqrt;
  using claims::num;
  const Problem<T>& prob = *s.prob;
  const Known<T> kn = prob.known();
  const T mu = *kn.mu, L = *kn.L, fstar = *kn.f_star, gamma = s.gamma;
  flow::FlowConfig<T> cfg;
  cfg.gamma = gamma, cfg.eps = s.eps, cfg.scheme = "rk4", cfg.dt = T(1) / T(32);
  flow::FlowConfig<T> cfg2 = cfg;
  cfg2.dt = T(1) / T(16);
  claims::ProblemOracle<T> o(prob), o2(prob);
  flow::Flow<T> fl(cfg, prob.blocks()), fl2(cfg2, prob.blocks());
  Params<T> w = s.W0, w2 = s.W0, g, gk;
  fl.start(w, o, &s.P0);
  fl2.start(w2, o2, &s.P0);
  const auto k = claims::lyapunov_constants<T>(mu, L, fstar, gamma, s.eps, fl.hamiltonian_initial());
  const T c = k.c, rho = k.rho, lambda = k.lambda, a1 = T(1) - c * c * rho * L;
  const long m = s.W0[0].rows(), n = s.W0[0].cols(), d = m * n;
  const T u = T(unit_roundoff<T>()), ip = T(d + 4) * u;
  T E0(0), E0_err(0), sig_ratio(0);
  const long steps = 8 * 32;
  for (long step = 0; step <= steps; ++step) {
    if (step % 2 == 0) {
      const Params<T>& p = fl.momentum();
      const T f = prob.value_and_gradient(w, g);
      fl.kinetic_gradient(p, gk);
      const Vec<T> sv = linalg::singular_values<T>(p[0]);
      const T smax = sv(0), smin = sv(sv.size() - 1);
      if (T(smax / k.R) > sig_ratio) sig_ratio = smax / k.R;
      const T K = fl.kinetic(p), gg = dot(g, g), pg = dot(p, g), pgK = dot(p, gk);
      const T pHgK = claims::inner<T>(p[0], hess_vec<T>(s, w[0], gk[0]));
      const T np = sqrt(dot(p, p)), ng = sqrt(gg), ngK = sqrt(dot(gk, gk));
      // Errors of the computed terms (header).
      const T eK = claims::reg_polar_error<T>(m, n, smax, smin, s.eps);
      const T e_f = ip * (abs(f) + abs(fstar)), e_K = claims::psi_error<T>(m, n, sv, s.eps), e_gg = T(2) * ip * gg,
              e_pg = T(2) * ip * np * ng, e_pgK = np * eK + T(2) * ip * np * ngK,
              e_pHgK = L * np * eK + T(4) * ip * L * np * ngK;
      const T gap = f - fstar, E = gap + K + c * pg, e_E = e_f + e_K + c * e_pg;
      if (step == 0) E0 = E, E0_err = e_E;
      const T t = fl.time();
      // derivative (step 2)
      const T dE = -gamma * pgK + c * (-gg - gamma * pg + pHgK);
      const T rhs = -(c / T(2)) * gg - (gamma / T(2)) * pgK;
      const T e_dE = gamma * e_pgK + c * (e_gg + gamma * e_pg + e_pHgK), e_rhs = (c / T(2)) * e_gg + (gamma / T(2)) * e_pgK;
      const T mag_d = gamma * abs(pgK) + c * (gg + gamma * abs(pg) + abs(pHgK));
      ch[0]->upper(dE, rhs, T(T(2) * (e_dE + e_rhs) + T(16) * u * mag_d));
      // lower (step 1)
      ch[1]->lower(E, T(a1 * gap), T(T(2) * (e_E + e_f) + T(16) * u * (abs(gap) + K + abs(c * pg))));
      // upper (step 3)
      const T U = (T(1) + c) * gg / (T(2) * mu) + (T(1) + c * mu * rho / T(2)) * pgK;
      const T e_U = (T(1) + c) * e_gg / (T(2) * mu) + (T(1) + c * mu * rho / T(2)) * e_pgK;
      ch[2]->upper(E, U, T(T(2) * (e_E + e_U) + T(16) * u * (U + abs(E))));
      // comparison: -rhs >= lambda U
      ch[3]->lower(T(-rhs), T(lambda * U), T(T(2) * (e_rhs + lambda * e_U) + T(16) * u * (abs(rhs) + lambda * U)));
      // gap bound: trajectory error of f from the coarse run (same time: fl2 is at step / 2)
      const T f2 = prob.value(w2), e_traj = T(2) * abs(f2 - f) / T(15);
      const T bound = E0 * exp(-lambda * t) / a1;
      ch[4]->upper(gap, bound, T(T(2) * (e_f + e_traj + E0_err * exp(-lambda * t) / a1) + T(16) * u * (abs(gap) + bound)));
    }
    if (step < steps) {
      fl.advance(w, o);
      if (step % 2 == 1) fl2.advance(w2, o2);
    }
  }
  constants = k.to_json();
  constants["max_sigma_max_p_over_R0"] = num(sig_ratio);
  constants["one_minus_c2_rho_L"] = num(a1);
}

template <class T>
std::vector<ClaimOutcome> flow_lyapunov(const ClaimContext& ctx) {
  using claims::num;
  const char* parts[] = {"derivative", "lower", "upper", "comparison", "gap"};
  std::vector<Setup<T>> all = setups<T>();
  json instance = {{"scheme", "rk4"}, {"dt", "1/32 (1/16 for the gap's Richardson estimate)"}, {"T", 8},
                   {"sampled_every", "1/16"}, {"setups", json::object()}};
  std::vector<std::vector<claims::Check<T>>> checks(5);
  for (const auto& s : all) {
    std::vector<claims::Check<T>> c(5);
    std::vector<claims::Check<T>*> ptr;
    for (int i = 0; i < 5; ++i) c[i].instance = s.label, ptr.push_back(&c[i]);
    json constants;
    check_setup<T>(s, ptr, constants);
    json desc = s.describe;
    desc["gamma"] = num(s.gamma), desc["eps"] = num(s.eps), desc["constants"] = constants;
    instance["setups"][s.label] = desc;
    for (int i = 0; i < 5; ++i) {
      std::optional<T> tight;
      for (const auto& a : c[i].atoms)
        if (const auto t = a.tightness(); t && (!tight || *t > *tight)) tight = *t;
      c[i].measured = {{"samples", c[i].atoms.size()}, {"tightness", tight ? num(*tight) : json()}};
      c[i].predicted = {{"lambda", constants["lambda"]}, {"c", constants["c"]}};
      checks[i].push_back(std::move(c[i]));
    }
  }
  claims::Outcomes<T> out(ctx, flow_lyapunov_info(), instance);
  const std::string src = "rounding of each term with its coefficient (reg_polar_error, psi_error, (d + 4) u per "
                          "inner product), x2, + 16 u |terms|";
  for (int i = 0; i < 5; ++i)
    out.of(parts[i], i == 4 ? src + " + 2|f_dt - f_{dt/2}|/15 (rk4 Richardson)" : src) = checks[i];
  out.edge("derivative-x1.2", "derivative", T(6) / T(5));
  out.edge("lower-x1.2", "lower", T(6) / T(5));
  out.edge("upper-x5/6", "upper", T(5) / T(6));
  out.edge("comparison-x1.2", "comparison", T(6) / T(5));
  out.edge("gap-x5/6", "gap", T(5) / T(6));
  return out.outcomes();
}

}  // namespace

MB_REGISTER_CLAIM(flow_lyapunov_info, flow_lyapunov);

}  // namespace mb
