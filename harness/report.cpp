#include "harness/report.hpp"

#include <cmath>
#include <limits>
#include <map>

#include "harness/atomic_file.hpp"
#include "harness/environment.hpp"
#include "harness/metrics.hpp"

namespace mb {

json make_report(const Suite& suite, const std::vector<CellResult>& cells, const ClaimsRun& claims,
                 const RunInfo& info) {
  json records = json::array(), timing = json::object();
  for (const auto& c : cells) {
    records.push_back(c.record);
    timing[c.record["id"].get<std::string>()] = c.timing;
  }
  json results = {{"suite", {{"name", suite.name},
                             {"description", suite.description},
                             {"spec", suite.spec},
                             {"targets", suite.targets},
                             {"primary_target", suite.primary_target},
                             {"cells", cells.size()}}},
                  {"records", records},
                  {"claims", claims.outcomes}};
  json run = {{"environment", environment_json(info.threads)},
              {"date", info.started},
              {"started", info.started},
              {"finished", info.finished},
              {"wall_seconds", info.wall_seconds},
              {"suite_source", suite.source},
              {"cells", timing},
              {"claims", claims.timing}};
  return {{"schema", "muonbench.report"},
          {"schema_version", kReportSchemaVersion},
          {"muonbench_version", version_string()},
          {"results", results},
          {"run", run}};
}

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
    for (size_t w = 0; w < W; ++w) ratios.push_back(std::isfinite(r[s][w]) ? json(r[s][w]) : json(nullptr));
    out[solvers[s]] = {{"tau", taus}, {"rho", rho}, {"score", score}, {"ratios", ratios}};
  }
  return out;
}

namespace {
double as_double(const json& v) {
  if (v.is_number()) return v.get<double>();
  if (v.is_string()) return std::strtod(v.get<std::string>().c_str(), nullptr);
  return NAN;
}

struct Group {
  std::vector<double> steps, seconds, final_gap;
  size_t reached = 0, total = 0, diverged = 0;
};

// Median cost over seeds, unreached = inf; infinite if more than half the seeds did not reach.
double median_cost(std::vector<double> v) { return median(std::move(v)); }
}  // namespace

