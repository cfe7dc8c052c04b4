#include "harness/runner.hpp"

#include <mutex>
#include <thread>

#include "harness/environment.hpp"
#include "harness/error.hpp"
#include "harness/registry.hpp"

namespace mb {

json CellSpec::to_json() const {
  return {{"problem", problem},
          {"problem_label", problem_label},
          {"problem_params", problem_params},
          {"solver", solver},
          {"solver_label", solver_label},
          {"hyper", hyper},
          {"precision", precision},
          {"seed", seed},
          {"max_steps", max_steps},
          {"max_seconds", max_seconds},
          {"targets", targets},
          {"stop_at_target", stop_at_target}};
}

std::string CellSpec::id() const {
  const std::string text = to_json().dump() + "|" + version_string();
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

CellSpec cell_from_json(const json& j) {
  CellSpec c;
  c.problem = j.at("problem").get<std::string>();
  c.problem_label = j.at("problem_label").get<std::string>();
  c.problem_params = j.at("problem_params");
  c.solver = j.at("solver").get<std::string>();
  c.solver_label = j.at("solver_label").get<std::string>();
  c.hyper = j.at("hyper");
  c.precision = j.at("precision").get<std::string>();
  c.seed = j.at("seed").get<std::uint64_t>();
  c.max_steps = j.at("max_steps").get<long>();
  c.max_seconds = j.at("max_seconds").get<double>();
  c.targets = j.at("targets").get<std::vector<std::string>>();
  c.stop_at_target = j.at("stop_at_target").get<bool>();
  return c;
}

CellResult run_cell(const CellSpec& cell, const std::atomic<bool>* cancel) {
  const auto& runner = Registry<CellRunner>::instance().get(cell.precision, "precision", "precision");
  return runner(cell, cancel);
}

void parallel_for(size_t count, int threads, const std::function<void(size_t)>& task,
                  const std::atomic<bool>* cancel) {
  std::atomic<size_t> next{0};
  std::exception_ptr first_error;
  std::mutex mu;
  auto worker = [&] {
    for (;;) {
      if (cancel && cancel->load()) return;
      {
        std::lock_guard<std::mutex> lock(mu);
        if (first_error) return;
      }
      const size_t i = next.fetch_add(1);
      if (i >= count) return;
      try {
        task(i);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mu);
        if (!first_error) first_error = std::current_exception();
      }
    }
  };
  const int n = std::max(1, std::min<int>(threads, static_cast<int>(count)));
  std::vector<std::thread> pool;
  for (int t = 1; t < n; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  if (first_error) std::rethrow_exception(first_error);
}

}  // namespace mb
