// Learning-rate schedules (solvers/lr_schedule.cpp): the factor s_k of each schedule, exactly; the
// premise that scaling a step's update is scaling its learning rate (linear in lr, state
// independent of lr) checked for every registered discrete solver; the refusals; the runner's
// horizon. The torch.optim.lr_scheduler traces are peer tests (tests/data/peers/lr_schedule.json).
#include <gtest/gtest.h>

#include <cmath>

#include "harness/engine/runner.hpp"
#include "harness/oracles.hpp"
#include "harness/problem.hpp"
#include "harness/solver.hpp"

namespace mb {
namespace {

// An oracle nothing should call: the schedule's factor is read off plain gradient descent.
template <class T>
struct NoOracle final : Oracle<T> {
  T value_and_gradient(const Params<T>&, Params<T>&) override { throw Error("unexpected oracle call"); }
  T value(const Params<T>&) override { throw Error("unexpected oracle call"); }
};

// s_0, ..., s_{n-1}: SGD with lr 1 and gradient -1 moves a 1 x 1 parameter by exactly s_k.
template <class T>
std::vector<T> factors(json hyper, int n) {
  hyper["lr"] = 1;
  auto s = make_solver<T>("sgd", hyper);
  Params<T> w{Mat<T>::Zero(1, 1)}, g{Mat<T>::Constant(1, 1, T(-1))};
  s->init({BlockSpec{"w", {1, 1}}}, w);
  NoOracle<T> o;
  std::vector<T> out;
  for (int k = 0; k < n; ++k) {
    const T before = w[0](0, 0);
    s->step(w, g, o);
    out.push_back(T(w[0](0, 0) - before));
  }
  return out;
}

TEST(LrSchedule, CosineFactors) {
  const auto s = factors<double>({{"lr_schedule", "cosine"}, {"lr_horizon", 10}}, 13);
  EXPECT_DOUBLE_EQ(s[0], 1.0);
  EXPECT_NEAR(s[5], 0.5, 1e-15);
  EXPECT_NEAR(s[9], (1 + std::cos(0.9 * M_PI)) / 2, 1e-15);
  EXPECT_NEAR(s[12], 0.0, 1e-15);  // past the horizon: lr_min
  const auto m = factors<double>({{"lr_schedule", "cosine"}, {"lr_horizon", 10}, {"lr_min", 0.1}}, 11);
  EXPECT_NEAR(m[10], 0.1, 1e-15);
  EXPECT_NEAR(m[5], 0.55, 1e-15);
}

TEST(LrSchedule, WarmupThenConstant) {
  const auto s = factors<double>({{"lr_schedule", "warmup"}, {"lr_warmup", 0.3}, {"lr_horizon", 10}}, 6);
  EXPECT_NEAR(s[0], 1.0 / 3, 1e-15);
  EXPECT_NEAR(s[1], 2.0 / 3, 1e-15);
  for (int k = 2; k < 6; ++k) EXPECT_DOUBLE_EQ(s[k], 1.0) << k;
}

TEST(LrSchedule, LinearDecayAfterWarmup) {
  const auto s = factors<double>(
      {{"lr_schedule", "linear"}, {"lr_warmup", 0.2}, {"lr_horizon", 10}, {"lr_min", 0.1}}, 10);
  EXPECT_NEAR(s[0], 0.5, 1e-15);
  EXPECT_DOUBLE_EQ(s[1], 1.0);
  EXPECT_DOUBLE_EQ(s[2], 1.0);           // p = 0
  EXPECT_NEAR(s[6], 0.1 + 0.9 * 0.5, 1e-15);  // p = 4/8
}

TEST(LrSchedule, WarmupStableDecay) {
  const auto s = factors<double>({{"lr_schedule", "wsd"}, {"lr_decay", 0.2}, {"lr_horizon", 10}}, 10);
  for (int k = 0; k < 9; ++k) EXPECT_DOUBLE_EQ(s[k], 1.0) << k;  // decay over the last floor(0.2*10) = 2 steps
  EXPECT_NEAR(s[9], 0.5, 1e-15);
}

TEST(LrSchedule, ConstantIsTheSolverItselfBitForBit) {
  const auto s = factors<double>({{"lr_schedule", "constant"}}, 4);
  for (double x : s) EXPECT_EQ(x, 1.0);
}

TEST(LrSchedule, Mp50FactorsAreExact) {
  const auto s = factors<mp50>({{"lr_schedule", "cosine"}, {"lr_horizon", 10}}, 6);
  using std::abs;
  EXPECT_LT(static_cast<double>(abs(s[5] - mp50("0.5"))), 1e-45);
}

// Scaling the update by s is running the rule with lr s: the step at lr 2a from any state is twice
// the step at lr a, and the states do not drift apart (they would if a buffer depended on lr).
// Both copies step from the same point W_k on quadratic-ls gradients; W_{k+1} = W_k + d_a.
TEST(LrSchedule, EveryDiscreteSolverIsLinearInItsLearningRate) {
  auto problem = make_problem<double>("quadratic-ls", {{"m", 6}, {"n", 4}, {"p", 8}, {"q", 5}});
  ProblemOracle<double> oracle(*problem);
  size_t checked = 0;
  for (const auto& name : solver_names()) {
    if (name == "muon-flow") continue;  // refused below
    SCOPED_TRACE("solver '" + name + "'");
    const double a = 0.01;
    auto sa = make_solver<double>(name, {{"lr", a}});
    auto sb = make_solver<double>(name, {{"lr", 2 * a}});
    Params<double> w = problem->initial_point(3), g;
    sa->init(problem->blocks(), w);
    sb->init(problem->blocks(), w);
    double worst = 0;
    for (int k = 0; k < 6; ++k) {
      problem->value_and_gradient(w, g);
      Params<double> wa = w, wb = w;
      sa->step(wa, g, oracle);
      sb->step(wb, g, oracle);
      for (size_t i = 0; i < w.size(); ++i) {
        const Mat<double> da = wa[i] - w[i], db = wb[i] - w[i];
        worst = std::max(worst, (db - 2 * da).cwiseAbs().maxCoeff() / std::max(1e-300, da.cwiseAbs().maxCoeff()));
      }
      w = wa;
    }
    // bf16 Newton-Schulz rounds the same momentum identically; only the final products round.
    EXPECT_LT(worst, 1e-12);
    ++checked;
  }
  EXPECT_GE(checked, 20u);
}

TEST(LrSchedule, RefusalsNameTheKey) {
  auto message = [](const std::string& name, const json& hyper) {
    try {
      make_solver<double>(name, hyper);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_NE(message("muon-flow", {{"lr_schedule", "cosine"}, {"lr_horizon", 10}}).find("muon-flow"), std::string::npos);
  // Without a horizon the solver can be validated (a suite's grid) but not run.
  auto no_horizon = make_solver<double>("adamw", {{"lr_schedule", "cosine"}});
  try {
    no_horizon->init({BlockSpec{"w", {2, 2}}}, {Mat<double>::Zero(2, 2)});
    ADD_FAILURE() << "ran without a horizon";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("lr_horizon"), std::string::npos) << e.what();
  }
  const std::string bad = message("adamw", {{"lr_schedule", "exponential"}, {"lr_horizon", 10}});
  EXPECT_NE(bad.find("lr_schedule"), std::string::npos) << bad;
  EXPECT_NE(bad.find("wsd"), std::string::npos) << bad;  // the valid choices are listed
  EXPECT_NE(message("sgd", {{"lr_schedule", "warmup"}, {"lr_warmup", 1.5}, {"lr_horizon", 10}}).find("lr_warmup"),
            std::string::npos);
  EXPECT_NE(message("sgd", {{"lr_schedule", "wsd"}, {"lr_horizon", -3}}).find("lr_horizon"), std::string::npos);
  EXPECT_NE(message("sgd", {{"lr_schedule", "cosine"}, {"lr_horizon", 10}, {"lr_min", -0.1}}).find("lr_min"),
            std::string::npos);
}

TEST(LrSchedule, ConfigRecordsScheduleAndInnerKeys) {
  const json c = make_solver<double>("adamw", {{"lr", 0.01}, {"lr_schedule", "wsd"}, {"lr_horizon", 50}})->config();
  EXPECT_EQ(c.at("lr_schedule"), "wsd");
  EXPECT_EQ(c.at("lr_horizon"), 50);
  EXPECT_TRUE(c.contains("lr_decay"));
  EXPECT_TRUE(c.contains("betas") || c.contains("beta1")) << c.dump();
}

TEST(LrSchedule, TheRunnerTakesTheHorizonFromTheStepBudget) {
  CellSpec c;
  c.problem = c.problem_label = "quadratic-ls";
  c.solver = c.solver_label = "adamw";
  c.hyper = {{"lr", 0.01}, {"lr_schedule", "cosine"}};
  c.max_steps = 7;
  const CellResult r = run_cell(c);
  EXPECT_EQ(r.record.hyper.at("lr_horizon"), 7) << r.record.hyper.dump();
  EXPECT_EQ(r.record.steps, 7);
  c.hyper["lr_horizon"] = 100;  // given: kept
  EXPECT_EQ(run_cell(c).record.hyper.at("lr_horizon"), 100);
}

}  // namespace
}  // namespace mb
