// Family-specific facts that the registry-wide tests do not reach: the nonconvex-pl constant mu
// is the infimum, mean-field particles nest, the MoE forms and the transformer variants have exact
// gradients and the predicted gauge symmetries, gradient noise has the stated size, and the
// parameter errors the issue lists name their field.
#include <gtest/gtest.h>

#include <cmath>

#include "harness/core/error.hpp"
#include "harness/core/gradient_check.hpp"
#include "tests/test_problems_checks.hpp"

namespace {

using mb::json;
using mb::Mat;
using mb::mp50;
using mb::Params;

// mu = inf_w g^2/(2f): an independent dense scan (double, step 1e-4 on [1e-3, 10]) never goes
// below mu (minus rounding, 1e-12) and comes within 1e-7 of it (phi is smooth at its minimum, so
// a grid point lies within phi'' h^2/8 ~ 1e-8 of it); docs/theory.md's 0.1755 (checked numerically) to 4 digits.
TEST(NonconvexPL, MuIsTheInfimumOfTheRatio) {
  auto p = mb::make_problem<double>("nonconvex-pl", {{"m", 1}, {"n", 1}});
  const double mu = *p->known().mu;
  EXPECT_NEAR(mu, 0.1755, 5e-5);
  double lowest = 1e300;
  Params<double> g;
  for (long i = 10; i <= 100000; ++i) {
    Params<double> w{Mat<double>::Constant(1, 1, i * 1e-4)};
    const double f = p->value_and_gradient(w, g);
    lowest = std::min(lowest, g[0](0) * g[0](0) / (2 * f));
  }
  EXPECT_GE(lowest, mu - 1e-12);
  EXPECT_LE(lowest, mu + 1e-7);
  // mp50's mu agrees with double's to double precision, and is the value at a root of h.
  auto q = mb::make_problem<mp50>("nonconvex-pl", {{"m", 1}, {"n", 1}});
  EXPECT_NEAR(static_cast<double>(*q->known().mu), mu, 1e-14);
}

// The N-particle system's particles are the first N of the reference population, for any seed.
TEST(MeanField, ParticlesAreTheFirstNOfTheReferencePopulation) {
  auto p = mb::make_problem<double>("mean-field-2layer", {{"N", 5}, {"population", 40}, {"d", 3}});
  const auto layout = p->particles();
  ASSERT_TRUE(layout);
  EXPECT_EQ(layout->count, 5);
  EXPECT_EQ(layout->population, 40);
  auto ref = mb::make_problem<double>("mean-field-2layer", layout->reference_params);
  EXPECT_EQ(ref->particles()->count, 40);
  for (std::uint64_t seed : {0u, 3u}) {
    const auto w = p->initial_point(seed), big = ref->initial_point(seed);
    for (size_t b = 0; b < w.size(); ++b) EXPECT_EQ(w[b], big[b].topRows(w[b].rows())) << "block " << b;
  }
}

// scale NJ multiplies f and its gradient by N exactly; N = 10^4 particles run in double.
TEST(MeanField, MeanFieldScaleAndLargeN) {
  const json base = {{"N", 7}, {"d", 3}, {"samples", 10}};
  json nj = base;
  nj["scale"] = "NJ";
  auto p = mb::make_problem<double>("mean-field-2layer", base), q = mb::make_problem<double>("mean-field-2layer", nj);
  const auto w = p->initial_point(0);
  Params<double> g, h;
  const double f = p->value_and_gradient(w, g), fn = q->value_and_gradient(w, h);
  EXPECT_NEAR(fn, 7 * f, 1e-13 * fn);
  for (size_t b = 0; b < g.size(); ++b) EXPECT_LE((h[b] - 7 * g[b]).cwiseAbs().maxCoeff(), 1e-13 * h[b].cwiseAbs().maxCoeff());
  auto big = mb::make_problem<double>("mean-field-2layer", {{"N", 10000}});
  const auto wb = big->initial_point(0);
  const double fb = big->value_and_gradient(wb, g);
  EXPECT_TRUE(std::isfinite(fb));
  EXPECT_EQ(g[0].rows(), 10000 * 2);
  EXPECT_EQ(*big->known().f_star, 0.0);
}

// Variants not on the registry's test instances: exact gradients in mp50 (tolerance as in
// test_problems.cpp), and the constants check.
TEST(Variants, GradientsAndConstantsInMp50) {
  const std::vector<std::pair<std::string, json>> cases = {
      {"moe", {{"form", "feature-map"}, {"E", 3}, {"d", 3}, {"k", 2}, {"samples", 24}}},
      {"moe", {{"form", "feature-map"}, {"E", 2}, {"d", 2}, {"k", 2}, {"samples", 8}, {"activation", "silu"}}},
      {"attention", {{"d", 4}, {"heads", 2}, {"seq_len", 4}, {"sequences", 4}, {"causal", true}}},
      {"attention", {{"d", 3}, {"heads", 2}, {"head_dim", 2}, {"seq_len", 3}, {"sequences", 3}}},
      {"transformer-block", {{"d", 4}, {"heads", 1}, {"d_ff", 3}, {"seq_len", 3}, {"sequences", 2}, {"activation", "gelu"}, {"causal", false}}},
      {"transformer-block", {{"d", 2}, {"heads", 1}, {"d_ff", 3}, {"seq_len", 2}, {"sequences", 2}, {"activation", "tanh"}}},
      {"mean-field-2layer", {{"N", 4}, {"d", 2}, {"k", 2}, {"samples", 5}, {"teacher", 2}, {"activation", "gelu"}, {"scale", "NJ"}}},
      {"matrix-sensing", {{"m", 4}, {"n", 3}, {"rank", 1}, {"measurements", 7}}},
      {"deep-linear", {{"d_in", 4}, {"d_out", 3}, {"width", 4}, {"rank", 2}}},
      {"softmax-regression", {{"classes", 4}, {"d", 2}, {"samples", 15}, {"lambda", "0.01"}}}};
  for (const auto& [name, params] : cases) {
    auto p = mb::make_problem<mp50>(name, params);
    const auto r = mb::check_gradient<mp50>(*p, p->initial_point(2));
    EXPECT_LE(r.max_error(), mp50("1e-25")) << name << " " << params.dump() << ": " << r.worst;
    for (const auto& f : mbtest::check_constants<mp50>(*p, p->known())) ADD_FAILURE() << name << " " << params.dump() << ": " << f;
  }
}

// Zero Hessian eigenvalues at the minimizer = dimension of the symmetry group (docs/theory.md section 3):
// GL(r) for factored sensing (r^2), GL(width) for the deep linear net, the gate shift for MoE (d),
// GL(d_h) twice per head for attention (2 H d_h^2); mn - s for sensing with s < mn.
TEST(Symmetries, ZeroHessianEigenvaluesCountTheGaugeDirections) {
  auto zeros = [](const std::string& name, const json& params) {
    auto p = mb::make_problem<mp50>(name, params);
    const auto ev = p->hessian_eigenvalues();
    EXPECT_TRUE(ev) << name;
    long z = 0;
    for (const auto& x : *ev) z += abs(x) <= mp50("1e-30") * ev->back();
    return z;
  };
  EXPECT_EQ(zeros("factored-sensing", {{"m", 5}, {"n", 4}, {"rank", 2}}), 4);
  EXPECT_EQ(zeros("deep-linear", {{"d_in", 5}, {"d_out", 4}, {"width", 3}}), 9);
  EXPECT_EQ(zeros("moe", {{"E", 3}, {"d", 3}, {"d_o", 2}, {"samples", 24}}), 3);
  EXPECT_EQ(zeros("moe", {{"form", "feature-map"}, {"E", 2}, {"d", 3}, {"k", 2}, {"samples", 20}}), 3);
  EXPECT_EQ(zeros("attention", {{"d", 4}, {"heads", 2}, {"seq_len", 4}, {"sequences", 4}}), 16);
  EXPECT_EQ(zeros("transformer-block", {{"d", 4}, {"heads", 2}, {"d_ff", 4}, {"seq_len", 3}, {"sequences", 8}}), 16);
  EXPECT_EQ(zeros("matrix-sensing", {{"m", 4}, {"n", 3}, {"measurements", 7}}), 5);
  // The gate-shift symmetry itself: f(A, C + 1 c^T) = f(A, C).
  auto p = mb::make_problem<mp50>("moe", {{"E", 3}, {"d", 3}});
  auto w = p->initial_point(0);
  const mp50 f = p->value(w);
  for (long j = 0; j < 3; ++j) w.back().row(j) += Mat<mp50>::Constant(1, 3, mp50(1) / mp50(3));
  EXPECT_LE(abs(p->value(w) - f), mp50("1e-45") * f);
}

// E||g - grad f||^2 = sigma^2 (docs/theory.md section 3 item 12): the mean of ||xi||^2 over 4000 draws
// has standard error sigma^2 sqrt(2/(d*4000)); allowed 5 standard errors.
TEST(StochasticGradients, NoiseHasTheStatedSize) {
  for (const char* name : {"quadratic-kron", "quadratic-ls", "isotropic", "matrix-sensing", "factored-sensing",
                           "deep-linear", "nonconvex-pl", "softmax-regression", "moe"}) {
    auto p = mb::make_problem<double>(name, {{"sigma", "0.3"}});
    EXPECT_EQ(p->noise_sigma(), 0.3) << name;
    const auto w = p->initial_point(0);
    Params<double> g;
    p->value_and_gradient(w, g);
    mb::Rng rng(5);
    const long draws = 4000, d = mb::total_size(p->blocks());
    double mean = 0;
    for (long k = 0; k < draws; ++k) {
      Params<double> gn = g;
      p->add_gradient_noise(gn, rng);
      for (size_t b = 0; b < g.size(); ++b) mean += (gn[b] - g[b]).squaredNorm() / draws;
    }
    EXPECT_NEAR(mean, 0.09, 5 * 0.09 * std::sqrt(2.0 / (d * draws))) << name;
  }
}

void expect_error(const std::string& name, const json& params, const std::string& field) {
  try {
    mb::make_problem<double>(name, params);
    ADD_FAILURE() << name << " " << params.dump() << " accepted";
  } catch (const mb::Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("problem '" + name + "': " + field), std::string::npos) << m;
  }
}

