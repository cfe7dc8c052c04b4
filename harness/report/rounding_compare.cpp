// `compare --tolerance rounding` (rounding_compare.hpp says what is compared and why).
#include "harness/report/rounding_compare.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "harness/core/error.hpp"
#include "harness/core/json_num.hpp"
#include "harness/report/json_reader.hpp"

namespace mb {

namespace {
using nlohmann::json;

// Unit roundoff of a cell's precision (mp50: 50 decimal digits).
double unit_roundoff(const std::string& precision) {
  if (precision == "float") return std::ldexp(1.0, -24);
  if (precision == "double") return std::ldexp(1.0, -53);
  return 0.5e-49;
}

// A decimal number as written in a document (JSON number, or an mp50 decimal string).
struct Decimal {
  bool ok = false, negative = false, binary = false;  // binary: a JSON number (an exact double)
  long exponent = 0;   // of the first significant digit
  std::string digits;  // significant digits, no leading zeros
  double value = NAN;
};
Decimal decimal_of(const json& v) {
  Decimal d;
  const std::string t = v.is_string() ? v.get<std::string>() : v.is_number() ? decimal_text(v) : "";
  if (t.empty()) return d;
  try {
    d.value = std::stod(t);
  } catch (...) {
    return d;
  }
  size_t i = 0;
  if (t[i] == '-' || t[i] == '+') d.negative = t[i++] == '-';
  long point = -1, count = 0, first = -1;
  for (; i < t.size() && t[i] != 'e' && t[i] != 'E'; ++i) {
    if (t[i] == '.') { point = count; continue; }
    if (t[i] < '0' || t[i] > '9') return d;
    if (first < 0 && t[i] != '0') first = count;
    if (first >= 0) d.digits += t[i];
    ++count;
  }
  const long e = i < t.size() ? std::stol(t.substr(i + 1)) : 0;
  if (point < 0) point = count;
  d.exponent = first < 0 ? 0 : point - first - 1 + e;
  while (!d.digits.empty() && d.digits.back() == '0') d.digits.pop_back();
  d.ok = std::isfinite(d.value);
  d.binary = v.is_number();
  return d;
}
// An upper bound on |a - b| good to one decimal digit at any precision (double arithmetic alone
// cannot resolve two 50-digit values that agree to 20 digits).
double difference_bound(const Decimal& a, const Decimal& b) {
  if (a.binary && b.binary) return std::abs(a.value - b.value);  // float/double cells: exact doubles
  if (a.negative != b.negative || a.exponent != b.exponent || a.digits.empty() || b.digits.empty())
    return std::abs(a.value - b.value);
  size_t i = 0;
  while (i < a.digits.size() && i < b.digits.size() && a.digits[i] == b.digits[i]) ++i;
  if (i == a.digits.size() && i == b.digits.size()) return 0;
  return std::pow(10.0, static_cast<double>(a.exponent - static_cast<long>(i) + 1));
}

std::string show(double x) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.3g", x);
  return buf;
}
std::string show(const json& v) { return v.is_null() ? "null" : v.is_string() ? v.get<std::string>() : v.dump(); }

// The verdict of one matched cell (rounding_compare.hpp: identical / within / beyond).
CellAgreement agree(const json& ra, const json& rb, const std::string& key, const std::string& precision) {
  CellAgreement c{key, "identical", "", ""};
  if (ra == rb) return c;
  auto beyond = [&](const std::string& why) { return CellAgreement{key, "beyond_rounding", why, ""}; };
  for (const char* k : {"status", "steps"})
    if (ra.value(k, json()) != rb.value(k, json())) return beyond(std::string(k) + " " + show(ra.value(k, json())) + " vs " + show(rb.value(k, json())));
  const json sa = ra.value("steps_to_target", json::object()), sb = rb.value("steps_to_target", json::object());
  std::set<std::string> targets;
  for (const auto& [t, v] : sa.items()) targets.insert(t);
  for (const auto& [t, v] : sb.items()) targets.insert(t);
  for (const auto& t : targets)
    if (sa.value(t, json()) != sb.value(t, json()))
      return beyond("steps to target " + t + ": " + show(sa.value(t, json())) + " vs " + show(sb.value(t, json())));
  c.verdict = "within_rounding";
  if (ra.value("status", "") == "diverged") return c.detail = "diverged at the same step", c;
  const json fa = ra.value("final", json::object()), fb = rb.value("final", json::object());
  const Decimal ga = decimal_of(fa.value("gap", json())), gb = decimal_of(fb.value("gap", json()));
  const json floor_a = ra.value("rounding_floor_relative", json()), floor_b = rb.value("rounding_floor_relative", json());
  const Decimal g0a = decimal_of(ra.value("gap0", json())), g0b = decimal_of(rb.value("gap0", json()));
  const Decimal va = decimal_of(fa.value("value", json())), vb = decimal_of(fb.value("value", json()));
  if (!va.ok || !vb.ok) return beyond("final value " + show(fa.value("value", json())) + " vs " + show(fb.value("value", json())));
  // One evaluation of f resolves it to ~100 u |f| (the runner's floor, 100 u |f*|, is the same
  // bound at the optimum; it is 0 where f* = 0).
  double tol = 100 * unit_roundoff(precision) * std::max(std::abs(va.value), std::abs(vb.value));
  if (ga.ok && gb.ok && floor_a.is_number() && floor_b.is_number() && g0a.ok && g0b.ok) {
    tol = std::max({tol, floor_a.get<double>() * g0a.value, floor_b.get<double>() * g0b.value});
    const double d = difference_bound(ga, gb);
    if (d > tol) return beyond("final gap " + show(ga.value) + " vs " + show(gb.value) + ": differs by " + show(d) + " > floor " + show(tol));
    c.detail = "final gaps differ by at most " + show(d) + " <= floor " + show(tol);
    return c;
  }
  const double d = difference_bound(va, vb);
  if (d > tol) return beyond("final value " + show(va.value) + " vs " + show(vb.value) + ": differs by " + show(d) + " > 100 u |f| = " + show(tol));
  c.detail = "final values differ by at most " + show(d) + " <= 100 u |f| = " + show(tol);
  return c;
}

// A results record with what its key is made of that the comparison needs again.
struct KeyedRecord {
  json record;
  std::string precision, solver;
};
std::map<std::string, KeyedRecord> records_by_key(const RoundingInput& in) {
  const JsonReader rd{in.report_path};
  const json& recs = rd.array(rd.member(in.report, "results", "report"), "records", "results");
  std::map<std::string, KeyedRecord> out;
  for (size_t i = 0; i < recs.size(); ++i) {
    const std::string where = "results.records[" + std::to_string(i) + "].cell";
    const json& cell = rd.member(recs[i], "cell", "results.records[" + std::to_string(i) + "]");
    const std::string precision = rd.text(cell, "precision", where), solver = rd.text(cell, "solver_label", where);
    std::string key = rd.text(cell, "problem_label", where) + " [" + precision + "] | " + solver + " | " +
                      rd.text(cell, "setting", where) + " | seed " + show(rd.member(cell, "seed", where));
    if (!out.emplace(key, KeyedRecord{recs[i], precision, solver}).second) rd.fail(where, "a second cell " + key);
  }
  return out;
}

std::map<std::string, std::string> claim_verdicts(const RoundingInput& in) {
  const JsonReader rd{in.report_path};
  const json& res = rd.member(in.report, "results", "report");
  std::map<std::string, std::string> out;
  if (!res.contains("claims")) return out;
  const json& claims = rd.array(res, "claims", "results");
  for (size_t i = 0; i < claims.size(); ++i) {
    const json& c = claims[i];
    const std::string where = "results.claims[" + std::to_string(i) + "]";
    std::string key = rd.text(c, "claim", where);
    for (const char* k : {"variant", "precision", "part_description"})
      if (c.contains(k) && c[k].is_string() && !c[k].get<std::string>().empty()) key += " | " + c[k].get<std::string>();
    if (c.value("decoy", false) == true) key += " | decoy";
    std::string unique = key;
    for (int n = 2; out.count(unique); ++n) unique = key + " #" + std::to_string(n);
    out[unique] = rd.text(c, "verdict", where);
  }
  return out;
}

// Workload -> [(solver, setting)] in rank order; "overall (score)" -> the score order.
std::map<std::string, std::vector<std::pair<std::string, std::string>>> rankings_of(const RoundingInput& in) {
  const JsonReader rd{in.leaderboard_path};
  const json& res = rd.member(in.leaderboard, "results", "leaderboard");
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> out;
  const json& ws = rd.array(res, "rankings_by_steps", "results");
  for (size_t w = 0; w < ws.size(); ++w) {
    const std::string where = "results.rankings_by_steps[" + std::to_string(w) + "]";
    auto& order = out[rd.text(ws[w], "workload", where)];
    const json& r = rd.array(ws[w], "ranking", where);
    for (size_t j = 0; j < r.size(); ++j)
      order.emplace_back(rd.text(r[j], "solver", where + ".ranking"), r[j].value("setting", ""));
  }
  if (res.contains("scores_by_steps")) {
    auto& order = out["overall (score)"];
    for (const auto& s : rd.array(res, "scores_by_steps", "results"))
      order.emplace_back(rd.text(s, "solver", "results.scores_by_steps"), "");
  }
  return out;
}

// (workload, sorted pair) -> (p, significant) from results.pairwise_steps.
std::map<std::string, std::pair<double, bool>> pairwise_of(const RoundingInput& in) {
  std::map<std::string, std::pair<double, bool>> out;
  const json& res = JsonReader{in.leaderboard_path}.member(in.leaderboard, "results", "leaderboard");
  if (!res.contains("pairwise_steps") || !res["pairwise_steps"].is_array()) return out;
  for (const auto& e : res["pairwise_steps"]) {
    if (!e.is_object() || !e.contains("p") || !e["p"].is_number()) continue;
    std::string x = e.value("a", ""), y = e.value("b", "");
    if (y < x) std::swap(x, y);
    out[e.value("workload", "") + "\n" + x + "\n" + y] = {e["p"].get<double>(), e.value("significant", false)};
  }
  return out;
}

std::string build_of(const json& report) {
  if (!report.contains("run") || !report["run"].contains("environment")) return "unrecorded";
  const json& e = report["run"]["environment"];
  if (!e.contains("build") || !e["build"].is_object()) return "unrecorded";
  return e["build"].value("mode", "?") + " (" + e["build"].value("isa", "?") + ")";
}

}  // namespace

