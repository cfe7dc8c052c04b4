// A portable, seeded random generator: the same seed gives the same numbers on every machine,
// compiler and standard library, and in every precision (data are drawn in binary64 and
// converted exactly to the working type). std::normal_distribution is never used: its output
// differs between standard libraries.
//
//   uniform():  xoshiro256** (Blackman & Vigna), seeded through splitmix64; 53-bit doubles in [0,1).
//   normal():   Marsaglia's polar method with a logarithm written here from +,-,*,/ only
//               (IEEE-exact operations; rng.cpp is compiled with -ffp-contract=off), so that no
//               libm difference can change a draw.
#pragma once

#include <cstdint>
#include <initializer_list>

#include "harness/core/scalar.hpp"

namespace mb {

class Rng {
 public:
  // Streams are derived from several integers (problem seed, cell seed, purpose tag...).
  explicit Rng(std::initializer_list<std::uint64_t> seeds);
  explicit Rng(std::uint64_t seed) : Rng({seed}) {}
  std::uint64_t next_u64();
  double uniform();          // [0, 1)
  double normal();           // N(0, 1)
  long below(long n);        // uniform integer in [0, n)

  template <class T>
  Mat<T> normal_matrix(long rows, long cols, double scale = 1.0) {
    Mat<T> m(rows, cols);
    for (long j = 0; j < cols; ++j)
      for (long i = 0; i < rows; ++i) m(i, j) = T(normal() * scale);
    return m;
  }

 private:
  std::uint64_t s_[4];
  bool has_spare_ = false;
  double spare_ = 0;
};

// Natural logarithm from basic arithmetic only (exposed for its test).
double portable_log(double x);

}  // namespace mb
