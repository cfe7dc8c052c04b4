// The worker side of the MPI backend (harness/engine/mpi/mpi_parts.hpp).
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <random>

#include "harness/claim.hpp"
#include "harness/engine/mpi/mpi_parts.hpp"

namespace mb::mpi_detail {

json run_job(const Plan& p, size_t job, const std::atomic<bool>* cancel) {
  if (p.plan.is_cell(job)) {
    try {
      const CellResult r = run_cell(p.plan.cells[job], cancel);
      json msg = {{"job", job}};
      r.write_to(msg);
      return msg;
    } catch (const Cancelled&) {
      return nullptr;
    }
  }
  const ClaimResult r = run_claim_task(p.plan.claim(job));
  return {{"job", job}, {"outcomes", r.outcomes}, {"seconds", r.seconds}};
}

void store_result(const ResultCache& cache, const Plan& p, size_t job, const json& msg) {
  if (p.plan.is_cell(job))
    cache.store(p.plan.cells[job], CellResult::read_from(msg, "MPI message"));
  else
    cache.store(p.plan.claim(job), ClaimResult{msg.at("outcomes"), msg.at("seconds").get<double>()});
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

std::string shared_cache_dir(int rank, const std::string& cache_dir) {
  std::string probe, token;
  if (rank == 0 && !cache_dir.empty()) {
    std::random_device rd;
    char buf[40];
    std::snprintf(buf, sizeof buf, "%08x%08x%08x", rd(), rd(), static_cast<unsigned>(::getpid()));
    token = buf;
    probe = cache_dir + "/.mpi-probe-" + token;
    std::ofstream(probe) << token;
  }
  std::string message = rank == 0 ? probe + "\n" + token : std::string();
  int n = static_cast<int>(message.size());
  MPI_Bcast(&n, 1, MPI_INT, 0, MPI_COMM_WORLD);
  message.resize(static_cast<size_t>(n));
  MPI_Bcast(message.data(), n, MPI_CHAR, 0, MPI_COMM_WORLD);
  std::string seen;
  if (rank != 0 && n > 0) {
    const size_t cut = message.find('\n');
    probe = message.substr(0, cut);
    token = message.substr(cut + 1);
    std::getline(std::ifstream(probe), seen);
  }
  MPI_Barrier(MPI_COMM_WORLD);  // every rank has looked: the probe can go
  if (rank == 0) {
    if (!probe.empty()) std::remove(probe.c_str());
    return "";  // rank 0 stores through its coordinator
  }
  return !token.empty() && seen == token ? cache_dir : "";
}

void worker(const Plan& p, int rank, const std::string& store_dir, const FaultInjection& fault,
            const std::atomic<bool>* cancel) {
  const ResultCache cache(store_dir);  // "" when rank 0 stores this rank's results
  send_json(json::object(), 0, kRequest);
  long received = 0;
  // Results go out with MPI_Isend, so this rank starts its next (prefetched) job at once instead of
  // waiting, inside a blocking send, for rank 0's coordinator to match the message.
  std::string sending;
  MPI_Request pending = MPI_REQUEST_NULL;
  for (;;) {
    long job = kStop;
    MPI_Recv(&job, 1, MPI_LONG, 0, kAssign, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    if (job == kStop) break;
    if (fault.should_die(rank, ++received)) {
      MPI_Wait(&pending, MPI_STATUS_IGNORE);  // the results computed so far have reached rank 0
      std::cerr << "muonbench: rank " << rank << ": injected fault (MUONBENCH_FAULT_INJECT)\n";
      std::_Exit(17);
    }
    const auto t0 = std::chrono::steady_clock::now();
    json r = run_job(p, static_cast<size_t>(job), cancel);
    if (r.is_null()) return;  // cancelled: rank 0 is ending the run (MPI_Abort)
    if (cache.enabled()) store_result(cache, p, static_cast<size_t>(job), r);
    r["stored"] = cache.enabled();
    r["rank_seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    MPI_Wait(&pending, MPI_STATUS_IGNORE);  // the previous result has left: its buffer is free
    sending = r.dump();
    MPI_Isend(sending.data(), static_cast<int>(sending.size()), MPI_CHAR, 0, kResult, MPI_COMM_WORLD, &pending);
  }
  MPI_Wait(&pending, MPI_STATUS_IGNORE);
}

}  // namespace mb::mpi_detail
