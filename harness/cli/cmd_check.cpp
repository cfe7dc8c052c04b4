// muonbench check [--claim NAME...] [--precision double,mp50] [--decoys] --out FILE
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "harness/core/atomic_file.hpp"
#include "harness/claims/run_claims.hpp"
#include "harness/cli/command.hpp"
#include "harness/report/environment.hpp"
#include "harness/report/report.hpp"
#include "harness/solver.hpp"

namespace mb::cli {
namespace {

// A reported value as a double, at full precision (mp50 values are decimal strings); null -> +inf.
double value_of(const json& v) {
  if (v.is_number()) return v.get<double>();
  if (v.is_string()) return std::strtod(v.get<std::string>().c_str(), nullptr);
  return INFINITY;
}
// A margin or tolerance for the terminal: 4 significant digits.
std::string short_number(const json& v) {
  if (!v.is_number() && !v.is_string()) return v.dump();
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", value_of(v));
  return buf;
}

int cmd_check(const std::vector<std::string>& argv) {
  Args a(argv, "check", {"claim", "precision", "out", "threads", "solver", "solver-hyper"},
         {"decoys", "quiet", "require-resolution", "allow-external"});
  const std::string solver = a.get("solver");
  json solver_hyper = json::object();
  if (a.has("solver-hyper")) {
    if (solver.empty()) throw Error("--solver-hyper: give --solver NAME too");
    solver_hyper = json_arg(a.get("solver-hyper"), "--solver-hyper");
    if (!solver_hyper.is_object())
      throw Error("--solver-hyper: expected a JSON object of hyperparameters, got " + solver_hyper.dump());
    require_external_allowed(solver, "--solver-hyper", a.get("solver-hyper"), solver_hyper, a.has("allow-external"));
  }
  // By default the claims that take a solver (with --solver) or all of them.
  const auto names = a.list("claim", solver.empty() ? claim_names() : claims_taking_a_solver());
  // An external solver runs in double only (the protocol exchanges IEEE blocks).
  const auto precision_list = a.list("precision", solver == external_solver_name() ? std::vector<std::string>{"double"}
                                                                                   : claim_precision_names());
  const std::string out = a.require("out");
  require_writable_file(out, "--out");
  const int threads = a.integer("threads", default_threads(), 1, 1024);
  std::vector<Precision> precisions;
  for (const auto& p : precision_list) precisions.push_back(parse_claim_precision(p, "--precision"));
  const std::string started = utc_now_iso8601();
  const auto t0 = std::chrono::steady_clock::now();
  const ClaimsRun run = run_claims(names, precisions, a.has("decoys"), threads, solver, solver_hyper);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  size_t as_expected = 0, total = 0;
  const std::vector<bool> ok = claims_as_expected(run.outcomes);
  for (const auto& c : run.outcomes) {
    as_expected += ok[total];
    if (!a.has("quiet")) {
      std::printf("%-20s %-6s %-30s expected %-9s got %-13s margin %-12s tolerance %-12s resolution %-10s%s\n",
                  c["claim"].get<std::string>().c_str(), c["precision"].get<std::string>().c_str(),
                  c["variant"].get<std::string>().c_str(), c["expected"].get<std::string>().c_str(),
                  c["verdict"].get<std::string>().c_str(), short_number(c["margin"]).c_str(),
                  short_number(c["tolerance"]).c_str(), short_number(c["resolution"]).c_str(),
                  ok[total] ? "" : "   <-- NOT AS EXPECTED");
      if (c["verdict"] != "holds") std::printf("%20s reason: %s\n", "", c["reason"].get<std::string>().c_str());
    }
    ++total;
  }
  // Inconclusive outcomes never count as expected; name them together, with why.
  std::vector<std::string> inconclusive;
  for (const auto& c : run.outcomes)
    if (c["verdict"] == "inconclusive")
      inconclusive.push_back(c["claim"].get<std::string>() + " (" + c["precision"].get<std::string>() + ") " +
                             c["variant"].get<std::string>() + ": " + c["reason"].get<std::string>());
  if (!inconclusive.empty()) {
    std::fprintf(stderr, "%zu inconclusive outcome(s), not as expected:\n", inconclusive.size());
    for (const auto& l : inconclusive) std::fprintf(stderr, "  %s\n", l.c_str());
  }
  // Resolution targets (docs/claims.md): judged in mp50, where rounding does not limit them.
  double worst_sharp = 0, worst_all = 0;
  std::vector<std::string> over;
  const std::string mp50 = precision_name(Precision::mp50);
  for (const auto& c : run.outcomes) {
    if (c["decoy"].get<bool>() || c["precision"] != mp50 || c["resolution_target"].is_null()) continue;
    const double target = value_of(c["resolution_target"]);
    // Judged at full precision: a resolution of 1.05004 is over 1.05 even if it prints as 1.05.
    const std::string r_text = short_number(c["resolution"]);
    const double r = value_of(c["resolution"]);
    if (c["kind"] == "sharp") worst_sharp = std::max(worst_sharp, r);
    worst_all = std::max(worst_all, r);
    if (!(r <= target))
      over.push_back(c["claim"].get<std::string>() + "/" + c["variant"].get<std::string>() + " " +
                     (c["resolution"].is_null() ? "null: " + c["resolution_note"].get<std::string>() : r_text) + " > " +
                     short_number(c["resolution_target"]));
  }
  if (!a.has("quiet") && (worst_all > 0 || !over.empty())) {
    std::printf("resolution in %s: largest %.4g among sharp parts (target 1.05), %.4g among all parts with a target\n",
                mp50.c_str(), worst_sharp, worst_all);
    for (const auto& o : over) std::printf("  over its target: %s\n", o.c_str());
  }
  json outcomes = run.outcomes;
  for (size_t i = 0; i < outcomes.size(); ++i) outcomes[i]["as_expected"] = static_cast<bool>(ok[i]);
  const json doc = {{"schema", "muonbench.claims"},
                    {"schema_version", kReportSchemaVersion},
                    {"muonbench_version", version_string()},
                    {"results", {{"claims", outcomes}, {"as_expected", as_expected}, {"total", total}}},
                    {"run", {{"environment", environment_json(threads)},
                             {"date", started},
                             {"wall_seconds", wall},
                             {"claims", run.timing}}}};
  write_file_atomic(out, doc.dump(1) + "\n");
  if (!a.has("quiet")) std::printf("%zu of %zu outcomes as expected; wrote %s\n", as_expected, total, out.c_str());
  if (a.has("require-resolution") && !over.empty()) {
    std::fprintf(stderr, "%zu part(s) over their resolution target (--require-resolution):\n", over.size());
    for (const auto& o : over) std::fprintf(stderr, "  %s\n", o.c_str());
    return 3;
  }
  return as_expected == total ? 0 : 3;
}

}  // namespace

MB_REGISTER_COMMAND("check", "check theory claims (and their decoys) in double and mp50",
                    "usage: muonbench check [--claim NAME[,NAME...]] [--precision double,mp50] [--decoys]\n"
                    "                       [--threads N] [--quiet] [--require-resolution] --out FILE\n"
                    "                       [--solver NAME [--solver-hyper JSON|FILE] [--allow-external]]\n"
                    "  Runs each claim (default: all) in each precision and writes the claims report.\n"
                    "  With --decoys, each claim's deliberately wrong variants run too and must be 'violated'.\n"
                    "  Every outcome reports its resolution (docs/claims.md); with --require-resolution, a true part\n"
                    "  over its target in mp50 (1.05 sharp, 1.5 bound) is an error too.\n"
                    "  --solver NAME [--solver-hyper JSON|FILE]: the claims about a solver (default: all of them; 'list'\n"
                    "  marks them) run NAME, a built-in, plugin or external solver, in place of their own, with the\n"
                    "  theorem's hyperparameters (lr = 1/L...) added to JSON's. An external solver runs in double; a\n"
                    "  FILE naming one needs --allow-external (docs/plugins.md \"Claims on your solver\").\n"
                    "  Exit status 3 if any outcome differs from what is expected (inconclusive never is).\n",
                    cmd_check);

}  // namespace mb::cli
