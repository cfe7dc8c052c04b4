#include "harness/engine/replay.hpp"

namespace mb {

json replay(const std::string& solver, const json& config, Precision precision, const json& trace,
            long max_entries) {
  return dispatch(precision, [&](auto tag) {
    return replay_in<typename decltype(tag)::type>(solver, config, trace, max_entries);
  });
}

}  // namespace mb
