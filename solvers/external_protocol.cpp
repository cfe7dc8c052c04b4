// solvers/external_protocol.hpp: the protocol's messages, limits and failures.
#include "solvers/external_protocol.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "harness/core/error.hpp"
#include "harness/core/subprocess.hpp"

#include <algorithm>

namespace mb::external {

namespace fs = std::filesystem;

const std::vector<std::string>& own_keys() {
  static const std::vector<std::string> keys{"command", "cell", "program_digest", "transport"};
  return keys;
}

json resolve_command_paths(const json& command, const std::string& base_dir) {
  if (!command.is_array()) return command;
  json out = command;
  for (size_t i = 0; i < out.size(); ++i) {
    if (!out[i].is_string()) continue;
    const std::string a = out[i].get<std::string>();
    if (a.empty() || a[0] == '/' || a[0] == '-') continue;
    if (i == 0 && a.find('/') == std::string::npos) continue;  // a program looked up in PATH
    std::error_code ec;
    const fs::path p = fs::path(base_dir.empty() ? "." : base_dir) / a;
    if (fs::is_regular_file(p, ec)) out[i] = fs::absolute(p, ec).lexically_normal().string();
  }
  return out;
}

Config parse_config(const json& hyper, const std::string& context) {
  if (!hyper.is_object()) throw Error(context + ": expected an object of hyperparameters, got " + hyper.dump());
  Config c;
  if (!hyper.contains("command"))
    throw Error(context + ".command: required: the program and its arguments, e.g. [\"python3\", \"my_opt.py\"] "
                "(docs/plugins.md)");
  const json& cmd = hyper["command"];
  if (!cmd.is_array() || cmd.empty())
    throw Error(context + ".command: expected a non-empty list of strings, got " + cmd.dump());
  for (size_t i = 0; i < cmd.size(); ++i)
    if (!cmd[i].is_string() || cmd[i].get<std::string>().empty() ||
        cmd[i].get<std::string>().find('\0') != std::string::npos)
      throw Error(context + ".command[" + std::to_string(i) + "]: expected a non-empty string, got " + cmd[i].dump());
  for (const auto& a : resolve_command_paths(cmd, "")) c.command.push_back(a.get<std::string>());
  for (const auto& [k, v] : hyper.items())
    if (std::find(own_keys().begin(), own_keys().end(), k) == own_keys().end()) c.client_hyper[k] = v;
  if (hyper.contains("transport")) {
    const json& t = hyper["transport"];
    if (!t.is_string() || (t.get<std::string>() != "pipe" && t.get<std::string>() != "shm"))
      throw Error(context + ".transport: expected \"pipe\" (the blocks cross the pipe) or \"shm\" (a shared memory "
                  "block beside it), got " + t.dump());
    c.transport = t.get<std::string>();
  }
  if (hyper.contains("program_digest") && hyper["program_digest"].is_string())
    c.program_digest = hyper["program_digest"].get<std::string>();
  if (hyper.contains("cell")) {
    c.cell = hyper["cell"];
    if (!c.cell.is_object()) throw Error(context + ".cell: set by the runner; expected an object");
    if (c.cell.contains("max_seconds")) {
      const json& s = c.cell["max_seconds"];
      if (!s.is_number() || !(s.get<double>() > 0)) throw Error(context + ".cell.max_seconds: expected a positive number");
      c.budget_seconds = s.get<double>();
    }
  }
  return c;
}

std::vector<std::string> process_environment(const std::string& dtype) {
  std::vector<std::string> env;
  const char* path = std::getenv("PATH");
  env.push_back(std::string("PATH=") + (path ? path : "/usr/local/bin:/usr/bin:/bin"));
  if (const char* home = std::getenv("HOME")) env.push_back(std::string("HOME=") + home);
  env.push_back("MUONBENCH_PROTOCOL=" + std::string(kProtocolName) + "/" + std::to_string(kProtocolVersion));
  env.push_back("MUONBENCH_DTYPE=" + dtype);
  // One cell, one core, as for built-in solvers (cells run in parallel); NumPy's and PyTorch's
  // thread pools read these.
  env.push_back("OMP_NUM_THREADS=1");
  env.push_back("OPENBLAS_NUM_THREADS=1");
  return env;
}

std::string Session::command_text() const {
  std::string s;
  for (const auto& a : config_.command) s += (s.empty() ? "" : " ") + a;
  return s;
}

void Session::fail(const std::string& reason) {
  failed_ = true;
  std::string tail;
  if (process_) {
    process_->kill_now();
    tail = process_->stderr_tail();
  }
  const size_t keep = 1500;
  if (tail.size() > keep) tail = "..." + tail.substr(tail.size() - keep);
  while (!tail.empty() && (tail.back() == '\n' || tail.back() == ' ')) tail.pop_back();
  throw ExternalFailure("external solver `" + command_text() + "`: " + reason +
                        (tail.empty() ? std::string("; its stderr is empty") : "; its stderr ends with:\n" + tail));
}

// How long a process that has stopped talking may take to exit before it is killed: 2 s, within
// the budget (a process that closed its stdout but keeps running must not hold the cell).
std::chrono::steady_clock::time_point Session::exit_deadline() const {
  return std::min(deadline_, std::chrono::steady_clock::now() + std::chrono::seconds(2));
}

json Session::read_json_line(size_t max_bytes, const std::string& doing) {
  std::string line;
  try {
    line = process_->read_line(max_bytes, deadline_);
  } catch (const SubprocessError& e) {
    if (e.kind == SubprocessError::Kind::timeout)
      fail("time budget of " + std::to_string(config_.budget_seconds) + " s used while " + doing +
           " (the process was killed)");
    if (e.kind == SubprocessError::Kind::closed) fail(std::string(e.what()) + " while " + doing + " (" + process_->finish(exit_deadline()) + ")");
    fail(std::string(e.what()) + " while " + doing);
  }
  json j;
  try {
    j = json::parse(line);
  } catch (const json::exception&) {
    fail("malformed reply while " + doing + ": expected one JSON line, got '" + line.substr(0, 200) +
         (line.size() > 200 ? "...'" : "'"));
  }
  if (!j.is_object()) fail("malformed reply while " + doing + ": expected a JSON object, got " + j.dump().substr(0, 200));
  if (j.contains("error"))
    fail("it reported an error while " + doing + ": " +
         (j["error"].is_string() ? j["error"].get<std::string>() : j["error"].dump()));
  return j;
}

Session::Session(const Config& config, const std::string& dtype, size_t scalar_bytes, const std::vector<Block>& blocks,
                 const std::string& context)
    : config_(config), blocks_(blocks), scalar_bytes_(scalar_bytes), context_(context) {
  deadline_ = std::chrono::steady_clock::now() +
              std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(config.budget_seconds));
  for (const auto& b : blocks_) param_bytes_ += static_cast<size_t>(b.rows * b.cols) * scalar_bytes_;
  // A fresh working directory: the process sees none of the caller's files by accident.
  const char* tmp = std::getenv("TMPDIR");
  std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/muonbench-external-XXXXXX";
  if (!::mkdtemp(templ.data())) fail("cannot create a working directory under " + templ);
  dir_.path = templ;
  int memfd = -1;
  if (config_.transport == "shm") {
    memfd = ::memfd_create("muonbench-external", MFD_CLOEXEC);
    if (memfd < 0 || ::ftruncate(memfd, static_cast<off_t>(2 * param_bytes_)) != 0) {
      if (memfd >= 0) ::close(memfd);
      fail("cannot create the shared memory block of " + std::to_string(2 * param_bytes_) + " bytes: " + std::strerror(errno));
    }
    void* p = ::mmap(nullptr, 2 * param_bytes_, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
    if (p == MAP_FAILED) {
      ::close(memfd);
      fail("cannot map the shared memory block: " + std::string(std::strerror(errno)));
    }
    region_ = static_cast<unsigned char*>(p);
  }
  try {
    SpawnOptions spawn{config_.command, process_environment(dtype), dir_.path};
    spawn.fd3 = memfd;
    process_ = std::make_unique<Subprocess>(spawn);
  } catch (const SubprocessError& e) {
    if (memfd >= 0) ::close(memfd);
    fail(e.what());
  }
  if (memfd >= 0) ::close(memfd);  // the mappings (ours, the process's fd 3) keep the block
  json jb = json::array();
  for (const auto& b : blocks_)
    jb.push_back({{"name", b.name}, {"shape", b.shape}, {"storage", {b.rows, b.cols}}, {"kind", b.kind}});
  const json header = {{"protocol", kProtocolName}, {"version", kProtocolVersion}, {"dtype", dtype},
                       {"byte_order", "little"},   {"layout", "column-major"},    {"blocks", jb},
                       {"hyper", config_.client_hyper}, {"cell", config_.cell},
                       {"transport", config_.transport == "shm"
                                         ? json{{"kind", "shm"}, {"fd", 3}, {"bytes", 2 * param_bytes_}}
                                         : json{{"kind", "pipe"}}}};
  const std::string line = header.dump() + "\n";
  try {
    process_->write_all({{line.data(), line.size()}}, deadline_);
  } catch (const SubprocessError& e) {
    fail(std::string("sending the header: ") + e.what() + " (" + process_->finish(exit_deadline()) + ")");
  }
  json hello = read_json_line(kMaxHelloBytes, "reading its answer to the header");
  if (hello.value("protocol", std::string()) != kProtocolName || !hello.contains("version") ||
      !hello["version"].is_number_integer())
    fail("its answer to the header lacks \"protocol\": \"" + std::string(kProtocolName) +
         "\" and an integer \"version\": " + hello.dump().substr(0, 300));
  if (hello["version"].get<long>() != kProtocolVersion)
    fail("it speaks protocol version " + hello["version"].dump() + ", muonbench speaks version " +
         std::to_string(kProtocolVersion));
  if (hello.value("ok", false) != true) fail("its answer to the header lacks \"ok\": true: " + hello.dump().substr(0, 300));
  client_ = {{"name", hello.value("name", std::string())}, {"config", hello.value("config", json::object())}};
}

Session::TempDir::~TempDir() {
  std::error_code ec;
  if (!path.empty()) std::filesystem::remove_all(path, ec);
}

Session::~Session() {
  if (process_ && !failed_) {
    static const std::string done = "{\"done\": true}\n";
    try {
      const auto soon = std::chrono::steady_clock::now() + std::chrono::seconds(2);
      process_->write_all({{done.data(), done.size()}}, std::min(soon, deadline_ + std::chrono::seconds(2)));
      process_->finish(soon);
    } catch (const std::exception&) {
      // It is killed below; the cell's result is already decided.
    }
  }
  process_.reset();  // kills what is left and reaps it; dir_ is removed after
  if (region_) ::munmap(region_, 2 * param_bytes_);
}

void Session::step(long k, const std::vector<const void*>& params, const std::vector<const void*>& grads,
                   const std::vector<void*>& out) {
  const bool shm = region_ != nullptr;
  const size_t reply_bytes = shm ? 0 : param_bytes_;
  const std::string line = json{{"step", k}, {"bytes", shm ? 0 : 2 * param_bytes_}}.dump() + "\n";
  std::vector<std::pair<const void*, size_t>> buffers{{line.data(), line.size()}};
  auto bytes_of = [&](size_t i) { return static_cast<size_t>(blocks_[i].rows * blocks_[i].cols) * scalar_bytes_; };
  if (shm) {  // W_k at offset 0, g_k at offset P
    size_t at = 0;
    for (size_t i = 0; i < blocks_.size(); ++i) std::memcpy(region_ + at, params[i], bytes_of(i)), at += bytes_of(i);
    for (size_t i = 0; i < blocks_.size(); ++i) std::memcpy(region_ + at, grads[i], bytes_of(i)), at += bytes_of(i);
  } else {
    for (size_t i = 0; i < blocks_.size(); ++i) buffers.emplace_back(params[i], bytes_of(i));
    for (size_t i = 0; i < blocks_.size(); ++i) buffers.emplace_back(grads[i], bytes_of(i));
  }
  try {
    process_->write_all(buffers, deadline_);
  } catch (const SubprocessError& e) {
    if (e.kind == SubprocessError::Kind::timeout)
      fail("time budget of " + std::to_string(config_.budget_seconds) + " s used while sending step " +
           std::to_string(k) + " (the process was killed)");
    fail("sending step " + std::to_string(k) + ": " + e.what() + " (" + process_->finish(exit_deadline()) + ")");
  }
  const std::string doing = "waiting for its answer to step " + std::to_string(k);
  const json reply = read_json_line(kMaxStepLineBytes, doing);
  if (!reply.contains("step") || reply["step"] != k)
    fail("malformed reply to step " + std::to_string(k) + ": expected {\"step\": " + std::to_string(k) +
         ", \"bytes\": " + std::to_string(reply_bytes) + "}, got " + reply.dump().substr(0, 300));
  if (!reply.contains("bytes") || !reply["bytes"].is_number_unsigned() || reply["bytes"].get<size_t>() != reply_bytes)
    fail("wrong shape in the reply to step " + std::to_string(k) + ": it announces " +
         (reply.contains("bytes") ? reply["bytes"].dump() : std::string("no")) + " bytes, " +
         (shm ? std::string("the shm transport sends 0 (W_{k+1} is in the shared block)")
              : "the parameters are " + std::to_string(param_bytes_) + " bytes (" + std::to_string(blocks_.size()) +
                    " block(s) of " + std::to_string(scalar_bytes_) + "-byte values)"));
  if (shm) {
    size_t at = 0;
    for (size_t i = 0; i < blocks_.size(); ++i) std::memcpy(out[i], region_ + at, bytes_of(i)), at += bytes_of(i);
    return;
  }
  try {
    for (size_t i = 0; i < blocks_.size(); ++i)
      process_->read_exact(out[i], bytes_of(i), deadline_);
  } catch (const SubprocessError& e) {
    if (e.kind == SubprocessError::Kind::timeout)
      fail("time budget of " + std::to_string(config_.budget_seconds) + " s used while reading step " +
           std::to_string(k) + "'s parameters (the process was killed)");
    fail("reading step " + std::to_string(k) + "'s parameters: " + e.what() + " (" + process_->finish(exit_deadline()) + ")");
  }
}

}  // namespace mb::external
