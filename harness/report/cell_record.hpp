// What one cell produced, as a type: the single source of the record written in reports, cache
// files, shard files and MPI messages (Ceres' Summary habit: a result is a value with a brief and
// a full report). `CellRecord` is deterministic (same inputs and build, same bytes); `CellTiming`
// holds everything measured in seconds. docs/reports.md describes each field.
//
// Values computed in the cell's precision (f0, f*, gaps, curve values) are kept as the JSON the
// precision writes them in (harness/core/json_num.hpp: float/double a number, mp50 a decimal
// string with every digit, null when non-finite or unknown), so that reading a record back and
// writing it again gives the same bytes.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "harness/core/json_num.hpp"

namespace mb {

enum class CellStatus { target_reached, max_steps, diverged, timeout, failed };
const char* to_string(CellStatus s);
// Throws Error naming `field` on an unknown status.
CellStatus parse_cell_status(const std::string& text, const std::string& field);
// Failed and timed-out cells depend on the machine: they are never cached, and rerun.
inline bool is_reproducible(CellStatus s) { return s != CellStatus::failed && s != CellStatus::timeout; }

// A number as its precision writes it: JSON number, decimal string or null.
using JsonNumber = json;

struct CellCurve {  // sampled geometrically (harness/report/metrics.hpp, next_sample_step)
  std::vector<long> step;
  std::vector<JsonNumber> value, gap, grad_norm;  // gap: null where f* is unknown
};

struct CellRecord {
  std::string id;
  json cell;            // the CellSpec (harness/engine/plan.hpp) as hashed
  json problem_params;  // every parameter of the problem, defaults resolved
  json hyper;           // the solver's config(): every hyperparameter, defaults resolved
  CellStatus status = CellStatus::failed;
  std::string reason;
  long steps = 0;
  long gradient_evaluations = 0;
  JsonNumber f0, f_star;  // f_star: null when unknown
  std::string f_star_source;
  JsonNumber gap0;
  JsonNumber final_value, final_gap, final_grad_norm;
  CellCurve curve;
  std::map<std::string, std::optional<long>> steps_to_target;  // by target text; nullopt: not reached
  std::optional<double> rounding_floor_relative;  // the gap floor / gap0 (targets below are never reached)
  json rate;                                      // metrics.hpp rate_to_json (null without f*)
  std::optional<json> diagnostics;                // solver-specific, when the solver reports any
  std::optional<json> evaluation;                 // the problem's evaluate() at the final point, when it has one

  json to_json() const;
  // Reads a record written by to_json (cache, shards, MPI); throws Error naming `field`.
  static CellRecord from_json(const json& j, const std::string& field);
  // One line: "diverged after 12 steps (non-finite gradient at step 12)".
  std::string brief() const;
};

struct CellTiming {
  double seconds = 0;        // the whole cell, set-up included
  double setup_seconds = 0;  // problem and solver construction
  std::vector<double> curve_seconds;                              // at each curve sample
  std::map<std::string, std::optional<double>> seconds_to_target;  // from the first evaluation

  json to_json() const;
  static CellTiming from_json(const json& j, const std::string& field);
};

struct CellResult {
  CellRecord record;
  CellTiming timing;

  // Adds "record" and "timing" to `j`: the form cache files, shard files and MPI messages carry.
  void write_to(json& j) const;
  // Reads what write_to wrote; throws Error naming `field`.
  static CellResult read_from(const json& j, const std::string& field);
};

}  // namespace mb
