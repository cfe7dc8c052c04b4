// Spectral maps: the one library every Muon variant and every claim uses (never re-implemented
// inside a solver). Definitions in THEORY.md section 2; schedules in PEERS.md section 1.
//
//   polar(M)          = U_r V_r^T over the singular values above the rank threshold
//   NewtonSchulz<T>   odd-polynomial iteration X <- a X + (b A + c A^2) X, A = X X^T
//
// Implementations are compiled once per scalar type (solvers/spectral/*.cpp).
#pragma once

#include <array>
#include <string>
#include <vector>

#include "harness/scalar.hpp"

namespace mb::spectral {

// Rank threshold of polar(): singular values <= max(m, n) * eps(T) * sigma_max count as zero
// (LAPACK's / numpy.linalg.matrix_rank's rule). The zero matrix maps to the zero matrix.
template <class T>
T rank_threshold(const Vec<T>& sigma, long rows, long cols);

template <class T>
Mat<T> polar(const Mat<T>& M);

// ---- Newton-Schulz --------------------------------------------------------------------------
struct NewtonSchulzConfig {
  // "jordan" (3.4445, -4.7750, 2.0315) repeated; "classic" (15/8, -10/8, 3/8) repeated;
  // "cubic" X <- X(3I - X^T X)/2 repeated; "custom": the `coefficients` list (last one repeats).
  std::string schedule = "jordan";
  int steps = 5;
  std::vector<std::array<std::string, 3>> coefficients;  // decimal strings, exact in every T
  // Pre-normalisation: "frobenius": X / max(||X||_F, eps) (PyTorch's clamp form).
  std::string normalization = "frobenius";
  std::string eps = "1e-7";
};

template <class T>
class NewtonSchulz {
 public:
  explicit NewtonSchulz(const NewtonSchulzConfig& cfg);
  // out = NS(G). Works on the wide orientation (rows <= cols), transposing tall inputs, so
  // that the Gram matrix X X^T is the smaller one. Buffers are reused across calls.
  void apply(const Mat<T>& G, Mat<T>& out);
  const std::vector<std::array<T, 3>>& coefficients() const { return coeffs_; }

 private:
  std::vector<std::array<T, 3>> coeffs_;
  T eps_;
  Mat<T> X_, A_, B_, Y_;
};

// The coefficient list a named schedule expands to for `steps` steps (exposed for tests).
std::vector<std::array<std::string, 3>> schedule_coefficients(const NewtonSchulzConfig& cfg);
const std::vector<std::string>& schedule_names();

}  // namespace mb::spectral
