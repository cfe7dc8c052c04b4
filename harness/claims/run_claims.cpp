#include <algorithm>
#include <chrono>
#include <mutex>

#include "harness/claims/run_claims.hpp"

#include "harness/solver.hpp"
#include "harness/core/error.hpp"
#include "harness/engine/runner.hpp"

namespace mb {

std::string to_string(Verdict v) {
  switch (v) {
    case Verdict::holds: return "holds";
    case Verdict::violated: return "violated";
    default: return "inconclusive";
  }
}

std::vector<std::string> claim_names() { return Registry<ClaimInfo>::instance().names(); }

namespace {
template <class T>
std::vector<ClaimOutcome> call(const std::string& name, const ClaimContext& ctx) {
  return Registry<ClaimFn<T>>::instance().get(name, "claim").run(ctx);
}

// The outcome contract of claim.hpp; throws mb::Error naming the claim when it is broken (a bug
// in the claim, not in the user's input, but one that must never produce a silent verdict).
void check_contract(const ClaimInfo& info, const std::string& precision, bool decoys,
                    const std::vector<ClaimOutcome>& outs) {
  const std::string where = "claim '" + info.name + "' (" + precision + ")";
  auto declared = [](const std::vector<std::pair<std::string, std::string>>& list, const std::string& v) {
    for (const auto& [n, d] : list)
      if (n == v) return true;
    return false;
  };
  std::vector<std::string> seen;
  for (const auto& o : outs) {
    const std::string w = where + ", outcome '" + o.variant + "'";
    const bool is_decoy = declared(info.decoys, o.variant);
    const bool is_part = info.parts.empty() ? o.variant == "claim" : declared(info.parts, o.variant);
    if (!is_decoy && !is_part) throw Error(w + ": not a declared part or decoy");
    if (o.decoy != is_decoy) throw Error(w + ": decoy flag does not match the declaration");
    if (o.tolerance_source.empty()) throw Error(w + ": empty tolerance_source");
    if (o.verdict != Verdict::holds && o.reason.empty()) throw Error(w + ": verdict " + to_string(o.verdict) + " without a reason");
    if (std::find(seen.begin(), seen.end(), o.variant) != seen.end()) throw Error(w + ": returned twice");
    seen.push_back(o.variant);
  }
  std::vector<std::string> required;
  if (info.parts.empty()) required.push_back("claim");
  for (const auto& [n, d] : info.parts) required.push_back(n);
  if (decoys)
    for (const auto& [n, d] : info.decoys) required.push_back(n);
  for (const auto& r : required)
    if (std::find(seen.begin(), seen.end(), r) == seen.end()) throw Error(where + ": no outcome for '" + r + "'");
}

// The resolution a true outcome must reach (docs/claims.md): 1.05 for a sharp value or identity,
// 1.5 for a one-sided bound, none (null, with the reason) for a declared composed bound; decoys
// report their resolution (how far the wrong constant is from turning) without a target.
json resolution_target(const ClaimInfo& info, const ClaimOutcome& o, std::string& why) {
  if (o.decoy) return nullptr;
  for (const auto& [n, d] : info.composed)
    if (n == o.variant) {
      why = "composed bound: " + d;
      return nullptr;
    }
  return o.kind == "sharp" ? 1.05 : 1.5;
}

json outcome_json(const ClaimInfo& info, const std::string& precision, const ClaimOutcome& o) {
  std::string what, part, target_note;
  const json target = resolution_target(info, o, target_note);
  for (const auto& [n, d] : info.decoys)
    if (n == o.variant) what = d;
  for (const auto& [n, d] : info.parts)
    if (n == o.variant) part = d;
  return {{"claim", info.name},
          {"precision", precision},
          {"variant", o.variant},
          {"decoy", o.decoy},
          {"decoy_description", what},
          {"part_description", part},
          {"expected", o.decoy ? "violated" : "holds"},
          {"verdict", to_string(o.verdict)},
          {"reason", o.reason},
          {"statement", info.statement},
          {"formula", info.formula},
          {"source", info.source},
          {"tolerance_model", info.tolerance_model},
          {"instance", o.instance},
          {"measured", o.measured},
          {"predicted", o.predicted},
          {"margin", o.margin},
          {"tolerance", o.tolerance},
          {"tolerance_source", o.tolerance_source},
          {"kind", o.kind},
          {"resolution", o.resolution},
          {"resolution_note", o.resolution_note},
          {"resolution_target", target},
          {"resolution_target_note", target_note},
          {"tightness", o.tightness},
          {"extra", o.extra}};
}
}  // namespace

std::vector<std::string> claims_taking_a_solver() {
  std::vector<std::string> out;
  for (const auto& [n, i] : Registry<ClaimInfo>::instance().all())
    if (!i.solver_role.empty()) out.push_back(n);
  return out;
}

ClaimsRun run_claims(const std::vector<std::string>& names, const std::vector<Precision>& precisions, bool decoys,
                     int threads, const std::string& solver, const json& solver_hyper) {
  for (const auto& n : names) Registry<ClaimInfo>::instance().get(n, "claim", "--claim");
  if (!solver.empty()) {
    for (const auto& n : names)
      if (Registry<ClaimInfo>::instance().get(n, "claim").solver_role.empty())
        throw Error("--solver: claim '" + n + "' is not about a solver; the claims that take one: " +
                    join(claims_taking_a_solver()) + " (give them with --claim)");
    for (const auto p : precisions)
      dispatch(p, [&](auto tag) {  // an unknown solver or hyperparameter, or mp50 for an external one
        make_solver<typename decltype(tag)::type>(solver, solver_hyper, "--solver");
      });
  }
  for (const auto p : precisions)
    if (!info(p).claims) throw_unknown("claim precision", precision_name(p), "--precision", claim_precision_names());
  struct Task {
    std::string name;
    Precision precision;
  };
  std::vector<Task> tasks;
  for (const auto& p : precisions)
    for (const auto& n : names) tasks.push_back({n, p});
  // The costly precisions first (the slow tasks start first).
  std::stable_sort(tasks.begin(), tasks.end(),
                   [](const Task& a, const Task& b) { return info(a.precision).cost > info(b.precision).cost; });
  std::vector<json> results(tasks.size());
  std::vector<double> secs(tasks.size());
  ClaimContext ctx{decoys, solver, solver_hyper};
  parallel_for(tasks.size(), threads, [&](size_t i) {
    const auto t0 = std::chrono::steady_clock::now();
    const auto& t = tasks[i];
    const ClaimInfo& claim = Registry<ClaimInfo>::instance().get(t.name, "claim");
    std::vector<ClaimOutcome> outs =
        dispatch(t.precision, [&](auto tag) { return call<typename decltype(tag)::type>(t.name, ctx); });
    if (!solver.empty())  // which solver the statement was checked on, in every outcome
      for (auto& o : outs) o.instance["solver_checked"] = {{"name", solver}, {"in_place_of", claim.solver_role}};
    check_contract(claim, precision_name(t.precision), decoys, outs);
    json arr = json::array();
    for (const auto& o : outs)
      if (decoys || !o.decoy) arr.push_back(outcome_json(claim, precision_name(t.precision), o));
    results[i] = arr;
    secs[i] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  });
  // Deterministic order: by claim name, then precision as requested, then variant order.
  ClaimsRun out;
  for (const auto& n : names)
    for (const auto& p : precisions)
      for (size_t i = 0; i < tasks.size(); ++i)
        if (tasks[i].name == n && tasks[i].precision == p) {
          for (auto& r : results[i]) out.outcomes.push_back(r);
          out.timing[n + "/" + precision_name(p)] = secs[i];
        }
  return out;
}

std::vector<bool> claims_as_expected(const json& outcomes) {
  // An outcome is as expected when its verdict is the expected one: a decoy `violated`, a true
  // statement `holds`. `inconclusive` is never as expected, in any precision (issue 16 item 10).
  std::vector<bool> ok;
  for (const auto& c : outcomes) ok.push_back(c.at("verdict") == c.at("expected"));
  return ok;
}

}  // namespace mb
