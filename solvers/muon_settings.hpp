// The Muon conventions of the peers (docs/solvers.md, "muon conventions") in one place: what `muon` / `muon-exact` do under
// "convention": torch | optax | keller | moonlight | dion, each item of which can also be set on
// its own, and each peer's own hyperparameter names. Plain code (muon_conventions.cpp,
// compiled once, read_muon_settings instantiated there for every scalar): every setting is typed
// (enums, and lr, weight decay and momentum in the solver's scalar type, read by Options::real);
// the step (solvers/steps/muon_step.hpp) compares no strings.
//
// One step on a matrix block, with every switch (docs/solvers.md gives it per convention):
//   momentum   ema:  buf = mu buf + (1 - mu) g    (torch/keller: buf.lerp_(g, 1 - mu); optax: (1-mu) g + mu buf)
//              sum:  buf = mu buf + g              (moonlight, dion)
//   input      nesterov, ema:  u = lerp(g, buf, mu) = (1 - mu) g + mu buf
//                        ema + bias_correction (optax): u = mu buf/(1 - mu^(t+1)) + (1 - mu) g/(1 - mu^t)
//                        sum:  u = g + mu buf
//              otherwise u = buf, or buf/(1 - mu^t) with bias_correction
//   map        O = NS(u) (schedule, steps, pre-normalisation, eps, safety, bf16 or working precision)
//              or O = polar(u) exactly (muon-exact)
//   adaptive   O <- <u, O> O                       (optax adaptive=True: dual-norm scaling)
//   decay      W <- W (1 - lr_d wd), lr_d = lr (unadjusted, every peer) or lr s (adjusted);
//              cautious_wd (dion): only where W O >= 0
//   step       W <- W - lr s O,  s = shape scale (matrix_solver.hpp) of the block's shape
#pragma once

#include <array>
#include <string>
#include <vector>

#include "harness/core/options.hpp"
#include "solvers/matrix_solver.hpp"
#include "solvers/spectral/newton_schulz.hpp"
#include "solvers/steps/muon_step.hpp"

namespace mb {

enum class MuonConvention { torch, optax, keller, moonlight, dion };
const std::vector<std::string>& muon_convention_names();
template <>
struct EnumNames<MuonConvention> {
  static const std::vector<std::string>& names() { return muon_convention_names(); }
};

struct MuonSettings {
  MuonConvention convention = MuonConvention::torch;
  bool exact = false;                      // muon-exact: O = polar(u)
  std::string lr, weight_decay, momentum;  // exact decimal text of the values read (for the fallback's defaults)
  MomentumKind momentum_kind = MomentumKind::ema;
  EmaForm ema_form = EmaForm::lerp;  // rounding form of the EMA: lerp (torch) | affine (optax)
  bool nesterov = true;
  bool bias_correction = false;
  spectral::NewtonSchulzConfig ns;  // unused when exact
  bool scale_in_bf16 = false;       // keller: `update *= scale` on the bf16 NS output (rounded to bf16)
  ShapeScale shape;
  DecayLr decay_lr = DecayLr::unadjusted;
  bool cautious_wd = false;
  bool adaptive = false;
  json fallback_default = {{"solver", "adamw"}};

  // Every resolved setting (reported in config()).
  json resolved() const;
};

// lr, weight decay and momentum in the solver's scalar type.
template <class T>
struct MuonRates {
  T lr, weight_decay, momentum;
};

// Reads every key of `muon` (exact = false) or `muon-exact` (exact = true) except "fallback",
// which the solver reads with `fallback_default`. Errors name the key and the convention.
// Instantiated for float, double and mp50.
template <class T>
MuonSettings read_muon_settings(Options& o, bool exact, MuonRates<T>& rates);

}  // namespace mb
