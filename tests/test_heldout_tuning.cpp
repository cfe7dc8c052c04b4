// Issue 18's ranking rules in suites (harness/engine/suite.cpp, harness/report/leaderboard_stats.cpp):
// held-out seeds (the selection rule sees only the tuning seeds, the leaderboard only the held-out
// ones), per-problem targets, trials.k and tuning budgets, each bad value an error naming its field.
#include <gtest/gtest.h>

#include <functional>

#include "harness/core/error.hpp"
#include "harness/engine/suite.hpp"
#include "harness/report/report.hpp"

namespace {

using mb::json;

// A hand-made result: steps to each of the cell's targets from `steps(target)` (< 0: unreached),
// seconds = steps / 1000.
mb::CellResult fake(const mb::CellSpec& c, const std::function<long(const std::string&)>& steps) {
  mb::CellResult r;
  r.record.id = c.id();
  r.record.cell = c.to_json();
  r.record.status = mb::CellStatus::target_reached;
  r.record.gap0 = 2.0;
  r.record.final_value = 1.0;
  r.record.final_gap = 2e-6;
  r.record.final_grad_norm = 1.0;
  r.record.rate = nullptr;
  for (const auto& t : c.targets) {
    const long s = steps(t);
    r.record.steps_to_target[t] = s < 0 ? std::optional<long>() : std::optional<long>(s);
    r.timing.seconds_to_target[t] = s < 0 ? std::optional<double>() : std::optional<double>(s / 1000.0);
  }
  r.timing.seconds = 0.1;
  return r;
}

json base_suite() {
  return json::parse(R"({
    "name": "h", "precisions": ["double"], "seeds": [0, 1, 2, 3, 4, 5, 6, 7],
    "targets": ["1e-1", "1e-2"], "primary_target": "1e-2",
    "problems": [{"name": "quadratic-ls", "label": "ls", "params": {"m": 4, "n": 3, "p": 5, "q": 4, "kappa": 10}}],
    "solvers": [{"name": "sgd", "label": "gd", "grid": {"lr": [0.1, 0.2]}}]})");
}

std::string error_of(const json& j) {
  try {
    mb::parse_suite(j, "test");
  } catch (const mb::Error& e) {
    return e.what();
  }
  return "no error";
}

// lr=0.1 is fast on seeds 0-3 (10 steps) and slow on 4-7 (100); lr=0.2 the other way (50, then 5).
std::map<std::string, mb::CellResult> crossing_results(const mb::Suite& s) {
  std::map<std::string, mb::CellResult> out;
  for (const auto& c : s.cells) {
    const bool early = c.seed < 4;
    const long steps = c.setting == "lr=0.1" ? (early ? 10 : 100) : (early ? 50 : 5);
    out[c.id()] = fake(c, [&](const std::string&) { return steps + static_cast<long>(c.seed); });
  }
  return out;
}

TEST(HeldOut, SelectionSeesOnlyTuningSeedsAndRankingOnlyHeldOutSeeds) {
  json j = base_suite();
  j["held_out"] = {{"seeds", {4, 5, 6, 7}}};
  const mb::Suite s = mb::parse_suite(j, "test");
  EXPECT_EQ(s.rules.tuning_seeds, (std::vector<std::uint64_t>{0, 1, 2, 3}));
  EXPECT_EQ(s.rules.ranking_seeds, (std::vector<std::uint64_t>{4, 5, 6, 7}));
  const json report = mb::make_report(s, crossing_results(s), {}, mb::RunInfo{});
  EXPECT_EQ(report["results"]["selection"]["chosen"][0]["setting"], "lr=0.1");  // 10-13 steps on seeds 0-3
  const json lb = mb::make_leaderboard(report);
  const json& e = lb["results"]["rankings_by_steps"][0]["ranking"][0];
  EXPECT_EQ(e["setting"], "lr=0.1");
  EXPECT_EQ(e["seeds_used"], json({4, 5, 6, 7}));
  EXPECT_EQ(e["values"], json({104, 105, 106, 107}));  // the held-out seeds at the selected setting
  EXPECT_EQ(e["median"], 105.5);
  EXPECT_EQ(e["seeds"], 4);
  EXPECT_EQ(e["steps_to_target"]["min"], 104.0);
  const json& h = lb["results"]["held_out"];
  EXPECT_EQ(h["tuning_seeds"], json({0, 1, 2, 3}));
  EXPECT_EQ(h["ranking_seeds"], json({4, 5, 6, 7}));
  EXPECT_EQ(h["text"], "tuned on seeds 0, 1, 2, 3; ranked on held-out seeds 4, 5, 6, 7 that the tuner never saw");
  EXPECT_EQ(lb["results"]["k_of_n"]["k"], 3);  // ceil(3 * 4 / 5)
  EXPECT_EQ(lb["results"]["k_of_n"]["n"], 4);
  // The sweep shows what the tuner saw: the tuning seeds' medians.
  EXPECT_EQ(lb["results"]["sweeps"][0]["settings"][0]["steps_to_target"], 11.5);
  const json& key = report["results"]["summary"][0]["selection_key"];
  EXPECT_EQ(key["seeds"], json({0, 1, 2, 3}));
  EXPECT_EQ(key["target"], "1e-2");
}

