// The rest of the Muon family, each against an independent statement of its rule:
//   trust-region (spectral, R = 0) is exactly non-Nesterov EMA Muon with the exact polar factor;
//   muon-reg's step is grad psi_eps of the EMA momentum (from an SVD) and tends to polar as eps -> 0;
//   spectral's p = 0 / p = 1 ends are polar / the identity, Newton agrees with the SVD, base adam is Adam's direction;
//   orthogonal-sgdm averages polar factors; nsgd-m steps exactly lr in Frobenius norm;
//   blockwise equals the inner solver run on each slice / part separately; vectors go to the fallback.
#include <gtest/gtest.h>

#include <cmath>

#include "harness/oracles.hpp"
#include "harness/solver.hpp"
#include "solvers/spectral/polar.hpp"
#include "solvers/spectral/regularized.hpp"

namespace {

using mb::json;
using mb::Mat;
using mb::Params;

using NoOracle = mb::NoOracle<double>;

Mat<double> sample(long r, long c, int salt) {
  Mat<double> m(r, c);
  for (long i = 0; i < r; ++i)
    for (long j = 0; j < c; ++j)  // full rank (the i j term), deterministic
      m(i, j) = std::sin(1.7 * i + 0.9 * j * j + salt) + 0.5 * std::cos(0.37 * i * j * (salt + 1)) + 0.05 * salt;
  return m;
}

// Runs `steps` steps with gradients sample(.., 10 + k) per block; returns the final parameters.
Params<double> run(const std::string& name, const json& hyper, const std::vector<mb::BlockSpec>& specs, int steps) {
  auto s = mb::make_solver<double>(name, hyper);
  Params<double> w;
  for (size_t i = 0; i < specs.size(); ++i) w.push_back(sample(specs[i].storage_rows(), specs[i].cols(), static_cast<int>(i)));
  s->init(specs, w);
  NoOracle o;
  for (int k = 0; k < steps; ++k) {
    Params<double> g;
    for (size_t i = 0; i < specs.size(); ++i) g.push_back(sample(specs[i].storage_rows(), specs[i].cols(), 10 + k + 3 * static_cast<int>(i)));
    s->step(w, g, o);
  }
  return w;
}

double diff(const Params<double>& a, const Params<double>& b) {
  double e = 0;
  for (size_t i = 0; i < a.size(); ++i) e = std::max(e, (a[i] - b[i]).cwiseAbs().maxCoeff());
  return e;
}

const std::vector<mb::BlockSpec> kOne{{"W", {6, 4}}};

TEST(TrustRegion, SpectralWithoutRegularizerIsNonNesterovEmaMuon) {
  const json muon = {{"lr", 0.05}, {"momentum", 0.9}, {"nesterov", false}, {"weight_decay", 0}, {"shape_scale", "none"}};
  const auto a = run("trust-region", {{"norm", "spectral"}, {"lr", 0.05}, {"momentum", 0.9}}, kOne, 4);
  const auto b = run("muon-exact", muon, kOne, 4);
  // Same lerp, same polar routine on the same input: identical to the last bit.
  EXPECT_EQ(diff(a, b), 0.0);
  // Decoys: Nesterov Muon, and Kovalev's m_0 = g_0 start, are different methods.
  json nest = muon;
  nest["nesterov"] = true;
  EXPECT_GT(diff(a, run("muon-exact", nest, kOne, 4)), 1e-4);
  EXPECT_GT(diff(a, run("trust-region", {{"lr", 0.05}, {"momentum", 0.9}, {"momentum_init", "first_gradient"}}, kOne, 4)), 1e-4);
}

TEST(TrustRegion, FrobeniusIsNsgdMAndLinfIsSign) {
  const auto a = run("trust-region", {{"norm", "frobenius"}, {"lr", 0.05}, {"momentum", 0.9}}, kOne, 3);
  const auto b = run("nsgd-m", {{"lr", 0.05}, {"momentum", 0.9}}, kOne, 3);
  EXPECT_LT(diff(a, b), 1e-15);
  // One l-infinity step moves every entry by exactly lr (no zero gradient entries here).
  const auto w0 = run("trust-region", {{"norm", "linf"}, {"lr", 0.05}}, kOne, 0);
  const auto w1 = run("trust-region", {{"norm", "linf"}, {"lr", 0.05}}, kOne, 1);
  EXPECT_LT(std::abs((w1[0] - w0[0]).cwiseAbs().maxCoeff() - 0.05), 1e-15);
  EXPECT_LT(std::abs((w1[0] - w0[0]).cwiseAbs().minCoeff() - 0.05), 1e-15);
}

TEST(NsgdM, EveryStepHasFrobeniusLengthLr) {
  for (int k = 0; k < 3; ++k) {
    const auto a = run("nsgd-m", {{"lr", 0.03}}, kOne, k), b = run("nsgd-m", {{"lr", 0.03}}, kOne, k + 1);
    EXPECT_NEAR((b[0] - a[0]).norm(), 0.03, 1e-15);
  }
}

TEST(OrthogonalSgdm, MomentumOfPolarFactors) {
  const Mat<double> W0 = sample(6, 4, 0), P1 = mb::spectral::polar<double>(sample(6, 4, 10)),
                    P2 = mb::spectral::polar<double>(sample(6, 4, 11));
  const Mat<double> expected = W0 - 0.1 * P1 - 0.1 * (0.9 * P1 + P2);
  EXPECT_LT((run("orthogonal-sgdm", {{"lr", 0.1}, {"momentum", 0.9}}, kOne, 2)[0] - expected).cwiseAbs().maxCoeff(), 1e-14);
}

TEST(MuonReg, StepIsGradPsiOfEmaMomentumAndTendsToPolar) {
  const Mat<double> W0 = sample(6, 4, 0), G1 = sample(6, 4, 10), G2 = sample(6, 4, 11);
  const Mat<double> M1 = 0.1 * G1, M2 = 0.9 * M1 + 0.1 * G2;
  for (const char* method : {"eig", "newton"}) {
    const Mat<double> expected = W0 - 0.02 * mb::spectral::reg_polar_svd<double>(M1, 0.05) -
                                 0.02 * mb::spectral::reg_polar_svd<double>(M2, 0.05);
    const auto w = run("muon-reg", {{"lr", 0.02}, {"momentum", 0.9}, {"eps", 0.05}, {"method", method}}, kOne, 2);
    EXPECT_LT((w[0] - expected).cwiseAbs().maxCoeff(), 1e-13) << method;
  }
  // eps given as eps^2.
  EXPECT_LT(diff(run("muon-reg", {{"eps", 0.0025}, {"eps_form", "eps2"}}, kOne, 2), run("muon-reg", {{"eps", 0.05}}, kOne, 2)), 1e-15);
  // Huber: Proj_op(M / eps).
  const Mat<double> hub = W0 - 0.02 * mb::spectral::huber_polar<double>(M1, 0.05);
  EXPECT_LT((run("muon-reg", {{"lr", 0.02}, {"momentum", 0.9}, {"eps", 0.05}, {"smoothing", "huber"}}, kOne, 1)[0] - hub).cwiseAbs().maxCoeff(), 1e-14);
  // eps -> 0: muon-exact without Nesterov; the gap shrinks like eps^2 (docs/theory.md 2a, slope 2).
  const json exact = {{"lr", 0.02}, {"momentum", 0.9}, {"nesterov", false}, {"weight_decay", 0}, {"shape_scale", "none"}};
  const auto ref = run("muon-exact", exact, kOne, 2);
  const double e1 = diff(run("muon-reg", {{"lr", 0.02}, {"momentum", 0.9}, {"eps", 1e-3}}, kOne, 2), ref);
  const double e2 = diff(run("muon-reg", {{"lr", 0.02}, {"momentum", 0.9}, {"eps", 1e-4}}, kOne, 2), ref);
  EXPECT_GT(e1, 0.0);
  EXPECT_NEAR(std::log10(e1 / e2), 2.0, 0.1) << e1 << " " << e2;
}

TEST(SpectralSolver, EndsNewtonAndAdamBase) {
  // p = 0 (SVD) with sum momentum equals muon-exact with sum momentum, no Nesterov, same scale.
  const json sum_exact = {{"lr", 0.02}, {"momentum", 0.9}, {"momentum_kind", "sum"}, {"nesterov", false}, {"weight_decay", 0}};
  EXPECT_LT(diff(run("spectral", {{"p", 0}, {"lr", 0.02}, {"momentum", 0.9}}, kOne, 3), run("muon-exact", sum_exact, kOne, 3)), 1e-14);
  // p = 1 is heavy-ball SGD: W -= lr buf.
  const Mat<double> W0 = sample(6, 4, 0), G1 = sample(6, 4, 10), G2 = sample(6, 4, 11);
  const Mat<double> sgd = W0 - 0.02 * G1 - 0.02 * (0.9 * G1 + G2);
  EXPECT_LT((run("spectral", {{"p", 1}, {"lr", 0.02}, {"momentum", 0.9}}, kOne, 2)[0] - sgd).cwiseAbs().maxCoeff(), 1e-15);
  // Coupled Newton agrees with the SVD (p = 1/2, 1/4) to its stopping tolerance.
  for (const char* p : {"0.5", "0.25"})
    EXPECT_LT(diff(run("spectral", {{"p", p}, {"method", "newton"}}, kOne, 3), run("spectral", {{"p", p}}, kOne, 3)), 1e-12) << p;
  // base adam with p = 1 is Adam's step (torch.optim.Adam, no decay).
  EXPECT_LT(diff(run("spectral", {{"p", 1}, {"base", "adam"}, {"lr", 0.01}}, kOne, 3), run("adam", {{"lr", 0.01}}, kOne, 3)), 1e-15);
  // Decoy: p = 1/2 is neither end.
  EXPECT_GT(diff(run("spectral", {{"p", 0.5}, {"lr", 0.02}, {"momentum", 0.9}}, kOne, 2), run("spectral", {{"p", 1}, {"lr", 0.02}, {"momentum", 0.9}}, kOne, 2)), 1e-4);
}

TEST(Blockwise, PerSliceAndPerPartEqualsSeparateRunsWithTheirOwnShapeScales) {
  // [E = 3, 4, 5] stored 12 x 5: three separate 4 x 5 problems for the inner solver.
  const json inner = {{"lr", 0.02}, {"weight_decay", 0.01}};
  auto s = mb::make_solver<double>("blockwise", {{"solver", "muon-exact"}, {"lr", 0.02}, {"weight_decay", 0.01}});
  const mb::BlockSpec moe{"experts", {3, 4, 5}};
  Params<double> w{sample(12, 5, 0)};
  s->init({moe}, w);
  NoOracle o;
  std::vector<Params<double>> per(3);
  std::vector<std::unique_ptr<mb::Solver<double>>> ref;
  for (int e = 0; e < 3; ++e) {
    per[e] = {w[0].middleRows(4 * e, 4)};
    ref.push_back(mb::make_solver<double>("muon-exact", inner));
    ref[e]->init({mb::BlockSpec{"slice", {4, 5}}}, per[e]);
  }
  for (int k = 0; k < 3; ++k) {
    const Mat<double> G = sample(12, 5, 20 + k);
    s->step(w, {G}, o);
    for (int e = 0; e < 3; ++e) ref[e]->step(per[e], {G.middleRows(4 * e, 4)}, o);
  }
  for (int e = 0; e < 3; ++e) EXPECT_EQ((w[0].middleRows(4 * e, 4) - per[e][0]).cwiseAbs().maxCoeff(), 0.0) << e;
  // Decoy: the whole 12 x 5 tensor as one matrix is a different step.
  EXPECT_GT(diff(run("muon-exact", inner, {moe}, 3), run("blockwise", {{"solver", "muon-exact"}, {"lr", 0.02}, {"weight_decay", 0.01}}, {moe}, 3)), 1e-4);
  // Parts: a fused 8 x 4 QKV-like block in 2 parts uses the 4 x 4 parts' scale (1), not 8 x 4's (sqrt 2).
  mb::BlockSpec fused{"qkv", {8, 4}};
  fused.parts = 2;
  const auto whole = run("blockwise", {{"solver", "muon-exact"}, {"per_part", false}}, {fused}, 1);
  const auto split = run("blockwise", {{"solver", "muon-exact"}}, {fused}, 1);
  const auto w0 = run("blockwise", {{"solver", "muon-exact"}}, {fused}, 0);
  const double lr = 0.001;  // torch default
  // first step: ||W1 - W0 (1 - lr wd)||_op = lr * scale (polar has unit norm). Rounding: each
  // entry of W1 and of the difference carries <= 3 roundings of numbers <= 2 (3 * 2^-52), so the
  // computed difference is off by <= ||E||_F <= sqrt(32) * 6.7e-16 < 4e-15 in operator norm.
  auto step_norm = [&](const Params<double>& w1, long r0, long h) {
    const Mat<double> d = w1[0].middleRows(r0, h) - (1 - lr * 0.1) * w0[0].middleRows(r0, h);
    return mb::spectral::op_norm<double>(d);
  };
  EXPECT_NEAR(step_norm(split, 0, 4), lr, 4e-15);
  EXPECT_NEAR(step_norm(split, 4, 4), lr, 4e-15);
  EXPECT_NEAR(step_norm(whole, 0, 8), lr * std::sqrt(2.0), 4e-15);
}

TEST(Fallback, VectorsGoToAdamWByDefaultAndToTheConfiguredSolver) {
  const std::vector<mb::BlockSpec> specs{{"W", {6, 4}}, {"b", {5}}};
  const std::vector<mb::BlockSpec> vec{{"b", {5}}};
  for (const char* name : {"muon", "muon-exact", "muon-reg", "spectral", "orthogonal-sgdm", "nsgd-m", "trust-region"}) {
    // The vector block of the pair equals the fallback run alone (gradient salts match block index 1).
    const auto both = run(name, {{"fallback", {{"solver", "adamw"}, {"lr", 0.003}}}}, specs, 3);
    auto alone_solver = mb::make_solver<double>("adamw", {{"lr", 0.003}});
    Params<double> b{sample(5, 1, 1)};
    alone_solver->init(vec, b);
    NoOracle o;
    for (int k = 0; k < 3; ++k) alone_solver->step(b, {sample(5, 1, 10 + k + 3)}, o);
    EXPECT_LT((both[1] - b[0]).cwiseAbs().maxCoeff(), 1e-15) << name;
    const auto sgd = run(name, {{"fallback", {{"solver", "sgd"}, {"lr", 0.1}}}}, specs, 1);
    EXPECT_LT((sgd[1] - (sample(5, 1, 1) - 0.1 * sample(5, 1, 13))).cwiseAbs().maxCoeff(), 1e-15) << name;
  }
}

}  // namespace

