// The leaderboard page: one static HTML file rendered from leaderboard.json, with sortable tables
// (click a header; or open the page with #sort=TABLE_ID:COLUMN:asc|desc) and the plots written by
// scripts/plot (linked as plots/*.svg next to the page, when present).
#pragma once

#include <functional>
#include <string>

#include "harness/core/json_num.hpp"

namespace mb {

// `has_plot(name)` says whether plots/<name> exists beside the page (e.g. "profile.svg").
std::string leaderboard_html(const json& leaderboard, const std::function<bool(const std::string&)>& has_plot);

std::string html_escape(const std::string& s);

}  // namespace mb
