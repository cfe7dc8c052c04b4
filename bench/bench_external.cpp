// The external-solver protocol's cost per step (docs/plugins.md "Speed"): one step of SGD on one
// n x n float64 block (n = 256, 1024), in process (built-in sgd) and through the protocol to the
// NumPy client examples/external/numpy_sgd.py (the same rule), in wall time (a second process
// works while muonbench waits). overhead_ms = external - in-process, per step: the pipe (W_k and
// g_k out, W_{k+1} back: 3 n^2 8 bytes), the client's parsing and NumPy's own arithmetic.
//   BM_SgdStepInProcess/n        built-in sgd
//   BM_SgdStepExternal/n/shm     external, numpy_sgd.py (skipped when /usr/bin/python3 lacks NumPy);
//                                shm 0: blocks through the pipe, 1: in the shared memory block
//   BM_Echo/n/shm                the protocol's transfer alone: a client that answers W_k unchanged
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <fstream>

#include "harness/core/rng.hpp"
#include "harness/oracles.hpp"
#include "harness/report/environment.hpp"
#include "harness/solver.hpp"

namespace {

using mb::json;
using mb::Mat;

mb::Params<double> random_block(long n, std::uint64_t seed) {
  mb::Rng rng({seed, 0xbe9cULL});
  return {rng.normal_matrix<double>(n, n)};
}

bool have_numpy() {
  static const bool yes = std::system("/usr/bin/python3 -c 'import numpy' >/dev/null 2>&1") == 0;
  return yes;
}

void run_steps(benchmark::State& st, mb::Solver<double>& solver) {
  const long n = st.range(0);
  std::vector<mb::BlockSpec> specs{mb::BlockSpec{"W", {n, n}}};
  mb::Params<double> w = random_block(n, 1), g = random_block(n, 2);
  mb::NoOracle<double> oracle;
  solver.init(specs, w);
  solver.step(w, g, oracle);  // warm: the client has started and answered once
  for (auto _ : st) {
    solver.step(w, g, oracle);
    benchmark::DoNotOptimize(w[0].data());
  }
  st.counters["MB_each_way"] = benchmark::Counter(double(n * n * 8) / 1e6);
}

void BM_SgdStepInProcess(benchmark::State& st) {
  auto solver = mb::make_solver<double>("sgd", {{"lr", 1e-9}});
  run_steps(st, *solver);
}

const char* transport(benchmark::State& st) { return st.range(1) ? "shm" : "pipe"; }

void BM_SgdStepExternal(benchmark::State& st) {
  if (!have_numpy()) return st.SkipWithError("/usr/bin/python3 has no NumPy (scripts/setup installs python3-numpy)");
  auto solver = mb::make_solver<double>(
      "external", {{"command", {"/usr/bin/python3", mb::source_dir() + "/examples/external/numpy_sgd.py"}},
                   {"transport", transport(st)}, {"lr", 1e-9}});
  run_steps(st, *solver);
}

// A client that reads each step and answers with W_k as it came: the protocol's transfer alone.
void BM_Echo(benchmark::State& st) {
  const std::string script = "/tmp/muonbench_bench_echo.py";
  std::ofstream(script) << R"(import json, sys
i, o = sys.stdin.buffer, sys.stdout.buffer
h = json.loads(i.readline())
size = sum(r * c for r, c in (b["storage"] for b in h["blocks"])) * (8 if h["dtype"] == "float64" else 4)
o.write(b'{"protocol": "muonbench-external", "version": 1, "ok": true, "name": "echo"}\n'); o.flush()
shm = h["transport"]["kind"] == "shm"
buf = bytearray(0 if shm else 2 * size); view = memoryview(buf)
while True:
    m = json.loads(i.readline())
    if m.get("done"): break
    if shm:
        o.write(('{"step": %d, "bytes": 0}\n' % m["step"]).encode()); o.flush(); continue
    got = 0
    while got < len(buf): got += i.readinto(view[got:])
    o.write(('{"step": %d, "bytes": %d}\n' % (m["step"], size)).encode()); o.write(view[:size]); o.flush()
)";
  auto solver = mb::make_solver<double>("external", {{"command", {"/usr/bin/python3", script}}, {"transport", transport(st)}});
  run_steps(st, *solver);
}

}  // namespace

BENCHMARK(BM_SgdStepInProcess)->Arg(256)->Arg(1024)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_SgdStepExternal)->ArgsProduct({{256, 1024}, {0, 1}})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Echo)->ArgsProduct({{256, 1024}, {0, 1}})->Unit(benchmark::kMillisecond)->UseRealTime();
