// Cells, claim tasks and the runner.
//
// A cell is one (problem, solver + hyperparameters, precision, seed) with its budget and targets;
// a claim task is one claim in one precision (decoys included). Both are identified by a content
// hash, so results are cached, sharded and merged by id.
//
// Scheduling is split so that another backend (MPI, a job array) can plug in:
//   plan_of(suite) -> RunPlan          every job of a suite, in suite order
//   shard_plan(plan, k, N)             the part of a plan that shard k of N runs
//   run_plan(plan, options)            runs a list of jobs on threads (with cache, progress,
//                                      cancellation) and returns their results by id
//   make_report(suite, cells, claims)  a pure function of the results by id (harness/report.hpp)
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "harness/json_num.hpp"

namespace mb {

struct CellSpec {
  std::string problem;          // registered name
  std::string problem_label;    // label in reports (defaults to the name)
  json problem_params = json::object();
  std::string solver;           // registered name
  std::string solver_label;     // label in reports (the suite's solver entry), e.g. "gd"
  std::string setting;          // grid point, e.g. "lr=0.02"; "" when the entry has no grid
  json hyper = json::object();  // hyperparameters given (entry's hyper merged with the grid point)
  std::string precision;        // double | mp50 | float
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

// What a cell produces: `record` is deterministic (same inputs, same bytes); `timing` is not.
// record.status: "target_reached" | "max_steps" | "diverged" | "timeout" | "failed".
struct CellResult {
  json record;
  json timing;
};

// One claim in one precision, its decoys included.
struct ClaimTask {
  std::string claim;
  std::string precision;
  std::string id() const;  // content hash of (claim, precision, version)
};
struct ClaimResult {
  json outcomes = json::array();  // deterministic outcome records (harness/claim.hpp)
  double seconds = 0;             // timing
};

// Raised when a run is cancelled (SIGINT/SIGTERM); the cell is not recorded.
struct Cancelled : std::exception {
  const char* what() const noexcept override { return "cancelled"; }
};

using CellRunner = std::function<CellResult(const CellSpec&, const std::atomic<bool>* cancel)>;

// Runs one cell in its precision. Numerical trouble (NaN, blow-up) is a result: status
// "diverged" with its reason; any other exception inside the cell is status "failed".
CellResult run_cell(const CellSpec& cell, const std::atomic<bool>* cancel = nullptr);

// Every job of a run: cells, then claim tasks. Job i of the plan is cells[i] for i < cells.size(),
// else claims[i - cells.size()].
struct RunPlan {
  std::vector<CellSpec> cells;
  std::vector<ClaimTask> claims;
  size_t size() const { return cells.size() + claims.size(); }
  bool is_cell(size_t job) const { return job < cells.size(); }
  const ClaimTask& claim(size_t job) const { return claims[job - cells.size()]; }  // job: not a cell
  const std::string& precision(size_t job) const { return is_cell(job) ? cells[job].precision : claim(job).precision; }
  std::string id(size_t job) const { return is_cell(job) ? cells[job].id() : claim(job).id(); }
};

// Shard k of N (1 <= k <= N) takes the jobs whose index i in the plan has i mod N == k - 1.
// Shards are disjoint and their union is the plan.
RunPlan shard_plan(const RunPlan& plan, int k, int n);
// "k/N" -> (k, N); throws Error naming --shard otherwise.
std::pair<int, int> parse_shard(const std::string& text);

enum class ProgressMode { automatic, always, never };

struct RunOptions {
  int threads = 1;
  std::string cache_dir;                 // "" = no cache; else results are stored as DIR/<id>.json
  const std::atomic<bool>* cancel = nullptr;
  ProgressMode progress = ProgressMode::automatic;  // automatic: only when stderr is a terminal
};

struct RunStats {
  size_t cells_run = 0, cells_cached = 0, claims_run = 0, claims_cached = 0;
  size_t diverged = 0, failed = 0, timeouts = 0;
  bool cancelled = false;
  // Counts a finished cell's status (diverged, failed, timeout) in the totals.
  void count_status(const std::string& status) {
    diverged += status == "diverged";
    failed += status == "failed";
    timeouts += status == "timeout";
  }
};

struct RunOutput {
  std::map<std::string, CellResult> cells;    // by cell id
  std::map<std::string, ClaimResult> claims;  // by claim-task id
  RunStats stats;
};

// Runs the plan's jobs on `threads` workers, the slow ones (mp50) first. A job found in the cache
// is not rerun; a finished job is stored in the cache at once (atomically), unless it failed or
// timed out (those depend on the machine and are retried on the next run). On cancellation the
// running cells stop at their next step and RunOutput holds only the finished jobs.
RunOutput run_plan(const RunPlan& plan, const RunOptions& options);

// Runs one claim task (its decoys included) on the calling thread, timed.
ClaimResult run_claim_task(const ClaimTask& task);

// Runs `count` tasks on `threads` workers, task i given its index, in order of submission.
// Exceptions are collected and the first is rethrown after all workers stop.
void parallel_for(size_t count, int threads, const std::function<void(size_t)>& task,
                  const std::atomic<bool>* cancel = nullptr);

}  // namespace mb
