// A child process spoken to over pipes, for the external-solver protocol
// (solvers/external_protocol.hpp). What it guarantees, so that a run never hangs on a bad program:
//   * every read and write has a deadline; past it the process group is killed (SIGKILL) and
//     SubprocessError{timeout} is raised;
//   * stderr is drained while waiting (a chatty process never blocks on a full pipe) into a
//     bounded tail, quoted in errors;
//   * a line is read with a size limit: a longer one is an error, never an allocation;
//   * writing to a process that has gone is an error (EPIPE), never SIGPIPE;
//   * the process starts in its own process group, with exactly the environment and working
//     directory given, signals at their defaults; the destructor kills what is left and reaps it.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

namespace mb {

struct SubprocessError : std::runtime_error {
  enum class Kind { start, timeout, closed, too_long, io, cancelled };
  Kind kind;
  SubprocessError(Kind k, const std::string& what) : std::runtime_error(what), kind(k) {}
};

struct SpawnOptions {
  std::vector<std::string> argv;  // argv[0] without '/' is looked up in PATH
  std::vector<std::string> env;   // the whole environment, "KEY=VALUE"
  std::string cwd;                // working directory of the process
  size_t stderr_tail_bytes = 4096;
  int fd3 = -1;                   // >= 0: given to the process as its file descriptor 3
};

// The run's cancellation flag (Ctrl-C, SIGTERM: harness/cli/signals.hpp): while it is set, every
// wait kills its process and raises SubprocessError{cancelled} within 100 ms.
void set_subprocess_cancel_flag(const std::atomic<bool>* flag);

class Subprocess {
 public:
  using clock = std::chrono::steady_clock;
  // Starts the process; SubprocessError{start} names the program and the system's reason.
  explicit Subprocess(const SpawnOptions& options);
  ~Subprocess();
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  // Writes the buffers in order (one writev where the pipe takes it).
  void write_all(const std::vector<std::pair<const void*, size_t>>& buffers, clock::time_point deadline);
  // One line from stdout without its '\n'; more than max_bytes before the '\n' is too_long.
  std::string read_line(size_t max_bytes, clock::time_point deadline);
  // Exactly n bytes from stdout into data.
  void read_exact(void* data, size_t n, clock::time_point deadline);
  void close_stdin();
  // Waits until `deadline` for the process to exit, then kills its group; returns how it ended
  // ("exit status 0", "killed by signal 9"). Idempotent.
  std::string finish(clock::time_point deadline);
  // Kills the process group at once and reaps the process.
  void kill_now();
  // The last bytes the process wrote to stderr (at most stderr_tail_bytes), read so far.
  std::string stderr_tail();
  pid_t pid() const { return pid_; }

 private:
  // Waits until `fd` is ready for `events`, draining stderr meanwhile.
  void wait_for(int fd, short events, clock::time_point deadline, const char* doing);
  void drain_stderr();
  // How the process ended if it has ended ("" if it is still running).
  std::string poll_exit();

  pid_t pid_ = -1;
  bool reaped_ = false;
  std::string ended_;  // how it ended, once reaped
  int in_ = -1, out_ = -1, err_ = -1;  // our ends: its stdin, stdout, stderr
  std::string pending_;                 // stdout bytes read past the last line
  std::string tail_;
  size_t tail_limit_;
};

}  // namespace mb
