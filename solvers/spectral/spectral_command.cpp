// muonbench spectral --map polar|ns|reg|power [map options] --precision P --in IN.json --out OUT.json
// Applies one spectral map (solvers/spectral/, docs/spectral.md) to every matrix of IN.json.
// The command lives beside the maps it runs (harness/ never includes solvers/); it registers itself
// with MB_REGISTER_COMMAND like the commands of harness/cli/. Compiled once (scalar-free).
#include <algorithm>
#include <cstdio>
#include <map>

#include "harness/core/atomic_file.hpp"
#include "harness/cli/command.hpp"
#include "harness/core/options.hpp"
#include "solvers/spectral/map_command.hpp"
#include "solvers/spectral/regularized.hpp"

namespace mb::cli {
namespace {

using spectral::MapRequest;

// Options each map accepts (besides --precision, --in, --out).
const std::map<std::string, std::vector<std::string>>& map_options() {
  static const std::map<std::string, std::vector<std::string>> m{
      {"polar", {"method"}},
      {"ns", {"schedule", "steps", "norm", "eps", "bf16", "bf16-form", "variant", "fp16", "report-error"}},
      {"reg", {"eps", "method", "smoothing", "report-error"}},
      {"power", {"p", "delta", "method", "report-error"}}};
  return m;
}

// "a,b,c;a,b,c;..." -> a list of (a, b, c) triples.
std::vector<std::array<std::string, 3>> parse_user_schedule(const std::string& text) {
  std::vector<std::array<std::string, 3>> out;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t end = std::min(text.find(';', start), text.size());
    const std::string item = text.substr(start, end - start);
    std::vector<std::string> parts;
    size_t s = 0;
    while (true) {
      const size_t c = item.find(',', s);
      parts.push_back(item.substr(s, c == std::string::npos ? std::string::npos : c - s));
      if (c == std::string::npos) break;
      s = c + 1;
    }
    const std::string field = "--schedule entry " + std::to_string(out.size() + 1);
    if (parts.size() != 3)
      throw Error(field + ": a user schedule is 'a,b,c' or 'a,b,c;a,b,c;...' (one (a, b, c) triple per step), got '" +
                  item + "'");
    for (const auto& p : parts) parse_decimal<mp50>(p, field);
    out.push_back({parts[0], parts[1], parts[2]});
    start = end + 1;
  }
  return out;
}

MapRequest parse_request(const Args& a) {
  MapRequest rq;
  rq.map = a.require("map");
  const auto& all = map_options();
  if (!all.count(rq.map)) throw_unknown("map", rq.map, "--map", spectral::map_names());
  const auto& allowed = all.at(rq.map);
  for (const std::string opt : {"schedule", "steps", "norm", "eps", "p", "delta", "method", "smoothing", "bf16",
                                "bf16-form", "variant", "fp16", "report-error"})
    if (a.has(opt) && std::find(allowed.begin(), allowed.end(), opt) == allowed.end())
      throw Error("spectral: option --" + opt + " does not apply to --map " + rq.map + "; options of --map " +
                  rq.map + ": --" + join(allowed, ", --"));

  // The map's settings as JSON, validated through Options (ranges, names, defaults).
  json j = json::object();
  for (const std::string opt : {"schedule", "norm", "eps", "p", "delta", "method", "smoothing", "bf16-form", "variant"})
    if (a.has(opt)) j[opt] = a.get(opt);
  if (a.has("steps")) {
    const std::string s = a.get("steps");
    if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos)
      throw Error("spectral: --steps must be a non-negative integer, got '" + s + "'");
    j["steps"] = a.long_integer("steps", 0, 0, 1000);
  }
  if (rq.map == "ns" && a.get("schedule").find(',') != std::string::npos) {
    rq.ns.coefficients = parse_user_schedule(a.get("schedule"));
    j["schedule"] = "custom";
  }
  Options o(j, "spectral --map " + rq.map);
  auto text = [&](const std::string& key) { return decimal_text(o.used()[key]); };

