// Gram Newton-Schulz (newton_schulz.hpp, variant "gram"): Dao-AILab/gram-newton-schulz
// gram_newton_schulz/gram_newton_schulz.py, GramNewtonSchulz._gram_newton_schulz, in T's arithmetic.
//
// With R = X X^T and a step's polynomial q(x) = x h(x^2), h(r) = a + b r + c r^2, the plain step
// X <- h(R) X gives R <- h(R)^2 R. The Gram form keeps X fixed and accumulates Q = prod h(R_k):
//   Z = b R + c R^2;  Q <- Z + a I (first step, or after a restart), else Q <- a Q + Q Z;
//   RZ = a R + R Z;   R <- a RZ + Z RZ           (= h(R)^2 R, skipped before a restart and the end)
// and X <- Q X at each restart (then R <- X X^T afresh) and at the end. Every matrix here is a
// polynomial in one R, so every product is symmetric (products.hpp's symmetric kernel). Equal to
// the plain step in exact arithmetic (tests/test_spectral_gram.cpp checks 1e-40 in mp50); the
// restart bounds how far R's rounding errors (negative eigenvalues) are amplified (the
// reference's restart_autotune.py).
#include "harness/core/per_scalar.hpp"
#include "solvers/spectral/newton_schulz.hpp"
#include "solvers/spectral/products.hpp"

namespace mb::spectral {

template <class T>
void NewtonSchulz<T>::gram_iterate() {
  const size_t K = coeffs_.size();
  if (K == 0) return;  // normalisation only (the reference needs at least one step)
  auto restart_at = [&](size_t i) {
    for (int r : cfg_.restarts)
      if (r >= 0 && static_cast<size_t>(r) == i) return true;
    return false;
  };
  if (!gram_ready_) gram<T>(X_, A_);  // R (schatten / aol normalisations have formed it already)
  gram_ready_ = false;
  for (size_t i = 0; i < K; ++i) {
    const auto& c = coeffs_[i];
    const bool restart = i != 0 && restart_at(i);
    if (restart) {  // X <- Q X, R <- X X^T
      product<T>(Q_, X_, Y_);
      X_.swap(Y_);
      gram<T>(X_, A_);
    }
    if (c[2] == T(0))
      Z_ = c[1] * A_;
    else
      sym_product<T>(A_, A_, Z_, c[2], &A_, c[1], T(0));  // Z = b R + c R^2
    if (i == 0 || restart) {
      Q_ = Z_;
      Q_.diagonal().array() += c[0];  // Q = Z + a I
    } else {
      sym_product<T>(Q_, Z_, W_, T(1), &Q_, c[0], T(0));  // Q <- a Q + Q Z
      Q_.swap(W_);
    }
    if (i + 1 < K && !restart_at(i + 1)) {
      sym_product<T>(A_, Z_, W_, T(1), &A_, c[0], T(0));  // RZ = a R + R Z
      sym_product<T>(Z_, W_, A_, T(1), &W_, c[0], T(0));  // R <- a RZ + Z RZ
    }
  }
  product<T>(Q_, X_, Y_);
  X_.swap(Y_);
}

template void NewtonSchulz<MB_SCALAR>::gram_iterate();

}  // namespace mb::spectral
