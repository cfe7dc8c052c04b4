#include "harness/engine/plan.hpp"

#include "harness/core/error.hpp"
#include "harness/engine/suite.hpp"
#include "harness/report/environment.hpp"

namespace mb {

json CellSpec::to_json() const {
  return {{"problem", problem},
          {"problem_label", problem_label},
          {"problem_params", problem_params},
          {"solver", solver},
          {"solver_label", solver_label},
          {"setting", setting},
          {"hyper", hyper},
          {"precision", precision_name(precision)},
          {"seed", seed},
          {"max_steps", max_steps},
          {"max_seconds", max_seconds},
          {"targets", targets},
          {"stop_at_target", stop_at_target}};
}

std::string CellSpec::id() const { return content_hash(to_json().dump() + "|" + version_string()); }

std::string CellSpec::workload() const { return problem_label + " [" + precision_name(precision) + "]"; }

CellSpec cell_from_json(const json& j) {
  CellSpec c;
  c.problem = j.at("problem").get<std::string>();
  c.problem_label = j.at("problem_label").get<std::string>();
  c.problem_params = j.at("problem_params");
  c.solver = j.at("solver").get<std::string>();
  c.solver_label = j.at("solver_label").get<std::string>();
  c.setting = j.at("setting").get<std::string>();
  c.hyper = j.at("hyper");
  c.precision = parse_precision(j.at("precision").get<std::string>(), "cell.precision");
  c.seed = j.at("seed").get<std::uint64_t>();
  c.max_steps = j.at("max_steps").get<long>();
  c.max_seconds = j.at("max_seconds").get<double>();
  c.targets = j.at("targets").get<std::vector<std::string>>();
  c.stop_at_target = j.at("stop_at_target").get<bool>();
  return c;
}

std::string ClaimTask::id() const { return content_hash("claim|" + claim + "|" + precision_name(precision) + "|" + version_string()); }

RunPlan shard_plan(const RunPlan& plan, int k, int n) {
  if (n < 1 || k < 1 || k > n) throw Error("--shard: expected k/N with 1 <= k <= N");
  RunPlan out;
  const size_t N = static_cast<size_t>(n), K = static_cast<size_t>(k - 1);
  for (size_t i = 0; i < plan.size(); ++i) {
    if (i % N != K) continue;
    if (plan.is_cell(i))
      out.cells.push_back(plan.cells[i]);
    else
      out.claims.push_back(plan.claim(i));
  }
  return out;
}

std::pair<int, int> parse_shard(const std::string& text) {
  const auto slash = text.find('/');
  auto number = [&](const std::string& s) {
    if (s.empty() || s.size() > 6 || s.find_first_not_of("0123456789") != std::string::npos)
      throw Error("--shard: expected k/N with integers 1 <= k <= N, got '" + text + "'");
    return std::stoi(s);
  };
  if (slash == std::string::npos) throw Error("--shard: expected k/N (e.g. 1/4), got '" + text + "'");
  const int k = number(text.substr(0, slash)), n = number(text.substr(slash + 1));
  if (n < 1 || k < 1 || k > n) throw Error("--shard: expected 1 <= k <= N, got '" + text + "'");
  return {k, n};
}

}  // namespace mb
