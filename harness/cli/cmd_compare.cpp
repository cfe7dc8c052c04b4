// muonbench compare A B [--alpha 0.05] [--fail-on-regression PCT] [--json OUT]
// The comparison itself is harness/report/compare.cpp; its JSON and text renderings are here.
#include <cstdio>
#include <iostream>
#include <sstream>

#include "harness/cli/command.hpp"
#include "harness/core/atomic_file.hpp"
#include "harness/core/error.hpp"
#include "harness/report/compare.hpp"
#include "harness/report/metrics.hpp"

namespace mb {

namespace {
using nlohmann::json;

json metric_json(const MetricComparison& m) {
  return {{"median_a", finite_or_null(m.median_a)},
          {"median_b", finite_or_null(m.median_b)},
          {"reached_a", std::isfinite(m.median_a)},
          {"reached_b", std::isfinite(m.median_b)},
          {"change", finite_or_null(m.change)},
          {"test", utest_to_json(m.test)},
          {"verdict", m.verdict}};
}

std::string num(double x, const char* fmt = "%.3g") {
  if (std::isnan(x)) return "n/a";
  if (std::isinf(x)) return x > 0 ? "unreached" : "-inf";
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, x);
  return buf;
}

std::string percent(double change) {
  if (!std::isfinite(change)) return "n/a";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%+.1f%%", 100 * change);
  return buf;
}

std::string pad(const std::string& s, size_t w) { return s.size() >= w ? s + " " : s + std::string(w - s.size(), ' '); }
}  // namespace

json comparison_to_json(const Comparison& c) {
  json solvers = json::array(), cells = json::array();
  for (const auto& s : c.solvers) {
    json ws = json::array();
    for (const auto& w : s.workloads)
      ws.push_back({{"workload", w.workload},
                    {"setting_a", w.setting_a},
                    {"setting_b", w.setting_b},
                    {"seeds", w.seeds},
                    {"steps_scale", finite_or_null(w.steps_scale)},
                    {"seconds_scale", finite_or_null(w.seconds_scale)}});
    solvers.push_back({{"solver", s.solver},
                       {"workloads", ws},
                       {"skipped", s.skipped},
                       {"steps", metric_json(s.steps)},
                       {"steps_ratio", finite_or_null(s.steps_ratio)},
                       {"steps_pooled_n", s.steps_n},
                       {"seconds", metric_json(s.seconds)},
                       {"seconds_ratio", finite_or_null(s.seconds_ratio)},
                       {"seconds_pooled_n", s.seconds_n}});
  }
  for (const auto& cell : c.cells)
    cells.push_back({{"workload", cell.workload},
                     {"solver", cell.solver},
                     {"setting", cell.setting},
                     {"seeds", cell.seeds},
                     {"steps", metric_json(cell.steps)},
                     {"seconds", metric_json(cell.seconds)}});
  return {{"schema", "muonbench.compare"},
          {"schema_version", 1},
          {"a", {{"source", c.source_a}, {"kind", c.kind_a}}},
          {"b", {{"source", c.source_b}, {"kind", c.kind_b}}},
          {"alpha", c.alpha},
          {"fail_on_regression_pct", c.fail_on_regression_pct ? json(*c.fail_on_regression_pct) : json()},
          {"rule",
           "matched on (workload, solver, setting, seed); per group: medians of steps and seconds to the primary "
           "target (null = not reached), change = B/A - 1, two-sided Mann-Whitney U over the seeds, verdict "
           "faster/slower when p < alpha and the median moved, else same; per solver: each workload's values divided "
           "by A's median there, pooled, U test of pooled B against pooled A, ratio = median(B')/median(A')"},
          {"solvers", solvers},
          {"cells", cells},
          {"only_in_a", c.only_in_a},
          {"only_in_b", c.only_in_b},
          {"warnings", c.warnings},
          {"regressions", c.regressions},
          {"exit_status", compare_exit_code(c)}};
}

