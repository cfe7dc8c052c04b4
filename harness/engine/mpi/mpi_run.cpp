// The MPI backend of `muonbench run` (see harness/engine/distributed.hpp for the design).
// Only rank 0's main thread calls MPI (MPI_THREAD_FUNNELED): it coordinates while rank 0's worker
// thread computes; every other rank runs one worker (harness/engine/mpi/mpi_worker.cpp). Messages are
// JSON texts.
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <deque>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "harness/engine/distributed.hpp"
#include "harness/core/error.hpp"
#include "harness/engine/mpi/mpi_parts.hpp"

namespace mb {

bool built_with_mpi() { return true; }

namespace {

using namespace mpi_detail;

// CPUs this process may run on (its affinity mask; mpirun usually binds a rank to one core).
int usable_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  return sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 1;
}

// What the coordinator knows about one remote rank.
struct RemoteRank {
  bool ready = false;            // its first message (a request) has arrived
  bool stopped = false;          // kStop sent: it gets no more jobs
  int assigned = 0;              // jobs handed to it whose results have not arrived
  double seconds_per_job = -1;   // running mean of its recent jobs' durations (-1: none yet)
  // Jobs to keep assigned so that its queue lasts `lookahead` seconds: at least 2, at most 64.
  int depth(double lookahead) const {
    if (seconds_per_job < 0) return 2;
    return static_cast<int>(std::clamp(1.0 + std::ceil(lookahead / std::max(seconds_per_job, 1e-6)), 2.0, 64.0));
  }
};

class Coordinator {
 public:
  Coordinator(const Plan& p, const RunOptions& opt, const std::string& journal, int size, bool compute_locally)
      : p_(p), opt_(opt), cache_(opt.cache_dir), journal_(journal), size_(size), compute_locally_(compute_locally) {}

  ~Coordinator() {
    stop_local_ = true;  // on an early exit (an exception) the local workers end after their job
    mpi_up_ = true;
    join_local();
  }

  // Everything before the first MPI call: loads the cache, orders the queue, starts the journal
  // and rank 0's local worker. Called before MPI_Init where the launcher tells the rank: MPI_Init
  // takes about 0.23 s on one machine and mostly waits (0.02 s of CPU), on every rank, and rank 0
  // computes meanwhile; where this rank may use more than one CPU (mpirun binds each of 2 ranks to
  // one core unless told --bind-to none), a second thread helps until MPI is up.
  void start(const std::string& suite, bool before_mpi_init) {
    const std::vector<size_t> todo = cache_.load_finished(p_.plan, out_);
    queue_.assign(todo.begin(), todo.end());
    std::stable_sort(queue_.begin(), queue_.end(), [&](size_t a, size_t b) { return p_.weight(a) > p_.weight(b); });
    journal_.append({{"suite", suite},
                     {"ranks", size_},
                     {"total", p_.plan.size()},
                     {"done", out_.stats.cells_cached + out_.stats.claims_cached}});
    if (!compute_locally_) return;
    const bool helper = before_mpi_init && usable_cpus() > 1;
    local_running_ = helper ? 2 : 1;
    local_ = std::thread([&] { local_worker(false); });
    if (helper) startup_helper_ = std::thread([&] { local_worker(true); });
  }

