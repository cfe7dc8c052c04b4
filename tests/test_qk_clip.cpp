// QK-clip / MuonClip (problems/qk_clip.cpp): the max attention logits of the attention problems
// against a brute-force loop over the problem's own data; after a clip, every clipped head's max
// logit equals tau (the logits are bilinear in (W_q, W_k)) and unclipped heads are untouched, with
// a decoy (scaling both by gamma instead of sqrt(gamma)) that misses; the report's convention
// (gamma from the step's forward pass, at W_k) and the alpha split, each by the exact scale
// factors; tau huge = the inner solver bit for bit; errors; double vs mp50.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>

#include "harness/core/error.hpp"
#include "harness/core/rng.hpp"
#include "harness/oracles.hpp"
#include "harness/problem.hpp"
#include "harness/solver.hpp"

namespace {

using mb::json;
using mb::Mat;
using mb::Params;

// 3 heads of d_h = 2 on non-causal attention; 2 heads on a causal transformer block. init_scale 3
// gives logits of order 10, so a tau between the heads' values clips some and not others.
const json kAtt = {{"d", 6}, {"heads", 3}, {"seq_len", 4}, {"sequences", 3}, {"init_scale", 3}};
const json kBlk = {{"d", 4}, {"heads", 2}, {"seq_len", 5}, {"sequences", 3}, {"d_ff", 4}, {"init_scale", 3}};

// The problems' token matrices, redrawn as their constructors draw them (seed 0; the tags are the
// constructors' "att" and "tblk"); the block's attention sees rms(X) (eps 1e-6), written out here.
Mat<double> tokens(bool block, long d, long cols) {
  mb::Rng rng({0, block ? 0x74626c6bULL : 0x617474ULL});
  Mat<double> X = rng.normal_matrix<double>(d, cols);
  if (block)
    for (long t = 0; t < cols; ++t) X.col(t) /= std::sqrt(X.col(t).squaredNorm() / double(d) + 1e-6);
  return X;
}

// max over sequences b, queries t, keys j (j <= t if causal) of (W_q^h x_bt) . (W_k^h x_bj) / sqrt(d_h).
std::vector<double> brute_max_logits(const Mat<double>& X, const Params<double>& w, long H, long T, bool causal) {
  const long dh = w[0].rows() / H, n = X.cols() / T;
  std::vector<double> out;
  for (long h = 0; h < H; ++h) {
    double m = -1e300;
    for (long b = 0; b < n; ++b)
      for (long t = 0; t < T; ++t)
        for (long j = 0; j < T && (!causal || j <= t); ++j) {
          double s = 0;
          for (long i = 0; i < dh; ++i)
            s += w[0].row(h * dh + i).dot(X.col(b * T + t)) * w[1].row(h * dh + i).dot(X.col(b * T + j));
          m = std::max(m, s / std::sqrt(double(dh)));
        }
    out.push_back(m);
  }
  return out;
}

TEST(QkClip, MaxLogitsMatchBruteForce) {
  for (bool block : {false, true}) {
    const json& p = block ? kBlk : kAtt;
    auto prob = mb::make_problem<double>(block ? "transformer-block" : "attention", p);
    const long H = p["heads"], T = p["seq_len"], n = p["sequences"], d = p["d"];
    const auto layers = prob->attention_layers();
    ASSERT_EQ(layers.size(), 1u);
    EXPECT_EQ(layers[0].wq, 0u);
    EXPECT_EQ(layers[0].wk, 1u);
    EXPECT_EQ(layers[0].heads, H);
    const Mat<double> X = tokens(block, d, n * T);
    bool mask_matters = false;
    for (std::uint64_t seed : {0, 1, 2}) {
      const Params<double> w = prob->initial_point(seed);
      const auto got = prob->max_attention_logits(w);
      ASSERT_EQ(got.size(), 1u);
      const auto want = brute_max_logits(X, w, H, T, block);  // the block is causal by default
      ASSERT_EQ(got[0].size(), size_t(H));
      for (long h = 0; h < H; ++h) EXPECT_NEAR(got[0][h], want[h], 1e-12 * std::max(1.0, std::abs(want[h]))) << h;
      // Decoy: the causal block's logits without the mask (keys after the query counted) differ.
      const auto unmasked = brute_max_logits(X, w, H, T, false);
      for (long h = 0; h < H; ++h) mask_matters |= std::abs(unmasked[h] - got[0][h]) > 1e-6;
    }
    EXPECT_EQ(mask_matters, block);
  }
}

template <class T>
Params<T> run(const mb::Problem<T>& prob, const std::string& solver, const json& hyper, int steps,
              json* diag = nullptr, const Params<T>* w0 = nullptr) {
  auto s = mb::make_solver<T>(solver, hyper);
  mb::ProblemOracle<T> o(prob);
  Params<T> w = w0 ? *w0 : prob.initial_point(0), g;
  s->init(prob.blocks(), w);
  for (int k = 0; k < steps; ++k) {
    prob.value_and_gradient(w, g);
    s->step(w, g, o);
  }
  if (diag) *diag = s->diagnostics();
  return w;
}

// A tau strictly between the smallest and the next head's logit: heads above it are clipped.
double tau_between(std::vector<double> s) {
  std::sort(s.begin(), s.end());
  EXPECT_GT(s[0], 0);
  EXPECT_GT(s[1] - s[0], 1e-3 * s[1]);
  return (s[0] + s[1]) / 2;
}

TEST(QkClip, UpdatedClipHitsTauExactlyAndSparesOtherHeads) {
  auto prob = mb::make_problem<double>("attention", kAtt);
  const long H = 3, dh = 2;
  const Params<double> wA = run(*prob, "muon", json::object(), 1);  // the inner step alone
  const auto SA = prob->max_attention_logits(wA)[0];
  const double tau = tau_between(SA);
  json diag;
  const Params<double> wB = run(*prob, "muon", {{"qk_clip", {{"tau", tau}, {"logits_at", "updated"}}}}, 1, &diag);
  const auto SB = prob->max_attention_logits(wB)[0];
  EXPECT_EQ(wB[2], wA[2]);
  EXPECT_EQ(wB[3], wA[3]);
  long clipped = 0;
  for (long h = 0; h < H; ++h) {
    if (SA[h] <= tau) {  // untouched, bit for bit
      EXPECT_EQ(wB[0].middleRows(h * dh, dh), wA[0].middleRows(h * dh, dh)) << h;
      EXPECT_EQ(wB[1].middleRows(h * dh, dh), wA[1].middleRows(h * dh, dh)) << h;
      EXPECT_EQ(SB[h], SA[h]);
      continue;
    }
    ++clipped;
    const double gamma = tau / SA[h];
    EXPECT_NEAR(SB[h], tau, 1e-13 * tau) << h;
    EXPECT_LT((wB[0].middleRows(h * dh, dh) - std::sqrt(gamma) * wA[0].middleRows(h * dh, dh)).cwiseAbs().maxCoeff(), 1e-15);
    EXPECT_LT((wB[1].middleRows(h * dh, dh) - std::sqrt(gamma) * wA[1].middleRows(h * dh, dh)).cwiseAbs().maxCoeff(), 1e-15);
    // Decoy: W_q and W_k each scaled by gamma scales the logits by gamma^2, overshooting below tau.
    Params<double> wD = wA;
    wD[0].middleRows(h * dh, dh) *= gamma;
    wD[1].middleRows(h * dh, dh) *= gamma;
    const double SD = prob->max_attention_logits(wD)[0][h];
    EXPECT_GT(std::abs(SD - tau), 1e-3 * tau) << h;
    EXPECT_NEAR(SD, gamma * tau, 1e-12 * tau);
  }
  EXPECT_EQ(clipped, 2);
  EXPECT_EQ(diag["qk_clip"]["clipped_heads_per_step"], json::array({2}));
  EXPECT_NEAR(diag["qk_clip"]["max_logit"].get<double>(), *std::max_element(SA.begin(), SA.end()), 1e-12 * tau);
}

// The report's Algorithm 1 (default logits_at = forward): gamma_h from S_max^h of the step's
// forward pass (at W_k), applied to the inner solver's W_{k+1}.
TEST(QkClip, ForwardConventionScalesByTheStepStartLogits) {
  for (double alpha : {0.5, 0.25}) {
    auto prob = mb::make_problem<double>("attention", kAtt);
    const long H = 3, dh = 2;
    const Params<double> w0 = prob->initial_point(0);
    const auto S0 = prob->max_attention_logits(w0)[0];
    const double tau = tau_between(S0);
    const Params<double> wA = run(*prob, "adamw", json::object(), 1);
    const auto SA = prob->max_attention_logits(wA)[0];
    const Params<double> wB = run(*prob, "adamw", {{"qk_clip", {{"tau", tau}, {"alpha", alpha}}}}, 1);
    const auto SB = prob->max_attention_logits(wB)[0];
    for (long h = 0; h < H; ++h) {
      const double gamma = S0[h] > tau ? tau / S0[h] : 1.0;
      const double sq = std::pow(gamma, alpha), sk = std::pow(gamma, 1 - alpha);
      EXPECT_LT((wB[0].middleRows(h * dh, dh) - sq * wA[0].middleRows(h * dh, dh)).cwiseAbs().maxCoeff(), 1e-15) << h;
      EXPECT_LT((wB[1].middleRows(h * dh, dh) - sk * wA[1].middleRows(h * dh, dh)).cwiseAbs().maxCoeff(), 1e-15) << h;
      EXPECT_NEAR(SB[h], gamma * SA[h], 1e-13 * SA[h]) << h;
    }
  }
}

TEST(QkClip, AlphaSplitStillHitsTau) {
  auto prob = mb::make_problem<double>("transformer-block", kBlk);
  const Params<double> wA = run(*prob, "muon", json::object(), 1);
  const auto SA = prob->max_attention_logits(wA)[0];
  const double tau = 0.5 * std::min(SA[0], SA[1]);  // both heads clipped
  ASSERT_GT(tau, 0);
  const Params<double> wB = run(*prob, "muon", {{"qk_clip", {{"tau", tau}, {"alpha", 0.25}, {"logits_at", "updated"}}}}, 1);
  const auto SB = prob->max_attention_logits(wB)[0];
  for (long h = 0; h < 2; ++h) {
    EXPECT_NEAR(SB[h], tau, 1e-13 * tau) << h;
    const double gamma = tau / SA[h];
    EXPECT_LT((wB[0].middleRows(h * 2, 2) - std::pow(gamma, 0.25) * wA[0].middleRows(h * 2, 2)).cwiseAbs().maxCoeff(), 1e-15);
    EXPECT_LT((wB[1].middleRows(h * 2, 2) - std::pow(gamma, 0.75) * wA[1].middleRows(h * 2, 2)).cwiseAbs().maxCoeff(), 1e-15);
  }
  EXPECT_EQ(wB[4], wA[4]);  // the MLP is never touched
}

TEST(QkClip, HugeTauIsTheInnerSolverExactly) {
  auto prob = mb::make_problem<double>("transformer-block", kBlk);
  for (const char* name : {"muon", "adamw", "sgd"}) {
    const json inner = {{"lr", 0.01}};
    json with = inner, diag;
    with["qk_clip"] = {{"tau", 1e30}};
    const Params<double> a = run(*prob, name, inner, 5), b = run(*prob, name, with, 5, &diag);
    for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i], b[i]) << name << " block " << i;
    EXPECT_EQ(diag["qk_clip"]["clipped_heads_per_step"], json::array({0, 0, 0, 0, 0}));
    // config() = the inner config plus "qk_clip" with every setting used.
    json c = mb::make_solver<double>(name, with)->config();
    EXPECT_EQ(c["qk_clip"], json({{"tau", 1e30}, {"alpha", "0.5"}, {"logits_at", "forward"}})) << c.dump();
    c.erase("qk_clip");
    EXPECT_EQ(c, mb::make_solver<double>(name, inner)->config());
  }
}

