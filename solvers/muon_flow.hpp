// The inertial continuous-time regularized Muon flow (docs/theory.md section 2c (derivation of this project)) and its integrators.
//
//   dW/dt = grad K(p),   dp/dt = -s grad f(W) - gamma p,   K(p) = sum_u [psi_eps(p_u) - q_u eps]
//
// psi_eps is the smoothed nuclear norm (section 2a; grad psi_eps = the regularized polar map of
// solvers/spectral/regularized.hpp), u runs over the kinetic units: every parameter block as one
// matrix (its storage matrix; a vector block is an n x 1 column, so K is the "relativistic" energy
// sqrt(||p||^2 + eps^2) - eps there), or, with kinetic "slice", every slice of an [E, m, n] block
// separately (the blockwise flow of section 2c, K(p) = sum_b psi_eps(p_b)), q_u = min(rows, cols)
// so that K(0) = 0. s is the force scale: 1, or N with `mean_field` (section 2c "Particles and mean
// field": f = J(rho_N), the force on particle i is grad V[rho_N](W_i) = N grad_{W_i} J, and the
// Hamiltonian is H_N = J + (1/N) sum_i K(p_i)). In every case, with H = f + K/s,
//
//   dH/dt = -(gamma/s) sum_u <p_u, grad K_u(p_u)>  =: -P(p) <= 0,   H(T) + D(T) = H(0),  D = int_0^T P dt.
//
// D is integrated with the state by the same scheme (the augmented system (W, p, D)), so that the
// identity residual r = H + D - H(0) is O(dt^order):
//   rk4               classical Runge-Kutta, 4 gradients per step, order 4
//   heun              explicit trapezoid, 2 gradients per step, order 2
//   conformal-euler   conformal symplectic Euler (Maddison et al. 1809.05042, first explicit
//                     method): p' = e^{-gamma dt} p - dt s grad f(W), W' = W + dt grad K(p'),
//                     D' = D + dt P(p'); 1 gradient per step, order 1
//   discrete-gradient Gonzalez discrete gradients (section 2c item 3), implicit:
//                     W' - W = dt gradbar K(p, p'),  (p' - p) = -dt s gradbar f(W, W') - dt gamma (p + p')/2,
//                     D' = D + dt (gamma/s) <gradbar K(p, p'), (p + p')/2>; then H' + D' = H + D exactly,
//                     up to the fixed-point defect (below) and rounding. Solved by fixed-point
//                     iteration (the linear damping term solved exactly) until the change of (W', p')
//                     is <= tolerance * ||(W', p')||_F; the defect of the converged iterate,
//                     |<gradbar f, rho_W>| + |<gradbar K, rho_p>|/s with rho the equations' residuals,
//                     is recorded per step (dg_defect) and bounds |H' + D' - H - D| up to rounding.
// gradbar F(x, x') = grad F(xbar) + [F(x') - F(x) - <grad F(xbar), d>] d / ||d||^2, xbar = (x + x')/2,
// d = x' - x (grad F(xbar) when d = 0); for K it is taken per unit.
//
// `Flow` is the integrator (used by the muon-flow solver and by the flow claims); Flow<T> is
// instantiated in solvers/muon_flow.cpp for every scalar.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "harness/solver.hpp"

namespace mb::flow {

enum class Scheme { rk4, heun, conformal_euler, discrete_gradient };
inline const std::vector<std::string>& scheme_names() {  // in Scheme's order
  static const std::vector<std::string> n{"rk4", "heun", "conformal-euler", "discrete-gradient"};
  return n;
}
// Order of accuracy of each scheme (the identity residual's slope in dt).
inline int scheme_order(const std::string& scheme) {
  return scheme == "rk4" ? 4 : scheme == "conformal-euler" ? 1 : 2;
}

template <class T>
struct FlowConfig {
  T dt = T(1) / T(100);
  T gamma = T(1);
  T eps = T(1) / T(10);
  std::string scheme = "rk4";
  bool per_slice = false;   // kinetic "slice": one unit per slice of an [E, m, n] block
  bool mean_field = false;  // s = N (the common slice count of all blocks), H = f + K / N
  T tolerance = T(0);       // discrete-gradient fixed-point tolerance; 0: the default for T
  long max_iterations = 200;
};

// The default discrete-gradient tolerance: 1e-6 float, 1e-14 double, 1e-45 mp50 (docs/theory.md 2c),
// as decimal text (the solver's option default) and as a number.
template <class T>
const char* default_dg_tolerance_text();
template <class T>
T default_dg_tolerance();

template <class T>
class Flow {
 public:
  // A function of the state (W, p) integrated along the flow with the scheme's quadrature (as D
  // is): the claims' decoys integrate wrong dissipation densities this way.
  using Density = std::function<T(const Params<T>& W, const Params<T>& p)>;

