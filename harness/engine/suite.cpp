#include "harness/engine/suite.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

#include "harness/claims/run_claims.hpp"
#include "harness/report/environment.hpp"
#include "harness/core/error.hpp"
#include "harness/problem.hpp"
#include "harness/solver.hpp"
#include "solvers/external_protocol.hpp"

namespace mb {

namespace fs = std::filesystem;

std::string content_hash(const std::string& text) {
  std::uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a 64
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

void require_keys(const json& j, const std::vector<std::string>& allowed, const std::string& field) {
  if (!j.is_object()) throw Error(field + ": expected a JSON object, got " + j.dump());
  for (auto it = j.begin(); it != j.end(); ++it)
    if (std::find(allowed.begin(), allowed.end(), it.key()) == allowed.end())
      throw Error(field + ": unknown key '" + it.key() + "'; valid keys: " + join(allowed));
}

std::string SelectionRule::text() const {
  if (rule == "final-gap")
    return "per workload and solver, the grid setting with the smallest median final gap over seeds; ties: "
           "fewer median steps to " + target + ", then the first in grid order";
  return "per workload and solver, the grid setting with the fewest median steps (over seeds, unreached = "
         "infinity) to the relative target " + target +
         "; ties: smaller median final gap, then the first in grid order";
}

const ProblemTargets& Suite::targets_of(const std::string& problem_label) const {
  for (const auto& p : problem_targets)
    if (p.label == problem_label) return p;
  throw Error("suite '" + name + "': no problem labelled '" + problem_label + "'");
}

std::string Suite::hash() const { return content_hash(spec.dump()); }

namespace {
constexpr size_t kMaxCells = 200000;
// Budgets past these are typing errors, not plans (1e9 steps; 10^7 s is 116 days per cell).
constexpr long kMaxSteps = 1000000000;
constexpr double kMaxSeconds = 1e7;
constexpr size_t kMaxNameLength = 64;

std::string get_string(const json& j, const std::string& key, const std::string& field, const std::string& def,
                       bool required = false) {
  if (!j.contains(key)) {
    if (required) throw Error(field + ": missing required key '" + key + "'");
    return def;
  }
  if (!j[key].is_string() || j[key].get<std::string>().empty())
    throw Error(field + "." + key + ": expected a non-empty string, got " + j[key].dump());
  return j[key].get<std::string>();
}

const json& get_list(const json& j, const std::string& key, const std::string& field) {
  if (!j.contains(key)) throw Error(field + ": missing required key '" + key + "'");
  if (!j[key].is_array() || j[key].empty()) throw Error(field + "." + key + ": expected a non-empty list");
  return j[key];
}

// The suite's name names its default output folder runs/<name>/: a plain file name.
std::string read_suite_name(const json& j, const std::string& field) {
  const std::string name = get_string(j, "name", field, "", true);
  const bool plain = name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") ==
                     std::string::npos;
  if (name.size() > kMaxNameLength)
    throw Error(field + ".name: at most " + std::to_string(kMaxNameLength) + " characters, got " +
                std::to_string(name.size()));
  if (!plain || name[0] == '.')
    throw Error(field + ".name: use letters, digits, '.', '_' and '-' only, not starting with '.' (it names the "
                "output folder runs/<name>/), got '" + name + "'");
  return name;
}

struct Budget {
  long max_steps = 1000;
  double max_seconds = 300;
};

Budget read_budget(const json& j, const std::string& field, Budget b) {
  require_keys(j, {"max_steps", "max_seconds", "by_precision"}, field);
  if (j.contains("max_steps")) {
    // (An unsigned value past the range of long reads as negative here, so it fails too.)
    if (!j["max_steps"].is_number_integer() || j["max_steps"].get<long>() < 1 || j["max_steps"].get<long>() > kMaxSteps)
      throw Error(field + ".max_steps: expected an integer >= 1 and at most " + std::to_string(kMaxSteps) + ", got " +
                  j["max_steps"].dump());
    b.max_steps = j["max_steps"].get<long>();
  }
  if (j.contains("max_seconds")) {
    if (!j["max_seconds"].is_number() || !(j["max_seconds"].get<double>() > 0) ||
        !(j["max_seconds"].get<double>() <= kMaxSeconds))
      throw Error(field + ".max_seconds: expected a number > 0 and at most 1e7, got " + j["max_seconds"].dump());
    b.max_seconds = j["max_seconds"].get<double>();
  }
  return b;
}

Budget budget_for(const json& j, const std::string& field, const std::string& precision, Budget b) {
  b = read_budget(j, field, b);
  if (j.contains("by_precision")) {
    const json& bp = j["by_precision"];
    if (!bp.is_object()) throw Error(field + ".by_precision: expected an object keyed by precision");
    for (auto it = bp.begin(); it != bp.end(); ++it) parse_precision(it.key(), field + ".by_precision");
    if (bp.contains(precision)) {
      if (bp[precision].contains("by_precision"))
        throw Error(field + ".by_precision." + precision + ": nested by_precision is not allowed");
      b = read_budget(bp[precision], field + ".by_precision." + precision, b);
    }
  }
  return b;
}

// A grid value's text in setting labels: numbers as their exact decimal, booleans and strings as is.
std::string grid_value_text(const json& v, const std::string& field) {
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number()) return decimal_text(v);
  throw Error(field + ": expected a number, a decimal string, true/false or a name, got " + v.dump());
}

// The cartesian product of the grid (keys in JSON order, i.e. alphabetical; the last varies
// fastest), each point merged into `hyper` and checked by constructing the solver.
std::vector<SolverSetting> expand_grid(const std::string& name, const json& hyper, const json& grid,
                                       const std::string& sf) {
  std::vector<SolverSetting> settings{SolverSetting{"", json::object(), hyper}};
  if (!grid.is_null()) {
    if (!grid.is_object() || grid.empty())
      throw Error(sf + ".grid: expected an object of hyperparameter -> non-empty list of values, got " + grid.dump());
    for (auto it = grid.begin(); it != grid.end(); ++it) {
      const std::string gf = sf + ".grid." + it.key();
      if (hyper.contains(it.key()))
        throw Error(gf + ": '" + it.key() + "' is given both in hyper and in grid; give it in one place");
      if (!it.value().is_array()) throw Error(gf + ": expected a list of values, got " + it.value().dump());
      if (it.value().empty()) throw Error(gf + ": the grid is empty; give at least one value");
      std::set<std::string> seen;
      std::vector<SolverSetting> next;
      for (const auto& s : settings)
        for (size_t i = 0; i < it.value().size(); ++i) {
          const json& v = it.value()[i];
          const std::string text = grid_value_text(v, gf + "[" + std::to_string(i) + "]");
          if (&s == &settings.front() && !seen.insert(text).second)
            throw Error(gf + "[" + std::to_string(i) + "]: duplicate grid value " + text);
          SolverSetting n = s;
          n.label += (n.label.empty() ? "" : ", ") + it.key() + "=" + text;
          n.grid_point[it.key()] = v;
          n.hyper[it.key()] = v;
          next.push_back(std::move(n));
        }
      settings = std::move(next);
      if (settings.size() > kMaxCells) throw Error(sf + ".grid: more than " + std::to_string(kMaxCells) + " settings");
    }
  }
  for (const auto& s : settings) {  // every setting is a valid solver configuration, before anything runs
    try {
      make_solver<double>(name, s.hyper);
    } catch (const Error& e) {
      throw Error(sf + (s.label.empty() ? "" : " (grid point " + s.label + ")") + ": " + e.what());
    }
  }
  return settings;
}

std::vector<Precision> read_precisions(const json& j, const std::string& F) {
  std::vector<Precision> precisions{Precision::float64};
  if (!j.contains("precisions")) return precisions;
  precisions.clear();
  const json& p = get_list(j, "precisions", F);
  for (size_t i = 0; i < p.size(); ++i) {
    const std::string f = F + ".precisions[" + std::to_string(i) + "]";
    if (!p[i].is_string()) throw Error(f + ": expected a precision name, got " + p[i].dump());
    const Precision prec = parse_precision(p[i].get<std::string>(), f);
    if (std::find(precisions.begin(), precisions.end(), prec) != precisions.end())
      throw Error(f + ": duplicate precision '" + p[i].get<std::string>() + "'");
    precisions.push_back(prec);
  }
  return precisions;
}

std::vector<std::uint64_t> read_seeds(const json& j, const std::string& F) {
  std::vector<std::uint64_t> seeds{0};
  if (!j.contains("seeds")) return seeds;
  seeds.clear();
  const json& sd = get_list(j, "seeds", F);
  if (sd.size() > kMaxCells) throw Error(F + ".seeds: more than " + std::to_string(kMaxCells) + " seeds");
  std::set<std::uint64_t> seen;
  for (size_t i = 0; i < sd.size(); ++i) {
    const std::string f = F + ".seeds[" + std::to_string(i) + "]";
    if (!sd[i].is_number_integer() || (!sd[i].is_number_unsigned() && sd[i].get<long long>() < 0))
      throw Error(f + ": expected an integer >= 0, got " + sd[i].dump());
    if (!seen.insert(sd[i].get<std::uint64_t>()).second) throw Error(f + ": duplicate seed " + sd[i].dump());
    seeds.push_back(sd[i].get<std::uint64_t>());
  }
  return seeds;
}

// Targets: relative gaps gap_k <= tau * gap_0, each in (0, 1), sorted largest first.
std::vector<std::string> read_target_list(const json& targets_j, const std::string& f) {
  std::vector<std::pair<double, std::string>> tg;
  if (!targets_j.is_array() || targets_j.empty()) throw Error(f + ": expected a non-empty list of numbers");
  if (targets_j.size() > 100) throw Error(f + ": at most 100 targets, got " + std::to_string(targets_j.size()));
  for (size_t i = 0; i < targets_j.size(); ++i) {
    const std::string fi = f + "[" + std::to_string(i) + "]";
    const double v = hyper_from_json<double>(targets_j[i], fi);
    if (!(v > 0 && v < 1)) throw Error(fi + ": a relative target must be in (0, 1), got " + targets_j[i].dump());
    for (const auto& [w, t] : tg)
      if (w == v) throw Error(fi + ": duplicate target " + targets_j[i].dump());
    tg.emplace_back(v, decimal_text(targets_j[i]));
  }
  std::sort(tg.begin(), tg.end(), [](auto& a, auto& b) { return a.first > b.first; });
  std::vector<std::string> out;
  for (auto& [v, t] : tg) out.push_back(t);
  return out;
}

std::string one_of_targets(const std::vector<std::string>& targets, const json& v, const std::string& f) {
  hyper_from_json<double>(v, f);  // a clear error for a non-number
  const std::string t = decimal_text(v);
  if (std::find(targets.begin(), targets.end(), t) == targets.end())
    throw Error(f + ": " + t + " is not one of the targets (" + join(targets) + ")");
  return t;
}

void read_targets(const json& j, const std::string& F, Suite& s) {
  s.targets = read_target_list(j.contains("targets") ? j["targets"] : json::array({"1e-1", "1e-2", "1e-4"}),
                               F + ".targets");
  s.primary_target = s.targets.back();
  if (j.contains("primary_target")) s.primary_target = one_of_targets(s.targets, j["primary_target"], F + ".primary_target");
  s.selection.target = s.primary_target;
  if (j.contains("selection")) {
    const std::string f = F + ".selection";
    require_keys(j["selection"], {"rule", "target"}, f);
    s.selection.rule = get_string(j["selection"], "rule", f, "steps-to-target");
    if (s.selection.rule != "steps-to-target" && s.selection.rule != "final-gap")
      throw Error(f + ".rule: must be one of steps-to-target, final-gap, got '" + s.selection.rule + "'");
    if (j["selection"].contains("target"))
      s.selection.target = one_of_targets(s.targets, j["selection"]["target"], f + ".target");
  }
}

// problems[i].targets / .primary_target: the suite's rules; defaults: the suite's targets, and the
// suite's primary target when it is one of the problem's targets, else the problem's smallest.
ProblemTargets read_problem_targets(const json& pj, const std::string& pf, const std::string& label, const json& suite_j,
                                    const Suite& s) {
  ProblemTargets pt{label, s.targets, s.primary_target, s.selection.target};
  if (pj.contains("targets")) pt.targets = read_target_list(pj["targets"], pf + ".targets");
  const auto has = [&](const std::string& t) { return std::find(pt.targets.begin(), pt.targets.end(), t) != pt.targets.end(); };
  if (pj.contains("primary_target"))
    pt.primary_target = one_of_targets(pt.targets, pj["primary_target"], pf + ".primary_target");
  else if (!has(pt.primary_target))
    pt.primary_target = pt.targets.back();
  const bool selection_given = suite_j.contains("selection") && suite_j["selection"].contains("target");
  pt.selection_target = selection_given && has(s.selection.target) ? s.selection.target : pt.primary_target;
  return pt;
}
}  // namespace

// An external solver's hyperparameters as the suite file means them: relative paths in "command"
// are relative to the suite file's directory, and "program_digest" (the content hash of the files
// the command names) makes a changed program a new cell, never a stale cached one.
static json external_hyper(json hyper, const std::string& source, const std::string& sf) {
  if (!hyper.contains("command")) return hyper;  // make_solver names what is missing
  if (hyper.contains("program_digest")) throw Error(sf + ".hyper.program_digest: set by muonbench; remove it");
  namespace fs = std::filesystem;
  hyper["command"] = external::resolve_command_paths(hyper["command"], fs::path(source).parent_path().string());
  std::string contents;
  for (const auto& a : hyper["command"]) {
    std::error_code ec;
    if (!a.is_string() || !fs::path(a.get<std::string>()).is_absolute() || !fs::is_regular_file(a.get<std::string>(), ec))
      continue;
    std::ifstream in(a.get<std::string>(), std::ios::binary);
    contents += a.get<std::string>() + '\0' + std::string(std::istreambuf_iterator<char>(in), {}) + '\0';
  }
  if (!contents.empty()) hyper["program_digest"] = content_hash(contents);
  return hyper;
}

Suite parse_suite(const json& j, const std::string& source) {
  const std::string F = "suite";
  if (j.is_object() && j.contains("plugins"))
    throw Error(F + ".plugins: a suite cannot load plugins (a shared file must not run code on its own); load them "
                "with --plugin PATH or MUONBENCH_PLUGINS, then name their solvers and problems in the suite");
  require_keys(j, {"name", "description", "precisions", "seeds", "budget", "targets", "primary_target",
                   "selection", "stop_at_target", "problems", "solvers", "claims", "held_out", "trials", "tuning"},
               F);
  Suite s;
  s.source = source;
  s.spec = j;
  s.name = read_suite_name(j, F);
  s.description = get_string(j, "description", F, "");
  s.precisions = read_precisions(j, F);
  s.seeds = read_seeds(j, F);
  const json budget_j = j.value("budget", json::object());
  for (const auto prec : s.precisions) budget_for(budget_j, F + ".budget", precision_name(prec), Budget{});
  read_targets(j, F, s);
  bool stop_at_target = true;
  if (j.contains("stop_at_target")) {
    if (!j["stop_at_target"].is_boolean()) throw Error(F + ".stop_at_target: expected true or false");
    stop_at_target = j["stop_at_target"].get<bool>();
  }

  // Solvers first: names, labels, hyperparameters and grids are all checked before any cell exists.
  const json& solvers = get_list(j, "solvers", F);
  std::set<std::string> slabels;
  for (size_t si = 0; si < solvers.size(); ++si) {
    const std::string sf = F + ".solvers[" + std::to_string(si) + "]";
    const json& sj = solvers[si];
    require_keys(sj, {"name", "label", "hyper", "grid"}, sf);
    SolverEntry e;
    e.name = get_string(sj, "name", sf, "", true);
    e.label = get_string(sj, "label", sf, e.name);
    if (!slabels.insert(e.label).second)
      throw Error(sf + ".label: duplicate solver label '" + e.label + "'; give each entry its own label");
    json hyper = sj.value("hyper", json::object());
    if (!hyper.is_object()) throw Error(sf + ".hyper: expected an object of hyperparameters, got " + hyper.dump());
    if (e.name == external_solver_name()) hyper = external_hyper(hyper, source, sf);
    try {
      make_solver<double>(e.name, hyper);  // unknown name or hyperparameter: a clear error
    } catch (const Error& err) {
      throw Error(sf + ": " + err.what());
    }
    e.settings = expand_grid(e.name, hyper, sj.contains("grid") ? sj["grid"] : json(), sf);
    s.solvers.push_back(std::move(e));
  }

  std::vector<std::pair<std::string, long>> grid_sizes;
  for (const auto& e : s.solvers) grid_sizes.emplace_back(e.label, static_cast<long>(e.settings.size()));
  s.rules = read_ranking_rules(j, F, s.seeds, grid_sizes);

  const json& problems = get_list(j, "problems", F);
  std::set<std::string> plabels;
  for (size_t pi = 0; pi < problems.size(); ++pi) {
    const std::string pf = F + ".problems[" + std::to_string(pi) + "]";
    const json& pj = problems[pi];
    require_keys(pj, {"name", "label", "params", "budget", "precisions", "targets", "primary_target"}, pf);
    const std::string pname = get_string(pj, "name", pf, "", true);
    const std::string plabel = get_string(pj, "label", pf, pname);
    if (!plabels.insert(plabel).second) throw Error(pf + ".label: duplicate problem label '" + plabel + "'");
    s.problem_targets.push_back(read_problem_targets(pj, pf, plabel, j, s));
    const json params = pj.value("params", json::object());
    // A problem may run in fewer (or other) precisions than the suite's (a large one in double only).
    const std::vector<Precision> precisions = pj.contains("precisions") ? read_precisions(pj, pf) : s.precisions;
    try {  // the problem's name and parameters
      make_problem<double>(pname, params);
    } catch (const Error& e) {
      throw Error(pf + ": " + e.what());
    }
    for (const auto& e : s.solvers)
      for (const auto& setting : e.settings)
        for (const auto prec : precisions) {
          Budget b = budget_for(budget_j, F + ".budget", precision_name(prec), Budget{});
          if (pj.contains("budget")) b = budget_for(pj["budget"], pf + ".budget", precision_name(prec), b);
          for (auto seed : s.seeds) {
            CellSpec c;
            c.problem = pname;
            c.problem_label = plabel;
            c.problem_params = params;
            c.solver = e.name;
            c.solver_label = e.label;
            c.setting = setting.label;
            c.hyper = setting.hyper;
            c.precision = prec;
            c.seed = seed;
            c.max_steps = b.max_steps;
            c.max_seconds = b.max_seconds;
            c.targets = s.problem_targets.back().targets;
            c.stop_at_target = stop_at_target;
            s.cells.push_back(std::move(c));
            if (s.cells.size() > kMaxCells)
              throw Error(F + ": more than " + std::to_string(kMaxCells) + " cells; shrink the grids or the seeds");
          }
        }
  }
  if (j.contains("claims")) {
    const json& cl = j["claims"];
    if (!cl.is_array()) throw Error(F + ".claims: expected a list of claim names");
    for (size_t i = 0; i < cl.size(); ++i) {
      const std::string f = F + ".claims[" + std::to_string(i) + "]";
      if (!cl[i].is_string()) throw Error(f + ": expected a claim name, got " + cl[i].dump());
      if (!Registry<ClaimInfo>::instance().contains(cl[i].get<std::string>()))
        throw_unknown("claim", cl[i].get<std::string>(), f, claim_names());
      if (std::find(s.claims.begin(), s.claims.end(), cl[i].get<std::string>()) != s.claims.end())
        throw Error(f + ": duplicate claim '" + cl[i].get<std::string>() + "'");
      s.claims.push_back(cl[i].get<std::string>());
    }
  }
  for (const auto& c : s.cells)
    if (c.solver == external_solver_name() && c.precision == Precision::mp50)
      throw Error(F + ": solver '" + c.solver_label + "' is external and problem '" + c.problem_label +
                  "' runs in mp50: an external solver exchanges float64 or float32 blocks with its process "
                  "(docs/plugins.md); give that problem \"precisions\": [\"double\"]");
  for (const auto& p : kPrecisions)
    if (p.claims && std::find(s.precisions.begin(), s.precisions.end(), p.id) != s.precisions.end())
      s.claim_precisions.push_back(p.id);
  if (!s.claims.empty() && s.claim_precisions.empty())
    throw Error(F + ".claims: claims run in " + join(claim_precision_names()) + "; add one of them to suite.precisions");
  return s;
}

RunPlan plan_of(const Suite& suite) {
  RunPlan plan;
  plan.cells = suite.cells;
  for (const auto& c : suite.claims)
    for (const auto& p : suite.claim_precisions) plan.claims.push_back({c, p});
  return plan;
}

std::vector<std::string> external_commands(const Suite& suite) {
  std::vector<std::string> out;
  for (const auto& e : suite.solvers)
    if (e.name == external_solver_name())
      for (const auto& setting : e.settings) {
        std::string text;
        for (const auto& a : setting.hyper.value("command", json::array()))
          text += (text.empty() ? "" : " ") + (a.is_string() ? a.get<std::string>() : a.dump());
        if (std::find(out.begin(), out.end(), text) == out.end()) out.push_back(text);
      }
  return out;
}

}  // namespace mb
