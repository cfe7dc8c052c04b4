// Statistics over seeds, for leaderboards (harness/report/leaderboard.cpp) and for comparing two
// runs (harness/report/compare.cpp). Everything here is deterministic: the bootstrap draws from
// the portable Rng seeded by a text the caller names, so an interval is part of a report's
// reproducible "results".
//
// Values may be +infinity (a target not reached: it sorts last and ties with other infinities);
// NaN values are dropped.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace mb {

struct Interval {
  double low = NAN, high = NAN;  // NaN when there is no value; +infinity where unreached dominates
};

// Percentile-bootstrap interval of the median (Efron and Tibshirani, ch. 13): `resamples` samples
// of size n drawn with replacement, the median of each (metrics.hpp `median`), and the
// (1 - level)/2 and (1 + level)/2 quantiles of those medians (linear interpolation, as `quantile`).
// With few seeds the interval is coarse: with n = 5 it can only take values among the data's
// order statistics and midpoints; it is what the data say, not more.
Interval bootstrap_median_interval(const std::vector<double>& v, const std::string& seed_text, int resamples = 2000,
                                   double level = 0.95);

// Mann-Whitney U (Wilcoxon rank-sum) two-sided test of "a and b come from the same distribution".
//   u:      U of a = #{(i, j): a_i > b_j} + #{a_i = b_j} / 2
//   p:      two-sided p-value; exact (the permutation distribution of the rank sum with mid-ranks
//           for ties, counted by dynamic programming) when n_a + n_b <= 80, else the normal
//           approximation with the tie correction and a continuity correction of 1/2
//   effect: the common-language effect size P(a < b) + P(a = b) / 2 (0.5: no difference; above
//           0.5: a tends to be smaller, i.e. faster when a and b are times)
//   method: "exact" or "normal"
// p is NaN when either sample is empty.
struct UTest {
  double u = NAN, p = NAN, effect = NAN;
  std::string method;
  size_t n_a = 0, n_b = 0;
};
UTest mann_whitney(const std::vector<double>& a, const std::vector<double>& b);
nlohmann::json utest_to_json(const UTest& t);

// AlgoPerf's rule for trials (k of n): a solver reaches a target on a workload only if at least k
// of its n seeds reach it. `k_of_n_required(n, k_default_of_5)` scales the default "3 of 5" to n
// seeds: ceil(3 n / 5).
long k_of_n_required(long n, long k_of_5 = 3);

}  // namespace mb
