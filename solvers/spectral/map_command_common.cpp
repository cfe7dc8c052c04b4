// Dispatch of `muonbench spectral` to the worker of the requested precision (map_command.hpp).
#include "harness/registry.hpp"
#include "solvers/spectral/map_command.hpp"

namespace mb::spectral {

const std::vector<std::string>& map_names() {
  static const std::vector<std::string> n{"polar", "ns", "reg", "power"};
  return n;
}

json run_map(const MapRequest& request, const std::string& precision, const json& in) {
  require_precision(precision, "--precision");
  return Registry<MapFn>::instance().get(precision, "precision", "--precision")(request, in);
}

}  // namespace mb::spectral
