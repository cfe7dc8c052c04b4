// muonbench compare (harness/report/compare.hpp): matching two runs, the verdicts, the pooled
// per-solver normalisation, the exit codes, on synthetic reports and leaderboards.
#include <gtest/gtest.h>

#include <cmath>

#include "harness/core/error.hpp"
#include "harness/report/compare.hpp"

namespace mb {
namespace {
using nlohmann::json;

// One (workload, solver, setting) group of a synthetic run: per-seed steps and seconds (< 0 = not
// reached) to the primary target 0.001.
struct Group {
  std::string problem, solver, setting;
  bool selected;
  std::vector<double> steps, seconds;
  std::uint64_t first_seed = 0;
};

json amount(double v) { return v < 0 ? json() : json(v); }

// A report document as `muonbench run` writes it (the fields compare reads); ids depend on `salt`
// so that two "builds" have different cell ids.
json synthetic_report(const std::vector<Group>& groups, const std::string& salt = "a") {
  json records = json::array(), summary = json::array(), cells = json::object();
  for (const auto& g : groups) {
    for (size_t k = 0; k < g.steps.size(); ++k) {
      const std::string id = salt + g.problem + g.solver + g.setting + std::to_string(g.first_seed + k);
      records.push_back({{"id", id},
                         {"cell",
                          {{"problem_label", g.problem},
                           {"precision", "double"},
                           {"solver_label", g.solver},
                           {"setting", g.setting},
                           {"seed", g.first_seed + k},
                           {"targets", {"0.01", "0.001"}}}},
                         {"steps_to_target", {{"0.01", 1}, {"0.001", amount(g.steps[k])}}}});
      cells[id] = {{"seconds_to_target", {{"0.01", 0.0}, {"0.001", amount(g.seconds[k])}}}};
    }
    summary.push_back(
        {{"workload", g.problem + " [double]"}, {"solver", g.solver}, {"setting", g.setting}, {"selected", g.selected}});
  }
  return {{"schema", "muonbench.report"},
          {"results", {{"suite", {{"primary_target", "0.001"}}}, {"records", records}, {"summary", summary}}},
          {"run", {{"cells", cells}, {"environment", {{"muonbench_version", "0.1.0"}}}}}};
}

std::vector<double> scaled(const std::vector<double>& v, double f) {
  std::vector<double> out;
  for (double x : v) out.push_back(x * f);
  return out;
}

const std::vector<double> kSteps{10, 11, 12, 13, 14, 15};
const std::vector<double> kSecs{0.010, 0.011, 0.012, 0.013, 0.014, 0.015};

// Two solvers on two workloads (the second 100 times slower); `slow` multiplies muon's seconds.
std::vector<Group> two_solvers(double slow) {
  return {{"p1", "adamw", "lr=0.1", true, kSteps, kSecs},
          {"p1", "muon", "lr=0.02", true, kSteps, scaled(kSecs, slow)},
          {"p1", "muon", "lr=0.05", false, kSteps, kSecs},
          {"p2", "adamw", "lr=0.1", true, kSteps, scaled(kSecs, 100)},
          {"p2", "muon", "lr=0.02", true, kSteps, scaled(kSecs, 100 * slow)}};
}

Comparison compare_docs(const json& a, const json& b, CompareOptions o = {}) {
  return compare_runs(compare_input_from_json(a, "A.json"), compare_input_from_json(b, "B.json"), o);
}

const SolverComparison& solver(const Comparison& c, const std::string& label) {
  for (const auto& s : c.solvers)
    if (s.solver == label) return s;
  throw std::runtime_error("no solver " + label);
}

TEST(CompareMatch, MatchesOnWorkloadSolverSettingSeedNotOnIds) {
  auto groups_b = two_solvers(1);
  groups_b.push_back({"p3", "adamw", "lr=0.1", true, {5}, {0.1}});  // only in B
  groups_b[0].steps.push_back(20), groups_b[0].seconds.push_back(0.02);  // seed 6 of p1/adamw only in B
  const Comparison c = compare_docs(synthetic_report(two_solvers(1), "a"), synthetic_report(groups_b, "other-build"));
  ASSERT_EQ(c.cells.size(), 5u);  // every group of A, despite different ids
  for (const auto& cell : c.cells) EXPECT_EQ(cell.seeds.size(), 6u) << cell.workload << cell.solver;
  EXPECT_TRUE(c.only_in_a.empty());
  ASSERT_EQ(c.only_in_b.size(), 2u);
  EXPECT_EQ(c.only_in_b[0], "p1 [double] | adamw | lr=0.1 | seed 6");
  EXPECT_EQ(c.only_in_b[1], "p3 [double] | adamw | lr=0.1 | seed 0");
  EXPECT_EQ(c.kind_a, "report");
}

TEST(CompareMatch, NothingMatchingIsRefused) {
  auto other = two_solvers(1);
  for (auto& g : other) g.setting += "-renamed";
  try {
    compare_docs(synthetic_report(two_solvers(1)), synthetic_report(other));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no cell of A (A.json"), std::string::npos) << e.what();
  }
}

TEST(CompareVerdict, NeedsSignificanceAndAMovedMedian) {
  EXPECT_EQ(compare_verdict(10, 20, 0.01, 0.05), "slower");
  EXPECT_EQ(compare_verdict(10, 5, 0.01, 0.05), "faster");
  EXPECT_EQ(compare_verdict(10, 20, 0.2, 0.05), "same");
  EXPECT_EQ(compare_verdict(10, 20, 0.05, 0.05), "same");  // p < alpha, strictly
  EXPECT_EQ(compare_verdict(10, 10, 0.001, 0.05), "same");
  EXPECT_EQ(compare_verdict(INFINITY, INFINITY, 0.001, 0.05), "same");
  EXPECT_EQ(compare_verdict(10, INFINITY, 0.001, 0.05), "slower");
  EXPECT_EQ(compare_verdict(10, 20, NAN, 0.05), "same");
}

TEST(CompareVerdict, SlowedSolverIsSlowerOthersSame) {
  const Comparison c = compare_docs(synthetic_report(two_solvers(1)), synthetic_report(two_solvers(5)));
  for (const auto& cell : c.cells) {
    EXPECT_EQ(cell.steps.verdict, "same");
    EXPECT_DOUBLE_EQ(cell.steps.test.p, 1.0);
    const bool slowed = cell.solver == "muon" && cell.setting == "lr=0.02";
    EXPECT_EQ(cell.seconds.verdict, slowed ? "slower" : "same") << cell.workload << " " << cell.solver;
    if (slowed) {
      // 6 against 6 completely separated: exact two-sided p = 2 / C(12, 6) = 2/924.
      EXPECT_NEAR(cell.seconds.test.p, 2.0 / 924, 1e-12);
      EXPECT_NEAR(cell.seconds.change, 4.0, 1e-12);
    }
  }
}

TEST(CompareVerdict, UnreachedRanksLast) {
  auto b = two_solvers(1);
  b[0].steps.assign(6, -1), b[0].seconds.assign(6, -1);  // p1/adamw never reaches the target in B
  const Comparison c = compare_docs(synthetic_report(two_solvers(1)), synthetic_report(b));
  const CellComparison& cell = c.cells[0];
  ASSERT_EQ(cell.solver, "adamw");
  EXPECT_TRUE(std::isinf(cell.steps.median_b));
  EXPECT_TRUE(std::isnan(cell.steps.change));
  EXPECT_EQ(cell.steps.verdict, "slower");
  EXPECT_EQ(cell.seconds.verdict, "slower");
  EXPECT_NEAR(cell.steps.test.p, 2.0 / 924, 1e-12);
}

TEST(ComparePool, DividesEachWorkloadByAsMedian) {
  std::vector<double> scales;
  std::vector<size_t> skipped;
  const auto [pa, pb] = pool_normalised({{1, 2, 3}, {100, 200, 300}, {INFINITY, INFINITY, 1}},
                                        {{2, 4, 6}, {200, 400, 600}, {1, 1, 1}}, &scales, &skipped);
  EXPECT_EQ(pa, (std::vector<double>{0.5, 1, 1.5, 0.5, 1, 1.5}));
  EXPECT_EQ(pb, (std::vector<double>{1, 2, 3, 1, 2, 3}));
  ASSERT_EQ(scales.size(), 3u);
  EXPECT_EQ(scales[0], 2);
  EXPECT_EQ(scales[1], 200);
  EXPECT_EQ(skipped, std::vector<size_t>{2});  // A's median there is unreached: cannot normalise
}

TEST(ComparePool, SolverRatioWeighsWorkloadsEqually) {
  // muon 5x slower on the 1x and the 100x workload: the pooled ratio is 5, and the selected
  // setting lr=0.02 (not lr=0.05, unchanged) is what the solver line compares.
  const Comparison c = compare_docs(synthetic_report(two_solvers(1)), synthetic_report(two_solvers(5)));
  const SolverComparison& muon = solver(c, "muon");
  ASSERT_EQ(muon.workloads.size(), 2u);
  EXPECT_EQ(muon.workloads[0].setting_a, "lr=0.02");
  EXPECT_NEAR(muon.workloads[1].seconds_scale, 1.25, 1e-12);  // median of p2's A seconds
  EXPECT_NEAR(muon.seconds_ratio, 5.0, 1e-12);
  EXPECT_EQ(muon.seconds_n, 12u);
  EXPECT_EQ(muon.seconds.verdict, "slower");
  EXPECT_LT(muon.seconds.test.p, 1e-5);
  EXPECT_NEAR(muon.steps_ratio, 1.0, 1e-12);
  EXPECT_EQ(muon.steps.verdict, "same");
  const SolverComparison& adamw = solver(c, "adamw");
  EXPECT_NEAR(adamw.seconds_ratio, 1.0, 1e-12);
  EXPECT_EQ(adamw.seconds.verdict, "same");
}

TEST(CompareExit, RegressionBeyondThePercentageAndSignificant) {
  CompareOptions o;
  o.fail_on_regression_pct = 50;
  Comparison c = compare_docs(synthetic_report(two_solvers(1)), synthetic_report(two_solvers(5)), o);
  EXPECT_EQ(c.regressions, std::vector<std::string>{"muon"});
  EXPECT_EQ(compare_exit_code(c), 1);
  EXPECT_EQ(comparison_to_json(c).at("exit_status").get<int>(), 1);
  o.fail_on_regression_pct = 500;  // 5x is +400 %: within
  EXPECT_EQ(compare_exit_code(compare_docs(synthetic_report(two_solvers(1)), synthetic_report(two_solvers(5)), o)), 0);
  EXPECT_EQ(compare_exit_code(compare_docs(synthetic_report(two_solvers(1)), synthetic_report(two_solvers(5)))), 0);
  // Two seeds cannot be significant (the smallest exact p of 2 against 2 is 1/3): no regression.
  auto few = [](double slow) {
    std::vector<Group> g{{"p1", "muon", "", true, {10, 11}, {1, 1.1}}};
    g[0].seconds = scaled(g[0].seconds, slow);
    return synthetic_report(g);
  };
  o.fail_on_regression_pct = 50;
  c = compare_docs(few(1), few(5), o);
  EXPECT_NEAR(solver(c, "muon").seconds_ratio, 5.0, 1e-12);
  EXPECT_EQ(compare_exit_code(c), 0);
}

TEST(CompareExit, BadFlagValuesNameTheFlag) {
  for (const std::string bad : {"-1", "nan", "NaN", "inf", "abc", "", "50%", "1e999"}) {
    try {
      parse_regression_percent(bad);
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("--fail-on-regression"), std::string::npos) << e.what();
    }
  }
  EXPECT_EQ(parse_regression_percent("0"), 0);
  EXPECT_EQ(parse_regression_percent("12.5"), 12.5);
  for (const std::string bad : {"0", "1", "-0.1", "x", "0.05x"}) EXPECT_THROW(parse_alpha(bad), Error) << bad;
  EXPECT_EQ(parse_alpha("0.01"), 0.01);
}

json synthetic_leaderboard(const std::vector<double>& steps, const std::vector<double>& secs, bool with_values = true) {
  json s = {{"solver", "muon"}, {"setting", "lr=0.02"}, {"seeds_used", {2, 3, 4}}};
  json t = {{"solver", "muon"}, {"setting", "lr=0.02"}};
  if (with_values) {
    s["values"] = json::array(), t["values"] = json::array();
    for (double v : steps) s["values"].push_back(amount(v));
    for (double v : secs) t["values"].push_back(amount(v));
  }
  return {{"schema", "muonbench.leaderboard"},
          {"results",
           {{"primary_target", "0.001"},
            {"workloads", {{{"name", "p1 [double]"}, {"primary_target", "0.01"}}}},
            {"rankings_by_steps", {{{"workload", "p1 [double]"}, {"ranking", {s}}}}}}},
          {"run", {{"rankings_by_seconds", {{{"workload", "p1 [double]"}, {"ranking", {t}}}}}}}};
}

TEST(CompareInputs, LeaderboardValuesBySeed) {
  const CompareInput in = compare_input_from_json(synthetic_leaderboard({10, -1, 12}, {0.1, -1, 0.3}), "lb.json");
  EXPECT_EQ(in.kind, "leaderboard");
  EXPECT_EQ(in.primary_target.at("p1 [double]"), "0.01");  // the workload's own primary target
  const auto& g = in.groups.at({"p1 [double]", "muon", "lr=0.02"});
  ASSERT_EQ(g.size(), 3u);
  EXPECT_EQ(g.at(2).steps, 10);
  EXPECT_TRUE(std::isinf(g.at(3).steps));
  EXPECT_EQ(g.at(4).seconds, 0.3);
  EXPECT_EQ(in.selected.at({"p1 [double]", "muon"}), "lr=0.02");
  // A leaderboard against a report of the same cells: matched on seeds 2..4.
  const json report = synthetic_report({{"p1", "muon", "lr=0.02", true, {9, 9, 9, 9, 9}, {1, 1, 1, 1, 1}}});
  const Comparison c = compare_runs(compare_input_from_json(report, "r.json"), in, {});
  ASSERT_EQ(c.cells.size(), 1u);
  EXPECT_EQ(c.cells[0].seeds, (std::vector<std::uint64_t>{2, 3, 4}));
  EXPECT_EQ(c.only_in_a.size(), 2u);
  EXPECT_EQ(comparison_to_json(c).at("b").at("kind").get<std::string>(), "leaderboard");
  EXPECT_EQ(c.warnings.size(), 1u);  // primary target 0.001 (report) against 0.01 (leaderboard)
}

TEST(CompareInputs, MalformedDocumentsNameTheField) {
  auto message = [](const json& doc) {
    try {
      compare_input_from_json(doc, "x.json");
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_NE(message(synthetic_leaderboard({1, 2, 3}, {1, 2, 3}, false)).find("ranking[0]: no per-seed 'values'"),
            std::string::npos);
  EXPECT_NE(message(synthetic_leaderboard({1, 2}, {1, 2, 3})).find("values: 2 values for 3 seeds"), std::string::npos);
  json lb = synthetic_leaderboard({1, 2, 3}, {1, 2, 3});
  lb["run"]["rankings_by_seconds"][0]["ranking"][0]["values"][2] = -3;
  EXPECT_NE(message(lb).find("run.rankings_by_seconds[0].ranking[0].values[2]: expected a non-negative number or null"),
            std::string::npos)
      << message(lb);
  json r = synthetic_report(two_solvers(1));
  r["results"]["records"][3]["cell"]["seed"] = -1;
  EXPECT_NE(message(r).find("x.json: results.records[3].cell.seed: expected a non-negative integer"), std::string::npos)
      << message(r);
  r = synthetic_report(two_solvers(1));
  r["results"]["records"][0]["steps_to_target"].erase("0.001");
  EXPECT_NE(message(r).find("results.records[0].steps_to_target: missing '0.001'"), std::string::npos) << message(r);
  r = synthetic_report(two_solvers(1));
  r["results"]["records"][1] = r["results"]["records"][0];
  EXPECT_NE(message(r).find("same workload, solver, setting and seed"), std::string::npos) << message(r);
  EXPECT_NE(message(json{{"schema", "muonbench.shard"}}).find("neither"), std::string::npos);
  EXPECT_NE(message(json::array()).find("document: expected an object"), std::string::npos);
}

TEST(CompareInputs, PerProblemPrimaryTargetFromTheSuite) {
  json r = synthetic_report({{"p1", "muon", "", true, {10, 11}, {1, 1.1}}});
  r["results"]["suite"]["spec"] = {{"problems", {{{"label", "p1"}, {"primary_target", 0.01}}}}};
  const CompareInput in = compare_input_from_json(r, "r.json");
  EXPECT_EQ(in.primary_target.at("p1 [double]"), "0.01");
  EXPECT_EQ(in.groups.at({"p1 [double]", "muon", ""}).at(0).steps, 1);  // steps_to_target["0.01"]
}

}  // namespace
}  // namespace mb
