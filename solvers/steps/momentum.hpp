// The momentum buffers of the matrix solvers (docs/solvers.md, docs/theory.md 2b, 2f), one policy:
//   ema  buf = mu buf + (1 - mu) g      (muon, muon-reg, trust-region, nsgd-m, spectral "ema")
//   sum  buf = mu buf + g               (Moonlight, dion, muon-reg "sum", spectral, orthogonal-sgdm)
// optionally with buf = g at step 1 (Kovalev's m_0 = g_0: trust-region "first_gradient", the claim).
#pragma once

#include <string>
#include <vector>

#include "harness/core/scalar.hpp"
#include "solvers/steps/choice.hpp"
#include "solvers/torch_ops.hpp"

namespace mb {

enum class MomentumKind { ema, sum };
MB_ENUM_NAMES(MomentumKind, "ema", "sum");

// How the EMA is rounded. The forms are equal in exact arithmetic but round differently (and with
// floating-point contraction a b + c d becomes one fma in the order written), so each peer's is kept:
//   lerp      torch's buf.lerp_(g, 1 - mu) (torch_ops.hpp): torch, Keller, Moonlight, dion, trust-region
//   affine    (1 - mu) g + mu buf: optax.tree.update_moment
//   weighted  mu buf + (1 - mu) g: muon-reg, nsgd-m, spectral, Kovalev's Algorithm 1 (claims/kovalev.cpp)
enum class EmaForm { lerp, affine, weighted };
MB_ENUM_NAMES(EmaForm, "lerp", "affine", "weighted");

template <class T>
struct Momentum {
  MomentumKind kind = MomentumKind::ema;
  EmaForm form = EmaForm::lerp;
  T mu = T(0);                  // weight of the old buffer
  T gain = T(1);                // weight of g in the EMA: 1 - mu, or a given alpha with mu = 1 - alpha
  bool first_gradient = false;  // buf = g at step 1 instead of the rule applied to buf = 0

  static Momentum ema(const T& mu, EmaForm form) { return {MomentumKind::ema, form, mu, T(T(1) - mu)}; }
  // (1 - alpha) m + alpha g with alpha given (Kovalev): 1 - (1 - alpha) need not round to alpha.
  static Momentum ema_alpha(const T& alpha, EmaForm form) { return {MomentumKind::ema, form, T(T(1) - alpha), alpha}; }
  static Momentum sum(const T& mu) { return {MomentumKind::sum, EmaForm::lerp, mu, T(1)}; }
  static Momentum of(MomentumKind kind, const T& mu, EmaForm form) { return kind == MomentumKind::sum ? sum(mu) : ema(mu, form); }

  // buf <- the momentum after the gradient g of step t (t = 1 on the first step).
  void accumulate(Mat<T>& buf, const Mat<T>& g, long t) const {
    if (first_gradient && t == 1) {
      buf = g;
      return;
    }
    if (kind == MomentumKind::sum) {
      buf = mu * buf + g;
      return;
    }
    switch (form) {
      case EmaForm::lerp:
        torch_ops::lerp_(buf, g, gain);
        break;
      case EmaForm::affine:
        buf = gain * g + mu * buf;
        break;
      case EmaForm::weighted:
        buf = mu * buf + gain * g;
        break;
    }
  }
};

}  // namespace mb
