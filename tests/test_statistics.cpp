// harness/report/statistics.hpp: the Mann-Whitney U test against known p-values (scipy 1.10
// mannwhitneyu, two-sided: method="exact" for samples without ties, method="asymptotic" with the
// continuity correction for the normal branch; a brute-force enumeration of the mid-rank
// permutation distribution for samples with ties or unreached targets), the bootstrap interval
// of the median, and the k-of-n default.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "harness/report/metrics.hpp"
#include "harness/report/statistics.hpp"

namespace {

const double inf = INFINITY;

TEST(StatisticsMannWhitney, ExactWithoutTiesMatchesScipy) {
  // scipy.stats.mannwhitneyu(a, b, alternative="two-sided", method="exact")
  mb::UTest t = mb::mann_whitney({1, 2, 3, 4}, {5, 6, 7, 8, 9});
  EXPECT_EQ(t.method, "exact");
  EXPECT_DOUBLE_EQ(t.u, 0.0);
  EXPECT_NEAR(t.p, 0.015873015873015872, 1e-15);  // 2 / C(9, 4)
  EXPECT_DOUBLE_EQ(t.effect, 1.0);                  // every a below every b
  t = mb::mann_whitney({1.1, 2.3, 3.5, 7.0, 8.2}, {4.0, 5.5, 6.1, 9.3, 10.4, 11.0});
  EXPECT_DOUBLE_EQ(t.u, 6.0);
  EXPECT_NEAR(t.p, 0.12554112554112554, 1e-15);
  EXPECT_DOUBLE_EQ(t.effect, 1.0 - 6.0 / 30.0);
  t = mb::mann_whitney({3, 1, 4, 1.5, 9, 2.6}, {5, 3.5, 8, 9.7, 9.3});
  EXPECT_DOUBLE_EQ(t.u, 4.0);
  EXPECT_NEAR(t.p, 0.051948051948051951, 1e-15);
  EXPECT_EQ(t.n_a, 6u);
  EXPECT_EQ(t.n_b, 5u);
}

TEST(StatisticsMannWhitney, SymmetricInTheTwoSamples) {
  const mb::UTest ab = mb::mann_whitney({1.1, 2.3, 3.5, 7.0, 8.2}, {4.0, 5.5, 6.1, 9.3, 10.4, 11.0});
  const mb::UTest ba = mb::mann_whitney({4.0, 5.5, 6.1, 9.3, 10.4, 11.0}, {1.1, 2.3, 3.5, 7.0, 8.2});
  EXPECT_NEAR(ab.p, ba.p, 1e-15);
  EXPECT_DOUBLE_EQ(ab.u + ba.u, 30.0);
  EXPECT_DOUBLE_EQ(ab.effect + ba.effect, 1.0);
}

TEST(StatisticsMannWhitney, TiesUseTheMidRankPermutationDistribution) {
  // Brute force over all C(9, 4) = 126 splits of the mid-ranks: 13 are at least as extreme.
  mb::UTest t = mb::mann_whitney({10, 12, 12, 15}, {12, 15, 15, 20, 20});
  EXPECT_EQ(t.method, "exact");
  EXPECT_DOUBLE_EQ(t.u, 3.0);
  EXPECT_NEAR(t.p, 13.0 / 126.0, 1e-15);
  // Identical samples: no evidence at all.
  t = mb::mann_whitney({5, 5, 5}, {5, 5, 5});
  EXPECT_DOUBLE_EQ(t.p, 1.0);
  EXPECT_DOUBLE_EQ(t.effect, 0.5);
}

TEST(StatisticsMannWhitney, UnreachedIsInfinityAndTiesWithItself) {
  // 72 of C(10, 5) = 252 splits (brute force with mid-ranks, infinities tied with each other).
  mb::UTest t = mb::mann_whitney({10, 11, 12, inf, inf}, {20, 21, inf, inf, inf});
  EXPECT_DOUBLE_EQ(t.u, 7.0);
  EXPECT_NEAR(t.p, 72.0 / 252.0, 1e-15);
  // Five reached against five unreached: the most extreme split of 5 + 5 (2 / 252).
  t = mb::mann_whitney({10, 11, 12, 13, 14}, {inf, inf, inf, inf, inf});
  EXPECT_NEAR(t.p, 2.0 / 252.0, 1e-15);
  EXPECT_DOUBLE_EQ(t.effect, 1.0);
  // Three seeds against three can never be significant at 0.05: the smallest two-sided p is 2 / 20.
  t = mb::mann_whitney({1, 2, 3}, {4, 5, 6});
  EXPECT_NEAR(t.p, 0.1, 1e-15);
  // NaN entries are dropped; an empty sample has no p-value.
  t = mb::mann_whitney({1, 2, NAN, 3, 4}, {5, 6, 7, 8, 9});
  EXPECT_EQ(t.n_a, 4u);
  EXPECT_NEAR(t.p, 0.015873015873015872, 1e-15);
  t = mb::mann_whitney({}, {1, 2});
  EXPECT_TRUE(std::isnan(t.p));
  EXPECT_TRUE(t.method.empty());
}

TEST(StatisticsMannWhitney, NormalBranchPastEightyMatchesScipyAsymptotic) {
  // numpy.random.default_rng(5): round(normal(10, 3, 41)) and round(normal(12, 3, 40)); many ties.
  const std::vector<double> a = {8, 6, 9, 11, 13, 10, 8, 8, 12, 15, 11, 6, 7, 15, 11, 5, 10, 7, 8, 9, 8,
                                 12, 10, 8, 11, 12, 5, 9, 7, 9, 6, 10, 10, 9, 7, 9, 7, 6, 11, 7, 14};
  const std::vector<double> b = {14, 6, 13, 9, 12, 12, 6, 11, 11, 15, 8, 14, 9, 11, 9, 16, 14, 19, 14, 15,
                                 15, 10, 12, 16, 11, 13, 12, 14, 11, 12, 13, 12, 9, 15, 8, 8, 8, 15, 11, 9};
  const mb::UTest t = mb::mann_whitney(a, b);
  EXPECT_EQ(t.method, "normal");  // n_a + n_b = 81 > 80
  EXPECT_DOUBLE_EQ(t.u, 410.5);
  EXPECT_NEAR(t.p, 0.00010273038526276875, 1e-12);  // method="asymptotic", use_continuity=True
  // At 80 the exact distribution is still used.
  const std::vector<double> a40(a.begin(), a.begin() + 40);
  EXPECT_EQ(mb::mann_whitney(a40, b).method, "exact");
}

TEST(StatisticsBootstrap, IntervalContainsTheMedianAndIsDeterministic) {
  const std::vector<double> v = {120, 95, 130, 101, 99, 140, 88};
  const mb::Interval a = mb::bootstrap_median_interval(v, "steps\nls [double]\nmuon");
  const mb::Interval b = mb::bootstrap_median_interval(v, "steps\nls [double]\nmuon");
  EXPECT_EQ(a.low, b.low);
  EXPECT_EQ(a.high, b.high);
  const double m = mb::median(v);
  EXPECT_LE(a.low, m);
  EXPECT_GE(a.high, m);
  EXPECT_LT(a.low, a.high);  // seven distinct values: the resampled medians vary
  EXPECT_GE(a.low, 88);
  EXPECT_LE(a.high, 140);
  // Another seed text draws other resamples: the interval stays inside the data's range.
  const mb::Interval c = mb::bootstrap_median_interval(v, "seconds\nls [double]\nmuon");
  EXPECT_LE(c.low, m);
  EXPECT_GE(c.high, m);
}

TEST(StatisticsBootstrap, ConstantUnreachedAndEmpty) {
  mb::Interval i = mb::bootstrap_median_interval({7, 7, 7}, "x");
  EXPECT_EQ(i.low, 7);
  EXPECT_EQ(i.high, 7);
  // Mostly unreached: the median is infinite, and so is the upper end.
  i = mb::bootstrap_median_interval({10, inf, inf, inf, inf}, "x");
  EXPECT_TRUE(std::isinf(i.high));
  i = mb::bootstrap_median_interval({}, "x");
  EXPECT_TRUE(std::isnan(i.low));
  EXPECT_TRUE(std::isnan(i.high));
}

TEST(StatisticsKOfN, AlgoPerfThreeOfFiveScaled) {
  EXPECT_EQ(mb::k_of_n_required(5), 3);
  EXPECT_EQ(mb::k_of_n_required(3), 2);  // ceil(9 / 5)
  EXPECT_EQ(mb::k_of_n_required(1), 1);
  EXPECT_EQ(mb::k_of_n_required(10), 6);
  EXPECT_EQ(mb::k_of_n_required(0), 0);
}

}  // namespace
