// muonbench: the command-line program. Subcommands live in harness/cli/cmd_*.cpp.
// Exit status: 0 success; 1 failure of the run itself (I/O, a computation that diverged or broke
// down: mb::NumericalError); 2 bad input (mb::Error: the message names the field); 130 interrupted.
#include <cstdio>
#include <exception>
#include <iostream>

#include "harness/cli/command.hpp"
#include "harness/engine/distributed.hpp"
#include "harness/report/environment.hpp"
#include "harness/core/error.hpp"
#include "harness/core/plugins.hpp"

namespace {
void print_help() {
  std::cout << "muonbench " << mb::version_string()
            << ": benchmarks Muon-type matrix optimizers and checks the theorems about them,\n"
               "in double and in 50-digit arithmetic.\n\n"
               "usage: muonbench <command> [options]\n\ncommands:\n";
  for (const auto& [name, c] : mb::Registry<mb::cli::Command>::instance().all())
    std::printf("  %-10s %s\n", name.c_str(), c.summary.c_str());
  std::cout << "\n'muonbench <command> --help' describes a command. muonbench --version prints the version.\n"
               "--plugin PATH.so (repeatable; also MUONBENCH_PLUGINS=PATH:PATH) loads a plugin's solvers, problems\n"
               "and claims before the command runs (docs/plugins.md).\n";
}
}  // namespace

int main(int argc, char** argv) {
  mb::pin_portable_runtime(argv);  // portable builds: the same results on every x86-64 CPU
  std::vector<std::string> args(argv + 1, argv + argc);
  // Plugins first (--plugin PATH anywhere, MUONBENCH_PLUGINS): every command sees their entries.
  try {
    mb::load_plugins(mb::take_plugin_arguments(args));
  } catch (const mb::Error& e) {
    std::cerr << "muonbench: error: " << e.what() << "\n";
    return 2;
  }
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    print_help();
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "--version" || args[0] == "version") {
    // The build mode is what scripts/publish checks: published results come from a portable build.
    std::cout << "muonbench " << mb::version_string() << " (MPI: " << (mb::built_with_mpi() ? "on" : "off")
              << ", build: " << (mb::portable_build() ? "portable" : "native") << ")\n";
    return 0;
  }
  try {
    const auto& cmd = mb::Registry<mb::cli::Command>::instance().get(args[0], "command");
    std::vector<std::string> rest(args.begin() + 1, args.end());
    for (const auto& a : rest)
      if (a == "--help" || a == "-h") {
        std::cout << cmd.usage;
        return 0;
      }
    return cmd.run(rest);
  } catch (const mb::Error& e) {
    std::cerr << "muonbench: error: " << e.what() << "\n";
    return 2;
  } catch (const mb::NumericalError& e) {
    std::cerr << "muonbench: computation failed: " << e.what() << "\n";
    return 1;
  } catch (const std::bad_alloc&) {
    std::cerr << "muonbench: failure: out of memory\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "muonbench: failure: " << e.what() << "\n";
    return 1;
  }
}
