// polargrad and scion (docs/solvers.md): each step written out here independently of the solver
// files (SVDs through harness/core/linalg.hpp, Newton-Schulz through the spectral library),
// decoys the checks reject, per-expert = separate runs, option errors naming the key, the block
// overrides of scion, Frank-Wolfe feasibility, and double vs mp50.
#include <gtest/gtest.h>

#include <cmath>

#include "harness/core/linalg.hpp"
#include "harness/oracles.hpp"
#include "harness/solver.hpp"
#include "solvers/spectral/newton_schulz.hpp"

namespace {

using mb::json;
using mb::Mat;

Mat<double> sample(long r, long c, int salt, double amp = 1.0) {
  Mat<double> m(r, c);
  for (long i = 0; i < r; ++i)
    for (long j = 0; j < c; ++j)
      m(i, j) = amp * (std::sin(1.3 * i + 0.7 * j + salt) + 0.5 * std::cos(0.41 * i * j * (salt + 1)) + 0.1 * salt);
  return m;
}

double op_norm(const Mat<double>& M) { return mb::linalg::singular_values<double>(M)(0); }
double max_abs(const Mat<double>& M) { return M.cwiseAbs().maxCoeff(); }

// `steps` steps of solver `name` on one block of shape `shape` (storage rows x cols given by W0).
template <class T>
std::vector<Mat<T>> run(const std::string& name, const json& hyper, const std::vector<long>& shape, const Mat<T>& W0,
                        const std::vector<Mat<T>>& grads) {
  auto s = mb::make_solver<T>(name, hyper);
  mb::Params<T> w{W0};
  s->init({mb::BlockSpec{"W", shape}}, w);
  mb::NoOracle<T> oracle;
  std::vector<Mat<T>> out;
  for (const Mat<T>& g : grads) {
    s->step(w, {g}, oracle);
    out.push_back(w[0]);
  }
  return out;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

// ---- polargrad ---------------------------------------------------------------------------------

// ||M||_* polar(M) from the SVD, and the Frobenius-scaled decoy ||M||_F polar(M).
Mat<double> nuclear_step(const Mat<double>& M, bool frobenius_decoy = false) {
  const auto svd = mb::linalg::thin_svd<double>(M);
  const double scale = frobenius_decoy ? M.norm() : svd.s.sum();
  return scale * (svd.U * svd.V.transpose());
}

TEST(PolarGradSteps, ExactPolarStepIsNuclearNormTimesPolarFromSvd) {
  const Mat<double> W0 = sample(6, 4, 1), G1 = sample(6, 4, 2), G2 = sample(6, 4, 3);
  for (const double wd : {0.0, 0.1}) {
    const auto traj = run<double>("polargrad", {{"weight_decay", wd}}, {6, 4}, W0, {G1, G2});
    // polar_grad.py defaults: lr 0.02, momentum 0.95 (m = lerp(m, g, 0.05)), decay before the step.
    const double lr = 0.02, mu = 0.95;
    Mat<double> m = (1 - mu) * G1, W = W0 * (1 - lr * wd) - lr * nuclear_step(m);
    EXPECT_LT(max_abs(traj[0] - W), 1e-14) << wd;
    m = mu * m + (1 - mu) * G2;
    const Mat<double> W2 = W * (1 - lr * wd) - lr * nuclear_step(m);
    EXPECT_LT(max_abs(traj[1] - W2), 1e-14) << wd;
    // Decoys: Frobenius instead of nuclear scaling; the unscaled (Muon / LMO) step.
    const Mat<double> frob = W * (1 - lr * wd) - lr * nuclear_step(m, true);
    EXPECT_GT(max_abs(traj[1] - frob), 1e-4) << wd;
    const auto svd = mb::linalg::thin_svd<double>(m);
    const Mat<double> lmo = W * (1 - lr * wd) - lr * svd.U * svd.V.transpose();
    EXPECT_GT(max_abs(traj[1] - lmo), 1e-4) << wd;
  }
}

TEST(PolarGradSteps, PolarFirstAveragesPolarFactorsScaledByTheGradientsNuclearNorm) {
  const Mat<double> W0 = sample(4, 7, 4), G1 = sample(4, 7, 5), G2 = sample(4, 7, 6);
  const auto traj = run<double>("polargrad", {{"polar_first", true}, {"momentum", "0.8"}}, {4, 7}, W0, {G1, G2});
  auto polar = [](const Mat<double>& M) {
    const auto s = mb::linalg::thin_svd<double>(M);
    return Mat<double>(s.U * s.V.transpose());
  };
  const double lr = 0.02, mu = 0.8;
  Mat<double> m = (1 - mu) * polar(G1);
  Mat<double> W = W0 - lr * mb::linalg::singular_values<double>(G1).sum() * m;
  EXPECT_LT(max_abs(traj[0] - W), 1e-14);
  m = mu * m + (1 - mu) * polar(G2);
  W -= lr * mb::linalg::singular_values<double>(G2).sum() * m;
  EXPECT_LT(max_abs(traj[1] - W), 1e-14);
  // Decoy: the polar of the momentum (the default order) is another step.
  const auto other = run<double>("polargrad", {{"momentum", "0.8"}}, {4, 7}, W0, {G1, G2});
  EXPECT_GT(max_abs(traj[1] - other[1]), 1e-4);
}

TEST(PolarGradSteps, NewtonSchulzScaleIsTheInnerProductWithTheIterateNotTheNuclearNorm) {
  const Mat<double> W0 = sample(5, 8, 7), G = sample(5, 8, 8);
  const auto traj = run<double>("polargrad", {{"method", "ns"}, {"bf16", false}}, {5, 8}, W0, {G});
  mb::spectral::NewtonSchulzConfig cfg;  // newton_schulz.py: (3.4445, -4.7750, 2.031), 2 steps (inner_steps)
  cfg.schedule = "custom", cfg.coefficients = {{"3.4445", "-4.7750", "2.031"}}, cfg.steps = 2;
  cfg.normalization = "frobenius-additive", cfg.eps = "1e-7";
  mb::spectral::NewtonSchulz<double> ns(cfg);
  const Mat<double> m = 0.05 * G, U = ns(m);
  const Mat<double> W = W0 - 0.02 * m.cwiseProduct(U).sum() * U;
  EXPECT_LT(max_abs(traj[0] - W), 1e-15);
  // Decoy: the true nuclear norm (2 NS steps are far from converged, <m, NS(m)> differs).
  const Mat<double> decoy = W0 - 0.02 * mb::linalg::singular_values<double>(m).sum() * U;
  EXPECT_GT(max_abs(traj[0] - decoy), 1e-5);
  // Decoy: Jordan's c = 2.0315 instead of PolarGrad's 2.031.
  cfg.coefficients = {{"3.4445", "-4.7750", "2.0315"}};
  mb::spectral::NewtonSchulz<double> jordan(cfg);
  const Mat<double> Uj = jordan(m);
  EXPECT_GT(max_abs(traj[0] - (W0 - 0.02 * m.cwiseProduct(Uj).sum() * Uj)), 1e-8);
}

TEST(PolarGradSteps, ExpertsOfA3dBlockAreSeparateRuns) {
  const long E = 3, m = 6, n = 4;
  const Mat<double> W0 = sample(E * m, n, 9), G1 = sample(E * m, n, 10), G2 = sample(E * m, n, 11);
  for (const json& h : {json{{"weight_decay", "0.05"}}, json{{"method", "ns"}, {"bf16", false}, {"inner_steps", 5}}}) {
    const auto moe = run<double>("polargrad", h, {E, m, n}, W0, {G1, G2});
    for (long e = 0; e < E; ++e) {
      const auto one = run<double>("polargrad", h, {m, n}, Mat<double>(W0.middleRows(e * m, m)),
                                   {Mat<double>(G1.middleRows(e * m, m)), Mat<double>(G2.middleRows(e * m, m))});
      EXPECT_EQ(max_abs(moe[1].middleRows(e * m, m) - one[1]), 0.0) << h.dump() << " expert " << e;
    }
    // Decoy: the (E m) x n storage as one matrix is another rule.
    const auto whole = run<double>("polargrad", h, {E * m, n}, W0, {G1, G2});
    EXPECT_GT(max_abs(moe[1] - whole[1]), 1e-4) << h.dump();
  }
}

TEST(PolarGradOptions, ErrorsNameTheKey) {
  EXPECT_NE(error_of([] { mb::make_solver<double>("polargrad", {{"method", "qdwh"}}); }).find("method"), std::string::npos);
  EXPECT_NE(error_of([] { mb::make_solver<double>("polargrad", {{"momentum", 1}}); }).find("momentum"), std::string::npos);
  EXPECT_NE(error_of([] { mb::make_solver<double>("polargrad", {{"inner_steps", -1}}); }).find("inner_steps"), std::string::npos);
  EXPECT_NE(error_of([] { mb::make_solver<double>("polargrad", {{"lr", 0}}); }).find("lr"), std::string::npos);
  EXPECT_NE(error_of([] { mb::make_solver<double>("polargrad", {{"nesterov", true}}); }).find("nesterov"), std::string::npos);
}

// ---- scion ---------------------------------------------------------------------------------------

TEST(ScionSteps, HandWrittenStepsOfEachNorm) {
  const Mat<double> W0 = sample(6, 4, 12, 0.3), G = sample(6, 4, 13);
  const double lr = 0.05, rho = 2.0;
  mb::spectral::NewtonSchulzConfig cfg;  // zeropower_via_newtonschulz5: Jordan, X / (||X||_F + 1e-7), 5 steps
  cfg.normalization = "frobenius-additive", cfg.eps = "1e-7";
  mb::spectral::NewtonSchulz<double> ns(cfg);
  const Mat<double> sign = G.unaryExpr([](double x) { return double((x > 0) - (x < 0)); });
  Mat<double> colnorm = G;
  for (long j = 0; j < 4; ++j) colnorm.col(j) /= G.col(j).norm() / std::sqrt(6.0) + 1e-8;
  Mat<double> rownorm = G;
  for (long i = 0; i < 6; ++i) rownorm.row(i) /= G.row(i).norm() * std::sqrt(4.0) + 1e-8;
  const struct {
    const char* norm;
    Mat<double> lmo;
  } cases[] = {{"Spectral", std::sqrt(6.0 / 4.0) * ns(G)}, {"Sign", sign / 4.0}, {"ColNorm", colnorm}, {"RowNorm", rownorm}};
  for (const auto& c : cases) {
    for (const bool unconstrained : {false, true}) {
      const json h{{"lr", lr}, {"scale", rho}, {"norm", c.norm}, {"unconstrained", unconstrained}, {"bf16", false}};
      const auto traj = run<double>("scion", h, {6, 4}, W0, {G});
      const Mat<double> W = (unconstrained ? 1.0 : 1.0 - lr) * W0 - lr * rho * c.lmo;
      EXPECT_LT(max_abs(traj[0] - W), 1e-14) << c.norm << " " << unconstrained;
      // Decoy: the other form.
      const Mat<double> other = (unconstrained ? 1.0 - lr : 1.0) * W0 - lr * rho * c.lmo;
      EXPECT_GT(max_abs(traj[0] - other), 1e-4) << c.norm;
    }
  }
}

TEST(ScionSteps, MomentumIsOneMinusBeta) {
  // scion: d = (1 - momentum) d + momentum g. With momentum 0.1, d2 = 0.09 g1 + 0.1 g2; the usual
  // convention (beta = 0.1) would give 0.09 g1 + 0.9 g2, another direction (ColNorm keeps each
  // column's direction).
  const Mat<double> W0 = sample(5, 3, 14, 0.3), G1 = sample(5, 3, 15), G2 = sample(5, 3, 16);
  const auto traj = run<double>("scion", {{"momentum", "0.1"}, {"norm", "ColNorm"}, {"lr", "0.1"}}, {5, 3}, W0, {G1, G2});
  auto colnorm = [](Mat<double> M) {
    for (long j = 0; j < M.cols(); ++j) M.col(j) /= M.col(j).norm() / std::sqrt(double(M.rows())) + 1e-8;
    return M;
  };
  const Mat<double> W1 = 0.9 * W0 - 0.1 * colnorm(0.1 * G1);
  EXPECT_LT(max_abs(traj[0] - W1), 1e-15);
  const Mat<double> d2 = 0.9 * (0.1 * G1) + 0.1 * G2;
  EXPECT_LT(max_abs(traj[1] - (0.9 * W1 - 0.1 * colnorm(d2))), 1e-15);
  const Mat<double> decoy = 0.1 * (0.9 * G1) + 0.9 * G2;
  EXPECT_GT(max_abs(traj[1] - (0.9 * W1 - 0.1 * colnorm(decoy))), 1e-3);
}

TEST(ScionSteps, ConstrainedFormStaysInTheSpectralBall) {
  // Frank-Wolfe: W <- (1 - lr) W + lr (-rho s NS(d)) is a convex combination, so ||W||_op never
  // exceeds max(||W0||_op, max_t ||rho s NS(d_t)||_op) = rho s q_max (q_max: the largest value of
  // the Jordan quintic on [0, 1], under 1.2). Unconstrained steps in a fixed direction leave the ball.
  const double rho = 1.5, s = std::sqrt(6.0 / 4.0), bound = rho * s * 1.2;
  Mat<double> W0 = sample(6, 4, 17);
  W0 *= 0.5 * rho * s / op_norm(W0);
  std::vector<Mat<double>> grads;
  for (int t = 0; t < 30; ++t) grads.push_back(sample(6, 4, 18 + (t % 3)));
  const json h{{"lr", "0.3"}, {"scale", rho}, {"momentum", "0.5"}};
  for (const Mat<double>& W : run<double>("scion", h, {6, 4}, W0, grads)) EXPECT_LE(op_norm(W), bound);
  json u = h;
  u["unconstrained"] = true;
  EXPECT_GT(op_norm(run<double>("scion", u, {6, 4}, W0, grads).back()), 2 * bound);
}

TEST(ScionSteps, ExpertsOfA3dBlockAreSeparateSpectralLmos) {
  const long E = 3, m = 6, n = 4;
  const Mat<double> W0 = sample(E * m, n, 20, 0.3), G1 = sample(E * m, n, 21), G2 = sample(E * m, n, 22);
  const json h{{"lr", "0.05"}, {"momentum", "0.5"}, {"bf16", false}};
  const auto moe = run<double>("scion", h, {E, m, n}, W0, {G1, G2});
  for (long e = 0; e < E; ++e) {
    const auto one = run<double>("scion", h, {m, n}, Mat<double>(W0.middleRows(e * m, m)),
                                 {Mat<double>(G1.middleRows(e * m, m)), Mat<double>(G2.middleRows(e * m, m))});
    EXPECT_EQ(max_abs(moe[1].middleRows(e * m, m) - one[1]), 0.0) << e;
  }
}

TEST(ScionBlocks, OverridesByBlockNameAndVectorsUseBiasRms) {
  const Mat<double> H0 = sample(6, 4, 23, 0.3), E0 = sample(5, 3, 24, 0.3), b0 = sample(4, 1, 25, 0.3);
  const Mat<double> GH = sample(6, 4, 26), GE = sample(5, 3, 27), Gb = sample(4, 1, 28);
  const json h{{"lr", "0.1"}, {"bf16", false}, {"blocks", {{"embed", "Sign"}, {"bias", {{"scale", "2"}}}}}};
  auto s = mb::make_solver<double>("scion", h);
  const std::vector<mb::BlockSpec> specs{{"hidden", {6, 4}}, {"embed", {5, 3}}, {"bias", {4}}};
  mb::Params<double> w{H0, E0, b0};
  s->init(specs, w);
  mb::NoOracle<double> oracle;
  s->step(w, {GH, GE, Gb}, oracle);
  mb::spectral::NewtonSchulzConfig cfg;
  cfg.normalization = "frobenius-additive", cfg.eps = "1e-7";
  mb::spectral::NewtonSchulz<double> ns(cfg);
  EXPECT_LT(max_abs(w[0] - (0.9 * H0 - 0.1 * std::sqrt(6.0 / 4.0) * ns(GH))), 1e-15);
  const Mat<double> sign = GE.unaryExpr([](double x) { return double((x > 0) - (x < 0)); }) / 3.0;
  EXPECT_LT(max_abs(w[1] - (0.9 * E0 - 0.1 * sign)), 1e-15);
  const double rms = std::sqrt(Gb.squaredNorm() / 4.0);
  EXPECT_LT(max_abs(w[2] - (0.9 * b0 - 0.1 * 2.0 * Gb / (rms + 1e-8))), 1e-15);

  // Unknown block names fail at init, naming the name and the known blocks.
  auto bad = mb::make_solver<double>("scion", {{"blocks", {{"embedding", "Sign"}}}});
  const std::string e = error_of([&] {
    mb::Params<double> w2{H0, E0, b0};
    bad->init(specs, w2);
  });
  EXPECT_NE(e.find("embedding"), std::string::npos) << e;
  EXPECT_NE(e.find("hidden"), std::string::npos) << e;
  // A matrix norm on a vector block fails at init.
  auto vec = mb::make_solver<double>("scion", {{"blocks", {{"bias", "Sign"}}}});
  const std::string v = error_of([&] {
    mb::Params<double> w3{H0, E0, b0};
    vec->init(specs, w3);
  });
  EXPECT_NE(v.find("bias"), std::string::npos) << v;
}

TEST(ScionOptions, ErrorsNameTheKey) {
  EXPECT_NE(error_of([] { mb::make_solver<double>("scion", {{"norm", "spectral"}}); }).find("norm"), std::string::npos);
  EXPECT_NE(error_of([] { mb::make_solver<double>("scion", {{"norm", "Spectral"}, {"norm_kwargs", {{"foo", 1}}}}); }).find("foo"),
            std::string::npos);
  EXPECT_NE(error_of([] { mb::make_solver<double>("scion", {{"norm_kwargs", {{"steps", 3}}}}); }).find("steps"), std::string::npos);
  EXPECT_NE(error_of([] { mb::make_solver<double>("scion", {{"momentum", "1.5"}}); }).find("momentum"), std::string::npos);
  EXPECT_NE(error_of([] { mb::make_solver<double>("scion", {{"scale", 0}}); }).find("scale"), std::string::npos);
  EXPECT_NE(error_of([] { mb::make_solver<double>("scion", {{"blocks", {{"x", {{"norm", "Nope"}}}}}}); }).find("blocks.x"),
            std::string::npos);
}

// ---- double vs mp50 ------------------------------------------------------------------------------

// The mp50 run is exact to double's eyes, so the gap is double's own rounding over a few steps:
// a few hundred ulps of entries ~1 at most (the SVD's and the NS's backward error).
TEST(PolarGradScionPrecision, DoubleAndMp50Agree) {
  const Mat<double> W0 = sample(5, 3, 30, 0.5);
  std::vector<Mat<double>> g;
  for (int t = 0; t < 4; ++t) g.push_back(sample(5, 3, 31 + t));
  std::vector<Mat<mb::mp50>> gm;
  for (const auto& x : g) gm.push_back(x.cast<mb::mp50>());
  const struct {
    const char* name;
    json h;
  } cases[] = {{"polargrad", json::object()},
               {"polargrad", {{"method", "ns"}, {"bf16", false}, {"inner_steps", 5}, {"weight_decay", "0.1"}}},
               {"scion", {{"bf16", false}, {"momentum", "0.5"}, {"lr", "0.1"}}},
               {"scion", {{"norm", "ColNorm"}, {"unconstrained", true}, {"lr", "0.1"}}}};
  for (const auto& c : cases) {
    const auto d = run<double>(c.name, c.h, {5, 3}, W0, g);
    const auto m = run<mb::mp50>(c.name, c.h, {5, 3}, Mat<mb::mp50>(W0.cast<mb::mp50>()), gm);
    for (size_t t = 0; t < d.size(); ++t)
      EXPECT_LT(max_abs(d[t] - Mat<double>(m[t].unaryExpr([](const mb::mp50& x) { return mb::to_double(x); }))), 1e-13) << c.name << " " << c.h.dump() << " step " << t;
  }
}

}  // namespace
