// What is registered survives linking (OBJECT library) and unknown names
// list the known ones.
#include <gtest/gtest.h>

#include <algorithm>

#include "harness/claims/run_claims.hpp"
#include "harness/core/error.hpp"
#include "harness/problem.hpp"
#include "harness/solver.hpp"

namespace {

bool has(const std::vector<std::string>& v, const std::string& x) { return std::find(v.begin(), v.end(), x) != v.end(); }

TEST(Registry, ContainsTheFoundationEntries) {
  for (const char* p : {"quadratic-ls", "quadratic-kron", "isotropic", "matrix-sensing", "factored-sensing", "deep-linear",
                        "nonconvex-pl", "softmax-regression", "mean-field-2layer", "moe", "attention", "transformer-block"})
    EXPECT_TRUE(has(mb::problem_names(), p)) << p;
  for (const char* s : {"sgd", "adam", "adamw", "muon", "muon-exact", "muon-reg", "spectral", "orthogonal-sgdm", "nsgd-m",
                        "trust-region", "blockwise", "muon-flow", "shampoo", "soap", "dion", "dion2", "polargrad",
                        "scion", "normuon", "adamuon"})
    EXPECT_TRUE(has(mb::solver_names(), s)) << s;
  for (const char* c : {"gd-pl-rate", "reg-polar-gradient", "fenchel-young", "reg-polar-limit", "mirror-prox", "lmo-polar",
                        "spectral-family", "kovalev-trust-region", "flow-dissipation", "flow-h-monotone",
                        "flow-exponential-rate", "flow-sharp-rates", "flow-particles", "flow-blockwise",
                        "coupled-newton", "muon-quintic", "psi-curvature", "flow-kinetic", "kovalev-complexity",
                        "flow-lyapunov", "inertial-limit", "muon-global-rate"})
    EXPECT_TRUE(has(mb::claim_names(), c)) << c;
}

TEST(Registry, EveryProblemAndSolverExistsInEveryPrecision) {
  for (const auto& p : mb::problem_names()) {
    EXPECT_TRUE(mb::Registry<mb::ProblemFactory<float>>::instance().contains(p)) << p;
    EXPECT_TRUE(mb::Registry<mb::ProblemFactory<double>>::instance().contains(p)) << p;
    EXPECT_TRUE(mb::Registry<mb::ProblemFactory<mb::mp50>>::instance().contains(p)) << p;
  }
  for (const auto& s : mb::solver_names()) {
    EXPECT_TRUE(mb::Registry<mb::SolverFactory<float>>::instance().contains(s)) << s;
    EXPECT_TRUE(mb::Registry<mb::SolverFactory<double>>::instance().contains(s)) << s;
    EXPECT_TRUE(mb::Registry<mb::SolverFactory<mb::mp50>>::instance().contains(s)) << s;
  }
  for (const auto& c : mb::claim_names()) {
    EXPECT_TRUE(mb::Registry<mb::ClaimFn<double>>::instance().contains(c)) << c;
    EXPECT_TRUE(mb::Registry<mb::ClaimFn<mb::mp50>>::instance().contains(c)) << c;
  }
}

TEST(Registry, UnknownNameListsKnownNames) {
  try {
    mb::make_solver<double>("muonn", mb::json::object(), "suite.solvers[0].name");
    FAIL() << "no error";
  } catch (const mb::Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("unknown solver 'muonn'"), std::string::npos) << m;
    EXPECT_NE(m.find("suite.solvers[0].name"), std::string::npos) << m;
    EXPECT_NE(m.find("muon-exact"), std::string::npos) << m;
  }
  EXPECT_THROW(mb::make_problem<double>("nope", mb::json::object()), mb::Error);
}

TEST(Registry, UnknownHyperparameterListsValidKeys) {
  try {
    mb::make_solver<double>("sgd", {{"lr", 0.1}, {"momentun", 0.9}});
    FAIL() << "no error";
  } catch (const mb::Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("unknown key 'momentun'"), std::string::npos) << m;
    EXPECT_NE(m.find("momentum"), std::string::npos) << m;
  }
}

}  // namespace
