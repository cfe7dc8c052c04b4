#include "harness/report/html.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <sstream>

#include "harness/report/html_assets.hpp"

namespace mb {

std::string html_escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      case '\'': o += "&#39;"; break;
      default: o += c;
    }
  }
  return o;
}

namespace {
const json kNull;

std::string text_of(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "";
  return v.dump();
}
const json& field(const json& obj, const char* key) {
  if (!obj.is_object()) return kNull;
  const auto it = obj.find(key);
  return it == obj.end() ? kNull : *it;
}
// A number from a JSON number or a decimal string (mp50); NaN otherwise.
double number_of(const json& v) {
  if (v.is_number()) return v.get<double>();
  if (v.is_string()) {
    char* end = nullptr;
    const std::string s = v.get<std::string>();
    const double x = std::strtod(s.c_str(), &end);
    if (end != s.c_str() && *end == '\0') return x;
  }
  return NAN;
}
std::string fmt(double x, const char* spec = "%.4g") {
  char buf[64];
  std::snprintf(buf, sizeof buf, spec, x);
  return buf;
}
std::string attr(const char* name, const std::string& value) {
  std::string a = " ";
  a += name;
  a += "=\"";
  a += html_escape(value);
  a += "\"";
  return a;
}

// A cell: its text, and the sort key in data-v (numbers; unreached/unknown sort last as Infinity).
// mp50 values arrive as decimal strings: shown to 4 digits like the others (the report keeps them all).
std::string num_cell(const json& v, bool integer = false, const std::string& title = "") {
  const std::string t = title.empty() ? "" : attr("title", title);
  const double x = number_of(v);
  if (std::isnan(x) && v.is_string()) return "<td" + t + ">" + html_escape(v.get<std::string>()) + "</td>";
  if (std::isnan(x)) return "<td data-v=\"Infinity\" class=na" + t + ">&ndash;</td>";
  return "<td data-v=\"" + fmt(x, "%.17g") + "\"" + t + ">" +
         fmt(x, integer && x == std::floor(x) ? "%.0f" : "%.4g") + "</td>";
}
std::string text_cell(const std::string& s, const std::string& cls = "", const std::string& title = "") {
  std::string c = "<td";
  if (!cls.empty()) c += attr("class", cls);
  if (!title.empty()) c += attr("title", title);
  return c + ">" + html_escape(s) + "</td>";
}
std::string head(const std::vector<std::string>& cols) {
  std::string h = "<thead><tr>";
  for (const auto& c : cols) h += "<th title=\"click to sort\">" + html_escape(c) + "</th>";
  return h + "</tr></thead>";
}
std::string range_text(const json& spread) {
  const double lo = number_of(field(spread, "q20")), hi = number_of(field(spread, "q80"));
  return std::isnan(lo) || std::isnan(hi) ? "" : fmt(lo) + " – " + fmt(hi);
}
// A 95 % interval [low, high]; null ends are infinite (a median beyond the unreached seeds).
std::string ci_text(const json& ci) {
  if (!ci.is_array() || ci.size() != 2) return "";
  auto end = [](const json& v) { return v.is_null() ? std::string("∞") : fmt(number_of(v)); };
  return "[" + end(ci[0]) + ", " + end(ci[1]) + "]";
}
std::string list_text(const json& a) {
  std::string s;
  if (a.is_array())
    for (const auto& v : a) s += (s.empty() ? "" : ", ") + (v.is_null() ? std::string("–") : fmt(number_of(v)));
  return s;
}
// The per-seed values behind a median, as a tooltip.
std::string seeds_title(const json& row) {
  if (!field(row, "values").is_array()) return "";
  std::string t = "per seed";
  if (field(row, "seeds_used").is_array()) t += " (seeds " + list_text(row["seeds_used"]) + ")";
  return t + ": " + list_text(row["values"]);
}
// "3/5 seeds", greyed when fewer than k of the n seeds reach the target (AlgoPerf's k-of-n rule).
std::string k_of_n_cell(const json& row) {
  const json& kn = field(row, "k_of_n");
  if (!kn.is_object())
    return text_cell(text_of(field(row, "reached")) + "/" + text_of(field(row, "seeds")));
  const bool counts = field(kn, "counts").is_boolean() && kn["counts"].get<bool>();
  const std::string title = counts ? "counts: at least " + text_of(field(kn, "k")) + " seeds reach the target"
                                   : "does not count: fewer than " + text_of(field(kn, "k")) + " seeds reach the target";
  return "<td data-v=\"" + text_of(field(kn, "reached")) + "\"" + (counts ? "" : " class=\"nc\"") + attr("title", title) +
         ">" + text_of(field(kn, "reached")) + "/" + text_of(field(kn, "n")) + " seeds</td>";
}

// COCO's runtime ECDF (Hansen et al., "COCO: a platform for comparing continuous optimizers",
// 2021): the fraction of (workload, target) pairs a solver has reached by x steps or seconds, one
// step curve per solver on a log x axis, drawn as an inline SVG so that the page stays one file.
std::string ecdf_svg(const json& ecdf, const json& solvers, const std::string& what) {
  const double L = 52, R = 330, T = 24, B = 250;
  double xmin = INFINITY, xmax = 0;
  for (const auto& s : solvers)
    for (const auto& x : field(field(field(ecdf, "solvers"), s.get<std::string>().c_str()), "x"))
      if (number_of(x) > 0) xmin = std::min(xmin, number_of(x)), xmax = std::max(xmax, number_of(x));
  std::ostringstream o;
  o << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"520\" height=\"290\" role=\"img\""
    << attr("id", "ecdf-" + what) << "><title>runtime ECDF by " << what << "</title>"
    << "<text x=\"" << L << "\" y=\"15\" font-weight=\"600\">runtime ECDF, " << what << " (" << text_of(field(ecdf, "pairs"))
    << " (workload, target) pairs)</text>";
  if (!(xmax > 0)) return o.str() + "<text x=\"60\" y=\"120\">no (workload, target) pair reached</text></svg>";
  double lo = std::floor(std::log10(xmin)), hi = std::ceil(std::log10(xmax));
  if (hi <= lo) hi = lo + 1;
  auto X = [&](double x) { return L + (std::log10(std::max(x, std::pow(10, lo))) - lo) / (hi - lo) * (R - L); };
  auto Y = [&](double y) { return B - y * (B - T); };
  o << "<g stroke=\"#ddd\">";
  for (double k = lo; k <= hi; ++k) o << "<line x1=\"" << fmt(X(std::pow(10, k)), "%.1f") << "\" x2=\"" << fmt(X(std::pow(10, k)), "%.1f") << "\" y1=\"" << T << "\" y2=\"" << B << "\"/>";
  for (int q = 0; q <= 4; ++q) o << "<line x1=\"" << L << "\" x2=\"" << R << "\" y1=\"" << fmt(Y(q / 4.0), "%.1f") << "\" y2=\"" << fmt(Y(q / 4.0), "%.1f") << "\"/>";
  o << "</g><g text-anchor=\"middle\">";
  for (double k = lo; k <= hi; ++k)
    o << "<text x=\"" << fmt(X(std::pow(10, k)), "%.1f") << "\" y=\"" << B + 14 << "\">"
      << (k >= -3 && k <= 4 ? fmt(std::pow(10, k), "%g") : "1e" + fmt(k, "%.0f")) << "</text>";
  o << "<text x=\"" << (L + R) / 2 << "\" y=\"" << B + 30 << "\">" << what << " (log scale)</text></g>";
  for (int q = 0; q <= 4; ++q)
    o << "<text x=\"" << L - 4 << "\" y=\"" << fmt(Y(q / 4.0) + 4, "%.1f") << "\" text-anchor=\"end\">" << fmt(q / 4.0, "%g") << "</text>";
  int i = 0;
  for (const auto& s : solvers) {
    const std::string name = s.get<std::string>();
    const json& c = field(field(ecdf, "solvers"), name.c_str());
    const std::string color = html_assets::kColors[i % 10];
    std::string d = "M" + fmt(L, "%.1f") + "," + fmt(Y(0), "%.1f");
    double last = 0;
    const json& xs = field(c, "x");
    const json& ys = field(c, "y");
    for (size_t j = 0; xs.is_array() && ys.is_array() && j < xs.size() && j < ys.size(); ++j) {
      d += "H" + fmt(X(number_of(xs[j])), "%.1f") + "V" + fmt(Y(number_of(ys[j])), "%.1f");
      last = number_of(ys[j]);
    }
    d += "H" + fmt(R, "%.1f");
    const double ly = T + 8 + 14 * i;
    o << "<g" << attr("data-solver", name) << "><path fill=\"none\" stroke-width=\"1.6\" stroke=\"" << color
      << "\" d=\"" << d << "\"/><line x1=\"" << R + 12 << "\" x2=\"" << R + 30 << "\" y1=\"" << ly << "\" y2=\"" << ly
      << "\" stroke=\"" << color << "\" stroke-width=\"2\"/><text x=\"" << R + 34 << "\" y=\"" << ly + 4 << "\">"
      << html_escape(name) << " (" << fmt(last, "%.2f") << ")</text></g>";
    ++i;
  }
  return o.str() + "</svg>";
}

// Pairs with p < 0.05 on one workload: "A faster than B, p = 0.008" (Mann-Whitney U over seeds).
void pair_rows(std::ostringstream& o, const json& pairs, const json& w, const std::string& measure, int& rows) {
  if (!pairs.is_array()) return;
  for (const auto& p : pairs) {
    if (p.at("workload") != w.at("workload") && p.at("workload") != w.at("slug")) continue;
    const double pv = number_of(p.at("p"));
    if (!(pv < 0.05) || !p.at("faster").is_string()) continue;
    // "faster" names the faster solver, or says "a" / "b" (docs/reports.md): both are read.
    const json& f = p["faster"];
    if (f != p.at("a") && f != p.at("b") && f != "a" && f != "b") continue;
    const bool a_faster = f == p.at("a") || (f == "a" && f != p.at("b"));
    const std::string fast = p.at(a_faster ? "a" : "b"), slow = p.at(a_faster ? "b" : "a");
    const double effect = number_of(field(p, "effect"));
    o << "<tr" << attr("data-solver", fast) << attr("data-solver2", slow) << ">" << text_cell(measure)
      << "<td class=\"l\" data-v=\"" << fmt(pv, "%.17g") << "\">" << html_escape(fast + " faster than " + slow + ", p = " + fmt(pv, "%.2g"))
      << "</td>" << num_cell(std::isnan(effect) ? kNull : json(a_faster ? effect : 1 - effect))
      << text_cell(text_of(field(p, "method"))) << "</tr>\n";
    ++rows;
  }
}
}  // namespace

