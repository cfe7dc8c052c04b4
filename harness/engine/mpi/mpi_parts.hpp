// Pieces of the MPI backend (harness/engine/mpi/mpi_run.cpp) shared by rank 0's coordinator and the
// other ranks' workers (harness/engine/mpi/mpi_worker.cpp): job naming and order, running and storing a
// job, messages, the fault-injection test hook. Internal: included only by those two files.
#pragma once

#include <mpi.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "harness/engine/cache.hpp"
#include "harness/engine/runner.hpp"

namespace mb::mpi_detail {

enum Tag : int { kRequest = 1, kResult = 2, kAssign = 3 };
constexpr long kStop = -1;

// The plan's jobs (cells, then claim tasks) by index: what the messages carry.
struct Plan {
  const RunPlan& plan;
  std::string what(size_t job) const {
    if (!plan.is_cell(job)) {
      const auto& t = plan.claim(job);
      return "claim " + t.claim + " [" + precision_name(t.precision) + "]";
    }
    const auto& c = plan.cells[job];
    return c.problem_label + " / " + c.solver_label + (c.setting.empty() ? "" : " " + c.setting) + " [" +
           precision_name(c.precision) + "] seed " + std::to_string(c.seed);
  }
  // Largest first: the precision's cost (mp50 jobs are 100-1000x slower than double), then the
  // larger time budget.
  double weight(size_t job) const {
    const double prec = info(plan.precision(job)).cost;
    const double budget = plan.is_cell(job) ? plan.cells[job].max_seconds : 60.0;
    return prec * budget;
  }
};

// Runs one job; returns the message carrying its result ({"job", "record", "timing"} for a cell,
// {"job", "outcomes", "seconds"} for a claim task), or null if cancelled.
json run_job(const Plan& p, size_t job, const std::atomic<bool>* cancel);
// Stores a job's result (the message run_job made) in the cache.
void store_result(const ResultCache& cache, const Plan& p, size_t job, const json& msg);

void send_json(const json& j, int dest, int tag);
json recv_json(const MPI_Status& probe);  // receives the message `probe` found

// Test hook (tests/cli/mpi.sh): MUONBENCH_FAULT_INJECT="R:K" makes rank R die (exit 17, as a
// crash would) on receiving its (K+1)-th job, before computing it; rank 0 then only coordinates,
// so that rank R surely receives its jobs (a fast local worker could otherwise take them all) and
// nothing of rank 0 is in flight when it dies: the test's outcome does not depend on the load.
struct FaultInjection {
  int rank = -1;
  long after_jobs = -1;
  static FaultInjection from_environment() {
    FaultInjection f;
    if (const char* v = std::getenv("MUONBENCH_FAULT_INJECT"))
      if (std::sscanf(v, "%d:%ld", &f.rank, &f.after_jobs) != 2) f = FaultInjection{};
    return f;
  }
  bool active() const { return rank >= 0; }
  bool should_die(int r, long jobs_received) const { return r == rank && jobs_received == after_jobs + 1; }
};

// Whether every rank sees rank 0's cache directory (one machine, or a shared file system). Rank 0
// writes a file with a random token there and broadcasts its path and the token; a rank that reads
// the token back stores its own results, as a worker thread of one process does, and rank 0 only
// records them; otherwise rank 0 stores what that rank sends. Collective: every rank calls it
// right after MPI_Init. Returns the cache directory this rank stores into ("" for none).
std::string shared_cache_dir(int rank, const std::string& cache_dir);

// A rank other than 0: asks rank 0 for jobs, runs them and sends back each result (storing it
// first into `store_dir` when that is not ""), until rank 0 says stop.
void worker(const Plan& p, int rank, const std::string& store_dir, const FaultInjection& fault,
            const std::atomic<bool>* cancel);

}  // namespace mb::mpi_detail
