// Spectral-map benchmarks (numbers in docs/spectral.md and the README). Every timing is compared
// with BM_Gemm/<n>, one n x n x n GEMM measured in the same run, so that ratios survive a busy
// machine. Names:
//   BM_Gemm/<n>                      double C = A B                    n = 128, 256, 512, 1024
//   BM_NewtonSchulz/<schedule>/<n>   double, 5 steps, frobenius       schedules jordan, you,
//                                                                      polar-express, classic, cubic
//   BM_Gram/<n>, BM_SymSquare/<n>    the symmetric kernels: X X^T, and aI + bA + cA^2
//   BM_NewtonSchulzNaive/jordan/<n>  the textbook 3-GEMM step (A = X X^T, B = bA + cA A, aX + B X)
//   BM_PolarSVD/<n>                  polar(M) = U V^T from BDCSVD
//   BM_PowerNewton/<p>/<n>           U Sigma^p V^T by coupled Newton, p = 0, 0.25, 0.5
//   ..._mp50/<n>                     the same in mp50, n = 8, 16, 32
// Counter allocs_per_call: heap allocations per call of the map (after a warm-up call), counted
// by the malloc wrapper below: our code allocates no matrix per call; what remains is Eigen's
// GEMM packing buffers, heap-allocated only above 128 KiB (EIGEN_STACK_ALLOCATION_LIMIT).
// Run with --benchmark_repetitions=5 for the "min" statistic used in docs/spectral.md, and
// bench/summarize_spectral.py for ratios and fitted exponents.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <string>

#include "harness/core/rng.hpp"
#include "solvers/spectral/spectral.hpp"

// ---- allocation counter: malloc/calloc/realloc forwarded to glibc, counted -------------------
extern "C" {
void* __libc_malloc(size_t);
void* __libc_calloc(size_t, size_t);
void* __libc_realloc(void*, size_t);
}
namespace {
std::atomic<long> g_allocs{0};
}
extern "C" void* malloc(size_t n) {
  g_allocs.fetch_add(1, std::memory_order_relaxed);
  return __libc_malloc(n);
}
extern "C" void* calloc(size_t n, size_t m) {
  g_allocs.fetch_add(1, std::memory_order_relaxed);
  return __libc_calloc(n, m);
}
extern "C" void* realloc(void* p, size_t n) {
  g_allocs.fetch_add(1, std::memory_order_relaxed);
  return __libc_realloc(p, n);
}

