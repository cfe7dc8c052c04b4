// muonbench's plugin interface (docs/plugins.md): include this, write a solver or a problem exactly
// as a built-in one (docs/adding-a-solver.md, docs/adding-a-problem.md), register it with
// MB_REGISTER_SOLVER / MB_REGISTER_PROBLEM / MB_REGISTER_CLAIM, and build a shared library with
// CMake's muonbench_add_plugin(NAME SOURCES ...) (find_package(muonbench)), which compiles each
// source once per scalar (float, double, mp50, or those you list) and adds the entry points.
// Load it with `muonbench --plugin PATH.so ...` or MUONBENCH_PLUGINS=PATH[:PATH...].
//
// What differs from a built-in: nothing in your code. Registrations are deferred until muonbench
// has checked that the plugin was built against the same plugin ABI (harness/core/plugin_abi.hpp);
// a plugin built against another is refused, never registered.
#pragma once

#ifndef MUONBENCH_PLUGIN
#define MUONBENCH_PLUGIN 1
#endif

#include "harness/core/plugin_abi.hpp"
#include "harness/claim.hpp"
#include "harness/oracles.hpp"
#include "harness/problem.hpp"
#include "harness/solver.hpp"

// The entry points, compiled in one translation unit of the plugin (muonbench_add_plugin generates
// it): the ABI the plugin was built for, and the function that runs its deferred registrations.
#ifdef MUONBENCH_PLUGIN_ENTRY
extern "C" __attribute__((visibility("default"))) const mb::PluginAbi* muonbench_plugin_abi() {
  static const mb::PluginAbi abi{MUONBENCH_PLUGIN_ABI_VERSION, MUONBENCH_PLUGIN_BUILD_TAG};
  return &abi;
}
extern "C" __attribute__((visibility("default"))) void muonbench_plugin_register() {
  for (auto& registration : mb::plugin_detail::deferred()) registration();
}
#endif
