#include "harness/runner.hpp"

#include <algorithm>
#include <chrono>
#include <mutex>
#include <thread>

#include "harness/cache.hpp"
#include "harness/claim.hpp"
#include "harness/environment.hpp"
#include "harness/error.hpp"
#include "harness/progress.hpp"
#include "harness/registry.hpp"
#include "harness/suite.hpp"

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
}  // namespace

json CellSpec::to_json() const {
  return {{"problem", problem},
          {"problem_label", problem_label},
          {"problem_params", problem_params},
          {"solver", solver},
          {"solver_label", solver_label},
          {"setting", setting},
          {"hyper", hyper},
          {"precision", precision},
          {"seed", seed},
          {"max_steps", max_steps},
          {"max_seconds", max_seconds},
          {"targets", targets},
          {"stop_at_target", stop_at_target}};
}

std::string CellSpec::id() const { return content_hash(to_json().dump() + "|" + version_string()); }

std::string CellSpec::workload() const { return problem_label + " [" + precision + "]"; }

CellSpec cell_from_json(const json& j) {
  CellSpec c;
  c.problem = j.at("problem").get<std::string>();
  c.problem_label = j.at("problem_label").get<std::string>();
  c.problem_params = j.at("problem_params");
  c.solver = j.at("solver").get<std::string>();
  c.solver_label = j.at("solver_label").get<std::string>();
  c.setting = j.at("setting").get<std::string>();
  c.hyper = j.at("hyper");
  c.precision = j.at("precision").get<std::string>();
  c.seed = j.at("seed").get<std::uint64_t>();
  c.max_steps = j.at("max_steps").get<long>();
  c.max_seconds = j.at("max_seconds").get<double>();
  c.targets = j.at("targets").get<std::vector<std::string>>();
  c.stop_at_target = j.at("stop_at_target").get<bool>();
  return c;
}

std::string ClaimTask::id() const { return content_hash("claim|" + claim + "|" + precision + "|" + version_string()); }

namespace {
// The record of a cell that ended with an exception other than a numerical event (a bug, an
// allocation failure): same shape as a normal record, status "failed", never cached.
CellResult failed_cell(const CellSpec& cell, const std::string& reason) {
  CellResult out;
  json& r = out.record;
  r["id"] = cell.id();
  r["cell"] = cell.to_json();
  r["problem_params"] = cell.problem_params;
  r["hyper"] = cell.hyper;
  r["status"] = "failed";
  r["reason"] = reason;
  r["steps"] = 0;
  r["gradient_evaluations"] = 0;
  r["f0"] = nullptr;
  r["f_star"] = nullptr;
  r["f_star_source"] = "";
  r["gap0"] = nullptr;
  r["final"] = {{"value", nullptr}, {"gap", nullptr}, {"grad_norm", nullptr}};
  r["curve"] = {{"step", json::array()}, {"value", json::array()}, {"gap", json::array()}, {"grad_norm", json::array()}};
  json st = json::object();
  for (const auto& t : cell.targets) st[t] = nullptr;
  r["steps_to_target"] = st;
  r["rounding_floor_relative"] = nullptr;
  r["rate"] = nullptr;
  out.timing = {{"seconds", 0.0}, {"curve_seconds", json::array()}, {"seconds_to_target", st}};
  return out;
}
}  // namespace

CellResult run_cell(const CellSpec& cell, const std::atomic<bool>* cancel) {
  const auto& runner = Registry<CellRunner>::instance().get(cell.precision, "precision", "precision");
  try {
    return runner(cell, cancel);
  } catch (const Cancelled&) {
    throw;
  } catch (const std::exception& e) {
    return failed_cell(cell, std::string("exception: ") + e.what());
  }
}

RunPlan shard_plan(const RunPlan& plan, int k, int n) {
  if (n < 1 || k < 1 || k > n) throw Error("--shard: expected k/N with 1 <= k <= N");
  RunPlan out;
  const size_t N = static_cast<size_t>(n), K = static_cast<size_t>(k - 1);
  for (size_t i = 0; i < plan.size(); ++i) {
    if (i % N != K) continue;
    if (plan.is_cell(i))
      out.cells.push_back(plan.cells[i]);
    else
      out.claims.push_back(plan.claim(i));
  }
  return out;
}

std::pair<int, int> parse_shard(const std::string& text) {
  const auto slash = text.find('/');
  auto number = [&](const std::string& s) {
    if (s.empty() || s.size() > 6 || s.find_first_not_of("0123456789") != std::string::npos)
      throw Error("--shard: expected k/N with integers 1 <= k <= N, got '" + text + "'");
    return std::stoi(s);
  };
  if (slash == std::string::npos) throw Error("--shard: expected k/N (e.g. 1/4), got '" + text + "'");
  const int k = number(text.substr(0, slash)), n = number(text.substr(slash + 1));
  if (n < 1 || k < 1 || k > n) throw Error("--shard: expected 1 <= k <= N, got '" + text + "'");
  return {k, n};
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

  // Cached jobs first (no work), then the rest: mp50 before the others (the slow ones start first,
  // so the last job to finish is a short one), suite order otherwise.
  std::vector<size_t> todo = cache.load_finished(plan, out);
  std::stable_sort(todo.begin(), todo.end(),
                   [&](size_t a, size_t b) { return (plan.precision(a) == "mp50") > (plan.precision(b) == "mp50"); });

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
          const std::string status = r.record.value("status", "");
          {
            std::lock_guard<std::mutex> lock(mu);
            ++out.stats.cells_run;
            out.stats.count_status(status);
            out.cells[cell.id()] = std::move(r);
          }
          progress.finished(status);
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
