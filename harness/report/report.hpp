// report.json, leaderboard.json and shard files. Each is a versioned document split in two:
//   "results": deterministic: the same suite gives the same bytes on the same build, however it
//              was run (threads, cache, shards);
//   "run":     the environment (with the date) and every timing field.
// Schemas: results/schema/{report,leaderboard,shard,claims}.schema.json (docs/reports.md).
//
// make_report and make_leaderboard are pure functions of their inputs: any backend that produces
// the results by id (threads here, MPI ranks, a job array and `muonbench merge`) gets the same
// documents.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "harness/claims/run_claims.hpp"
#include "harness/engine/runner.hpp"
#include "harness/engine/suite.hpp"

namespace mb {

inline constexpr int kReportSchemaVersion = 2;

struct RunInfo {
  int threads = 1;
  std::string started, finished;
  double wall_seconds = 0;
  RunStats stats;
  json shards = nullptr;  // merged runs: what each shard recorded about its run
  // `run --reproducible`: step budgets only (a time budget hit fails the cell), so that `results`
  // depend on nothing but the build, the suite and the inputs; null where not recorded (merges).
  json reproducible = nullptr;
};

// Throws Error if a cell or claim task of the suite has no result.
json make_report(const Suite& suite, const std::map<std::string, CellResult>& cells,
                 const std::map<std::string, ClaimResult>& claims, const RunInfo& info);
// Rankings, the selected settings, performance profiles and the claims table, from a report.
json make_leaderboard(const json& report);

// AlgoPerf's performance profile: r_w = t_w / min_s t_w (infinite if unreached or r > tau_max);
// rho_s(tau) = fraction of workloads with r <= tau; score = area under rho on [1, tau_max],
// normalised by (tau_max - 1), so 1 means best on every workload and 0 never within tau_max of it.
json performance_profile(const std::vector<std::string>& solvers, const std::vector<std::vector<double>>& t,
                         double tau_max = 4.0);

// "quadratic-ls [double]" -> "quadratic-ls-double" (file names of plots, HTML anchors).
std::string slug(const std::string& text);

// Writes DIR/report.json and DIR/leaderboard.json atomically.
void write_report_and_leaderboard(const std::string& dir, const json& report);

// Shards: `muonbench run --shard k/N` writes one shard document with its jobs' results; `merge`
// checks that the shards are of the same suite and build, all N present, and builds the report.
std::string shard_file_name(int k, int n);  // "shard-1-of-2.json"
json make_shard(const Suite& suite, int k, int n, const RunOutput& out, const RunInfo& info);
struct MergedRun {
  Suite suite;
  std::map<std::string, CellResult> cells;
  std::map<std::string, ClaimResult> claims;
  RunInfo info;
};
// `names` label each document in error messages (file names).
MergedRun merge_shards(const std::vector<json>& shards, const std::vector<std::string>& names);

}  // namespace mb
