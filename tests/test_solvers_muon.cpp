// muon's conventions (docs/solvers.md): each convention's two steps equal the peer's rule
// written out here from each peer's code (docs/solvers.md table) (momentum form, Nesterov form, bias correction,
// pre-normalisation, schedule, shape scale and layout, weight decay), with Newton-Schulz in the
// working precision; peers' own hyperparameter names; clear errors before any step.
#include <gtest/gtest.h>

#include <cmath>

#include "harness/oracles.hpp"
#include "harness/solver.hpp"
#include "solvers/spectral/newton_schulz.hpp"

namespace {

using mb::json;
using mb::Mat;

using NoOracle = mb::NoOracle<double>;

Mat<double> sample(long r, long c, int salt) {
  Mat<double> m(r, c);
  for (long i = 0; i < r; ++i)
    for (long j = 0; j < c; ++j)  // full rank (the i j term), deterministic
      m(i, j) = std::sin(1.3 * i + 0.7 * j + salt) + 0.5 * std::cos(0.41 * i * j * (salt + 1)) + 0.1 * salt;
  return m;
}

struct Rule {  // one peer's step, from the peer's code (docs/solvers.md)
  bool sum, nesterov, bias_correction;
  const char* schedule;
  const char* normalization;
  const char* eps;
  double lr, wd, mu, scale;  // scale for a 6 x 4 matrix
};

Rule rule_for(const std::string& c) {
  const double tall = std::sqrt(6.0 / 4.0);
  if (c == "optax") return {false, true, true, "jordan", "frobenius-additive", "1e-8", 0.02, 0, 0.95, 1.0};  // Flax layout: fan_out = 4
  if (c == "keller") return {false, true, false, "jordan", "frobenius-additive", "1e-7", 0.02, 0, 0.95, tall};
  if (c == "moonlight") return {true, true, false, "jordan", "frobenius-additive", "1e-7", 0.001, 0.1, 0.95, 0.2 * std::sqrt(6.0)};
  if (c == "dion") return {true, false, false, "polar-express", "frobenius-additive", "1e-8", 0.01, 0.01, 0.95, tall};
  return {false, true, false, "jordan", "frobenius", "1e-7", 0.001, 0.1, 0.95, tall};  // torch
}

Mat<double> reference_two_steps(const std::string& c, const Mat<double>& W0, const Mat<double>& G1, const Mat<double>& G2) {
  const Rule r = rule_for(c);
  mb::spectral::NewtonSchulzConfig cfg;
  cfg.schedule = r.schedule, cfg.normalization = r.normalization, cfg.eps = r.eps;
  mb::spectral::NewtonSchulz<double> ns(cfg);
  Mat<double> W = W0, buf = Mat<double>::Zero(6, 4);
  int t = 0;
  for (const Mat<double>* G : {&G1, &G2}) {
    ++t;
    buf = r.sum ? Mat<double>(r.mu * buf + *G) : Mat<double>(r.mu * buf + (1 - r.mu) * *G);
    Mat<double> u = buf;
    if (r.bias_correction) {
      u = r.nesterov ? Mat<double>(r.mu * buf / (1 - std::pow(r.mu, t + 1)) + (1 - r.mu) * *G / (1 - std::pow(r.mu, t)))
                     : Mat<double>(buf / (1 - std::pow(r.mu, t)));
    } else if (r.nesterov) {
      u = r.sum ? Mat<double>(*G + r.mu * buf) : Mat<double>((1 - r.mu) * *G + r.mu * buf);
    }
    const Mat<double> O = ns(u);
    W *= 1 - r.lr * r.wd;
    W -= r.lr * r.scale * O;
  }
  return W;
}

TEST(MuonConventions, TwoStepsEqualEachPeersRuleWrittenOut) {
  const Mat<double> W0 = sample(6, 4, 1), G1 = sample(6, 4, 2), G2 = sample(6, 4, 3);
  NoOracle oracle;
  for (const std::string c : {"torch", "optax", "keller", "moonlight", "dion"}) {
    auto s = mb::make_solver<double>("muon", {{"convention", c}, {"ns_dtype", "working"}});
    mb::Params<double> w{W0};
    s->init({mb::BlockSpec{"W", {6, 4}}}, w);
    s->step(w, {G1}, oracle);
    s->step(w, {G2}, oracle);
    const Mat<double> ref = reference_two_steps(c, W0, G1, G2);
    // Same operations up to their order: a few ulps of |W| (entries ~1).
    EXPECT_LT((w[0] - ref).cwiseAbs().maxCoeff(), 1e-14) << c;
    // Decoy: another convention's rule is visibly different (so the check can fail).
    const Mat<double> other = reference_two_steps(c == "torch" ? "moonlight" : "torch", W0, G1, G2);
    EXPECT_GT((w[0] - other).cwiseAbs().maxCoeff(), 1e-6) << c;
  }
}

TEST(MuonConventions, PeerNamesAreAcceptedUnderTheirConvention) {
  EXPECT_NO_THROW(mb::make_solver<double>(
      "muon", {{"lr", 0.02}, {"weight_decay", 0.1}, {"momentum", 0.9}, {"nesterov", false},
               {"ns_coefficients", {3.4445, -4.775, 2.0315}}, {"eps", 1e-7}, {"ns_steps", 5}, {"adjust_lr_fn", "match_rms_adamw"}}));
  EXPECT_NO_THROW(mb::make_solver<double>(
      "muon", {{"convention", "optax"}, {"learning_rate", 0.02}, {"beta", 0.9}, {"eps", 1e-8}, {"ns_coeffs", "dion"},
               {"ns_steps", 5}, {"nesterov", true}, {"adaptive", true}, {"weight_decay", 0.0}, {"consistent_rms", 0.2},
               {"preconditioning", "spectral"}}));
  EXPECT_NO_THROW(mb::make_solver<double>("muon", {{"convention", "moonlight"}, {"wd", 0.1}, {"adamw_betas", {0.9, 0.95}}}));
  EXPECT_NO_THROW(mb::make_solver<double>("muon", {{"convention", "dion"}, {"mu", 0.9}, {"epsilon", 1e-8}, {"adjust_lr", "rms_norm"}}));
  // Every item can be set on its own in any convention.
  auto s = mb::make_solver<double>("muon", {{"convention", "torch"}, {"momentum_kind", "sum"}, {"shape_scale", "spectral"},
                                            {"ns_schedule", "polar-express"}, {"ns_dtype", "working"}, {"adaptive", true}});
  const json r = s->config()["resolved"];
  EXPECT_EQ(r["momentum_kind"], "sum");
  EXPECT_EQ(r["adjust_lr"], "spectral");
  EXPECT_EQ(r["ns"]["schedule"], "polar-express");
  EXPECT_EQ(r["ns"]["dtype"], "working");
  // torch's default runs Newton-Schulz in emulated bf16, as PyTorch does.
  EXPECT_EQ(mb::make_solver<double>("muon", json::object())->config()["resolved"]["ns"]["dtype"], "bf16");
}

std::string error_of(const std::string& solver, const json& hyper) {
  try {
    mb::make_solver<double>(solver, hyper);
  } catch (const mb::Error& e) {
    return e.what();
  }
  return "";
}

TEST(MuonConventions, UnknownKeyListsTheValidKeysOfThatConvention) {
  std::string m = error_of("muon", {{"convention", "optax"}, {"momentum_kind", "ema"}, {"betaa", 0.9}});
  EXPECT_NE(m.find("unknown key 'betaa'"), std::string::npos) << m;
  EXPECT_NE(m.find("convention optax"), std::string::npos) << m;
  EXPECT_NE(m.find("learning_rate"), std::string::npos) << m;
  EXPECT_NE(m.find("consistent_rms"), std::string::npos) << m;
  EXPECT_EQ(m.find("adjust_lr_fn"), std::string::npos) << m;  // torch's name, not optax's
  m = error_of("muon", {{"convention", "torch"}, {"consistent_rms", 0.2}});
  EXPECT_NE(m.find("unknown key 'consistent_rms'"), std::string::npos) << m;
  EXPECT_NE(m.find("adjust_lr_fn"), std::string::npos) << m;
}

TEST(SolverErrors, BadHyperparametersFailClearlyBeforeAnyStep) {
  struct Case {
    const char* solver;
    json hyper;
    const char* field;
  };
  const std::vector<Case> cases = {
      {"muon", {{"lr", 0}}, "lr must be > 0"},
      {"muon", {{"convention", "optax"}, {"learning_rate", -1}}, "learning_rate must be > 0"},
      {"muon", {{"momentum", 1}}, "momentum must be in [0, 1)"},
      {"muon", {{"convention", "dion"}, {"mu", -0.1}}, "mu must be in [0, 1)"},
      {"muon", {{"eps", 0}}, "eps must be > 0"},
      {"muon-exact", {{"lr", -0.1}}, "lr must be > 0"},
      {"muon-reg", {{"eps", 0}}, "eps must be > 0"},
      {"muon-reg", {{"momentum", 1.5}}, "momentum must be in [0, 1)"},
      {"spectral", {{"p", 1.5}}, "p must be in [0, 1]"},
      {"spectral", {{"p", -0.25}}, "p must be in [0, 1]"},
      {"spectral", {{"base", "adam"}, {"eps", -1}}, "eps must be > 0"},
      {"orthogonal-sgdm", {{"momentum", 1}}, "momentum must be in [0, 1)"},
      {"nsgd-m", {{"lr", 0}}, "lr must be > 0"},
      {"trust-region", {{"norm", "nuclear"}}, "norm"},
      {"blockwise", {{"solver", "muon"}, {"lr", 0}}, "lr must be > 0"},
      {"adamw", {{"eps", 0}}, "eps must be > 0"},
  };
  for (const auto& c : cases) {
    const std::string m = error_of(c.solver, c.hyper);
    EXPECT_NE(m.find(c.field), std::string::npos) << c.solver << " " << c.hyper.dump() << ": '" << m << "'";
    EXPECT_NE(m.find(std::string("'") + (std::string(c.solver) == "blockwise" ? "muon" : c.solver) + "'"), std::string::npos) << m;
  }
  // Keys of another base are unknown: spectral with base momentum has no 'betas'.
  const std::string m = error_of("spectral", {{"base", "momentum"}, {"betas", {0.9, 0.99}}});
  EXPECT_NE(m.find("unknown key 'betas'"), std::string::npos) << m;
}

}  // namespace
