// Hand-written forward and backward passes of multi-head softmax attention and RMSNorm, shared
// by the `attention` and `transformer-block` problems.
//
// Layout: features x tokens. A batch of n sequences of length T is a d x (n T) matrix whose
// column b T + t is token t of sequence b. Weights are in PyTorch's [out, in] layout:
// W_Q, W_K, W_V: (H d_h) x d (rows h d_h .. h d_h + d_h - 1 belong to head h), W_O: d x (H d_h).
//
// Attention, per sequence b and head h (Q, K, V the head's d_h x T slices of W_{Q,K,V} X):
//   S^T = K^T Q / sqrt(d_h)            (T_keys x T_queries; column t holds query t's scores)
//   P^T = softmax of each column of S^T (causal: keys j > t masked out)
//   O   = V P^T,  Y = W_O [O_1; ...; O_H]
// Backward (dY given): dW_O = dY O^T, dO = W_O^T dY, then per (b, h)
//   dP^T = V^T dO,  dV = dO P,  dS^T = P^T .* (dP^T - 1 c^T), c_t = sum_j P^T_jt dP^T_jt,
//   dQ = K dS^T / sqrt(d_h),  dK = Q dS / sqrt(d_h),  dW_{Q,K,V} = d{Q,K,V} X^T.
// The input X is data in both problems, so its gradient is never formed.
#pragma once

#include <cmath>
#include <vector>

#include "harness/core/linalg.hpp"
#include "harness/core/params.hpp"
#include "harness/core/rng.hpp"
#include "harness/core/scalar.hpp"

namespace mb {

template <class T>
struct MultiHeadAttention {
  long n = 1, T_ = 1, d = 1, H = 1, dh = 1;  // sequences, length, model dim, heads, head dim
  bool causal = false;

  struct Tape {
    Mat<T> QKV;  // (3 H d_h) x (n T)
    Mat<T> Pt;   // (n H T) x T: block (b H + h) is P^T of sequence b, head h
    Mat<T> O;    // (H d_h) x (n T)
  };

  // Y = Attn(X) for X: d x (n T). Wqkv = [W_Q; W_K; W_V] stacked ((3 H d_h) x d).
  Mat<T> forward(const Mat<T>& X, const Mat<T>& Wqkv, const Mat<T>& Wo, Tape* tape) const {
    Tape local;
    Tape& t = tape ? *tape : local;
    t.QKV = linalg::mul<T>(Wqkv, X);
    t.O.resize(H * dh, n * T_);
    if (tape) t.Pt.resize(n * H * T_, T_);
    Mat<T> Pt(T_, T_);
    for (long b = 0; b < n; ++b)
      for (long h = 0; h < H; ++h) {
        scores(t.QKV, b, h, Pt);
        linalg::gemm<T>(t.O.block(h * dh, b * T_, dh, T_), t.QKV.block(2 * H * dh + h * dh, b * T_, dh, T_), false, Pt,
                        false, T(1), T(0));
        if (tape) t.Pt.middleRows((b * H + h) * T_, T_) = Pt;
      }
    return linalg::mul<T>(Wo, t.O);
  }

  // dWqkv ((3 H d_h) x d) and dWo (d x (H d_h)) from dY (d x (n T)).
  void backward(const Mat<T>& X, const Mat<T>& Wo, const Tape& t, const Mat<T>& dY, Mat<T>& dWqkv, Mat<T>& dWo) const {
    using std::sqrt;
    const T scale = T(1) / T(sqrt(T(dh)));
    dWo = linalg::mul_nt<T>(dY, t.O);
    const Mat<T> dO = linalg::mul_tn<T>(Wo, dY);
    Mat<T> dQKV(3 * H * dh, n * T_), dPt(T_, T_);
    for (long b = 0; b < n; ++b)
      for (long h = 0; h < H; ++h) {
        const auto Pt = t.Pt.middleRows((b * H + h) * T_, T_);
        const auto Q = t.QKV.block(h * dh, b * T_, dh, T_);
        const auto K = t.QKV.block(H * dh + h * dh, b * T_, dh, T_);
        const auto V = t.QKV.block(2 * H * dh + h * dh, b * T_, dh, T_);
        const auto dOh = dO.block(h * dh, b * T_, dh, T_);
        linalg::gemm<T>(dPt, V, true, dOh, false, T(1), T(0));
        linalg::gemm<T>(dQKV.block(2 * H * dh + h * dh, b * T_, dh, T_), dOh, false, Pt, true, T(1), T(0));
        for (long q = 0; q < T_; ++q) {  // softmax backward, column by column
          const T c = Pt.col(q).dot(dPt.col(q));
          for (long j = 0; j < T_; ++j) dPt(j, q) = Pt(j, q) * (dPt(j, q) - c) * scale;
        }
        linalg::gemm<T>(dQKV.block(h * dh, b * T_, dh, T_), K, false, dPt, false, T(1), T(0));
        linalg::gemm<T>(dQKV.block(H * dh + h * dh, b * T_, dh, T_), Q, false, dPt, true, T(1), T(0));
      }
    dWqkv = linalg::mul_nt<T>(dQKV, X);
  }