namespace {

// adjust_lr (docs/solvers.md "Learning-rate scaling by shape"): one key for every matrix solver.
// nsgd-m steps exactly lr s in Frobenius norm, so the step's length reads off s directly.
double nsgd_step_length(const json& extra, long rows, long cols) {
  json h = {{"lr", 0.1}, {"momentum", 0.5}};
  for (auto it = extra.begin(); it != extra.end(); ++it) h[it.key()] = it.value();
  const std::vector<mb::BlockSpec> specs{{"W", {rows, cols}}};
  auto s = mb::make_solver<double>("nsgd-m", h);
  Params<double> w{sample(rows, cols, 0)}, w0 = w, g{sample(rows, cols, 5)};
  s->init(specs, w);
  NoOracle o;
  s->step(w, g, o);
  return (w[0] - w0[0]).norm();
}

}  // namespace

TEST(AdjustLr, EveryModeOnTallAndWide) {
  for (auto [r, c] : {std::pair<long, long>{8, 2}, {2, 8}}) {
    const double A = r, B = c;  // out_in layout: fan-out = rows
    EXPECT_NEAR(nsgd_step_length({{"adjust_lr", "none"}}, r, c), 0.1, 1e-14);
    EXPECT_NEAR(nsgd_step_length({{"adjust_lr", "original"}}, r, c), 0.1 * std::sqrt(std::max(1.0, A / B)), 1e-14);
    EXPECT_NEAR(nsgd_step_length({{"adjust_lr", "spectral"}}, r, c), 0.1 * std::sqrt(A / B), 1e-14);
    EXPECT_NEAR(nsgd_step_length({{"adjust_lr", "match_rms_adamw"}}, r, c), 0.1 * 0.2 * std::sqrt(std::max(A, B)), 1e-14);
    EXPECT_NEAR(nsgd_step_length({{"adjust_lr", "match_rms_adamw"}, {"rms_factor", 1}}, r, c), 0.1 * std::sqrt(std::max(A, B)), 1e-14);
    EXPECT_NEAR(nsgd_step_length({{"adjust_lr", "spectral"}, {"extra_scale_factor", 0.5}}, r, c), 0.05 * std::sqrt(A / B), 1e-14);
    // dion's spellings and the older key name mean the same modes.
    EXPECT_EQ(nsgd_step_length({{"adjust_lr", "spectral_norm"}}, r, c), nsgd_step_length({{"adjust_lr", "spectral"}}, r, c));
    EXPECT_EQ(nsgd_step_length({{"adjust_lr", "rms_norm"}}, r, c), nsgd_step_length({{"adjust_lr", "match_rms_adamw"}}, r, c));
    EXPECT_EQ(nsgd_step_length({{"adjust_lr", nullptr}}, r, c), nsgd_step_length({{"adjust_lr", "none"}}, r, c));
    EXPECT_EQ(nsgd_step_length({{"shape_scale", "original"}}, r, c), nsgd_step_length({{"adjust_lr", "original"}}, r, c));
  }
  // A decoy: spectral is not original on a wide matrix (no max with 1).
  EXPECT_GT(std::abs(nsgd_step_length({{"adjust_lr", "spectral"}}, 2, 8) - nsgd_step_length({{"adjust_lr", "original"}}, 2, 8)), 0.04);
}

