#include "harness/report/report.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "harness/core/atomic_file.hpp"
#include "harness/engine/cache.hpp"
#include "harness/report/environment.hpp"
#include "harness/core/error.hpp"
#include "harness/report/metrics.hpp"

namespace mb {

namespace {
double as_double(const json& v) {
  if (v.is_number()) return v.get<double>();
  if (v.is_string()) return std::strtod(v.get<std::string>().c_str(), nullptr);
  return NAN;
}

// The cells of one (workload, solver, setting) over seeds.
struct Group {
  std::string workload, problem, precision, solver, setting;
  json hyper;
  std::vector<const json*> records;
};

// Relative final gap gap_T / gap_0 (NaN where f* is unknown or the cell failed).
double relative_final_gap(const json& r) {
  const double g = as_double(r.at("final").at("gap")), g0 = as_double(r.at("gap0"));
  return g0 > 0 ? g / g0 : NAN;
}

double steps_to(const json& r, const std::string& target) {
  const json& st = r.at("steps_to_target");
  return st.contains(target) && st.at(target).is_number() ? st.at(target).get<double>() : INFINITY;
}

std::uint64_t seed_of(const json& r) { return r.at("cell").at("seed").get<std::uint64_t>(); }

bool among(const std::vector<std::uint64_t>& seeds, std::uint64_t s) {
  return std::find(seeds.begin(), seeds.end(), s) != seeds.end();
}

// One (workload, solver, setting) over seeds: the statistics over the ranking seeds (all seeds, or
// the held-out ones) and the selection key over the tuning seeds only (the tuner never sees the
// held-out seeds' cells).
json summarize(const Group& g, const ProblemTargets& pt, const RankingRules& rules) {
  std::vector<const json*> ranking, tuning;
  for (const json* r : g.records) {
    if (among(rules.ranking_seeds, seed_of(*r))) ranking.push_back(r);
    if (among(rules.tuning_seeds, seed_of(*r))) tuning.push_back(r);
  }
  json by_target = json::object();
  for (const auto& t : pt.targets) {
    std::vector<double> v;
    size_t reached = 0;
    for (const json* r : ranking) {
      v.push_back(steps_to(*r, t));
      reached += std::isfinite(v.back());
    }
    json s = spread_to_json(spread_of(v));
    s["reached"] = reached;
    by_target[t] = s;
  }
  std::vector<double> gaps, rates;
  json status = json::object(), seeds_used = json::array();
  for (const json* r : ranking) {
    gaps.push_back(relative_final_gap(*r));
    rates.push_back(r->at("rate").is_null() ? NAN : r->at("rate").at("per_step").get<double>());
    const std::string st = r->at("status").get<std::string>();
    status[st] = status.value(st, 0) + 1;
    seeds_used.push_back(seed_of(*r));
  }
  std::vector<double> sel_steps, sel_gaps;
  json sel_seeds = json::array();
  for (const json* r : tuning) {
    sel_steps.push_back(steps_to(*r, pt.selection_target));
    sel_gaps.push_back(relative_final_gap(*r));
    sel_seeds.push_back(seed_of(*r));
  }
  return {{"workload", g.workload},
          {"problem", g.problem},
          {"precision", g.precision},
          {"solver", g.solver},
          {"setting", g.setting},
          {"hyper", g.hyper},
          {"targets", pt.targets},
          {"primary_target", pt.primary_target},
          {"seeds", ranking.size()},
          {"seeds_used", seeds_used},
          {"status", status},
          {"steps_to_target", by_target},
          {"final_relative_gap", spread_to_json(spread_of(gaps))},
          {"rate_per_step", spread_to_json(spread_of(rates))},
          {"selection_key", {{"target", pt.selection_target},
                             {"seeds", sel_seeds},
                             {"steps", finite_or_null(median(sel_steps))},
                             {"final_relative_gap", finite_or_null(median(sel_gaps))}}}};
}

// Index of the selected setting among `settings` (summaries of one workload and solver, in grid order).
size_t select_setting(const std::vector<json*>& settings, const SelectionRule& rule) {
  auto key = [](const json& s, const char* k) {
    const json& v = s.at("selection_key").at(k);
    return v.is_number() ? v.get<double>() : INFINITY;  // unreached / unknown loses
  };
  size_t best = 0;
  for (size_t i = 1; i < settings.size(); ++i) {
    const json &a = *settings[i], &b = *settings[best];
    const double as = key(a, "steps"), bs = key(b, "steps"), ag = key(a, "final_relative_gap"),
                 bg = key(b, "final_relative_gap");
    const bool better = rule.rule == "final-gap" ? (ag < bg || (ag == bg && as < bs))
                                                 : (as < bs || (as == bs && ag < bg));
    if (better) best = i;  // strict: ties keep the earlier setting
  }
  return best;
}
// The rule in words, with the workloads that are tuned at their own target and the tuning seeds.
std::string selection_text(const Suite& suite) {
  std::string text = suite.selection.text();
  for (const auto& p : suite.problem_targets)
    if (p.selection_target != suite.selection.target) {
      text += "; " + p.label + " at its own target " + p.selection_target;
    }
  if (suite.rules.held_out) text += "; tuning seeds only: " + suite.rules.held_out_json().at("text").get<std::string>();
  return text;
}
}  // namespace

json make_report(const Suite& suite, const std::map<std::string, CellResult>& cells,
                 const std::map<std::string, ClaimResult>& claims, const RunInfo& info) {
  json records = json::array(), timing = json::object();
  std::vector<Group> groups;
  size_t missing = 0;
  std::string first_missing;
  for (const auto& c : suite.cells) {
    const std::string id = c.id();
    auto it = cells.find(id);
    if (it == cells.end()) {
      if (!missing++) first_missing = id + " (" + c.workload() + ", " + c.solver_label + " " + c.setting + ")";
      continue;
    }
    records.push_back(it->second.record.to_json());
    timing[id] = it->second.timing.to_json();
  }
  if (missing)
    throw Error("incomplete results: " + std::to_string(missing) + " of " + std::to_string(suite.cells.size()) +
                " cells have no result, e.g. " + first_missing);
  for (size_t i = 0; i < suite.cells.size(); ++i) {
    const CellSpec& c = suite.cells[i];
    auto g = std::find_if(groups.begin(), groups.end(), [&](const Group& x) {
      return x.workload == c.workload() && x.solver == c.solver_label && x.setting == c.setting;
    });
    if (g == groups.end()) {
      groups.push_back({c.workload(), c.problem_label, precision_name(c.precision), c.solver_label, c.setting, c.hyper, {}});
      g = groups.end() - 1;
    }
    g->records.push_back(&records[i]);
  }
  json summary = json::array();
  for (const auto& g : groups) summary.push_back(summarize(g, suite.targets_of(g.problem), suite.rules));

  // Selection: per (workload, solver), among its settings in grid order.
  json chosen = json::array();
  std::vector<std::pair<std::string, std::string>> done;
  for (size_t i = 0; i < summary.size(); ++i) summary[i]["selected"] = false;
  for (size_t i = 0; i < summary.size(); ++i) {
    const std::string w = summary[i]["workload"], s = summary[i]["solver"];
    if (std::find(done.begin(), done.end(), std::make_pair(w, s)) != done.end()) continue;
    done.emplace_back(w, s);
    std::vector<json*> settings;
    for (size_t k = i; k < summary.size(); ++k)
      if (summary[k]["workload"] == w && summary[k]["solver"] == s) settings.push_back(&summary[k]);
    json& best = *settings[select_setting(settings, suite.selection)];
    best["selected"] = true;
    chosen.push_back({{"workload", w}, {"solver", s}, {"setting", best["setting"]}, {"hyper", best["hyper"]},
                      {"settings_tried", settings.size()}});
  }

  json claim_outcomes = json::array(), claim_timing = json::object();
  for (const auto& n : suite.claims)
    for (const auto& p : suite.claim_precisions) {
      const ClaimTask task{n, p};
      auto it = claims.find(task.id());
      if (it == claims.end())
        throw Error("incomplete results: claim '" + n + "' in " + precision_name(p) + " has no result");
      for (const auto& o : it->second.outcomes) claim_outcomes.push_back(o);
      claim_timing[n + "/" + precision_name(p)] = it->second.seconds;
    }

  json results = {{"suite", {{"name", suite.name},
                             {"description", suite.description},
                             {"hash", suite.hash()},
                             {"spec", suite.spec},
                             {"targets", suite.targets},
                             {"primary_target", suite.primary_target},
                             {"cells", suite.cells.size()}}},
                  {"selection", {{"rule", suite.selection.rule},
                                 {"target", suite.selection.target},
                                 {"text", selection_text(suite)},
                                 {"chosen", chosen}}},
                  {"held_out", suite.rules.held_out_json()},
                  {"k_of_n", suite.rules.k_of_n_json()},
                  {"tuning", suite.rules.tuning_json()},
                  {"records", records},
                  {"summary", summary},
                  {"claims", claim_outcomes}};
  const RunStats& st = info.stats;
  json run = {{"environment", environment_json(info.threads)},
              {"date", info.started},
              {"started", info.started},
              {"finished", info.finished},
              {"wall_seconds", info.wall_seconds},
              {"suite_source", suite.source},
              {"jobs", {{"cells_run", st.cells_run}, {"cells_cached", st.cells_cached},
                        {"claims_run", st.claims_run}, {"claims_cached", st.claims_cached},
                        {"diverged", st.diverged}, {"failed", st.failed}, {"timeouts", st.timeouts}}},
              {"cells", timing},
              {"claims", claim_timing}};
  if (!info.shards.is_null()) run["shards"] = info.shards;
  if (!info.reproducible.is_null()) run["reproducible"] = info.reproducible;
  return {{"schema", "muonbench.report"},
          {"schema_version", kReportSchemaVersion},
          {"muonbench_version", version_string()},
          {"results", results},
          {"run", run}};
}

std::string slug(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '.' || c == '_')
      out += static_cast<char>(std::tolower(c));
    else if (!out.empty() && out.back() != '-')
      out += '-';
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out.empty() ? "x" : out;
}

void write_report_and_leaderboard(const std::string& dir, const json& report) {
  ensure_directory(dir, "--out");
  const json lb = make_leaderboard(report);
  write_file_atomic(dir + "/report.json", report.dump(1) + "\n");
  write_file_atomic(dir + "/leaderboard.json", lb.dump(1) + "\n");
}

}  // namespace mb
