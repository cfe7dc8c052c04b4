#include "harness/engine/distributed.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <initializer_list>
#include <iostream>
#include <vector>

#include "harness/core/error.hpp"
#include "harness/core/json_num.hpp"

namespace mb {

namespace {
// The first of `vars` set in the environment to an integer >= `least`, else `otherwise`.
int first_env_integer(std::initializer_list<const char*> vars, long least, int otherwise) {
  for (const char* var : vars) {
    if (const char* v = std::getenv(var)) {
      char* end = nullptr;
      const long n = std::strtol(v, &end, 10);
      if (end != v && *end == '\0' && n >= least) return static_cast<int>(n);
    }
  }
  return otherwise;
}
}  // namespace

int launcher_world_size() { return first_env_integer({"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE", "MPI_LOCALNRANKS"}, 1, 1); }

int launcher_rank() { return first_env_integer({"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK"}, 0, -1); }

JournalLog::JournalLog(const std::string& path) {
  if (path.empty()) return;
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) throw Error("run: cannot write the MPI journal '" + path + "': " + std::strerror(errno));
}

JournalLog::~JournalLog() {
  if (fd_ >= 0) ::close(fd_);
}

void JournalLog::append(const json& line) {
  if (fd_ < 0) return;
  const std::string text = line.dump() + "\n";
  if (::write(fd_, text.data(), text.size()) != static_cast<ssize_t>(text.size()))
    std::cerr << "muonbench: warning: the MPI journal could not be written: " << std::strerror(errno) << "\n";
}

std::string describe_unfinished_journal(const std::string& journal) {
  std::ifstream in(journal);
  if (!in) return "";
  // Replay the log: "run" puts a job in flight, "done" takes it out. A line that does not parse
  // (the last one, cut short by a crash) is skipped.
  json header;
  std::vector<json> in_flight;  // in the order the jobs were handed out
  size_t done = 0;
  bool finished = false;
  for (std::string line; std::getline(in, line);) {
    json j = json::parse(line, nullptr, false);
    if (!j.is_object()) continue;
    if (j.contains("suite")) {
      header = j;
      done = j.value("done", size_t{0});
    } else if (j.contains("run")) {
      in_flight.push_back(std::move(j));
    } else if (j.contains("done")) {
      const std::string id = j.value("done", std::string());
      std::erase_if(in_flight, [&](const json& e) { return e.value("run", std::string()) == id; });
      ++done;
    } else if (j.value("finished", false)) {
      finished = true;
    }
  }
  if (finished || header.is_null()) return "";
  std::string msg = "the previous distributed run of suite '" + header.value("suite", std::string("?")) +
                    "' did not finish (" + std::to_string(done) + " of " +
                    std::to_string(header.value("total", 0)) + " jobs done)";
  if (!in_flight.empty()) {
    msg += "; lost in flight:";
    for (const auto& e : in_flight)
      msg += " " + e.value("run", std::string("?")) + " (" + e.value("what", std::string("?")) + ", rank " +
             std::to_string(e.value("rank", -1)) + ")";
  }
  return msg + "; finished jobs are reused from the cache and only the missing ones run";
}

}  // namespace mb
