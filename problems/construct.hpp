// Building blocks for problem instances: seeded random orthonormal factors and prescribed
// spectra, computed in the working precision from portable binary64 draws (harness/rng.hpp), so
// that every precision starts from the same random numbers and each instance's constants are
// exact to its own precision.
#pragma once

#include "harness/linalg.hpp"
#include "harness/rng.hpp"
#include "harness/scalar.hpp"

namespace mb {

// An n x r matrix with orthonormal columns: Q of the Householder QR of a Gaussian matrix, with
// column signs fixed so that diag(R) > 0 (a unique, Haar-distributed choice).
template <class T>
Mat<T> random_orthonormal(Rng& rng, long n, long r) {
  return linalg::orthonormal_q<T>(rng.normal_matrix<T>(n, r));
}

// r values from 1 down to lo, geometrically spaced: s_i = lo^(i/(r-1)).
template <class T>
Vec<T> geometric_spectrum(long r, const T& lo) {
  using std::pow;
  Vec<T> s(r);
  for (long i = 0; i < r; ++i) s(i) = r == 1 ? T(1) : T(pow(lo, T(i) / T(r - 1)));
  return s;
}

}  // namespace mb
