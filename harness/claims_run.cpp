#include <chrono>
#include <mutex>

#include "harness/claim.hpp"
#include "harness/error.hpp"
#include "harness/runner.hpp"

namespace mb {

std::string to_string(Verdict v) {
  switch (v) {
    case Verdict::holds: return "holds";
    case Verdict::violated: return "violated";
    default: return "inconclusive";
  }
}

std::vector<std::string> claim_names() { return Registry<ClaimInfo>::instance().names(); }
const std::vector<std::string>& claim_precisions() {
  static const std::vector<std::string> p{"double", "mp50"};
  return p;
}

namespace {
template <class T>
std::vector<ClaimOutcome> call(const std::string& name, const ClaimContext& ctx) {
  return Registry<ClaimFn<T>>::instance().get(name, "claim").run(ctx);
}

json outcome_json(const ClaimInfo& info, const std::string& precision, const ClaimOutcome& o) {
  std::string what;
  for (const auto& [n, d] : info.decoys)
    if (n == o.variant) what = d;
  return {{"claim", info.name},
          {"precision", precision},
          {"variant", o.variant},
          {"decoy", o.decoy},
          {"decoy_description", what},
          {"expected", o.decoy ? "violated" : "holds"},
          {"verdict", to_string(o.verdict)},
          {"reason", o.reason},
          {"statement", info.statement},
          {"formula", info.formula},
          {"source", info.source},
          {"instance", o.instance},
          {"measured", o.measured},
          {"predicted", o.predicted},
          {"margin", o.margin},
          {"tolerance", o.tolerance},
          {"tolerance_source", o.tolerance_source},
          {"extra", o.extra}};
}
}  // namespace

ClaimsRun run_claims(const std::vector<std::string>& names, const std::vector<std::string>& precisions, bool decoys,
                     int threads) {
  for (const auto& n : names) Registry<ClaimInfo>::instance().get(n, "claim", "--claim");
  for (const auto& p : precisions) {
    bool ok = false;
    for (const auto& q : claim_precisions()) ok = ok || p == q;
    if (!ok) throw_unknown("claim precision", p, "--precision", claim_precisions());
  }
  struct Task {
    std::string name, precision;
  };
  std::vector<Task> tasks;
  for (const auto& p : precisions)
    for (const auto& n : names) tasks.push_back({n, p});
  // mp50 tasks are the slow ones: start them first.
  std::stable_sort(tasks.begin(), tasks.end(), [](const Task& a, const Task& b) {
    return (a.precision == "mp50") > (b.precision == "mp50");
  });
  std::vector<json> results(tasks.size());
  std::vector<double> secs(tasks.size());
  ClaimContext ctx{decoys};
  parallel_for(tasks.size(), threads, [&](size_t i) {
    const auto t0 = std::chrono::steady_clock::now();
    const auto& t = tasks[i];
    const ClaimInfo& info = Registry<ClaimInfo>::instance().get(t.name, "claim");
    std::vector<ClaimOutcome> outs = t.precision == "mp50" ? call<mp50>(t.name, ctx) : call<double>(t.name, ctx);
    json arr = json::array();
    for (const auto& o : outs)
      if (decoys || !o.decoy) arr.push_back(outcome_json(info, t.precision, o));
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
          out.timing[n + "/" + p] = secs[i];
        }
  return out;
}

}  // namespace mb
