// dion and dion2 (solvers/dion.cpp, solvers/dion2.cpp) against independent statements of their rules:
//   dion: a hand-written step (classical Gram-Schmidt instead of Householder QR, explicit
//         transposition of wide matrices) over several steps; with full rank, mu = 0 and many power
//         iterations (500: sigma_2/sigma_1 = 0.945 here) the update is -lr polar(G) (subspace iteration converges to the singular vectors:
//         P -> U, Q = R/||R_:j|| -> V, so P Q^T -> U V^T); decoys (no transposition, mu in place of
//         1 - mu) are rejected;
//   dion2: fraction 1 is muon's dion convention (sum momentum with mu = ef_decay, Polar Express),
//         a hand-written top-k l1 column selection for a tall matrix, a decoy selecting rows;
//   both: option errors name the key; a 3-D block [E, m, n] equals E separate matrices; double and
//         mp50 agree. Peer traces: tests/data/peers/dion.json, dion2.json (ctest -R peer.dion).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "harness/oracles.hpp"
#include "harness/solver.hpp"
#include "solvers/spectral/newton_schulz.hpp"
#include "solvers/spectral/polar.hpp"

namespace {

using mb::json;
using mb::Mat;
using mb::Params;

Mat<double> sample(long r, long c, int salt) {
  Mat<double> m(r, c);
  for (long i = 0; i < r; ++i)
    for (long j = 0; j < c; ++j)
      m(i, j) = std::sin(1.7 * i + 0.9 * j * j + salt) + 0.5 * std::cos(0.37 * i * j * (salt + 1)) + 0.05 * salt;
  return m;
}

template <class T>
Mat<T> cast(const Mat<double>& m) {
  return m.unaryExpr([](double x) { return T(x); });
}

// `steps` steps with gradients sample(.., 10 + k + 3 i) per block; the parameters after each step.
template <class T>
std::vector<Params<T>> run(const std::string& name, const json& hyper, const std::vector<mb::BlockSpec>& specs, int steps) {
  auto s = mb::make_solver<T>(name, hyper);
  Params<T> w;
  for (size_t i = 0; i < specs.size(); ++i) w.push_back(cast<T>(sample(specs[i].storage_rows(), specs[i].cols(), static_cast<int>(i))));
  s->init(specs, w);
  mb::NoOracle<T> o;
  std::vector<Params<T>> out;
  for (int k = 0; k < steps; ++k) {
    Params<T> g;
    for (size_t i = 0; i < specs.size(); ++i)
      g.push_back(cast<T>(sample(specs[i].storage_rows(), specs[i].cols(), 10 + k + 3 * static_cast<int>(i))));
    s->step(w, g, o);
    out.push_back(w);
  }
  return out;
}

double diff(const Params<double>& a, const Params<double>& b) {
  double e = 0;
  for (size_t i = 0; i < a.size(); ++i) e = std::max(e, (a[i] - b[i]).cwiseAbs().maxCoeff());
  return e;
}

// ---- dion, hand-written ------------------------------------------------------------------------
void gram_schmidt(Mat<double>& P) {  // classical Gram-Schmidt twice (reorthogonalised), positive diagonal
  for (long j = 0; j < P.cols(); ++j) {
    for (int pass = 0; pass < 2; ++pass)
      for (long i = 0; i < j; ++i) P.col(j) -= P.col(i).dot(P.col(j)) * P.col(i);
    P.col(j) /= P.col(j).norm();
  }
}

struct HandDion {
  HandDion(double lr_, double mu_, double wd_, double eps_, long r_) : lr(lr_), mu(mu_), wd(wd_), eps(eps_), r(r_) {}
  double lr, mu, wd, eps;
  long r;
  bool decoy_no_transpose = false, decoy_mu = false;
  Mat<double> M, Q;
  void step(Mat<double>& W, const Mat<double>& G) {
    const bool tr = W.rows() < W.cols() && !decoy_no_transpose;
    if (M.size() == 0) {
      M = Mat<double>::Zero(W.rows(), W.cols());
      Q = Mat<double>::Identity(decoy_no_transpose ? W.cols() : std::min(W.rows(), W.cols()), r);
    }
    M += G;
    Mat<double> B = tr ? Mat<double>(M.transpose()) : M;
    Mat<double> P = B * Q;
    gram_schmidt(P);
    const Mat<double> R = B.transpose() * P;
    B -= (decoy_mu ? mu : 1 - mu) * P * R.transpose();
    M = tr ? Mat<double>(B.transpose()) : B;
    for (long j = 0; j < R.cols(); ++j) Q.col(j) = R.col(j) / (R.col(j).norm() + eps);
    W *= 1 - lr * wd;
    const double s = std::sqrt(double(W.rows()) / double(W.cols()));
    W -= lr * s * (tr ? Mat<double>(Q * P.transpose()) : Mat<double>(P * Q.transpose()));
  }
};

double hand_gap(long m, long n, long r, const json& hyper, HandDion hand, int steps) {
  const auto ours = run<double>("dion", hyper, {{"W", {m, n}}}, steps);
  Mat<double> W = sample(m, n, 0);
  double e = 0;
  for (int k = 0; k < steps; ++k) {
    hand.r = r;
    hand.step(W, sample(m, n, 10 + k));
    e = std::max(e, (W - ours[k][0]).cwiseAbs().maxCoeff());
  }
  return e;
}

TEST(Dion, EqualsAHandWrittenStepTallWideFullAndLowRank) {
  const json base = {{"q_init", "identity"}, {"lr", 0.1}, {"mu", 0.9}, {"weight_decay", 0.05}};
  for (auto [m, n] : {std::pair<long, long>{8, 5}, {5, 8}, {6, 6}}) {
    const long s = std::min(m, n);
    EXPECT_LT(hand_gap(m, n, s, base, {0.1, 0.9, 0.05, 1e-8, s}, 5), 1e-13) << m << "x" << n;
    json low = base;
    low["rank_fraction"] = 0.5;  // r = ceil(s / 2)
    const long r = (s + 1) / 2;
    EXPECT_LT(hand_gap(m, n, r, low, {0.1, 0.9, 0.05, 1e-8, r}, 5), 1e-13) << m << "x" << n;
    json fixed = base;
    fixed["rank"] = 2;
    EXPECT_LT(hand_gap(m, n, 2, fixed, {0.1, 0.9, 0.05, 1e-8, 2}, 5), 1e-13) << m << "x" << n;
  }
}

TEST(Dion, DecoysAreRejected) {
  const json base = {{"q_init", "identity"}, {"lr", 0.1}, {"mu", 0.9}, {"weight_decay", 0.05}, {"rank_fraction", 0.5}};
  HandDion no_t{0.1, 0.9, 0.05, 1e-8, 3};
  no_t.decoy_no_transpose = true;  // Q on the long side of a wide matrix
  EXPECT_GT(hand_gap(5, 8, 3, base, no_t, 3), 1e-4);
  HandDion swapped{0.1, 0.9, 0.05, 1e-8, 3};
  swapped.decoy_mu = true;  // M -= mu P R^T
  EXPECT_GT(hand_gap(8, 5, 3, base, swapped, 3), 1e-4);
}

TEST(Dion, FullRankConvergedPowerIterationWithoutFeedbackIsMinusLrPolar) {
  const json h = {{"q_init", "identity"}, {"lr", 0.1}, {"mu", 0}, {"weight_decay", 0}, {"adjust_lr", "none"},
                  {"power_iters", 500}, {"epsilon", 1e-30}};
  for (auto [m, n] : {std::pair<long, long>{6, 4}, {4, 6}}) {
    const auto ours = run<double>("dion", h, {{"W", {m, n}}}, 1);
    const Mat<double> expect = sample(m, n, 0) - 0.1 * mb::spectral::polar<double>(sample(m, n, 10));
    EXPECT_LT((ours[0][0] - expect).cwiseAbs().maxCoeff(), 1e-11) << m << "x" << n;
    // decoy: one power iteration from Q0 = I is not the polar factor
    json one = h;
    one["power_iters"] = 1;
    EXPECT_GT((run<double>("dion", one, {{"W", {m, n}}}, 1)[0][0] - expect).cwiseAbs().maxCoeff(), 1e-4);
  }
}

// ---- dion2 -------------------------------------------------------------------------------------
TEST(Dion2, FractionOneIsMuonDionConvention) {
  // Every row selected: M_t = ef M_{t-1} + G_t is muon's sum momentum with mu = ef_decay, no
  // Nesterov; same Polar Express, epsilon, spectral scale and decoupled decay.
  const json d2 = {{"fraction", 1}, {"ns_dtype", "working"}, {"ef_decay", 0.9}, {"lr", 0.05}};
  const json mu = {{"convention", "dion"}, {"ns_dtype", "working"}, {"mu", 0.9}, {"lr", 0.05}};
  for (auto [m, n] : {std::pair<long, long>{8, 5}, {5, 8}}) {
    const auto a = run<double>("dion2", d2, {{"W", {m, n}}}, 5);
    const auto b = run<double>("muon", mu, {{"W", {m, n}}}, 5);
    for (int k = 0; k < 5; ++k) EXPECT_LT(diff(a[k], b[k]), 1e-14) << m << "x" << n << " step " << k;
  }
}

// Hand-written: tall 8 x 5, fraction 0.25: k = ceil(1.25) = 2 columns of largest l1 norm.
Mat<double> hand_dion2_tall(bool decoy_rows) {
  mb::spectral::NewtonSchulzConfig cfg;
  cfg.schedule = "polar-express";
  cfg.normalization = "frobenius-additive";
  cfg.eps = "1e-8";
  cfg.bf16_form = "unfused";
  mb::spectral::NewtonSchulz<double> ns(cfg);
  const double lr = 0.1, wd = 0.01, ef = 0.95, s = std::sqrt(8.0 / 5.0);
  Mat<double> W = sample(8, 5, 0), M = Mat<double>::Zero(8, 5);
  for (int t = 0; t < 3; ++t) {
    M += sample(8, 5, 10 + t);
    Mat<double> X = decoy_rows ? Mat<double>(M.transpose()) : M;  // columns of X = the candidates
    std::vector<long> idx(X.cols());
    std::iota(idx.begin(), idx.end(), 0L);
    std::sort(idx.begin(), idx.end(), [&](long a, long b) { return X.col(a).cwiseAbs().sum() > X.col(b).cwiseAbs().sum(); });
    const long k = static_cast<long>(std::ceil(0.25 * double(X.cols())));
    Mat<double> U(X.rows(), k);
    for (long j = 0; j < k; ++j) U.col(j) = X.col(idx[j]), X.col(idx[j]) *= ef;
    const Mat<double> O = ns(U);
    M = decoy_rows ? Mat<double>(X.transpose()) : X;
    W *= 1 - lr * wd;
    for (long j = 0; j < k; ++j) {
      if (decoy_rows)
        W.row(idx[j]) -= lr * s * O.col(j).transpose();
      else
        W.col(idx[j]) -= lr * s * O.col(j);
    }
  }
  return W;
}

TEST(Dion2, TallSelectsTopL1ColumnsAsHandWritten) {
  const auto ours = run<double>("dion2", {{"lr", 0.1}, {"ns_dtype", "working"}}, {{"W", {8, 5}}}, 3);
  EXPECT_LT((ours[2][0] - hand_dion2_tall(false)).cwiseAbs().maxCoeff(), 1e-14);
  EXPECT_GT((ours[2][0] - hand_dion2_tall(true)).cwiseAbs().maxCoeff(), 1e-3);  // decoy: rows
  // Only k = 2 columns move beyond the decay in the first step.
  const auto one = run<double>("dion2", {{"lr", 0.1}, {"ns_dtype", "working"}}, {{"W", {8, 5}}}, 1);
  const Mat<double> d = one[0][0] - sample(8, 5, 0) * (1 - 0.1 * 0.01);
  int moved = 0;
  for (long j = 0; j < 5; ++j) moved += d.col(j).cwiseAbs().maxCoeff() > 1e-12;  // others: decay rounding only
  EXPECT_EQ(moved, 2) << d;
}

// ---- both --------------------------------------------------------------------------------------
std::string error_of(const std::string& solver, const json& hyper) {
  try {
    mb::make_solver<double>(solver, hyper);
  } catch (const mb::Error& e) {
    return e.what();
  }
  return "";
}

TEST(Dion, OptionErrorsNameTheKey) {
  const std::vector<std::pair<json, std::string>> dion = {
      {{{"rank", 0}}, "rank"},           {{{"rank_fraction", 1.5}}, "rank_fraction"},
      {{{"rank_fraction", 0}}, "rank_fraction"}, {{{"rank", 2}, {"rank_fraction", 0.5}}, "rank"},
      {{{"rank_multiple_of", 0}}, "rank_multiple_of"}, {{{"mu", -0.1}}, "mu"},
      {{{"q_init", "orthogonal"}}, "q_init"}, {{{"power_iters", 0}}, "power_iters"},
      {{{"epsilon", 0}}, "epsilon"},     {{{"adjust_lr", "bogus"}}, "adjust_lr"}};
  for (const auto& [h, key] : dion) {
    const std::string m = error_of("dion", h);
    EXPECT_NE(m.find(key), std::string::npos) << h.dump() << " -> " << m;
  }
  const std::vector<std::pair<json, std::string>> dion2 = {
      {{{"fraction", 0}}, "fraction"}, {{{"fraction", 1.5}}, "fraction"}, {{{"ef_decay", -1}}, "ef_decay"},
      {{{"ns_dtype", "fp8"}}, "ns_dtype"}, {{{"epsilon", -1}}, "epsilon"}, {{{"rank", 2}}, "rank"}};
  for (const auto& [h, key] : dion2) {
    const std::string m = error_of("dion2", h);
    EXPECT_NE(m.find(key), std::string::npos) << h.dump() << " -> " << m;
  }
  EXPECT_EQ(error_of("dion", {{"rank", 3}}), "");
  EXPECT_EQ(error_of("dion2", {{"fraction", 1}}), "");
}

TEST(Dion, PerExpertEqualsSeparateSlices) {
  const std::vector<mb::BlockSpec> moe{{"experts", {3, 6, 4}}};
  const std::vector<mb::BlockSpec> three{{"a", {6, 4}}, {"b", {6, 4}}, {"c", {6, 4}}};
  for (const auto& [name, h] : std::vector<std::pair<std::string, json>>{
           {"dion", {{"lr", 0.1}, {"rank_fraction", 0.5}}},
           {"dion", {{"lr", 0.1}, {"q_init", "identity"}}},
           {"dion2", {{"lr", 0.1}, {"ns_dtype", "working"}}}}) {
    // The same gradients: slice e of the 3-D block gets the rows e*6.. of one sample.
    auto s3 = mb::make_solver<double>(name, h), s1 = mb::make_solver<double>(name, h);
    Params<double> w3{sample(18, 4, 0)}, w1;
    for (long e = 0; e < 3; ++e) w1.push_back(w3[0].middleRows(e * 6, 6));
    s3->init(moe, w3);
    s1->init(three, w1);
    mb::NoOracle<double> o;
    double e_max = 0;
    for (int k = 0; k < 4; ++k) {
      Params<double> g3{sample(18, 4, 10 + k)}, g1;
      for (long e = 0; e < 3; ++e) g1.push_back(g3[0].middleRows(e * 6, 6));
      s3->step(w3, g3, o);
      s1->step(w1, g1, o);
      for (long e = 0; e < 3; ++e) e_max = std::max(e_max, (w3[0].middleRows(e * 6, 6) - w1[e]).cwiseAbs().maxCoeff());
    }
    EXPECT_EQ(e_max, 0.0) << name << " " << h.dump();
    // decoy: the 18 x 4 storage as one matrix is another rule
    const auto whole = run<double>(name, h, {{"W", {18, 4}}}, 4);
    EXPECT_GT((whole[3][0] - w3[0]).cwiseAbs().maxCoeff(), 1e-4) << name;
  }
}

TEST(Dion, DoubleAndMp50Agree) {
  // Tolerance as tests/test_solvers_precision.cpp: a few thousand u of double over 4 steps of
  // maps built from Gram products of 4 x 4 matrices (QR / Newton-Schulz); here < 1e-12.
  const std::vector<mb::BlockSpec> specs{{"A", {6, 4}}, {"B", {4, 6}}};
  for (const auto& [name, h] : std::vector<std::pair<std::string, json>>{
           {"dion", {{"lr", 0.1}}}, {"dion", {{"lr", 0.1}, {"rank_fraction", 0.5}, {"q_init", "identity"}}},
           {"dion2", {{"lr", 0.1}, {"ns_dtype", "working"}}}}) {
    const auto a = run<double>(name, h, specs, 4);
    const auto b = run<mb::mp50>(name, h, specs, 4);
    double e = 0;
    for (size_t k = 0; k < a.size(); ++k)
      for (size_t i = 0; i < specs.size(); ++i)
        for (long r = 0; r < a[k][i].rows(); ++r)
          for (long c = 0; c < a[k][i].cols(); ++c) e = std::max(e, std::abs(a[k][i](r, c) - mb::to_double(b[k][i](r, c))));
    EXPECT_LT(e, 1e-12) << name << " " << h.dump();
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3g", e);
    ::testing::Test::RecordProperty(name + " " + h.dump(), buf);  // the measured gap (--gtest_output=xml)
    EXPECT_GT(e, 0.0) << name;  // double did round: the comparison is live
  }
}

}  // namespace
