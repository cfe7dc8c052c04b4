// The MPI backend of `muonbench run` (see harness/distributed.hpp for the design).
// Only rank 0's main thread calls MPI (MPI_THREAD_FUNNELED); rank 0's worker thread and every
// other rank's single worker compute jobs. Messages are JSON texts.
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <deque>
#include <iostream>
#include <mutex>
#include <thread>
#include <unistd.h>

#include "harness/atomic_file.hpp"
#include "harness/cache.hpp"
#include "harness/claim.hpp"
#include "harness/distributed.hpp"
#include "harness/error.hpp"

namespace mb {

bool built_with_mpi() { return true; }

namespace {

enum Tag : int { kRequest = 1, kResult = 2, kAssign = 3 };
constexpr long kStop = -1;

struct Plan {
  const RunPlan& plan;
  bool is_cell(size_t job) const { return plan.is_cell(job); }
  const std::string& precision(size_t job) const { return plan.precision(job); }
  std::string id(size_t job) const { return is_cell(job) ? plan.cells[job].id() : plan.claims[job - plan.cells.size()].id(); }
  std::string what(size_t job) const {
    if (!is_cell(job)) {
      const auto& t = plan.claims[job - plan.cells.size()];
      return "claim " + t.claim + " [" + t.precision + "]";
    }
    const auto& c = plan.cells[job];
    return c.problem_label + " / " + c.solver_label + (c.setting.empty() ? "" : " " + c.setting) + " [" + c.precision +
           "] seed " + std::to_string(c.seed);
  }
  // Largest first: mp50 jobs are 100-1000x slower than double; then the larger time budget.
  double weight(size_t job) const {
    const double prec = precision(job) == "mp50" ? 1000.0 : 1.0;
    const double budget = is_cell(job) ? plan.cells[job].max_seconds : 60.0;
    return prec * budget;
  }
};

// Runs one job; returns its result as JSON ({"job", "result"}), or null if cancelled.
json run_job(const Plan& p, size_t job, const std::atomic<bool>* cancel) {
  if (p.is_cell(job)) {
    try {
      const CellResult r = run_cell(p.plan.cells[job], cancel);
      return {{"job", job}, {"record", r.record}, {"timing", r.timing}};
    } catch (const Cancelled&) {
      return nullptr;
    }
  }
  const ClaimResult r = run_claim_task(p.plan.claims[job - p.plan.cells.size()]);
  return {{"job", job}, {"outcomes", r.outcomes}, {"seconds", r.seconds}};
}

void send_json(const json& j, int dest, int tag) {
  const std::string s = j.dump();
  MPI_Send(s.data(), static_cast<int>(s.size()), MPI_CHAR, dest, tag, MPI_COMM_WORLD);
}

json recv_json(const MPI_Status& probe) {
  int n = 0;
  MPI_Get_count(&probe, MPI_CHAR, &n);
  std::string s(static_cast<size_t>(n), '\0');
  MPI_Recv(s.data(), n, MPI_CHAR, probe.MPI_SOURCE, probe.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  return json::parse(s);
}

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

void worker(const Plan& p, int rank, const FaultInjection& fault, const std::atomic<bool>* cancel) {
  send_json(json::object(), 0, kRequest);
  long received = 0;
  for (;;) {
    long job = kStop;
    MPI_Recv(&job, 1, MPI_LONG, 0, kAssign, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    if (job == kStop) return;
    if (fault.should_die(rank, ++received)) {
      std::cerr << "muonbench: rank " << rank << ": injected fault (MUONBENCH_FAULT_INJECT)\n";
      std::_Exit(17);
    }
    const json r = run_job(p, static_cast<size_t>(job), cancel);
    if (r.is_null()) return;  // cancelled: rank 0 is ending the run
    send_json(r, 0, kResult);
  }
}

class Coordinator {
 public:
  Coordinator(const Plan& p, const RunOptions& opt, std::string journal, int size, bool compute_locally)
      : p_(p),
        opt_(opt),
        cache_(opt.cache_dir),
        journal_(std::move(journal)),
        size_(size),
        compute_locally_(compute_locally) {}

  RunOutput run() {
    const std::vector<size_t> todo = cache_.load_finished(p_.plan, out_);
    queue_.assign(todo.begin(), todo.end());
    std::stable_sort(queue_.begin(), queue_.end(), [&](size_t a, size_t b) { return p_.weight(a) > p_.weight(b); });
    done_ = out_.stats.cells_cached + out_.stats.claims_cached;
    write_journal(false);

    std::thread local([&] { local_worker(); });
    // Each remote rank holds up to kPrefetch assigned jobs: while it computes one, the next is
    // already in its queue, so it never waits for the coordinator's (polling) answer. MPI keeps
    // messages between two ranks in order, so kStop arrives after the prefetched jobs.
    constexpr int kPrefetch = 2;
    int active_remote = size_ - 1;
    long remote_pending = 0;  // jobs assigned to remote ranks whose results have not arrived
    std::vector<bool> stopped(static_cast<size_t>(size_), false);
    while (active_remote > 0 || remote_pending > 0 || !local_finished_) {
      if (opt_.cancel && opt_.cancel->load()) break;
      int flag = 0;
      MPI_Status st;
      MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st);
      if (!flag) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));  // leave the core to the workers
        continue;
      }
      const json msg = recv_json(st);
      const int src = st.MPI_SOURCE;
      if (st.MPI_TAG == kResult) {
        accept(msg);
        --remote_pending;
      }
      for (int k = st.MPI_TAG == kRequest ? kPrefetch : 1; k > 0 && !stopped[static_cast<size_t>(src)]; --k) {
        const long next = take(src);
        MPI_Send(&next, 1, MPI_LONG, src, kAssign, MPI_COMM_WORLD);
        if (next == kStop) {
          stopped[static_cast<size_t>(src)] = true;
          --active_remote;
        } else {
          ++remote_pending;
        }
      }
    }
    local.join();
    out_.stats.cancelled = opt_.cancel && opt_.cancel->load();
    write_journal(!out_.stats.cancelled);
    if (out_.stats.cancelled) report_lost();
    return std::move(out_);
  }