RankingRule parse_ranking_rule(const std::string& t) {
  if (t == "strict") return RankingRule::strict;
  if (t == "significant") return RankingRule::significant;
  throw Error("compare: --rankings must be 'strict' or 'significant', got '" + t + "'");
}

RoundingInput load_rounding_input(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path dir = path;
  if (!fs::is_directory(path, ec)) {
    const std::string name = fs::path(path).filename().string();
    if (name != "report.json" && name != "leaderboard.json")
      throw Error("compare --tolerance rounding: '" + path + "': give a run directory, or its report.json or leaderboard.json");
    dir = fs::path(path).parent_path();
    if (dir.empty()) dir = ".";
  }
  RoundingInput in;
  in.report_path = (dir / "report.json").string();
  in.leaderboard_path = (dir / "leaderboard.json").string();
  for (const auto& p : {in.report_path, in.leaderboard_path})
    if (!fs::is_regular_file(p, ec))
      throw Error("compare --tolerance rounding needs a run's report.json and leaderboard.json side by side: '" + p +
                  "' not found");
  in.report = load_json_file(in.report_path, "compare");
  in.leaderboard = load_json_file(in.leaderboard_path, "compare");
  if (in.report.value("schema", "") != "muonbench.report")
    throw Error(in.report_path + ": schema: expected muonbench.report");
  if (in.leaderboard.value("schema", "") != "muonbench.leaderboard")
    throw Error(in.leaderboard_path + ": schema: expected muonbench.leaderboard");
  return in;
}

