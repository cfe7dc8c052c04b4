// Coupled Newton iterations for matrix roots (roots.hpp; docs/theory.md section 2g).
#include "solvers/spectral/roots.hpp"

#include <cmath>

#include "harness/core/error.hpp"
#include "harness/core/registry.hpp"
#include "solvers/spectral/products.hpp"

namespace mb::spectral {
namespace {

// The stopping rule of roots.hpp, fed r_k once per iteration (before the update).
class StopRule {
 public:
  // `tol` already resolved (> 0).
  StopRule(const NewtonOptions& opt, double tol, IterationReport& rep) : opt_(opt), tol_(tol), rep_(rep) {
    rep_ = IterationReport{};
    rep_.converged = false;
  }
  // True when the iteration should stop now (the current iterate is the answer).
  bool stop(double r, int iterations_done) {
    rep_.iterations = iterations_done;
    rep_.residual = r;
    if (opt_.fixed_iterations > 0) {
      rep_.converged = true;
      return iterations_done >= opt_.fixed_iterations;
    }
    if (r <= tol_) {
      rep_.converged = true;
      return true;
    }
    if (iterations_done > 0 && prev_ < 0.25 && r > prev_ / 2) {
      // A floor far above tol is a failure, not rounding: accept it only up to sqrt(tol).
      rep_.converged = r <= std::sqrt(tol_);
      rep_.at_rounding_floor = rep_.converged;
      return true;
    }
    prev_ = r;
    return iterations_done >= opt_.max_iterations;
  }

 private:
  const NewtonOptions& opt_;
  double tol_;
  IterationReport& rep_;
  double prev_ = 1e300;
};

template <class T>
double default_tol(const NewtonOptions& opt, long q) {
  return opt.tol > 0 ? opt.tol : 4.0 * static_cast<double>(q) * unit_roundoff<T>();
}

template <class T>
double frob_distance_to_identity(const Mat<T>& M, const T& scale) {
  // || scale * M - I ||_F without forming the difference.
  T acc(0);
  for (Eigen::Index j = 0; j < M.cols(); ++j)
    for (Eigen::Index i = 0; i < M.rows(); ++i) {
      const T d = scale * M(i, j) - (i == j ? T(1) : T(0));
      acc += d * d;
    }
  using std::sqrt;
  return to_double(T(sqrt(acc)));
}

}  // namespace

template <class T>
void sym_power(const Mat<T>& S, long j, Mat<T>& P) {
  const long n = S.rows();
  if (j == 0) {
    P = Mat<T>::Identity(n, n);
    return;
  }
  Mat<T> base = S, tmp(n, n);
  bool have = false;
  while (true) {
    if (j & 1) {
      if (!have) {
        P = base;
        have = true;
      } else {
        sym_mul<T>(P, base, tmp);
        P.swap(tmp);
      }
    }
    j >>= 1;
    if (j == 0) break;
    sym_mul<T>(base, base, tmp);
    base.swap(tmp);
  }
}

template <class T>
void newton_schulz_sqrt(const Mat<T>& A, Mat<T>* sqrt_A, Mat<T>* inv_sqrt_A, const NewtonOptions& opt,
                        IterationReport& report) {
  using std::sqrt;
  const long q = A.rows();
  const T s = A.norm();
  if (!(s > T(0))) throw NumericalError("coupled Newton-Schulz: the matrix is zero (its inverse square root does not exist)");
  // Full products: forcing Y, Z symmetric at every step can break the coupling on ill-conditioned
  // A (roots.hpp); BeyondMuon's averaging every 5 steps is optional.
  Mat<T> Y = A / s, Z = Mat<T>::Identity(q, q), P(q, q), Tm(q, q), tmp(q, q);
  StopRule stop(opt, default_tol<T>(opt, q), report);
  const T half(T(1) / T(2)), three_halves(T(3) / T(2));
  for (int it = 0;; ++it) {
    product<T>(Z, Y, P);
    if (stop.stop(frob_distance_to_identity<T>(P, T(1)), it)) break;
    Tm = P * (-half);  // T = (3I - Z Y)/2
    Tm.diagonal().array() += three_halves;
    product<T>(Y, Tm, tmp);
    Y.swap(tmp);
    product<T>(Tm, Z, tmp);
    Z.swap(tmp);
    if (opt.symmetrize_every > 0 && (it + 1) % opt.symmetrize_every == 0) {
      tmp = (Y + Y.transpose()) * half;
      Y.swap(tmp);
      tmp = (Z + Z.transpose()) * half;
      Z.swap(tmp);
    }
  }
  const T rs = sqrt(s);
  if (sqrt_A) *sqrt_A = Y * rs;
  if (inv_sqrt_A) *inv_sqrt_A = Z / rs;
}

template <class T>
void inverse_root_newton(const Mat<T>& A, int k, Mat<T>& X, const NewtonOptions& opt, IterationReport& report) {
  using std::pow;
  if (k < 1) throw Error("inverse_root_newton: the root order k must be >= 1, got " + std::to_string(k));
  const long q = A.rows();
  const T nrm = A.norm();
  if (!(nrm > T(0))) throw NumericalError("coupled Newton (Guo-Higham): the matrix is zero (no inverse root)");
  // c^k = ||A||_F: M0 = A / ||A||_F has its eigenvalues in (0, 1].
  const T c = pow(nrm, T(1) / T(k));
  X = Mat<T>::Identity(q, q) / c;
  Mat<T> M = A / nrm, Tm(q, q), Tk(q, q), tmp(q, q);
  StopRule stop(opt, default_tol<T>(opt, q), report);
  const T kk(k), inv_k = T(1) / kk;
  for (int it = 0;; ++it) {
    if (stop.stop(frob_distance_to_identity<T>(M, T(1)), it)) break;
    Tm = M * (-inv_k);
    Tm.diagonal().array() += (kk + T(1)) * inv_k;
    sym_mul<T>(X, Tm, tmp);
    X.swap(tmp);
    sym_power<T>(Tm, k, Tk);
    sym_mul<T>(Tk, M, tmp);
    M.swap(tmp);
  }
}

template void sym_power<MB_SCALAR>(const Mat<MB_SCALAR>&, long, Mat<MB_SCALAR>&);
template void newton_schulz_sqrt<MB_SCALAR>(const Mat<MB_SCALAR>&, Mat<MB_SCALAR>*, Mat<MB_SCALAR>*,
                                            const NewtonOptions&, IterationReport&);
template void inverse_root_newton<MB_SCALAR>(const Mat<MB_SCALAR>&, int, Mat<MB_SCALAR>&, const NewtonOptions&,
                                             IterationReport&);

}  // namespace mb::spectral
