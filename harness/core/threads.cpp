#include "harness/core/threads.hpp"

#include <Eigen/Core>

#include "harness/core/registry.hpp"

namespace mb {

void set_gemm_threads(int n) { Eigen::setNbThreads(n < 1 ? 1 : n); }
int gemm_threads() { return Eigen::nbThreads(); }
bool gemm_threads_available() {
#ifdef _OPENMP
  return true;
#else
  return false;
#endif
}

namespace {
// Eigen's own default is every core OpenMP reports: one thread per product unless asked.
const StaticRegistration one_thread_per_product([] { set_gemm_threads(1); });
}  // namespace

}  // namespace mb
