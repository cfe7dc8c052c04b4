#include "harness/engine/runner.hpp"

#include <algorithm>
#include <chrono>
#include <mutex>
#include <thread>

#include "harness/engine/cache.hpp"
#include "harness/claims/run_claims.hpp"
#include "harness/report/environment.hpp"
#include "harness/core/error.hpp"
#include "harness/engine/progress.hpp"
#include "harness/core/registry.hpp"
#include "harness/engine/suite.hpp"

namespace mb {

namespace {
// Boost 1.74 trap (threads x mp50): numeric_limits<number<cpp_bin_float<50>, et_on>> fills its
// constants lazily and without a lock (`value.first = true` is set before `value.second` is
// computed), and its start-up initializer fills the et_off type's constants instead. eval_log uses
// the et_on epsilon as its stopping tolerance, so two threads taking their first mp50 logarithm at
// once can read epsilon = 0 and loop (practically) forever. Filling every such constant here,
// before main() and before any worker thread, removes the race.
template <class N>
void touch_limits() {
  using L = std::numeric_limits<N>;
  (void)L::epsilon(), (void)L::round_error(), (void)(L::min)(), (void)(L::max)(), (void)L::lowest();
  (void)L::infinity(), (void)L::quiet_NaN(), (void)L::denorm_min();
}
const bool mp50_limits_ready = [] {
  touch_limits<mp50>();
  touch_limits<boost::multiprecision::number<mp50::backend_type, boost::multiprecision::et_on>>();
  return true;
}();

// The record of a cell that ended with an exception other than a numerical event (a bug, an
// allocation failure): same shape as a normal record, status "failed", never cached.
CellResult failed_cell(const CellSpec& cell, const std::string& reason) {
  CellResult out;
  CellRecord& r = out.record;
  r.id = cell.id();
  r.cell = cell.to_json();
  r.problem_params = cell.problem_params;
  r.hyper = cell.hyper;
  r.status = CellStatus::failed;
  r.reason = reason;
  r.f_star_source = "";
  r.rate = nullptr;
  for (const auto& t : cell.targets) {
    r.steps_to_target[t] = std::nullopt;
    out.timing.seconds_to_target[t] = std::nullopt;
  }
  return out;
}
}  // namespace

CellResult run_cell(const CellSpec& cell, const std::atomic<bool>* cancel) {
  try {
    return dispatch(cell.precision, [&](auto tag) { return run_cell_in<typename decltype(tag)::type>(cell, cancel); });
  } catch (const Cancelled&) {
    throw;
  } catch (const std::exception& e) {
    return failed_cell(cell, std::string("exception: ") + e.what());
  }
}

void parallel_for(size_t count, int threads, const std::function<void(size_t)>& task,
                  const std::atomic<bool>* cancel) {
  std::atomic<size_t> next{0};
  std::exception_ptr first_error;
  std::mutex mu;
  auto worker = [&] {
    for (;;) {
      if (cancel && cancel->load()) return;
      {
        std::lock_guard<std::mutex> lock(mu);
        if (first_error) return;
      }
      const size_t i = next.fetch_add(1);
      if (i >= count) return;
      try {
        task(i);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mu);
        if (!first_error) first_error = std::current_exception();
      }
    }
  };
  const int n = std::max(1, std::min<int>(threads, static_cast<int>(count)));
  std::vector<std::thread> pool;
  for (int t = 1; t < n; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  if (first_error) std::rethrow_exception(first_error);
}

ClaimResult run_claim_task(const ClaimTask& task) {
  const auto t0 = std::chrono::steady_clock::now();
  const ClaimsRun run = run_claims({task.claim}, {task.precision}, true, 1);
  return {run.outcomes, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()};
}

RunOutput run_plan(const RunPlan& plan, const RunOptions& options) {
  const ResultCache cache(options.cache_dir);
  RunOutput out;
  std::mutex mu;  // guards `out`

  // Cached jobs first (no work), then the rest: the costly precisions first (the slow ones start
  // first, so the last job to finish is a short one), suite order otherwise.
  std::vector<size_t> todo = cache.load_finished(plan, out);
  std::stable_sort(todo.begin(), todo.end(),
                   [&](size_t a, size_t b) { return info(plan.precision(a)).cost > info(plan.precision(b)).cost; });

  const bool show = options.progress == ProgressMode::always ||
                    (options.progress == ProgressMode::automatic && stderr_is_terminal());
  Progress progress(plan.size(), show);
  for (size_t i = 0; i < out.stats.cells_cached + out.stats.claims_cached; ++i) progress.cached();

  parallel_for(
      todo.size(), options.threads,
      [&](size_t t) {
        const size_t job = todo[t];
        if (plan.is_cell(job)) {
          const CellSpec& cell = plan.cells[job];
          CellResult r;
          try {
            r = run_cell(cell, options.cancel);
          } catch (const Cancelled&) {
            return;
          }
          cache.store(cell, r);
          const CellStatus status = r.record.status;
          {
            std::lock_guard<std::mutex> lock(mu);
            ++out.stats.cells_run;
            out.stats.count_status(status);
            out.cells[cell.id()] = std::move(r);
          }
          progress.finished(to_string(status));
        } else {
          const ClaimTask& task = plan.claim(job);
          ClaimResult r = run_claim_task(task);
          cache.store(task, r);
          {
            std::lock_guard<std::mutex> lock(mu);
            ++out.stats.claims_run;
            out.claims[task.id()] = std::move(r);
          }
          progress.finished("claim");
        }
      },
      options.cancel);
  out.stats.cancelled = options.cancel && options.cancel->load();
  return out;
}

}  // namespace mb