json make_leaderboard(const json& report) {
  const json& res = report.at("results");
  const std::string target = res.at("suite").at("primary_target").get<std::string>();
  const json& timing = report.at("run").at("cells");
  // (problem, precision) -> solver -> group, in first-seen order.
  std::vector<std::string> workloads, solvers;
  std::map<std::string, std::map<std::string, Group>> groups;
  for (const auto& r : res.at("records")) {
    const json& c = r.at("cell");
    const std::string w = c.at("problem_label").get<std::string>() + " [" + c.at("precision").get<std::string>() + "]";
    const std::string s = c.at("solver_label").get<std::string>();
    if (!groups.count(w)) workloads.push_back(w);
    if (std::find(solvers.begin(), solvers.end(), s) == solvers.end()) solvers.push_back(s);
    Group& g = groups[w][s];
    ++g.total;
    const json& st = r.at("steps_to_target");
    const bool reached = st.contains(target) && !st.at(target).is_null();
    g.reached += reached;
    g.diverged += r.at("status") == "diverged";
    g.steps.push_back(reached ? st.at(target).get<double>() : INFINITY);
    const std::string id = r.at("id").get<std::string>();
    double sec = INFINITY;
    if (reached && timing.contains(id)) {
      const json& sv = timing.at(id).at("seconds_to_target");
      if (sv.contains(target) && sv.at(target).is_number()) sec = sv.at(target).get<double>();
    }
    g.seconds.push_back(sec);
    g.final_gap.push_back(as_double(r.at("final").at("gap")));
  }

  json rankings = json::array(), rankings_seconds = json::array();
  std::vector<std::vector<double>> t_steps(solvers.size(), std::vector<double>(workloads.size(), INFINITY));
  std::vector<std::vector<double>> t_secs = t_steps;
  for (size_t wi = 0; wi < workloads.size(); ++wi) {
    const auto& w = workloads[wi];
    struct Row {
      std::string solver;
      double steps, seconds, gap;
      size_t reached, total, diverged;
    };
    std::vector<Row> rows;
    for (size_t si = 0; si < solvers.size(); ++si) {
      auto it = groups[w].find(solvers[si]);
      if (it == groups[w].end()) continue;
      const Group& g = it->second;
      Row row{solvers[si], median_cost(g.steps), median_cost(g.seconds), median(g.final_gap), g.reached, g.total, g.diverged};
      t_steps[si][wi] = row.steps;
      t_secs[si][wi] = row.seconds;
      rows.push_back(row);
    }
    auto rank = [&](auto key) {
      std::vector<Row> sorted = rows;
      std::stable_sort(sorted.begin(), sorted.end(), [&](const Row& a, const Row& b) {
        const double ka = key(a), kb = key(b);
        if (ka != kb) return ka < kb;
        return a.gap < b.gap;  // ties (or both unreached): smaller final gap first
      });
      return sorted;
    };
    json jr = json::array(), js = json::array();
    int pos = 0;
    for (const auto& row : rank([](const Row& r) { return r.steps; }))
      jr.push_back({{"rank", ++pos},
                    {"solver", row.solver},
                    {"steps_to_target", std::isfinite(row.steps) ? json(row.steps) : json(nullptr)},
                    {"reached", row.reached},
                    {"seeds", row.total},
                    {"diverged", row.diverged},
                    {"final_gap_median", std::isfinite(row.gap) ? json(row.gap) : json(nullptr)}});
    pos = 0;
    for (const auto& row : rank([](const Row& r) { return r.seconds; }))
      js.push_back({{"rank", ++pos},
                    {"solver", row.solver},
                    {"seconds_to_target", std::isfinite(row.seconds) ? json(row.seconds) : json(nullptr)}});
    rankings.push_back({{"workload", w}, {"ranking", jr}});
    rankings_seconds.push_back({{"workload", w}, {"ranking", js}});
  }

  json claims = json::array();
  size_t ok = 0;
  for (const auto& c : res.at("claims")) {
    const bool as_expected = c.at("verdict") == c.at("expected") ||
                             (!c.at("decoy").get<bool>() && c.at("verdict") == "inconclusive" &&
                              c.at("precision") == "double");
    ok += as_expected;
    claims.push_back({{"claim", c.at("claim")},
                      {"precision", c.at("precision")},
                      {"variant", c.at("variant")},
                      {"expected", c.at("expected")},
                      {"verdict", c.at("verdict")},
                      {"margin", c.at("margin")},
                      {"tolerance", c.at("tolerance")},
                      {"as_expected", as_expected}});
  }

  json results = {{"suite", res.at("suite").at("name")},
                  {"primary_target", target},
                  {"workloads", workloads},
                  {"solvers", solvers},
                  {"rankings_by_steps", rankings},
                  {"performance_profile_steps", performance_profile(solvers, t_steps)},
                  {"claims", claims},
                  {"claims_as_expected", ok},
                  {"claims_total", claims.size()}};
  json run = {{"environment", report.at("run").at("environment")},
              {"date", report.at("run").at("date")},
              {"rankings_by_seconds", rankings_seconds},
              {"performance_profile_seconds", performance_profile(solvers, t_secs)}};
  return {{"schema", "muonbench.leaderboard"},
          {"schema_version", kReportSchemaVersion},
          {"muonbench_version", report.at("muonbench_version")},
          {"results", results},
          {"run", run}};
}

void write_report_and_leaderboard(const std::string& dir, const json& report) {
  ensure_directory(dir, "--out");
  const json lb = make_leaderboard(report);
  write_file_atomic(dir + "/report.json", report.dump(1) + "\n");
  write_file_atomic(dir + "/leaderboard.json", lb.dump(1) + "\n");
}

}  // namespace mb
