// Suites: JSON files naming problems x solvers (x hyperparameter grids) x precisions x seeds,
// budgets and targets, the rule that picks each solver's best setting, and the claims to check.
// Validated completely before anything runs; every error names its field ("suite.solvers[2].grid.lr").
// The format is documented in docs/suites.md; results/schema/suite.schema.json mirrors it.
#pragma once

#include <string>
#include <vector>

#include "harness/core/json_num.hpp"
#include "harness/engine/runner.hpp"
#include "harness/report/leaderboard_stats.hpp"

namespace mb {

// How each solver's best grid setting is chosen, per workload (problem x precision), from the
// seeds' medians (AlgoPerf's and DeepOBS's habit: tune, then report only the tuned setting).
//   "steps-to-target": fewest median steps to `target` (unreached = infinity), ties broken by the
//                      smaller median final gap, then by grid order (first listed wins);
//   "final-gap":       smallest median final gap, ties broken by fewer median steps, then grid order.
struct SelectionRule {
  std::string rule = "steps-to-target";
  std::string target;  // one of the suite's targets (default: the primary target)
  std::string text() const;  // the rule in words, recorded in reports
};

struct SolverSetting {
  std::string label;  // "lr=0.02, momentum=0.9" from the grid, or "" when the solver has no grid
  json grid_point = json::object();
  json hyper = json::object();  // hyper merged with the grid point
};

struct SolverEntry {
  std::string name;   // registered solver
  std::string label;  // name in reports (unique in the suite)
  std::vector<SolverSetting> settings;  // grid order: the last grid key varies fastest
};

// A problem's targets (problems[i].targets / .primary_target; default: the suite's): its cells
// track these, its workloads are ranked at its primary target and tuned at its selection target
// (suite.selection.target when that is one of its targets, else its primary target).
struct ProblemTargets {
  std::string label;                 // the problem's label
  std::vector<std::string> targets;  // decimal text, largest first
  std::string primary_target, selection_target;
};

struct Suite {
  std::string name;
  std::string description;
  std::string source;             // file it came from
  json spec;                      // the suite as given
  std::vector<Precision> precisions;
  std::vector<std::uint64_t> seeds;
  std::vector<SolverEntry> solvers;
  std::vector<CellSpec> cells;    // problem-major, then solver, setting, precision, seed
  std::vector<std::string> targets;  // decimal text, largest first
  std::string primary_target;
  SelectionRule selection;
  std::vector<ProblemTargets> problem_targets;  // one per problem, suite order
  RankingRules rules;  // held-out seeds, k of n, tuning budget (harness/report/leaderboard_stats.hpp)
  std::vector<std::string> claims;
  std::vector<Precision> claim_precisions;  // those of `precisions` claims run in, in table order

  const ProblemTargets& targets_of(const std::string& problem_label) const;  // throws Error if unknown
  std::string hash() const;  // content hash of the spec (16 hex digits): shards of one suite agree on it
};

Suite parse_suite(const json& j, const std::string& source);
// The programs the suite's external solvers run (solvers/external.cpp), one text per command:
// `muonbench run` runs none of them unless --allow-external is given.
std::vector<std::string> external_commands(const Suite& suite);
// Every job of the suite: its cells, then one claim task per (claim, claim precision).
RunPlan plan_of(const Suite& suite);
// NAME (looked up in the suite directories) or a path to a JSON file.
Suite load_suite(const std::string& name_or_file);
std::vector<std::string> suite_directories();
std::vector<std::string> known_suites();

// Throws Error naming `field` and listing `allowed` if j has any other key.
void require_keys(const json& j, const std::vector<std::string>& allowed, const std::string& field);

// FNV-1a 64-bit of `text` as 16 hex digits (cell ids, suite hashes, cache keys).
std::string content_hash(const std::string& text);

}  // namespace mb