std::string comparison_table(const Comparison& c) {
  std::ostringstream o;
  o << "A: " << c.source_a << " (" << c.kind_a << ")\nB: " << c.source_b << " (" << c.kind_b << ")\n";
  o << "matched " << c.cells.size() << " (workload, solver, setting) groups; alpha = " << c.alpha << "\n\n";
  o << "Solvers (selected settings; each workload divided by A's median, pooled):\n";
  o << pad("solver", 18) << pad("workloads", 10) << pad("seconds B/A", 12) << pad("p", 10) << pad("verdict", 9)
    << pad("steps B/A", 10) << pad("p", 10) << "verdict\n";
  for (const auto& s : c.solvers)
    o << pad(s.solver, 18) << pad(std::to_string(s.workloads.size()), 10) << pad(num(s.seconds_ratio), 12)
      << pad(num(s.seconds.test.p, "%.2g"), 10) << pad(s.seconds.verdict, 9) << pad(num(s.steps_ratio), 10)
      << pad(num(s.steps.test.p, "%.2g"), 10) << s.steps.verdict << "\n";
  size_t changed = 0;
  std::ostringstream rows;
  for (const auto& cell : c.cells) {
    if (cell.steps.verdict == "same" && cell.seconds.verdict == "same") continue;
    ++changed;
    rows << "  " << cell.workload << " | " << cell.solver << " | " << (cell.setting.empty() ? "-" : cell.setting)
         << " (" << cell.seeds.size() << " seeds)\n"
         << "    seconds " << num(cell.seconds.median_a) << " -> " << num(cell.seconds.median_b) << " ("
         << percent(cell.seconds.change) << ", p = " << num(cell.seconds.test.p, "%.2g") << "): "
         << cell.seconds.verdict << "; steps " << num(cell.steps.median_a) << " -> " << num(cell.steps.median_b)
         << " (" << percent(cell.steps.change) << ", p = " << num(cell.steps.test.p, "%.2g")
         << "): " << cell.steps.verdict << "\n";
  }
  o << "\nChanged cells (" << changed << " of " << c.cells.size() << "; p < " << c.alpha << "):\n"
    << (changed ? rows.str() : "  none\n");
  if (!c.only_in_a.empty() || !c.only_in_b.empty())
    o << "\nNot matched: " << c.only_in_a.size() << " cells only in A, " << c.only_in_b.size() << " only in B\n";
  for (const auto& w : c.warnings) o << "warning: " << w << "\n";
  if (c.fail_on_regression_pct) {
    if (c.regressions.empty())
      o << "\nno solver's seconds to target grew by more than " << *c.fail_on_regression_pct << " % at p < " << c.alpha
        << "\n";
    else
      o << "\nREGRESSION (seconds to target up by more than " << *c.fail_on_regression_pct << " % at p < " << c.alpha
        << "): " << join(c.regressions) << "\n";
  }
  return o.str();
}

namespace cli {
namespace {

// Lists what only one side has (first few), on stderr: a partial match is allowed but said.
void warn_unmatched(const std::vector<std::string>& items, const char* side) {
  if (items.empty()) return;
  std::cerr << "muonbench: warning: " << items.size() << " cells only in " << side << ":";
  for (size_t i = 0; i < items.size() && i < 10; ++i) std::cerr << "\n  " << items[i];
  if (items.size() > 10) std::cerr << "\n  ... (" << items.size() - 10 << " more; --json lists all)";
  std::cerr << "\n";
}

int cmd_compare(const std::vector<std::string>& argv) {
  Args a(argv, "compare", {"alpha", "fail-on-regression", "json"}, {});
  if (a.positional().size() != 2)
    throw Error("compare: give exactly two runs A and B (report.json, leaderboard.json or a run directory), got " +
                std::to_string(a.positional().size()));
  CompareOptions options;
  if (a.has("alpha")) options.alpha = parse_alpha(a.get("alpha"));
  if (a.has("fail-on-regression")) options.fail_on_regression_pct = parse_regression_percent(a.get("fail-on-regression"));
  const std::string json_out = a.get("json");
  if (a.has("json")) require_writable_file(json_out, "compare: --json");
  const CompareInput in_a = load_compare_input(a.positional()[0]);
  const CompareInput in_b = load_compare_input(a.positional()[1]);
  const Comparison c = compare_runs(in_a, in_b, options);
  warn_unmatched(c.only_in_a, "A");
  warn_unmatched(c.only_in_b, "B");
  std::cout << comparison_table(c);
  if (a.has("json")) write_file_atomic(json_out, comparison_to_json(c).dump(1) + "\n");
  if (!c.regressions.empty())
    std::cerr << "muonbench: regression: " << join(c.regressions) << " slower by more than "
              << *c.fail_on_regression_pct << " % in seconds to target (p < " << c.alpha << ")\n";
  return compare_exit_code(c);
}

}  // namespace

MB_REGISTER_COMMAND("compare", "compare two runs (reports or leaderboards): faster, slower or the same, per cell and solver",
                    "usage: muonbench compare A B [--alpha 0.05] [--fail-on-regression PCT] [--json OUT]\n"
                    "  A, B: report.json or leaderboard.json files, or run directories holding one (report.json\n"
                    "  preferred). Cells are matched on (workload, solver, setting, seed). Per group and per solver\n"
                    "  (pooled over workloads, normalised by A's medians): the median steps and seconds to the\n"
                    "  primary target, the change, a two-sided Mann-Whitney U p-value and a verdict\n"
                    "  (faster/slower: p < alpha and the median moved; else same). Exit 0; with\n"
                    "  --fail-on-regression PCT, exit 1 when a solver's median seconds-to-target ratio B/A exceeds\n"
                    "  1 + PCT/100 at p < alpha. --json OUT writes every number. Exit 2 on bad input or no match.\n",
                    cmd_compare);

}  // namespace cli
}  // namespace mb