// Any registered solver: with logits_at = updated, every head's max logit after every step is <= tau.
TEST(QkClip, WrapsEverySolver) {
  auto prob = mb::make_problem<double>("attention", kAtt);
  for (const auto& name : mb::solver_names()) {
    const Params<double> w = run(*prob, name, {{"qk_clip", {{"tau", "1.5"}, {"logits_at", "updated"}}}}, 2);
    const auto S = prob->max_attention_logits(w);
    for (double s : S[0]) EXPECT_LE(s, 1.5 * (1 + 1e-13)) << name;
    for (const auto& b : w) EXPECT_TRUE(b.allFinite()) << name;
  }
}

void expect_error(const std::function<void()>& f, const std::string& part) {
  try {
    f();
    ADD_FAILURE() << "no error; expected one containing: " << part;
  } catch (const mb::Error& e) {
    EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
  }
}

TEST(QkClip, Errors) {
  auto make = [](const json& spec) { return [spec] { mb::make_solver<double>("muon", {{"qk_clip", spec}}); }; };
  expect_error(make({{"tau", 0}}), "solver 'muon': qk_clip: tau");
  expect_error(make({{"tau", -1}}), "tau");
  expect_error(make({{"alpha", 1.5}}), "alpha");
  expect_error(make({{"logits_at", "after"}}), "logits_at");
  expect_error(make({{"threshold", 5}}), "unknown key 'threshold'; valid keys: ");
  expect_error(make({{"threshold", 5}}), "logits_at");
  expect_error(make(5), "qk_clip: expected a JSON object");
  // A problem without attention: at the first step, saying so.
  auto ls = mb::make_problem<double>("quadratic-ls", {{"m", 4}, {"n", 3}});
  expect_error([&] { run(*ls, "muon", {{"qk_clip", json::object()}}, 1); }, "the problem has no attention layers");
  // Through replay: an oracle without a problem.
  auto att = mb::make_problem<double>("attention", kAtt);
  expect_error(
      [&] {
        auto s = mb::make_solver<double>("sgd", {{"qk_clip", {{"tau", 1}}}});
        Params<double> w = att->initial_point(0), g;
        att->value_and_gradient(w, g);
        s->init(att->blocks(), w);
        mb::NoOracle<double> none;
        s->step(w, g, none);
      },
      "the oracle has no problem (a replayed gradient trace");
}

