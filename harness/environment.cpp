#include "harness/environment.hpp"

#include "harness/distributed.hpp"

#include <boost/version.hpp>
#include <chrono>
#include <ctime>
#include <fstream>
#include <thread>

#ifndef MB_VERSION
#define MB_VERSION "0.0.0"
#endif
#ifndef MB_GIT_COMMIT
#define MB_GIT_COMMIT "unknown"
#endif
#ifndef MB_CXX_FLAGS
#define MB_CXX_FLAGS ""
#endif
#ifndef MB_BUILD_TYPE
#define MB_BUILD_TYPE ""
#endif
#ifndef MB_EIGEN_VERSION
#define MB_EIGEN_VERSION ""
#endif
#ifndef MB_SOURCE_DIR
#define MB_SOURCE_DIR "."
#endif

namespace mb {

std::string version_string() { return MB_VERSION; }
std::string source_dir() { return MB_SOURCE_DIR; }

namespace {
std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("model name", 0) == 0) {
      auto pos = line.find(':');
      if (pos != std::string::npos) return line.substr(pos + 2);
    }
  return "unknown";
}
}  // namespace

std::string utc_now_iso8601() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

nlohmann::json environment_json(int threads) {
  return {{"muonbench_version", MB_VERSION},
          {"git_commit", MB_GIT_COMMIT},
          {"compiler", std::string("g++ ") + __VERSION__},
          {"build_type", MB_BUILD_TYPE},
          {"cxx_flags", MB_CXX_FLAGS},
          {"eigen", MB_EIGEN_VERSION},
          {"boost", std::to_string(BOOST_VERSION / 100000) + "." + std::to_string(BOOST_VERSION / 100 % 1000) + "." +
                        std::to_string(BOOST_VERSION % 100)},
          {"nlohmann_json", std::to_string(NLOHMANN_JSON_VERSION_MAJOR) + "." +
                                std::to_string(NLOHMANN_JSON_VERSION_MINOR) + "." +
                                std::to_string(NLOHMANN_JSON_VERSION_PATCH)},
          {"cpu", cpu_model()},
          {"hardware_threads", std::thread::hardware_concurrency()},
          {"threads", threads},
          {"mpi_backend", built_with_mpi()}};
}

}  // namespace mb
