// muonbench html --in DIR [--out FILE]: the leaderboard page from DIR/leaderboard.json
// (harness/report/html.cpp; filters and sorting in harness/report/html_assets.hpp).
#include <filesystem>
#include <iostream>

#include "harness/core/atomic_file.hpp"
#include "harness/cli/command.hpp"
#include "harness/core/error.hpp"
#include "harness/report/html.hpp"

namespace mb::cli {
namespace {

int cmd_html(const std::vector<std::string>& argv) {
  Args a(argv, "html", {"in", "out"}, {"quiet"});
  const std::string dir = a.require("in");
  const std::string out = a.get("out", dir + "/index.html");
  const json lb = load_json_file(dir + "/leaderboard.json", "--in");
  require_writable_file(out, "--out");
  if (lb.value("schema", "") != "muonbench.leaderboard")
    throw Error("--in: " + dir + "/leaderboard.json is not a muonbench leaderboard (schema 'muonbench.leaderboard')");
  // Plots are linked relative to the page: look for them beside the output file.
  const std::filesystem::path page_dir = std::filesystem::path(out).parent_path();
  auto has_plot = [&](const std::string& name) {
    std::error_code ec;
    return std::filesystem::is_regular_file(page_dir / "plots" / name, ec);
  };
  std::string html;
  try {
    html = leaderboard_html(lb, has_plot);
  } catch (const json::exception& e) {
    throw Error("--in: " + dir + "/leaderboard.json lacks a field the page needs: " + e.what());
  }
  write_file_atomic(out, html);
  if (!a.has("quiet")) std::cerr << "muonbench: wrote " << out << "\n";
  return 0;
}

}  // namespace

MB_REGISTER_COMMAND("html", "render leaderboard.json as one static HTML page with sortable tables and the plots",
                    "usage: muonbench html --in DIR [--out FILE] [--quiet]\n"
                    "  Reads DIR/leaderboard.json and writes FILE (default DIR/index.html). Plots made by\n"
                    "  scripts/plot in plots/ beside FILE are shown; the runtime ECDFs are drawn inline. Tables\n"
                    "  sort on a click on a header, or from the address: index.html#sort=TABLE_ID:COLUMN:asc|desc\n"
                    "  (columns from 0). Filter by workload and solver with the select boxes, or from the\n"
                    "  address: index.html#workload=SLUG&solver=NAME (comma-separated lists; with #sort=... too).\n",
                    cmd_html);

}  // namespace mb::cli
