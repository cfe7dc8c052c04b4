// The ranking rules of a suite and the per-entry statistics of the leaderboard (issue 18):
//   * held-out seeds (AlgoPerf's held-out workloads, here seeds): the grid selection rule sees only
//     the tuning seeds' cells; every ranking statistic uses only the held-out (ranking) seeds;
//   * trials, k of n (AlgoPerf): a solver reaches a target on a workload only if at least k of its
//     n ranking seeds reach it;
//   * the tuning budget (AlgoPerf's fixed tuning budgets): grid settings per solver, equal across
//     solvers unless declared; a larger grid is an error at parse time unless declared, and is
//     flagged on the leaderboard either way.
// The suite keys are "held_out", "trials" and "tuning" (docs/suites.md); the leaderboard fields
// are results.held_out, results.k_of_n, results.tuning, the "values"/"median"/"ci95"/"k_of_n" of
// each ranking entry and results.pairwise_steps / run.pairwise_seconds (docs/reports.md).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace mb {

struct RankingRules {
  bool held_out = false;                     // "held_out" given
  std::vector<std::uint64_t> tuning_seeds;   // all seeds without held_out
  std::vector<std::uint64_t> ranking_seeds;  // the held-out seeds, or all seeds
  long k = 1;                                // trials.k, or k_of_n_required(n)
  bool k_given = false;
  long budget = 1;                           // tuning.budget, or the most common grid size
  bool budget_given = false;
  std::map<std::string, long> declared;      // tuning.declared: solver label -> settings
  std::vector<std::pair<std::string, long>> grid_sizes;  // per solver label, suite order

  nlohmann::json held_out_json() const;  // null, or {"tuning_seeds", "ranking_seeds", "text"}
  nlohmann::json k_of_n_json() const;    // {"k", "n", "text"}
  nlohmann::json tuning_json() const;    // {"budget", "declared", "per_solver", "text"}
};

// Reads "held_out", "trials" and "tuning" of suite `j` (field prefix `F`, e.g. "suite"), checked
// against the suite's seeds and its solvers' grid sizes; throws Error naming the field.
RankingRules read_ranking_rules(const nlohmann::json& j, const std::string& F, const std::vector<std::uint64_t>& seeds,
                                const std::vector<std::pair<std::string, long>>& grid_sizes);

// The statistics of one ranking entry over the ranking seeds: `values` in seed order (+infinity:
// target not reached) -> {"values" (null = unreached), "seeds_used", "median", "ci95", "k_of_n"}.
// The bootstrap interval is seeded by `seed_text` (deterministic).
nlohmann::json entry_statistics(const std::vector<double>& values, const std::vector<std::uint64_t>& seeds, long k,
                                const std::string& seed_text);
// True when at least k of the values are finite.
bool counts_k_of_n(const std::vector<double>& values, long k);

// Every unordered pair of solvers on one workload: the Mann-Whitney U test on their values
// (unreached = +infinity): {"workload", "a", "b", "p", "effect", "method", "faster", "significant"}.
// `per_solver` in suite order; appended to `out`.
void pairwise_tests(const std::string& workload, const std::vector<std::pair<std::string, std::vector<double>>>& per_solver,
                    nlohmann::json& out);

}  // namespace mb
