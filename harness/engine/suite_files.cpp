// Finding suites by name: $MUONBENCH_SUITES, ./suites, the source tree's suites/, the installed ones.
#include <cstdlib>
#include <filesystem>
#include <set>

#include "harness/core/error.hpp"
#include "harness/engine/suite.hpp"
#include "harness/report/environment.hpp"

namespace mb {

namespace fs = std::filesystem;

std::vector<std::string> suite_directories() {
  std::vector<std::string> dirs;
  if (const char* env = std::getenv("MUONBENCH_SUITES")) dirs.push_back(env);
  dirs.push_back("suites");
  dirs.push_back(source_dir() + "/suites");
  dirs.push_back("/usr/local/share/muonbench/suites");
  return dirs;
}

std::vector<std::string> known_suites() {
  std::set<std::string> names;
  for (const auto& d : suite_directories()) {
    std::error_code ec;
    if (!fs::is_directory(d, ec)) continue;
    for (const auto& e : fs::directory_iterator(d, ec))
      if (e.path().extension() == ".json") names.insert(e.path().stem().string());
  }
  return {names.begin(), names.end()};
}

Suite load_suite(const std::string& name_or_file) {
  std::error_code ec;
  std::string path;
  if (fs::is_regular_file(name_or_file, ec)) {
    path = name_or_file;
  } else if (name_or_file.find('/') == std::string::npos && name_or_file.find(".json") == std::string::npos) {
    for (const auto& d : suite_directories()) {
      const std::string p = d + "/" + name_or_file + ".json";
      if (fs::is_regular_file(p, ec)) {
        path = p;
        break;
      }
    }
    if (path.empty()) throw_unknown("suite", name_or_file, "--suite", known_suites());
  } else if (fs::is_directory(name_or_file, ec)) {
    throw Error("--suite: '" + name_or_file + "' is a directory, not a suite file");
  } else {
    throw Error("--suite: no such file '" + name_or_file + "'");
  }
  const json j = load_json_file(path, "suite");
  return parse_suite(j, path);
}

}  // namespace mb
