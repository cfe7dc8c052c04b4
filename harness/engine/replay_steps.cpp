// Replay of a gradient trace in one precision (compiled once per scalar type).
#include "harness/engine/replay.hpp"
#include "harness/solver.hpp"

namespace mb {
namespace {

template <class T>
class TraceOracle final : public Oracle<T> {
 public:
  explicit TraceOracle(std::string solver) : solver_(std::move(solver)) {}
  T value_and_gradient(const Params<T>&, Params<T>&) override { fail(); }
  T value(const Params<T>&) override { fail(); }

 private:
  [[noreturn]] void fail() const {
    throw Error("replay: solver '" + solver_ +
                "' evaluates the objective or gradient at other points (e.g. Runge-Kutta stages); a gradient trace "
                "cannot supply them");
  }
  std::string solver_;
};

}  // namespace

template <class T>
json replay_in(const std::string& name, const json& config, const json& trace, long max_entries) {
  if (!trace.is_object()) throw Error("trace: expected an object {\"w0\": M, \"grads\": [G1, ...]}");
  for (auto it = trace.begin(); it != trace.end(); ++it)
    if (it.key() != "w0" && it.key() != "grads")
      throw Error("trace: unknown key '" + it.key() + "'; valid keys: w0, grads");
  if (!trace.contains("w0")) throw Error("trace: missing 'w0'");
  if (!trace.contains("grads") || !trace["grads"].is_array())
    throw Error("trace.grads: expected a list of gradient matrices");
  if (trace["grads"].empty()) throw Error("trace.grads: expected a non-empty list of gradient matrices");
  Params<T> w{matrix_from_json<T>(trace["w0"], "trace.w0", max_entries)};
  const std::vector<BlockSpec> specs{BlockSpec{"W", {w[0].rows(), w[0].cols()}}};
  std::vector<Params<T>> grads;
  for (size_t k = 0; k < trace["grads"].size(); ++k) {
    const std::string f = "trace.grads[" + std::to_string(k) + "]";
    Params<T> g{matrix_from_json<T>(trace["grads"][k], f, max_entries)};
    require_shapes(g, specs, f);
    grads.push_back(std::move(g));
  }
  auto solver = make_solver<T>(name, config, "--solver");
  solver->init(specs, w);
  TraceOracle<T> oracle(name);
  json traj = json::array();
  for (size_t k = 0; k < grads.size(); ++k) {
    try {
      solver->step(w, grads[k], oracle);
    } catch (const NumericalError& e) {
      throw NumericalError("replay: step " + std::to_string(k + 1) + ": " + e.what());
    }
    if (!all_finite(w[0]))
      throw NumericalError("replay: step " + std::to_string(k + 1) + ": the solver produced non-finite parameters "
                           "(the update overflowed or diverged)");
    traj.push_back(matrix_to_json_strings<T>(w[0]));
  }
  return {{"solver", name},
          {"precision", scalar_name<T>()},
          {"config", solver->config()},
          {"trajectory", traj}};
}

template json replay_in<MB_SCALAR>(const std::string&, const json&, const json&, long);

}  // namespace mb