namespace {

using mb::Mat;
using mb::mp50;
namespace sp = mb::spectral;

template <class T>
Mat<T> input(long n, std::uint64_t seed) {
  mb::Rng rng(seed);
  return rng.normal_matrix<T>(n, n);
}

// Runs f once to warm up, then counts the allocations of one more call, then times f.
template <class F>
void run(benchmark::State& state, F&& f) {
  f();
  const long before = g_allocs.load();
  f();
  const long allocs = g_allocs.load() - before;
  for (auto _ : state) f();
  state.counters["allocs_per_call"] = static_cast<double>(allocs);
}

template <class T>
void gemm(benchmark::State& state, long n) {
  const Mat<T> a = input<T>(n, 1), b = input<T>(n, 2);
  Mat<T> c(n, n);
  run(state, [&] {
    c.noalias() = a * b;
    benchmark::DoNotOptimize(c.data());
  });
  state.counters["GFLOP/s"] = benchmark::Counter(2.0 * n * n * n, benchmark::Counter::kIsIterationInvariantRate,
                                                 benchmark::Counter::kIs1000);
}

// The two symmetric kernels of a Newton-Schulz step (products.hpp): ideally half a GEMM each.
void gram_kernel(benchmark::State& state, long n) {
  const Mat<double> x = input<double>(n, 1);
  Mat<double> c;
  run(state, [&] {
    sp::gram<double>(x, c);
    benchmark::DoNotOptimize(c.data());
  });
}
void sym_square_kernel(benchmark::State& state, long n) {
  Mat<double> a;
  sp::gram<double>(input<double>(n, 1), a);
  Mat<double> c;
  run(state, [&] {
    sp::sym_product<double>(a, a, c, 2.0315, &a, -4.7750, 3.4445);
    benchmark::DoNotOptimize(c.data());
  });
}

template <class T>
void newton_schulz(benchmark::State& state, const std::string& schedule, long n) {
  const Mat<T> g = input<T>(n, 3);
  Mat<T> out;
  sp::NewtonSchulzConfig cfg;
  cfg.schedule = schedule;
  sp::NewtonSchulz<T> ns(cfg);
  run(state, [&] {
    ns.apply(g, out);
    benchmark::DoNotOptimize(out.data());
  });
}

// Plain vs Gram Newton-Schulz (polar-express-1.05, restart after step 2) on a wide n x 4n input,
// the aspect ratio where the Gram form pays (it runs the plain step on square inputs, as
// Dao-AILab/gram-newton-schulz does). Counter "gemms": the flops of the products it runs, in
// units of an n x n x n GEMM (2 n^3), symmetric products (X X^T, polynomials in R) counted at half.
double analytic_gemms(const sp::NewtonSchulzConfig& c, double r) {  // r = cols / rows
  const auto list = sp::schedule_coefficients(c);
  const size_t K = list.size();
  if (c.variant != "gram") {
    double g = 0;
    for (const auto& abc : list) g += r / 2 + (abc[2] == "0" || abc[2] == "0.0" ? 0.0 : 0.5) + r;
    return g;
  }
  auto restart = [&](size_t i) { return std::find(c.restarts.begin(), c.restarts.end(), int(i)) != c.restarts.end(); };
  double g = r / 2 + r;  // R = X X^T, final X <- Q X
  for (size_t i = 0; i < K; ++i) {
    const bool rs = i != 0 && restart(i);
    if (rs) g += r + r / 2;                  // X <- Q X, R <- X X^T
    g += 0.5;                                // Z = b R + c R^2
    if (i != 0 && !rs) g += 0.5;             // Q <- a Q + Q Z
    if (i + 1 < K && !restart(i + 1)) g += 1;  // RZ, R
  }
  return g;
}

void newton_schulz_variant(benchmark::State& state, const std::string& variant, long n) {
  mb::Rng rng(6);
  const Mat<double> g = rng.normal_matrix<double>(n, 4 * n);
  sp::NewtonSchulzConfig cfg;
  cfg.schedule = "polar-express-1.05";
  cfg.normalization = "frobenius-additive";
  cfg.variant = variant;
  sp::NewtonSchulz<double> ns(cfg);
  Mat<double> out;
  run(state, [&] {
    ns.apply(g, out);
    benchmark::DoNotOptimize(out.data());
  });
  state.counters["gemms"] = analytic_gemms(cfg, 4.0);
}

// The textbook step, for comparison: three full products per step.
void newton_schulz_naive(benchmark::State& state, long n) {
  const Mat<double> g = input<double>(n, 3);
  Mat<double> X, A, B, Y;
  const double a = 3.4445, b = -4.7750, c = 2.0315;
  run(state, [&] {
    X = g / std::max(g.norm(), 1e-7);
    for (int k = 0; k < 5; ++k) {
      A.noalias() = X * X.transpose();
      B.noalias() = A * A;
      B = b * A + c * B;
      Y.noalias() = B * X;
      Y += a * X;
      X.swap(Y);
    }
    benchmark::DoNotOptimize(X.data());
  });
}

template <class T>
void polar_svd(benchmark::State& state, long n) {
  const Mat<T> g = input<T>(n, 4);
  run(state, [&] {
    Mat<T> p = sp::polar<T>(g);
    benchmark::DoNotOptimize(p.data());
  });
}

template <class T>
void power_newton(benchmark::State& state, const std::string& p, long n) {
  // A square Gaussian matrix: condition number about n, so the Gram matrix's is about n^2 and the
  // iteration count grows like log n (counter "newton_iterations").
  const Mat<T> g = input<T>(n, 5);
  sp::PowerConfig cfg;
  cfg.p = p;
  cfg.method = "newton";
  sp::SpectralPower<T> pw(cfg);
  Mat<T> out;
  run(state, [&] {
    pw.apply(g, out);
    benchmark::DoNotOptimize(out.data());
  });
  state.counters["newton_iterations"] = pw.last_report().iterations;
}

template <class F>
void add(const std::string& name, F f) {
  benchmark::RegisterBenchmark(name.c_str(), f)
      ->Unit(benchmark::kMillisecond)
      ->ComputeStatistics("min", [](const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); });
}

const int kRegistered = [] {
  const std::vector<long> dsizes{128, 256, 512, 1024}, msizes{8, 16, 32};
  const std::vector<std::string> schedules{"jordan", "you", "polar-express", "classic", "cubic"};
  const std::vector<std::string> powers{"0", "0.25", "0.5"};
  for (long n : dsizes) {
    const std::string N = std::to_string(n);
    add("BM_Gemm/" + N, [n](benchmark::State& s) { gemm<double>(s, n); });
    add("BM_Gram/" + N, [n](benchmark::State& s) { gram_kernel(s, n); });
    add("BM_SymSquare/" + N, [n](benchmark::State& s) { sym_square_kernel(s, n); });
    for (const auto& sc : schedules)
      add("BM_NewtonSchulz/" + sc + "/" + N, [n, sc](benchmark::State& s) { newton_schulz<double>(s, sc, n); });
    for (const std::string v : {"plain", "gram"})
      add("BM_NewtonSchulzVariant/" + v + "/" + N + "x" + std::to_string(4 * n),
          [n, v](benchmark::State& s) { newton_schulz_variant(s, v, n); });
    add("BM_NewtonSchulzNaive/jordan/" + N, [n](benchmark::State& s) { newton_schulz_naive(s, n); });
    add("BM_PolarSVD/" + N, [n](benchmark::State& s) { polar_svd<double>(s, n); });
    for (const auto& p : powers)
      add("BM_PowerNewton/" + p + "/" + N, [n, p](benchmark::State& s) { power_newton<double>(s, p, n); });
  }
  for (long n : msizes) {
    const std::string N = std::to_string(n);
    add("BM_Gemm_mp50/" + N, [n](benchmark::State& s) { gemm<mp50>(s, n); });
    add("BM_NewtonSchulz_mp50/jordan/" + N, [n](benchmark::State& s) { newton_schulz<mp50>(s, "jordan", n); });
    add("BM_PolarSVD_mp50/" + N, [n](benchmark::State& s) { polar_svd<mp50>(s, n); });
    for (const auto& p : powers)
      add("BM_PowerNewton_mp50/" + p + "/" + N, [n, p](benchmark::State& s) { power_newton<mp50>(s, p, n); });
  }
  return 0;
}();

}  // namespace
