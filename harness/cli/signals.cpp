#include "harness/cli/signals.hpp"

#include <csignal>

namespace mb::cli {
namespace {
std::atomic<bool> g_cancel{false};
extern "C" void on_signal(int) { g_cancel.store(true); }
}  // namespace

const std::atomic<bool>* install_cancel_handlers() {
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  return &g_cancel;
}
bool cancelled() { return g_cancel.load(); }
}  // namespace mb::cli
