#include "harness/report/leaderboard_stats.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "harness/core/error.hpp"
#include "harness/engine/suite.hpp"
#include "harness/report/metrics.hpp"
#include "harness/report/statistics.hpp"

namespace mb {

namespace {
std::string seed_list(const std::vector<std::uint64_t>& seeds) {
  std::vector<std::string> s;
  for (auto x : seeds) s.push_back(std::to_string(x));
  return join(s);
}

// A JSON integer in [lo, hi], else an Error naming `field`. (A parsed non-negative integer is
// stored unsigned, a constructed one signed: both are read through their own type.)
long read_count(const nlohmann::json& v, const std::string& field, long lo, long hi, const std::string& what) {
  bool ok = v.is_number_integer();
  if (ok && v.is_number_unsigned()) {
    const std::uint64_t u = v.get<std::uint64_t>();
    ok = u >= static_cast<std::uint64_t>(lo) && u <= static_cast<std::uint64_t>(hi);
  } else if (ok) {
    const long long x = v.get<long long>();
    ok = x >= lo && x <= hi;
  }
  if (!ok)
    throw Error(field + ": expected an integer from " + std::to_string(lo) + " to " + std::to_string(hi) + " (" + what +
                "), got " + v.dump());
  return static_cast<long>(v.get<long long>());
}

void read_held_out(const nlohmann::json& j, const std::string& F, const std::vector<std::uint64_t>& seeds,
                   RankingRules& r) {
  r.tuning_seeds = r.ranking_seeds = seeds;
  if (!j.contains("held_out")) return;
  const std::string f = F + ".held_out";
  require_keys(j["held_out"], {"seeds"}, f);
  const nlohmann::json& hs = j["held_out"];
  if (!hs.contains("seeds")) throw Error(f + ": missing required key 'seeds'");
  if (!hs["seeds"].is_array() || hs["seeds"].empty()) throw Error(f + ".seeds: expected a non-empty list of seeds");
  std::set<std::uint64_t> held;
  for (size_t i = 0; i < hs["seeds"].size(); ++i) {
    const nlohmann::json& v = hs["seeds"][i];
    const std::string fi = f + ".seeds[" + std::to_string(i) + "]";
    if (!v.is_number_integer() || (!v.is_number_unsigned() && v.get<long long>() < 0))
      throw Error(fi + ": expected an integer >= 0, got " + v.dump());
    const std::uint64_t s = v.get<std::uint64_t>();
    if (std::find(seeds.begin(), seeds.end(), s) == seeds.end())
      throw Error(fi + ": seed " + v.dump() + " is not one of suite.seeds (" + seed_list(seeds) + ")");
    if (!held.insert(s).second) throw Error(fi + ": duplicate seed " + v.dump());
  }
  if (held.size() == seeds.size())
    throw Error(f + ".seeds: every seed is held out; leave at least one of suite.seeds (" + seed_list(seeds) +
                ") for tuning");
  r.held_out = true;
  r.tuning_seeds.clear();
  r.ranking_seeds.clear();
  for (auto s : seeds) (held.count(s) ? r.ranking_seeds : r.tuning_seeds).push_back(s);  // suite order
}

void read_tuning(const nlohmann::json& j, const std::string& F, RankingRules& r) {
  // Default budget: the most common grid size (ties: the smaller, so the larger grids are flagged).
  std::map<long, long> count;
  for (const auto& [label, n] : r.grid_sizes) ++count[n];
  long best = 0;
  for (const auto& [n, c] : count)
    if (c > best) best = c, r.budget = n;
  if (!j.contains("tuning")) return;
  const std::string f = F + ".tuning";
  require_keys(j["tuning"], {"budget", "declared"}, f);
  const nlohmann::json& t = j["tuning"];
  if (!t.contains("budget")) throw Error(f + ": missing required key 'budget'");
  r.budget = read_count(t["budget"], f + ".budget", 1, 200000, "grid settings per solver");
  r.budget_given = true;
  if (t.contains("declared")) {
    if (!t["declared"].is_object())
      throw Error(f + ".declared: expected an object of solver label -> grid settings, got " + t["declared"].dump());
    for (auto it = t["declared"].begin(); it != t["declared"].end(); ++it) {
      const std::string fd = f + ".declared." + it.key();
      auto g = std::find_if(r.grid_sizes.begin(), r.grid_sizes.end(), [&](auto& p) { return p.first == it.key(); });
      if (g == r.grid_sizes.end()) {
        std::vector<std::string> labels;
        for (const auto& [label, n] : r.grid_sizes) labels.push_back(label);
        throw Error(fd + ": '" + it.key() + "' is not a solver label of the suite (" + join(labels) + ")");
      }
      const long m = read_count(it.value(), fd, 1, 200000, "the grid settings declared for this solver");
      if (g->second > m)
        throw Error(fd + ": declares " + std::to_string(m) + " settings but the grid of '" + it.key() + "' has " +
                    std::to_string(g->second));
      r.declared[it.key()] = m;
    }
  }
  for (size_t i = 0; i < r.grid_sizes.size(); ++i) {
    const auto& [label, n] = r.grid_sizes[i];
    if (n > r.budget && !r.declared.count(label))
      throw Error(F + ".solvers[" + std::to_string(i) + "].grid: " + std::to_string(n) + " settings exceed " + f +
                  ".budget (" + std::to_string(r.budget) + "); shrink the grid or declare it in " + f + ".declared");
  }
}
}  // namespace

RankingRules read_ranking_rules(const nlohmann::json& j, const std::string& F, const std::vector<std::uint64_t>& seeds,
                                const std::vector<std::pair<std::string, long>>& grid_sizes) {
  RankingRules r;
  r.grid_sizes = grid_sizes;
  read_held_out(j, F, seeds, r);
  const long n = static_cast<long>(r.ranking_seeds.size());
  r.k = k_of_n_required(n);
  if (j.contains("trials")) {
    const std::string f = F + ".trials";
    require_keys(j["trials"], {"k"}, f);
    if (!j["trials"].contains("k")) throw Error(f + ": missing required key 'k'");
    r.k = read_count(j["trials"]["k"], f + ".k", 1, n, r.held_out ? "the number of held-out seeds" : "the number of seeds");
    r.k_given = true;
  }
  read_tuning(j, F, r);
  return r;
}

nlohmann::json RankingRules::held_out_json() const {
  if (!held_out) return nullptr;
  return {{"tuning_seeds", tuning_seeds},
          {"ranking_seeds", ranking_seeds},
          {"text", "tuned on seeds " + seed_list(tuning_seeds) + "; ranked on held-out seeds " + seed_list(ranking_seeds) +
                       " that the tuner never saw"}};
}

nlohmann::json RankingRules::k_of_n_json() const {
  const long n = static_cast<long>(ranking_seeds.size());
  std::string text = "a solver reaches a target only if at least " + std::to_string(k) + " of its " + std::to_string(n);
  text += held_out ? " held-out seeds" : " seeds";
  text += " reach it (AlgoPerf";
  text += k_given ? "; k from the suite)" : "; default k = ceil(3 n / 5))";
  return {{"k", k}, {"n", n}, {"text", text}};
}

nlohmann::json RankingRules::tuning_json() const {
  nlohmann::json per = nlohmann::json::array(), decl = nlohmann::json::object();
  std::vector<std::string> flagged;
  for (const auto& [label, m] : declared) decl[label] = m;
  for (const auto& [label, n] : grid_sizes) {
    nlohmann::json flag = nullptr;
    if (n > budget) {
      flag = declared.count(label) ? "larger grid than the budget (declared)" : "larger grid than the budget";
      flagged.push_back(label + " (" + std::to_string(n) + (declared.count(label) ? ", declared)" : ")"));
    }
    per.push_back({{"solver", label}, {"settings", n}, {"flag", flag}});
  }
  std::string text = "tuning budget: " + std::to_string(budget) + " grid setting" + (budget == 1 ? "" : "s");
  text += budget_given ? " per solver (stated by the suite)" : " per solver (the most common grid size; the suite states none)";
  text += flagged.empty() ? "; no solver has a larger grid" : "; larger grids: " + join(flagged);
  return {{"budget", budget}, {"declared", decl}, {"per_solver", per}, {"text", text}};
}

bool counts_k_of_n(const std::vector<double>& values, long k) {
  long reached = 0;
  for (double v : values) reached += std::isfinite(v);
  return reached >= k;
}

nlohmann::json entry_statistics(const std::vector<double>& values, const std::vector<std::uint64_t>& seeds, long k,
                                const std::string& seed_text) {
  nlohmann::json vals = nlohmann::json::array();
  long reached = 0;
  for (double v : values) {
    vals.push_back(finite_or_null(v));
    reached += std::isfinite(v);
  }
  const Interval ci = bootstrap_median_interval(values, seed_text);
  return {{"values", vals},
          {"seeds_used", seeds},
          {"median", values.empty() ? nlohmann::json(nullptr) : finite_or_null(median(values))},
          {"ci95", {finite_or_null(ci.low), finite_or_null(ci.high)}},
          {"k_of_n", {{"reached", reached}, {"n", values.size()}, {"k", k}, {"counts", reached >= k}}}};
}

void pairwise_tests(const std::string& workload,
                    const std::vector<std::pair<std::string, std::vector<double>>>& per_solver, nlohmann::json& out) {
  for (size_t i = 0; i < per_solver.size(); ++i)
    for (size_t j = i + 1; j < per_solver.size(); ++j) {
      const auto& [a, va] = per_solver[i];
      const auto& [b, vb] = per_solver[j];
      const UTest t = mann_whitney(va, vb);
      const bool significant = t.p < 0.05;  // false for NaN
      nlohmann::json faster = nullptr;
      if (significant) {
        // The smaller median is faster; equal medians (e.g. both unreached): the common-language effect decides.
        const double ma = median(va), mb_ = median(vb);
        if (ma < mb_ || (ma == mb_ && t.effect > 0.5)) faster = a;
        else if (mb_ < ma || (ma == mb_ && t.effect < 0.5)) faster = b;
      }
      out.push_back({{"workload", workload},
                     {"a", a},
                     {"b", b},
                     {"p", finite_or_null(t.p)},
                     {"effect", finite_or_null(t.effect)},
                     {"method", t.method},
                     {"faster", faster},
                     {"significant", significant}});
    }
}

}  // namespace mb
