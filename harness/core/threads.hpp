// Threads inside one matrix product (Eigen's OpenMP GEMM). muonbench parallelizes across cells by
// default (harness/engine/runner.hpp), so every product runs on one thread unless `muonbench run
// --gemm-threads N` asks otherwise: two levels of threads on the same cores only oversubscribe
// them. Eigen's blocking depends on the thread count, so products on N > 1 threads may differ from
// one-thread products in the last bits (docs/suites.md "Threads").
#pragma once

namespace mb {

// Threads Eigen may use in one product (>= 1); 1 unless set. Without OpenMP, always 1.
void set_gemm_threads(int n);
int gemm_threads();
bool gemm_threads_available();  // built with OpenMP

}  // namespace mb
