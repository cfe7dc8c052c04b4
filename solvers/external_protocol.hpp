// The external-solver protocol, version 1 (docs/plugins.md "The protocol" is its specification):
// a solver that runs as its own process, in any language, and speaks to muonbench over its stdin
// and stdout. Scalar-free: the per-scalar solver (solvers/external.cpp) hands it raw blocks.
//
//   muonbench -> process   one JSON line, the header: protocol, version, dtype ("float64" or
//                          "float32"), byte_order "little", layout "column-major", blocks (name,
//                          shape, storage [rows, cols], kind), hyper (the solver's hyperparameters),
//                          cell (problem, seed, max_steps)
//   process -> muonbench   one JSON line: {"protocol": ..., "version": 1, "ok": true, "name": ...,
//                          "config": {...}} or {"error": "why"}
//   per step k = 0, 1, ...:
//   muonbench -> process   {"step": k, "bytes": B}\n, then B bytes: every block of W_k, then every
//                          block of the gradient g_k, each block its storage matrix in column-major
//                          order, little-endian
//   process -> muonbench   {"step": k, "bytes": P}\n, then P bytes: every block of W_{k+1}; P must
//                          be exactly the parameters' size; or {"error": "why"}
//   at the end             {"done": true}\n, then stdin is closed; the process exits (status 0)
//
// Transport "shm" (hyper "transport": "shm"): the blocks do not cross the pipe. The process gets a
// shared memory file (memfd) of 2P bytes as its file descriptor 3 (header "transport": {"kind":
// "shm", "fd": 3, "bytes": 2P}); muonbench writes W_k at offset 0 and g_k at offset P, sends
// {"step": k, "bytes": 0}, and the process writes W_{k+1} at offset 0 and answers {"step": k,
// "bytes": 0}. The lines, limits and failures are the same.
//
// Every failure (the process cannot start, exits, says "error", answers with a malformed line, the
// wrong step, the wrong size, or nothing in time) raises ExternalFailure with the reason and the
// tail of the process's stderr; the cell that ran it is then "failed" with that reason.
#pragma once

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace mb {
class Subprocess;
}

namespace mb::external {

using json = nlohmann::json;

inline constexpr int kProtocolVersion = 1;
inline constexpr const char* kProtocolName = "muonbench-external";
// Size limits of what the process may send where a line is expected.
inline constexpr size_t kMaxHelloBytes = 1 << 16;  // the answer to the header
inline constexpr size_t kMaxStepLineBytes = 4096;  // a step's header line or error
// Seconds an external solver may take in all, when no cell gives its time budget (claims).
inline constexpr double kDefaultBudgetSeconds = 600;

struct ExternalFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Block {
  std::string name;
  std::vector<long> shape;
  long rows = 0, cols = 0;  // the storage matrix
  std::string kind;         // "matrix", "vector", "scalar", "stacked"
};

// What the "external" solver's hyperparameters say (validated; errors name the key).
struct Config {
  std::vector<std::string> command;  // relative paths to existing files made absolute
  json client_hyper = json::object();  // every other key: the process's own hyperparameters
  json cell = json::object();          // set by the runner: problem, seed, max_steps, max_seconds
  double budget_seconds = kDefaultBudgetSeconds;
  std::string transport = "pipe";  // or "shm"
  std::string program_digest;  // set by the suite loader (harness/engine/suite.cpp)
};
// Keys the external solver reads itself; "cell" is written by the runner.
const std::vector<std::string>& own_keys();
Config parse_config(const json& hyper, const std::string& context);
// `command` with each relative argument that names an existing file under `base_dir` made
// absolute (the process runs in a fresh directory, so "my_opt.py" must be found first).
json resolve_command_paths(const json& command, const std::string& base_dir);
// The environment the process gets: PATH, HOME and the protocol's own variables, nothing else.
std::vector<std::string> process_environment(const std::string& dtype);

class Session {
 public:
  // Starts the process in a fresh temporary directory, sends the header and reads its answer.
  Session(const Config& config, const std::string& dtype, size_t scalar_bytes, const std::vector<Block>& blocks,
          const std::string& context);
  ~Session();  // {"done": true}, closes stdin, waits 2 s for the exit, kills, removes the directory
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // One step: sends W_k (params) and g_k (grads), receives W_{k+1} into out (one pointer per block,
  // storage rows x cols, column-major; out may alias params).
  void step(long k, const std::vector<const void*>& params, const std::vector<const void*>& grads,
            const std::vector<void*>& out);
  const json& client() const { return client_; }  // the process's name and config
  std::string command_text() const;

 private:
  [[noreturn]] void fail(const std::string& reason);
  json read_json_line(size_t max_bytes, const std::string& doing);
  std::chrono::steady_clock::time_point exit_deadline() const;

  Config config_;
  std::vector<Block> blocks_;
  size_t scalar_bytes_;
  size_t param_bytes_ = 0;
  std::string context_;
  // Removed last (members are destroyed in reverse order), after the process is gone, also when
  // the constructor fails.
  struct TempDir {
    std::string path;
    ~TempDir();
  } dir_;
  std::unique_ptr<Subprocess> process_;
  std::chrono::steady_clock::time_point deadline_;
  json client_;
  bool failed_ = false;
  // The shared block of the "shm" transport (2 * param_bytes_), mapped here; null for "pipe".
  unsigned char* region_ = nullptr;
};

}  // namespace mb::external
