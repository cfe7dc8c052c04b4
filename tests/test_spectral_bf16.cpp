// bfloat16 emulation (solvers/spectral/bf16.hpp) reproduces torch.optim.Muon's Newton-Schulz
// output bit for bit. PyTorch always runs that iteration in bf16 (tests/data/
// torch_optim.json, PyTorch 2.11): every Muon case (4 configurations x float32/float64), every
// recorded step.
//
// From two consecutive recorded weights the bf16 output O_k of torch's iteration is recovered:
// W_k = W_{k-1} (1 - lr wd) - lr scale O_k, so O_k = (W_{k-1}(1 - lr wd) - W_k)/(lr scale), with an
// error of at most r = 2 u(dtype) (|W_{k-1}| + |W_k|)/(lr scale) (u = 6e-8 float32, 1.1e-16 float64).
// The momentum input of the iteration is rebuilt with torch's own lerp formulas (solvers/torch_ops.hpp).
//
// Check: every entry of ours is within half a bf16 spacing of torch's (plus r): the same bf16
// number. In float64 (r ~ 1e-13) that is exact equality; in float32 it is equality wherever the
// recovery resolves a bf16 spacing (|O| >~ 0.01) and agreement to r elsewhere.
// Decoys: the written-out "unfused" bf16 step (KellerJordan/Muon's form) and the iteration without
// emulation both miss by many spacings: bf16 Newton-Schulz amplifies early one-ulp differences.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "harness/core/params.hpp"
#include "solvers/matrix_solver.hpp"
#include "solvers/spectral/bf16.hpp"
#include "solvers/spectral/newton_schulz.hpp"
#include "solvers/torch_ops.hpp"
#include "tests/conformance.hpp"

namespace {

using mb::json;
using mb::Mat;
namespace sp = mb::spectral;

// Spacing of bf16 numbers at x (2^(e-7) for |x| in [2^e, 2^(e+1))).
double bf16_spacing(double x) {
  int e;
  std::frexp(x, &e);
  return std::ldexp(1.0, e - 8);
}

struct Outcome {
  double worst[3] = {0, 0, 0};  // max over entries and steps of |ours - torch| / allowed, per variant
  int steps = 0;
};

template <class T>
Outcome replay_case(const json& c) {
  const json& kw = c["kwargs"];
  const double lr = kw.value("lr", 1e-3), wd = kw.value("weight_decay", 0.1), mu_d = kw.value("momentum", 0.95);
  const bool nesterov = kw.value("nesterov", true);
  const std::string adjust = kw.value("adjust_lr_fn", std::string("original"));
  std::vector<sp::NewtonSchulz<T>> variants;  // addmm (the claim), unfused and plain (decoys)
  for (int v = 0; v < 3; ++v) {
    sp::NewtonSchulzConfig cfg;
    cfg.steps = kw.value("ns_steps", 5);
    cfg.eps = "1e-7";
    cfg.bf16 = v < 2;
    cfg.bf16_form = v == 0 ? "addmm" : "unfused";
    variants.emplace_back(cfg);
  }
  Mat<T> W = mb::matrix_from_json<T>(c["w0"], "w0");
  Mat<T> buf = Mat<T>::Zero(W.rows(), W.cols());
  // Python floats reach torch's kernels as binary64, then the dtype.
  const T mu = static_cast<T>(mu_d), one_minus_mu = static_cast<T>(1.0 - mu_d);
  const double scale = mb::shape_scale<double>(adjust, W.rows(), W.cols());
  const double u = mb::unit_roundoff<T>();
  Outcome out;
  for (size_t k = 0; k < c["grads"].size(); ++k) {
    const Mat<T> G = mb::matrix_from_json<T>(c["grads"][k], "grads");
    mb::torch_ops::lerp_(buf, G, one_minus_mu);
    const Mat<T> in = nesterov ? mb::torch_ops::lerp<T>(G, buf, mu) : buf;
    const Mat<T> W_next = mb::matrix_from_json<T>(c["trajectory"][k], "trajectory");
    const Mat<double> Wd = W.template cast<double>(), Wn = W_next.template cast<double>();
    const Mat<double> O_torch = (Wd * static_cast<double>(static_cast<T>(1.0 - lr * wd)) - Wn) / (lr * scale);
    for (int v = 0; v < 3; ++v) {
      const Mat<double> O = variants[static_cast<size_t>(v)](in).template cast<double>();
      for (long j = 0; j < O.cols(); ++j)
        for (long i = 0; i < O.rows(); ++i) {
          const double r = 2 * u * (std::abs(Wd(i, j)) + std::abs(Wn(i, j))) / (lr * scale);
          const double allowed = 0.5 * bf16_spacing(O_torch(i, j)) + r;
          out.worst[v] = std::max(out.worst[v], std::abs(O(i, j) - O_torch(i, j)) / allowed);
        }
    }
    W = W_next;
    ++out.steps;
  }
  return out;
}

TEST(SpectralBf16, ReproducesTorchMuonNewtonSchulzBitForBit) {
  const json data = mb::test::conformance("torch_optim.json");
  int cases = 0;
  for (const auto& c : data["cases"]) {
    if (c["optimizer"] != "Muon") continue;
    const Outcome o = c["dtype"] == "torch.float64" ? replay_case<double>(c) : replay_case<float>(c);
    const std::string what = c["kwargs"].dump() + " " + c["dtype"].get<std::string>();
    EXPECT_EQ(o.steps, 6) << what;
    EXPECT_LE(o.worst[0], 1.0) << what;
    EXPECT_GT(o.worst[1], 2.0) << "decoy (unfused bf16 step) " << what;
    EXPECT_GT(o.worst[2], 2.0) << "decoy (no emulation) " << what;
    std::printf("  %-66s worst |ours - torch| / allowed: addmm %.3f, unfused %.0f, no bf16 %.0f\n", what.c_str(),
                o.worst[0], o.worst[1], o.worst[2]);
    ++cases;
  }
  EXPECT_EQ(cases, 8);
}

TEST(SpectralBf16, RoundsToNearestEven) {
  namespace b = sp::bf16;
  EXPECT_EQ(b::round(1.0f), 1.0f);
  EXPECT_EQ(b::round(1.0f + 1.0f / 256), 1.0f);                    // tie -> even (1.0)
  EXPECT_EQ(b::round(1.0f + 3.0f / 256), 1.0f + 4.0f / 256);       // tie -> even (1 + 2^-6)
  EXPECT_EQ(b::round(1.0f + 1.0f / 256 + 1.0f / 65536), 1.0f + 2.0f / 256);  // above the tie
  EXPECT_EQ(b::round(-3.14159f), -3.140625f);
  EXPECT_TRUE(std::isnan(b::round(std::nanf(""))));
}

}  // namespace
