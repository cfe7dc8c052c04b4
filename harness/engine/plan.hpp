// The jobs of a run. A cell is one (problem, solver + hyperparameters, precision, seed) with its
// budget and targets; a claim task is one claim in one precision (decoys included). Both are
// identified by a content hash, so results are cached, sharded and merged by id.
//   plan_of(suite) -> RunPlan    every job of a suite, in suite order (harness/engine/suite.hpp)
//   shard_plan(plan, k, N)       the part of a plan that shard k of N runs
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "harness/core/json_num.hpp"
#include "harness/core/precision.hpp"

namespace mb {

struct CellSpec {
  std::string problem;          // registered name
  std::string problem_label;    // label in reports (defaults to the name)
  json problem_params = json::object();
  std::string solver;           // registered name
  std::string solver_label;     // label in reports (the suite's solver entry), e.g. "gd"
  std::string setting;          // grid point, e.g. "lr=0.02"; "" when the entry has no grid
  json hyper = json::object();  // hyperparameters given (entry's hyper merged with the grid point)
  Precision precision = Precision::float64;
  std::uint64_t seed = 0;
  long max_steps = 100;
  double max_seconds = 60;
  std::vector<std::string> targets;  // relative gap thresholds gap_k <= tau * gap_0, as decimal text
  bool stop_at_target = true;        // stop once every target is reached

  json to_json() const;              // canonical form (hashed for the id)
  std::string id() const;            // 16 hex digits of FNV-1a-64 over to_json().dump() + version
  std::string workload() const;      // "problem_label [precision]": what the leaderboard ranks on
};

CellSpec cell_from_json(const json& j);

// One claim in one precision, its decoys included.
struct ClaimTask {
  std::string claim;
  Precision precision = Precision::float64;
  std::string id() const;  // content hash of (claim, precision, version)
};

// Every job of a run: cells, then claim tasks. Job i of the plan is cells[i] for i < cells.size(),
// else claims[i - cells.size()].
struct RunPlan {
  std::vector<CellSpec> cells;
  std::vector<ClaimTask> claims;
  size_t size() const { return cells.size() + claims.size(); }
  bool is_cell(size_t job) const { return job < cells.size(); }
  const ClaimTask& claim(size_t job) const { return claims[job - cells.size()]; }  // job: not a cell
  Precision precision(size_t job) const { return is_cell(job) ? cells[job].precision : claim(job).precision; }
  std::string id(size_t job) const { return is_cell(job) ? cells[job].id() : claim(job).id(); }
};

// Shard k of N (1 <= k <= N) takes the jobs whose index i in the plan has i mod N == k - 1.
// Shards are disjoint and their union is the plan.
RunPlan shard_plan(const RunPlan& plan, int k, int n);
// "k/N" -> (k, N); throws Error naming --shard otherwise.
std::pair<int, int> parse_shard(const std::string& text);

}  // namespace mb
