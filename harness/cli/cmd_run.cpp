// muonbench run --suite NAME|FILE [--out DIR] [--threads N] [--shard k/N] [--cache DIR | --no-cache]
//               [--progress auto|always|never] [--gemm-threads M] [--plan] [--quiet]
//               [--reproducible [--time-limit-factor F]] [--allow-external]
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <tuple>

#include "harness/core/atomic_file.hpp"
#include "harness/engine/cache.hpp"
#include "harness/cli/command.hpp"
#include "harness/cli/signals.hpp"
#include "harness/engine/distributed.hpp"
#include "harness/report/environment.hpp"
#include "harness/core/error.hpp"
#include "harness/core/subprocess.hpp"
#include "harness/core/threads.hpp"
#include "harness/engine/progress.hpp"
#include "harness/report/report.hpp"
#include "harness/engine/suite.hpp"
#include "harness/engine/time_limit.hpp"

namespace mb::cli {
namespace {

// --time-limit-factor F: a finite number in [1, 1e6] (an emulator runs 5-50x slower).
double time_limit_factor_arg(const std::string& text) {
  char* end = nullptr;
  const double f = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(f) || f < 1 || f > 1e6)
    throw Error("run: --time-limit-factor: expected a number from 1 to 1e6, got '" + text + "'");
  return f;
}

// What the plan costs at most: the budgets hold (harness/engine/run_cell.cpp), so a cell takes
// at most max_seconds; list scheduling on p threads ends by sum/p + max (Graham's bound).
json plan_json(const Suite& suite, const RunPlan& plan, int threads, const std::string& cache_dir) {
  double sum = 0, longest = 0;
  for (const auto& c : plan.cells) sum += c.max_seconds, longest = std::max(longest, c.max_seconds);
  size_t cached = 0;
  if (!cache_dir.empty()) {
    // Count without creating the directory.
    std::error_code ec;
    if (std::filesystem::is_directory(cache_dir, ec)) {
      const ResultCache cache(cache_dir);
      for (const auto& c : plan.cells) cached += cache.load(c).has_value();
    }
  }
  json claims = json::array();
  for (const auto& t : plan.claims) claims.push_back(t.claim + "/" + precision_name(t.precision));
  return {{"suite", suite.name},
          {"cells", plan.cells.size()},
          {"cells_cached", cached},
          {"claim_tasks", claims},
          {"threads", threads},
          {"cell_seconds_budget_sum", sum},
          {"cell_seconds_budget_max", longest},
          {"worst_case_cell_seconds", sum / threads + longest}};
}

int cmd_run(const std::vector<std::string>& argv) {
  Args a(argv, "run", {"suite", "out", "threads", "shard", "cache", "progress", "gemm-threads", "time-limit-factor"},
         {"quiet", "no-cache", "plan", "allow-external", "reproducible"});
  const bool reproducible = a.has("reproducible");
  const Suite suite = load_suite(a.require("suite"));
  // Suites are shared files: the programs they name run only when the user says so.
  if (const auto cmds = external_commands(suite); !cmds.empty() && !a.has("allow-external")) {
    std::string list;
    for (const auto& c : cmds) list += (list.empty() ? "`" : ", `") + c + "`";
    throw Error("run: suite '" + suite.name + "' runs external program(s) as solvers: " + list +
                "; run them only if you trust them: add --allow-external (docs/plugins.md)");
  }
  const std::string out = a.get("out", "runs/" + suite.name);
  const int threads = a.integer("threads", default_threads(), 1, 1024);
  const int gemm = a.integer("gemm-threads", 1, 1, 1024);
  if (gemm > 1 && !gemm_threads_available())
    throw Error("run: --gemm-threads " + std::to_string(gemm) + ": this build has no OpenMP (configure with "
                "-DMUONBENCH_OPENMP=ON); cells still run in parallel with --threads");
  // A product split over threads sums in an order that depends on them.
  if (reproducible && gemm > 1)
    throw Error("run: --reproducible runs every product on one thread; drop --gemm-threads " + std::to_string(gemm));
  set_gemm_threads(gemm);
  if (a.has("time-limit-factor")) {
    if (!reproducible)
      throw Error("run: --time-limit-factor widens the safety limit of --reproducible; without --reproducible a "
                  "time budget decides results: edit max_seconds in the suite instead");
    set_time_limit_factor(time_limit_factor_arg(a.get("time-limit-factor")));
  }
  RunPlan plan = plan_of(suite);
  int shard_k = 0, shard_n = 0;
  if (a.has("shard")) {
    std::tie(shard_k, shard_n) = parse_shard(a.get("shard"));
    plan = shard_plan(plan, shard_k, shard_n);
  }
  if (a.has("no-cache") && a.has("cache")) throw Error("run: give --cache DIR or --no-cache, not both");
  const std::string cache_dir = a.has("no-cache") ? "" : a.get("cache", out + "/cache");
  const std::string progress = a.get("progress", "auto");
  if (progress != "auto" && progress != "always" && progress != "never")
    throw Error("run: --progress must be one of auto, always, never, got '" + progress + "'");
  if (a.has("plan")) {
    std::cout << plan_json(suite, plan, threads, cache_dir).dump(1) << "\n";
    return 0;
  }

  RunOptions opt;
  opt.threads = threads;
  opt.cache_dir = cache_dir;
  opt.cancel = install_cancel_handlers();
  set_subprocess_cancel_flag(opt.cancel);  // Ctrl-C also stops external solvers' processes at once
  opt.progress = a.has("quiet") || progress == "never" ? ProgressMode::never
                 : progress == "always"                ? ProgressMode::always
                                                       : ProgressMode::automatic;
  const int ranks = launcher_world_size();
  RunInfo info;
  info.threads = ranks > 1 ? ranks : threads;  // under mpirun: one worker per rank
  info.started = utc_now_iso8601();
  const auto t0 = std::chrono::steady_clock::now();
  ensure_directory(out, "--out");
  const std::string journal = out + "/" + (shard_n > 0 ? shard_file_name(shard_k, shard_n) + "." : "") + "mpi-journal.jsonl";
  // Read before this run overwrites it: what a failed distributed run of the same OUT lost.
  const std::string unfinished = describe_unfinished_journal(journal);
  RunOutput result;
  if (ranks > 1) {
    DistributedResult d = run_plan_distributed(plan, opt, journal, suite.name);
    if (d.rank != 0) return 0;  // rank 0 writes the documents
    result = std::move(d.output);
  } else {
    result = run_plan(plan, opt);
    if (!unfinished.empty() && !result.stats.cancelled) std::filesystem::remove(journal);
  }
  if (!unfinished.empty() && !a.has("quiet")) std::cerr << "muonbench: note: " << unfinished << "\n";
  // --reproducible: a time budget is only a safety limit; a cell that hits it has a result that
  // depends on this machine's speed, so it fails (reason "time-limit") and the run exits 1.
  if (reproducible)
    for (auto& [id, c] : result.cells)
      if (c.record.status == CellStatus::timeout) {
        c.record.status = CellStatus::failed;
        c.record.reason = "time-limit: " + c.record.reason + "; under --reproducible a time budget is a safety limit "
                          "(raise max_seconds, or lower max_steps)";
        --result.stats.timeouts;
        ++result.stats.failed;
      }
  info.reproducible = reproducible;
  info.finished = utc_now_iso8601();
  info.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  info.stats = result.stats;
  const size_t done = result.cells.size() + result.claims.size();
  if (result.stats.cancelled) {
    std::cerr << "muonbench: interrupted after " << done << " of " << plan.size() << " jobs; "
              << (cache_dir.empty() ? std::string("no cache (--no-cache), nothing kept")
                                    : "finished jobs are kept in " + cache_dir + "; run the same command to continue")
              << "\n";
    return 130;
  }
  const bool quiet = a.has("quiet");
  if (shard_n > 0) {
    const std::string file = out + "/" + shard_file_name(shard_k, shard_n);
    write_file_atomic(file, make_shard(suite, shard_k, shard_n, result, info).dump(1) + "\n");
    if (!quiet)
      std::cerr << "muonbench: shard " << shard_k << "/" << shard_n << " of suite '" << suite.name << "': "
                << plan.cells.size() << " cells (" << result.stats.cells_cached << " cached), "
                << plan.claims.size() << " claim tasks in " << info.wall_seconds << " s; wrote " << file << "\n";
    return result.stats.failed ? 1 : 0;
  }
  const json report = make_report(suite, result.cells, result.claims, info);
  write_report_and_leaderboard(out, report);
  if (!quiet) {
    std::cerr << "muonbench: suite '" << suite.name << "': " << plan.cells.size() << " cells ("
              << result.stats.cells_cached << " cached, " << result.stats.diverged << " diverged, "
              << result.stats.failed << " failed, " << result.stats.timeouts << " timed out), "
              << plan.claims.size() << " claim tasks in " << info.wall_seconds << " s; wrote " << out
              << "/report.json and " << out << "/leaderboard.json\n";
  }
  if (result.stats.failed) {
    std::cerr << "muonbench: " << result.stats.failed << " cell(s) failed; see status 'failed' in the report\n";
    return 1;
  }
  return 0;
}

}  // namespace

