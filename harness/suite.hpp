// Suites: JSON files naming problems x solvers x precisions x seeds, budgets and targets, plus
// the claims to check. Validated completely before anything runs; every error names its field.
// The format is documented in docs/suites.md.
#pragma once

#include <string>
#include <vector>

#include "harness/json_num.hpp"
#include "harness/runner.hpp"

namespace mb {

struct Suite {
  std::string name;
  std::string description;
  std::string source;             // file it came from
  json spec;                      // the suite as given
  std::vector<CellSpec> cells;
  std::vector<std::string> targets;  // decimal text, largest first
  std::string primary_target;
  std::vector<std::string> claims;
  std::vector<std::string> claim_precisions;
};

Suite parse_suite(const json& j, const std::string& source);
// NAME (looked up in the suite directories) or a path to a JSON file.
Suite load_suite(const std::string& name_or_file);
std::vector<std::string> suite_directories();
std::vector<std::string> known_suites();

// Throws Error naming `field` and listing `allowed` if j has any other key.
void require_keys(const json& j, const std::vector<std::string>& allowed, const std::string& field);

}  // namespace mb
