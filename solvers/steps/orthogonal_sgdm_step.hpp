// One Orthogonal-SGDM step on a matrix block (Tuddenham et al. 2022; docs/theory.md 2f):
//   M <- momentum of O = polar(G)   (sum: M = mu M + O, the solver; an EMA in Kovalev's Appendix B)
//   W <- W (1 - lr wd);  W <- W - lr s M
// Muon averages before the map (muon_step.hpp), Orthogonal-SGDM after it. Used by orthogonal-sgdm
// (solvers/momentum_baselines.cpp) and claims/kovalev.cpp.
#pragma once

#include "solvers/matrix_solver.hpp"
#include "solvers/spectral/polar.hpp"
#include "solvers/steps/momentum.hpp"

namespace mb {

template <class T>
struct OrthogonalSgdmStep {
  Momentum<T> momentum;
  T lr = T(0);
  MatrixCommon<T> common{};

  // M <- the momentum of polar(G) after step t.
  void accumulate(Mat<T>& M, const Mat<T>& G, long t) const { momentum.accumulate(M, spectral::polar<T>(G), t); }

  void operator()(Mat<T>& W, const Mat<T>& G, Mat<T>& M, long t) const {
    common.decay(W, lr);
    const T step = common.step(lr, W);
    accumulate(M, G, t);
    W -= step * M;
  }
};

}  // namespace mb
