// muonbench compare A B [--alpha 0.05] [--fail-on-regression PCT] [--json OUT]
// muonbench compare A B --tolerance rounding [--rankings strict|significant] [--json OUT]
// The comparison itself is harness/report/compare.cpp; its JSON and text renderings are here.
#include <cstdio>
#include <iostream>
#include <map>
#include <sstream>

#include "harness/cli/command.hpp"
#include "harness/core/atomic_file.hpp"
#include "harness/core/error.hpp"
#include "harness/report/compare.hpp"
#include "harness/report/metrics.hpp"
#include "harness/report/rounding_compare.hpp"

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

namespace {
json optional_number(const std::optional<double>& x) { return x ? json(*x) : json(); }
}  // namespace

json rounding_comparison_to_json(const RoundingComparison& c) {
  json cells = json::array(), rankings = json::array(), claims = json::array();
  for (const auto& x : c.cells) cells.push_back({{"cell", x.key}, {"solver", x.solver}, {"verdict", x.verdict}, {"detail", x.detail}});
  for (const auto& r : c.rankings) {
    json rev = json::array();
    for (const auto& p : r.reversals)
      rev.push_back({{"a_first", p.a_first}, {"b_first", p.b_first}, {"p_a", optional_number(p.p_a)},
                     {"p_b", optional_number(p.p_b)}, {"significant_a", p.significant_a}, {"significant_b", p.significant_b}});
    rankings.push_back({{"ranking", r.ranking}, {"identical", r.identical}, {"order_a", r.order_a}, {"order_b", r.order_b},
                        {"setting_changes", r.setting_changes}, {"reversals", rev},
                        {"significant_reversal", r.significant_reversal}});
  }
  for (const auto& x : c.claims)
    claims.push_back({{"claim", x.key}, {"verdict_a", x.verdict_a}, {"verdict_b", x.verdict_b}, {"identical", x.verdict_a == x.verdict_b}});
  return {{"schema", "muonbench.compare-rounding"},
          {"schema_version", 1},
          {"a", {{"source", c.source_a}, {"build", c.build_a}}},
          {"b", {{"source", c.source_b}, {"build", c.build_b}}},
          {"alpha", c.alpha},
          {"rankings_rule", c.rule == RankingRule::strict ? "strict" : "significant"},
          {"rule",
           "cells matched on (workload, solver, setting, seed): identical (same record), within_rounding (same status, "
           "steps and steps to every target; final gaps within max(rounding_floor_relative x gap0), or final values "
           "within 100 u |f| without f*), else beyond_rounding; rankings by steps per workload and by score: identical "
           "solver order and settings (strict), or no reversed pair significant (p < alpha) in both runs "
           "(significant); claims: identical verdicts"},
          {"counts", {{"cells", c.cells.size()}, {"identical", c.identical}, {"within_rounding", c.within_rounding},
                      {"beyond_rounding", c.beyond_rounding}, {"only_in_a", c.only_in_a.size()},
                      {"only_in_b", c.only_in_b.size()}, {"claims", c.claims.size()}, {"claims_differ", c.claims_differ}}},
          {"cells", cells},
          {"only_in_a", c.only_in_a},
          {"only_in_b", c.only_in_b},
          {"rankings", rankings},
          {"claims", claims},
          {"claims_only_in_a", c.claims_only_in_a},
          {"claims_only_in_b", c.claims_only_in_b},
          {"exit_status", rounding_exit_code(c)}};
}