  // The MPI part (after MPI_Init, on the thread that called it): hands out jobs and gathers results
  // until every job is done; returns all results.
  RunOutput serve() {
    mpi_up_ = true;
    // The coordinator looks for messages every `poll` and sleeps in between: at 1 ms it woke
    // 16000 times over the default suite (0.9 s of CPU on rank 0's core, most of it waking), and
    // only 400 of those found a message. Remote ranks' queues are kept `lookahead` deep instead.
    const auto poll = std::chrono::milliseconds(5);
    const double lookahead = 0.02;  // seconds of work, 4 polling intervals
    std::vector<RemoteRank> remote(static_cast<size_t>(size_));
    // A remote rank is done once it has been told to stop and its last result has arrived.
    auto remote_done = [&] {
      return std::all_of(remote.begin() + 1, remote.end(), [](const RemoteRank& r) { return r.stopped && r.assigned == 0; });
    };
    while (!remote_done() || local_running_ > 0) {
      if (opt_.cancel && opt_.cancel->load()) break;
      if (const std::string e = local_error(); !e.empty()) {
        std::cerr << "muonbench: rank 0: error: " << e << "\n";
        MPI_Abort(MPI_COMM_WORLD, 2);  // the other ranks may be waiting for jobs
      }
      bool any = false;
      for (;;) {  // every message that has arrived
        int flag = 0;
        MPI_Status st;
        MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st);
        if (!flag) break;
        any = true;
        const json msg = recv_json(st);
        RemoteRank& r = remote[static_cast<size_t>(st.MPI_SOURCE)];
        r.ready = true;
        if (st.MPI_TAG == kResult) {
          const double s = msg.at("rank_seconds").get<double>();
          r.seconds_per_job = r.seconds_per_job < 0 ? s : 0.75 * r.seconds_per_job + 0.25 * s;
          --r.assigned;
          accept(msg);
        }
      }
      // Top up every remote rank's queue, so it never waits for the coordinator. MPI keeps the
      // messages between two ranks in order: kStop arrives after the jobs already assigned.
      for (int src = 1; src < size_; ++src) {
        RemoteRank& r = remote[static_cast<size_t>(src)];
        while (r.ready && !r.stopped && r.assigned < r.depth(lookahead)) {
          const long next = take(src);
          MPI_Send(&next, 1, MPI_LONG, src, kAssign, MPI_COMM_WORLD);
          if (next == kStop)
            r.stopped = true;
          else
            ++r.assigned;
        }
      }
      if (!any) std::this_thread::sleep_for(poll);  // leave the core to the workers
    }
    join_local();
    out_.stats.cancelled = opt_.cancel && opt_.cancel->load();
    if (out_.stats.cancelled)
      report_lost();
    else
      journal_.append({{"finished", true}});
    return std::move(out_);
  }

 private:
  // Next job for `rank` (kStop when none), journaled as in flight on that rank.
  long take(int rank) {
    std::lock_guard<std::mutex> lock(mu_);
    if (queue_.empty()) return kStop;
    const size_t job = queue_.front();
    queue_.pop_front();
    in_flight_[job] = rank;
    journal_.append({{"run", p_.plan.id(job)}, {"rank", rank}, {"what", p_.what(job)}});
    return static_cast<long>(job);
  }

  // Records a finished job's result, after storing it in the cache unless the rank that ran it did
  // (outside the lock: the file write is the slow part), and journals it as done.
  void accept(const json& msg) {
    const size_t job = msg.at("job").get<size_t>();
    const bool stored = msg.value("stored", false);
    if (p_.plan.is_cell(job)) {
      CellResult r = CellResult::read_from(msg, "MPI message");
      if (!stored) cache_.store(p_.plan.cells[job], r);
      std::lock_guard<std::mutex> lock(mu_);
      ++out_.stats.cells_run;
      out_.stats.count_status(r.record.status);
      out_.cells[p_.plan.id(job)] = std::move(r);
      finish_locked(job);
    } else {
      ClaimResult r{msg.at("outcomes"), msg.at("seconds").get<double>()};
      if (!stored) cache_.store(p_.plan.claim(job), r);
      std::lock_guard<std::mutex> lock(mu_);
      ++out_.stats.claims_run;
      out_.claims[p_.plan.id(job)] = std::move(r);
      finish_locked(job);
    }
  }
  void finish_locked(size_t job) {
    in_flight_.erase(job);
    journal_.append({{"done", p_.plan.id(job)}});
  }

