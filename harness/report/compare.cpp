// Reading the two sides of `muonbench compare` and comparing them (compare.hpp says what and why).
// The JSON and text renderings are in harness/cli/cmd_compare.cpp, next to the command.
#include "harness/report/compare.hpp"

#include <algorithm>
#include <filesystem>
#include <set>

#include "harness/core/error.hpp"
#include "harness/core/json_num.hpp"
#include "harness/report/json_reader.hpp"
#include "harness/report/metrics.hpp"

namespace mb {

namespace {
using nlohmann::json;

using Reader = JsonReader;

std::string at_index(const std::string& field, size_t i) {
  std::string s = field;
  s += "[";
  s += std::to_string(i);
  s += "]";
  return s;
}

double decimal_value(const std::string& t) {
  try {
    return std::stod(t);
  } catch (...) {
    return NAN;
  }
}

std::string group_text(const CompareGroupKey& k) {
  return std::get<0>(k) + " | " + std::get<1>(k) + " | " + std::get<2>(k);
}

void read_environment(const Reader& rd, const json& doc, CompareInput& in) {
  if (!doc.contains("run") || !doc["run"].is_object() || !doc["run"].contains("environment")) return;
  const json& e = doc["run"]["environment"];
  if (!e.is_object()) rd.fail("run.environment", "expected an object");
  auto str = [&](const char* k) { return e.contains(k) && e[k].is_string() ? e[k].get<std::string>() : ""; };
  in.version = str("muonbench_version"), in.git_commit = str("git_commit"), in.test_slow = str("test_slow");
}

// The primary target of a report's workload: the cell's own (per-problem targets) when recorded,
// else the suite problem's "primary_target" (matched by value among the cell's targets), else the
// suite's.
std::string report_target(const Reader& rd, const json& res, const json& cell, const std::string& field) {
  if (cell.contains("primary_target") && cell["primary_target"].is_string())
    return cell["primary_target"].get<std::string>();
  const json& suite = rd.member(res, "suite", "results");
  const std::string label = rd.text(cell, "problem_label", field);
  if (suite.contains("spec") && suite["spec"].is_object() && suite["spec"].contains("problems") &&
      suite["spec"]["problems"].is_array() && cell.contains("targets") && cell["targets"].is_array())
    for (const auto& p : suite["spec"]["problems"]) {
      if (!p.is_object() || !p.contains("primary_target")) continue;
      const json& name = p.contains("label") ? p["label"] : p.value("name", json());
      if (name != label) continue;
      const json& pt = p["primary_target"];
      const double want = pt.is_number() ? pt.get<double>() : pt.is_string() ? decimal_value(pt.get<std::string>()) : NAN;
      for (const auto& t : cell["targets"])
        if (t.is_string() && std::abs(decimal_value(t.get<std::string>()) - want) <= 1e-12 * std::abs(want))
          return t.get<std::string>();
    }
  return rd.text(suite, "primary_target", "results.suite");
}

void read_report(const Reader& rd, const json& doc, CompareInput& in) {
  const json& res = rd.member(doc, "results", "report");
  const json& timing = rd.member(rd.member(doc, "run", "report"), "cells", "run");
  const json& records = rd.array(res, "records", "results");
  for (size_t i = 0; i < records.size(); ++i) {
    const std::string f = at_index("results.records", i);
    const json& r = records[i];
    const json& cell = rd.member(r, "cell", f);
    const std::string cf = f + ".cell";
    const std::string workload = rd.text(cell, "problem_label", cf) + " [" + rd.text(cell, "precision", cf) + "]";
    const CompareGroupKey key{workload, rd.text(cell, "solver_label", cf), rd.text(cell, "setting", cf)};
    const std::uint64_t seed = rd.seed(rd.member(cell, "seed", cf), cf + ".seed");
    const std::string target = report_target(rd, res, cell, cf);
    auto known = in.primary_target.emplace(workload, target);
    if (known.first->second != target) rd.fail(cf, "workload '" + workload + "' has two primary targets");
    CompareSample s;
    s.steps = rd.amount(rd.member(rd.member(r, "steps_to_target", f), target, f + ".steps_to_target"),
                        f + ".steps_to_target." + target);
    const std::string id = rd.text(r, "id", f);
    const json& t = rd.member(timing, id, "run.cells");
    s.seconds = rd.amount(rd.member(rd.member(t, "seconds_to_target", "run.cells." + id), target,
                                    "run.cells." + id + ".seconds_to_target"),
                          "run.cells." + id + ".seconds_to_target." + target);
    if (!in.groups[key].emplace(seed, s).second) rd.fail(cf, "a second cell of the same workload, solver, setting and seed");
  }
  if (res.contains("summary")) {
    const json& summary = rd.array(res, "summary", "results");
    for (size_t i = 0; i < summary.size(); ++i) {
      const std::string f = at_index("results.summary", i);
      const json& sel = rd.member(summary[i], "selected", f);
      if (sel.is_boolean() && sel.get<bool>())
        in.selected[{rd.text(summary[i], "workload", f), rd.text(summary[i], "solver", f)}] =
            rd.text(summary[i], "setting", f);
    }
  }
}

// rankings[w].ranking[j].values, seed order as in the steps ranking's seeds_used.
void read_leaderboard(const Reader& rd, const json& doc, CompareInput& in) {
  const json& res = rd.member(doc, "results", "leaderboard");
  const json& run = rd.member(doc, "run", "leaderboard");
  const json& steps = rd.array(res, "rankings_by_steps", "results");
  const json& secs = rd.array(run, "rankings_by_seconds", "run");
  std::map<std::string, std::string> targets;
  if (res.contains("workloads") && res["workloads"].is_array())
    for (const auto& w : res["workloads"])
      if (w.is_object() && w.contains("name") && w.contains("primary_target") && w["primary_target"].is_string())
        targets[w["name"].get<std::string>()] = w["primary_target"].get<std::string>();
  const std::string suite_target = res.contains("primary_target") && res["primary_target"].is_string()
                                       ? res["primary_target"].get<std::string>()
                                       : "";
  std::map<CompareGroupKey, std::vector<std::uint64_t>> seeds_of;
  std::set<CompareGroupKey> timed;  // groups the seconds ranking gave values for
  for (int pass = 0; pass < 2; ++pass) {
    const json& rankings = pass == 0 ? steps : secs;
    const std::string base = pass == 0 ? "results.rankings_by_steps" : "run.rankings_by_seconds";
    for (size_t w = 0; w < rankings.size(); ++w) {
      const std::string wf = at_index(base, w);
      const std::string workload = rd.text(rankings[w], "workload", wf);
      const std::string target = targets.count(workload) ? targets[workload] : suite_target;
      if (target.empty()) rd.fail("results.workloads", "no primary target for workload '" + workload + "'");
      in.primary_target[workload] = target;
      const json& ranking = rd.array(rankings[w], "ranking", wf);
      for (size_t j = 0; j < ranking.size(); ++j) {
        const std::string f = at_index(wf + ".ranking", j);
        const CompareGroupKey key{workload, rd.text(ranking[j], "solver", f), rd.text(ranking[j], "setting", f)};
        if (!ranking[j].contains("values"))
          rd.fail(f, "no per-seed 'values' (a leaderboard from an older muonbench): compare its report.json instead");
        const json& values = rd.array(ranking[j], "values", f);
        std::vector<std::uint64_t> seeds;
        if (ranking[j].contains("seeds_used")) {
          const json& su = rd.array(ranking[j], "seeds_used", f);
          for (size_t k = 0; k < su.size(); ++k) seeds.push_back(rd.seed(su[k], at_index(f + ".seeds_used", k)));
        } else if (pass == 1 && seeds_of.count(key)) {
          seeds = seeds_of[key];
        } else {
          rd.fail(f, "missing 'seeds_used'");
        }
        if (seeds.size() != values.size())
          rd.fail(f + ".values", std::to_string(values.size()) + " values for " + std::to_string(seeds.size()) + " seeds");
        if (pass == 0) {
          if (!seeds_of.emplace(key, seeds).second) rd.fail(f, "the same solver and setting twice");
          in.selected[{workload, std::get<1>(key)}] = std::get<2>(key);
        } else if (!seeds_of.count(key)) {
          rd.fail(f, "solver '" + std::get<1>(key) + "' at '" + std::get<2>(key) + "' is not in results.rankings_by_steps");
        } else if (seeds != seeds_of[key] || !timed.insert(key).second) {
          rd.fail(f + ".values", "not the seeds of the steps ranking, or the same solver and setting twice");
        }
        auto& group = in.groups[key];
        for (size_t k = 0; k < values.size(); ++k) {
          const double v = rd.amount(values[k], at_index(f + ".values", k));
          if (pass == 0 && !group.emplace(seeds[k], CompareSample{v, INFINITY}).second)
            rd.fail(f + ".seeds_used", "seed " + std::to_string(seeds[k]) + " twice");
          if (pass == 1) {
            auto it = group.find(seeds[k]);
            if (it == group.end()) rd.fail(f + ".seeds_used", "seed " + std::to_string(seeds[k]) + " has no steps value");
            it->second.seconds = v;
          }
        }
      }
    }
  }
  // A group with steps but no seconds would compare as unreached in seconds: refuse it instead.
  for (const auto& [key, seeds] : seeds_of)
    if (!timed.count(key)) rd.fail("run.rankings_by_seconds", "no entry for " + group_text(key));
}

double ratio_of(double b, double a) {
  if (std::isinf(a) && std::isinf(b)) return NAN;
  if (std::isinf(b)) return INFINITY;
  if (std::isinf(a)) return 0;
  return a > 0 ? b / a : NAN;
}

double finite_median(const std::vector<double>& v) {
  std::vector<double> x;
  for (double d : v)
    if (!std::isnan(d)) x.push_back(d);
  return x.empty() ? NAN : median(x);
}

}  // namespace

CompareInput compare_input_from_json(const json& doc, const std::string& source) {
  Reader rd{source};
  CompareInput in;
  in.source = source;
  const std::string schema = rd.text(doc, "schema", "document");
  if (schema == "muonbench.report") {
    in.kind = "report";
    read_report(rd, doc, in);
  } else if (schema == "muonbench.leaderboard") {
    in.kind = "leaderboard";
    read_leaderboard(rd, doc, in);
  } else {
    rd.fail("schema", "'" + schema + "' is neither muonbench.report nor muonbench.leaderboard");
  }
  read_environment(rd, doc, in);
  return in;
}

CompareInput load_compare_input(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  std::string file = path;
  if (fs::is_directory(path, ec)) {
    const fs::path dir(path);
    if (fs::is_regular_file(dir / "report.json", ec)) file = (dir / "report.json").string();
    else if (fs::is_regular_file(dir / "leaderboard.json", ec)) file = (dir / "leaderboard.json").string();
    else throw Error("compare: directory '" + path + "' holds neither report.json nor leaderboard.json");
  } else if (!fs::is_regular_file(path, ec)) {
    throw Error("compare: no such file or directory '" + path + "'");
  }
  return compare_input_from_json(load_json_file(file, "compare"), file);
}

double parse_alpha(const std::string& text) {
  const double a = decimal_value(text);
  size_t used = 0;
  try {
    (void)std::stod(text, &used);
  } catch (...) {
  }
  if (used != text.size() || !(a > 0 && a < 1))
    throw Error("compare: --alpha must be a number between 0 and 1 (exclusive), got '" + text + "'");
  return a;
}

double parse_regression_percent(const std::string& text) {
  size_t used = 0;
  double p = NAN;
  try {
    p = std::stod(text, &used);
  } catch (...) {
  }
  if (text.empty() || used != text.size() || !std::isfinite(p) || p < 0)
    throw Error("compare: --fail-on-regression must be a finite percentage >= 0, got '" + text + "'");
  return p;
}

std::string compare_verdict(double median_a, double median_b, double p, double alpha) {
  if (!(p < alpha)) return "same";
  if (median_b < median_a) return "faster";
  if (median_b > median_a) return "slower";
  return "same";
}

MetricComparison compare_metric(const std::vector<double>& a, const std::vector<double>& b, double alpha) {
  MetricComparison m;
  m.median_a = finite_median(a), m.median_b = finite_median(b);
  const double r = ratio_of(m.median_b, m.median_a);
  m.change = std::isfinite(r) ? r - 1 : NAN;
  m.test = mann_whitney(b, a);
  m.verdict = compare_verdict(m.median_a, m.median_b, m.test.p, alpha);
  return m;
}

std::pair<std::vector<double>, std::vector<double>> pool_normalised(const std::vector<std::vector<double>>& a,
                                                                    const std::vector<std::vector<double>>& b,
                                                                    std::vector<double>* scales,
                                                                    std::vector<size_t>* skipped) {
  std::vector<double> pa, pb;
  for (size_t w = 0; w < a.size(); ++w) {
    const double scale = finite_median(a[w]);
    if (scales) scales->push_back(scale);
    if (!std::isfinite(scale) || !(scale > 0)) {
      if (skipped) skipped->push_back(w);
      continue;
    }
    for (double x : a[w]) pa.push_back(x / scale);
    for (double x : b[w]) pb.push_back(x / scale);
  }
  return {pa, pb};
}

Comparison compare_runs(const CompareInput& a, const CompareInput& b, const CompareOptions& options) {
  Comparison c;
  c.kind_a = a.kind, c.kind_b = b.kind, c.source_a = a.source, c.source_b = b.source;
  c.alpha = options.alpha, c.fail_on_regression_pct = options.fail_on_regression_pct;
  auto seeds_only = [](const CompareGroupKey& k, const std::map<std::uint64_t, CompareSample>& mine,
                       const std::map<std::uint64_t, CompareSample>* other, std::vector<std::string>& out) {
    for (const auto& [seed, s] : mine)
      if (!other || !other->count(seed)) out.push_back(group_text(k) + " | seed " + std::to_string(seed));
  };
  for (const auto& [key, sa] : a.groups) {
    auto it = b.groups.find(key);
    seeds_only(key, sa, it == b.groups.end() ? nullptr : &it->second, c.only_in_a);
    if (it == b.groups.end()) continue;
    CellComparison cell{std::get<0>(key), std::get<1>(key), std::get<2>(key), {}, {}, {}};
    std::vector<double> steps_a, steps_b, secs_a, secs_b;
    for (const auto& [seed, s] : sa) {
      auto jt = it->second.find(seed);
      if (jt == it->second.end()) continue;
      cell.seeds.push_back(seed);
      steps_a.push_back(s.steps), secs_a.push_back(s.seconds);
      steps_b.push_back(jt->second.steps), secs_b.push_back(jt->second.seconds);
    }
    if (cell.seeds.empty()) continue;
    cell.steps = compare_metric(steps_a, steps_b, options.alpha);
    cell.seconds = compare_metric(secs_a, secs_b, options.alpha);
    c.cells.push_back(cell);
  }
  for (const auto& [key, sb] : b.groups) {
    auto it = a.groups.find(key);
    seeds_only(key, sb, it == a.groups.end() ? nullptr : &it->second, c.only_in_b);
  }
  if (c.cells.empty())
    throw Error("compare: no cell of A (" + a.source + ", " + std::to_string(a.groups.size()) +
                " groups) matches a cell of B (" + b.source + ", " + std::to_string(b.groups.size()) +
                " groups) on workload, solver, setting and seed: are they runs of the same suite?");

  for (const auto& [w, t] : a.primary_target) {
    auto it = b.primary_target.find(w);
    if (it != b.primary_target.end() && it->second != t)
      c.warnings.push_back("workload " + w + ": primary target " + t + " in A but " + it->second +
                           " in B: steps and seconds are to different targets");
  }
  if (!a.test_slow.empty()) c.warnings.push_back("A was run with the test hook MUONBENCH_TEST_SLOW=" + a.test_slow);
  if (!b.test_slow.empty()) c.warnings.push_back("B was run with the test hook MUONBENCH_TEST_SLOW=" + b.test_slow);

  // Per solver: the selected setting of each side on every workload both selected it on.
  std::set<std::string> solver_labels;
  for (const auto& [ws, setting] : a.selected)
    if (b.selected.count(ws)) solver_labels.insert(ws.second);
  for (const auto& label : solver_labels) {
    SolverComparison sc;
    sc.solver = label;
    std::vector<std::vector<double>> steps_a, steps_b, secs_a, secs_b;
    for (const auto& [ws, set_a] : a.selected) {
      if (ws.second != label || !b.selected.count(ws)) continue;
      const std::string set_b = b.selected.at(ws);
      auto ga = a.groups.find({ws.first, label, set_a});
      auto gb = b.groups.find({ws.first, label, set_b});
      SolverWorkload sw{ws.first, set_a, set_b, {}, NAN, NAN};
      std::vector<double> sta, stb, sea, seb;
      if (ga != a.groups.end() && gb != b.groups.end())
        for (const auto& [seed, s] : ga->second) {
          auto jt = gb->second.find(seed);
          if (jt == gb->second.end()) continue;
          sw.seeds.push_back(seed);
          sta.push_back(s.steps), sea.push_back(s.seconds), stb.push_back(jt->second.steps), seb.push_back(jt->second.seconds);
        }
      if (sw.seeds.empty()) {
        sc.skipped.push_back(ws.first + ": no seed in both runs");
        continue;
      }
      sw.steps_scale = finite_median(sta), sw.seconds_scale = finite_median(sea);
      sc.workloads.push_back(sw);
      steps_a.push_back(sta), steps_b.push_back(stb), secs_a.push_back(sea), secs_b.push_back(seb);
    }
    for (int metric = 0; metric < 2; ++metric) {
      std::vector<size_t> skipped;
      const auto [pa, pb] = metric == 0 ? pool_normalised(steps_a, steps_b, nullptr, &skipped)
                                        : pool_normalised(secs_a, secs_b, nullptr, &skipped);
      for (size_t w : skipped)
        sc.skipped.push_back(sc.workloads[w].workload + (metric == 0 ? ": steps" : ": seconds") +
                             " not normalised (A's median is unreached or zero)");
      MetricComparison& m = metric == 0 ? sc.steps : sc.seconds;
      m = compare_metric(pa, pb, options.alpha);
      (metric == 0 ? sc.steps_ratio : sc.seconds_ratio) = ratio_of(m.median_b, m.median_a);
      (metric == 0 ? sc.steps_n : sc.seconds_n) = pa.size();
    }
    c.solvers.push_back(sc);
  }

  if (options.fail_on_regression_pct)
    for (const auto& s : c.solvers)
      if (s.seconds_ratio > 1 + *options.fail_on_regression_pct / 100 && s.seconds.test.p < options.alpha)
        c.regressions.push_back(s.solver);
  return c;
}

int compare_exit_code(const Comparison& c) { return c.regressions.empty() ? 0 : 1; }

}  // namespace mb