TEST(AdjustLr, BadValuesNameTheKey) {
  auto err = [](const json& h) {
    try {
      mb::make_solver<double>("nsgd-m", h);
    } catch (const mb::Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(err({{"adjust_lr", "spectrl"}}).find("adjust_lr"), std::string::npos);
  EXPECT_NE(err({{"adjust_lr", "spectrl"}}).find("match_rms_adamw"), std::string::npos);
  EXPECT_NE(err({{"adjust_lr", 3}}).find("adjust_lr"), std::string::npos);
  EXPECT_NE(err({{"adjust_lr", "none"}, {"shape_scale", "none"}}).find("both"), std::string::npos);
  EXPECT_NE(err({{"extra_scale_factor", -1}}).find("extra_scale_factor"), std::string::npos);
  // muon: torch's own spelling and adjust_lr together are refused.
  try {
    mb::make_solver<double>("muon", {{"adjust_lr_fn", "original"}, {"adjust_lr", "spectral"}});
    ADD_FAILURE() << "no error";
  } catch (const mb::Error& e) {
    EXPECT_NE(std::string(e.what()).find("adjust_lr"), std::string::npos) << e.what();
  }
  // dion's muon reads adjust_lr with dion's spelling as before.
  auto m = mb::make_solver<double>("muon", {{"convention", "dion"}, {"adjust_lr", "rms_norm"}});
  EXPECT_EQ(m->config()["resolved"]["adjust_lr"], "match_rms_adamw");
}
