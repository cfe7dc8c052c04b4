// What a report records about the program and the machine (benchopt/AlgoPerf habit).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace mb {

std::string version_string();  // "0.1.0"
// git commit, compiler and flags, library versions, CPU model, hardware threads.
nlohmann::json environment_json(int threads);
std::string utc_now_iso8601();
// The repository's source directory at build time (to find suites/ when run from build/).
std::string source_dir();

// The deterministic portable mode (CMake MUONBENCH_PORTABLE, docs/reproducibility.md).
bool portable_build();
// In a portable build: fixes Eigen's cache sizes, and re-executes the program once with glibc's
// libm pinned to its baseline code (GLIBC_TUNABLES) where the CPU has FMA or AVX2. Called first
// thing in main(); a no-op in other builds.
void pin_portable_runtime(char** argv);
// run.environment.build: mode (native, generic, portable), ISA, libm, Eigen cache sizes, and
// cpu_independent (a portable build with libm pinned: results are the same on every x86-64 CPU).
nlohmann::json build_json();

}  // namespace mb