MB_REGISTER_COMMAND(
    "run", "run a suite: cells, claims, report.json and leaderboard.json",
    "usage: muonbench run --suite NAME|FILE [--out DIR] [--threads N] [--shard k/N]\n"
    "                     [--cache DIR | --no-cache] [--progress auto|always|never] [--gemm-threads M]\n"
    "                     [--plan] [--quiet] [--allow-external] [--reproducible [--time-limit-factor F]]\n"
    "  Runs every cell of the suite (problem x solver setting x precision x seed) and its claims on N\n"
    "  threads (default: all hardware threads), then writes DIR/report.json and DIR/leaderboard.json\n"
    "  atomically (default DIR: runs/<suite>). NAME is looked up in the suite directories\n"
    "  ('muonbench list' shows them); the format is in docs/suites.md.\n"
    "  Cache: each finished job is stored at once in DIR/cache/<id>.json (or --cache DIR); a run\n"
    "  interrupted by Ctrl-C / SIGTERM (exit 130) continues where it stopped when run again; a changed\n"
    "  cell has a new id and reruns; failed and timed-out cells are retried. A second Ctrl-C exits at once.\n"
    "  --shard k/N runs every N-th job starting at the k-th and writes DIR/shard-k-of-N.json;\n"
    "  'muonbench merge' combines the N shard files into the same report as an unsharded run.\n"
    "  --gemm-threads M: each large matrix product uses M threads (Eigen's OpenMP GEMM; default 1).\n"
    "  With --threads N that is up to N x M threads: use N x M <= cores. docs/suites.md \"Threads\"\n"
    "  measures which is faster; products on M > 1 threads may round differently in the last bits.\n"
    "  --progress: a line with jobs done/total, elapsed time and an estimate; 'auto' shows it only\n"
    "  when stderr is a terminal. --plan prints the jobs, how many are cached and the worst-case time\n"
    "  the budgets allow, and runs nothing.\n"
    "  --reproducible: step budgets only: a cell that hits its time budget fails (reason 'time-limit') and\n"
    "  the run exits 1, so that the report's results depend only on the build, the suite and the inputs;\n"
    "  recorded as run.reproducible. In a portable build (scripts/build --portable, the Docker image) they\n"
    "  are then the same on every x86-64 machine (docs/reproducibility.md). --time-limit-factor F (>= 1)\n"
    "  multiplies that safety limit on a slow machine or an emulator; results do not change.\n"
    "  --allow-external: run the programs the suite's external solvers name (docs/plugins.md); without\n"
    "  it a suite that names one is refused (exit 2) before anything runs.\n"
    "  Under 'mpirun -np K' (a build with MPI) the jobs are spread over K ranks, largest first, with\n"
    "  dynamic load balancing; rank 0 writes the same documents. docs/distributed.md.\n"
    "  Exit status: 0 done; 1 a cell failed (report still written); 2 bad input (nothing run); 130\n"
    "  interrupted.\n",
    cmd_run);

}  // namespace mb::cli
