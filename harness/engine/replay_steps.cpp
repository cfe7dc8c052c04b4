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

// A 2-D matrix [[..], ..] or a 3-D tensor [E][m][n] (MoE experts, stored as (E m) x n).
bool is_tensor3(const json& j) {
  return j.is_array() && !j.empty() && j[0].is_array() && !j[0].empty() && j[0][0].is_array();
}

template <class T>
Mat<T> tensor_from_json(const json& j, const std::string& field, long max_entries, std::vector<long>& shape) {
  if (!is_tensor3(j)) {
    Mat<T> m = matrix_from_json<T>(j, field, max_entries);
    shape = {m.rows(), m.cols()};
    return m;
  }
  std::vector<Mat<T>> slices;
  for (size_t e = 0; e < j.size(); ++e) {
    slices.push_back(matrix_from_json<T>(j[e], field + "[" + std::to_string(e) + "]", max_entries));
    if (slices[e].rows() != slices[0].rows() || slices[e].cols() != slices[0].cols())
      throw Error(field + "[" + std::to_string(e) + "]: every expert slice must have the shape of slice 0 (" +
                  std::to_string(slices[0].rows()) + " x " + std::to_string(slices[0].cols()) + ")");
  }
  const long E = static_cast<long>(slices.size()), m = slices[0].rows(), n = slices[0].cols();
  if (E * m * n > max_entries) throw Error(field + ": more than " + std::to_string(max_entries) + " entries");
  Mat<T> out(E * m, n);
  for (long e = 0; e < E; ++e) out.middleRows(e * m, m) = slices[static_cast<size_t>(e)];
  shape = {E, m, n};
  return out;
}

template <class T>
json tensor_to_json(const Mat<T>& w, const std::vector<long>& shape) {
  if (shape.size() != 3) return matrix_to_json_strings<T>(w);
  json out = json::array();
  for (long e = 0; e < shape[0]; ++e) out.push_back(matrix_to_json_strings<T>(Mat<T>(w.middleRows(e * shape[1], shape[1]))));
  return out;
}

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
  std::vector<long> shape;
  Params<T> w{tensor_from_json<T>(trace["w0"], "trace.w0", max_entries, shape)};
  const std::vector<BlockSpec> specs{BlockSpec{"W", shape}};
  std::vector<Params<T>> grads;
  for (size_t k = 0; k < trace["grads"].size(); ++k) {
    const std::string f = "trace.grads[" + std::to_string(k) + "]";
    std::vector<long> gshape;
    Params<T> g{tensor_from_json<T>(trace["grads"][k], f, max_entries, gshape)};
    require_shapes(g, specs, f);  // the storage shape; then the expert split of a 3-D trace
    if (gshape != shape) throw Error(f + ": shape " + BlockSpec{"", gshape}.shape_text() + ", expected " + specs[0].shape_text());
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
    traj.push_back(tensor_to_json<T>(w[0], shape));
  }
  return {{"solver", name},
          {"precision", scalar_name<T>()},
          {"config", solver->config()},
          {"trajectory", traj}};
}

template json replay_in<MB_SCALAR>(const std::string&, const json&, const json&, long);

}  // namespace mb