  if (rq.map == "polar") {
    o.choice("method", "svd", {"svd"}, "polar(M) = U_r V_r^T from the thin SVD");
  } else if (rq.map == "ns") {
    std::vector<std::string> names = spectral::schedule_names();
    names.pop_back();  // "custom" is spelt as the list itself
    if (!rq.ns.coefficients.empty()) names.push_back("custom");
    const std::string sched = o.choice("schedule", "jordan", names, "coefficient schedule, or a list 'a,b,c;a,b,c;...'");
    rq.ns.schedule = sched;
    rq.ns.steps = static_cast<int>(o.integer("steps", spectral::schedule_default_steps(sched), 0, 1000,
                                             "number of steps (a list's last entry repeats; default the schedule's own)"));
    rq.ns.fp16 = a.has("fp16");
    rq.ns.normalization = o.choice("norm", spectral::schedule_default_normalization(sched, rq.ns.fp16 ? "frobenius-additive" : "frobenius"),
                                   spectral::normalization_names(), "pre-normalisation (aol schedules: aol; --fp16: frobenius-additive)");
    rq.ns.variant = o.choice("variant", "plain", spectral::variant_names(),
                             "plain Newton-Schulz or Dao-AILab/gram-newton-schulz's Gram iteration (restart after step 2)");
    o.real<mp50>("eps", "1e-7", Range::positive(), "eps of the pre-normalisation");
    rq.ns.eps = text("eps");
    rq.ns.bf16 = a.has("bf16");
    if (a.has("bf16-form") && !rq.ns.bf16) throw Error("spectral --map ns: --bf16-form needs --bf16");
    rq.ns.bf16_form = o.choice("bf16-form", "addmm", {"addmm", "unfused"},
                               "bf16 step: torch.optim.Muon's fused addmm, or KellerJordan's written-out form");
    if (!rq.ns.coefficients.empty()) {
      json list = json::array();
      for (const auto& c : rq.ns.coefficients) list.push_back({c[0], c[1], c[2]});
      rq.config["coefficients"] = list;
    }
    rq.config["bf16"] = rq.ns.bf16;
    rq.config["fp16"] = rq.ns.fp16;
    spectral::validate(rq.ns);
  } else if (rq.map == "reg") {
    if (!a.has("eps")) throw Error("spectral --map reg: --eps E is required (E > 0; the map is M (M^T M + E^2 I)^(-1/2))");
    o.real<mp50>("eps", "0", Range::positive(), "smoothing: grad psi_eps(M) = M (M^T M + eps^2 I)^(-1/2)");
    rq.eps = text("eps");
    rq.smoothing = o.choice("smoothing", "sqrt", {"sqrt", "huber"}, "sqrt: grad psi_eps; huber: Proj(M / eps)");
    rq.method = o.choice("method", "eig", spectral::reg_method_names(), "eigendecomposition or coupled Newton");
    if (rq.smoothing == "huber" && rq.method != "eig")
      throw Error("spectral --map reg: --smoothing huber is computed by --method eig only");
  } else {  // power
    if (!a.has("p")) throw Error("spectral --map power: --p P is required (P in [0, 1])");
    o.real<mp50>("p", "0", Range::unit_closed(), "exponent: U Sigma^p V^T");
    o.real<mp50>("delta", "0", Range::nonnegative(), "regularisation: M (M^T M + delta I)^((p-1)/2)");
    rq.power.p = text("p");
    rq.power.delta = text("delta");
    rq.power.method = o.choice("method", "svd", spectral::power_method_names(), "SVD or coupled Newton");
    spectral::validate(rq.power);
  }
  o.finish();
  rq.report_error = a.has("report-error");
  for (auto it = o.used().begin(); it != o.used().end(); ++it) rq.config[it.key()] = it.value();
  return rq;
}

json band_json(const spectral::ScheduleBand& b) {
  return {{"schedule", b.schedule}, {"source", spectral::schedule_source(b.schedule)},
          {"steps", b.steps},       {"matmuls", b.matmuls},
          {"gemms", b.gemms},       {"x_range", {b.lo, b.hi}},
          {"band", {b.min, b.max}}, {"argmin", b.argmin},
          {"argmax", b.argmax}};
}

// --describe-schedule NAME|all [--steps K]: the computed band (newton_schulz.hpp describe_schedule).
int describe(const Args& a) {
  for (const std::string opt : {"map", "norm", "eps", "p", "delta", "method", "smoothing", "bf16-form", "variant",
                                "precision", "in", "max-entries", "bf16", "fp16", "report-error"})
    if (a.has(opt)) throw Error("spectral --describe-schedule: option --" + opt + " does not apply (only --steps, --out)");
  const std::string name = a.get("describe-schedule");
  std::vector<std::string> names;
  if (name == "all") {
    names = spectral::schedule_names();
    names.pop_back();  // custom
  } else if (name.find(',') != std::string::npos) {
    throw Error("spectral --describe-schedule: give a schedule name (or all), not a list");
  } else {
    names = {name};
  }
  json out = json::array();
  for (const auto& n : names) {
    spectral::NewtonSchulzConfig c;
    c.schedule = n;
    c.steps = a.has("steps") ? static_cast<int>(a.long_integer("steps", 5, 0, 1000)) : spectral::schedule_default_steps(n);
    const auto b = spectral::describe_schedule(c);
    out.push_back(band_json(b));
    std::printf("%-26s steps %2d  matmuls %2d  gemms %4.1f  band over x in [%g, %g]: [%.6f, %.6f] (at x = %.4g, %.4g)\n",
                n.c_str(), b.steps, b.matmuls, b.gemms, b.lo, b.hi, b.min, b.max, b.argmin, b.argmax);
  }
  const json j = name == "all" ? out : out[0];
  std::printf("%s\n", j.dump().c_str());
  if (a.has("out")) {
    require_writable_file(a.get("out"), "--out");
    write_file_atomic(a.get("out"), j.dump(1) + "\n");
  }
  return 0;
}