  // Per head h: the largest attention logit q_t . k_j / sqrt(d_h) over all sequences, queries t
  // and the keys j visible to them (causal: j <= t), i.e. the largest entry of S^T before the
  // softmax, for W_Q, W_K applied to X (QK-clip's S_max^h, Kimi K2 report eq. for S_max).
  std::vector<T> max_logits(const Mat<T>& X, const Mat<T>& Wq, const Mat<T>& Wk) const {
    using std::sqrt;
    const T scale = T(1) / T(sqrt(T(dh)));
    const Mat<T> Q = linalg::mul<T>(Wq, X), K = linalg::mul<T>(Wk, X);
    std::vector<T> out(static_cast<size_t>(H));
    Mat<T> St(T_, T_);
    for (long h = 0; h < H; ++h) {
      T m = T(0);
      bool first = true;
      for (long b = 0; b < n; ++b) {
        linalg::gemm<T>(St, K.block(h * dh, b * T_, dh, T_), true, Q.block(h * dh, b * T_, dh, T_), false, T(1), T(0));
        for (long q = 0; q < T_; ++q)
          for (long j = 0; j <= (causal ? q : T_ - 1); ++j)
            if (first || St(j, q) > m) m = St(j, q), first = false;
      }
      out[static_cast<size_t>(h)] = m * scale;  // scale > 0: the max of the scaled logits, as scores() scales them
    }
    return out;
  }

 private:
  // P^T (T x T) of sequence b, head h: column q = softmax over keys of K^T q / sqrt(d_h).
  void scores(const Mat<T>& QKV, long b, long h, Mat<T>& Pt) const {
    using std::exp;
    using std::sqrt;
    const T scale = T(1) / T(sqrt(T(dh)));
    linalg::gemm<T>(Pt, QKV.block(H * dh + h * dh, b * T_, dh, T_), true, QKV.block(h * dh, b * T_, dh, T_), false, T(1), T(0));
    for (long q = 0; q < T_; ++q) {
      const long last = causal ? q : T_ - 1;  // keys 0..last are visible to query q
      T m = Pt(0, q);
      for (long j = 1; j <= last; ++j) m = Pt(j, q) > m ? Pt(j, q) : m;
      T s(0);
      for (long j = 0; j <= last; ++j) s += (Pt(j, q) = T(exp(T((Pt(j, q) - m) * scale))));
      for (long j = 0; j <= last; ++j) Pt(j, q) /= s;
      for (long j = last + 1; j < T_; ++j) Pt(j, q) = T(0);
    }
  }
};

// RMSNorm without gain, per column (token): xhat = x / sqrt(mean(x^2) + eps). r holds the
// factors 1/sqrt(mean(x^2) + eps) for the backward pass.
template <class T>
Mat<T> rms_norm(const Mat<T>& X, const T& eps, Vec<T>& r) {
  using std::sqrt;
  r.resize(X.cols());
  Mat<T> Y(X.rows(), X.cols());
  for (long t = 0; t < X.cols(); ++t) {
    r(t) = T(1) / T(sqrt(T(X.col(t).squaredNorm() / T(X.rows()) + eps)));
    Y.col(t) = X.col(t) * r(t);
  }
  return Y;
}
// dx = r (dxhat - xhat <dxhat, xhat> / d), column by column.
template <class T>
Mat<T> rms_norm_backward(const Mat<T>& Xhat, const Vec<T>& r, const Mat<T>& dXhat) {
  Mat<T> dX(Xhat.rows(), Xhat.cols());
  const T d = T(Xhat.rows());
  for (long t = 0; t < Xhat.cols(); ++t)
    dX.col(t) = r(t) * (dXhat.col(t) - Xhat.col(t) * T(dXhat.col(t).dot(Xhat.col(t)) / d));
  return dX;
}

// The weights of both problems, one matrix per BlockSpec in order (W_Q, W_K, W_V, W_O, ...), with
// entries ~ N(0, scale^2 / fan_in): scores and outputs of order one.
template <class T>
Params<T> draw_fan_in(Rng& rng, const T& scale, const std::vector<BlockSpec>& specs) {
  using std::sqrt;
  Params<T> w;
  for (const auto& s : specs) w.push_back(T(scale / sqrt(T(s.cols()))) * rng.normal_matrix<T>(s.rows(), s.cols()));
  return w;
}

// [W_Q; W_K; W_V] from w[0..2], the stacked form MultiHeadAttention takes, and back for gradients.
template <class T>
Mat<T> stack_qkv(const Params<T>& w) {
  Mat<T> Wqkv(w[0].rows() + w[1].rows() + w[2].rows(), w[0].cols());
  Wqkv << w[0], w[1], w[2];
  return Wqkv;
}
template <class T>
void unstack_qkv(const Mat<T>& dWqkv, Params<T>& g) {
  const long hd = dWqkv.rows() / 3;
  for (int i = 0; i < 3; ++i) g[i] = dWqkv.middleRows(i * hd, hd);
}

}  // namespace mb
