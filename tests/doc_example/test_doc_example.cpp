// docs/adding-a-solver.md says adding a solver is one file and one line. CMake (tests/CMakeLists.txt)
// copies that page's example verbatim into the build tree and compiles it per scalar into the unit
// tests (never into the core): here it must be registered and keep the contract every solver keeps
// (tests/solver_contract.hpp), with nothing else edited.
#include "tests/solver_contract.hpp"

namespace {

TEST(DocExample, TheSolverOfAddingASolverWorksAsWritten) {
  mb::test::check_solver_contract("sign-descent");
  // Its rule, W -= lr sign(G), on one step from a known point: the default lr is 0.01.
  auto s = mb::make_solver<double>("sign-descent", mb::json::object());
  const std::vector<mb::BlockSpec> specs{mb::BlockSpec{"W", {2, 2}}};
  mb::Params<double> w{mb::Mat<double>::Zero(2, 2)}, g{mb::Mat<double>(2, 2)};
  g[0] << 3, -0.5, 0, 2;
  s->init(specs, w);
  struct NoOracle final : mb::Oracle<double> {
    double value_and_gradient(const mb::Params<double>&, mb::Params<double>&) override { return 0; }
    double value(const mb::Params<double>&) override { return 0; }
  } oracle;
  s->step(w, g, oracle);
  mb::Mat<double> expected(2, 2);
  expected << -0.01, 0.01, 0, -0.01;
  EXPECT_EQ(w[0], expected);
}

}  // namespace
