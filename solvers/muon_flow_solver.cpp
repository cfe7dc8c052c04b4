// muon-flow: the inertial continuous-time regularized Muon flow (docs/theory.md section 2c) as a solver:
// one solver step is one integrator step of size dt (solvers/muon_flow.hpp has the flow, the
// schemes and the Hamiltonian bookkeeping). Every block, vectors and scalars included, is moved
// by the flow (a vector block's kinetic energy is sqrt(||p||^2 + eps^2) - eps): the flow is one
// Hamiltonian system, so there is no per-entry fallback solver.
#include "solvers/muon_flow.hpp"

namespace mb {

template <class T>
class MuonFlow final : public Solver<T> {
 public:
  static constexpr const char* kName = "muon-flow";
  static constexpr const char* kSummary =
      "inertial regularized Muon flow dW/dt = grad K(p), dp/dt = -grad f - gamma p (rk4, heun, conformal-euler, "
      "discrete-gradient); records H = f + K and the integrated dissipation";
  static constexpr const char* kUpdate =
      "one step of size dt of W' = grad K(p), p' = -s grad f(W) - gamma p, K(p) = sum_u psi_eps(p_u) - q_u eps "
      "(grad psi_eps = regularized polar map); H = f + K/s, D = int (gamma/s) <p, grad K(p)> dt";
  static constexpr const char* kReference =
      "docs/theory.md section 2c (derivation of this project); Maddison et al. 1809.05042 (conformal Hamiltonian dynamics); Gonzalez 1996 "
      "(discrete gradients)";

  explicit MuonFlow(const json& hyper) : opts_(hyper, "solver 'muon-flow'") {
    cfg_.dt = opts_.real<T>("dt", "0.01", Range::positive(), "time step of the integrator");
    cfg_.gamma = opts_.real<T>("gamma", "1", Range::nonnegative(), "damping: dp/dt = -s grad f - gamma p");
    cfg_.eps = opts_.real<T>("eps", "0.1", Range::positive(),
                             "smoothing eps of K(p) = psi_eps(p) - q eps (docs/theory.md 2c: eps' = eps_muon eta / (1 - beta))");
    cfg_.scheme = opts_.choice("scheme", "rk4", flow::scheme_names(),
                               "integrator: rk4 (order 4), heun (2), conformal-euler (1), discrete-gradient (exactly "
                               "dissipative, implicit)");
    cfg_.per_slice = opts_.choice("kinetic", "block", {"block", "slice"},
                                  "kinetic units: block (one psi_eps per parameter block) or slice (one per slice of an "
                                  "[E, m, n] block: the blockwise flow)") == "slice";
    cfg_.mean_field = opts_.boolean("mean_field", false,
                                    "particle scaling (docs/theory.md 2e): force N grad f on each of the N slices, H = f + K/N "
                                    "(needs kinetic slice and [N, m, n] blocks)");
    if (cfg_.mean_field && !opts_.given("kinetic")) cfg_.per_slice = true;
    cfg_.tolerance = opts_.real<T>("tolerance", flow::default_dg_tolerance_text<T>(), Range::positive(),
                                   "discrete-gradient: stop the fixed-point iteration when the change of (W', p') is "
                                   "<= tolerance ||(W', p')||_F");
    cfg_.max_iterations = opts_.integer("max_iterations", 200, 1, 100000,
                                        "discrete-gradient: fixed-point iterations allowed per step");
    opts_.finish();
    if (cfg_.mean_field && !cfg_.per_slice) opts_.fail("mean_field", "needs kinetic \"slice\"");
  }

  void init(const std::vector<BlockSpec>& blocks, const Params<T>&) override {
    flow_ = std::make_unique<flow::Flow<T>>(cfg_, blocks);
    started_ = false;
  }

  void step(Params<T>& w, const Params<T>& g, Oracle<T>& oracle) override {
    if (!started_) flow_->start(w, oracle), started_ = true;
    flow_->advance(w, oracle, &g);
  }

  json config() const override {
    json c = opts_.used();
    c["kinetic"] = cfg_.per_slice ? "slice" : "block";
    return c;
  }
  json diagnostics() const override { return flow_ && started_ ? flow_->diagnostics() : json(nullptr); }

 private:
  Options opts_;
  flow::FlowConfig<T> cfg_;
  std::unique_ptr<flow::Flow<T>> flow_;
  bool started_ = false;
};

MB_REGISTER_SOLVER(MuonFlow);

}  // namespace mb
