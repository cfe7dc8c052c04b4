// Learning-rate schedules for any solver (harness/solver.hpp, make_solver; docs/solvers.md
// "Learning-rate schedules"): constant, linear warmup, cosine and linear decay, and
// warmup-stable-decay (WSD, Hu et al. 2024, MiniCPM).
//
// How: the wrapped solver takes its step with its own learning rate lr, and the wrapper scales that
// step's update by the schedule's factor s_k:  W_{k+1} = W_k + s_k (W'_{k+1} - W_k).  For a rule
// whose update is linear in lr and whose state does not depend on lr (momentum buffers, Adam's
// moments, Dion's Q, Shampoo's factors: every rule here but the flow), that is exactly the rule
// run with lr_k = s_k lr, which is what torch.optim.lr_scheduler does to each param group's lr
// (decoupled weight decay W (1 - lr_k wd) included). tests/test_lr_schedule.cpp checks that
// linearity for every registered solver, and a torch.optim.lr_scheduler.LambdaLR trace.
//
// Factor at update k = 0, 1, ... (PyTorch: the scheduler's last_epoch when optimizer.step() runs),
// with horizon H (the step budget), warmup W = floor(lr_warmup H), m = lr_min:
//   k < W:                         s = (k + 1) / W                 (linear warmup, reaching 1 at k = W-1)
//   constant, warmup:              s = 1
//   cosine:  p = (k - W)/(H - W):  s = m + (1 - m) (1 + cos(pi p)) / 2
//   linear:                        s = m + (1 - m) (1 - p)
//   wsd, D = floor(lr_decay H):    s = 1 for k < H - D, then m + (1 - m)(1 - (k - H + D)/D)
// p and the decay fraction are clamped to [0, 1] (a run longer than H stays at m).
#include <algorithm>
#include <cmath>

#include "harness/core/per_scalar.hpp"
#include "harness/solver.hpp"

namespace mb {

namespace {
// Rules whose step is not linear in a learning rate: the inertial flow integrates an ODE with
// time step dt, and its momentum p evolves with dt.
bool refuses_schedule(const std::string& name) { return name == "muon-flow"; }
}  // namespace

template <class T>
class LrScheduled : public Solver<T> {
 public:
  LrScheduled(std::unique_ptr<Solver<T>> inner, const json& spec, const std::string& name, const std::string& context)
      : inner_(std::move(inner)), opts_(spec, context + ": learning-rate schedule") {
    if (refuses_schedule(name))
      throw Error(context + ": lr_schedule: '" + name + "' integrates an ODE with time step dt, not a step with a "
                  "learning rate; schedules apply to the discrete rules only");
    kind_ = opts_.choice("lr_schedule", "constant", {"constant", "warmup", "cosine", "linear", "wsd"},
                         "learning-rate schedule: the factor s_k scaling each step's update");
    warmup_ = opts_.real<T>("lr_warmup", kind_ == "warmup" ? "0.1" : "0", Range::unit_halfopen(),
                            "linear warmup over the first floor(lr_warmup * lr_horizon) steps");
    decay_ = opts_.real<T>("lr_decay", "0.2", Range::open_unit(),
                           "wsd: the final fraction of lr_horizon over which the rate decays linearly");
    min_ = opts_.real<T>("lr_min", "0", Range::unit_closed(), "final factor: the rate decays to lr_min * lr");
    horizon_ = opts_.integer("lr_horizon", 0, 0, 1000000000,
                             "steps the schedule spans (0: not given; a suite sets it to budget.max_steps)");
    opts_.finish();
    warmup_steps_ = static_cast<long>(std::floor(static_cast<double>(T(warmup_ * T(horizon_)))));
    decay_steps_ = std::max(1L, static_cast<long>(std::floor(static_cast<double>(T(decay_ * T(horizon_))))));
  }

  // The horizon may be left out when the solver is only validated (a suite's grid, before the
  // runner sets lr_horizon from each cell's budget); a run needs it.
  void init(const std::vector<BlockSpec>& blocks, const Params<T>& w0) override {
    if (horizon_ == 0 && !(kind_ == "constant" && warmup_ == T(0)))
      throw Error(opts_.context() + ": lr_horizon: the schedule '" + kind_ + "' needs a horizon in steps (a suite "
                  "takes it from budget.max_steps; give lr_horizon for muonbench replay)");
    k_ = 0;
    inner_->init(blocks, w0);
  }
  void step(Params<T>& w, const Params<T>& g, Oracle<T>& oracle) override {
    const T s = factor(k_++);
    if (s == T(1)) {
      inner_->step(w, g, oracle);
      return;
    }
    before_ = w;
    inner_->step(w, g, oracle);
    for (size_t i = 0; i < w.size(); ++i) w[i] = before_[i] + s * (w[i] - before_[i]);
  }
  json config() const override {
    json c = inner_->config();
    const json used = opts_.used();
    for (auto it = used.begin(); it != used.end(); ++it) c[it.key()] = it.value();
    return c;
  }
  json diagnostics() const override { return inner_->diagnostics(); }

  // s_k, as documented at the top of this file.
  T factor(long k) const {
    using std::cos;
    using std::acos;
    if (k < warmup_steps_) return T(k + 1) / T(warmup_steps_);
    if (kind_ == "constant" || kind_ == "warmup") return T(1);
    const T one(1);
    if (kind_ == "wsd") {
      const long start = horizon_ - decay_steps_;
      if (k < start) return one;
      const T p = std::min(one, T(k - start) / T(decay_steps_));
      return min_ + (one - min_) * (one - p);
    }
    const long span = std::max(1L, horizon_ - warmup_steps_);
    const T p = std::min(one, T(k - warmup_steps_) / T(span));
    if (kind_ == "linear") return min_ + (one - min_) * (one - p);
    const T pi = acos(T(-1));
    return min_ + (one - min_) * (one + cos(pi * p)) / T(2);
  }

 private:
  std::unique_ptr<Solver<T>> inner_;
  Options opts_;
  std::string kind_;
  T warmup_, decay_, min_;
  long horizon_ = 0, warmup_steps_ = 0, decay_steps_ = 1, k_ = 0;
  Params<T> before_;
};

template <class T>
std::unique_ptr<Solver<T>> wrap_lr_schedule(std::unique_ptr<Solver<T>> inner, const json& spec, const std::string& name,
                                            const std::string& context) {
  return std::make_unique<LrScheduled<T>>(std::move(inner), spec, name, context);
}
template std::unique_ptr<Solver<MB_SCALAR>> wrap_lr_schedule<MB_SCALAR>(std::unique_ptr<Solver<MB_SCALAR>>,
                                                                       const json&, const std::string&,
                                                                       const std::string&);

}  // namespace mb
