// leaderboard.json from report.json (harness/report/report.hpp): per workload (problem x precision) the
// ranking of the solvers, each at its selected grid setting, by steps to the workload's primary target
// ("results", deterministic) and by seconds to it ("run", timing), with the statistics over the
// ranking seeds (values, median, bootstrap ci95, k of n: leaderboard_stats.hpp) and pairwise
// Mann-Whitney tests; AlgoPerf performance profiles over the workloads and their normalised areas as
// the overall scores; COCO runtime ECDFs over (workload, target) pairs (ecdf.hpp); the grid sweeps;
// the claims table; the environment. The fields are documented in docs/reports.md.
#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "harness/claim.hpp"
#include "harness/report/ecdf.hpp"
#include "harness/report/environment.hpp"
#include "harness/report/leaderboard_stats.hpp"
#include "harness/core/error.hpp"
#include "harness/report/metrics.hpp"
#include "harness/report/report.hpp"
#include "harness/report/statistics.hpp"

namespace mb {

json performance_profile(const std::vector<std::string>& solvers, const std::vector<std::vector<double>>& t,
                         double tau_max) {
  // t[s][w]: cost of solver s on workload w (inf if unreached).
  const size_t S = solvers.size(), W = S ? t[0].size() : 0;
  std::vector<std::vector<double>> r(S, std::vector<double>(W, INFINITY));
  for (size_t w = 0; w < W; ++w) {
    double best = INFINITY;
    for (size_t s = 0; s < S; ++s) best = std::min(best, t[s][w]);
    for (size_t s = 0; s < S; ++s) {
      if (!std::isfinite(best) || !std::isfinite(t[s][w])) continue;
      const double ratio = best > 0 ? t[s][w] / best : (t[s][w] > 0 ? INFINITY : 1.0);
      r[s][w] = ratio <= tau_max ? ratio : INFINITY;
    }
  }
  json out = json::object();
  const int grid = 61;
  for (size_t s = 0; s < S; ++s) {
    json taus = json::array(), rho = json::array();
    for (int g = 0; g < grid; ++g) {
      const double tau = 1.0 + (tau_max - 1.0) * g / (grid - 1);
      size_t n = 0;
      for (size_t w = 0; w < W; ++w) n += r[s][w] <= tau;
      taus.push_back(tau);
      rho.push_back(W ? static_cast<double>(n) / W : 0.0);
    }
    // Exact area of the step function: each workload contributes (tau_max - r_w) on [r_w, tau_max].
    double area = 0;
    for (size_t w = 0; w < W; ++w)
      if (std::isfinite(r[s][w])) area += (tau_max - r[s][w]);
    const double score = W ? area / (W * (tau_max - 1.0)) : 0.0;
    json ratios = json::array();
    for (size_t w = 0; w < W; ++w) ratios.push_back(finite_or_null(r[s][w]));
    out[solvers[s]] = {{"tau", taus}, {"rho", rho}, {"score", score}, {"ratios", ratios}};
  }
  return out;
}

namespace {
// Solvers ordered by score (descending), ties in suite order.
json scores_table(const json& profile, const std::vector<std::string>& solvers) {
  std::vector<std::pair<double, size_t>> v;
  for (size_t i = 0; i < solvers.size(); ++i) v.emplace_back(profile.at(solvers[i]).at("score").get<double>(), i);
  std::stable_sort(v.begin(), v.end(), [](auto& a, auto& b) { return a.first > b.first; });
  json out = json::array();
  int rank = 0;
  for (const auto& [score, i] : v) out.push_back({{"rank", ++rank}, {"solver", solvers[i]}, {"score", score}});
  return out;
}

struct Row {
  std::string solver, setting;
  double steps, seconds, gap;
  bool steps_count, seconds_count;  // k of n: reached on enough seeds
  size_t index;  // suite order, the last tie-break
  const json* summary;
  json seconds_spread, steps_stats, seconds_stats;
};

// Entries that count under k of n first, then by key, then smaller median final relative gap, then suite order.
template <class Key, class Counts>
std::vector<Row> ranked(std::vector<Row> rows, Key key, Counts counts) {
  std::stable_sort(rows.begin(), rows.end(), [&](const Row& a, const Row& b) {
    if (counts(a) != counts(b)) return counts(a);
    const double ka = key(a), kb = key(b);
    if (ka != kb) return ka < kb;
    const double ga = std::isnan(a.gap) ? INFINITY : a.gap, gb = std::isnan(b.gap) ? INFINITY : b.gap;
    if (ga != gb) return ga < gb;
    return a.index < b.index;
  });
  return rows;
}

double number_or_inf(const json& v) { return v.is_number() ? v.get<double>() : INFINITY; }
}  // namespace

json make_leaderboard(const json& report) {
  const json& res = report.at("results");
  const std::string suite_target = res.at("suite").at("primary_target").get<std::string>();
  const json& timing = report.at("run").at("cells");

  // Workloads and solvers in suite order; the selected summary of each (workload, solver).
  std::vector<std::string> workloads, solvers;
  std::map<std::string, std::map<std::string, const json*>> selected;
  std::map<std::string, json> workload_info;
  for (const auto& s : res.at("summary")) {
    const std::string w = s.at("workload"), sv = s.at("solver");
    if (!workload_info.count(w)) {
      workloads.push_back(w);
      workload_info[w] = {{"name", w}, {"problem", s.at("problem")}, {"precision", s.at("precision")},
                          {"targets", s.value("targets", res.at("suite").at("targets"))},
                          {"primary_target", s.value("primary_target", suite_target)}};
    }
    if (std::find(solvers.begin(), solvers.end(), sv) == solvers.end()) solvers.push_back(sv);
    if (s.at("selected").get<bool>()) selected[w][sv] = &s;
  }
  std::set<std::string> slugs;
  for (const auto& w : workloads) {
    std::string sl = slug(w), base = sl;
    for (int i = 2; !slugs.insert(sl).second; ++i) sl = base + "-" + std::to_string(i);
    workload_info[w]["slug"] = sl;
  }
  // The records of each (workload, solver, setting) by seed.
  std::map<std::string, std::map<std::uint64_t, const json*>> records_of;
  for (const auto& r : res.at("records")) {
    const json& c = r.at("cell");
    const std::string key = c.at("problem_label").get<std::string>() + " [" + c.at("precision").get<std::string>() +
                            "]\n" + c.at("solver_label").get<std::string>() + "\n" + c.at("setting").get<std::string>();
    records_of[key][c.at("seed").get<std::uint64_t>()] = &r;
  }
  // Steps and seconds to `target` of one record (+infinity: not reached).
  auto steps_of = [](const json& r, const std::string& target) {
    const json& st = r.at("steps_to_target");
    return st.contains(target) ? number_or_inf(st.at(target)) : INFINITY;
  };
  auto seconds_of = [&](const json& r, const std::string& target) {
    const std::string id = r.at("id");
    return timing.contains(id) ? number_or_inf(timing.at(id).at("seconds_to_target").value(target, json())) : INFINITY;
  };
  const json no_k = nullptr;
  const json& k_of_n = res.contains("k_of_n") ? res.at("k_of_n") : no_k;

  json rank_steps = json::array(), rank_secs = json::array(), sweeps = json::array();
  json pairwise_steps = json::array(), pairwise_secs = json::array();
  std::vector<std::vector<double>> t_steps(solvers.size(), std::vector<double>(workloads.size(), INFINITY));
  auto t_secs = t_steps;
  std::vector<std::vector<double>> ecdf_steps(solvers.size()), ecdf_secs(solvers.size());  // per (workload, target)
  size_t pairs = 0;
  for (size_t wi = 0; wi < workloads.size(); ++wi) {
    const std::string& w = workloads[wi];
    const std::string target = workload_info[w].at("primary_target");
    const std::vector<std::string> targets = workload_info[w].at("targets");
    pairs += targets.size();
    std::vector<Row> rows;
    std::vector<std::pair<std::string, std::vector<double>>> steps_values, seconds_values;
    for (size_t si = 0; si < solvers.size(); ++si) {
      auto it = selected[w].find(solvers[si]);
      if (it == selected[w].end()) {  // (a solver not run on this workload: never reaches it)
        for (size_t t = 0; t < targets.size(); ++t) ecdf_steps[si].push_back(INFINITY), ecdf_secs[si].push_back(INFINITY);
        continue;
      }
      const json& s = *it->second;
      const std::string setting = s.at("setting");
      const auto& by_seed = records_of.at(w + "\n" + solvers[si] + "\n" + setting);
      std::vector<std::uint64_t> seeds;
      if (s.contains("seeds_used")) seeds = s.at("seeds_used").get<std::vector<std::uint64_t>>();
      else for (const auto& [seed, r] : by_seed) seeds.push_back(seed);
      const long k = k_of_n.is_null() ? k_of_n_required(static_cast<long>(seeds.size())) : k_of_n.at("k").get<long>();
      // Values over the ranking seeds at every target of the workload (ECDF) and at its primary target (ranking).
      std::map<std::string, std::vector<double>> steps_at, secs_at;
      for (const auto& t : targets)
        for (auto seed : seeds) {
          steps_at[t].push_back(steps_of(*by_seed.at(seed), t));
          secs_at[t].push_back(seconds_of(*by_seed.at(seed), t));
        }
      for (const auto& t : targets) {
        ecdf_steps[si].push_back(counts_k_of_n(steps_at[t], k) ? median(steps_at[t]) : INFINITY);
        ecdf_secs[si].push_back(counts_k_of_n(secs_at[t], k) ? median(secs_at[t]) : INFINITY);
      }
      const std::vector<double>& sv = steps_at[target];
      const std::vector<double>& tv = secs_at[target];
      Row row{solvers[si],
              setting,
              sv.empty() ? INFINITY : median(sv),
              tv.empty() ? INFINITY : median(tv),
              s.at("final_relative_gap").at("median").is_number() ? s.at("final_relative_gap").at("median").get<double>()
                                                                   : NAN,
              counts_k_of_n(sv, k),
              counts_k_of_n(tv, k),
              si,
              &s,
              spread_to_json(spread_of(tv)),
              entry_statistics(sv, seeds, k, "steps\n" + w + "\n" + solvers[si]),
              entry_statistics(tv, seeds, k, "seconds\n" + w + "\n" + solvers[si])};
      // Performance profiles: a solver that does not reach the target on k of n seeds never reached it.
      t_steps[si][wi] = row.steps_count ? row.steps : INFINITY;
      t_secs[si][wi] = row.seconds_count ? row.seconds : INFINITY;
      steps_values.emplace_back(solvers[si], sv);
      seconds_values.emplace_back(solvers[si], tv);
      rows.push_back(row);
    }
    pairwise_tests(w, steps_values, pairwise_steps);
    pairwise_tests(w, seconds_values, pairwise_secs);
    json jr = json::array(), js = json::array();
    int pos = 0;
    for (const auto& row : ranked(rows, [](const Row& r) { return r.steps; }, [](const Row& r) { return r.steps_count; })) {
      const json& s = *row.summary;
      const json& st = s.at("steps_to_target").at(target);
      json e = {{"rank", ++pos},
                {"solver", row.solver},
                {"setting", row.setting},
                {"steps_to_target", st},
                {"reached", st.at("reached")},
                {"seeds", s.at("seeds")},
                {"diverged", s.at("status").value("diverged", 0)},
                {"status", s.at("status")},
                {"final_relative_gap", s.at("final_relative_gap")},
                {"rate_per_step", s.at("rate_per_step")}};
      e.update(row.steps_stats);
      jr.push_back(e);
    }
    pos = 0;
    for (const auto& row :
         ranked(rows, [](const Row& r) { return r.seconds; }, [](const Row& r) { return r.seconds_count; })) {
      json e = {{"rank", ++pos}, {"solver", row.solver}, {"setting", row.setting},
                {"seconds_to_target", row.seconds_spread}};
      e.update(row.seconds_stats);
      js.push_back(e);
    }
    rank_steps.push_back({{"workload", w}, {"slug", workload_info[w]["slug"]}, {"ranking", jr}});
    rank_secs.push_back({{"workload", w}, {"slug", workload_info[w]["slug"]}, {"ranking", js}});
  }
  // Grid sweeps: every setting tried, for the solvers that had more than one.
  for (const auto& w : workloads)
    for (const auto& sv : solvers) {
      json settings = json::array();
      for (const auto& s : res.at("summary"))
        if (s.at("workload") == w && s.at("solver") == sv)
          settings.push_back({{"setting", s.at("setting")},
                              {"steps_to_target", s.at("selection_key").at("steps")},
                              {"final_relative_gap", s.at("selection_key").at("final_relative_gap")},
                              {"selected", s.at("selected")}});
      if (settings.size() > 1) sweeps.push_back({{"workload", w}, {"solver", sv}, {"settings", settings}});
    }

  json claims = json::array();
  size_t ok = 0, index = 0;
  const std::vector<bool> expected = claims_as_expected(res.at("claims"));
  for (const auto& c : res.at("claims")) {
    const bool as_expected = expected[index++];
    ok += as_expected;
    claims.push_back({{"claim", c.at("claim")},
                      {"precision", c.at("precision")},
                      {"variant", c.at("variant")},
                      {"decoy", c.at("decoy")},
                      {"expected", c.at("expected")},
                      {"verdict", c.at("verdict")},
                      {"margin", c.at("margin")},
                      {"tolerance", c.at("tolerance")},
                      {"as_expected", as_expected}});
  }

  json winfo = json::array();
  for (const auto& w : workloads) winfo.push_back(workload_info[w]);
  const json prof_steps = performance_profile(solvers, t_steps), prof_secs = performance_profile(solvers, t_secs);
  json results = {{"suite", res.at("suite").at("name")},
                  {"description", res.at("suite").at("description")},
                  {"suite_hash", res.at("suite").at("hash")},
                  {"primary_target", suite_target},
                  {"targets", res.at("suite").at("targets")},
                  {"selection", {{"rule", res.at("selection").at("rule")},
                                 {"target", res.at("selection").at("target")},
                                 {"text", res.at("selection").at("text")}}},
                  {"workloads", winfo},
                  {"held_out", res.value("held_out", json())},
                  {"k_of_n", k_of_n},
                  {"tuning", res.value("tuning", json())},
                  {"solvers", solvers},
                  {"rankings_by_steps", rank_steps},
                  {"performance_profile_steps", {{"tau_max", 4.0}, {"solvers", prof_steps}}},
                  {"scores_by_steps", scores_table(prof_steps, solvers)},
                  {"pairwise_steps", pairwise_steps},
                  {"ecdf_steps", runtime_ecdf(solvers, ecdf_steps, pairs)},
                  {"sweeps", sweeps},
                  {"claims", claims},
                  {"claims_as_expected", ok},
                  {"claims_total", claims.size()}};
  json run = {{"environment", report.at("run").at("environment")},
              {"date", report.at("run").at("date")},
              {"wall_seconds", report.at("run").at("wall_seconds")},
              {"rankings_by_seconds", rank_secs},
              {"performance_profile_seconds", {{"tau_max", 4.0}, {"solvers", prof_secs}}},
              {"scores_by_seconds", scores_table(prof_secs, solvers)},
              {"pairwise_seconds", pairwise_secs},
              {"ecdf_seconds", runtime_ecdf(solvers, ecdf_secs, pairs)}};
  if (report.at("run").contains("reproducible")) run["reproducible"] = report.at("run").at("reproducible");
  return {{"schema", "muonbench.leaderboard"},
          {"schema_version", kReportSchemaVersion},
          {"muonbench_version", report.at("muonbench_version")},
          {"results", results},
          {"run", run}};
}

}  // namespace mb
