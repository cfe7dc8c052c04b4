// One optimizer step per solver at n = 1024 (double) against its spectral map alone, measured in
// the same benchmark so that the ratio survives a busy machine (docs/solvers.md has the table):
//   BM_SolverStep/<label>   one step of the solver on a single 1024 x 1024 block (warm state);
//                           counters step_s and map_s (the map alone on the same input), each the
//                           minimum over 3 calls interleaved step/map/step/map..., timed in process
//                           CPU time (robust to other jobs on a shared machine; the code is
//                           single-threaded), and overhead = (step - map) / map: the cost of
//                           momentum, decay, scaling and copies beyond the map (target < 0.10);
//                           gemms = step_s / gemm_s, the step in units of one n x n x n double
//                           GEMM timed the same way in the same run (issue 17: the cost of every
//                           solver of the family in GEMM units, docs/solvers.md).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <ctime>

#include "harness/core/rng.hpp"
#include "harness/solver.hpp"
#include "solvers/spectral/spectral.hpp"

namespace {

using mb::json;
using mb::Mat;
namespace sp = mb::spectral;

struct NoOracle final : mb::Oracle<double> {
  double value_and_gradient(const mb::Params<double>&, mb::Params<double>&) override { return 0; }
  double value(const mb::Params<double>&) override { return 0; }
};

double cpu_now() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

template <class F>
double cpu_seconds(F&& f) {
  const double t0 = cpu_now();
  f();
  return cpu_now() - t0;
}

void bench(benchmark::State& state, const std::string& solver, const json& hyper,
           const std::function<void(const Mat<double>&, Mat<double>&)>& map) {
  const long n = 1024;
  mb::Rng rng(7);
  const Mat<double> G = rng.normal_matrix<double>(n, n);
  mb::Params<double> w{rng.normal_matrix<double>(n, n)}, g{G};
  const auto known = mb::solver_names();  // read at run time: registration order is static-init order
  if (std::find(known.begin(), known.end(), solver) == known.end()) {
    state.SkipWithError(("solver '" + solver + "' is not registered in this build").c_str());
    return;
  }
  auto s = mb::make_solver<double>(solver, hyper);
  s->init({mb::BlockSpec{"W", {n, n}}}, w);
  NoOracle o;
  s->step(w, g, o);  // warm: state allocated
  Mat<double> out, C(n, n);
  if (map) map(G, out);
  C.noalias() = G * G;  // warm the GEMM packing buffers
  double step_s = 1e300, map_s = 1e300, gemm_s = 1e300;
  for (auto _ : state) {
    step_s = std::min(step_s, cpu_seconds([&] { s->step(w, g, o); }));
    benchmark::DoNotOptimize(w[0].data());
    if (map) map_s = std::min(map_s, cpu_seconds([&] { map(G, out); }));
    gemm_s = std::min(gemm_s, cpu_seconds([&] { C.noalias() = G * G; }));
    benchmark::DoNotOptimize(C.data());
  }
  state.counters["step_s"] = step_s;
  state.counters["gemm_s"] = gemm_s;
  state.counters["gemms"] = step_s / gemm_s;
  if (map) {
    state.counters["map_s"] = map_s;
    state.counters["overhead"] = (step_s - map_s) / map_s;
  }
}

void ns_working(const Mat<double>& G, Mat<double>& out) {
  static sp::NewtonSchulz<double> ns{sp::NewtonSchulzConfig{}};  // torch's map in the working precision
  ns.apply(G, out);
}
void ns_bf16_torch(const Mat<double>& G, Mat<double>& out) {
  static sp::NewtonSchulz<double> ns([] {
    sp::NewtonSchulzConfig c;  // torch.optim.Muon's map: bf16 emulation, addmm steps
    c.bf16 = true;
    return c;
  }());
  ns.apply(G, out);
}
void polar_svd(const Mat<double>& G, Mat<double>& out) { out = sp::polar<double>(G); }
void reg_eig(const Mat<double>& G, Mat<double>& out) { out = sp::reg_polar<double>(G, 0.01, "eig"); }
void power_newton_half(const Mat<double>& G, Mat<double>& out) {
  static sp::SpectralPower<double> p([] {
    sp::PowerConfig c;
    c.p = "0.5", c.method = "newton";
    return c;
  }());
  p.apply(G, out);
}

// The map sees the solver's map input (momentum, a multiple of G on these steps with a fixed G):
// same size and the same spectrum shape, so the same cost.
const int kRegistered = [] {
  struct Entry {
    const char* label;
    const char* solver;
    json hyper;
    void (*map)(const Mat<double>&, Mat<double>&);
  };
  static const std::vector<Entry> entries = {
      {"muon_torch_bf16", "muon", json::object(), &ns_bf16_torch},
      {"muon_working_ns", "muon", {{"ns_dtype", "working"}}, &ns_working},
      {"muon-exact", "muon-exact", json::object(), &polar_svd},
      {"muon-reg_eig", "muon-reg", {{"eps", 0.01}}, &reg_eig},
      {"spectral_p0.5_newton", "spectral", {{"p", 0.5}, {"method", "newton"}}, &power_newton_half},
      {"orthogonal-sgdm", "orthogonal-sgdm", json::object(), &polar_svd},
      {"trust-region_spectral", "trust-region", json::object(), &polar_svd},
      {"nsgd-m", "nsgd-m", json::object(), nullptr},
      // The variants practitioners use (issue 17), each at its reference's defaults.
      {"normuon", "normuon", json::object(), nullptr},
      {"adamuon", "adamuon", json::object(), nullptr},
      {"dion_rank_default", "dion", json::object(), nullptr},
      {"dion2", "dion2", json::object(), nullptr},
      {"polargrad", "polargrad", json::object(), nullptr},
      {"scion", "scion", json::object(), nullptr},
      {"shampoo", "shampoo", json::object(), nullptr},
      {"soap", "soap", json::object(), nullptr},
      {"adamw", "adamw", json::object(), nullptr},
  };
  for (const auto& e : entries) {
    const std::function<void(const Mat<double>&, Mat<double>&)> m = e.map;  // empty for a null map
    benchmark::RegisterBenchmark((std::string("BM_SolverStep/") + e.label).c_str(),
                                 [e, m](benchmark::State& st) { bench(st, e.solver, e.hyper, m); })
        ->Unit(benchmark::kMillisecond)
        ->Iterations(3);
  }
  return 0;
}();

}  // namespace
