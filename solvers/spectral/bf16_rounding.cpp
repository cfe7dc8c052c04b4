// bfloat16 emulation of Newton-Schulz (bf16.hpp). Plain code: it works on float matrices for
// every scalar type.
#include "solvers/spectral/bf16.hpp"

#include <cmath>
#include <cstdint>
#include <cstring>

#include "harness/core/error.hpp"
#include "harness/core/linalg.hpp"

namespace mb::spectral::bf16 {

float round(float x) {
  if (std::isnan(x)) return x;
  std::uint32_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  // Add 0x7FFF plus the lowest kept bit, then truncate: round to nearest, ties to even.
  bits += 0x7FFFu + ((bits >> 16) & 1u);
  bits &= 0xFFFF0000u;
  float y;
  std::memcpy(&y, &bits, sizeof y);
  return y;
}

void round_all(Mat<float>& m) {
  for (Eigen::Index j = 0; j < m.cols(); ++j)
    for (Eigen::Index i = 0; i < m.rows(); ++i) m(i, j) = round(m(i, j));
}

namespace {

// bf16 matmul: exact bf16 products accumulated in float32, rounded once.
void matmul(const Mat<float>& A, const Mat<float>& B, Mat<float>& C) {
  C.noalias() = A * B;
  round_all(C);
}
void gram(const Mat<float>& X, Mat<float>& A) {
  A.noalias() = X * X.transpose();
  round_all(A);
}
// s * M, elementwise in float32, rounded.
void scale(Mat<float>& M, float s) {
  for (Eigen::Index j = 0; j < M.cols(); ++j)
    for (Eigen::Index i = 0; i < M.rows(); ++i) M(i, j) = round(M(i, j) * s);
}

}  // namespace

void newton_schulz(Mat<float>& X, const std::vector<std::array<float, 3>>& coeffs, Normalization normalization,
                   float eps, float safety, Bf16Form form) {
  using N = Normalization;
  const bool fused = form == Bf16Form::addmm;
  Mat<float> A, cA, P, B, BX;
  bool gram_ready = false;
  const N nm = normalization;
  if (nm == N::frobenius || nm == N::frobenius_additive || nm == N::spectral) {
    float n = nm == N::spectral ? (X.size() ? linalg::singular_values<float>(X).maxCoeff() : 0.0f) : X.norm();
    n = round(n);
    if (safety != 1.0f) n = round(n * safety);
    const float d = round(nm == N::frobenius ? std::max(n, eps) : n + eps);
    for (Eigen::Index j = 0; j < X.cols(); ++j)
      for (Eigen::Index i = 0; i < X.rows(); ++i) X(i, j) = round(X(i, j) / d);
  } else if (nm == N::schatten) {
    gram(X, A);
    const float r = round(std::max(round(A.norm()), eps));
    float s = round(1.0f / std::sqrt(r));
    if (safety != 1.0f) s = round(s / safety);
    scale(X, s);
    scale(A, round(s * s));
    gram_ready = true;
  } else if (nm == N::aol) {
    gram(X, A);
    std::vector<float> s(static_cast<size_t>(A.rows()));
    for (Eigen::Index i = 0; i < A.rows(); ++i)
      s[static_cast<size_t>(i)] = round(1.0f / std::sqrt(std::max(round(A.row(i).cwiseAbs().sum()), eps)));
    for (Eigen::Index j = 0; j < X.cols(); ++j)
      for (Eigen::Index i = 0; i < X.rows(); ++i) X(i, j) = round(X(i, j) * s[static_cast<size_t>(i)]);
    for (Eigen::Index j = 0; j < A.cols(); ++j)
      for (Eigen::Index i = 0; i < A.rows(); ++i)
        A(i, j) = round(round(A(i, j) * s[static_cast<size_t>(i)]) * s[static_cast<size_t>(j)]);
    gram_ready = true;
  }  // N::none: X as given
  for (const auto& c : coeffs) {
    if (!gram_ready) gram(X, A);
    gram_ready = false;
    if (fused) {
      // torch.addmm(A, A, A, beta=b, alpha=c), then torch.addmm(X, B, X, beta=a): float32 results
      // of b A + c (A @ A) and a X + B @ X, each rounded once.
      P.noalias() = A * A;
      B = c[1] * A + c[2] * P;
      round_all(B);
      BX.noalias() = B * X;
      X = c[0] * X + BX;
      round_all(X);
      continue;
    }
    cA = A;
    scale(cA, c[2]);
    matmul(cA, A, P);  // (c A) @ A: Python evaluates `c * A @ A` left to right
    B = A;
    scale(B, c[1]);  // b A
    for (Eigen::Index j = 0; j < B.cols(); ++j)
      for (Eigen::Index i = 0; i < B.rows(); ++i) B(i, j) = round(B(i, j) + P(i, j));
    matmul(B, X, BX);
    for (Eigen::Index j = 0; j < X.cols(); ++j)
      for (Eigen::Index i = 0; i < X.rows(); ++i) X(i, j) = round(round(c[0] * X(i, j)) + BX(i, j));
  }
}

}  // namespace mb::spectral::bf16
