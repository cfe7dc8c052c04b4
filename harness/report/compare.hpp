// `muonbench compare A B`: did a change make any solver faster or slower? Two runs of a suite (two
// commits, two machines, or twice the same build) are matched cell by cell on (workload, solver
// label, grid setting, seed), never on cell ids, so builds of different versions still match.
//
// Each seed gives steps and seconds to the workload's primary target (unreached = +infinity, which
// ranks last). Per (workload, solver, setting) group the medians of A and B, the relative change
// and a two-sided Mann-Whitney U test over the seeds (harness/report/statistics.hpp; Google
// Benchmark's tools/compare.py does the same over repetitions) give a verdict:
//   "faster" / "slower" when p < alpha and the median moved that way, "same" otherwise.
// Per solver, its selected settings are pooled across workloads after dividing every value of
// workload w by A's median on w (so that a 1 ms and a 1 s workload weigh the same); the U test of
// pooled B against pooled A and the ratio median(B') / median(A') judge the solver as a whole.
//
// Inputs are report.json (every setting, every seed) or leaderboard.json (its per-seed "values"
// lists: selected settings and ranking seeds only); which kind was used is part of the result.
#pragma once

#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/report/statistics.hpp"

namespace mb {

// (workload "problem-label [precision]", solver label, grid setting)
using CompareGroupKey = std::tuple<std::string, std::string, std::string>;

struct CompareSample {
  double steps = INFINITY, seconds = INFINITY;  // to the primary target; infinity = not reached
};

// One side of a comparison, read from a report or a leaderboard.
struct CompareInput {
  std::string kind;    // "report" or "leaderboard"
  std::string source;  // the file read
  std::string version, git_commit, test_slow;  // from run.environment, where recorded
  std::map<CompareGroupKey, std::map<std::uint64_t, CompareSample>> groups;  // by seed
  std::map<std::pair<std::string, std::string>, std::string> selected;      // (workload, solver) -> setting
  std::map<std::string, std::string> primary_target;                        // workload -> target text
};

// Reads a report or leaderboard document (by its "schema"); `source` names it in errors. Throws
// mb::Error naming the file and the field on anything malformed.
CompareInput compare_input_from_json(const nlohmann::json& doc, const std::string& source);
// PATH: a report.json / leaderboard.json file, or a directory holding report.json (preferred:
// every setting and seed) or leaderboard.json.
CompareInput load_compare_input(const std::string& path);

struct CompareOptions {
  double alpha = 0.05;
  std::optional<double> fail_on_regression_pct;  // --fail-on-regression PCT
};
// Command-line values: a number in (0, 1) / a finite number >= 0; Error naming the flag otherwise.
double parse_alpha(const std::string& text);
double parse_regression_percent(const std::string& text);

// Steps or seconds, A against B.
struct MetricComparison {
  double median_a = NAN, median_b = NAN;  // infinity = the median seed did not reach the target
  double change = NAN;                    // (median_b - median_a) / median_a; NaN where undefined
  UTest test;                             // mann_whitney(b, a): effect = P(b < a) + P(b = a) / 2
  std::string verdict;                    // "faster", "slower", "same"
};
// "faster"/"slower" when p < alpha and median_b is below/above median_a, else "same".
std::string compare_verdict(double median_a, double median_b, double p, double alpha);
MetricComparison compare_metric(const std::vector<double>& a, const std::vector<double>& b, double alpha);

struct CellComparison {
  std::string workload, solver, setting;
  std::vector<std::uint64_t> seeds;  // matched seeds
  MetricComparison steps, seconds;
};

struct SolverWorkload {  // one workload entering a solver's pooled comparison
  std::string workload, setting_a, setting_b;
  std::vector<std::uint64_t> seeds;
  double steps_scale = NAN, seconds_scale = NAN;  // A's medians, the normalisers
};
struct SolverComparison {
  std::string solver;
  std::vector<SolverWorkload> workloads;
  std::vector<std::string> skipped;  // "workload: reason" (no common seed, A's median unreached or 0)
  MetricComparison steps, seconds;   // on the normalised pooled values; `change` = ratio - 1
  double steps_ratio = NAN, seconds_ratio = NAN;  // median(B') / median(A')
  size_t steps_n = 0, seconds_n = 0;              // pooled values per side
};

// Pooled normalisation: for each workload, every value of a and b divided by median(a) of that
// workload; workloads whose A median is infinite or zero cannot be normalised and are skipped.
// Returned as (pooled A, pooled B); `skipped` gets the indices of skipped workloads.
std::pair<std::vector<double>, std::vector<double>> pool_normalised(const std::vector<std::vector<double>>& a,
                                                                    const std::vector<std::vector<double>>& b,
                                                                    std::vector<double>* scales,
                                                                    std::vector<size_t>* skipped);

struct Comparison {
  std::string kind_a, kind_b, source_a, source_b;
  double alpha = 0.05;
  std::vector<CellComparison> cells;      // sorted by workload, solver, setting
  std::vector<SolverComparison> solvers;  // sorted by label
  std::vector<std::string> only_in_a, only_in_b;  // "workload | solver | setting | seed s"
  std::vector<std::string> warnings;              // differing primary targets, test hooks, ...
  std::vector<std::string> regressions;           // solvers failing --fail-on-regression
  std::optional<double> fail_on_regression_pct;
};

// Throws mb::Error when no cell matches. `regressions` is filled when the option is set: solvers
// whose seconds ratio exceeds 1 + PCT/100 with p < alpha.
Comparison compare_runs(const CompareInput& a, const CompareInput& b, const CompareOptions& options);
// 1 when any regression was found, else 0.
int compare_exit_code(const Comparison& c);

// Both defined in harness/cli/cmd_compare.cpp (next to the command; this file stays short).
nlohmann::json comparison_to_json(const Comparison& c);
// The human-readable table: solvers first, then the cells whose steps or seconds verdict changed.
std::string comparison_table(const Comparison& c);

}  // namespace mb
