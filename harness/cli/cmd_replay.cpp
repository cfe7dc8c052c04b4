// muonbench replay --solver NAME --config JSON|FILE --precision P --in TRACE.json --out OUT.json
#include <filesystem>
#include <iostream>

#include "harness/atomic_file.hpp"
#include "harness/cli/command.hpp"
#include "harness/replay.hpp"

namespace mb::cli {
namespace {

// A JSON text, or a path to a file holding one.
json json_arg(const std::string& v, const std::string& what) {
  std::error_code ec;
  if (!v.empty() && v[0] != '{' && std::filesystem::is_regular_file(v, ec)) return load_json_file(v, what);
  return parse_json_text(v, what);
}

int cmd_replay(const std::vector<std::string>& argv) {
  Args a(argv, "replay", {"solver", "config", "precision", "in", "out"}, {});
  const std::string solver = a.require("solver");
  const json config = json_arg(a.get("config", "{}"), "--config");
  const json trace = load_json_file(a.require("in"), "--in");
  const std::string out = a.require("out");
  const json result = replay(solver, config, a.get("precision", "double"), trace);
  write_file_atomic(out, result.dump(1) + "\n");
  return 0;
}

}  // namespace

MB_REGISTER_COMMAND("replay", "replay a solver on a recorded gradient trace (check against PyTorch, optax...)",
                    "usage: muonbench replay --solver NAME [--config JSON|FILE] [--precision double|float|mp50]\n"
                    "                        --in TRACE.json --out OUT.json\n"
                    "  TRACE.json: {\"w0\": M, \"grads\": [G1, ..., GT]} for one matrix parameter, matrices as lists\n"
                    "  of rows of numbers or decimal strings. OUT.json: {\"trajectory\": [W1, ..., WT]}, W_k after\n"
                    "  step k, entries as decimal strings with every significant digit of the precision.\n",
                    cmd_replay);

}  // namespace mb::cli
