// Registries by name (Caffe's LayerRegistry habit): a function-local static
// map per entry type, filled by static objects in each source file before main() runs.
// Duplicate names abort at start-up; unknown names list the known ones.
//
// Numerical sources are compiled once per scalar type (harness/core/per_scalar.hpp); their
// registration macros register the templates for that translation unit's MB_SCALAR only.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "harness/core/error.hpp"
#include "harness/core/per_scalar.hpp"
#include "harness/core/precision.hpp"

#define MB_CONCAT_INNER(a, b) a##b
#define MB_CONCAT(a, b) MB_CONCAT_INNER(a, b)
#define MB_UNIQUE(prefix) MB_CONCAT(prefix, __COUNTER__)

namespace mb {

// The plugin being registered (harness/core/plugins.cpp sets it while a plugin's registrations
// run): a duplicate name is then an error naming the plugin, not an abort. Empty otherwise.
inline std::string& registering_plugin() {
  static std::string path;
  return path;
}

template <class Entry>
class Registry {
 public:
  static Registry& instance() {
    static Registry r;
    return r;
  }
  // `allow_same` lets every scalar's translation unit add the same metadata entry.
  void add(const std::string& name, Entry e, bool allow_same = false) {
    if (entries_.count(name)) {
      if (allow_same) return;
      if (!registering_plugin().empty())
        throw Error("plugin " + registering_plugin() + ": registers '" + name +
                    "', a name that is already registered (built in or by an earlier plugin); rename it");
      std::fprintf(stderr, "muonbench: duplicate registration of '%s'\n", name.c_str());
      std::abort();
    }
    entries_.emplace(name, std::move(e));
  }
  bool contains(const std::string& name) const { return entries_.count(name) != 0; }
  // `what` names the kind ("problem", "solver"...), `field` where the name came from.
  const Entry& get(const std::string& name, const std::string& what, const std::string& field = "") const {
    auto it = entries_.find(name);
    if (it == entries_.end()) throw_unknown(what, name, field, names());
    return it->second;
  }
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& kv : entries_) out.push_back(kv.first);
    return out;
  }
  const std::map<std::string, Entry>& all() const { return entries_; }

 private:
  std::map<std::string, Entry> entries_;
};

// Runs `f` at static-initialisation time (the body of every registration macro).
struct StaticRegistration {
  template <class F>
  explicit StaticRegistration(F&& f) {
    f();
  }
};

}  // namespace mb

// A plugin (include/muonbench/plugin.hpp defines MUONBENCH_PLUGIN) does not register while the
// dynamic loader initialises it: its registrations are kept in a list private to the library and
// run by its entry point muonbench_plugin_register() only after the loader has checked the
// plugin's ABI (harness/core/plugins.cpp). The registration macros are the same in both cases.
#ifdef MUONBENCH_PLUGIN
namespace mb::plugin_detail {
// Hidden: each plugin library has its own list, never bound to another library's.
__attribute__((visibility("hidden"))) inline std::vector<std::function<void()>>& deferred() {
  static std::vector<std::function<void()>> list;
  return list;
}
struct __attribute__((visibility("hidden"))) DeferredRegistration {
  template <class F>
  explicit DeferredRegistration(F&& f) {
    deferred().emplace_back(std::forward<F>(f));
  }
};
}  // namespace mb::plugin_detail
#define MB_STATIC_REGISTRATION ::mb::plugin_detail::DeferredRegistration
#else
#define MB_STATIC_REGISTRATION ::mb::StaticRegistration
#endif