std::string rounding_comparison_table(const RoundingComparison& c) {
  std::ostringstream o;
  o << "A: " << c.source_a << " (build " << c.build_a << ")\nB: " << c.source_b << " (build " << c.build_b << ")\n\n";
  o << "Cells: " << c.cells.size() << " matched: " << c.identical << " identical, " << c.within_rounding
    << " within rounding, " << c.beyond_rounding << " beyond rounding";
  if (!c.only_in_a.empty() || !c.only_in_b.empty())
    o << "; " << c.only_in_a.size() << " only in A, " << c.only_in_b.size() << " only in B";
  o << "\n";
  std::map<std::string, size_t> beyond_by_solver;
  for (const auto& x : c.cells)
    if (x.verdict == "beyond_rounding") ++beyond_by_solver[x.solver];
  if (!beyond_by_solver.empty()) {
    o << "  beyond rounding, by solver:";
    for (const auto& [s, n] : beyond_by_solver) o << " " << s << " " << n << ";";
    o << "\n  first ones (--json lists all):\n";
    size_t shown = 0;
    for (const auto& x : c.cells)
      if (x.verdict == "beyond_rounding" && shown++ < 8) o << "    " << x.key << ": " << x.detail << "\n";
  }
  size_t same = 0;
  for (const auto& r : c.rankings) same += r.identical;
  o << "\nRankings: " << same << " of " << c.rankings.size() << " identical (rule: "
    << (c.rule == RankingRule::strict ? "strict" : "significant, alpha " + num(c.alpha, "%g")) << ")\n";
  for (const auto& r : c.rankings) {
    if (r.identical) continue;
    o << "  " << r.ranking << (r.significant_reversal ? ": DIFFERS, a pair significantly ordered both ways" : ": differs") << "\n";
    for (const auto& s : r.setting_changes) o << "    selected setting: " << s << "\n";
    for (const auto& p : r.reversals)
      o << "    " << p.a_first << " before " << p.b_first << " in A (p " << (p.p_a ? num(*p.p_a, "%.2g") : "n/a")
        << (p.significant_a ? ", significant" : "") << "), after in B (p " << (p.p_b ? num(*p.p_b, "%.2g") : "n/a")
        << (p.significant_b ? ", significant" : "") << ")\n";
    if (r.order_a.empty() || r.order_b.empty()) o << "    only in " << (r.order_a.empty() ? "B" : "A") << "\n";
  }
  o << "\nClaims: " << c.claims.size() - c.claims_differ << " of " << c.claims.size() << " verdicts identical\n";
  for (const auto& x : c.claims)
    if (x.verdict_a != x.verdict_b) o << "  " << x.key << ": " << x.verdict_a << " vs " << x.verdict_b << "\n";
  for (const auto& k : c.claims_only_in_a) o << "  only in A: " << k << "\n";
  for (const auto& k : c.claims_only_in_b) o << "  only in B: " << k << "\n";
  if (rounding_exit_code(c) != 0)
    o << "\nDIFFERENT: a claim verdict or a ranking differs (exit 1)\n";
  else if (same == c.rankings.size())
    o << "\nSAME STORY: every claim verdict and every ranking identical\n";
  else
    o << "\nSAME STORY under --rankings significant: every claim verdict identical; " << c.rankings.size() - same
      << " ranking(s) differ only in pairs not significantly ordered in both runs\n";
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
  Args a(argv, "compare", {"alpha", "fail-on-regression", "json", "tolerance", "rankings"}, {});
  if (a.positional().size() != 2)
    throw Error("compare: give exactly two runs A and B (report.json, leaderboard.json or a run directory), got " +
                std::to_string(a.positional().size()));
  CompareOptions options;
  if (a.has("alpha")) options.alpha = parse_alpha(a.get("alpha"));
  if (a.has("tolerance")) {
    if (a.get("tolerance") != "rounding")
      throw Error("compare: --tolerance: the one tolerance is 'rounding', got '" + a.get("tolerance") + "'");
    if (a.has("fail-on-regression"))
      throw Error("compare: --fail-on-regression compares speed; --tolerance rounding compares results: give one");
    const RankingRule rule = parse_ranking_rule(a.get("rankings", "strict"));
    const std::string out = a.get("json");
    if (a.has("json")) require_writable_file(out, "compare: --json");
    const RoundingComparison c = compare_within_rounding(load_rounding_input(a.positional()[0]),
                                                         load_rounding_input(a.positional()[1]), options.alpha, rule);
    std::cout << rounding_comparison_table(c);
    if (a.has("json")) write_file_atomic(out, rounding_comparison_to_json(c).dump(1) + "\n");
    return rounding_exit_code(c);
  }
  if (a.has("rankings")) throw Error("compare: --rankings goes with --tolerance rounding");
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
                    "       muonbench compare A B --tolerance rounding [--rankings strict|significant] [--alpha 0.05]\n"
                    "                             [--json OUT]\n"
                    "  A, B: report.json or leaderboard.json files, or run directories holding one (report.json\n"
                    "  preferred). Cells are matched on (workload, solver, setting, seed). Per group and per solver\n"
                    "  (pooled over workloads, normalised by A's medians): the median steps and seconds to the\n"
                    "  primary target, the change, a two-sided Mann-Whitney U p-value and a verdict\n"
                    "  (faster/slower: p < alpha and the median moved; else same). Exit 0; with\n"
                    "  --fail-on-regression PCT, exit 1 when a solver's median seconds-to-target ratio B/A exceeds\n"
                    "  1 + PCT/100 at p < alpha. --json OUT writes every number. Exit 2 on bad input or no match.\n"
                    "  --tolerance rounding: two runs of one suite by builds that cannot agree bit for bit (native vs\n"
                    "  portable, another architecture); A and B are run directories (report.json and leaderboard.json).\n"
                    "  Per cell: identical, within rounding (same status and steps to every target, final gaps within\n"
                    "  the cell's rounding floor) or beyond rounding (listed). Every ranking (per workload and by score)\n"
                    "  and every claim verdict: identical or not. Exit 0 when every verdict and ranking is identical;\n"
                    "  --rankings significant also accepts reversed pairs not significantly ordered (p < alpha) in both\n"
                    "  runs. Exit 1 otherwise (docs/reproducibility.md).\n",
                    cmd_compare);

}  // namespace cli
}  // namespace mb
