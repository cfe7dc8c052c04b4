// muonbench merge --out DIR SHARD...   (SHARD: a shard file, or a directory holding shard-*-of-*.json)
#include <algorithm>
#include <filesystem>
#include <iostream>

#include "harness/cli/command.hpp"
#include "harness/core/error.hpp"
#include "harness/report/report.hpp"

namespace mb::cli {
namespace {

int cmd_merge(const std::vector<std::string>& argv) {
  Args a(argv, "merge", {"out"}, {"quiet"});
  const std::string out = a.require("out");
  if (a.positional().empty()) throw Error("merge: give the shard files (or the directories holding them)");
  std::vector<std::string> files;
  for (const auto& p : a.positional()) {
    std::error_code ec;
    if (std::filesystem::is_directory(p, ec)) {
      std::vector<std::string> found;
      for (const auto& e : std::filesystem::directory_iterator(p, ec)) {
        const std::string name = e.path().filename().string();
        if (name.rfind("shard-", 0) == 0 && e.path().extension() == ".json") found.push_back(e.path().string());
      }
      if (found.empty()) throw Error("merge: no shard-*-of-*.json file in directory '" + p + "'");
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (std::filesystem::is_regular_file(p, ec)) {
      files.push_back(p);
    } else {
      throw Error("merge: no such file or directory '" + p + "'");
    }
  }
  std::vector<json> docs;
  for (const auto& f : files) docs.push_back(load_json_file(f, "merge: shard"));
  const MergedRun m = merge_shards(docs, files);
  const json report = make_report(m.suite, m.cells, m.claims, m.info);
  write_report_and_leaderboard(out, report);
  if (!a.has("quiet"))
    std::cerr << "muonbench: merged " << files.size() << " shards of suite '" << m.suite.name << "' ("
              << m.cells.size() << " cells); wrote " << out << "/report.json and " << out << "/leaderboard.json\n";
  return m.info.stats.failed ? 1 : 0;
}

}  // namespace

MB_REGISTER_COMMAND("merge", "combine the shard files of a sharded run into report.json and leaderboard.json",
                    "usage: muonbench merge --out DIR SHARD... [--quiet]\n"
                    "  SHARD: a file written by 'muonbench run --shard k/N', or a directory holding such files.\n"
                    "  All N shards of one suite, produced by the same build, must be given; the report and\n"
                    "  leaderboard are then the same as an unsharded run's (their 'results' byte for byte).\n",
                    cmd_merge);

}  // namespace mb::cli
