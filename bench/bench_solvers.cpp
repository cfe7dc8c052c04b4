// One optimizer step per solver at n = 1024 (double) against its spectral map alone, measured in
// the same benchmark so that the ratio survives a busy machine (docs/solvers.md has the table):
//   BM_SolverStep/<label>   one step of the solver on a single 1024 x 1024 block (warm state);
//                           counters map_s (the map alone, same input kind, mean of 2 calls) and
//                           overhead = (step - map) / map: the cost of momentum, decay, scaling
//                           and copies beyond the map (target < 0.10).
#include <benchmark/benchmark.h>

#include <chrono>

#include "harness/rng.hpp"
#include "harness/solver.hpp"
#include "solvers/spectral/spectral.hpp"

namespace {

using mb::json;
using mb::Mat;
namespace sp = mb::spectral;
using Clock = std::chrono::steady_clock;

struct NoOracle final : mb::Oracle<double> {
  double value_and_gradient(const mb::Params<double>&, mb::Params<double>&) override { return 0; }
  double value(const mb::Params<double>&) override { return 0; }
};

template <class F>
double seconds_per_call(F&& f, int calls) {
  const auto t0 = Clock::now();
  for (int i = 0; i < calls; ++i) f();
  return std::chrono::duration<double>(Clock::now() - t0).count() / calls;
}

void bench(benchmark::State& state, const std::string& solver, const json& hyper,
           const std::function<void(const Mat<double>&, Mat<double>&)>& map) {
  const long n = 1024;
  mb::Rng rng(7);
  const Mat<double> G = rng.normal_matrix<double>(n, n);
  mb::Params<double> w{rng.normal_matrix<double>(n, n)}, g{G};
  auto s = mb::make_solver<double>(solver, hyper);
  s->init({mb::BlockSpec{"W", {n, n}}}, w);
  NoOracle o;
  s->step(w, g, o);  // warm: state allocated
  Mat<double> out;
  double map_s = 0;
  if (map) {
    map(G, out);
    map_s = seconds_per_call([&] { map(G, out); }, 2);
  }
  double step_total = 0;
  long steps = 0;
  for (auto _ : state) {
    const auto t0 = Clock::now();
    s->step(w, g, o);
    step_total += std::chrono::duration<double>(Clock::now() - t0).count();
    ++steps;
    benchmark::DoNotOptimize(w[0].data());
  }
  const double step_s = step_total / steps;
  state.counters["step_s"] = step_s;
  if (map) {
    state.counters["map_s"] = map_s;
    state.counters["overhead"] = (step_s - map_s) / map_s;
  }
}

void ns_working(const Mat<double>& G, Mat<double>& out) {
  static sp::NewtonSchulz<double> ns([] {
    sp::NewtonSchulzConfig c;  // torch's map in the working precision
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
      {"muon_working_ns", "muon", {{"ns_dtype", "working"}}, &ns_working},
      {"muon-exact", "muon-exact", json::object(), &polar_svd},
      {"muon-reg_eig", "muon-reg", {{"eps", 0.01}}, &reg_eig},
      {"spectral_p0.5_newton", "spectral", {{"p", 0.5}, {"method", "newton"}}, &power_newton_half},
      {"orthogonal-sgdm", "orthogonal-sgdm", json::object(), &polar_svd},
      {"trust-region_spectral", "trust-region", json::object(), &polar_svd},
      {"nsgd-m", "nsgd-m", json::object(), nullptr},
  };
  for (const auto& e : entries) {
    std::function<void(const Mat<double>&, Mat<double>&)> m;
    if (e.map) m = e.map;
    benchmark::RegisterBenchmark((std::string("BM_SolverStep/") + e.label).c_str(),
                                 [e, m](benchmark::State& st) { bench(st, e.solver, e.hyper, m); })
        ->Unit(benchmark::kMillisecond)
        ->Iterations(2);
  }
  return 0;
}();

}  // namespace
