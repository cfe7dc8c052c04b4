// The Solver interface: one iteration at a time, given the (possibly stochastic) gradient at the
// current point. Solvers see problems only through parameter blocks, gradients and an Oracle for
// any extra evaluations (Runge-Kutta stages of muon-flow). One family per file in solvers/,
// registered with MB_REGISTER_SOLVER.
#pragma once

#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "harness/core/json_num.hpp"
#include "harness/core/options.hpp"
#include "harness/core/params.hpp"
#include "harness/core/registry.hpp"

namespace mb {

template <class T>
class Problem;

template <class T>
class Oracle {
 public:
  virtual ~Oracle() = default;
  virtual T value_and_gradient(const Params<T>& w, Params<T>& g) = 0;
  virtual T value(const Params<T>& w) = 0;
  // The problem behind the oracle, for solver wrappers that read its structure (QK-clip reads the
  // attention layout and the max logits); null when there is none (a replayed gradient trace).
  virtual const Problem<T>* problem() const { return nullptr; }
};

template <class T>
class Solver {
 public:
  virtual ~Solver() = default;
  virtual void init(const std::vector<BlockSpec>& blocks, const Params<T>& w0) = 0;
  // One iteration: w holds W_k on entry and W_{k+1} on exit; g is the gradient at W_k.
  virtual void step(Params<T>& w, const Params<T>& g, Oracle<T>& oracle) = 0;
  // The hyperparameters actually used (defaults and convention included).
  virtual json config() const = 0;
  // Solver-specific records for the report (e.g. the flow's Hamiltonian); null if none.
  virtual json diagnostics() const { return nullptr; }
};

// A solver whose update is a separate rule per parameter block (everything except the flows).
// t_ is the step number, 1 on the first step (PyTorch's state['step']).
template <class T>
class BlockSolver : public Solver<T> {
 public:
  void init(const std::vector<BlockSpec>& blocks, const Params<T>& w0) override {
    specs_ = blocks;
    t_ = 0;
    init_state(w0);
  }
  void step(Params<T>& w, const Params<T>& g, Oracle<T>&) override {
    ++t_;
    for (size_t i = 0; i < w.size(); ++i) update_block(i, w[i], g[i]);
  }
  // Public so that a matrix solver can hand its non-matrix blocks to a fallback rule.
  virtual void update_block(size_t i, Mat<T>& W, const Mat<T>& G) = 0;
  void set_step(long t) { t_ = t; }

 protected:
  virtual void init_state(const Params<T>& w0) = 0;
  std::vector<BlockSpec> specs_;
  long t_ = 0;
};

struct SolverInfo {
  std::string name;
  std::string summary;
  std::string update;     // the update rule, exactly
  std::string reference;  // paper / peer code / docs/theory.md section
};

template <class T>
using SolverFactory = std::function<std::unique_ptr<Solver<T>>(const json& hyper)>;

// QK-clip (MuonClip, problems/qk_clip.cpp): `inner` wrapped so that after each of its steps the
// query and key weights of every attention head whose max logit exceeds tau are scaled back.
// `spec` is the value of the solver's "qk_clip" key.
template <class T>
std::unique_ptr<Solver<T>> wrap_qk_clip(std::unique_ptr<Solver<T>> inner, const json& spec, const std::string& context);

// Learning-rate schedules (solvers/lr_schedule.cpp, docs/solvers.md "Learning-rate schedules"):
// the keys below, usable with any solver whose update is linear in its learning rate, scale each
// step's update W_{k+1} - W_k by the schedule's factor s_k (what torch.optim.lr_scheduler does to
// `lr`). `spec` holds those keys only; `name` is the inner solver's registered name.
inline const std::vector<std::string>& lr_schedule_keys() {
  static const std::vector<std::string> keys{"lr_schedule", "lr_warmup", "lr_decay", "lr_min", "lr_horizon"};
  return keys;
}
template <class T>
std::unique_ptr<Solver<T>> wrap_lr_schedule(std::unique_ptr<Solver<T>> inner, const json& spec, const std::string& name,
                                            const std::string& context);
// The hyperparameters with "lr_horizon" set to `max_steps` where a schedule is asked for and no
// horizon is given: a suite's schedules end with its step budget.
inline json with_lr_horizon(const json& hyper, long max_steps) {
  if (!hyper.is_object() || !hyper.contains("lr_schedule") || hyper.contains("lr_horizon")) return hyper;
  json h = hyper;
  h["lr_horizon"] = max_steps;
  return h;
}

// External solvers (solvers/external.cpp, docs/plugins.md): a separate process, started by
// init() and spoken to over a pipe with the versioned protocol of solvers/external_protocol.hpp.
// "external" is not in the registry (it is no one rule: every test that runs each registered
// solver would need a program); make_solver builds it by this name. mp50 is refused.
inline const std::string& external_solver_name() {
  static const std::string name = "external";
  return name;
}
template <class T>
std::unique_ptr<Solver<T>> make_external_solver(const json& hyper, const std::string& context);

// A solver by name. The keys "qk_clip" and lr_schedule_keys() belong to wrappers usable with any
// solver: they are taken out of `hyper` before the solver reads the rest. The schedule scales the
// solver's own update; QK-clip acts after it.
template <class T>
std::unique_ptr<Solver<T>> make_solver(const std::string& name, const json& hyper, const std::string& field = "") {
  const bool external = name == external_solver_name();
  const auto& registry = Registry<SolverFactory<T>>::instance();
  if (!external && !registry.contains(name)) {
    std::vector<std::string> known = Registry<SolverInfo>::instance().names();
    known.push_back(external_solver_name());
    std::sort(known.begin(), known.end());
    throw_unknown("solver", name, field, known);
  }
  const std::string context = "solver '" + name + "'";
  const SolverFactory<T> factory =
      external ? SolverFactory<T>([context](const json& h) { return make_external_solver<T>(h, context); })
               : registry.get(name, "solver", field);
  if (!hyper.is_object()) return factory(hyper);
  json inner = hyper, schedule = json::object();
  for (const auto& k : lr_schedule_keys())
    if (inner.contains(k)) schedule[k] = inner[k], inner.erase(k);
  json clip;
  if (inner.contains("qk_clip")) clip = inner["qk_clip"], inner.erase("qk_clip");
  std::unique_ptr<Solver<T>> s = factory(inner);
  if (!schedule.empty()) s = wrap_lr_schedule<T>(std::move(s), schedule, name, context);
  if (!clip.is_null()) s = wrap_qk_clip<T>(std::move(s), clip, context);
  return s;
}

inline std::vector<std::string> solver_names() { return Registry<SolverInfo>::instance().names(); }
// "solver 'NAME'": how a solver's Options name it in errors (Options opts_(hyper, solver_context(kName))).
inline std::string solver_context(const char* name) { return "solver '" + std::string(name) + "'"; }

}  // namespace mb

#define MB_REGISTER_SOLVER(Class)                                                                      \
  static MB_STATIC_REGISTRATION MB_UNIQUE(mb_solver_registration_)([] {                              \
    using C = Class<MB_SCALAR>;                                                                         \
    ::mb::Registry<::mb::SolverInfo>::instance().add(                                                  \
        C::kName, ::mb::SolverInfo{C::kName, C::kSummary, C::kUpdate, C::kReference}, true);            \
    ::mb::Registry<::mb::SolverFactory<MB_SCALAR>>::instance().add(                                    \
        C::kName, [](const ::mb::json& h) { return std::unique_ptr<::mb::Solver<MB_SCALAR>>(new C(h)); }); \
  })
