#include "harness/suite.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <set>

#include "harness/claim.hpp"
#include "harness/environment.hpp"
#include "harness/error.hpp"
#include "harness/problem.hpp"
#include "harness/solver.hpp"

namespace mb {

namespace fs = std::filesystem;

void require_keys(const json& j, const std::vector<std::string>& allowed, const std::string& field) {
  if (!j.is_object()) throw Error(field + ": expected a JSON object, got " + j.dump());
  for (auto it = j.begin(); it != j.end(); ++it)
    if (std::find(allowed.begin(), allowed.end(), it.key()) == allowed.end())
      throw Error(field + ": unknown key '" + it.key() + "'; valid keys: " + join(allowed));
}

namespace {
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

struct Budget {
  long max_steps = 1000;
  double max_seconds = 300;
};

Budget read_budget(const json& j, const std::string& field, Budget b) {
  require_keys(j, {"max_steps", "max_seconds", "by_precision"}, field);
  if (j.contains("max_steps")) {
    if (!j["max_steps"].is_number_integer() || j["max_steps"].get<long>() < 1)
      throw Error(field + ".max_steps: expected an integer >= 1, got " + j["max_steps"].dump());
    b.max_steps = j["max_steps"].get<long>();
  }
  if (j.contains("max_seconds")) {
    if (!j["max_seconds"].is_number() || !(j["max_seconds"].get<double>() > 0))
      throw Error(field + ".max_seconds: expected a number > 0, got " + j["max_seconds"].dump());
    b.max_seconds = j["max_seconds"].get<double>();
  }
  return b;
}

Budget budget_for(const json& j, const std::string& field, const std::string& precision, Budget b) {
  b = read_budget(j, field, b);
  if (j.contains("by_precision")) {
    const json& bp = j["by_precision"];
    if (!bp.is_object()) throw Error(field + ".by_precision: expected an object keyed by precision");
    for (auto it = bp.begin(); it != bp.end(); ++it) require_precision(it.key(), field + ".by_precision");
    if (bp.contains(precision)) {
      if (bp[precision].contains("by_precision"))
        throw Error(field + ".by_precision." + precision + ": nested by_precision is not allowed");
      b = read_budget(bp[precision], field + ".by_precision." + precision, b);
    }
  }
  return b;
}
}  // namespace

Suite parse_suite(const json& j, const std::string& source) {
  const std::string F = "suite";
  require_keys(j, {"name", "description", "precisions", "seeds", "budget", "targets", "primary_target",
                   "stop_at_target", "problems", "solvers", "claims"},
               F);
  Suite s;
  s.source = source;
  s.spec = j;
  s.name = get_string(j, "name", F, "", true);
  s.description = get_string(j, "description", F, "");

  std::vector<std::string> precisions{"double"};
  if (j.contains("precisions")) {
    precisions.clear();
    const json& p = get_list(j, "precisions", F);
    for (size_t i = 0; i < p.size(); ++i) {
      const std::string f = F + ".precisions[" + std::to_string(i) + "]";
      if (!p[i].is_string()) throw Error(f + ": expected a precision name, got " + p[i].dump());
      require_precision(p[i].get<std::string>(), f);
      precisions.push_back(p[i].get<std::string>());
    }
  }
  std::vector<std::uint64_t> seeds{0};
  if (j.contains("seeds")) {
    seeds.clear();
    const json& sd = get_list(j, "seeds", F);
    for (size_t i = 0; i < sd.size(); ++i) {
      if (!sd[i].is_number_unsigned())
        throw Error(F + ".seeds[" + std::to_string(i) + "]: expected an integer >= 0, got " + sd[i].dump());
      seeds.push_back(sd[i].get<std::uint64_t>());
    }
  }
  const json budget_j = j.value("budget", json::object());

  // Targets: relative gaps gap_k <= tau * gap_0, each in (0, 1).
  std::vector<std::pair<double, std::string>> tg;
  const json targets_j = j.contains("targets") ? j["targets"] : json::array({"1e-1", "1e-2", "1e-4"});
  if (!targets_j.is_array() || targets_j.empty()) throw Error(F + ".targets: expected a non-empty list of numbers");
  for (size_t i = 0; i < targets_j.size(); ++i) {
    const std::string f = F + ".targets[" + std::to_string(i) + "]";
    const double v = hyper_from_json<double>(targets_j[i], f);
    if (!(v > 0 && v < 1)) throw Error(f + ": a relative target must be in (0, 1), got " + targets_j[i].dump());
    tg.emplace_back(v, decimal_text(targets_j[i]));
  }
  std::sort(tg.begin(), tg.end(), [](auto& a, auto& b) { return a.first > b.first; });
  for (auto& [v, t] : tg) s.targets.push_back(t);
  s.primary_target = s.targets.back();
  if (j.contains("primary_target")) {
    const std::string pt = decimal_text(j["primary_target"]);
    if (std::find(s.targets.begin(), s.targets.end(), pt) == s.targets.end())
      throw Error(F + ".primary_target: " + pt + " is not one of the targets (" + join(s.targets) + ")");
    s.primary_target = pt;
  }
  bool stop_at_target = true;
  if (j.contains("stop_at_target")) {
    if (!j["stop_at_target"].is_boolean()) throw Error(F + ".stop_at_target: expected true or false");
    stop_at_target = j["stop_at_target"].get<bool>();
  }

  const json& problems = get_list(j, "problems", F);
  const json& solvers = get_list(j, "solvers", F);
  std::set<std::string> plabels, slabels;
  for (size_t pi = 0; pi < problems.size(); ++pi) {
    const std::string pf = F + ".problems[" + std::to_string(pi) + "]";
    const json& pj = problems[pi];
    require_keys(pj, {"name", "label", "params", "budget"}, pf);
    const std::string pname = get_string(pj, "name", pf, "", true);
    const std::string plabel = get_string(pj, "label", pf, pname);
    if (!plabels.insert(plabel).second) throw Error(pf + ".label: duplicate problem label '" + plabel + "'");
    const json params = pj.value("params", json::object());
    for (size_t si = 0; si < solvers.size(); ++si) {
      const std::string sf = F + ".solvers[" + std::to_string(si) + "]";
      const json& sj = solvers[si];
      require_keys(sj, {"name", "label", "hyper"}, sf);
      const std::string sname = get_string(sj, "name", sf, "", true);
      const std::string slabel = get_string(sj, "label", sf, sname);
      if (pi == 0 && !slabels.insert(slabel).second)
        throw Error(sf + ".label: duplicate solver label '" + slabel + "'");
      const json hyper = sj.value("hyper", json::object());
      for (const auto& prec : precisions) {
        Budget b = budget_for(budget_j, F + ".budget", prec, Budget{});
        if (pj.contains("budget")) b = budget_for(pj["budget"], pf + ".budget", prec, b);
        for (auto seed : seeds) {
          CellSpec c;
          c.problem = pname;
          c.problem_label = plabel;
          c.problem_params = params;
          c.solver = sname;
          c.solver_label = slabel;
          c.hyper = hyper;
          c.precision = prec;
          c.seed = seed;
          c.max_steps = b.max_steps;
          c.max_seconds = b.max_seconds;
          c.targets = s.targets;
          c.stop_at_target = stop_at_target;
          s.cells.push_back(std::move(c));
        }
      }
      if (pi == 0) {  // validate each solver's name and hyperparameters once, before anything runs
        try {
          make_solver<double>(sname, hyper);
        } catch (const Error& e) {
          throw Error(sf + ": " + e.what());
        }
      }
    }
    try {  // and each problem's name and parameters
      make_problem<double>(pname, params);
    } catch (const Error& e) {
      throw Error(pf + ": " + e.what());
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
      s.claims.push_back(cl[i].get<std::string>());
    }
  }
  for (const auto& p : precisions)
    if (p == "double" || p == "mp50") s.claim_precisions.push_back(p);
  return s;
}

std::vector<std::string> suite_directories() {
  std::vector<std::string> dirs;
  if (const char* env = std::getenv("MUONBENCH_SUITES")) dirs.push_back(env);
  dirs.push_back("suites");
  dirs.push_back(source_dir() + "/suites");
  dirs.push_back("/usr/local/share/muonbench/suites");
  return dirs;
}

std::vector<std::string> known_suites() {
  std::set<std::string> names;
  for (const auto& d : suite_directories()) {
    std::error_code ec;
    if (!fs::is_directory(d, ec)) continue;
    for (const auto& e : fs::directory_iterator(d, ec))
      if (e.path().extension() == ".json") names.insert(e.path().stem().string());
  }
  return {names.begin(), names.end()};
}

Suite load_suite(const std::string& name_or_file) {
  std::error_code ec;
  std::string path;
  if (fs::is_regular_file(name_or_file, ec)) {
    path = name_or_file;
  } else if (name_or_file.find('/') == std::string::npos && name_or_file.find(".json") == std::string::npos) {
    for (const auto& d : suite_directories()) {
      const std::string p = d + "/" + name_or_file + ".json";
      if (fs::is_regular_file(p, ec)) {
        path = p;
        break;
      }
    }
    if (path.empty()) throw_unknown("suite", name_or_file, "--suite", known_suites());
  } else {
    throw Error("--suite: no such file '" + name_or_file + "'");
  }
  const json j = load_json_file(path, "suite");
  return parse_suite(j, path);
}

}  // namespace mb
