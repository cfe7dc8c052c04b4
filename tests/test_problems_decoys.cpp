// The checks of test_problems.cpp can fail: the gradient checker flags deliberately wrong
// gradients (gross and subtle), and check_constants flags a mu, an L or an f* that is slightly
// wrong. Also: `muonbench problems --describe` prints what it promises.
#include <gtest/gtest.h>

#include <iostream>
#include <sstream>

#include "harness/cli/command.hpp"
#include "harness/core/gradient_check.hpp"
#include "tests/test_problems_checks.hpp"

namespace {

using mb::json;
using mb::Mat;
using mb::mp50;
using mb::Params;

// f(W) = sum_ij (w_ij^3 / 3 + sin(w_ij) w_ij), with a gradient that is wrong in a chosen way.
template <class T>
class DecoyProblem final : public mb::Problem<T> {
 public:
  enum class Bug { none, transposed, tiny };
  explicit DecoyProblem(Bug bug) : bug_(bug) {}
  const std::vector<mb::BlockSpec>& blocks() const override { return specs_; }
  Params<T> initial_point(std::uint64_t seed) const override {
    mb::Rng rng({seed});
    return {rng.normal_matrix<T>(3, 2)};
  }
  T value(const Params<T>& w) const override {
    using std::sin;
    T s(0);
    for (long i = 0; i < w[0].size(); ++i) s += w[0](i) * w[0](i) * w[0](i) / T(3) + T(sin(w[0](i))) * w[0](i);
    return s;
  }
  T value_and_gradient(const Params<T>& w, Params<T>& g) const override {
    using std::cos;
    using std::sin;
    g = {Mat<T>(3, 2)};
    for (long i = 0; i < w[0].size(); ++i) g[0](i) = w[0](i) * w[0](i) + T(sin(w[0](i))) + T(cos(w[0](i))) * w[0](i);
    if (bug_ == Bug::transposed) g[0] = Mat<T>(g[0].reshaped(2, 3).transpose());  // a layout slip
    if (bug_ == Bug::tiny) g[0](1, 1) *= T(1) + mb::from_decimal<T>("1e-15");     // one entry off by 1e-15
    return value(w);
  }
  mb::Known<T> known() const override { return {}; }