TEST(BadParameters, TheIssuesCasesFailNamingTheField) {
  expect_error("quadratic-kron", {{"m", -3}}, "m must be in [1,");
  expect_error("attention", {{"d", 0}}, "d must be in [1,");
  expect_error("matrix-sensing", {{"m", 3}, {"n", 2}, {"rank", 3}}, "rank must be in [1, 2], got 3");
  expect_error("factored-sensing", {{"rank", 9}}, "rank must be in [1, 4], got 9");
  expect_error("deep-linear", {{"width", 3}, {"rank", 4}}, "rank must be in [1, 3], got 4");
  expect_error("isotropic", {{"sigma", "-0.1"}}, "sigma must be >= 0");
  expect_error("softmax-regression", {{"sigma", -1}}, "sigma must be >= 0");
  expect_error("mean-field-2layer", {{"N", 0}}, "N must be in [1,");
  expect_error("mean-field-2layer", {{"N", 20}, {"population", 10}}, "population must be in [20,");
  expect_error("moe", {{"E", 0}}, "E must be in [1,");
  expect_error("moe", {{"k", 3}}, "k applies to form 'feature-map' only");
  expect_error("moe", {{"form", "mixture"}}, "form must be one of gate, feature-map");
  expect_error("attention", {{"d", 6}, {"heads", 4}}, "heads must divide d = 6");
  expect_error("transformer-block", {{"eps", 0}}, "eps must be > 0");
  expect_error("softmax-regression", {{"lambda", 0}}, "lambda must be > 0");
  expect_error("transformer-block", {{"activation", "relu"}}, "activation must be one of tanh, silu, gelu");
}

}  // namespace
