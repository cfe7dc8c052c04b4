// Cells and the runner. A cell is one (problem, solver + hyperparameters, precision, seed) with
// its budget and targets; its id is a content hash, so results are cached and merged by id.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "harness/json_num.hpp"

namespace mb {

struct CellSpec {
  std::string problem;          // registered name
  std::string problem_label;    // label in reports (defaults to the name)
  json problem_params = json::object();
  std::string solver;           // registered name
  std::string solver_label;     // label in reports, e.g. "muon(lr=0.02)"
  json hyper = json::object();
  std::string precision;        // double | mp50 | float
  std::uint64_t seed = 0;
  long max_steps = 100;
  double max_seconds = 60;
  std::vector<std::string> targets;  // relative gap thresholds gap_k <= tau * gap_0, as decimal text
  bool stop_at_target = true;        // stop once the smallest target is reached

  json to_json() const;              // canonical form (hashed for the id)
  std::string id() const;            // 16 hex digits of FNV-1a-64 over to_json().dump() + version
};

CellSpec cell_from_json(const json& j);

// What a cell produces: `record` is deterministic (same inputs, same bytes); `timing` is not.
struct CellResult {
  json record;
  json timing;
};

// Raised when a run is cancelled (SIGINT/SIGTERM); the cell is not recorded.
struct Cancelled : std::exception {
  const char* what() const noexcept override { return "cancelled"; }
};

using CellRunner = std::function<CellResult(const CellSpec&, const std::atomic<bool>* cancel)>;

// Runs one cell in its precision. Errors in the cell's inputs throw mb::Error; numerical
// trouble (NaN, blow-up) is a result: status "diverged" with its reason.
CellResult run_cell(const CellSpec& cell, const std::atomic<bool>* cancel = nullptr);

// Runs `tasks` on `threads` workers in order of submission; each task's index is passed to it.
// Exceptions are collected and the first is rethrown after all workers stop.
void parallel_for(size_t count, int threads, const std::function<void(size_t)>& task,
                  const std::atomic<bool>* cancel = nullptr);

}  // namespace mb