RoundingComparison compare_within_rounding(const RoundingInput& a, const RoundingInput& b, double alpha, RankingRule rule) {
  RoundingComparison c;
  c.source_a = a.report_path, c.source_b = b.report_path, c.alpha = alpha, c.rule = rule;
  c.build_a = build_of(a.report), c.build_b = build_of(b.report);
  const auto ca = records_by_key(a), cb = records_by_key(b);
  for (const auto& [key, ra] : ca) {
    auto it = cb.find(key);
    if (it == cb.end()) { c.only_in_a.push_back(key); continue; }
    c.cells.push_back(agree(ra.record, it->second.record, key, ra.precision));
    c.cells.back().solver = ra.solver;
    const std::string& v = c.cells.back().verdict;
    (v == "identical" ? c.identical : v == "within_rounding" ? c.within_rounding : c.beyond_rounding) += 1;
  }
  for (const auto& [key, rb] : cb)
    if (!ca.count(key)) c.only_in_b.push_back(key);
  if (c.cells.empty()) throw Error("compare: no cell of " + a.report_path + " matches one of " + b.report_path);

  const auto la = rankings_of(a), lb = rankings_of(b);
  const auto pa = pairwise_of(a), pb = pairwise_of(b);
  for (const auto& [name, oa] : la) {
    auto it = lb.find(name);
    if (it == lb.end()) {  // a ranking B does not have cannot agree
      RankingAgreement r{name, false, {}, {}, {}, {}, true};
      for (const auto& [s, set] : oa) r.order_a.push_back(s);
      c.rankings.push_back(r);
      continue;
    }
    const auto& ob = it->second;
    RankingAgreement r;
    r.ranking = name;
    std::map<std::string, size_t> pos_b;
    std::map<std::string, std::string> setting_b;
    for (size_t i = 0; i < ob.size(); ++i) pos_b[ob[i].first] = i, setting_b[ob[i].first] = ob[i].second;
    for (const auto& [s, set] : oa) r.order_a.push_back(s);
    for (const auto& [s, set] : ob) r.order_b.push_back(s);
    r.identical = oa == ob;
    for (const auto& [s, set] : oa)
      if (setting_b.count(s) && setting_b[s] != set) r.setting_changes.push_back(s + ": " + set + " -> " + setting_b[s]);
    for (size_t i = 0; i < oa.size(); ++i)
      for (size_t j = i + 1; j < oa.size(); ++j) {
        const std::string &x = oa[i].first, &y = oa[j].first;
        if (!pos_b.count(x) || !pos_b.count(y) || pos_b[x] < pos_b[y]) continue;
        PairReversal p{x, y, std::nullopt, std::nullopt, false, false};
        const std::string k = name + "\n" + std::min(x, y) + "\n" + std::max(x, y);
        if (auto f = pa.find(k); f != pa.end()) p.p_a = f->second.first, p.significant_a = f->second.second;
        if (auto f = pb.find(k); f != pb.end()) p.p_b = f->second.first, p.significant_b = f->second.second;
        r.significant_reversal = r.significant_reversal || (p.significant_a && p.significant_b);
        r.reversals.push_back(p);
      }
    c.rankings.push_back(r);
  }

  for (const auto& [name, ob] : lb)
    if (!la.count(name)) {
      RankingAgreement r{name, false, {}, {}, {}, {}, true};
      for (const auto& [s, set] : ob) r.order_b.push_back(s);
      c.rankings.push_back(r);
    }

  const auto va = claim_verdicts(a), vb = claim_verdicts(b);
  for (const auto& [key, v] : va) {
    auto it = vb.find(key);
    if (it == vb.end()) { c.claims_only_in_a.push_back(key); continue; }
    c.claims.push_back({key, v, it->second});
    c.claims_differ += v != it->second;
  }
  for (const auto& [key, v] : vb)
    if (!va.count(key)) c.claims_only_in_b.push_back(key);
  return c;
}

int rounding_exit_code(const RoundingComparison& c) {
  if (c.claims_differ > 0 || !c.claims_only_in_a.empty() || !c.claims_only_in_b.empty()) return 1;
  for (const auto& r : c.rankings)
    if (c.rule == RankingRule::strict ? !r.identical : r.significant_reversal) return 1;
  return 0;
}

}  // namespace mb