TEST(HeldOut, WithoutHeldOutEverythingUsesAllSeeds) {
  const mb::Suite s = mb::parse_suite(base_suite(), "test");
  const json report = mb::make_report(s, crossing_results(s), {}, mb::RunInfo{});
  // All seeds: lr=0.1 median (13 + 104) / 2 = 58.5, lr=0.2 median (12 + 50) / 2 = 31.
  EXPECT_EQ(report["results"]["selection"]["chosen"][0]["setting"], "lr=0.2");
  const json lb = mb::make_leaderboard(report);
  EXPECT_TRUE(lb["results"]["held_out"].is_null());
  EXPECT_EQ(lb["results"]["rankings_by_steps"][0]["ranking"][0]["values"].size(), 8u);
  EXPECT_EQ(lb["results"]["k_of_n"]["k"], 5);  // ceil(24 / 5)
}

TEST(HeldOut, BadValuesNameTheField) {
  const std::vector<std::pair<json, std::string>> cases = {
      {{{"seeds", {9}}}, "suite.held_out.seeds[0]: seed 9 is not one of suite.seeds"},
      {{{"seeds", {1, 1}}}, "suite.held_out.seeds[1]: duplicate seed 1"},
      {{{"seeds", {0, 1, 2, 3, 4, 5, 6, 7}}}, "suite.held_out.seeds: every seed is held out"},
      {{{"seeds", json::array()}}, "suite.held_out.seeds: expected a non-empty list"},
      {{{"seeds", {-1}}}, "suite.held_out.seeds[0]: expected an integer >= 0"},
      {{{"seed", {1}}}, "suite.held_out: unknown key 'seed'"},
      {json::object(), "suite.held_out: missing required key 'seeds'"},
      {json("2"), "suite.held_out: expected a JSON object"},
  };
  for (const auto& [value, expected] : cases) {
    json j = base_suite();
    j["held_out"] = value;
    EXPECT_NE(error_of(j).find(expected), std::string::npos) << "got: " << error_of(j);
  }
}

TEST(Trials, KFromTheSuiteWithinOneToTheRankingSeeds) {
  json j = base_suite();
  j["held_out"] = {{"seeds", {5, 6, 7}}};
  j["trials"] = {{"k", 3}};
  EXPECT_EQ(mb::parse_suite(j, "test").rules.k, 3);
  // json::parse: a parsed 0 is stored unsigned, a constructed one signed; both are refused.
  for (const json& bad : {json(4), json(0), json::parse("0"), json::parse("4"), json(1.5), json("2")}) {
    j["trials"] = {{"k", bad}};
    EXPECT_NE(error_of(j).find("suite.trials.k: expected an integer from 1 to 3"), std::string::npos) << error_of(j);
  }
  j["trials"] = {{"n", 3}};
  EXPECT_NE(error_of(j).find("suite.trials: unknown key 'n'"), std::string::npos);
}

