// What a report records about the program and the machine (benchopt/AlgoPerf habit).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace mb {

std::string version_string();  // "0.1.0"
// git commit, compiler and flags, library versions, CPU model, hardware threads.
nlohmann::json environment_json(int threads);
std::string utc_now_iso8601();
// The repository's source directory at build time (to find suites/ when run from build/).
std::string source_dir();

}  // namespace mb
