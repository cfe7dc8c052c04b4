// Spectral powers (docs/theory.md section 2g): Psi_p(M) = U Sigma^p V^T for p in [0, 1], any shape,
// and its regularised form M (M^T M + delta I)^((p-1)/2) = U diag(sigma (sigma^2 + delta)^((p-1)/2)) V^T
// (the gradient of K_p(M) = tr((M^T M + delta I)^((p+1)/2)) / (p+1)). p = 0 is polar (delta = 0)
// or the regularised polar map with eps^2 = delta; p = 1 is M itself.
//
//   method "svd":    from the thin SVD; with delta = 0 singular values at or below the rank
//                    threshold (common.hpp) count as zero, so p = 0 gives polar() exactly.
//   method "newton": no SVD. With A the smaller Gram matrix plus delta I and e = (1 - p)/2 = j/k
//                    in lowest terms (p is read as an exact decimal), A^(-e) = (A^(-1/k))^j:
//                    k = 2 (p = 0) by BeyondMuon's coupled Newton-Schulz, other k by Guo-Higham's
//                    coupled Newton (roots.hpp), both stopped by their residual rule; then
//                    M A^(-e) (tall) or A^(-e) M (wide). Root orders k above 1000 are refused
//                    (use a p with a shorter decimal expansion, or the SVD). A singular A
//                    (rank-deficient M with delta = 0) does not converge: NumericalError.
// The zero matrix maps to zero by both methods.
#pragma once

#include <string>
#include <vector>

#include "solvers/spectral/common.hpp"
#include "solvers/spectral/roots.hpp"

namespace mb::spectral {

struct PowerConfig {
  std::string p = "0.5";       // in [0, 1], exact decimal
  std::string delta = "0";     // >= 0
  std::string method = "svd";  // power_method_names()
  NewtonOptions newton;
};

const std::vector<std::string>& power_method_names();
// Throws mb::Error naming the field (p outside [0, 1], delta < 0, unknown method, root order).
void validate(const PowerConfig& cfg);
// (1 - p)/2 = num/den in lowest terms, from the decimal string p in [0, 1].
void power_exponent_fraction(const std::string& p, long& num, long& den);

template <class T>
class SpectralPower {
 public:
  explicit SpectralPower(const PowerConfig& cfg);
  void apply(const Mat<T>& M, Mat<T>& out);
  Mat<T> operator()(const Mat<T>& M) {
    Mat<T> out;
    apply(M, out);
    return out;
  }
  // The map from the SVD, whatever the method (the reference for a-posteriori errors).
  Mat<T> exact(const Mat<T>& M) const;
  // The last apply()'s iteration report (newton; iterations 0 for svd).
  const IterationReport& last_report() const { return report_; }

 private:
  // The maps for a given delta (apply/exact pass delta_, or a rescaled one for extreme inputs).
  Mat<T> exact_at(const Mat<T>& M, const T& delta) const;
  void apply_at(const Mat<T>& M, Mat<T>& out, const T& delta);
  int extreme_exponent(const Mat<T>& M) const;  // 0, or e: compute on M 2^-e (common.hpp)

  PowerConfig cfg_;
  bool newton_ = false;  // cfg_.method == "newton", resolved once
  T p_, delta_;
  long j_ = 0, k_ = 1;  // (1 - p)/2 = j/k
  IterationReport report_;
};

}  // namespace mb::spectral
