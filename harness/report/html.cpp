#include "harness/report/html.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>

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
std::string text_of(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "";
  return v.dump();
}

// A cell: its text, and the sort key in data-v (numbers; unreached/unknown sort last as Infinity).
// mp50 values arrive as decimal strings: shown to 4 digits like the others (the report keeps them all).
std::string num_cell(const json& v, bool integer = false) {
  double x = NAN;
  if (v.is_number()) x = v.get<double>();
  if (v.is_string()) {
    char* end = nullptr;
    const std::string s = v.get<std::string>();
    x = std::strtod(s.c_str(), &end);
    if (end == s.c_str() || *end != '\0') return "<td>" + html_escape(s) + "</td>";
  }
  if (std::isnan(x)) return "<td data-v=\"Infinity\" class=na>&ndash;</td>";
  char buf[64];
  if (integer && x == std::floor(x))
    std::snprintf(buf, sizeof buf, "%.0f", x);
  else
    std::snprintf(buf, sizeof buf, "%.4g", x);
  char key[64];
  std::snprintf(key, sizeof key, "%.17g", x);
  return std::string("<td data-v=\"") + key + "\">" + buf + "</td>";
}
std::string text_cell(const std::string& s, const std::string& cls = "") {
  return "<td" + (cls.empty() ? "" : " class=\"" + cls + "\"") + ">" + html_escape(s) + "</td>";
}
std::string head(const std::vector<std::string>& cols) {
  std::string h = "<thead><tr>";
  for (const auto& c : cols) h += "<th title=\"click to sort\">" + html_escape(c) + "</th>";
  return h + "</tr></thead>";
}
std::string range_text(const json& spread) {
  if (!spread.is_object() || !spread.value("q20", json()).is_number() || !spread.value("q80", json()).is_number())
    return "";
  char buf[96];
  std::snprintf(buf, sizeof buf, "%.4g – %.4g", spread["q20"].get<double>(), spread["q80"].get<double>());
  return buf;
}

