// One Muon step on a matrix block, every switch of docs/solvers.md ("muon conventions"; settings:
// solvers/muon_settings.hpp), with typed settings only:
//   momentum   buf <- Momentum (ema in its peer's rounding, or sum)
//   input      nesterov, ema:  u = lerp(g, buf, mu) (lerp) or (1 - mu) g + mu buf (affine)
//                        ema + bias_correction (optax): u = mu buf/(1 - mu^(t+1)) + (1 - mu) g/(1 - mu^t)
//                        sum:  u = g + mu buf
//              otherwise u = buf, or buf/(1 - mu^t) with bias_correction
//   map        O = map(u) (Newton-Schulz, or polar(u) exactly: muon-exact, Kovalev's Algorithm 1)
//   adaptive   O <- <u, O> O
//   decay      W <- W (1 - lr_d wd), lr_d = lr (unadjusted) or lr s (adjusted); cautious_wd: only where W O >= 0
//   step       W <- W - lr s O,  s = the block's shape scale
// Used by muon / muon-exact (solvers/muon.cpp) and claims/kovalev.cpp (Kovalev's recursion is this
// step with a weighted EMA started at g_0, the exact map, no Nesterov, s = 1, wd = 0).
#pragma once

#include <optional>

#include "solvers/matrix_solver.hpp"
#include "solvers/spectral/bf16.hpp"
#include "solvers/steps/momentum.hpp"

namespace mb {

enum class DecayLr { unadjusted, adjusted };
MB_ENUM_NAMES(DecayLr, "unadjusted", "adjusted");

template <class T>
class MuonStep {
 public:
  Momentum<T> momentum;
  bool nesterov = false, bias_correction = false, adaptive = false, cautious_wd = false;
  T lr = T(0), weight_decay = T(0);
  DecayLr decay_lr = DecayLr::unadjusted;
  ShapeRule<T> scale;
  // keller: `update *= scale` on the bf16 map output (float opmath, bf16 result), scale in double.
  std::optional<ShapeRule<double>> bf16_scale;

  // Momentum, then the map's input u for the gradient G of step t (t = 1 on the first step): buf
  // itself, or a work matrix of this step.
  const Mat<T>& input(Mat<T>& buf, const Mat<T>& G, long step) {
    using std::pow;
    momentum.accumulate(buf, G, step);
    const T& mu = momentum.mu;
    const T t(step);
    if (nesterov) {
      if (momentum.kind == MomentumKind::sum)
        u_ = G + mu * buf;
      else if (bias_correction)  // optax: beta * bc(mu, t+1) + (1 - beta) * bc(g, t)
        u_ = mu * (buf / T(T(1) - pow(mu, T(t + 1)))) + momentum.gain * (G / T(T(1) - pow(mu, t)));
      else if (momentum.form == EmaForm::lerp)
        torch_ops::lerp_into<T>(u_, G, buf, mu);
      else
        u_ = momentum.gain * G + mu * buf;
      return u_;
    }
    if (bias_correction) {
      u_ = buf / T(T(1) - pow(mu, t));
      return u_;
    }
    return buf;
  }

  // O = map(u) (map(const Mat<T>& u, Mat<T>& O)), the adaptive scaling, the decay and the step on W.
  template <class Map>
  void descend(Mat<T>& W, const Mat<T>& u, Map&& map) {
    map(u, O_);
    if (adaptive) O_ *= T(u.cwiseProduct(O_).sum());
    T s = scale(W.rows(), W.cols());
    if (bf16_scale) {  // KellerJordan/Muon: `update *= scale` on the bf16 tensor (float opmath, bf16 result)
      const float sf = static_cast<float>((*bf16_scale)(W.rows(), W.cols()));
      O_ = O_.unaryExpr([sf](const T& x) { return T(spectral::bf16::round(static_cast<float>(x) * sf)); });
      s = T(1);
    }
    // Decoupled weight decay, then the step.
    if (weight_decay != T(0)) {
      const T decay = (decay_lr == DecayLr::adjusted ? T(lr * s) : lr) * weight_decay;
      if (cautious_wd)  // dion: W -= lr wd (W where W O >= 0)
        W -= decay * W.cwiseProduct(W.cwiseProduct(O_).unaryExpr([](const T& x) { return T(x >= T(0) ? 1 : 0); }));
      else
        W *= (T(1) - decay);
    }
    W -= (lr * s) * O_;
  }

  template <class Map>
  void operator()(Mat<T>& W, const Mat<T>& G, Mat<T>& buf, long step, Map&& map) {
    const Mat<T>& u = input(buf, G, step);
    descend(W, u, map);
  }

 private:
  Mat<T> u_, O_;
};

}  // namespace mb