 private:
  Bug bug_;
  std::vector<mb::BlockSpec> specs_{{"W", {3, 2}}};
};

TEST(GradientChecker, PassesTheRightGradientAndFailsWrongOnes) {
  using D = DecoyProblem<mp50>;
  const auto w = D(D::Bug::none).initial_point(4);
  const auto right = mb::check_gradient<mp50>(D(D::Bug::none), w);
  EXPECT_LE(right.max_error(), mp50("1e-25"));
  const auto gross = mb::check_gradient<mp50>(D(D::Bug::transposed), w);
  EXPECT_GT(gross.max_relative_error, mp50("1e-3")) << gross.worst;
  // A relative error of 1e-15 in one entry is invisible to a double-precision check (its own
  // error is ~1e-10) but is ten orders of magnitude above the mp50 tolerance.
  const auto tiny = mb::check_gradient<mp50>(D(D::Bug::tiny), w);
  EXPECT_GT(tiny.max_relative_error, mp50("1e-17")) << tiny.worst;
  EXPECT_NE(tiny.worst.find("entry (1, 1)"), std::string::npos) << tiny.worst;
  const auto tiny_double = mb::check_gradient<double>(DecoyProblem<double>(DecoyProblem<double>::Bug::tiny),
                                                       DecoyProblem<double>(DecoyProblem<double>::Bug::none).initial_point(4));
  EXPECT_GT(tiny_double.max_relative_error, 1e-15);  // the double check's own error is larger than the bug
}

TEST(GradientChecker, FailsAWrongBackwardPassOfARegisteredProblem) {
  // The attention problem's gradient with W_O's block scaled: the registry-wide check must see it.
  auto p = mb::make_problem<mp50>("attention", {{"d", 4}, {"heads", 2}, {"seq_len", 3}, {"sequences", 2}});
  const auto w = p->initial_point(0);
  const auto r = mb::check_gradient<mp50>(
      [&](const Params<mp50>& x) { return p->value(x); },
      [&](const Params<mp50>& x, Params<mp50>& g) {
        const mp50 f = p->value_and_gradient(x, g);
        g[3] *= mp50(1) + mp50("1e-12");
        return f;
      },
      p->blocks(), w);
  EXPECT_GT(r.max_relative_error, mp50("1e-20")) << r.worst;
  EXPECT_NE(r.worst.find("W_O"), std::string::npos) << r.worst;
}

// check_constants must flag constants off by one part in a million, and an f* that is not attained.
TEST(ConstantsCheck, FailsSlightlyWrongConstants) {
  for (const char* name : {"quadratic-kron", "factored-sensing", "moe"}) {
    auto p = mb::make_problem<mp50>(name, json::parse(mb::Registry<mb::ProblemInfo>::instance().get(name, "problem").test_params));
    const auto k = p->known();
    ASSERT_TRUE(k.mu && k.L && k.f_star) << name;
    EXPECT_TRUE(mbtest::check_constants<mp50>(*p, k).empty()) << name;
    auto bad = k;
    bad.mu = *k.mu * (mp50(1) + mp50("1e-6"));
    EXPECT_FALSE(mbtest::check_constants<mp50>(*p, bad).empty()) << name << ": mu too large not detected";
    bad = k;
    bad.L = *k.L * (mp50(1) - mp50("1e-6"));
    EXPECT_FALSE(mbtest::check_constants<mp50>(*p, bad).empty()) << name << ": L too small not detected";
    bad = k;
    bad.f_star = *k.f_star - mp50("1e-10");
    EXPECT_FALSE(mbtest::check_constants<mp50>(*p, bad).empty()) << name << ": unattained f* not detected";
  }
}

// Runs a registered command with stdout captured.
std::pair<int, std::string> run_command(const std::vector<std::string>& args) {
  const auto& cmd = mb::Registry<mb::cli::Command>::instance().get("problems", "command");
  std::ostringstream out;
  auto* old = std::cout.rdbuf(out.rdbuf());
  int rc = -1;
  try {
    rc = cmd.run(args);
  } catch (...) {
    std::cout.rdbuf(old);
    throw;
  }
  std::cout.rdbuf(old);
  return {rc, out.str()};
}

TEST(ProblemsCommand, ListsEveryProblem) {
  const auto [rc, out] = run_command({});
  EXPECT_EQ(rc, 0);
  for (const auto& n : mb::problem_names()) EXPECT_NE(out.find(n), std::string::npos) << n;
  const auto [rc2, js] = run_command({"--json"});
  EXPECT_EQ(json::parse(js).size(), mb::problem_names().size());
}

TEST(ProblemsCommand, DescribePrintsFormulaParametersAndConstants) {
  const auto [rc, out] = run_command({"--describe", "moe"});
  EXPECT_EQ(rc, 0);
  const auto& info = mb::Registry<mb::ProblemInfo>::instance().get("moe", "problem");
  EXPECT_NE(out.find(info.formula), std::string::npos);
  auto p = mb::make_problem<double>("moe", json::object());
  for (const auto& d : p->parameter_docs()) {
    EXPECT_NE(out.find(d["key"].get<std::string>()), std::string::npos) << d["key"];
    EXPECT_NE(out.find(d["doc"].get<std::string>()), std::string::npos) << d["doc"];
  }
  const auto k = p->known();
  EXPECT_NE(out.find("mu  = " + json(*k.mu).dump()), std::string::npos) << out;
  EXPECT_NE(out.find("L   = " + json(*k.L).dump()), std::string::npos) << out;
  EXPECT_NE(out.find("(local)"), std::string::npos) << out;
  const auto [rc2, js] = run_command({"--describe", "moe", "--json", "--precision", "mp50", "--params", R"({"E": 3})"});
  const json d = json::parse(js);
  EXPECT_EQ(d["used"]["E"], 3);
  EXPECT_TRUE(d["known"]["mu"].is_string());  // mp50 numbers are decimal strings
  EXPECT_EQ(mb::parse_decimal<mp50>(d["known"]["f_star"].get<std::string>(), "f*"), mp50(0));
  const auto [rc3, mf] = run_command({"--describe", "mean-field-2layer", "--params", R"({"N": 5, "population": 50})"});
  EXPECT_NE(mf.find("population of 50"), std::string::npos) << mf;
  EXPECT_THROW(run_command({"--describe", "nope"}), mb::Error);
  EXPECT_THROW(run_command({"--describe", "moe", "--params", R"({"E": 0})"}), mb::Error);
}

}  // namespace