std::string leaderboard_html(const json& lb, const std::function<bool(const std::string&)>& has_plot) {
  const json& r = lb.at("results");
  const json& run = lb.at("run");
  const json& env = run.at("environment");
  const std::string suite = r.at("suite");
  std::map<std::string, std::string> slug_of;  // workload name -> slug, for data-workload
  for (const auto& w : r.at("workloads")) slug_of[w.at("name")] = w.at("slug");
  std::ostringstream o;
  o << "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
    << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    << "<title>muonbench leaderboard: " << html_escape(suite) << "</title><style>" << html_assets::kStyle
    << "</style></head>\n<body>\n";
  o << "<h1>muonbench leaderboard: suite <code>" << html_escape(suite) << "</code></h1>\n";
  o << "<p>" << html_escape(text_of(field(r, "description"))) << "</p>\n";
  o << "<p>Ranking metric: steps (and seconds) to each workload's primary relative target (default <code>"
    << html_escape(text_of(r.at("primary_target"))) << "</code>; gap &le; target &times; initial gap), median over "
    << "seeds with a 95 % bootstrap interval. Setting selection: " << html_escape(text_of(r.at("selection").at("text")))
    << ". Score: AlgoPerf's normalised area under the performance profile &rho;(&tau;) for &tau; in [1, 4] "
    << "(1 = fastest on every workload).</p>\n";
  o << "<p>muonbench " << html_escape(text_of(lb.at("muonbench_version"))) << ", commit <code>"
    << html_escape(text_of(field(env, "git_commit"))) << "</code>, " << html_escape(text_of(run.at("date"))) << ".</p>\n";
  // Whether another machine gets the same numbers (docs/reproducibility.md).
  const bool reproducible = run.contains("reproducible") && run.at("reproducible") == true;
  const bool cpu_independent = env.contains("build") && env.at("build").value("cpu_independent", false);
  o << "<p id=\"reproducibility\">"
    << (reproducible && cpu_independent
            ? "Reproducible: a portable build run with <code>--reproducible</code>; the same suite gives these "
              "results byte for byte on any x86-64 machine."
        : reproducible
            ? "Reproducible on this machine (<code>--reproducible</code>), but not a portable build: another CPU "
              "may differ in the last bits (check with <code>muonbench compare</code>)."
            : "<strong>Not a reproducible run</strong>: time budgets were in force, so results may depend on this "
              "machine's speed; rerun with <code>--reproducible</code> (docs/reproducibility.md).")
    << "</p>\n";
  o << "<nav><a href=\"#rules\">Rules</a><a href=\"#scores\">Scores</a><a href=\"#workloads\">Workloads</a>"
    << "<a href=\"#sweeps\">Grid sweeps</a><a href=\"#claims\">Claims</a><a href=\"#environment\">Environment</a></nav>\n";
  // Filters (the script keeps them and the address fragment in step).
  o << "<div class=\"filters\"><label>workload <select id=\"f-workload\"><option value=\"\">all</option>";
  for (const auto& w : r.at("workloads"))
    o << "<option" << attr("value", w.at("slug")) << ">" << html_escape(text_of(w.at("name"))) << "</option>";
  o << "</select></label><label>solver <select id=\"f-solver\"><option value=\"\">all</option>";
  for (const auto& s : r.at("solvers"))
    o << "<option" << attr("value", s) << ">" << html_escape(text_of(s)) << "</option>";
  o << "</select></label><span id=\"f-note\"></span></div>\n";

  // Rules: held-out seeds, k of n, tuning budget, targets.
  o << "<h2 id=\"rules\">Rules</h2>\n<ul class=\"rules\">";
  if (r.contains("held_out"))
    o << "<li>Held-out seeds: "
      << html_escape(r["held_out"].is_object() ? text_of(field(r["held_out"], "text"))
                                               : "none declared: the rankings use the seeds the tuner saw")
      << ".</li>";
  if (field(r, "k_of_n").is_object()) o << "<li>Trials: " << html_escape(text_of(field(r["k_of_n"], "text"))) << ".</li>";
  if (field(r, "tuning").is_object()) o << "<li>Tuning budget: " << html_escape(text_of(field(r["tuning"], "text"))) << ".</li>";
  o << "</ul>\n";
  if (field(field(r, "tuning"), "per_solver").is_array()) {
    o << "<table class=\"sortable\" id=\"tuning-table\">" << head({"solver", "grid size", "budget", "flag"}) << "<tbody>\n";
    for (const auto& t : r["tuning"]["per_solver"]) {
      const std::string flag = text_of(field(t, "flag"));
      o << "<tr" << attr("data-solver", t.at("solver")) << ">" << text_cell(t.at("solver")) << num_cell(t.at("settings"), true)
        << num_cell(field(r["tuning"], "budget"), true) << text_cell(flag, flag.empty() ? "" : "bad") << "</tr>\n";
    }
    o << "</tbody></table>\n";
  }
  o << "<table class=\"sortable\" id=\"workloads-table\">" << head({"workload", "precision", "targets", "primary target"})
    << "<tbody>\n";
  for (const auto& w : r.at("workloads")) {
    std::string targets;
    for (const auto& t : w.contains("targets") ? w["targets"] : r.at("targets")) targets += (targets.empty() ? "" : ", ") + text_of(t);
    o << "<tr" << attr("data-workload", w.at("slug")) << ">" << text_cell(w.at("name")) << text_cell(text_of(w.at("precision")))
      << text_cell(targets) << text_cell(text_of(w.contains("primary_target") ? w["primary_target"] : r.at("primary_target")))
      << "</tr>\n";
  }
  o << "</tbody></table>\n";

  // Overall scores, profiles and runtime ECDFs.
  o << "<h2 id=\"scores\">Overall scores</h2>\n<table class=\"sortable\" id=\"scores-table\">"
    << head({"rank", "solver", "score (steps)", "score (seconds)"}) << "<tbody>\n";
  for (const auto& s : r.at("scores_by_steps")) {
    json secs;
    for (const auto& t : run.at("scores_by_seconds"))
      if (t.at("solver") == s.at("solver")) secs = t.at("score");
    o << "<tr" << attr("data-solver", s.at("solver")) << ">" << num_cell(s.at("rank"), true) << text_cell(s.at("solver"))
      << num_cell(s.at("score")) << num_cell(secs) << "</tr>\n";
  }
  o << "</tbody></table>\n";
  if (has_plot("profile.svg"))
    o << "<p><img src=\"plots/profile.svg\" alt=\"performance profiles by steps and by seconds\"></p>\n";
  if (field(r, "ecdf_steps").is_object() || field(run, "ecdf_seconds").is_object()) {
    o << "<h3 id=\"ecdf\">Runtime ECDFs</h3>\n<p>COCO's runtime distribution: for each solver, the fraction of all "
      << "(workload, target) pairs whose target it reaches (median over the ranking seeds, counted only when k of n "
      << "seeds reach it) within the given steps or seconds. Higher and further left is better; the legend gives "
      << "the final fraction.</p>\n<div class=\"ecdf\">";
    if (field(r, "ecdf_steps").is_object()) o << ecdf_svg(r["ecdf_steps"], r.at("solvers"), "steps");
    if (field(run, "ecdf_seconds").is_object()) o << ecdf_svg(run["ecdf_seconds"], r.at("solvers"), "seconds");
    o << "</div>\n";
  }

  // Per workload: ranking with intervals and k of n, significant pairs, convergence plot.
  o << "<h2 id=\"workloads\">Workloads</h2>\n";
  std::map<std::pair<std::string, std::string>, const json*> sec_row;  // (workload, solver) -> seconds row
  for (const auto& ws : run.at("rankings_by_seconds"))
    for (const auto& x : ws.at("ranking")) sec_row[{ws.at("workload"), x.at("solver")}] = &x;
  for (const auto& w : r.at("rankings_by_steps")) {
    const std::string sl = w.at("slug"), wname = text_of(w.at("workload"));
    const bool stats = !w.at("ranking").empty() && w["ranking"][0].contains("ci95");
    o << "<section" << attr("data-workload", sl) << "><h3" << attr("id", "w-" + sl) << ">" << html_escape(wname) << "</h3>\n";
    for (const auto& wl : r.at("workloads"))
      if (wl.at("slug") == sl && wl.contains("primary_target"))
        o << "<p>Ranked at the target <code>" << html_escape(text_of(wl["primary_target"])) << "</code>.</p>\n";
    o << "<table class=\"sortable\"" << attr("id", "rank-" + sl) << ">"
      << head({"rank", "solver", "setting", "steps to target (median)", stats ? "steps 95 % CI" : "steps q20–q80",
               "seeds reaching", "seconds to target (median)", "seconds 95 % CI", "final gap / initial gap",
               "rate per step", "diverged"})
      << "<tbody>\n";
    for (const auto& row : w.at("ranking")) {
      const auto it = sec_row.find({w.at("workload"), row.at("solver")});
      const json& sec = it == sec_row.end() ? kNull : *it->second;
      const json& sec_median = sec.contains("median") ? sec["median"] : field(field(sec, "seconds_to_target"), "median");
      o << "<tr" << attr("data-solver", row.at("solver")) << ">" << num_cell(row.at("rank"), true)
        << text_cell(row.at("solver"), "sel") << text_cell(text_of(row.at("setting")))
        << num_cell(row.contains("median") ? row["median"] : row.at("steps_to_target").at("median"), true, seeds_title(row))
        << text_cell(stats ? ci_text(field(row, "ci95")) : range_text(row.at("steps_to_target")), "ci") << k_of_n_cell(row)
        << num_cell(sec_median, false, seeds_title(sec)) << text_cell(ci_text(field(sec, "ci95")), "ci")
        << num_cell(field(row.at("final_relative_gap"), "median")) << num_cell(field(row.at("rate_per_step"), "median"))
        << num_cell(row.at("diverged"), true) << "</tr>\n";
    }
    o << "</tbody></table>\n";
    if (r.contains("pairwise_steps") || run.contains("pairwise_seconds")) {
      std::ostringstream rows;
      int n = 0;
      pair_rows(rows, field(r, "pairwise_steps"), w, "steps", n);
      pair_rows(rows, field(run, "pairwise_seconds"), w, "seconds", n);
      if (n == 0)
        o << "<p>No pair of solvers differs significantly (Mann-Whitney U over seeds, p &lt; 0.05).</p>\n";
      else
        o << "<details><summary>" << n << " significant difference" << (n == 1 ? "" : "s")
          << " between solvers (Mann-Whitney U over seeds, p &lt; 0.05)</summary><table class=\"sortable\""
          << attr("id", "pairs-" + sl) << ">"
          << head({"to target in", "significant difference (Mann-Whitney U, p < 0.05)", "P(faster one's value is smaller)", "test"})
          << "<tbody>\n" << rows.str() << "</tbody></table></details>\n";
    }
    if (has_plot("convergence-" + sl + ".svg"))
      o << "<p><img" << attr("src", "plots/convergence-" + sl + ".svg") << attr("alt", "convergence on " + wname)
        << " loading=\"lazy\"></p>\n";
    o << "</section>\n";
  }

  // Grid sweeps.
  o << "<h2 id=\"sweeps\">Grid sweeps</h2>\n";
  if (r.at("sweeps").empty()) {
    o << "<p>No solver of this suite has a hyperparameter grid.</p>\n";
  } else {
    o << "<table class=\"sortable\" id=\"sweeps-table\">"
      << head({"workload", "solver", "setting", "steps to target (median)", "final gap / initial gap", "selected"})
      << "<tbody>\n";
    for (const auto& sw : r.at("sweeps")) {
      const auto slug = slug_of.find(sw.at("workload"));
      const std::string row_attrs = (slug == slug_of.end() ? "" : attr("data-workload", slug->second)) +
                                    attr("data-solver", sw.at("solver"));
      for (const auto& s : sw.at("settings"))
        o << "<tr" << row_attrs << ">" << text_cell(sw.at("workload")) << text_cell(sw.at("solver"))
          << text_cell(s.at("setting")) << num_cell(s.at("steps_to_target"), true) << num_cell(s.at("final_relative_gap"))
          << text_cell(s.at("selected").get<bool>() ? "selected" : "", "sel") << "</tr>\n";
    }
    o << "</tbody></table>\n";
  }

  // Claims.
  o << "<h2 id=\"claims\">Claims</h2>\n<p>" << text_of(r.at("claims_as_expected")) << " of "
    << text_of(r.at("claims_total")) << " outcomes as expected (a decoy is a deliberately wrong variant: "
    << "it must be found violated).</p>\n";
  o << "<table class=\"sortable\" id=\"claims-table\">"
    << head({"claim", "precision", "variant", "expected", "verdict", "margin", "tolerance", "as expected"}) << "<tbody>\n";
  for (const auto& c : r.at("claims")) {
    const bool ok = c.at("as_expected").get<bool>();
    o << "<tr>" << text_cell(c.at("claim")) << text_cell(c.at("precision")) << text_cell(c.at("variant"))
      << text_cell(c.at("expected")) << text_cell(c.at("verdict")) << num_cell(c.at("margin"))
      << num_cell(c.at("tolerance")) << text_cell(ok ? "yes" : "NO", ok ? "ok" : "bad") << "</tr>\n";
  }
  o << "</tbody></table>\n";
  if (has_plot("claims.svg")) o << "<p><img src=\"plots/claims.svg\" alt=\"claims table\" loading=\"lazy\"></p>\n";

  // Environment.
  o << "<h2 id=\"environment\">Environment</h2>\n<table id=\"environment-table\"><tbody>\n";
  for (auto it = env.begin(); it != env.end(); ++it)
    o << "<tr><th>" << html_escape(it.key()) << "</th>" << text_cell(text_of(it.value())) << "</tr>\n";
  o << "</tbody></table>\n<script>" << html_assets::kScript << "</script>\n</body></html>\n";
  return o.str();
}

}  // namespace mb
