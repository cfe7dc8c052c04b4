// The Muon conventions of the peers (docs/solvers.md, "muon conventions") in one place: what `muon` / `muon-exact` do under
// "convention": torch | optax | keller | moonlight | dion, each item of which can also be set on
// its own, and each peer's own hyperparameter names. Plain code (muon_conventions.cpp,
// compiled once); the generic solver (muon.cpp) parses the decimal strings into its scalar type.
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

namespace mb {

const std::vector<std::string>& muon_convention_names();

struct MuonSettings {
  std::string convention = "torch";
  bool exact = false;  // muon-exact: O = polar(u)
  std::string lr, weight_decay, momentum;  // exact decimal strings
  std::string momentum_kind = "ema";       // "ema" | "sum"
  std::string ema_form = "lerp";           // rounding form of the EMA: "lerp" (torch) | "affine" (optax)
  bool nesterov = true;
  bool bias_correction = false;
  spectral::NewtonSchulzConfig ns;  // unused when exact
  bool scale_in_bf16 = false;       // keller: `update *= scale` on the bf16 NS output (rounded to bf16)
  ShapeScale shape;
  std::string decay_lr = "unadjusted";  // "unadjusted" | "adjusted"
  bool cautious_wd = false;
  bool adaptive = false;
  json fallback_default = {{"solver", "adamw"}};

  // Every resolved setting (reported in config()).
  json resolved() const;
};

// Reads every key of `muon` (exact = false) or `muon-exact` (exact = true) except "fallback",
// which the solver reads with `fallback_default`. Errors name the key and the convention.
MuonSettings read_muon_settings(Options& o, bool exact);

}  // namespace mb
