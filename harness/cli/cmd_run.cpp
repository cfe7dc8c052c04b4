// muonbench run --suite NAME|FILE [--out DIR] [--threads N]
#include <chrono>
#include <iostream>

#include "harness/cli/command.hpp"
#include "harness/cli/signals.hpp"
#include "harness/environment.hpp"
#include "harness/error.hpp"
#include "harness/report.hpp"
#include "harness/suite.hpp"

namespace mb::cli {
namespace {

int cmd_run(const std::vector<std::string>& argv) {
  Args a(argv, "run", {"suite", "out", "threads"}, {"quiet"});
  const Suite suite = load_suite(a.require("suite"));
  const std::string out = a.get("out", "runs/" + suite.name);
  const int threads = a.integer("threads", default_threads(), 1, 1024);
  const auto* cancel = install_cancel_handlers();

  RunInfo info;
  info.threads = threads;
  info.started = utc_now_iso8601();
  const auto t0 = std::chrono::steady_clock::now();

  // Slow cells first (mp50 before double), keeping results in suite order.
  std::vector<size_t> order(suite.cells.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) {
    return (suite.cells[x].precision == "mp50") > (suite.cells[y].precision == "mp50");
  });
  std::vector<CellResult> results(suite.cells.size());
  try {
    parallel_for(order.size(), threads, [&](size_t i) { results[order[i]] = run_cell(suite.cells[order[i]], cancel); },
                 cancel);
  } catch (const Cancelled&) {
  }
  if (cancelled()) {
    std::cerr << "muonbench: interrupted; nothing was written to " << out << "\n";
    return 130;
  }
  const ClaimsRun claims = run_claims(suite.claims, suite.claim_precisions, true, threads);
  info.finished = utc_now_iso8601();
  info.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const json report = make_report(suite, results, claims, info);
  write_report_and_leaderboard(out, report);
  if (!a.has("quiet"))
    std::cerr << "muonbench: suite '" << suite.name << "': " << results.size() << " cells, " << claims.outcomes.size()
              << " claim outcomes in " << info.wall_seconds << " s; wrote " << out << "/report.json and " << out
              << "/leaderboard.json\n";
  return 0;
}

}  // namespace

MB_REGISTER_COMMAND("run", "run a suite: cells, claims, report.json and leaderboard.json",
                    "usage: muonbench run --suite NAME|FILE [--out DIR] [--threads N] [--quiet]\n"
                    "  Runs every cell of the suite (problem x solver x precision x seed) and its claims, then\n"
                    "  writes DIR/report.json and DIR/leaderboard.json atomically (default DIR: runs/<suite>).\n"
                    "  NAME is looked up in the suite directories ('muonbench list' shows them).\n",
                    cmd_run);

}  // namespace mb::cli
