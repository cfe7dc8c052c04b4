// Loading plugins (docs/plugins.md): shared libraries built against the installed headers
// (include/muonbench/plugin.hpp) that register solvers, problems or claims. Loaded only from the
// paths the user gives (`--plugin PATH`, MUONBENCH_PLUGINS), never from a suite file, before any
// command runs. A plugin built for another plugin ABI or build tag (harness/core/plugin_abi.hpp)
// is refused with both versions named, and none of its registrations run.
#pragma once

#include <string>
#include <vector>

namespace mb {

struct LoadedPlugin {
  std::string path;
  std::vector<std::string> problems, solvers, claims;  // what it registered
};

// Removes every "--plugin PATH" / "--plugin=PATH" from args; returns MUONBENCH_PLUGINS's paths
// (':'-separated) followed by those, in order. Throws Error for a --plugin without a path.
std::vector<std::string> take_plugin_arguments(std::vector<std::string>& args);
// Loads each plugin; throws Error naming the path and the reason (not found, not a plugin,
// ABI mismatch, a name already registered).
void load_plugins(const std::vector<std::string>& paths);
const std::vector<LoadedPlugin>& loaded_plugins();
// The plugin that registered `name` as a problem, solver or claim ("" for a built-in).
std::string plugin_of(const std::string& name);

}  // namespace mb
