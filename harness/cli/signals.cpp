#include "harness/cli/signals.hpp"

#include <csignal>
#include <unistd.h>

namespace mb::cli {
namespace {
std::atomic<bool> g_cancel{false};
// First signal: ask running cells to stop at their next step (finished work is already in the
// cache). Second signal: the user insists; leave at once (cache files are written atomically, so
// nothing half-written remains).
extern "C" void on_signal(int) {
  if (g_cancel.exchange(true)) _exit(130);
}
}  // namespace

const std::atomic<bool>* install_cancel_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  return &g_cancel;
}
bool cancelled() { return g_cancel.load(); }
}  // namespace mb::cli
