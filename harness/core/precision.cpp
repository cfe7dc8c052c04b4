#include "harness/core/precision.hpp"

#include "harness/core/error.hpp"

namespace mb {

const std::vector<std::string>& precision_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    for (const auto& i : kPrecisions) n.push_back(i.name);
    return n;
  }();
  return names;
}

const std::vector<std::string>& claim_precision_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    for (const auto& i : kPrecisions)
      if (i.claims) n.push_back(i.name);
    return n;
  }();
  return names;
}

Precision parse_precision(std::string_view name, const std::string& field) {
  for (const auto& i : kPrecisions)
    if (name == i.name) return i.id;
  throw_unknown("precision", std::string(name), field, precision_names());
}

Precision parse_claim_precision(std::string_view name, const std::string& field) {
  for (const auto& i : kPrecisions)
    if (name == i.name && i.claims) return i.id;
  throw_unknown("claim precision", std::string(name), field, claim_precision_names());
}

}  // namespace mb
