// normuon and adamuon (solvers/normuon.cpp, solvers/adamuon.cpp): each rule written out here from
// its reference's code and held against the solver; closed forms of the first step; decoys (a
// column-mean NorMuon, an AdaMuon without the sign) that the checks and the recorded peer traces
// (tests/data/peers/normuon.json, adamuon.json) reject; option errors; per expert = per slice;
// double vs mp50.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "harness/oracles.hpp"
#include "harness/solver.hpp"
#include "solvers/spectral/newton_schulz.hpp"

namespace {

using mb::json;
using mb::Mat;

Mat<double> sample(long r, long c, int salt) {
  Mat<double> m(r, c);
  for (long i = 0; i < r; ++i)
    for (long j = 0; j < c; ++j)  // full rank, deterministic, entries of both signs
      m(i, j) = std::sin(1.3 * i + 0.7 * j + salt) + 0.5 * std::cos(0.41 * i * j * (salt + 1)) + 0.1 * salt;
  return m;
}

double max_abs(const Mat<double>& a) { return a.cwiseAbs().maxCoeff(); }

// W after the steps with gradients gs of solver `name` on one block of `shape`.
template <class T = double>
mb::Params<T> run(const std::string& name, const json& hyper, const std::vector<long>& shape, const Mat<T>& W0,
                  const std::vector<Mat<T>>& gs) {
  auto s = mb::make_solver<T>(name, hyper);
  mb::Params<T> w{W0};
  s->init({mb::BlockSpec{"W", shape}}, w);
  mb::NoOracle<T> o;
  for (const Mat<T>& g : gs) s->step(w, {g}, o);
  return w;
}

mb::spectral::NewtonSchulz<double> jordan() {  // zichongli5 / AdaMuon zeropower_via_newtonschulz5
  mb::spectral::NewtonSchulzConfig c;
  c.schedule = "jordan", c.normalization = "frobenius-additive", c.eps = "1e-7";
  return mb::spectral::NewtonSchulz<double>(c);
}

// zichongli5/NorMuon normuon_update + SingleDeviceNorMuon.step, written out (axis: the row
// mean when `rows`, the column mean for the decoy).
Mat<double> normuon_written(const Mat<double>& W0, const std::vector<Mat<double>>& gs, double lr, double wd, double mu,
                            double beta2, bool rows = true) {
  auto ns = jordan();
  Mat<double> W = W0, buf = Mat<double>::Zero(W0.rows(), W0.cols());
  Mat<double> v = rows ? Mat<double>::Zero(W0.rows(), 1) : Mat<double>::Zero(1, W0.cols());
  for (const Mat<double>& g : gs) {
    buf = buf + (1 - mu) * (g - buf);
    const Mat<double> u = (1 - mu) * g + mu * buf;
    Mat<double> O = ns(u);
    const double n0 = O.norm();
    const Mat<double> O2 = O.cwiseProduct(O);
    if (rows) {
      v = beta2 * v + (1 - beta2) * O2.rowwise().mean();
      for (long i = 0; i < O.rows(); ++i) O.row(i) /= std::sqrt(v(i)) + 1e-10;
    } else {
      v = beta2 * v + (1 - beta2) * O2.colwise().mean();
      for (long j = 0; j < O.cols(); ++j) O.col(j) /= std::sqrt(v(j)) + 1e-10;
    }
    O *= n0 / (O.norm() + 1e-10);
    if (wd != 0) W *= 1 - lr * wd;
    W -= lr * std::sqrt(std::max(1.0, double(W.rows()) / W.cols())) * O;
  }
  return W;
}

TEST(AdaptiveMuonNorMuon, StepsEqualTheRuleWrittenOut) {
  for (auto [r, c] : {std::pair<long, long>{8, 5}, {5, 8}}) {
    const Mat<double> W0 = sample(r, c, 1);
    const std::vector<Mat<double>> gs{sample(r, c, 2), sample(r, c, 3), sample(r, c, 4)};
    const Mat<double> got = run("normuon", {{"ns_dtype", "working"}}, {r, c}, W0, gs)[0];
    EXPECT_LT(max_abs(got - normuon_written(W0, gs, 0.02, 0, 0.95, 0.95)), 1e-14) << r << "x" << c;
    const json h = {{"ns_dtype", "working"}, {"lr", 0.05}, {"weight_decay", 0.1}, {"momentum", 0.9}, {"beta2", 0.99}};
    EXPECT_LT(max_abs(run("normuon", h, {r, c}, W0, gs)[0] - normuon_written(W0, gs, 0.05, 0.1, 0.9, 0.99)), 1e-14);
  }
}

// First step, closed form: v1 = (1 - beta2) rowmean(O^2), so O/sqrt(v1) has every row of norm
// sqrt(n/(1 - beta2)); rescaled to ||O||_F, every row has norm ||O||_F/sqrt(m):
//   W1 = W0 - lr sqrt(max(1, m/n)) (||O||_F/sqrt(m)) diag(1/||O_i||) O,  O = NS(u1), u1 = 0.0975 G1,
// whatever beta2 (up to the 1e-10 of the reference: relative 1e-9 here).
TEST(AdaptiveMuonNorMuon, FirstStepRowNormalisesMuonsUpdate) {
  auto ns = jordan();
  for (auto [r, c] : {std::pair<long, long>{8, 5}, {5, 8}}) {
    const Mat<double> W0 = sample(r, c, 5), G = sample(r, c, 6);
    Mat<double> O = ns(Mat<double>(0.0975 * G));
    const double target = O.norm() / std::sqrt(double(r));
    for (long i = 0; i < r; ++i) O.row(i) *= target / O.row(i).norm();
    const Mat<double> want = W0 - 0.02 * std::sqrt(std::max(1.0, double(r) / c)) * O;
    for (double beta2 : {0.95, 0.5}) {
      const Mat<double> got = run("normuon", {{"ns_dtype", "working"}, {"beta2", beta2}}, {r, c}, W0, {G})[0];
      EXPECT_LT(max_abs(got - want), 1e-10) << r << "x" << c << " beta2 " << beta2;
      // Decoy: the column mean normalises columns instead; the first step shows it at once.
      EXPECT_GT(max_abs(normuon_written(W0, {G}, 0.02, 0, 0.95, beta2, false) - want), 1e-4);
    }
  }
}

json peer_case(const std::string& file, const std::string& name) {
  std::ifstream in(std::string(MB_TEST_DATA_DIR) + "/peers/" + file);
  const json doc = json::parse(in);
  for (const json& c : doc["cases"])
    if (c["name"] == name) return c;
  ADD_FAILURE() << "no case " << name << " in " << file;
  return json::object();
}

Mat<double> matrix_of(const json& j) {
  Mat<double> m(static_cast<long>(j.size()), static_cast<long>(j[0].size()));
  for (long i = 0; i < m.rows(); ++i)
    for (long k = 0; k < m.cols(); ++k) m(i, k) = j[i][k].get<double>();
  return m;
}

TEST(AdaptiveMuonNorMuon, PeerTraceAcceptsTheRowMeanAndRejectsTheColumnMean) {
  for (const char* name : {"tall-default", "wide-default"}) {
    const json c = peer_case("normuon.json", name);
    const Mat<double> W0 = matrix_of(c["w0"]);
    std::vector<Mat<double>> gs;
    for (const json& g : c["grads"]) gs.push_back(matrix_of(g));
    const Mat<double> peer = matrix_of(c["trajectory"].back());
    EXPECT_LT(max_abs(run("normuon", c["config"], {W0.rows(), W0.cols()}, W0, gs)[0] - peer), 1e-12) << name;
    EXPECT_LT(max_abs(normuon_written(W0, gs, 0.02, 0, 0.95, 0.95) - peer), 1e-12) << name;
    EXPECT_GT(max_abs(normuon_written(W0, gs, 0.02, 0, 0.95, 0.95, false) - peer), 1e-4) << name;
  }
}

// microsoft/dion dion/normuon.py defaults, one step written out: M = G; O = PolarExpress(M);
// V = 0.05 rowmean(O^2); O' = O/(sqrt(V) + 1e-8), rescaled to ||O||_F; W(1 - lr wd) - lr sqrt(m/n) O'.
TEST(AdaptiveMuonNorMuon, DionConventionStepWrittenOut) {
  mb::spectral::NewtonSchulzConfig cfg;
  cfg.schedule = "polar-express", cfg.normalization = "frobenius-additive", cfg.eps = "1e-8", cfg.safety = "1.02";
  mb::spectral::NewtonSchulz<double> ns(cfg);
  for (auto [r, c] : {std::pair<long, long>{8, 5}, {5, 8}}) {
    const Mat<double> W0 = sample(r, c, 7), G = sample(r, c, 8);
    Mat<double> O = ns(G);
    const double n0 = O.norm();
    const Mat<double> v = 0.05 * O.cwiseProduct(O).rowwise().mean();
    for (long i = 0; i < r; ++i) O.row(i) /= std::sqrt(v(i)) + 1e-8;
    O *= n0 / std::max(O.norm(), 1e-8);
    const Mat<double> want = W0 * (1 - 0.01 * 0.01) - 0.01 * std::sqrt(double(r) / c) * O;
    const Mat<double> got = run("normuon", {{"convention", "dion"}, {"ns_dtype", "working"}}, {r, c}, W0, {G})[0];
    EXPECT_LT(max_abs(got - want), 1e-14) << r << "x" << c;
  }
}

// AdaMuon (Chongjie-Si/AdaMuon adamuon.py), first step in closed form: u1 = 0.0975 G1 so
// sign(u1) = sign(G1); v1 = 0.05 O^2, O/sqrt(v1) = sign(O)/sqrt(0.05), whose Frobenius norm is
// sqrt(mn/0.05): the rescale to 0.2 sqrt(mn) leaves 0.2 sign(O). With eps -> 0:
//   W1 = W0 (1 - lr wd) - lr 0.2 sign(NS(sign(G1))).
TEST(AdaptiveMuonAdaMuon, FirstStepIsASignedStepOfRms02) {
  auto ns = jordan();
  auto sgn = [](const Mat<double>& m) { return Mat<double>(m.unaryExpr([](double x) { return double((x > 0) - (x < 0)); })); };
  for (auto [r, c] : {std::pair<long, long>{8, 5}, {5, 8}}) {
    const Mat<double> W0 = sample(r, c, 9), G = sample(r, c, 10);
    const Mat<double> want = W0 * (1 - 0.02 * 0.01) - 0.02 * 0.2 * sgn(ns(sgn(G)));
    const Mat<double> got = run("adamuon", {{"ns_dtype", "working"}, {"eps", 1e-15}}, {r, c}, W0, {G})[0];
    EXPECT_LT(max_abs(got - want), 1e-13) << r << "x" << c;
    // Decoy: without the sign (O = NS(u)) the step's signs follow NS(G).
    const Mat<double> decoy = W0 * (1 - 0.02 * 0.01) - 0.02 * 0.2 * sgn(ns(G));
    EXPECT_GT(max_abs(got - decoy), 1e-3) << r << "x" << c;
  }
}

// Three steps written out from AdaMuon.step (v shares the momentum factor; eps in both places).
Mat<double> adamuon_written(const Mat<double>& W0, const std::vector<Mat<double>>& gs, double lr, double wd, double mu,
                            bool nesterov, double eps, bool sign = true) {
  auto ns = jordan();
  Mat<double> W = W0, buf = Mat<double>::Zero(W0.rows(), W0.cols()), v = buf;
  for (const Mat<double>& g : gs) {
    buf = buf + (1 - mu) * (g - buf);
    const Mat<double> u = nesterov ? Mat<double>((1 - mu) * g + mu * buf) : buf;
    Mat<double> O = ns(sign ? Mat<double>(u.unaryExpr([](double x) { return double((x > 0) - (x < 0)); })) : u);
    v = mu * v + (1 - mu) * O.cwiseProduct(O);
    O = O.array() / (v.array().sqrt() + eps);
    O *= 0.2 * std::sqrt(double(W.size())) / (O.norm() + eps);
    W *= 1 - lr * wd;
    W -= lr * O;
  }
  return W;
}

TEST(AdaptiveMuonAdaMuon, StepsEqualTheRuleWrittenOutAndThePeerTrace) {
  for (auto [r, c] : {std::pair<long, long>{8, 5}, {5, 8}}) {
    const Mat<double> W0 = sample(r, c, 11);
    const std::vector<Mat<double>> gs{sample(r, c, 12), sample(r, c, 13), sample(r, c, 14)};
    EXPECT_LT(max_abs(run("adamuon", {{"ns_dtype", "working"}}, {r, c}, W0, gs)[0] -
                      adamuon_written(W0, gs, 0.02, 0.01, 0.95, true, 1e-8)),
              1e-14);
    const json h = {{"ns_dtype", "working"}, {"lr", 0.05}, {"weight_decay", 0.1}, {"momentum", 0.9}, {"nesterov", false}, {"eps", 1e-6}};
    EXPECT_LT(max_abs(run("adamuon", h, {r, c}, W0, gs)[0] - adamuon_written(W0, gs, 0.05, 0.1, 0.9, false, 1e-6)), 1e-14);
  }
  for (const char* name : {"tall-default", "wide-default"}) {
    const json c = peer_case("adamuon.json", name);
    const Mat<double> W0 = matrix_of(c["w0"]);
    std::vector<Mat<double>> gs;
    for (const json& g : c["grads"]) gs.push_back(matrix_of(g));
    const Mat<double> peer = matrix_of(c["trajectory"].back());
    EXPECT_LT(max_abs(adamuon_written(W0, gs, 0.02, 0.01, 0.95, true, 1e-8) - peer), 1e-12) << name;
    EXPECT_GT(max_abs(adamuon_written(W0, gs, 0.02, 0.01, 0.95, true, 1e-8, false) - peer), 1e-4) << name;
  }
}

std::string error_of(const std::string& solver, const json& hyper) {
  try {
    mb::make_solver<double>(solver, hyper);
  } catch (const mb::Error& e) {
    return e.what();
  }
  return "";
}

TEST(AdaptiveMuonOptions, BadValuesFailNamingTheKey) {
  struct Case {
    const char* solver;
    json hyper;
    const char* text;
  };
  const std::vector<Case> cases = {
      {"normuon", {{"lr", 0}}, "lr must be > 0"},
      {"normuon", {{"beta2", 1}}, "beta2 must be in [0, 1)"},
      {"normuon", {{"momentum", -0.1}}, "momentum must be in [0, 1)"},
      {"normuon", {{"ns_steps", 0}}, "ns_steps"},
      {"normuon", {{"ns_dtype", "fp8"}}, "ns_dtype"},
      {"normuon", {{"convention", "nemo"}}, "convention"},
      {"normuon", {{"convention", "dion"}, {"muon_beta2", 1.5}}, "muon_beta2 must be in [0, 1)"},
      {"normuon", {{"convention", "dion"}, {"epsilon", 0}}, "epsilon must be > 0"},
      {"normuon", {{"convention", "dion"}, {"adjust_lr", "sideways"}}, "adjust_lr"},
      {"normuon", {{"convention", "dion"}, {"beta2", 0.9}}, "unknown key 'beta2'"},
      {"normuon", {{"mu", 0.9}}, "unknown key 'mu'"},
      {"adamuon", {{"eps", 0}}, "eps must be > 0"},
      {"adamuon", {{"momentum", 1}}, "momentum must be in [0, 1)"},
      {"adamuon", {{"weight_decay", -1}}, "weight_decay"},
      {"adamuon", {{"beta2", 0.9}}, "unknown key 'beta2'"},
  };
  for (const Case& c : cases) {
    const std::string m = error_of(c.solver, c.hyper);
    EXPECT_NE(m.find(c.text), std::string::npos) << c.solver << " " << c.hyper.dump() << ": " << m;
  }
  // The dion convention's list of valid keys names dion's spellings.
  const std::string m = error_of("normuon", {{"convention", "dion"}, {"beta2", 0.9}});
  EXPECT_NE(m.find("muon_beta2"), std::string::npos) << m;
  EXPECT_NE(m.find("convention dion"), std::string::npos) << m;
}

// A 3-D block [E, m, n] is E matrices with their own state and normalisation: the same as E runs.
TEST(AdaptiveMuonPerExpert, ThreeDBlockEqualsSeparateRunsPerSlice) {
  const long E = 3, m = 6, n = 4;
  const std::vector<std::pair<std::string, json>> solvers = {
      {"normuon", {{"ns_dtype", "working"}}},
      {"normuon", {{"convention", "dion"}, {"ns_dtype", "working"}, {"nesterov", true}}},
      {"adamuon", {{"ns_dtype", "working"}}}};
  const Mat<double> W0 = sample(E * m, n, 1);
  const std::vector<Mat<double>> gs{sample(E * m, n, 2), sample(E * m, n, 3), sample(E * m, n, 4)};
  for (const auto& [name, h] : solvers) {
    const Mat<double> whole = run(name, h, {E, m, n}, W0, gs)[0];
    double gap = 0;
    for (long e = 0; e < E; ++e) {
      std::vector<Mat<double>> ge;
      for (const auto& g : gs) ge.push_back(g.middleRows(e * m, m));
      gap = std::max(gap, max_abs(run(name, h, {m, n}, Mat<double>(W0.middleRows(e * m, m)), ge)[0] - whole.middleRows(e * m, m)));
    }
    EXPECT_EQ(gap, 0.0) << name << " " << h.dump();
    // Decoy: the stacked (E m) x n matrix as one matrix is a different rule.
    EXPECT_GT(max_abs(run(name, h, {E * m, n}, W0, gs)[0] - whole), 1e-4) << name;
  }
}

// double vs mp50 over 4 steps (Newton-Schulz in the working precision). The mp50 run is exact to
// double's eyes; the double run's rounding: NS (5 quintic steps on a 4 x 4 Gram matrix, entries
// and condition O(10)) ~1e2 u per step, amplified by at most 1/(sqrt(v) + e) / (the rescale)
// ~1e1 in the normalisation, times lr s <= 0.05: ~4 steps x 1e3 u x 0.05 ~ 5e-14; bound 1e-13
// (measured on the peer traces' cases: <= 4.4e-16).
TEST(AdaptiveMuonPrecision, DoubleAndMp50Agree) {
  const std::vector<std::pair<std::string, json>> solvers = {
      {"normuon", {{"ns_dtype", "working"}}},
      {"normuon", {{"convention", "dion"}, {"ns_dtype", "working"}}},
      {"adamuon", {{"ns_dtype", "working"}}}};
  const Mat<double> W0 = sample(6, 4, 1);
  std::vector<Mat<double>> gs;
  std::vector<Mat<mb::mp50>> gm;
  for (int k = 2; k < 6; ++k) gs.push_back(sample(6, 4, k)), gm.push_back(gs.back().cast<mb::mp50>());
  for (const auto& [name, h] : solvers) {
    const Mat<double> d = run(name, h, {6, 4}, W0, gs)[0];
    const Mat<mb::mp50> q = run<mb::mp50>(name, h, {6, 4}, W0.cast<mb::mp50>(), gm)[0];
    double gap = 0;
    for (long i = 0; i < 6; ++i)
      for (long j = 0; j < 4; ++j) gap = std::max(gap, std::abs(d(i, j) - mb::to_double(q(i, j))));
    EXPECT_LT(gap, 1e-13) << name << " " << h.dump();
    EXPECT_GT(gap, 0.0) << name;  // the two precisions really ran
  }
}

}  // namespace
