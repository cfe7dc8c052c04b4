// Suites (grids, validation), the runner (budgets, divergence, failures), shards and the cache.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "harness/engine/cache.hpp"
#include "harness/core/error.hpp"
#include "harness/problem.hpp"
#include "harness/engine/progress.hpp"
#include "harness/engine/runner.hpp"
#include "harness/engine/suite.hpp"
#include "tests/test_runner_fixtures.hpp"

namespace {

using mb::json;
using mb::test::small_suite;
using mb::test::TempDir;

TEST(Suite, GridIsTheCartesianProductInGridOrder) {
  json j = small_suite();
  j["solvers"] = json::array({{{"name", "sgd"}, {"label", "sgd"}, {"grid", {{"lr", {0.1, "0.2"}}, {"momentum", {0, 0.9}}}}},
                              {{"name", "adam"}, {"hyper", {{"lr", 0.05}}}}});
  const mb::Suite s = mb::parse_suite(j, "test");
  ASSERT_EQ(s.solvers.size(), 2u);
  std::vector<std::string> labels;
  for (const auto& st : s.solvers[0].settings) labels.push_back(st.label);
  // Keys in alphabetical (JSON object) order, the last varying fastest; values as exact decimals.
  EXPECT_EQ(labels, (std::vector<std::string>{"lr=0.1, momentum=0", "lr=0.1, momentum=0.9", "lr=0.2, momentum=0",
                                              "lr=0.2, momentum=0.9"}));
  EXPECT_EQ(s.solvers[0].settings[3].hyper, json({{"lr", "0.2"}, {"momentum", 0.9}}));
  EXPECT_EQ(s.solvers[1].settings.size(), 1u);
  EXPECT_EQ(s.solvers[1].settings[0].label, "");
  // cells = problems x (4 + 1 settings) x precisions x seeds
  EXPECT_EQ(s.cells.size(), 1u * 5u * 2u * 2u);
  std::set<std::string> ids;
  for (const auto& c : s.cells) ids.insert(c.id());
  EXPECT_EQ(ids.size(), s.cells.size()) << "cell ids must be unique";
}

TEST(Suite, BadInputIsAClearErrorNamingTheField) {
  struct Case {
    std::function<void(json&)> edit;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {[](json& j) { j["solvers"][0]["name"] = "mun"; }, "suite.solvers[0]: unknown solver 'mun'"},
      {[](json& j) { j["solvers"][0]["hyper"] = {{"lrr", 0.1}}; }, "unknown key 'lrr'; valid keys: lr"},
      {[](json& j) { j["solvers"][0]["grid"] = {{"momentun", json::array({0.9})}}; }, "suite.solvers[0] (grid point momentun=0.9)"},
      {[](json& j) { j["solvers"][0]["grid"] = {{"lr", json::array()}}; }, "suite.solvers[0].grid.lr: the grid is empty"},
      {[](json& j) { j["solvers"][0]["grid"] = json::object(); }, "suite.solvers[0].grid: expected an object"},
      {[](json& j) { j["solvers"][0]["grid"] = {{"lr", 0.1}}; }, "suite.solvers[0].grid.lr: expected a list"},
      {[](json& j) { j["solvers"][0]["grid"] = {{"lr", {0.1, 0.1}}}; }, "grid.lr[1]: duplicate grid value 0.1"},
      {[](json& j) { j["solvers"][0]["grid"] = {{"lr", {0.1, -1}}}; }, "(grid point lr=-1)"},
      {[](json& j) { j["solvers"][0]["grid"] = {{"lr", {0.1, nullptr}}}; }, "suite.solvers[0].grid.lr[1]: expected"},
      {[](json& j) { j["solvers"][0]["hyper"] = {{"lr", 0.1}}, j["solvers"][0]["grid"] = {{"lr", json::array({0.2})}}; },
       "given both in hyper and in grid"},
      {[](json& j) { j["targets"] = {"1e-2", "abc"}; }, "suite.targets[1]: "},
      {[](json& j) { j["targets"] = {0.1, 2}; }, "suite.targets[1]: a relative target must be in (0, 1)"},
      {[](json& j) { j["primary_target"] = "1e-5"; }, "suite.primary_target: 1e-5 is not one of the targets"},
      {[](json& j) { j["selection"] = {{"rule", "fastest"}}; }, "suite.selection.rule: must be one of"},
      {[](json& j) { j["selection"] = {{"target", "x"}}; }, "suite.selection.target"},
      {[](json& j) { j["seeds"] = {1, 1}; }, "suite.seeds[1]: duplicate seed 1"},
      {[](json& j) { j["problems"][0]["precisions"] = json::array({"quad"}); }, "unknown precision 'quad'"},
      {[](json& j) { j["solvers"].push_back(j["solvers"][0]); }, "duplicate solver label 'gd'"},
      {[](json& j) { j["precisions"] = json::array({"float"}); }, "suite.claims: claims run in double, mp50"},
  };
  for (const auto& c : cases) {
    json j = small_suite();
    c.edit(j);
    try {
      mb::parse_suite(j, "test");
      ADD_FAILURE() << "no error for " << j.dump();
    } catch (const mb::Error& e) {
      EXPECT_NE(std::string(e.what()).find(c.expected), std::string::npos) << "got: " << e.what();
    }
  }
}

TEST(Cell, IdIsAContentHash) {
  const mb::Suite s = mb::parse_suite(small_suite(), "test");
  mb::CellSpec a = s.cells[0], b = a;
  EXPECT_EQ(a.id(), b.id());
  EXPECT_EQ(a.id().size(), 16u);
  b.hyper["lr"] = "0.51";
  EXPECT_NE(a.id(), b.id());
  b = a, b.max_seconds += 1;
  EXPECT_NE(a.id(), b.id()) << "a changed budget is a changed cell";
  EXPECT_EQ(mb::cell_from_json(a.to_json()).id(), a.id());
}

TEST(Shard, ShardsPartitionThePlan) {
  const mb::Suite s = mb::parse_suite(small_suite(), "test");
  const mb::RunPlan plan = mb::plan_of(s);
  ASSERT_GT(plan.claims.size(), 0u);
  for (int n = 1; n <= 5; ++n) {
    std::multiset<std::string> all;
    for (int k = 1; k <= n; ++k) {
      const mb::RunPlan p = mb::shard_plan(plan, k, n);
      for (const auto& c : p.cells) all.insert(c.id());
      for (const auto& c : p.claims) all.insert(c.id());
    }
    EXPECT_EQ(all.size(), plan.size());
    for (const auto& id : all) EXPECT_EQ(all.count(id), 1u) << id;
  }
  EXPECT_EQ(mb::parse_shard("2/3"), std::make_pair(2, 3));
  for (const char* bad : {"0/2", "3/2", "1", "a/b", "1/0", "-1/2", "1/2/3", ""}) EXPECT_THROW(mb::parse_shard(bad), mb::Error) << bad;
}

TEST(Runner, DivergenceIsRecordedWithItsReason) {
  json j = small_suite();
  j["precisions"] = json::array({"double"});
  j["seeds"] = json::array({0});
  j["claims"] = json::array();
  j["solvers"] = json::array({{{"name", "sgd"}, {"label", "gd-too-far"}, {"hyper", {{"lr", 3}}}}});  // L = 1: lr > 2 diverges
  j["problems"].push_back({{"name", "test-nan-at-step-3"}});
  j["problems"].push_back({{"name", "test-numerical-error"}});
  const mb::Suite s = mb::parse_suite(j, "test");
  ASSERT_EQ(s.cells.size(), 3u);
  const auto blow_up = mb::run_cell(s.cells[0]).record.to_json();
  EXPECT_EQ(blow_up["status"], "diverged");
  EXPECT_NE(blow_up["reason"].get<std::string>().find("blow-up: gap exceeded 1e8 times the initial gap"), std::string::npos)
      << blow_up["reason"];
  const auto nan = mb::run_cell(s.cells[1]).record.to_json();
  EXPECT_EQ(nan["status"], "diverged");
  EXPECT_EQ(nan["reason"], "non-finite objective at step 3");
  EXPECT_EQ(nan["steps"], 3);
  const auto thrown = mb::run_cell(s.cells[2]).record.to_json();
  EXPECT_EQ(thrown["status"], "diverged");
  EXPECT_NE(thrown["reason"].get<std::string>().find("singular system"), std::string::npos) << thrown["reason"];
}

// A target below the precision's rounding floor (100 u |f*| relative to the initial gap) is never
// counted as reached, even when rounding makes the computed gap that small (or negative).
TEST(Runner, TargetsBelowTheRoundingFloorAreNotReached) {
  json j = small_suite();
  j["precisions"] = {"float", "double"};
  j["seeds"] = json::array({0});
  j["claims"] = json::array();
  j["targets"] = {"1e-2", "1e-12"};
  j["budget"] = {{"max_steps", 400}};
  j["solvers"] = json::array({{{"name", "sgd"}, {"label", "gd"}, {"hyper", {{"lr", 1}}}}});
  const mb::Suite s = mb::parse_suite(j, "test");
  ASSERT_EQ(s.cells.size(), 2u);
  const json f = mb::run_cell(s.cells[0]).record.to_json(), d = mb::run_cell(s.cells[1]).record.to_json();
  ASSERT_EQ(f["cell"]["precision"], "float");
  EXPECT_GT(f["rounding_floor_relative"].get<double>(), 1e-12);
  EXPECT_TRUE(f["steps_to_target"]["1e-12"].is_null()) << f["steps_to_target"];
  EXPECT_FALSE(f["steps_to_target"]["1e-2"].is_null());
  EXPECT_LT(d["rounding_floor_relative"].get<double>(), 1e-12);
  EXPECT_FALSE(d["steps_to_target"]["1e-12"].is_null()) << d["steps_to_target"];
}

TEST(Runner, AnExceptionInACellIsAFailureNotACrash) {
  json j = small_suite();
  j["precisions"] = json::array({"double"});
  j["claims"] = json::array();
  j["problems"] = json::array({{{"name", "test-throws"}}});
  const mb::Suite s = mb::parse_suite(j, "test");
  const auto r = mb::run_cell(s.cells[0]).record.to_json();
  EXPECT_EQ(r["status"], "failed");
  EXPECT_NE(r["reason"].get<std::string>().find("test problem failure"), std::string::npos) << r["reason"];
}

// The time budget holds: a cell does not start a step that would end past max_seconds (the
// previous step's duration is the estimate). Here a step takes about 0.1 s (exact polar factor of a
// 24 x 24 matrix in 50 digits), so a runner that only checked the clock after each step would end
// up to 0.1 s late; the 0.05 s allowed covers the difference between two consecutive steps.
TEST(Runner, TimeBudgetHolds) {
  json j = small_suite();
  j["precisions"] = json::array({"mp50"});
  j["seeds"] = json::array({0});
  j["claims"] = json::array();
  j["budget"] = {{"max_steps", 1000000}, {"max_seconds", 0.5}};
  j["problems"] = json::array({{{"name", "quadratic-ls"}, {"params", {{"m", 24}, {"n", 24}, {"p", 24}, {"q", 24}}}}});
  j["solvers"] = json::array({{{"name", "muon-exact"}, {"hyper", {{"lr", 0.01}, {"weight_decay", 0}}}}});
  const mb::Suite s = mb::parse_suite(j, "test");
  const mb::CellResult r = mb::run_cell(s.cells[0]);
  EXPECT_EQ(r.record.status, mb::CellStatus::timeout);
  EXPECT_NE(r.record.reason.find("time budget of 0.5 s"), std::string::npos) << r.record.reason;
  EXPECT_GT(r.record.steps, 0);
  EXPECT_LE(r.timing.seconds, 0.5 + 0.05);
}

TEST(Cache, ResumesWithoutRedoingFinishedJobsAndRetriesFailures) {
  TempDir tmp;
  json j = small_suite();
  j["problems"].push_back({{"name", "test-throws"}, {"precisions", json::array({"double"})}});
  const mb::Suite s = mb::parse_suite(j, "test");
  const mb::RunPlan plan = mb::plan_of(s);
  size_t failing = 0;
  for (const auto& c : plan.cells) failing += c.problem == "test-throws";
  ASSERT_EQ(failing, 6u);  // (2 gd settings + muon) x 2 seeds
  mb::RunOptions opt;
  opt.threads = 2;
  opt.cache_dir = tmp.path + "/cache";
  opt.progress = mb::ProgressMode::never;
  // An "interrupted" run: only the first shard's jobs finished.
  const mb::RunOutput first = mb::run_plan(mb::shard_plan(plan, 1, 2), opt);
  EXPECT_GT(first.stats.cells_run, 0u);
  EXPECT_GT(first.stats.failed, 0u);
  const mb::RunOutput resumed = mb::run_plan(plan, opt);
  EXPECT_EQ(resumed.stats.cells_cached, first.stats.cells_run - first.stats.failed);
  EXPECT_EQ(resumed.stats.cells_run, plan.cells.size() - resumed.stats.cells_cached);
  EXPECT_EQ(resumed.stats.claims_cached, first.stats.claims_run);
  EXPECT_EQ(resumed.stats.failed, failing) << "failed cells are never cached: all of them ran again";
  // Same records as an uncached run.
  mb::RunOptions nocache = opt;
  nocache.cache_dir.clear();
  const mb::RunOutput fresh = mb::run_plan(plan, nocache);
  ASSERT_EQ(fresh.cells.size(), resumed.cells.size());
  for (const auto& [id, r] : fresh.cells) EXPECT_EQ(r.record.to_json(), resumed.cells.at(id).record.to_json()) << id;
  // A third run redoes only the failures.
  const mb::RunOutput third = mb::run_plan(plan, opt);
  EXPECT_EQ(third.stats.cells_run, failing);
  // A cache file from another build is not used.
  const std::string file = opt.cache_dir + "/" + plan.cells[0].id() + ".json";
  json cached = mb::load_json_file(file, "test");
  cached["build"] = "another build";
  std::ofstream(file) << cached.dump();
  EXPECT_FALSE(mb::ResultCache(opt.cache_dir).load(plan.cells[0]).has_value());
  // A changed cell (another learning rate) has another id, so it is not found.
  mb::CellSpec changed = plan.cells[1];
  changed.hyper["lr"] = "0.123";
  EXPECT_FALSE(mb::ResultCache(opt.cache_dir).load(changed).has_value());
  EXPECT_TRUE(mb::ResultCache(opt.cache_dir).load(plan.cells[1]).has_value());
}

TEST(Cache, CancelledRunKeepsOnlyFinishedJobs) {
  TempDir tmp;
  const mb::Suite s = mb::parse_suite(small_suite(), "test");
  std::atomic<bool> cancel{true};  // cancelled before anything starts
  mb::RunOptions opt;
  opt.cache_dir = tmp.path + "/cache";
  opt.cancel = &cancel;
  opt.progress = mb::ProgressMode::never;
  const mb::RunOutput out = mb::run_plan(mb::plan_of(s), opt);
  EXPECT_TRUE(out.stats.cancelled);
  EXPECT_TRUE(out.cells.empty());
  EXPECT_TRUE(std::filesystem::is_empty(opt.cache_dir));
}

TEST(Progress, LineShowsDoneTotalElapsedAndEstimate) {
  mb::Progress p(10, false);
  p.cached();
  p.finished("diverged");
  p.finished("target_reached");
  const std::string line = p.line();
  EXPECT_NE(line.find("3/10 jobs (1 cached, 1 diverged)"), std::string::npos) << line;
  EXPECT_NE(line.find("elapsed"), std::string::npos) << line;
  EXPECT_NE(line.find("left"), std::string::npos) << line;
  EXPECT_EQ(mb::format_duration(65), "1:05");
  EXPECT_EQ(mb::format_duration(3723), "1:02:03");
}

}  // namespace
