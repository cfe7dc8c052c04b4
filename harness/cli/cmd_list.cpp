// muonbench list: what is registered.
#include <cstdio>
#include <iostream>

#include "harness/claims/run_claims.hpp"
#include "harness/cli/command.hpp"
#include "harness/problem.hpp"
#include "harness/core/plugins.hpp"
#include "harness/core/scalar.hpp"
#include "harness/solver.hpp"
#include "harness/engine/suite.hpp"
#include "solvers/spectral/newton_schulz.hpp"

namespace mb::cli {
namespace {

int cmd_list(const std::vector<std::string>& argv) {
  Args a(argv, "list", {}, {"json"});
  if (a.has("json")) {
    json j = {{"problems", problem_names()},
              {"solvers", solver_names()},
              {"suites", known_suites()},
              {"claims", claim_names()},
              {"schedules", spectral::schedule_names()},
              {"precisions", precision_names()},
              {"claim_precisions", claim_precision_names()},
              {"external_solver", external_solver_name()}};
    json pl = json::array();
    for (const auto& p : loaded_plugins())
      pl.push_back({{"path", p.path}, {"problems", p.problems}, {"solvers", p.solvers}, {"claims", p.claims}});
    j["plugins"] = pl;
    std::cout << j.dump(1) << "\n";
    return 0;
  }
  std::cout << "problems:\n";
  auto from = [](const std::string& name) {
    const std::string p = plugin_of(name);
    return p.empty() ? std::string() : "  [plugin " + p + "]";
  };
  for (const auto& [n, i] : Registry<ProblemInfo>::instance().all())
    std::printf("  %-22s %s%s\n", n.c_str(), i.summary.c_str(), from(n).c_str());
  std::cout << "solvers:\n";
  for (const auto& [n, i] : Registry<SolverInfo>::instance().all())
    std::printf("  %-22s %s%s\n", n.c_str(), i.summary.c_str(), from(n).c_str());
  std::printf("  %-22s %s\n", external_solver_name().c_str(),
              "your own program as a solver, over a pipe (\"command\": [...]; --allow-external; docs/plugins.md)");
  std::cout << "Newton-Schulz schedules (muonbench spectral --describe-schedule NAME):\n ";
  for (const auto& n : spectral::schedule_names()) std::printf(" %s", n.c_str());
  std::cout << "\n";
  std::cout << "suites:\n";
  for (const auto& n : known_suites()) std::printf("  %s\n", n.c_str());
  std::cout << "checks (claims):\n";
  for (const auto& [n, i] : Registry<ClaimInfo>::instance().all())
    std::printf("  %-22s %s%s\n", n.c_str(), i.formula.c_str(), from(n).c_str());
  std::cout << "precisions:\n";
  for (const auto& p : kPrecisions)
    std::printf("  %-22s %s (relative cost %g%s)\n", p.name, p.description, p.cost, p.claims ? ", claims run in it" : "");
  return 0;
}

}  // namespace

MB_REGISTER_COMMAND("list", "list problems, solvers, Newton-Schulz schedules, suites, checks and precisions",
                    "usage: muonbench list [--json]\n", cmd_list);

}  // namespace mb::cli
