// Distributed runs over MPI (Open MPI from Debian), for `mpirun -np K muonbench run --suite S`.
//
// Every rank parses the suite and builds the same plan. Rank 0 coordinates: it hands out jobs one
// at a time from a queue ordered largest first (mp50 before the others, then by time budget), so
// ranks that finish early take more (dynamic load balancing), and it also runs jobs itself on a
// worker thread, so K ranks keep K cores busy. Results come back to rank 0, which stores each in
// the cache at once and writes the same report a single process would write (make_report is a
// pure function of the results by id).
//
// Failures: rank 0 keeps OUT/mpi-journal.json up to date (atomically) with the jobs in flight and
// the rank running each. If a rank dies, mpirun ends the run; rank 0 reports the lost jobs when it
// can, and the next `muonbench run` of the same suite and OUT reads the journal, names the jobs the
// failed run lost, reuses every finished job from the cache and runs only the missing ones.
//
// A build without MPI (-DMUONBENCH_MPI=OFF or no MPI found) refuses to run under mpirun with
// several ranks instead of running the whole suite K times.
#pragma once

#include <string>

#include "harness/runner.hpp"

namespace mb {

// Ranks in MPI_COMM_WORLD according to the launcher's environment (Open MPI, PMI, PMIx); 1 when
// not started by mpirun. Does not initialise MPI.
int launcher_world_size();
bool built_with_mpi();

struct DistributedResult {
  RunOutput output;  // on rank 0: every job's result; on other ranks: empty
  int rank = 0, size = 1;
};

// Runs the plan on all ranks (one worker per rank; rank 0 also coordinates). `journal` is the
// path of the journal file rank 0 keeps; `suite` names the suite in it. Throws Error if this build
// has no MPI.
DistributedResult run_plan_distributed(const RunPlan& plan, const RunOptions& options, const std::string& journal,
                                       const std::string& suite);

// Reads a journal left by an unfinished distributed run: a message naming the lost jobs, or "".
std::string describe_unfinished_journal(const std::string& journal);

}  // namespace mb
