// The run cache: one file per finished job, DIR/<cell id>.json and DIR/claim-<task id>.json
// (muonbench run puts DIR at OUT/cache by default; docs/reports.md). A job whose file exists, was
// written by the same build (version, git commit and a hash of the executable) and describes the
// same job is not rerun, so an interrupted run continues where it stopped and a changed cell (a
// new id) reruns. Files are written atomically as each job finishes. Failed and timed-out cells are
// never stored: they depend on the machine and are retried.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "harness/engine/runner.hpp"

namespace mb {

class ResultCache {
 public:
  explicit ResultCache(std::string dir);  // "" disables the cache
  bool enabled() const { return !dir_.empty(); }
  const std::string& dir() const { return dir_; }

  std::optional<CellResult> load(const CellSpec& cell) const;
  // Stores the result unless its status is "failed" or "timeout"; returns whether it stored it.
  bool store(const CellSpec& cell, const CellResult& result) const;
  std::optional<ClaimResult> load(const ClaimTask& task) const;
  void store(const ClaimTask& task, const ClaimResult& result) const;

  // Puts every job of `plan` found in the cache into `out` (counted as cached) and returns the
  // indices of the others, in plan order: what a run still has to do.
  std::vector<size_t> load_finished(const RunPlan& plan, RunOutput& out) const;

  // "<version> <git commit> <hash of the executable>": results of another build are not reused.
  static const std::string& build_fingerprint();

 private:
  std::optional<json> read(const std::string& file, const std::string& id) const;
  std::string dir_;
};

}  // namespace mb
