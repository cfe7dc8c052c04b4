// harness/core/plugins.hpp: dlopen, the ABI check, then the plugin's deferred registrations.
#include "harness/core/plugins.hpp"

#include <dlfcn.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <set>

#include "harness/claim.hpp"
#include "harness/core/error.hpp"
#include "harness/core/plugin_abi.hpp"
#include "harness/problem.hpp"
#include "harness/solver.hpp"

namespace mb {

namespace {

std::vector<LoadedPlugin>& plugins() {
  static std::vector<LoadedPlugin> list;
  return list;
}

template <class Info>
std::set<std::string> names_of() {
  const auto n = Registry<Info>::instance().names();
  return {n.begin(), n.end()};
}

template <class Info>
std::vector<std::string> added(const std::set<std::string>& before) {
  std::vector<std::string> out;
  for (const auto& n : Registry<Info>::instance().names())
    if (!before.count(n)) out.push_back(n);
  return out;
}

void load_one(const std::string& given) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const std::string field = "--plugin " + given;
  if (!fs::is_regular_file(given, ec)) throw Error(field + ": no such file");
  // dlopen looks a name without '/' up in the library path: a plugin is always a file path.
  const std::string path = fs::absolute(given, ec).lexically_normal().string();
  for (const auto& p : plugins())
    if (p.path == path) return;  // given twice (flag and MUONBENCH_PLUGINS): loaded once
  // Every symbol bound at once (RTLD_NOW): a missing one is an error here, not a crash later.
  // RTLD_LOCAL: one plugin's symbols never satisfy another's.
  void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle)
    throw Error(field + ": cannot load it: " + std::string(::dlerror()) +
                " (a plugin built against another muonbench can lack symbols this one has: rebuild it, docs/plugins.md)");
  using AbiFn = const PluginAbi* (*)();
  using RegisterFn = void (*)();
  auto abi_fn = reinterpret_cast<AbiFn>(::dlsym(handle, "muonbench_plugin_abi"));
  auto register_fn = reinterpret_cast<RegisterFn>(::dlsym(handle, "muonbench_plugin_register"));
  if (!abi_fn || !register_fn) {
    ::dlclose(handle);
    throw Error(field + ": not a muonbench plugin (it lacks muonbench_plugin_abi / muonbench_plugin_register; "
                "build it with muonbench_add_plugin, docs/plugins.md)");
  }
  const PluginAbi* abi = abi_fn();
  if (abi->version != MUONBENCH_PLUGIN_ABI_VERSION || std::strcmp(abi->build_tag, MUONBENCH_PLUGIN_BUILD_TAG) != 0) {
    const std::string theirs = "plugin ABI version " + std::to_string(abi->version) + " (" + abi->build_tag + ")";
    ::dlclose(handle);
    throw Error(field + ": refused, not loaded: it was built for " + theirs + "; this muonbench has plugin ABI version " +
                std::to_string(MUONBENCH_PLUGIN_ABI_VERSION) + " (" + MUONBENCH_PLUGIN_BUILD_TAG +
                "). Rebuild it against this muonbench's installed package (docs/plugins.md)");
  }
  LoadedPlugin p;
  p.path = path;
  const auto problems = names_of<ProblemInfo>(), solvers = names_of<SolverInfo>(), claims = names_of<ClaimInfo>();
  registering_plugin() = path;
  try {
    register_fn();
  } catch (...) {
    registering_plugin().clear();
    throw;
  }
  registering_plugin().clear();
  p.problems = added<ProblemInfo>(problems);
  p.solvers = added<SolverInfo>(solvers);
  p.claims = added<ClaimInfo>(claims);
  if (p.problems.empty() && p.solvers.empty() && p.claims.empty())
    throw Error(field + ": it registers nothing (no MB_REGISTER_SOLVER, MB_REGISTER_PROBLEM or MB_REGISTER_CLAIM ran)");
  plugins().push_back(std::move(p));
  // Never unloaded: the registries hold its factories until the program ends.
}

}  // namespace

std::vector<std::string> take_plugin_arguments(std::vector<std::string>& args) {
  std::vector<std::string> paths;
  if (const char* env = std::getenv("MUONBENCH_PLUGINS")) {
    std::string s(env);
    size_t start = 0;
    while (start <= s.size()) {
      const size_t colon = std::min(s.find(':', start), s.size());
      if (colon > start) paths.push_back(s.substr(start, colon - start));
      start = colon + 1;
    }
  }
  std::vector<std::string> rest;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--plugin") {
      if (i + 1 >= args.size() || args[i + 1].empty() || args[i + 1].rfind("--", 0) == 0)
        throw Error("--plugin: expected the path of a plugin library (PATH.so)");
      paths.push_back(args[++i]);
    } else if (args[i].rfind("--plugin=", 0) == 0) {
      if (args[i].size() == 9) throw Error("--plugin: expected the path of a plugin library (PATH.so)");
      paths.push_back(args[i].substr(9));
    } else {
      rest.push_back(args[i]);
    }
  }
  args = std::move(rest);
  return paths;
}

void load_plugins(const std::vector<std::string>& paths) {
  for (const auto& p : paths) load_one(p);
}

const std::vector<LoadedPlugin>& loaded_plugins() { return plugins(); }

std::string plugin_of(const std::string& name) {
  for (const auto& p : plugins())
    for (const auto* list : {&p.problems, &p.solvers, &p.claims})
      for (const auto& n : *list)
        if (n == name) return p.path;
  return "";
}

}  // namespace mb