int cmd_spectral(const std::vector<std::string>& argv) {
  Args a(argv, "spectral",
         {"map", "schedule", "steps", "norm", "eps", "p", "delta", "method", "smoothing", "bf16-form", "variant",
          "precision", "in", "out", "max-entries", "describe-schedule"},
         {"bf16", "fp16", "report-error"});
  if (a.has("describe-schedule")) return describe(a);
  MapRequest rq = parse_request(a);
  rq.max_entries = a.long_integer("max-entries", kDefaultMaxMatrixEntries, 1, kMaxMatrixEntriesLimit);
  const Precision precision = parse_precision(a.require("precision"), "--precision");
  const std::string out = a.require("out");
  require_writable_file(out, "--out");
  const json in = load_json_file(a.require("in"), "--in");
  const json result = spectral::run_map(rq, precision, in);
  write_file_atomic(out, result.dump(1) + "\n");
  return 0;
}

}  // namespace

MB_REGISTER_COMMAND(
    "spectral", "apply a spectral map (polar, Newton-Schulz, regularised polar, spectral power) to matrices",
    "usage: muonbench spectral --map polar|ns|reg|power [map options] --precision double|mp50|float\n"
    "                          --in IN.json --out OUT.json [--report-error] [--max-entries N]\n"
    "  IN.json:  {\"matrices\": [M, ...]}, each M a list of rows; entries JSON numbers (taken as their exact\n"
    "            binary64 value) or decimal strings (exact in every precision).\n"
    "  OUT.json: {\"map\", \"precision\", \"config\", \"results\": [R, ...], \"reports\": [...]}, each R a list of rows\n"
    "            of decimal strings with every significant digit (9 float, 17 double, 53 mp50).\n"
    "maps and their options:\n"
    "  polar   U_r V_r^T from the SVD (singular values <= max(m,n) eps sigma_max count as zero)\n"
    "  ns      Newton-Schulz: --schedule jordan|you|polar-express|polar-express-unmodified|polar-express-1.01|\n"
    "          polar-express-1.05|cans|aol|aol-nemo|deepseek-v4|cubic5|classic|cubic or a list 'a,b,c;a,b,c;...'\n"
    "          (default jordan), --steps K (default 5), --norm frobenius|frobenius-additive|spectral|schatten|\n"
    "          aol|none (default frobenius: X / max(||X||_F, eps)), --eps E (default 1e-7), --bf16 (emulate\n"
    "          bfloat16 arithmetic as torch.optim.Muon), --bf16-form addmm|unfused (default addmm: torch's\n"
    "          fused steps; unfused: KellerJordan/Muon's b*A + c*A@A, a*X + B@X), --variant plain|gram (gram:\n"
    "          Dao-AILab/gram-newton-schulz, restart after step 2), --fp16 (emulate its float16 arithmetic)\n"
    "  reg     M (M^T M + E^2 I)^(-1/2): --eps E (required, > 0), --method eig|newton (default eig),\n"
    "          --smoothing sqrt|huber (huber: Proj_{||.||_op <= 1}(M / E))\n"
    "  power   U Sigma^P V^T: --p P (required, in [0, 1]), --delta D (default 0: M (M^T M + D I)^((P-1)/2)),\n"
    "          --method svd|newton (default svd; newton: coupled Newton iterations, no SVD)\n"
    "  --report-error  (ns, reg, power) adds each result's a-posteriori error ||R - exact map||_op\n"
    "  --max-entries N  largest matrix accepted, in entries (default 1048576 = 1024 x 1024)\n"
    "or: muonbench spectral --describe-schedule NAME|all [--steps K] [--out OUT.json]: the computed band\n"
    "  [min, max] of the whole schedule q(x / f) over x = sigma / ||G|| in [1e-3, 1] (mp50), steps, matmuls.\n"
    "The zero matrix maps to zero; the scale-invariant maps (polar, ns with a norm, power with delta 0, reg with\n"
    "eps scaled alike) are computed correctly for any finite input, however large or small (the input is\n"
    "rescaled by a power of two first). Bad input (empty or ragged matrices, NaN/Inf, out-of-range options)\n"
    "exits with status 2 and a message naming the field; nothing is written.\n",
    cmd_spectral);

}  // namespace mb::cli

namespace mb::spectral {

const std::vector<std::string>& map_names() {
  static const std::vector<std::string> n{"polar", "ns", "reg", "power"};
  return n;
}

json run_map(const MapRequest& request, Precision precision, const json& in) {
  return dispatch(precision, [&](auto tag) { return map_in<typename decltype(tag)::type>(request, in); });
}

}  // namespace mb::spectral
