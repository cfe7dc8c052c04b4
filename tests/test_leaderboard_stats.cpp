// The leaderboard's statistics (harness/report/leaderboard.cpp, leaderboard_stats.cpp, ecdf.cpp):
// per entry the values over the ranking seeds, median, bootstrap interval and k of n; the ranking
// order (entries that count under k of n first); pairwise Mann-Whitney tests; runtime ECDFs; and
// determinism of the "results" part.
#include <gtest/gtest.h>

#include <cmath>

#include "harness/engine/suite.hpp"
#include "harness/report/ecdf.hpp"
#include "harness/report/leaderboard_stats.hpp"
#include "harness/report/report.hpp"

namespace {

using mb::json;
const double inf = INFINITY;

// Five seeds; "fast" needs 10-14 steps to 1e-2, "slow" 20-24, "flaky" 1, 2, 3 and never on two
// seeds; to 1e-1 each needs half as many (integer division). Seconds = steps / 1000.
json stats_suite() {
  return json::parse(R"({
    "name": "st", "precisions": ["double"], "seeds": [0, 1, 2, 3, 4],
    "targets": ["1e-1", "1e-2"], "primary_target": "1e-2", "trials": {"k": 4},
    "problems": [{"name": "quadratic-ls", "label": "ls", "params": {"m": 4, "n": 3, "p": 5, "q": 4, "kappa": 10}}],
    "solvers": [{"name": "sgd", "label": "flaky", "hyper": {"lr": 0.3}},
                {"name": "sgd", "label": "slow", "hyper": {"lr": 0.1}},
                {"name": "sgd", "label": "fast", "hyper": {"lr": 0.2}}]})");
}

long steps_of(const std::string& solver, std::uint64_t seed) {
  const long s = static_cast<long>(seed);
  if (solver == "fast") return 10 + s;
  if (solver == "slow") return 20 + s;
  return s < 3 ? 1 + s : -1;
}

std::map<std::string, mb::CellResult> stats_results(const mb::Suite& suite) {
  std::map<std::string, mb::CellResult> out;
  for (const auto& c : suite.cells) {
    mb::CellResult r;
    r.record.id = c.id();
    r.record.cell = c.to_json();
    const long s = steps_of(c.solver_label, c.seed);
    r.record.status = s < 0 ? mb::CellStatus::max_steps : mb::CellStatus::target_reached;
    r.record.gap0 = 2.0;
    r.record.final_value = 1.0;
    r.record.final_gap = s < 0 ? 0.2 : 2e-3;
    r.record.final_grad_norm = 1.0;
    r.record.rate = nullptr;
    for (const auto& t : c.targets) {
      const long st = s < 0 ? -1 : (t == "1e-1" ? s / 2 : s);
      r.record.steps_to_target[t] = st < 0 ? std::optional<long>() : std::optional<long>(st);
      r.timing.seconds_to_target[t] = st < 0 ? std::optional<double>() : std::optional<double>(st / 1000.0);
    }
    r.timing.seconds = 0.1;
    out[c.id()] = r;
  }
  return out;
}

json stats_leaderboard() {
  const mb::Suite s = mb::parse_suite(stats_suite(), "test");
  return mb::make_leaderboard(mb::make_report(s, stats_results(s), {}, mb::RunInfo{}));
}

TEST(LeaderboardStats, EntriesCarryValuesMedianIntervalAndKOfN) {
  const json lb = stats_leaderboard();
  const json& ranking = lb["results"]["rankings_by_steps"][0]["ranking"];
  ASSERT_EQ(ranking.size(), 3u);
  // flaky has the smallest median (3) but reaches the target on 3 of 5 seeds < k = 4: it ranks last.
  EXPECT_EQ(ranking[0]["solver"], "fast");
  EXPECT_EQ(ranking[1]["solver"], "slow");
  EXPECT_EQ(ranking[2]["solver"], "flaky");
  EXPECT_EQ(ranking[2]["rank"], 3);
  EXPECT_EQ(ranking[2]["values"], json({1, 2, 3, nullptr, nullptr}));
  EXPECT_EQ(ranking[2]["median"], 3.0);
  EXPECT_EQ(ranking[2]["k_of_n"], json({{"reached", 3}, {"n", 5}, {"k", 4}, {"counts", false}}));
  const json& fast = ranking[0];
  EXPECT_EQ(fast["values"], json({10, 11, 12, 13, 14}));
  EXPECT_EQ(fast["seeds_used"], json({0, 1, 2, 3, 4}));
  EXPECT_EQ(fast["median"], 12.0);
  EXPECT_EQ(fast["k_of_n"]["counts"], true);
  const double lo = fast["ci95"][0], hi = fast["ci95"][1];
  EXPECT_LE(lo, 12.0);
  EXPECT_GE(hi, 12.0);
  EXPECT_GE(lo, 10.0);
  EXPECT_LE(hi, 14.0);
  EXPECT_TRUE(ranking[2]["ci95"][1].is_null() || ranking[2]["ci95"][1].get<double>() >= 3.0);
  EXPECT_EQ(lb["results"]["k_of_n"]["text"],
            "a solver reaches a target only if at least 4 of its 5 seeds reach it (AlgoPerf; k from the suite)");
  // Seconds: the same statistics under "run".
  const json& secs = lb["run"]["rankings_by_seconds"][0]["ranking"];
  EXPECT_EQ(secs[0]["solver"], "fast");
  EXPECT_DOUBLE_EQ(secs[0]["median"].get<double>(), 0.012);
  EXPECT_EQ(secs[2]["k_of_n"]["counts"], false);
  // The performance profile follows k of n: flaky never reached the target.
  EXPECT_TRUE(lb["results"]["performance_profile_steps"]["solvers"]["flaky"]["ratios"][0].is_null());
  EXPECT_DOUBLE_EQ(lb["results"]["performance_profile_steps"]["solvers"]["slow"]["ratios"][0].get<double>(), 22.0 / 12.0);
}