TEST(PerProblemTargets, CellsRankingsAndSelectionUseTheProblemsTargets) {
  json j = base_suite();
  j["seeds"] = {0, 1, 2};
  j["problems"].push_back(j["problems"][0]);
  j["problems"][1]["label"] = "ls-deep";
  j["problems"][1]["targets"] = {"1e-1", "1e-3"};  // the suite's primary 1e-2 is not among them
  const mb::Suite s = mb::parse_suite(j, "test");
  EXPECT_EQ(s.targets_of("ls").primary_target, "1e-2");
  EXPECT_EQ(s.targets_of("ls-deep").primary_target, "1e-3");  // default: its smallest
  EXPECT_EQ(s.targets_of("ls-deep").selection_target, "1e-3");
  for (const auto& c : s.cells)
    EXPECT_EQ(c.targets, c.problem_label == "ls" ? (std::vector<std::string>{"1e-1", "1e-2"})
                                                  : (std::vector<std::string>{"1e-1", "1e-3"}));
  std::map<std::string, mb::CellResult> results;
  for (const auto& c : s.cells)  // steps: 10 to 1e-1, 20 to 1e-2, 30 to 1e-3
    results[c.id()] = fake(c, [](const std::string& t) { return t == "1e-1" ? 10L : t == "1e-2" ? 20L : 30L; });
  const json lb = mb::make_leaderboard(mb::make_report(s, results, {}, mb::RunInfo{}));
  EXPECT_EQ(lb["results"]["workloads"][1]["primary_target"], "1e-3");
  EXPECT_EQ(lb["results"]["workloads"][1]["targets"], json({"1e-1", "1e-3"}));
  EXPECT_EQ(lb["results"]["rankings_by_steps"][0]["ranking"][0]["median"], 20.0);
  EXPECT_EQ(lb["results"]["rankings_by_steps"][1]["ranking"][0]["median"], 30.0);
  EXPECT_EQ(lb["results"]["ecdf_steps"]["pairs"], 4);

  // A suite-level selection target that is one of the problem's targets applies to it too.
  j["selection"] = {{"target", "1e-1"}};
  EXPECT_EQ(mb::parse_suite(j, "test").targets_of("ls-deep").selection_target, "1e-1");
  j["problems"][1]["primary_target"] = "1e-1";
  EXPECT_EQ(mb::parse_suite(j, "test").targets_of("ls-deep").primary_target, "1e-1");
  j["problems"][1]["primary_target"] = "1e-2";
  EXPECT_NE(error_of(j).find("suite.problems[1].primary_target: 1e-2 is not one of the targets (1e-1, 1e-3)"),
            std::string::npos) << error_of(j);
  j["problems"][1].erase("primary_target");
  j["problems"][1]["targets"] = {0.1, 2};
  EXPECT_NE(error_of(j).find("suite.problems[1].targets[1]: a relative target must be in (0, 1)"), std::string::npos);
  j["problems"][1]["targets"] = json::array();
  EXPECT_NE(error_of(j).find("suite.problems[1].targets: expected a non-empty list"), std::string::npos);
}

TEST(Tuning, BudgetDeclaredGridsAndFlags) {
  json j = base_suite();
  j["solvers"] = json::parse(R"([{"name": "sgd", "label": "gd", "grid": {"lr": [0.1, 0.2, 0.3, 0.4]}},
                                 {"name": "adam", "grid": {"lr": [0.01, 0.1]}},
                                 {"name": "muon", "hyper": {"weight_decay": 0}, "grid": {"lr": [0.01, 0.1]}}])");
  // No "tuning": the most common grid size is the budget; larger grids are flagged, not refused.
  mb::RankingRules r = mb::parse_suite(j, "test").rules;
  EXPECT_EQ(r.budget, 2);
  json t = r.tuning_json();
  EXPECT_EQ(t["per_solver"][0]["settings"], 4);
  EXPECT_EQ(t["per_solver"][0]["flag"], "larger grid than the budget");
  EXPECT_TRUE(t["per_solver"][1]["flag"].is_null());
  EXPECT_NE(t["text"].get<std::string>().find("the most common grid size"), std::string::npos);

  j["tuning"] = {{"budget", 2}};
  EXPECT_NE(error_of(j).find("suite.solvers[0].grid: 4 settings exceed suite.tuning.budget (2)"), std::string::npos)
      << error_of(j);
  j["tuning"]["declared"] = {{"gd", 4}};
  t = mb::parse_suite(j, "test").rules.tuning_json();
  EXPECT_EQ(t["per_solver"][0]["flag"], "larger grid than the budget (declared)");
  EXPECT_EQ(t["declared"], json({{"gd", 4}}));
  EXPECT_EQ(t["budget"], 2);
  j["tuning"] = {{"budget", 4}};
  t = mb::parse_suite(j, "test").rules.tuning_json();
  for (const auto& p : t["per_solver"]) EXPECT_TRUE(p["flag"].is_null());

  const std::vector<std::pair<json, std::string>> cases = {
      {{{"budget", 2}, {"declared", {{"gd", 3}}}}, "suite.tuning.declared.gd: declares 3 settings but the grid of 'gd' has 4"},
      {{{"budget", 4}, {"declared", {{"sgd", 4}}}}, "suite.tuning.declared.sgd: 'sgd' is not a solver label"},
      {{{"budget", 4}, {"declared", {{"gd", 0}}}}, "suite.tuning.declared.gd: expected an integer from 1"},
      {{{"budget", 4}, {"declared", 4}}, "suite.tuning.declared: expected an object"},
      {{{"budget", 0}}, "suite.tuning.budget: expected an integer from 1"},
      {{{"budget", json::parse("0")}}, "suite.tuning.budget: expected an integer from 1"},
      {{{"budget", "4"}}, "suite.tuning.budget: expected an integer from 1"},
      {{{"declared", json::object()}}, "suite.tuning: missing required key 'budget'"},
      {{{"budget", 4}, {"grids", 1}}, "suite.tuning: unknown key 'grids'"},
  };
  for (const auto& [value, expected] : cases) {
    j["tuning"] = value;
    EXPECT_NE(error_of(j).find(expected), std::string::npos) << "got: " << error_of(j);
  }
}

}  // namespace
