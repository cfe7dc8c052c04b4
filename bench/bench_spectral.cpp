// Spectral-map benchmarks (numbers in the README). BM_Gemm/<n> is the n x n x n GEMM every
// Newton-Schulz timing is compared with, measured in the same run.
#include <benchmark/benchmark.h>

#include "harness/rng.hpp"
#include "solvers/spectral/spectral.hpp"

namespace {

void BM_Gemm(benchmark::State& state) {
  const long n = state.range(0);
  mb::Rng rng(1);
  mb::Mat<double> a = rng.normal_matrix<double>(n, n), b = rng.normal_matrix<double>(n, n), c(n, n);
  for (auto _ : state) {
    c.noalias() = a * b;
    benchmark::DoNotOptimize(c.data());
  }
  state.counters["GFLOP/s"] = benchmark::Counter(2.0 * n * n * n, benchmark::Counter::kIsIterationInvariantRate,
                                                 benchmark::Counter::kIs1000);
}
BENCHMARK(BM_Gemm)->Arg(128)->Arg(256)->Arg(512)->Arg(1024)->Unit(benchmark::kMillisecond);

void BM_NewtonSchulzJordan(benchmark::State& state) {
  const long n = state.range(0);
  mb::Rng rng(2);
  mb::Mat<double> g = rng.normal_matrix<double>(n, n), out;
  mb::spectral::NewtonSchulz<double> ns(mb::spectral::NewtonSchulzConfig{});
  for (auto _ : state) {
    ns.apply(g, out);
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_NewtonSchulzJordan)->Name("BM_NewtonSchulz/jordan")->Arg(128)->Arg(256)->Arg(512)->Arg(1024)->Unit(benchmark::kMillisecond);

}  // namespace