// double and mp50 agree over 3 clipped steps of each convention (the clip is a smooth function of
// the weights away from ties, so the difference is double rounding amplified by a few steps).
TEST(QkClip, DoubleMatchesMp50) {
  const json p = {{"d", 4}, {"heads", 2}, {"seq_len", 3}, {"sequences", 2}, {"init_scale", 3}};
  for (const char* at : {"forward", "updated"}) {
    const json hyper = {{"lr", 0.05}, {"qk_clip", {{"tau", "2"}, {"logits_at", at}}}};
    auto pd = mb::make_problem<double>("attention", p);
    auto pm = mb::make_problem<mb::mp50>("attention", p);
    json dd, dm;
    const Params<double> wd = run(*pd, "muon", hyper, 3, &dd);
    const Params<mb::mp50> wm = run(*pm, "muon", hyper, 3, &dm);
    EXPECT_EQ(dd["qk_clip"]["clipped_heads_per_step"], dm["qk_clip"]["clipped_heads_per_step"]);
    long total = 0;
    for (const auto& c : dd["qk_clip"]["clipped_heads_per_step"]) total += c.get<long>();
    EXPECT_GE(total, 2) << dd.dump();  // the clip really acts (both heads at step 1)
    double err = 0;
    for (size_t i = 0; i < wd.size(); ++i)
      for (long r = 0; r < wd[i].rows(); ++r)
        for (long c = 0; c < wd[i].cols(); ++c) err = std::max(err, std::abs(wd[i](r, c) - mb::to_double(wm[i](r, c))));
    EXPECT_LT(err, 1e-13) << at;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3g", err);
    RecordProperty(std::string("max_abs_diff_") + at, buf);
  }
}

}  // namespace