const char* kStyle = R"(
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:72em;padding:0 1em;color:#222}
h1{font-size:1.6em}h2{margin-top:2em;border-bottom:1px solid #ccc}h3{margin-top:1.5em}
table{border-collapse:collapse;margin:.5em 0 1em}th,td{padding:.25em .6em;border-bottom:1px solid #e3e3e3;text-align:left}
th{cursor:pointer;background:#f4f4f4;user-select:none}th[aria-sort=ascending]::after{content:" \25B2"}
th[aria-sort=descending]::after{content:" \25BC"}td[data-v]{text-align:right;font-variant-numeric:tabular-nums}
td.na{color:#999}.ok{color:#16702b}.bad{color:#b3261e;font-weight:600}.sel{font-weight:600}
img{max-width:100%;border:1px solid #eee}code{background:#f4f4f4;padding:0 .2em}nav a{margin-right:1em}
)";

const char* kScript = R"(
function sortTable(table, col, dir) {
  const body = table.tBodies[0];
  const key = r => { const c = r.cells[col]; if (!c) return ''; const v = c.getAttribute('data-v');
                     return v === null ? c.textContent.trim().toLowerCase() : parseFloat(v); };
  const rows = Array.from(body.rows).map((r, i) => [key(r), i, r]);
  rows.sort((a, b) => {
    let c;
    if (typeof a[0] === 'number' && typeof b[0] === 'number') c = a[0] === b[0] ? 0 : (a[0] < b[0] ? -1 : 1);
    else c = String(a[0]).localeCompare(String(b[0]));
    if (dir === 'desc') c = -c;
    return c !== 0 ? c : a[1] - b[1];
  });
  rows.forEach(x => body.appendChild(x[2]));
  Array.from(table.tHead.rows[0].cells).forEach((th, i) =>
    i === col ? th.setAttribute('aria-sort', dir === 'asc' ? 'ascending' : 'descending') : th.removeAttribute('aria-sort'));
  table.setAttribute('data-sorted', col + ':' + dir);
}
document.querySelectorAll('table.sortable').forEach(t => {
  Array.from(t.tHead.rows[0].cells).forEach((th, i) => th.addEventListener('click', () =>
    sortTable(t, i, t.getAttribute('data-sorted') === i + ':asc' ? 'desc' : 'asc')));
});
const wanted = /sort=([A-Za-z0-9_.-]+):(\d+):(asc|desc)/.exec(decodeURIComponent(location.hash));
if (wanted) { const t = document.getElementById(wanted[1]); if (t) sortTable(t, parseInt(wanted[2], 10), wanted[3]); }
document.body.setAttribute('data-ready', '1');
)";
}  // namespace

std::string leaderboard_html(const json& lb, const std::function<bool(const std::string&)>& has_plot) {
  const json& r = lb.at("results");
  const json& run = lb.at("run");
  const json& env = run.at("environment");
  const std::string suite = r.at("suite");
  std::ostringstream o;
  o << "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
    << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    << "<title>muonbench leaderboard: " << html_escape(suite) << "</title><style>" << kStyle << "</style></head>\n<body>\n";
  o << "<h1>muonbench leaderboard: suite <code>" << html_escape(suite) << "</code></h1>\n";
  o << "<p>" << html_escape(text_of(r.value("description", json("")))) << "</p>\n";
  o << "<p>Ranking metric: steps (and seconds) to the relative target <code>" << html_escape(text_of(r.at("primary_target")))
    << "</code> (gap &le; target &times; initial gap), median over seeds. Setting selection: "
    << html_escape(text_of(r.at("selection").at("text"))) << ". Score: AlgoPerf's normalised area under the "
    << "performance profile &rho;(&tau;) for &tau; in [1, 4] (1 = fastest on every workload).</p>\n";
  o << "<p>muonbench " << html_escape(text_of(lb.at("muonbench_version"))) << ", commit <code>"
    << html_escape(text_of(env.value("git_commit", json("")))) << "</code>, " << html_escape(text_of(run.at("date")))
    << ".</p>\n";
  o << "<nav><a href=\"#scores\">Scores</a><a href=\"#workloads\">Workloads</a><a href=\"#sweeps\">Grid sweeps</a>"
    << "<a href=\"#claims\">Claims</a><a href=\"#environment\">Environment</a></nav>\n";

  // Overall scores.
  o << "<h2 id=\"scores\">Overall scores</h2>\n<table class=\"sortable\" id=\"scores-table\">"
    << head({"rank", "solver", "score (steps)", "score (seconds)"}) << "<tbody>\n";
  for (const auto& s : r.at("scores_by_steps")) {
    json secs;
    for (const auto& t : run.at("scores_by_seconds"))
      if (t.at("solver") == s.at("solver")) secs = t.at("score");
    o << "<tr>" << num_cell(s.at("rank"), true) << text_cell(s.at("solver")) << num_cell(s.at("score"))
      << num_cell(secs) << "</tr>\n";
  }
  o << "</tbody></table>\n";
  if (has_plot("profile.svg"))
    o << "<p><img src=\"plots/profile.svg\" alt=\"performance profiles by steps and by seconds\"></p>\n";

  // Per workload.
  o << "<h2 id=\"workloads\">Workloads</h2>\n";
  const json& by_secs = run.at("rankings_by_seconds");
  for (const auto& w : r.at("rankings_by_steps")) {
    const std::string sl = w.at("slug");
    o << "<h3 id=\"w-" << html_escape(sl) << "\">" << html_escape(text_of(w.at("workload"))) << "</h3>\n";
    o << "<table class=\"sortable\" id=\"rank-" << html_escape(sl) << "\">"
      << head({"rank", "solver", "setting", "steps to target (median)", "steps q20–q80", "reached", "seconds to target",
               "final gap / initial gap", "rate per step", "diverged"})
      << "<tbody>\n";
    for (const auto& row : w.at("ranking")) {
      json sec;
      for (const auto& ws : by_secs)
        if (ws.at("workload") == w.at("workload"))
          for (const auto& x : ws.at("ranking"))
            if (x.at("solver") == row.at("solver")) sec = x.at("seconds_to_target").at("median");
      o << "<tr>" << num_cell(row.at("rank"), true) << text_cell(row.at("solver"), "sel")
        << text_cell(text_of(row.at("setting"))) << num_cell(row.at("steps_to_target").at("median"), true)
        << text_cell(range_text(row.at("steps_to_target"))) << text_cell(text_of(row.at("reached")) + "/" +
                                                                           text_of(row.at("seeds")))
        << num_cell(sec) << num_cell(row.at("final_relative_gap").at("median"))
        << num_cell(row.at("rate_per_step").at("median")) << num_cell(row.at("diverged"), true) << "</tr>\n";
    }
    o << "</tbody></table>\n";
    if (has_plot("convergence-" + sl + ".svg"))
      o << "<p><img src=\"plots/convergence-" << html_escape(sl) << ".svg\" alt=\"convergence on "
        << html_escape(text_of(w.at("workload"))) << "\"></p>\n";
  }

  // Grid sweeps.
  o << "<h2 id=\"sweeps\">Grid sweeps</h2>\n";
  if (r.at("sweeps").empty()) {
    o << "<p>No solver of this suite has a hyperparameter grid.</p>\n";
  } else {
    o << "<table class=\"sortable\" id=\"sweeps-table\">"
      << head({"workload", "solver", "setting", "steps to target (median)", "final gap / initial gap", "selected"})
      << "<tbody>\n";
    for (const auto& sw : r.at("sweeps"))
      for (const auto& s : sw.at("settings"))
        o << "<tr>" << text_cell(sw.at("workload")) << text_cell(sw.at("solver")) << text_cell(s.at("setting"))
          << num_cell(s.at("steps_to_target"), true) << num_cell(s.at("final_relative_gap"))
          << text_cell(s.at("selected").get<bool>() ? "selected" : "", "sel") << "</tr>\n";
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
  if (has_plot("claims.svg")) o << "<p><img src=\"plots/claims.svg\" alt=\"claims table\"></p>\n";

  // Environment.
  o << "<h2 id=\"environment\">Environment</h2>\n<table id=\"environment-table\"><tbody>\n";
  for (auto it = env.begin(); it != env.end(); ++it)
    o << "<tr><th>" << html_escape(it.key()) << "</th>" << text_cell(text_of(it.value())) << "</tr>\n";
  o << "</tbody></table>\n<script>" << kScript << "</script>\n</body></html>\n";
  return o.str();
}

}  // namespace mb
