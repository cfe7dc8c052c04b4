// Problem benchmarks (docs/problems.md): value (the forward pass) and value+gradient (forward and
// backward) side by side for every family, in double, at realistic small sizes. The ratio
// BM_ValueAndGradient / BM_Value of one family, measured in the same run, is the cost of the
// gradient relative to the forward pass (required <= 3 for transformer-block and mean-field-2layer).
#include <benchmark/benchmark.h>

#include "harness/problem.hpp"

namespace {

using mb::json;

struct Case {
  const char* label;
  const char* problem;
  const char* params;
};

// hessian_constants off: the Hessian eigenvalues are a construction cost, not an evaluation cost.
const Case kCases[] = {
    {"quadratic-kron/256x128", "quadratic-kron", R"({"m": 256, "n": 128})"},
    {"quadratic-ls/256x128", "quadratic-ls", R"({"m": 256, "n": 128, "p": 300, "q": 150})"},
    {"isotropic/256x128", "isotropic", R"({"m": 256, "n": 128})"},
    {"matrix-sensing/16x16,s=768", "matrix-sensing", R"({"m": 16, "n": 16, "rank": 4, "hessian_constants": "off"})"},
    {"factored-sensing/16x16,r=4", "factored-sensing", R"({"m": 16, "n": 16, "rank": 4, "hessian_constants": "off"})"},
    {"deep-linear/256,128,256", "deep-linear", R"({"d_in": 256, "d_out": 256, "width": 128, "hessian_constants": "off"})"},
    {"nonconvex-pl/256x128", "nonconvex-pl", R"({"m": 256, "n": 128})"},
    {"softmax-regression/c10,d32,n2000", "softmax-regression", R"({"classes": 10, "d": 32, "samples": 2000})"},
    {"mean-field-2layer/N1000", "mean-field-2layer", R"({"N": 1000, "d": 16, "k": 8, "d_o": 4, "samples": 256})"},
    {"moe/gate,E16", "moe", R"({"E": 16, "d": 32, "d_o": 16, "samples": 512, "hessian_constants": "off"})"},
    {"moe/feature-map,E16", "moe",
     R"({"form": "feature-map", "E": 16, "d": 32, "d_o": 16, "k": 16, "samples": 512, "hessian_constants": "off"})"},
    {"attention/d64,h4,T32", "attention",
     R"({"d": 64, "heads": 4, "seq_len": 32, "sequences": 8, "hessian_constants": "off"})"},
    {"transformer-block/d64,h4,T32", "transformer-block",
     R"({"d": 64, "heads": 4, "seq_len": 32, "sequences": 8, "hessian_constants": "off"})"},
};

void BM_Value(benchmark::State& state, const Case& c) {
  auto p = mb::make_problem<double>(c.problem, json::parse(c.params));
  const auto w = p->initial_point(0);
  for (auto _ : state) benchmark::DoNotOptimize(p->value(w));
  state.counters["parameters"] = static_cast<double>(mb::total_size(p->blocks()));
}

void BM_ValueAndGradient(benchmark::State& state, const Case& c) {
  auto p = mb::make_problem<double>(c.problem, json::parse(c.params));
  const auto w = p->initial_point(0);
  mb::Params<double> g;
  for (auto _ : state) {
    benchmark::DoNotOptimize(p->value_and_gradient(w, g));
    benchmark::DoNotOptimize(g[0].data());
  }
}

const bool registered = [] {
  for (const auto& c : kCases) {
    benchmark::RegisterBenchmark((std::string("BM_Value/") + c.label).c_str(), BM_Value, c)->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark((std::string("BM_ValueAndGradient/") + c.label).c_str(), BM_ValueAndGradient, c)
        ->Unit(benchmark::kMicrosecond);
  }
  return true;
}();

}  // namespace
