// Every registered solver keeps the contract of tests/solver_contract.hpp.
#include "tests/solver_contract.hpp"

namespace {

TEST(SolverContract, EveryRegisteredSolverKeepsIt) {
  ASSERT_FALSE(mb::solver_names().empty());
  for (const auto& name : mb::solver_names()) mb::test::check_solver_contract(name);
}

}  // namespace
