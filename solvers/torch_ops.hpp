// Elementwise operations with PyTorch's exact formulas, so that float64 trajectories match
// torch.optim to rounding (tests/test_conformance_torch.cpp).
#pragma once

#include "harness/core/scalar.hpp"

namespace mb::torch_ops {

// torch.lerp(self, end, w) on CPU: w < 0.5 ? self + w (end - self) : end - (end - self)(1 - w)
template <class T, class A, class B>
void lerp_(Eigen::MatrixBase<A>& self, const Eigen::MatrixBase<B>& end, const T& w) {
  if (w < T(1) / T(2))
    self.derived() = self + w * (end - self);
  else
    self.derived() = end - (end - self) * (T(1) - w);
}

// out = torch.lerp(self, end, w), evaluated into out's storage (no temporary matrix).
template <class T, class D, class A, class B>
void lerp_into(Eigen::MatrixBase<D>& out, const Eigen::MatrixBase<A>& self, const Eigen::MatrixBase<B>& end, const T& w) {
  if (w < T(1) / T(2))
    out.derived() = self + w * (end - self);
  else
    out.derived() = end - (end - self) * (T(1) - w);
}

template <class T, class A, class B>
Mat<T> lerp(const Eigen::MatrixBase<A>& self, const Eigen::MatrixBase<B>& end, const T& w) {
  if (w < T(1) / T(2)) return self + w * (end - self);
  return end - (end - self) * (T(1) - w);
}

}  // namespace mb::torch_ops
