// Access to ../shared/conformance/ (reference data from PyTorch, optax and 60-digit mpmath).
#pragma once

#include <string>

#include "harness/error.hpp"
#include "harness/json_num.hpp"

namespace mb::test {

#include <cstdlib>
#include <filesystem>

// ../shared beside the checkout (as CI has it), or $MUONBENCH_SHARED.
inline std::string shared_path(const std::string& rel) {
  const char* env = std::getenv("MUONBENCH_SHARED");
  const std::string root = env ? env : MB_SHARED_DIR;
  if (!std::filesystem::is_directory(root + "/conformance"))
    throw Error("conformance data not found under '" + root +
                "': clone muonbench beside the shared/ folder or set MUONBENCH_SHARED");
  return root + "/" + rel;
}
inline json conformance(const std::string& file) {
  return load_json_file(shared_path("conformance/" + file), "conformance data");
}

// max |a - b| / max(max |b|, tiny) over matrices given as JSON (numbers or decimal strings).
double max_rel_error(const json& a, const json& b);

}  // namespace mb::test