  // Throws mb::Error on invalid settings (dt <= 0, gamma < 0, eps <= 0, unknown scheme,
  // mean_field without a common slice count).
  Flow(const FlowConfig<T>& cfg, const std::vector<BlockSpec>& blocks);

  // t = 0, D = 0, p = p0 (zero if null), H(0) = f(w0) + K(p0)/s.
  void start(const Params<T>& w0, Oracle<T>& oracle, const Params<T>* p0 = nullptr);
  // One step of size dt; w holds W(t) on entry and W(t + dt) on exit. g: grad f(w) if the caller
  // has it (saves one evaluation), else null.
  void advance(Params<T>& w, Oracle<T>& oracle, const Params<T>* g = nullptr);

  void add_density(Density d) { densities_.push_back(std::move(d)), integrals_.push_back(T(0)); }
  const std::vector<T>& integrals() const { return integrals_; }

  // K(p)/s, the kinetic part of H.
  T kinetic(const Params<T>& p) const;
  // grad K(p) (unit by unit; not divided by s).
  void kinetic_gradient(const Params<T>& p, Params<T>& out) const;
  // P(p) = (gamma/s) sum_u <p_u, grad K_u(p_u)> = -dH/dt.
  T dissipation_rate(const Params<T>& p) const;

  const Params<T>& momentum() const { return p_; }
  const T& force_scale() const { return s_; }
  const T& time() const { return t_; }
  long steps() const { return steps_; }
  const T& f() const { return f_; }
  T hamiltonian() const { return f_ + kinetic(p_); }
  const T& hamiltonian_initial() const { return h0_; }
  const T& dissipated() const { return d_; }
  // H + D - H(0).
  T identity_residual() const { return hamiltonian() + d_ - h0_; }
  // Discrete gradient: defect bound of the last step; iterations and defect, their maxima so far.
  long max_iterations_used() const { return max_iter_used_; }
  const T& last_defect() const { return last_defect_; }
  const T& max_defect() const { return max_defect_; }
  json diagnostics() const;

 private:
  struct Unit {
    size_t block;
    long row0, rows, cols;
  };
  template <class F>
  void for_units(const Params<T>& p, F&& fn) const;
  void force(const Params<T>& g, const Params<T>& p, Params<T>& out) const;  // -s g - gamma p
  T densities_at(const Params<T>& W, const Params<T>& p, size_t i) const;
  void step_rk4(Params<T>& w, Oracle<T>& o, const Params<T>& g0);
  void step_heun(Params<T>& w, Oracle<T>& o, const Params<T>& g0);
  void step_conformal_euler(Params<T>& w, Oracle<T>& o, const Params<T>& g0);
  void step_discrete_gradient(Params<T>& w, Oracle<T>& o, const Params<T>& g0);
  // psi_eps of each kinetic unit of p (the step's fixed start point: computed once per step).
  std::vector<T> unit_kinetic(const Params<T>& p) const;
  void kinetic_discrete_gradient(const Params<T>& p, const std::vector<T>& Kp, const Params<T>& q, Params<T>& out) const;

  FlowConfig<T> cfg_;
  Scheme scheme_ = Scheme::rk4;  // cfg_.scheme, named once in the constructor
  std::vector<BlockSpec> specs_;
  std::vector<Unit> units_;
  T s_ = T(1);
  Params<T> p_;
  T t_ = T(0), f_ = T(0), h0_ = T(0), d_ = T(0);
  long steps_ = 0;
  long max_iter_used_ = 0;
  T last_defect_ = T(0), max_defect_ = T(0);
  std::vector<Density> densities_;
  std::vector<T> integrals_;
};

}  // namespace mb::flow