  // Rank 0's computing threads; `until_mpi_up`: the start-up helper (see start()). An error (a
  // cache file that cannot be written) stops them; the coordinator reports it and ends the run.
  void local_worker(bool until_mpi_up) {
    try {
      while (!stop_local_ && !(until_mpi_up && mpi_up_)) {
        const long job = take(0);
        if (job == kStop) break;
        const json r = run_job(p_, static_cast<size_t>(job), opt_.cancel);
        if (r.is_null()) break;
        accept(r);
      }
    } catch (const std::exception& e) {
      std::lock_guard<std::mutex> lock(mu_);
      if (error_.empty()) error_ = e.what();
      stop_local_ = true;
    }
    --local_running_;
  }
  std::string local_error() {
    std::lock_guard<std::mutex> lock(mu_);
    return error_;
  }
  void join_local() {
    for (std::thread* t : {&local_, &startup_helper_})
      if (t->joinable()) t->join();
  }

  void report_lost() {
    std::lock_guard<std::mutex> lock(mu_);
    if (in_flight_.empty()) return;
    std::cerr << "muonbench: the distributed run stopped with " << in_flight_.size() << " job(s) lost in flight:\n";
    for (const auto& [job, rank] : in_flight_)
      std::cerr << "  " << p_.plan.id(job) << "  " << p_.what(job) << "  (rank " << rank << ")\n";
  }

  const Plan& p_;
  const RunOptions& opt_;
  ResultCache cache_;
  JournalLog journal_;
  int size_;
  std::mutex mu_;  // guards queue_, in_flight_, out_, error_ and the journal
  std::deque<size_t> queue_;
  std::map<size_t, int> in_flight_;
  bool compute_locally_;  // rank 0 also runs jobs on a worker thread (off under fault injection)
  std::atomic<int> local_running_{0};
  std::atomic<bool> stop_local_{false}, mpi_up_{false};
  std::thread local_, startup_helper_;
  std::string error_;  // the first error of a local worker
  RunOutput out_;
};

}  // namespace

DistributedResult run_plan_distributed(const RunPlan& plan, const RunOptions& options, const std::string& journal,
                                       const std::string& suite) {
  const Plan p{plan};
  const FaultInjection fault = FaultInjection::from_environment();
  // The launcher tells each process its rank before MPI_Init (Open MPI, PMIx, PMI): rank 0 starts
  // computing at once. Under a launcher that does not, rank 0 starts after MPI_Init.
  const int early_rank = launcher_rank();
  std::optional<Coordinator> coordinator;
  if (early_rank == 0) {
    coordinator.emplace(p, options, journal, launcher_world_size(), !fault.active());
    coordinator->start(suite, true);
  }
  int provided = 0;
  MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
  DistributedResult res;
  MPI_Comm_rank(MPI_COMM_WORLD, &res.rank);
  MPI_Comm_size(MPI_COMM_WORLD, &res.size);
  const char* problem = provided < MPI_THREAD_FUNNELED ? "the MPI library does not provide MPI_THREAD_FUNNELED"
                        : early_rank >= 0 && (early_rank != res.rank || (coordinator && launcher_world_size() != res.size))
                            ? "the launcher's rank or size disagrees with MPI_COMM_WORLD"
                            : nullptr;
  if (problem) {
    std::cerr << "muonbench: rank " << res.rank << ": " << problem << "\n";
    MPI_Abort(MPI_COMM_WORLD, 2);
  }
  if (res.rank == 0 && !coordinator) {
    coordinator.emplace(p, options, journal, res.size, !fault.active());
    coordinator->start(suite, false);
  }
  const std::string store_dir = shared_cache_dir(res.rank, options.cache_dir);
  if (coordinator) {
    res.output = coordinator->serve();
    if (res.output.stats.cancelled) {
      // Workers may be blocked waiting for a job: end every rank now; results are in the cache.
      std::cerr.flush();
      MPI_Abort(MPI_COMM_WORLD, 130);
    }
  } else {
    try {
      worker(p, res.rank, store_dir, fault, options.cancel);
    } catch (const std::exception& e) {
      std::cerr << "muonbench: rank " << res.rank << ": error: " << e.what() << "\n";
      MPI_Abort(MPI_COMM_WORLD, 2);  // rank 0 would wait for this rank's results forever
    }
  }
  // MPI_Finalize waits for every rank (about 50 ms on one machine): at exit, so that rank 0 writes
  // the report first and the other ranks wait for it there.
  std::atexit([] { MPI_Finalize(); });
  return res;
}

}  // namespace mb
