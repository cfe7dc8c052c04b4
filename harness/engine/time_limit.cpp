#include "harness/engine/time_limit.hpp"

#include <atomic>

namespace mb {

namespace {
std::atomic<double> factor{1.0};
}

void set_time_limit_factor(double f) { factor.store(f, std::memory_order_relaxed); }
double time_limit_factor() { return factor.load(std::memory_order_relaxed); }

}  // namespace mb
