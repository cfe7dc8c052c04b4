// The contract every registered solver keeps, checked on each of them (tests/test_solver_contract.cpp)
// and on the example of docs/adding-a-solver.md compiled verbatim (tests/doc_example/test_doc_example.cpp), so
// that a new solver is tested the day it is registered:
//   * it exists in every precision of the table (harness/core/precision.hpp);
//   * an unknown hyperparameter is refused, naming the solver and listing the valid keys;
//   * config() is a JSON object, and a run is deterministic (same inputs, same record bytes);
//   * 8 steps on quadratic-ls (6 x 4) run in float, double and mp50 and end at finite values;
//     the double and mp50 runs end within 1e-2 relative of each other in objective value: a
//     gross check on purpose (a solver that ignores its scalar somewhere, or reads a constant
//     through a double literal badly, fails it; Muon's default bf16 emulation may round an entry
//     differently in double and mp50, a 2^-8 relative change, so tight bounds are per solver, in
//     tests/test_solvers_precision.cpp).
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "harness/engine/runner.hpp"
#include "harness/solver.hpp"

namespace mb::test {

inline CellSpec contract_cell(const std::string& solver, Precision p) {
  CellSpec c;
  c.problem = c.problem_label = "quadratic-ls";
  c.solver = c.solver_label = solver;
  c.precision = p;
  c.seed = 1;
  c.max_steps = 8;
  c.max_seconds = 600;
  return c;
}

inline void check_solver_contract(const std::string& solver) {
  SCOPED_TRACE("solver '" + solver + "'");
  EXPECT_TRUE(Registry<SolverInfo>::instance().contains(solver));
  for (const auto& p : kPrecisions)
    dispatch(p.id, [&](auto tag) {
      using T = typename decltype(tag)::type;
      EXPECT_TRUE(Registry<SolverFactory<T>>::instance().contains(solver)) << p.name;
    });
  try {
    make_solver<double>(solver, {{"not_a_hyperparameter", 1}});
    ADD_FAILURE() << "an unknown hyperparameter was accepted";
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("not_a_hyperparameter"), std::string::npos) << m;
    EXPECT_NE(m.find("valid keys"), std::string::npos) << m;
  }
  EXPECT_TRUE(make_solver<double>(solver, json::object())->config().is_object());
  json last_value[3];
  for (const auto& p : kPrecisions) {
    const CellResult r = run_cell(contract_cell(solver, p.id)), again = run_cell(contract_cell(solver, p.id));
    EXPECT_EQ(r.record.status, CellStatus::max_steps) << p.name << ": " << r.record.brief();
    EXPECT_EQ(r.record.steps, 8) << p.name;
    EXPECT_EQ(r.record.to_json(), again.record.to_json()) << p.name << ": not deterministic";
    EXPECT_FALSE(r.record.final_value.is_null()) << p.name;
    last_value[static_cast<int>(p.id)] = r.record.final_value;
  }
  auto as_double = [](const json& v) { return v.is_string() ? std::stod(v.get<std::string>()) : v.get<double>(); };
  const double d = as_double(last_value[static_cast<int>(Precision::float64)]),
               m = as_double(last_value[static_cast<int>(Precision::mp50)]);
  EXPECT_LE(std::abs(d - m), 1e-2 * std::abs(m)) << "double " << d << " vs mp50 " << m;
}

}  // namespace mb::test
