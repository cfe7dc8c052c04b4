// The leaderboard page: one static HTML file rendered from leaderboard.json, with sortable tables
// (click a header; or open the page with #sort=TABLE_ID:COLUMN:asc|desc), a filter by workload and
// solver (#workload=SLUG&solver=NAME), the statistics of issue 18 where the leaderboard has them
// (95 % bootstrap intervals, k of n seeds, significant Mann-Whitney pairs, held-out seeds, tuning
// budget, per-workload targets, runtime ECDFs drawn inline) and the plots written by scripts/plot
// (linked as plots/*.svg next to the page, when present). Fields a leaderboard lacks are left out,
// so older leaderboards still render.
#pragma once

#include <functional>
#include <string>

#include "harness/core/json_num.hpp"

namespace mb {

// `has_plot(name)` says whether plots/<name> exists beside the page (e.g. "profile.svg").
std::string leaderboard_html(const json& leaderboard, const std::function<bool(const std::string&)>& has_plot);

std::string html_escape(const std::string& s);

}  // namespace mb
