// Access to tests/data/ (reference data from PyTorch, optax and 60-digit mpmath; provenance of each
// file in tests/data/README.md). Tests read only from the repository.
#pragma once

#include <filesystem>
#include <string>

#include "harness/core/error.hpp"
#include "harness/core/json_num.hpp"

namespace mb::test {

// A file of tests/data/ (MB_TEST_DATA_DIR, set by tests/CMakeLists.txt to the source tree's folder).
inline std::string test_data_path(const std::string& file) {
  // Appended piecewise: GCC 12 warns (-Warray-bounds, a false positive) on `string(LITERAL) + "/"`
  // for some lengths of the literal, i.e. of the clone's path.
  std::string path = MB_TEST_DATA_DIR;
  path += '/';
  path += file;
  if (!std::filesystem::is_regular_file(path))
    throw Error("test data file '" + path + "' not found: tests/data/ is part of the repository");
  return path;
}
inline json conformance(const std::string& file) {
  return load_json_file(test_data_path(file), "conformance data");
}

// max |a - b| / max(max |b|, tiny) over matrices given as JSON (numbers or decimal strings).
double max_rel_error(const json& a, const json& b);

}  // namespace mb::test
