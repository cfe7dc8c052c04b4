// SIGINT/SIGTERM set a cancellation flag that running cells poll between steps; finished work is
// kept (see the run cache) and the program exits with status 130.
#pragma once

#include <atomic>

namespace mb::cli {
const std::atomic<bool>* install_cancel_handlers();
bool cancelled();
}  // namespace mb::cli
