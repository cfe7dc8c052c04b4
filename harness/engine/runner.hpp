// The runner: runs a plan's jobs (harness/engine/plan.hpp) on threads.
//
// Scheduling is split so that another backend (MPI, a job array) can plug in:
//   plan_of(suite) -> RunPlan          every job of a suite, in suite order
//   shard_plan(plan, k, N)             the part of a plan that shard k of N runs
//   run_plan(plan, options)            runs a list of jobs on threads (with cache, progress,
//                                      cancellation) and returns their results by id
//   make_report(suite, cells, claims)  a pure function of the results by id (harness/report/report.hpp)
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "harness/engine/plan.hpp"
#include "harness/report/cell_record.hpp"

namespace mb {

struct ClaimResult {
  json outcomes = json::array();  // deterministic outcome records (harness/claim.hpp)
  double seconds = 0;             // timing
};

// Raised when a run is cancelled (SIGINT/SIGTERM); the cell is not recorded.
struct Cancelled : std::exception {
  const char* what() const noexcept override { return "cancelled"; }
};

// Runs one cell in its precision. Numerical trouble (NaN, blow-up) is a result: status
// "diverged" with its reason; any other exception inside the cell is status "failed".
CellResult run_cell(const CellSpec& cell, const std::atomic<bool>* cancel = nullptr);
// The step loop in scalar T (harness/engine/run_cell.cpp, compiled per scalar); exceptions other
// than numerical events propagate. run_cell dispatches to it.
template <class T>
CellResult run_cell_in(const CellSpec& cell, const std::atomic<bool>* cancel);

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
  void count_status(CellStatus status) {
    diverged += status == CellStatus::diverged;
    failed += status == CellStatus::failed;
    timeouts += status == CellStatus::timeout;
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
