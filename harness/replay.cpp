#include "harness/replay.hpp"

#include "harness/registry.hpp"

namespace mb {

json replay(const std::string& solver, const json& config, const std::string& precision, const json& trace,
            long max_entries) {
  require_precision(precision, "--precision");
  return Registry<ReplayFn>::instance().get(precision, "precision", "--precision")(solver, config, trace, max_entries);
}

}  // namespace mb
