// Every registered problem (the registry is iterated, so a new problem is covered without
// editing this file), on its small test instance (ProblemInfo::test_params):
//  - the analytic gradient matches central finite differences in mp50 to 1e-25 relative;
//  - the double (and float) gradient matches the mp50 one at the same point;
//  - the stated constants (f*, mu, L, Hessian spectrum) are true on the instance;
//  - bad parameters fail with an error naming the problem and the field.
#include <gtest/gtest.h>

#include "harness/core/error.hpp"
#include "harness/core/gradient_check.hpp"
#include "tests/test_problems_checks.hpp"

namespace {

using mb::json;
using mb::mp50;

json test_params(const std::string& name) {
  return json::parse(mb::Registry<mb::ProblemInfo>::instance().get(name, "problem").test_params);
}

template <class To, class From>
mb::Params<To> convert(const mb::Params<From>& p) {
  mb::Params<To> out;
  for (const auto& b : p) out.push_back(b.template cast<To>());
  return out;
}

class EveryProblem : public ::testing::TestWithParam<std::string> {};

// Tolerance 1e-25: with step u^(1/3) ~ 1.7e-17 the central difference errs by about
// h^2 |f'''| / 6 + u |f| / h ~ 1e-33 relative to the gradient's scale (harness/core/gradient_check.hpp);
// 1e-25 leaves eight digits for third derivatives and values larger than the gradient, and any
// mistake in a hand-written backward pass is many orders of magnitude above it.
TEST_P(EveryProblem, GradientMatchesCentralDifferencesInMp50) {
  auto p = mb::make_problem<mp50>(GetParam(), test_params(GetParam()));
  for (std::uint64_t seed : {0u, 1u}) {
    const auto r = mb::check_gradient<mp50>(*p, p->initial_point(seed), {.directions = 2, .seed = seed});
    RecordProperty("max_relative_error_seed" + std::to_string(seed), mb::to_decimal<double>(mb::to_double(r.max_error())));
    EXPECT_GT(r.gradient_inf_norm, mp50(0));
    EXPECT_LE(r.max_relative_error, mp50("1e-25")) << "seed " << seed << ": worst " << r.worst;
    EXPECT_LE(r.max_direction_relative_error, mp50("1e-25")) << "seed " << seed;
  }
}

// Same instance, same point (the double point converted exactly to mp50). Data built in the
// working precision differ by rounding only (u = 1.1e-16 in double); 1e-12 relative allows a
// condition factor of 1e4. Float (u = 6e-8): 1e-3.
TEST_P(EveryProblem, DoubleAndFloatGradientsMatchMp50) {
  const json params = test_params(GetParam());
  auto pm = mb::make_problem<mp50>(GetParam(), params);
  auto pd = mb::make_problem<double>(GetParam(), params);
  auto pf = mb::make_problem<float>(GetParam(), params);
  const mb::Params<double> wd = pd->initial_point(0);
  mb::Params<double> gd;
  mb::Params<mp50> gm;
  mb::Params<float> gf;
  const double fd = pd->value_and_gradient(wd, gd);
  const mp50 fm = pm->value_and_gradient(convert<mp50>(wd), gm);
  const float ff = pf->value_and_gradient(convert<float>(wd), gf);
  const mp50 scale = mbtest::inf_norm(gm);
  mp50 errd(0), errf(0);
  for (size_t b = 0; b < gm.size(); ++b) {
    errd = std::max<mp50>(errd, (gd[b].cast<mp50>() - gm[b]).cwiseAbs().maxCoeff());
    errf = std::max<mp50>(errf, (gf[b].cast<mp50>() - gm[b]).cwiseAbs().maxCoeff());
  }
  EXPECT_LE(errd / scale, mp50("1e-12"));
  EXPECT_LE(errf / scale, mp50("1e-3"));
  EXPECT_LE(abs(mp50(fd) - fm) / abs(fm), mp50("1e-12"));
  EXPECT_LE(abs(mp50(ff) - fm) / abs(fm), mp50("1e-3"));
}

TEST_P(EveryProblem, StatedConstantsHoldInMp50) {
  auto p = mb::make_problem<mp50>(GetParam(), test_params(GetParam()));
  const auto k = p->known();
  for (const auto& f : mbtest::check_constants<mp50>(*p, k)) ADD_FAILURE() << f;
  if (k.mu && k.L) {
    EXPECT_LE(*k.mu, *k.L);
  }
  if (k.mu) {
    EXPECT_GT(*k.mu, mp50(0));
  }
}

// Double: the sampled checks, and the constants equal mp50's. Both are eigenvalues of the same
// matrix up to rounding of its entries; by Weyl's inequality they differ by at most ||dH||_2,
// about P u L for an explicitly formed P x P matrix; allowed 1000 P u_double L.
TEST_P(EveryProblem, StatedConstantsHoldInDoubleAndMatchMp50) {
  const json params = test_params(GetParam());
  auto pd = mb::make_problem<double>(GetParam(), params);
  auto pm = mb::make_problem<mp50>(GetParam(), params);
  const auto kd = pd->known();
  const auto km = pm->known();
  for (const auto& f : mbtest::check_constants<double>(*pd, kd)) ADD_FAILURE() << f;
  ASSERT_EQ(kd.f_star.has_value(), km.f_star.has_value());
  ASSERT_EQ(kd.mu.has_value(), km.mu.has_value());
  ASSERT_EQ(kd.L.has_value(), km.L.has_value());
  const double P = static_cast<double>(mb::total_size(pd->blocks()));
  const double u = mb::unit_roundoff<double>();
  if (kd.L) {
    EXPECT_NEAR(kd.L.value(), static_cast<double>(*km.L), 1000 * P * u * static_cast<double>(*km.L));
  }
  if (kd.mu) {
    EXPECT_NEAR(kd.mu.value(), static_cast<double>(*km.mu), 1000 * P * u * static_cast<double>(km.L ? *km.L : *km.mu));
  }
  if (kd.f_star) {
    EXPECT_NEAR(kd.f_star.value(), static_cast<double>(*km.f_star),
                1000 * u * (std::abs(kd.f_star.value()) + std::abs(pd->value(pd->initial_point(0)))));
  }
}

TEST_P(EveryProblem, InitialPointIsSeededAndDeterministic) {
  auto p = mb::make_problem<double>(GetParam(), json::object());
  auto q = mb::make_problem<double>(GetParam(), json::object());
  const auto a = p->initial_point(0), b = q->initial_point(0), c = p->initial_point(1);
  mb::require_shapes(a, p->blocks(), "initial_point");
  double same = 0, differ = 0;
  for (size_t i = 0; i < a.size(); ++i) same += (a[i] - b[i]).squaredNorm(), differ += (a[i] - c[i]).squaredNorm();
  EXPECT_EQ(same, 0.0);
  EXPECT_GT(differ, 0.0);
}

// Sizes, counts and seeds are never negative, and every real parameter here is a scale, a
// tolerance or a condition number: -1 must be rejected by every numeric parameter, with an
// mb::Error naming the problem and the key. Unknown keys list the valid ones.
TEST_P(EveryProblem, BadParametersFailNamingTheField) {
  const std::string name = GetParam();
  auto p = mb::make_problem<double>(name, json::object());
  const json docs = p->parameter_docs();
  ASSERT_FALSE(docs.empty());
  for (const auto& d : docs) {
    const std::string key = d["key"];
    const json& def = d["default"];
    const bool numeric = def.is_number_integer() || (def.is_string() && !def.get<std::string>().empty() &&
                                                     (std::isdigit(def.get<std::string>()[0]) != 0));
    if (!numeric) continue;
    json bad = json::object();
    bad[key] = -1;
    try {
      mb::make_problem<double>(name, bad);
      ADD_FAILURE() << name << ": " << key << " = -1 accepted";
    } catch (const mb::Error& e) {
      const std::string m = e.what();
      EXPECT_NE(m.find("problem '" + name + "'"), std::string::npos) << m;
      EXPECT_NE(m.find(key), std::string::npos) << m;
    }
  }
  try {
    mb::make_problem<double>(name, {{"no_such_key", 1}});
    ADD_FAILURE() << "unknown key accepted";
  } catch (const mb::Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("unknown key 'no_such_key'"), std::string::npos) << m;
    EXPECT_NE(m.find(docs[0]["key"].get<std::string>()), std::string::npos) << m;
  }
}

INSTANTIATE_TEST_SUITE_P(Registry, EveryProblem, ::testing::ValuesIn(mb::problem_names()),
                         [](const auto& info) {
                           std::string s = info.param;
                           std::replace(s.begin(), s.end(), '-', '_');
                           return s;
                         });

}  // namespace
