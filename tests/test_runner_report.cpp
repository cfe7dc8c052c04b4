// Reports and leaderboards: selection of grid settings, AlgoPerf performance profiles, metrics
// over seeds, determinism, shards and merge, the HTML page.
#include <gtest/gtest.h>

#include <cmath>

#include "harness/core/error.hpp"
#include "harness/report/html.hpp"
#include "harness/report/metrics.hpp"
#include "harness/report/report.hpp"
#include "harness/engine/suite.hpp"
#include "tests/test_runner_fixtures.hpp"

namespace {

using mb::json;
using mb::test::small_suite;

// A hand-made result for a cell: steps to the targets (-1 = unreached) and the final relative gap.
mb::CellResult fake(const mb::CellSpec& c, long steps_1e1, long steps_1e2, double final_rel_gap) {
  mb::CellResult r;
  auto st = [](long s) { return s < 0 ? std::optional<long>() : std::optional<long>(s); };
  r.record.id = c.id();
  r.record.cell = c.to_json();
  r.record.status = steps_1e2 < 0 ? mb::CellStatus::max_steps : mb::CellStatus::target_reached;
  r.record.gap0 = 2.0;
  r.record.final_value = 1.0;
  r.record.final_gap = 2.0 * final_rel_gap;
  r.record.final_grad_norm = 1.0;
  r.record.steps_to_target = {{"1e-1", st(steps_1e1)}, {"1e-2", st(steps_1e2)}};
  r.record.rate = nullptr;
  r.timing.seconds = 0.1;
  r.timing.seconds_to_target = {{"1e-1", 0.01}, {"1e-2", 0.02}};
  return r;
}

mb::Suite grid_suite(const std::string& rule) {
  json j = small_suite();
  j["precisions"] = json::array({"double"});
  j["seeds"] = {0, 1, 2};
  j["claims"] = json::array();
  j["selection"] = {{"rule", rule}};
  j["solvers"] = json::array({{{"name", "sgd"}, {"label", "gd"}, {"grid", {{"lr", {0.1, 0.2, 0.3, 0.4}}}}}});
  return mb::parse_suite(j, "test");
}

// lr=0.1: steps 10, 12, 11 (median 11), gap 1e-3; lr=0.2: 11, 11, 30 (median 11), gap 1e-5;
// lr=0.3: unreached twice (median infinite), gap 1e-9; lr=0.4: exactly lr=0.2's numbers.
std::map<std::string, mb::CellResult> grid_results(const mb::Suite& s) {
  std::map<std::string, mb::CellResult> out;
  const std::map<std::string, std::vector<long>> steps = {
      {"lr=0.1", {10, 12, 11}}, {"lr=0.2", {11, 11, 30}}, {"lr=0.3", {-1, -1, 5}}, {"lr=0.4", {11, 11, 30}}};
  const std::map<std::string, double> gap = {{"lr=0.1", 1e-3}, {"lr=0.2", 1e-5}, {"lr=0.3", 1e-9}, {"lr=0.4", 1e-5}};
  for (const auto& c : s.cells) out[c.id()] = fake(c, 1, steps.at(c.setting)[c.seed], gap.at(c.setting));
  return out;
}

std::string chosen_setting(const json& report) {
  const json& chosen = report["results"]["selection"]["chosen"];
  EXPECT_EQ(chosen.size(), 1u);
  return chosen[0]["setting"];
}

TEST(Selection, StepsToTargetThenFinalGapThenGridOrder) {
  const mb::Suite s = grid_suite("steps-to-target");
  const json report = mb::make_report(s, grid_results(s), {}, mb::RunInfo{});
  EXPECT_EQ(chosen_setting(report), "lr=0.2");  // ties lr=0.1 on steps, wins on gap; lr=0.4 is a full tie, later
  const json lb = mb::make_leaderboard(report);
  ASSERT_EQ(lb["results"]["sweeps"].size(), 1u);
  EXPECT_EQ(lb["results"]["sweeps"][0]["settings"].size(), 4u);
  EXPECT_EQ(lb["results"]["rankings_by_steps"][0]["ranking"][0]["setting"], "lr=0.2");
  const json& st = lb["results"]["rankings_by_steps"][0]["ranking"][0]["steps_to_target"];
  EXPECT_EQ(st["median"], 11.0);
  EXPECT_EQ(st["min"], 11.0);
  EXPECT_EQ(st["max"], 30.0);
  EXPECT_EQ(st["reached"], 3);
}

TEST(Selection, FinalGapRule) {
  const mb::Suite s = grid_suite("final-gap");
  EXPECT_EQ(chosen_setting(mb::make_report(s, grid_results(s), {}, mb::RunInfo{})), "lr=0.3");
}

TEST(Report, IncompleteResultsAreAnError) {
  const mb::Suite s = grid_suite("steps-to-target");
  auto results = grid_results(s);
  results.erase(s.cells[5].id());
  try {
    mb::make_report(s, results, {}, mb::RunInfo{});
    FAIL() << "no error";
  } catch (const mb::Error& e) {
    EXPECT_NE(std::string(e.what()).find("1 of 12 cells have no result"), std::string::npos) << e.what();
  }
}

// AlgoPerf's rule (scoring/performance_profile.py): r = t / best, anything over tau_max = 4 counts as never.
TEST(PerformanceProfile, ScoresAreNormalisedAreas) {
  const double inf = INFINITY;
  const json p = mb::performance_profile({"A", "B", "C"}, {{1, 1, 1}, {2, 2, inf}, {5, 1, 1}});
  EXPECT_DOUBLE_EQ(p["A"]["score"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(p["B"]["score"].get<double>(), (2.0 + 2.0) / 9.0);   // (4 - 2) twice, over 3 workloads x 3
  EXPECT_DOUBLE_EQ(p["C"]["score"].get<double>(), (0 + 3.0 + 3.0) / 9.0);  // 5 > 4 counts as never
  EXPECT_EQ(p["C"]["ratios"], json({nullptr, 1.0, 1.0}));
  // rho_B(tau): 0 below 2, 2/3 from 2 on.
  const json& tau = p["B"]["tau"];
  for (size_t i = 0; i < tau.size(); ++i)
    EXPECT_DOUBLE_EQ(p["B"]["rho"][i].get<double>(), tau[i].get<double>() >= 2.0 ? 2.0 / 3.0 : 0.0) << tau[i];
}

TEST(Metrics, SpreadOverSeedsWithUnreachedAndMissing) {
  const mb::Spread s = mb::spread_of({3, 1, INFINITY, NAN, 2});
  EXPECT_EQ(s.n, 4u);
  EXPECT_DOUBLE_EQ(s.median, 2.5);
  EXPECT_DOUBLE_EQ(s.min, 1);
  EXPECT_TRUE(std::isinf(s.max));
  EXPECT_TRUE(mb::spread_to_json(s)["max"].is_null());
  EXPECT_TRUE(std::isinf(mb::median({1, INFINITY, INFINITY})));  // most seeds unreached: unreached
}

// The same suite gives the same "results" however it runs: 1 or 2 threads, or two shards merged.
TEST(Report, DeterministicAcrossThreadsAndShards) {
  const mb::Suite s = mb::parse_suite(small_suite(), "test");
  const mb::RunPlan plan = mb::plan_of(s);
  mb::RunOptions opt;
  opt.progress = mb::ProgressMode::never;
  opt.threads = 1;
  const mb::RunOutput one = mb::run_plan(plan, opt);
  opt.threads = 2;
  const mb::RunOutput two = mb::run_plan(plan, opt);
  const json r1 = mb::make_report(s, one.cells, one.claims, mb::RunInfo{});
  const json r2 = mb::make_report(s, two.cells, two.claims, mb::RunInfo{});
  EXPECT_EQ(r1["results"].dump(), r2["results"].dump());
  EXPECT_EQ(mb::make_leaderboard(r1)["results"].dump(), mb::make_leaderboard(r2)["results"].dump());

  std::vector<json> shards;
  for (int k = 1; k <= 2; ++k) {
    mb::RunInfo info;
    info.started = info.finished = "2025-01-01T00:00:00Z";
    shards.push_back(mb::make_shard(s, k, 2, mb::run_plan(mb::shard_plan(plan, k, 2), opt), info));
  }
  const mb::MergedRun m = mb::merge_shards(shards, {"s1", "s2"});
  const json rm = mb::make_report(m.suite, m.cells, m.claims, m.info);
  EXPECT_EQ(r1["results"].dump(), rm["results"].dump());

  auto merge_error = [&](std::vector<json> docs) {
    try {
      mb::merge_shards(docs, std::vector<std::string>(docs.size(), "f"));
    } catch (const mb::Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(merge_error({shards[0]}).find("missing shard(s) 2/2"), std::string::npos);
  EXPECT_NE(merge_error({shards[0], shards[0]}).find("shard 1 given twice"), std::string::npos);
  json other = shards[1];
  other["suite"]["hash"] = "0000000000000000";
  EXPECT_NE(merge_error({shards[0], other}).find("from another suite"), std::string::npos);
  other = shards[1];
  other["build"] = "another";
  EXPECT_NE(merge_error({shards[0], other}).find("another build"), std::string::npos);

  // The page: one row per solver in the scores table, labels escaped.
  json lb = mb::make_leaderboard(r1);
  lb["run"]["environment"] = {{"cpu", "<script>alert(1)</script>"}};
  const std::string html = mb::leaderboard_html(lb, [](const std::string&) { return false; });
  const auto body = html.substr(html.find("id=\"scores-table\""));
  const auto rows = body.substr(0, body.find("</table>"));
  size_t n = 0;
  // Rows carry filter attributes (<tr data-solver=...>): count every "<tr" that opens a row.
  for (size_t pos = rows.find("<tr"); pos != std::string::npos; pos = rows.find("<tr", pos + 1))
    n += rows.compare(pos, 4, "<tr>") == 0 || rows.compare(pos, 4, "<tr ") == 0;
  EXPECT_EQ(n, 1 + s.solvers.size());  // header + one per solver
  EXPECT_EQ(html.find("<script>alert"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)"), std::string::npos);
  EXPECT_NE(html.find("id=\"rank-ls-double\""), std::string::npos);
  EXPECT_NE(html.find("id=\"claims-table\""), std::string::npos);
}

}  // namespace
