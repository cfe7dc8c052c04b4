// report.json and leaderboard.json. Both are versioned documents split in two:
//   "results": deterministic: the same suite gives the same bytes on the same build;
//   "run":     environment (with the date) and every timing field.
// Schemas: results/schema/report.schema.json, leaderboard.schema.json (docs/reports.md).
#pragma once

#include <string>
#include <vector>

#include "harness/claim.hpp"
#include "harness/runner.hpp"
#include "harness/suite.hpp"

namespace mb {

inline constexpr int kReportSchemaVersion = 1;

struct RunInfo {
  int threads = 1;
  std::string started, finished;
  double wall_seconds = 0;
};

json make_report(const Suite& suite, const std::vector<CellResult>& cells, const ClaimsRun& claims,
                 const RunInfo& info);
// Rankings, performance profiles and the claims table, computed from a report.
json make_leaderboard(const json& report);

// AlgoPerf's performance profile: r_w = t_w / min_s t_w (infinite if unreached or r > tau_max);
// rho_s(tau) = fraction of workloads with r <= tau; score = area under rho on [1, tau_max],
// normalised by (tau_max - 1).
json performance_profile(const std::vector<std::string>& solvers, const std::vector<std::vector<double>>& t,
                         double tau_max = 4.0);

// Writes DIR/report.json and DIR/leaderboard.json atomically.
void write_report_and_leaderboard(const std::string& dir, const json& report);

}  // namespace mb
