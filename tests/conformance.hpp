// Access to ../shared/conformance/ (reference data from PyTorch, optax and 60-digit mpmath).
#pragma once

#include <string>

#include "harness/json_num.hpp"

namespace mb::test {

inline std::string shared_path(const std::string& rel) { return std::string(MB_SHARED_DIR) + "/" + rel; }
inline json conformance(const std::string& file) {
  return load_json_file(shared_path("conformance/" + file), "conformance data");
}

// max |a - b| / max(max |b|, tiny) over matrices given as JSON (numbers or decimal strings).
double max_rel_error(const json& a, const json& b);

}  // namespace mb::test