TEST(LeaderboardStats, PairwiseMannWhitneyOnEveryPair) {
  const json lb = stats_leaderboard();
  const json& pw = lb["results"]["pairwise_steps"];
  ASSERT_EQ(pw.size(), 3u);  // (flaky, slow), (flaky, fast), (slow, fast), suite order
  const json& sf = pw[2];
  EXPECT_EQ(sf["a"], "slow");
  EXPECT_EQ(sf["b"], "fast");
  EXPECT_NEAR(sf["p"].get<double>(), 2.0 / 252.0, 1e-15);  // complete separation of 5 and 5
  EXPECT_EQ(sf["significant"], true);
  EXPECT_EQ(sf["faster"], "fast");
  EXPECT_EQ(sf["method"], "exact");
  EXPECT_DOUBLE_EQ(sf["effect"].get<double>(), 0.0);  // P(slow < fast)
  // flaky vs fast: {1, 2, 3, inf, inf} against {10..14}: not separated, not significant.
  const json& ff = pw[1];
  EXPECT_EQ(ff["a"], "flaky");
  EXPECT_GT(ff["p"].get<double>(), 0.05);
  EXPECT_EQ(ff["significant"], false);
  EXPECT_TRUE(ff["faster"].is_null());
  EXPECT_EQ(lb["run"]["pairwise_seconds"].size(), 3u);
  EXPECT_EQ(lb["run"]["pairwise_seconds"][2]["faster"], "fast");
}

TEST(LeaderboardStats, RuntimeEcdfOverWorkloadTargetPairs) {
  const json lb = stats_leaderboard();
  const json& e = lb["results"]["ecdf_steps"];
  EXPECT_EQ(e["pairs"], 2);  // one workload, two targets
  EXPECT_EQ(e["solvers"]["fast"]["x"], json({6.0, 12.0}));  // medians of {5,5,6,6,7} and {10..14}
  EXPECT_EQ(e["solvers"]["fast"]["y"], json({0.5, 1.0}));
  EXPECT_EQ(e["solvers"]["flaky"]["x"], json::array());  // 3 of 5 < k = 4 at both targets
  EXPECT_DOUBLE_EQ(lb["run"]["ecdf_seconds"]["solvers"]["slow"]["x"][1].get<double>(), 0.022);

  const json direct = mb::runtime_ecdf({"a", "b"}, {{3, inf, 1, 3}, {inf, inf, inf, NAN}}, 4);
  EXPECT_EQ(direct["solvers"]["a"]["x"], json({1.0, 3.0, 3.0}));
  EXPECT_EQ(direct["solvers"]["a"]["y"], json({0.25, 0.5, 0.75}));
  EXPECT_EQ(direct["solvers"]["b"]["x"], json::array());
}

TEST(LeaderboardStats, ResultsAreDeterministicAndHoldNoTiming) {
  const json a = stats_leaderboard(), b = stats_leaderboard();
  EXPECT_EQ(a["results"].dump(), b["results"].dump());
  const std::string results = a["results"].dump();
  EXPECT_EQ(results.find("seconds"), std::string::npos);  // seconds live under "run"
  EXPECT_EQ(a["results"]["tuning"]["budget"], 1);
}

TEST(LeaderboardStats, EntryStatisticsAndPairwiseDirectly) {
  const json e = mb::entry_statistics({5, inf, 7}, {3, 4, 5}, 2, "t");
  EXPECT_EQ(e["values"], json({5, nullptr, 7}));
  EXPECT_EQ(e["median"], 7.0);
  EXPECT_EQ(e["k_of_n"], json({{"reached", 2}, {"n", 3}, {"k", 2}, {"counts", true}}));
  EXPECT_EQ(e, mb::entry_statistics({5, inf, 7}, {3, 4, 5}, 2, "t"));  // seeded by its text
  json out = json::array();
  // Both unreached everywhere: p = 1, nobody faster.
  mb::pairwise_tests("w", {{"a", {inf, inf, inf, inf}}, {"b", {inf, inf, inf, inf}}}, out);
  EXPECT_DOUBLE_EQ(out[0]["p"].get<double>(), 1.0);
  EXPECT_TRUE(out[0]["faster"].is_null());
  // Equal medians but a significant shift: the effect size names the faster one.
  out = json::array();
  std::vector<double> a(20, 1.0), b(21, 5.0);  // a: 20 ones and 21 fives; b: 21 fives and 20 nines
  a.resize(41, 5.0);
  b.resize(41, 9.0);
  mb::pairwise_tests("w", {{"a", a}, {"b", b}}, out);
  EXPECT_EQ(out[0]["method"], "normal");
  EXPECT_EQ(out[0]["significant"], true);
  EXPECT_EQ(out[0]["faster"], "a");  // both medians are 5
}

}  // namespace
