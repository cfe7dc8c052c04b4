// external: a solver that runs as its own process and speaks the external-solver protocol
// (solvers/external_protocol.hpp; docs/plugins.md). The process is started by init(), once per
// cell, and receives W_k and g_k every step, answering with W_{k+1}. float64 and float32 only:
// mp50 is refused (the protocol exchanges IEEE blocks), as is a suite or command line that has
// not allowed external programs (harness/engine/suite.cpp, --allow-external).
//
// Hyperparameters: "command" (the program and its arguments; a relative path to an existing file
// is made absolute, since the process runs in a fresh directory); "transport" ("pipe", or "shm":
// the blocks in a shared memory block beside the pipe, solvers/external_protocol.hpp); every other key is the
// process's own hyperparameters, sent in the header as "hyper"; "cell" (problem, seed, max_steps,
// max_seconds) is written by the runner, and max_seconds bounds the process's whole life.
#include <cstring>
#include <type_traits>

#include "harness/solver.hpp"
#include "solvers/external_protocol.hpp"

namespace mb {
namespace {

template <class T>
class ExternalSolver : public Solver<T> {
 public:
  ExternalSolver(const json& hyper, const std::string& context)
      : config_(external::parse_config(hyper, context)), context_(context) {}

  void init(const std::vector<BlockSpec>& blocks, const Params<T>& w0) override {
    std::vector<external::Block> shapes;
    for (const auto& b : blocks)
      shapes.push_back({b.name, b.shape, b.storage_rows(), b.cols(),
                        b.shape.size() == 3 ? "stacked" : b.is_matrix() ? "matrix" : b.shape.empty() ? "scalar" : "vector"});
    for (size_t i = 0; i < w0.size(); ++i)
      if (w0[i].rows() != shapes[i].rows || w0[i].cols() != shapes[i].cols)
        throw Error(context_ + ": block '" + blocks[i].name + "' is stored " + std::to_string(w0[i].rows()) + " x " +
                    std::to_string(w0[i].cols()) + ", its spec says " + blocks[i].shape_text());
    session_.reset();  // a second init starts a fresh process
    session_ = std::make_unique<external::Session>(config_, std::is_same_v<T, double> ? "float64" : "float32",
                                                   sizeof(T), shapes, context_);
    k_ = 0;
  }

  void step(Params<T>& w, const Params<T>& g, Oracle<T>&) override {
    if (!session_) throw Error(context_ + ": step() before init()");
    std::vector<const void*> pw, pg;
    std::vector<void*> out;
    for (size_t i = 0; i < w.size(); ++i) pw.push_back(w[i].data()), pg.push_back(g[i].data()), out.push_back(w[i].data());
    session_->step(k_++, pw, pg, out);
  }

  json config() const override {
    json c = config_.client_hyper;
    json cmd = json::array();
    for (const auto& a : config_.command) cmd.push_back(a);
    c["command"] = cmd;
    c["transport"] = config_.transport;
    if (!config_.program_digest.empty()) c["program_digest"] = config_.program_digest;
    if (session_) c["client"] = session_->client();
    return c;
  }

 private:
  external::Config config_;
  std::string context_;
  std::unique_ptr<external::Session> session_;
  long k_ = 0;
};

}  // namespace

template <>
std::unique_ptr<Solver<MB_SCALAR>> make_external_solver<MB_SCALAR>(const json& hyper, const std::string& context) {
  using T = MB_SCALAR;
  if constexpr (std::is_same_v<T, double> || std::is_same_v<T, float>) {
    return std::make_unique<ExternalSolver<T>>(hyper, context);
  } else {
    throw Error(context + ": not available in " + std::string(scalar_name<T>()) +
                ": an external solver exchanges float64 or float32 blocks with its process (docs/plugins.md); "
                "run it in double or float");
  }
}

}  // namespace mb
