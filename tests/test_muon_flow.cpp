// muon-flow (solvers/muon_flow.hpp, docs/theory.md 2c): orders of accuracy of the four schemes (the
// identity residual r = H + D - H(0) halves like dt^order), exact dissipation of the
// discrete-gradient scheme (per step, to its recorded defect bound plus rounding), agreement of
// the schemes on the trajectory, mean-field scaling, the solver through the registry, and
// hyperparameter validation.
#include <gtest/gtest.h>

#include <cmath>

#include "harness/oracles.hpp"
#include "harness/core/error.hpp"
#include "harness/problem.hpp"
#include "solvers/muon_flow.hpp"

namespace {

using mb::Params;

using mb::ProblemOracle;

const mb::json kKron = {{"m", 3}, {"n", 2}, {"kappa", 4}, {"seed", 1}};

// r(T) for T = 1 with n steps of the scheme.
template <class T>
T residual(const std::string& scheme, long n, T* w_out = nullptr) {
  auto prob = mb::make_problem<T>("quadratic-kron", kKron);
  ProblemOracle<T> o(*prob);
  mb::flow::FlowConfig<T> c;
  c.scheme = scheme, c.dt = T(1) / T(n), c.gamma = T(1) / T(2), c.eps = T(1) / T(2);
  mb::flow::Flow<T> flow(c, prob->blocks());
  Params<T> w = prob->initial_point(0);
  flow.start(w, o);
  for (long k = 0; k < n; ++k) flow.advance(w, o);
  if (w_out) *w_out = w[0](0, 0);
  return flow.identity_residual();
}

TEST(MuonFlow, IdentityResidualConvergesWithTheSchemesOrder) {
  // In double, r(dt) = C dt^q + rounding ~ n u |H|; the dt used keep C dt^q >= 1e-9, far above it.
  // The observed ratio r(dt)/r(dt/2) is 2^q (1 + O(dt)); we accept log2 ratio within 0.25 of q.
  struct Case {
    const char* scheme;
    long n;
  } cases[] = {{"rk4", 16}, {"heun", 32}, {"conformal-euler", 256}};
  for (const auto& c : cases) {
    const double r1 = std::abs(residual<double>(c.scheme, c.n)), r2 = std::abs(residual<double>(c.scheme, 2 * c.n));
    const double slope = std::log2(r1 / r2);
    EXPECT_NEAR(slope, mb::flow::scheme_order(c.scheme), 0.25) << c.scheme << " r " << r1 << " -> " << r2;
    EXPECT_GT(r2, 1e-11) << c.scheme << ": residual too small to show an order";
  }
}

TEST(MuonFlow, SchemesAgreeOnTheTrajectory) {
  // W(1)_{00} from rk4 at dt = 1/64 (error ~1e-9) against the other schemes, within C dt^q.
  double ref;
  residual<double>("rk4", 64, &ref);
  double w;
  residual<double>("heun", 256, &w);
  EXPECT_NEAR(w, ref, 1e-4);
  residual<double>("discrete-gradient", 256, &w);
  EXPECT_NEAR(w, ref, 1e-4);
  residual<double>("conformal-euler", 1024, &w);
  EXPECT_NEAR(w, ref, 1e-2);
}

template <class T>
void discrete_gradient_exact(long steps, double rounding_per_step) {
  auto prob = mb::make_problem<T>("quadratic-kron", kKron);
  ProblemOracle<T> o(*prob);
  mb::flow::FlowConfig<T> c;
  c.scheme = "discrete-gradient", c.dt = T(1) / T(8), c.gamma = T(1) / T(2), c.eps = T(1) / T(2);
  mb::flow::Flow<T> flow(c, prob->blocks());
  Params<T> w = prob->initial_point(0);
  flow.start(w, o);
  T prev = flow.hamiltonian() + flow.dissipated();
  double worst = 0;
  for (long k = 0; k < steps; ++k) {
    flow.advance(w, o);
    const T now = flow.hamiltonian() + flow.dissipated();
    using std::abs;
    const double dev = mb::to_double(T(abs(now - prev)));
    // Identity per step: |dH + dD| <= defect (recorded) + rounding of H and D (a few u |H|).
    EXPECT_LE(dev, mb::to_double(flow.last_defect()) + rounding_per_step) << "step " << k;
    worst = std::max(worst, dev);
    prev = now;
  }
  EXPECT_GT(mb::to_double(flow.dissipated()), 1e-3);  // it did dissipate
  EXPECT_LE(flow.max_iterations_used(), 200);
  // Not an artefact of a slack bound: rk4 at the same dt misses the identity by far more.
  EXPECT_GT(std::abs(mb::to_double(residual<T>("rk4", 8))), 1e3 * worst);
}

TEST(MuonFlow, DiscreteGradientDissipatesExactlyDouble) { discrete_gradient_exact<double>(16, 1e-14); }
TEST(MuonFlow, DiscreteGradientDissipatesExactlyMp50) { discrete_gradient_exact<mb::mp50>(4, 1e-46); }

TEST(MuonFlow, Mp50AgreesWithDoubleToDoubleRounding) {
  const double rd = residual<double>("rk4", 8);
  const double rm = mb::to_double(residual<mb::mp50>("rk4", 8));
  EXPECT_NEAR(rd, rm, 1e-13);
}

TEST(MuonFlow, MeanFieldScalingDissipatesHN) {
  // H_N = J + (1/N) sum_i K(p_i) with force N grad_i J: the identity residual is rk4-small.
  auto prob = mb::make_problem<double>("mean-field-2layer", {{"N", 4}, {"d", 3}, {"k", 2}, {"d_o", 2}, {"samples", 6}});
  ProblemOracle<double> o(*prob);
  for (long n : {8L, 16L}) {
    mb::flow::FlowConfig<double> c;
    c.dt = 1.0 / n, c.per_slice = true, c.mean_field = true, c.eps = 0.5;
    mb::flow::Flow<double> flow(c, prob->blocks());
    EXPECT_EQ(flow.force_scale(), 4.0);
    Params<double> w = prob->initial_point(0);
    flow.start(w, o);
    for (long k = 0; k < n; ++k) flow.advance(w, o);
    EXPECT_LT(std::abs(flow.identity_residual()), 1e-4 * flow.dissipated()) << n;
  }
  // Without particle blocks, mean_field is refused.
  auto kron = mb::make_problem<double>("quadratic-kron", kKron);
  mb::flow::FlowConfig<double> c;
  c.per_slice = true, c.mean_field = true;
  EXPECT_THROW(mb::flow::Flow<double>(c, kron->blocks()), mb::Error);
}

TEST(MuonFlow, SolverThroughTheRegistry) {
  auto prob = mb::make_problem<double>("moe", {{"E", 2}, {"d", 2}, {"d_o", 2}, {"samples", 8}});
  auto s = mb::make_solver<double>("muon-flow", {{"dt", 0.05}, {"kinetic", "slice"}, {"scheme", "rk4"}});
  ProblemOracle<double> o(*prob);
  Params<double> w = prob->initial_point(0), g;
  s->init(prob->blocks(), w);
  for (int k = 0; k < 20; ++k) {
    prob->value_and_gradient(w, g);
    s->step(w, g, o);
  }
  const mb::json d = s->diagnostics();
  EXPECT_EQ(d.at("steps"), 20);
  EXPECT_LT(d.at("hamiltonian").get<double>(), d.at("hamiltonian_initial").get<double>());
  EXPECT_LT(std::abs(d.at("identity_residual").get<double>()), 1e-4 * d.at("dissipated").get<double>());
  EXPECT_EQ(s->config().at("kinetic"), "slice");
}

TEST(MuonFlow, BadHyperparametersFailClearly) {
  auto msg = [](const mb::json& h) {
    try {
      mb::make_solver<double>("muon-flow", h);
    } catch (const mb::Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(msg({{"dt", 0}}).find("dt"), std::string::npos);
  EXPECT_NE(msg({{"gamma", -1}}).find("gamma"), std::string::npos);
  EXPECT_NE(msg({{"eps", 0}}).find("eps"), std::string::npos);
  const std::string s = msg({{"scheme", "rk5"}});
  EXPECT_NE(s.find("discrete-gradient"), std::string::npos) << s;
  const std::string u = msg({{"lr", 0.1}});
  EXPECT_NE(u.find("valid keys"), std::string::npos) << u;
  EXPECT_NE(u.find("dt"), std::string::npos) << u;
}

}  // namespace
