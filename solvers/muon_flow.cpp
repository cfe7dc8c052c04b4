// The inertial regularized Muon flow and its four integrators (muon_flow.hpp; docs/theory.md 2c).
#include "solvers/muon_flow.hpp"

#include <algorithm>
#include <cmath>
#include <type_traits>

#include "harness/core/error.hpp"
#include "solvers/spectral/regularized.hpp"

namespace mb::flow {
namespace {

// out = a + c b, block by block.
template <class T>
void axpy(const Params<T>& a, const T& c, const Params<T>& b, Params<T>& out) {
  out.resize(a.size());
  for (size_t i = 0; i < a.size(); ++i) out[i] = a[i] + c * b[i];
}
template <class T>
void add_scaled(Params<T>& a, const T& c, const Params<T>& b) {
  for (size_t i = 0; i < a.size(); ++i) a[i] += c * b[i];
}
template <class T>
T norm(const Params<T>& a) {
  using std::sqrt;
  return sqrt(squared_norm(a));
}

// Gonzalez's correction [F(b) - F(a) - <grad F(mid), d>] d / ||d||^2 is O(||d||^2) in exact
// arithmetic, but its numerator is computed with an absolute error of a few u (|F(a)| + |F(b)| +
// |<., d>|); divided by ||d|| that noise grows as the steps shrink near a minimizer and keeps the
// fixed-point iteration from settling. A numerator within 16 u of that size is rounding: dropped
// (the discrete-gradient identity then holds to the same rounding level, which the recorded
// defect and every check's rounding model already allow for).
template <class T>
bool above_rounding(const T& jump, const T& fa, const T& fb, const T& lin) {
  using std::abs;
  const T u = std::numeric_limits<T>::epsilon() / T(2);
  return abs(jump) > T(16) * u * (abs(fa) + abs(fb) + abs(lin));
}

}  // namespace

template <class T>
const char* default_dg_tolerance_text() {
  if constexpr (std::is_same_v<T, float>)
    return "1e-6";
  else if constexpr (std::is_same_v<T, double>)
    return "1e-14";
  else
    return "1e-45";
}

template <class T>
T default_dg_tolerance() {
  return from_decimal<T>(default_dg_tolerance_text<T>());
}

template <class T>
Flow<T>::Flow(const FlowConfig<T>& cfg, const std::vector<BlockSpec>& blocks) : cfg_(cfg), specs_(blocks) {
  const std::string ctx = "solver 'muon-flow': ";
  if (!(cfg_.dt > T(0))) throw Error(ctx + "dt must be > 0, got " + to_decimal<T>(cfg_.dt));
  if (!(cfg_.gamma >= T(0))) throw Error(ctx + "gamma must be >= 0, got " + to_decimal<T>(cfg_.gamma));
  if (!(cfg_.eps > T(0))) throw Error(ctx + "eps must be > 0, got " + to_decimal<T>(cfg_.eps));
  const auto named = std::find(scheme_names().begin(), scheme_names().end(), cfg_.scheme);
  if (named == scheme_names().end()) throw_unknown("scheme", cfg_.scheme, "solver 'muon-flow': scheme", scheme_names());
  scheme_ = static_cast<Scheme>(named - scheme_names().begin());
  if (!(cfg_.tolerance >= T(0))) throw Error(ctx + "tolerance must be >= 0");
  if (cfg_.tolerance == T(0)) cfg_.tolerance = default_dg_tolerance<T>();
  if (cfg_.max_iterations < 1) throw Error(ctx + "max_iterations must be >= 1");
  long n_slices = -1;
  for (size_t b = 0; b < specs_.size(); ++b) {
    const BlockSpec& s = specs_[b];
    if (cfg_.per_slice && s.slices() > 1) {
      for (long e = 0; e < s.slices(); ++e) units_.push_back({b, e * s.rows(), s.rows(), s.cols()});
    } else {
      units_.push_back({b, 0, s.storage_rows(), s.cols()});
    }
    if (cfg_.mean_field) {
      if (s.shape.size() != 3 || (n_slices >= 0 && s.slices() != n_slices))
        throw Error(ctx + "mean_field needs every block to be a stack [N, m, n] of particles with the same N; block '" +
                    s.name + "' is " + s.shape_text());
      n_slices = s.slices();
    }
  }
  if (cfg_.mean_field) {
    if (!cfg_.per_slice) throw Error(ctx + "mean_field needs kinetic \"slice\" (one kinetic energy per particle)");
    s_ = T(n_slices);
  }
}

template <class T>
template <class F>
void Flow<T>::for_units(const Params<T>& p, F&& fn) const {
  for (size_t k = 0; k < units_.size(); ++k) {
    const Unit& u = units_[k];
    fn(u, Mat<T>(p[u.block].middleRows(u.row0, u.rows)));
  }
}

template <class T>
T Flow<T>::kinetic(const Params<T>& p) const {
  T k(0);
  for_units(p, [&](const Unit& u, const Mat<T>& pu) {
    k += spectral::psi<T>(pu, cfg_.eps) - T(std::min(u.rows, u.cols)) * cfg_.eps;
  });
  return k / s_;
}

template <class T>
void Flow<T>::kinetic_gradient(const Params<T>& p, Params<T>& out) const {
  out.resize(p.size());
  for (size_t i = 0; i < p.size(); ++i) out[i].resize(p[i].rows(), p[i].cols());
  for_units(p, [&](const Unit& u, const Mat<T>& pu) {
    out[u.block].middleRows(u.row0, u.rows) = spectral::reg_polar<T>(pu, cfg_.eps);
  });
}

template <class T>
T Flow<T>::dissipation_rate(const Params<T>& p) const {
  Params<T> gk;
  kinetic_gradient(p, gk);
  return cfg_.gamma / s_ * dot(p, gk);
}

template <class T>
void Flow<T>::force(const Params<T>& g, const Params<T>& p, Params<T>& out) const {
  out.resize(p.size());
  for (size_t i = 0; i < p.size(); ++i) out[i] = -s_ * g[i] - cfg_.gamma * p[i];
}

template <class T>
T Flow<T>::densities_at(const Params<T>& W, const Params<T>& p, size_t i) const {
  return densities_[i](W, p);
}

template <class T>
void Flow<T>::start(const Params<T>& w0, Oracle<T>& oracle, const Params<T>* p0) {
  require_shapes(w0, specs_, "muon-flow initial point");
  p_ = p0 ? *p0 : zeros_like<T>(specs_);
  t_ = T(0), d_ = T(0), steps_ = 0;
  max_iter_used_ = 0;
  last_defect_ = max_defect_ = T(0);
  for (auto& x : integrals_) x = T(0);
  f_ = oracle.value(w0);
  h0_ = f_ + kinetic(p_);
}

template <class T>
void Flow<T>::advance(Params<T>& w, Oracle<T>& oracle, const Params<T>* g) {
  Params<T> g0;
  if (g)
    g0 = *g;
  else
    oracle.value_and_gradient(w, g0);
  switch (scheme_) {
    case Scheme::rk4:
      step_rk4(w, oracle, g0);
      break;
    case Scheme::heun:
      step_heun(w, oracle, g0);
      break;
    case Scheme::conformal_euler:
      step_conformal_euler(w, oracle, g0);
      break;
    case Scheme::discrete_gradient:
      step_discrete_gradient(w, oracle, g0);
      break;
  }
  t_ += cfg_.dt;
  ++steps_;
  require_finite(w, specs_, "muon-flow: W after step " + std::to_string(steps_));
  require_finite(p_, specs_, "muon-flow: p after step " + std::to_string(steps_));
}

// Classical RK4 on (W, p, D, integrals): stages y_i = y + dt a_i k_{i-1}, weights (1, 2, 2, 1)/6.
template <class T>
void Flow<T>::step_rk4(Params<T>& w, Oracle<T>& o, const Params<T>& g0) {
  const T h = cfg_.dt, half = cfg_.dt / T(2);
  const size_t nd = densities_.size();
  Params<T> kW[4], kp[4], Wi = w, pi = p_, g = g0;
  T kD[4];
  std::vector<T> kX(4 * nd);
  for (int i = 0; i < 4; ++i) {
    if (i > 0) {
      const T a = i == 3 ? h : half;
      axpy(w, a, kW[i - 1], Wi);
      axpy(p_, a, kp[i - 1], pi);
      o.value_and_gradient(Wi, g);
    }
    kinetic_gradient(pi, kW[i]);
    force(g, pi, kp[i]);
    kD[i] = cfg_.gamma / s_ * dot(pi, kW[i]);
    for (size_t j = 0; j < nd; ++j) kX[4 * j + i] = densities_at(Wi, pi, j);
  }
  const T c1 = h / T(6), c2 = h / T(3);
  for (int i = 0; i < 4; ++i) {
    const T c = (i == 0 || i == 3) ? c1 : c2;
    add_scaled(w, c, kW[i]);
    add_scaled(p_, c, kp[i]);
  }
  d_ += c1 * (kD[0] + kD[3]) + c2 * (kD[1] + kD[2]);
  for (size_t j = 0; j < nd; ++j) integrals_[j] += c1 * (kX[4 * j] + kX[4 * j + 3]) + c2 * (kX[4 * j + 1] + kX[4 * j + 2]);
  f_ = o.value(w);
}

// Heun (explicit trapezoid): k1 = F(y), k2 = F(y + dt k1), y' = y + dt (k1 + k2) / 2.
template <class T>
void Flow<T>::step_heun(Params<T>& w, Oracle<T>& o, const Params<T>& g0) {
  const T h = cfg_.dt, half = cfg_.dt / T(2);
  Params<T> kW1, kp1, kW2, kp2, W2, p2, g2;
  kinetic_gradient(p_, kW1);
  force(g0, p_, kp1);
  const T d1 = cfg_.gamma / s_ * dot(p_, kW1);
  std::vector<T> x1;
  for (size_t j = 0; j < densities_.size(); ++j) x1.push_back(densities_at(w, p_, j));
  axpy(w, h, kW1, W2);
  axpy(p_, h, kp1, p2);
  o.value_and_gradient(W2, g2);
  kinetic_gradient(p2, kW2);
  force(g2, p2, kp2);
  const T d2 = cfg_.gamma / s_ * dot(p2, kW2);
  for (size_t j = 0; j < densities_.size(); ++j) integrals_[j] += half * (x1[j] + densities_at(W2, p2, j));
  add_scaled(w, half, kW1), add_scaled(w, half, kW2);
  add_scaled(p_, half, kp1), add_scaled(p_, half, kp2);
  d_ += half * (d1 + d2);
  f_ = o.value(w);
}

// Conformal symplectic Euler: the exact damping flow p -> e^{-gamma dt} p, then symplectic Euler.
template <class T>
void Flow<T>::step_conformal_euler(Params<T>& w, Oracle<T>& o, const Params<T>& g0) {
  using std::exp;
  const T h = cfg_.dt;
  const T delta = exp(-cfg_.gamma * h);
  for (size_t i = 0; i < p_.size(); ++i) p_[i] = delta * p_[i] - (h * s_) * g0[i];
  Params<T> kW;
  kinetic_gradient(p_, kW);
  d_ += h * cfg_.gamma / s_ * dot(p_, kW);
  add_scaled(w, h, kW);
  for (size_t j = 0; j < densities_.size(); ++j) integrals_[j] += h * densities_at(w, p_, j);
  f_ = o.value(w);
}

// gradbar K(p, q) unit by unit (Gonzalez): grad K_u(mid) + [K_u(q) - K_u(p) - <grad K_u(mid), d>] d / ||d||^2.
template <class T>
std::vector<T> Flow<T>::unit_kinetic(const Params<T>& p) const {
  std::vector<T> K;
  K.reserve(units_.size());
  for (const Unit& u : units_) K.push_back(spectral::psi<T>(Mat<T>(p[u.block].middleRows(u.row0, u.rows)), cfg_.eps));
  return K;
}

template <class T>
void Flow<T>::kinetic_discrete_gradient(const Params<T>& p, const std::vector<T>& Kp, const Params<T>& q,
                                        Params<T>& out) const {
  out.resize(p.size());
  for (size_t i = 0; i < p.size(); ++i) out[i].resize(p[i].rows(), p[i].cols());
  for (size_t k = 0; k < units_.size(); ++k) {
    const Unit& u = units_[k];
    const Mat<T> a = p[u.block].middleRows(u.row0, u.rows), b = q[u.block].middleRows(u.row0, u.rows);
    const Mat<T> d = b - a;
    Mat<T> gm = spectral::reg_polar<T>(Mat<T>((a + b) / T(2)), cfg_.eps);
    const T dd = d.squaredNorm();
    if (dd > T(0)) {
      const T kb = spectral::psi<T>(b, cfg_.eps), ka = Kp[k], lin = (gm.array() * d.array()).sum();
      const T jump = kb - ka - lin;
      if (above_rounding(jump, ka, kb, lin)) gm += (jump / dd) * d;
    }
    out[u.block].middleRows(u.row0, u.rows) = gm;
  }
}

// Discrete-gradient step, by fixed-point iteration on (W', p') from the explicit Euler guess:
//   W' = W + dt gradbar K(p, p'),   p' (1 + dt gamma / 2) = p (1 - dt gamma / 2) - dt s gradbar f(W, W').
template <class T>
void Flow<T>::step_discrete_gradient(Params<T>& w, Oracle<T>& o, const Params<T>& g0) {
  const T h = cfg_.dt;
  const T a = T(1) + h * cfg_.gamma / T(2), b = T(1) - h * cfg_.gamma / T(2);
  const T f0 = f_;
  Params<T> W1, p1, gk, gK, gf, Wm, dW, Wn(w.size()), pn(w.size());
  kinetic_gradient(p_, gk);
  axpy(w, h, gk, W1);
  Params<T> fr;
  force(g0, p_, fr);
  axpy(p_, h, fr, p1);
  T f1(0);
  const std::vector<T> Kp = unit_kinetic(p_);
  // Evaluates gradbar f and gradbar K at the current iterate (W1, p1); writes the map's image.
  auto evaluate = [&]() {
    Wm.resize(w.size());
    dW.resize(w.size());
    for (size_t i = 0; i < w.size(); ++i) Wm[i] = (w[i] + W1[i]) / T(2), dW[i] = W1[i] - w[i];
    o.value_and_gradient(Wm, gf);
    f1 = o.value(W1);
    const T dd = squared_norm(dW);
    if (dd > T(0)) {
      const T lin = dot(gf, dW), jump = f1 - f0 - lin;
      if (above_rounding(jump, f0, f1, lin)) add_scaled(gf, T(jump / dd), dW);
    }
    kinetic_discrete_gradient(p_, Kp, p1, gK);
    for (size_t i = 0; i < w.size(); ++i) {
      Wn[i] = w[i] + h * gK[i];
      pn[i] = (b * p_[i] - (h * s_) * gf[i]) / a;
    }
  };
  long it = 0, since_best = 0;
  bool converged = false;
  T best_change = std::numeric_limits<T>::infinity();
  while (it < cfg_.max_iterations) {
    ++it;
    evaluate();
    T change(0), size(0);
    for (size_t i = 0; i < w.size(); ++i) {
      change += (Wn[i] - W1[i]).squaredNorm() + (pn[i] - p1[i]).squaredNorm();
      size += Wn[i].squaredNorm() + pn[i].squaredNorm();
    }
    W1.swap(Wn), p1.swap(pn);
    if (change <= cfg_.tolerance * cfg_.tolerance * size) {
      converged = true;
      break;
    }
    // A stall at the rounding level of the map (no progress in 8 iterations, relative change below
    // sqrt(tolerance)) is accepted too: the iterate is as good as this precision makes it, and the
    // defect recorded below says how far from exact the step is.
    if (change < best_change) {
      best_change = change;
      since_best = 0;
    } else if (++since_best >= 8 && change <= cfg_.tolerance * size) {
      converged = true;
      break;
    }
  }
  if (!converged)
    throw NumericalError("muon-flow (discrete-gradient): the fixed-point iteration did not reach tolerance " +
                         to_decimal<T>(cfg_.tolerance) + " in " + std::to_string(cfg_.max_iterations) +
                         " iterations at step " + std::to_string(steps_ + 1) +
                         " (it contracts when dt^2 s L / eps is small: reduce dt)");
  // Defect of the final iterate: with gradbar at (W1, p1), the residuals of the two equations.
  evaluate();
  // H' - H + dt (gamma/s) <gradbar K, pbar> = <gradbar f, rho_W> + <gradbar K, rho_p> / s exactly, so
  // its size is at most ||gradbar f|| ||rho_W|| + ||gradbar K|| ||rho_p|| / s (Cauchy-Schwarz).
  T rW2(0), rp2(0), pbar_dot(0);
  for (size_t i = 0; i < w.size(); ++i) {
    rW2 += (W1[i] - Wn[i]).squaredNorm();
    rp2 += (a * (p1[i] - pn[i])).squaredNorm();  // residual of p' - p + dt s gradbar f + dt gamma pbar
    pbar_dot += (gK[i].array() * (p_[i] + p1[i]).array()).sum() / T(2);
  }
  using std::sqrt;
  last_defect_ = norm(gf) * sqrt(rW2) + norm(gK) * sqrt(rp2) / s_;
  max_defect_ = std::max(max_defect_, last_defect_);
  if (!densities_.empty()) {
    Params<T> pm;  // the midpoint momentum, as Wm is the midpoint position
    axpy(p_, T(1), p1, pm);
    for (auto& x : pm) x /= T(2);
    for (size_t j = 0; j < densities_.size(); ++j) integrals_[j] += h * densities_at(Wm, pm, j);
  }
  d_ += h * cfg_.gamma / s_ * pbar_dot;
  w.swap(W1);
  p_.swap(p1);
  f_ = f1;
  max_iter_used_ = std::max(max_iter_used_, it);
}

template <class T>
json Flow<T>::diagnostics() const {
  const T K = kinetic(p_), H = f_ + K;  // one psi per unit (hamiltonian() and identity_residual() each recompute K)
  json d = {{"scheme", cfg_.scheme},
            {"order", scheme_order(cfg_.scheme)},
            {"time", number_to_json<T>(t_)},
            {"steps", steps_},
            {"force_scale", number_to_json<T>(s_)},
            {"f", number_to_json<T>(f_)},
            {"kinetic", number_to_json<T>(K)},
            {"hamiltonian", number_to_json<T>(H)},
            {"hamiltonian_initial", number_to_json<T>(h0_)},
            {"dissipated", number_to_json<T>(d_)},
            {"identity_residual", number_to_json<T>(H + d_ - h0_)}};
  if (scheme_ == Scheme::discrete_gradient) {
    d["tolerance"] = number_to_json<T>(cfg_.tolerance);
    d["max_fixed_point_iterations"] = max_iter_used_;
    d["max_defect"] = number_to_json<T>(max_defect_);
  }
  return d;
}

template class Flow<MB_SCALAR>;
template const char* default_dg_tolerance_text<MB_SCALAR>();
template MB_SCALAR default_dg_tolerance<MB_SCALAR>();

}  // namespace mb::flow
