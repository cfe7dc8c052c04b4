#include "harness/distributed.hpp"

#include <cstdlib>
#include <filesystem>

#include "harness/json_num.hpp"

namespace mb {

int launcher_world_size() {
  for (const char* var : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE", "MPI_LOCALNRANKS"}) {
    if (const char* v = std::getenv(var)) {
      const int n = std::atoi(v);
      if (n > 0) return n;
    }
  }
  return 1;
}

std::string describe_unfinished_journal(const std::string& journal) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(journal, ec)) return "";
  json j;
  try {
    j = load_json_file(journal, "journal");
  } catch (const std::exception&) {
    return "";
  }
  if (j.value("finished", false)) return "";
  std::string msg = "the previous distributed run of suite '" + j.value("suite", std::string("?")) +
                    "' did not finish (" + std::to_string(j.value("done", 0)) + " of " +
                    std::to_string(j.value("total", 0)) + " jobs done)";
  const json lost = j.value("in_flight", json::array());
  if (!lost.empty()) {
    msg += "; lost in flight:";
    for (const auto& e : lost)
      msg += " " + e.value("job", std::string("?")) + " (" + e.value("what", std::string("?")) + ", rank " +
             std::to_string(e.value("rank", -1)) + ")";
  }
  return msg + "; finished jobs are reused from the cache and only the missing ones run";
}

}  // namespace mb