 private:
  // Next job for `rank` (kStop when none), recorded in flight.
  long take(int rank) {
    std::lock_guard<std::mutex> lock(mu_);
    if (queue_.empty()) return kStop;
    const size_t job = queue_.front();
    queue_.pop_front();
    in_flight_[job] = rank;
    write_journal_locked(false);
    return static_cast<long>(job);
  }

  void accept(const json& msg) {
    std::lock_guard<std::mutex> lock(mu_);
    const size_t job = msg.at("job").get<size_t>();
    if (p_.is_cell(job)) {
      CellResult r{msg.at("record"), msg.at("timing")};
      cache_.store(p_.plan.cells[job], r);
      ++out_.stats.cells_run;
      out_.stats.count_status(r.record.value("status", ""));
      out_.cells[p_.id(job)] = std::move(r);
    } else {
      ClaimResult r{msg.at("outcomes"), msg.at("seconds").get<double>()};
      cache_.store(p_.plan.claims[job - p_.plan.cells.size()], r);
      ++out_.stats.claims_run;
      out_.claims[p_.id(job)] = std::move(r);
    }
    in_flight_.erase(job);
    ++done_;
    write_journal_locked(false);
  }

  void local_worker() {
    while (compute_locally_) {
      const long job = take(0);
      if (job == kStop) break;
      const json r = run_job(p_, static_cast<size_t>(job), opt_.cancel);
      if (r.is_null()) break;
      accept(r);
    }
    local_finished_ = true;
  }

  void write_journal(bool finished) {
    std::lock_guard<std::mutex> lock(mu_);
    write_journal_locked(finished);
  }
  void write_journal_locked(bool finished) {
    if (journal_.empty()) return;
    json flight = json::array();
    for (const auto& [job, rank] : in_flight_) flight.push_back({{"job", p_.id(job)}, {"what", p_.what(job)}, {"rank", rank}});
    const json j = {{"suite", suite_},
                    {"ranks", size_},
                    {"total", p_.plan.size()},
                    {"done", done_},
                    {"in_flight", flight},
                    {"finished", finished}};
    write_file_atomic(journal_, j.dump(1) + "\n");
  }
  void report_lost() {
    std::lock_guard<std::mutex> lock(mu_);
    if (in_flight_.empty()) return;
    std::cerr << "muonbench: the distributed run stopped with " << in_flight_.size() << " job(s) lost in flight:\n";
    for (const auto& [job, rank] : in_flight_)
      std::cerr << "  " << p_.id(job) << "  " << p_.what(job) << "  (rank " << rank << ")\n";
  }

 public:
  std::string suite_;

 private:
  const Plan& p_;
  const RunOptions& opt_;
  ResultCache cache_;
  std::string journal_;
  int size_;
  std::mutex mu_;
  std::deque<size_t> queue_;
  std::map<size_t, int> in_flight_;
  size_t done_ = 0;
  bool compute_locally_;  // rank 0 also runs jobs on a worker thread (off under fault injection)
  std::atomic<bool> local_finished_{false};
  RunOutput out_;
};

}  // namespace

DistributedResult run_plan_distributed(const RunPlan& plan, const RunOptions& options, const std::string& journal,
                                       const std::string& suite) {
  int provided = 0;
  MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
  if (provided < MPI_THREAD_FUNNELED) {
    MPI_Finalize();
    throw Error("run: the MPI library does not provide MPI_THREAD_FUNNELED");
  }
  DistributedResult res;
  MPI_Comm_rank(MPI_COMM_WORLD, &res.rank);
  MPI_Comm_size(MPI_COMM_WORLD, &res.size);
  const Plan p{plan};
  const FaultInjection fault = FaultInjection::from_environment();
  if (res.rank == 0) {
    Coordinator c(p, options, journal, res.size, !fault.active());
    c.suite_ = suite;
    res.output = c.run();
    if (res.output.stats.cancelled) {
      // Workers may be blocked waiting for a job: end every rank now; results are in the cache.
      std::cerr.flush();
      MPI_Abort(MPI_COMM_WORLD, 130);
    }
  } else {
    worker(p, res.rank, fault, options.cancel);
  }
  MPI_Finalize();
  return res;
}

}  // namespace mb
