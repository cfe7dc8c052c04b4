// What a plugin and the muonbench that loads it must agree on (docs/plugins.md "ABI"): the plugin
// ABI version, bumped whenever an interface a plugin compiles against changes (Problem, Solver,
// ClaimFn, Registry, Params, BlockSpec, Options...), and a build tag of everything else that
// changes object layout: the compiler, Eigen and its alignment (set by -march: AVX-512 aligns to
// 64 bytes, SSE to 16, and a matrix allocated with one and freed with the other corrupts the
// heap), Boost (mp50's layout), nlohmann/json and the C++ library ABI. Both are string literals
// built by the preprocessor, so each side's values are its own (an inline function would be
// bound to the program's copy and always agree).
#pragma once

#include <Eigen/Core>
#include <boost/version.hpp>
#include <nlohmann/json.hpp>

#ifndef MUONBENCH_PLUGIN_ABI_VERSION
#define MUONBENCH_PLUGIN_ABI_VERSION 1
#endif

#define MB_ABI_STR2(x) #x
#define MB_ABI_STR(x) MB_ABI_STR2(x)
#define MUONBENCH_PLUGIN_BUILD_TAG                                                                           \
  "g++ " MB_ABI_STR(__GNUC__) "." MB_ABI_STR(__GNUC_MINOR__) ", C++ " MB_ABI_STR(__cplusplus) ", libstdc++ cxx11 abi " \
  MB_ABI_STR(_GLIBCXX_USE_CXX11_ABI) ", Eigen " MB_ABI_STR(EIGEN_WORLD_VERSION) "." MB_ABI_STR(EIGEN_MAJOR_VERSION) "." \
  MB_ABI_STR(EIGEN_MINOR_VERSION) " aligned to " MB_ABI_STR(EIGEN_MAX_ALIGN_BYTES) " bytes, Boost "                \
  MB_ABI_STR(BOOST_VERSION) ", nlohmann/json " MB_ABI_STR(NLOHMANN_JSON_VERSION_MAJOR) "."                          \
  MB_ABI_STR(NLOHMANN_JSON_VERSION_MINOR)

namespace mb {

// Returned by a plugin's muonbench_plugin_abi(). Its layout never changes.
struct PluginAbi {
  int version;            // MUONBENCH_PLUGIN_ABI_VERSION the plugin was compiled with
  const char* build_tag;  // MUONBENCH_PLUGIN_BUILD_TAG the plugin was compiled with
};

}  // namespace mb
