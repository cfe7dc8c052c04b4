// Distributed runs over MPI (Open MPI from Debian), for `mpirun -np K muonbench run --suite S`.
//
// Every rank parses the suite and builds the same plan. Rank 0 coordinates: it hands out jobs from
// a queue ordered largest first (mp50 before the others, then by time budget), keeping about 20 ms
// of work queued on each other rank, so ranks that finish early take more (dynamic load balancing);
// it also runs jobs itself on a worker thread, so K ranks keep K cores busy, and starts computing
// before MPI_Init returns. A rank that sees rank 0's cache directory (one machine or a shared file
// system) stores its own results there, as a worker thread of one process does; otherwise rank 0
// stores them. Rank 0 gathers every result and writes the same report a single process would write
// (make_report is a pure function of the results by id).
//
// Failures: rank 0 appends every assignment and every finished job to OUT/mpi-journal.jsonl, one
// JSON object per line:
//   {"suite": S, "ranks": K, "total": N, "done": D}   first line (D jobs were already cached)
//   {"run": ID, "rank": R, "what": "..."}              job ID handed to rank R
//   {"done": ID}                                       job ID finished (its result is cached)
//   {"finished": true}                                 last line of a run that completed
// If a rank dies, mpirun ends the run; rank 0 reports the lost jobs when it can, and the next
// `muonbench run` of the same suite and OUT replays the journal, names the jobs the failed run lost
// (handed out, never done), reuses every finished job from the cache and runs only the missing ones.
//
// A build without MPI (-DMUONBENCH_MPI=OFF or no MPI found) refuses to run under mpirun with
// several ranks instead of running the whole suite K times.
#pragma once

#include <string>

#include "harness/core/json_num.hpp"
#include "harness/engine/runner.hpp"

namespace mb {

// Ranks in MPI_COMM_WORLD according to the launcher's environment (Open MPI, PMI, PMIx); 1 when
// not started by mpirun. Does not initialise MPI.
int launcher_world_size();
// This process's rank according to the launcher's environment; -1 when it does not say.
int launcher_rank();
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

// Writes the journal (format above), append-only: one write(2) per line on an O_APPEND descriptor,
// about a microsecond, where rewriting a JSON file atomically (temp file, rename) cost 0.3 ms on
// every assignment and every result (half a second of rank 0's core over the default suite). A
// line cut short by a crash is skipped by the reader. "" writes nothing.
class JournalLog {
 public:
  explicit JournalLog(const std::string& path);  // truncates: a new run starts a new journal
  ~JournalLog();
  JournalLog(const JournalLog&) = delete;
  JournalLog& operator=(const JournalLog&) = delete;
  void append(const json& line);

 private:
  int fd_ = -1;
};

// Reads a journal left by an unfinished distributed run: a message naming the lost jobs, or "".
std::string describe_unfinished_journal(const std::string& journal);

}  // namespace mb
