// Field access for the documents muonbench reads back (report.json, leaderboard.json): anything
// unexpected in a hand-edited or truncated document is bad input that names the file and the field
// (exit 2), never an uncaught library exception. Used by both modes of `muonbench compare`.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "harness/core/error.hpp"

namespace mb {

struct JsonReader {
  std::string source;  // the file, first in every message
  using json = nlohmann::json;

  [[noreturn]] void fail(const std::string& field, const std::string& what) const {
    throw Error(source + ": " + field + ": " + what);
  }
  const json& member(const json& j, const std::string& key, const std::string& field) const {
    if (!j.is_object()) fail(field, "expected an object");
    auto it = j.find(key);
    if (it == j.end()) fail(field, "missing '" + key + "'");
    return *it;
  }
  const json& array(const json& j, const std::string& key, const std::string& field) const {
    const json& v = member(j, key, field);
    if (!v.is_array()) fail(field + "." + key, "expected a list");
    return v;
  }
  std::string text(const json& j, const std::string& key, const std::string& field) const {
    const json& v = member(j, key, field);
    if (!v.is_string()) fail(field + "." + key, "expected a string");
    return v.get<std::string>();
  }
  // A step count or a number of seconds: a non-negative finite number, or null (not reached).
  double amount(const json& v, const std::string& field) const {
    if (v.is_null()) return INFINITY;
    if (!v.is_number()) fail(field, "expected a number or null");
    const double x = v.get<double>();
    if (!std::isfinite(x) || x < 0) fail(field, "expected a non-negative number or null");
    return x;
  }
  std::uint64_t seed(const json& v, const std::string& field) const {
    // A document parsed from text holds non-negative integers as unsigned; one built in memory may not.
    if (v.is_number_unsigned()) return v.get<std::uint64_t>();
    if (!v.is_number_integer() || v.get<std::int64_t>() < 0) fail(field, "expected a non-negative integer seed");
    return static_cast<std::uint64_t>(v.get<std::int64_t>());
  }
};

}  // namespace mb
