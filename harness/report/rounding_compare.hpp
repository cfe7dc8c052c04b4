// `muonbench compare A B --tolerance rounding`: do two runs of one suite by builds that cannot agree
// bit for bit (a native build and the portable one, another architecture) tell the same story?
// (docs/reproducibility.md, level 2.)
//
// Per cell, matched on (workload, solver label, setting, seed), one of
//   identical        the whole results record is the same, byte for byte;
//   within_rounding  same status, same step count, same steps to every target, and final values
//                    that differ by no more than rounding resolves: |gap_A - gap_B| <= the larger
//                    of the two cells' floors rounding_floor_relative x gap0 (100 u |f*|, below which
//                    the runner does not resolve a gap: harness/engine/cell_loop.hpp) and of
//                    100 u max(|f_A|, |f_B|), what one evaluation of f resolves (u: the unit
//                    roundoff of the cell's precision; without f*, the final values are compared
//                    so); a diverged cell only needs status and steps;
//   beyond_rounding  anything else, with the first difference. Trajectories of rounding-sensitive
//                    dynamics (the polar factor of a momentum with tiny singular values, nonconvex
//                    training) separate by more than the floor: this is information, not failure.
// Per workload of the leaderboard, the ranking by steps (solver order and selected settings), and
// the overall ranking by score, identical or not; each pair of solvers whose order differs is
// listed with its pairwise Mann-Whitney p-value in A and in B (results.pairwise_steps). Every claim
// outcome's verdict (matched on claim, variant, precision, decoy, part), identical or not.
//
// Exit status (rounding_exit_code): 0 when every claim verdict is identical and every ranking is
//   identical (RankingRule::strict, the default), or, with RankingRule::significant, differs only in
//   pairs that are not significantly ordered (p < alpha) in both runs; 1 otherwise.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace mb {

enum class RankingRule { strict, significant };
RankingRule parse_ranking_rule(const std::string& text);  // "strict" | "significant"; Error otherwise

// One run: its report and leaderboard (both needed: cells and claims from the report, rankings
// from the leaderboard).
struct RoundingInput {
  std::string report_path, leaderboard_path;
  nlohmann::json report, leaderboard;
};
// PATH: a run directory (report.json + leaderboard.json), or either file with the other beside it.
RoundingInput load_rounding_input(const std::string& path);

struct CellAgreement {
  std::string key;     // "workload | solver | setting | seed s"
  std::string verdict; // identical, within_rounding, beyond_rounding
  std::string detail;  // the first difference (beyond_rounding), or the largest one within rounding
  std::string solver;  // the cell's solver label
};

struct PairReversal {
  std::string a_first, b_first;   // the solver A ranks first of the two, the one B ranks first
  std::optional<double> p_a, p_b; // pairwise p-values (null when the leaderboard has none)
  bool significant_a = false, significant_b = false;
};
struct RankingAgreement {
  std::string ranking;  // a workload's name, or "overall (score)"
  bool identical = true;
  std::vector<std::string> order_a, order_b;
  std::vector<std::string> setting_changes;  // "solver: setting A -> setting B"
  std::vector<PairReversal> reversals;
  bool significant_reversal = false;  // a reversed pair significantly ordered in both runs
};

struct ClaimAgreement {
  std::string key, verdict_a, verdict_b;
};

struct RoundingComparison {
  std::string source_a, source_b;
  std::string build_a, build_b;  // run.environment.build mode / isa, where recorded
  double alpha = 0.05;
  RankingRule rule = RankingRule::strict;
  std::vector<CellAgreement> cells;
  size_t identical = 0, within_rounding = 0, beyond_rounding = 0;
  std::vector<std::string> only_in_a, only_in_b;
  std::vector<RankingAgreement> rankings;
  std::vector<ClaimAgreement> claims;
  size_t claims_differ = 0;
  std::vector<std::string> claims_only_in_a, claims_only_in_b;
};

// Throws mb::Error naming the file and field on malformed input, or when no cell matches.
RoundingComparison compare_within_rounding(const RoundingInput& a, const RoundingInput& b, double alpha,
                                           RankingRule rule);
int rounding_exit_code(const RoundingComparison& c);
nlohmann::json rounding_comparison_to_json(const RoundingComparison& c);
std::string rounding_comparison_table(const RoundingComparison& c);

}  // namespace mb
