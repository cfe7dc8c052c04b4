// float16 emulation of Newton-Schulz (fp16.hpp), as Dao-AILab/gram-newton-schulz runs it
// (gram_newton_schulz/gram_newton_schulz.py: GramNewtonSchulz.__call__, _gram_newton_schulz,
// _standard_newton_schulz with the torch backend). Plain code: float matrices for every scalar.
#include "solvers/spectral/fp16.hpp"

#include <cmath>
#include <limits>

namespace mb::spectral::fp16 {

float round(float x) {
  if (std::isnan(x)) return x;
  const double a = std::fabs(static_cast<double>(x));
  // Largest half 65504 = 2047 * 2^5; the midpoint 65520 to 2^16 rounds (ties to even) to 2^16: inf.
  if (a >= 65520.0) return std::copysign(std::numeric_limits<float>::infinity(), x);
  double ulp = 0x1p-24;  // subnormal spacing below 2^-14
  if (a >= 0x1p-14) {
    int e;
    std::frexp(a, &e);  // a in [2^(e-1), 2^e): 11 significant bits -> ulp 2^(e-11)
    ulp = std::ldexp(1.0, e - 11);
  }
  // x / ulp is exact (a power of two); nearbyint rounds to nearest even in the default mode.
  return static_cast<float>(std::nearbyint(static_cast<double>(x) / ulp) * ulp);
}

void round_all(Mat<float>& m) {
  for (Eigen::Index j = 0; j < m.cols(); ++j)
    for (Eigen::Index i = 0; i < m.rows(); ++i) m(i, j) = round(m(i, j));
}

namespace {

// torch.baddbmm(C, A, B, beta=beta, alpha=alpha) on float16: float32 result, rounded once.
void baddbmm(const Mat<float>& C, const Mat<float>& A, const Mat<float>& B, float alpha, float beta, Mat<float>& out,
             Mat<float>& work) {
  work.noalias() = A * B;
  out = beta * C + alpha * work;
  round_all(out);
}
void matmul(const Mat<float>& A, const Mat<float>& B, Mat<float>& out) {
  out.noalias() = A * B;
  round_all(out);
}

}  // namespace

void newton_schulz(Mat<float>& X, const std::vector<std::array<float, 3>>& coeffs, float eps, float safety, bool gram,
                   const std::vector<int>& restarts) {
  // X /= X.norm(dim=(-2, -1), keepdim=True) + eps in float32; X = X.to(torch.float16).
  float n = X.norm();
  if (safety != 1.0f) n = n * safety;
  const float d = n + eps;
  for (Eigen::Index j = 0; j < X.cols(); ++j)
    for (Eigen::Index i = 0; i < X.rows(); ++i) X(i, j) = round(X(i, j) / d);
  Mat<float> R, Z, Q, RZ, W, P, Y;
  if (!gram || X.rows() == X.cols()) {  // _standard_newton_schulz
    for (const auto& c : coeffs) {
      matmul(X, X.transpose(), R);            // A = X @ X.mT
      baddbmm(R, R, R, c[2], c[1], Z, P);     // B = b A + c A @ A
      baddbmm(X, Z, X, 1.0f, c[0], Y, P);     // X = a X + B @ X
      X.swap(Y);
    }
    return;
  }
  auto restart_at = [&](size_t i) {
    for (int r : restarts)
      if (r >= 0 && static_cast<size_t>(r) == i) return true;
    return false;
  };
  const size_t K = coeffs.size();
  if (K == 0) return;
  matmul(X, X.transpose(), R);
  for (size_t i = 0; i < K; ++i) {
    const auto& c = coeffs[i];
    const bool restart = i != 0 && restart_at(i);
    if (restart) {
      matmul(Q, X, Y);
      X.swap(Y);
      matmul(X, X.transpose(), R);
    }
    baddbmm(R, R, R, c[2], c[1], Z, P);  // Z = b R + c R @ R
    if (i == 0 || restart) {
      Q = Z;  // Q = Z + a * I: a * I is a float16 tensor (a rounded), then the sum rounded
      const float ah = round(c[0]);
      for (Eigen::Index k = 0; k < Q.rows(); ++k) Q(k, k) = round(Q(k, k) + ah);
    } else {
      baddbmm(Q, Q, Z, 1.0f, c[0], W, P);  // Q = a Q + Q @ Z
      Q.swap(W);
    }
    if (i + 1 < K && !restart_at(i + 1)) {
      baddbmm(R, R, Z, 1.0f, c[0], RZ, P);  // RZ = a R + R @ Z
      baddbmm(RZ, Z, RZ, 1.0f, c[0], R, P);  // R = a RZ + Z @ RZ
    }
  }
  matmul(Q, X, Y);
  X.swap(Y);
}

}  // namespace mb::spectral::fp16
