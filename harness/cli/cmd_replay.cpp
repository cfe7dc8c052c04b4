// muonbench replay --solver NAME --config JSON|FILE --precision P --in TRACE.json --out OUT.json
#include <filesystem>
#include <iostream>

#include "harness/core/atomic_file.hpp"
#include "harness/cli/command.hpp"
#include "harness/solver.hpp"
#include "harness/engine/replay.hpp"

namespace mb::cli {
namespace {

int cmd_replay(const std::vector<std::string>& argv) {
  Args a(argv, "replay", {"solver", "config", "precision", "in", "out", "max-entries"}, {"allow-external"});
  const std::string solver = a.require("solver");
  const json config = json_arg(a.get("config", "{}"), "--config");
  if (!config.is_object()) throw Error("--config: expected a JSON object of hyperparameters, got " + config.dump());
  require_external_allowed(solver, "--config", a.get("config", "{}"), config, a.has("allow-external"));
  const std::string out = a.require("out");
  require_writable_file(out, "--out");
  const long max_entries = a.long_integer("max-entries", kDefaultMaxMatrixEntries, 1, kMaxMatrixEntriesLimit);
  const json trace = load_json_file(a.require("in"), "--in");
  const Precision precision = parse_precision(a.get("precision", precision_name(Precision::float64)), "--precision");
  const json result = replay(solver, config, precision, trace, max_entries);
  write_file_atomic(out, result.dump(1) + "\n");
  return 0;
}

}  // namespace

MB_REGISTER_COMMAND("replay", "replay a solver on a recorded gradient trace (check against PyTorch, optax...)",
                    "usage: muonbench replay --solver NAME [--config JSON|FILE] [--precision double|float|mp50]\n"
                    "                        [--allow-external]\n"
                    "                        --in TRACE.json --out OUT.json [--max-entries N]\n"
                    "  TRACE.json: {\"w0\": M, \"grads\": [G1, ..., GT]} for one matrix parameter, matrices as lists\n"
                    "  of rows of numbers or decimal strings; a 3-D tensor [E][m][n] is E experts (MoE), each\n"
                    "  updated on its own by the per-expert solvers. OUT.json: {\"trajectory\": [W1, ..., WT]}, W_k after\n"
                    "  step k, entries as decimal strings with every significant digit of the precision.\n"
                    "  --max-entries N: largest matrix accepted, in entries (default 1048576 = 1024 x 1024).\n"
                    "  A step whose result is not finite ends the replay with exit status 1, naming the step.\n",
                    cmd_replay);

}  // namespace mb::cli
