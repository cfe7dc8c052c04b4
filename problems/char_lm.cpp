// char-lm: a small decoder-only transformer (nanoGPT's GPT: Karpathy, github.com/karpathy/nanoGPT
// model.py, with bias=False in the linear layers and GPT-2's tanh GELU) trained on the bytes of the
// licence texts of Debian's base-files package (problems/text_corpus.hpp), minibatch by minibatch.
//
// Layout: features x tokens, column b C + t = position t of window b (C = context); torch's
// y = W x, so W_q, W_k, W_v, W_o: d x d (head h = rows [h d_h, (h+1) d_h)), W_1: 4d x d, W_2: d x 4d.
//   X = E[x_t] + P[t];  per block:  X += W_o Attn(LN_1 X),  X += W_2 gelu(W_1 LN_2 X);
//   logits = W_head LN_f X;  f = mean over positions of -log softmax(logits)[next byte]  (nats).
// Attention per (window, head): S^T = K^T Q / sqrt(d_h), causal softmax down each column (query),
// O = V P^T. LN(x) = g .* (x - mean x) / sqrt(var x + 1e-5) + b (torch.nn.LayerNorm, biased var).
// Backward by hand (formulas at each step below); checked against mp50 finite differences.
#include <algorithm>
#include <cmath>
#include <mutex>

#include "problems/construct.hpp"
#include "problems/text_corpus.hpp"

namespace mb {

template <class T>
class CharLm final : public ProblemBase<T> {
 public:
  static constexpr const char* kName = "char-lm";
  static constexpr const char* kSummary =
      "decoder-only transformer (pre-LN, causal attention, GELU MLP) on the bytes of Debian's licence texts; minibatch";
  static constexpr const char* kFormula =
      "X = E[x] + P;  X += W_o Attn(LN X);  X += W_2 gelu(W_1 LN X)  (per block);  f = mean_t -log softmax(W_head LN X)_t[x_{t+1}] "
      "in nats on a fixed sample of training windows; the solver steps with minibatch gradients; f* = 0 (lower bound)";
  static constexpr const char* kReference = "issue 18 item 1; nanoGPT model.py (bias=False), GPT-2 init";
  static constexpr const char* kTestParams =
      R"({"d": 4, "heads": 2, "blocks": 1, "context": 4, "batch": 1, "eval_sequences": 1, "heldout_sequences": 1})";

  explicit CharLm(const json& params) {
    Options o(params, problem_context(kName));
    const json* dir = o.raw("data_dir", kCommonLicencesDir,
                            "folder holding the corpus files (base-files' common licences: " + join(common_licence_files()) + ")");
    if (dir && !dir->is_string()) o.fail("data_dir", "must be a folder name (a string), got " + dir->dump());
    d_ = o.integer("d", 64, 4, 1024, "model width d (embeddings, attention, residual stream; the MLP is 4 d wide)");
    H_ = o.integer("heads", 4, 1, 1024, "attention heads (must divide d)");
    if (d_ % H_ != 0) o.fail("heads", "must divide d = " + std::to_string(d_) + ", got " + std::to_string(H_));
    L_ = o.integer("blocks", 2, 1, 12, "transformer blocks");
    C_ = o.integer("context", 64, 1, 4096, "context length: characters per window (each predicts the next)");
    batch_ = o.integer("batch", 16, 1, 100000, "windows per training minibatch (and per chunk of the held-out evaluation)");
    n_eval_ = o.integer("eval_sequences", 16, 1, 100000, "windows of the fixed training sample the objective f is measured on");
    n_held_ = o.integer("heldout_sequences", 64, 1, 100000, "held-out windows of evaluate() (evenly spaced over the held-out text)");
    const long data_seed = o.integer("data_seed", 0, 0, 1L << 40, "seed of the fixed training sample's window positions");
    const double N = double(std::max(batch_, n_eval_)) * C_;
    init_scale_ = this->finish_options(
        o, {.init_scale = "1", .init_scale_doc = "initial weights ~ N(0, (init_scale 0.02)^2) (GPT-2)", .noise = false},
        {{"the residual stream and norms", double(d_), N, 10.0 * L_ + 4},
         {"the MLP activations", 4.0 * d_, N, 3.0 * L_},
         {"the attention probabilities", double(C_), double(H_) * N, double(L_)},
         {"the logits", 256, N, 1},
         {"the weights", double(d_), std::max<double>(4.0 * d_, 256), 3.0 * (3 * L_ + 2)}});

    corpus_ = load_text_corpus(dir ? dir->get<std::string>() : kCommonLicencesDir, common_licence_files(), "base-files",
                               o.context());
    V_ = corpus_->vocabulary_size();
    if (corpus_->train_end - C_ < 1 || corpus_->size() - corpus_->train_end - C_ < 1)
      o.fail("context", "= " + std::to_string(C_) + " leaves no room for windows in the corpus of " +
                            std::to_string(corpus_->size()) + " bytes");
    dh_ = d_ / H_;
    const long dd = d_;
    specs_ = {BlockSpec{"E", {V_, dd}, 1, true}, BlockSpec{"P", {C_, dd}, 1, true}};
    for (long l = 0; l < L_; ++l) {
      const std::string b = "b" + std::to_string(l) + ".";
      for (const char* n : {"ln1.g", "ln1.b"}) specs_.push_back(BlockSpec{b + n, {dd}});
      for (const char* n : {"W_q", "W_k", "W_v"}) specs_.push_back(BlockSpec{b + n, {dd, dd}, H_});
      specs_.push_back(BlockSpec{b + "W_o", {dd, dd}});
      for (const char* n : {"ln2.g", "ln2.b"}) specs_.push_back(BlockSpec{b + n, {dd}});
      specs_.push_back(BlockSpec{b + "W_1", {4 * dd, dd}});
      specs_.push_back(BlockSpec{b + "W_2", {dd, 4 * dd}});
    }
    for (const char* n : {"lnf.g", "lnf.b"}) specs_.push_back(BlockSpec{n, {dd}});
    specs_.push_back(BlockSpec{"W_head", {V_, dd}, 1, true});

    eval_starts_ = training_window_starts(*corpus_, C_, n_eval_, {std::uint64_t(data_seed), 0x636c6d65ULL});  // "clme"
    held_starts_ = heldout_window_starts(*corpus_, C_, n_held_);
    act_.kind = "gelu";
  }

  const std::vector<BlockSpec>& blocks() const override { return specs_; }
  CharLmWindows windows() const { return {corpus_, C_, eval_starts_, held_starts_}; }

  // The minibatch's window starts: uniform over the training text (a window and its next-byte
  // targets lie in [0, train_end)), drawn from (seed, step) alone.
  std::vector<long> minibatch_starts(std::uint64_t seed, long step) const {
    return training_window_starts(*corpus_, C_, batch_, {seed, static_cast<std::uint64_t>(step), 0x636c6d62ULL});  // "clmb"
  }

  // GPT-2: every weight N(0, 0.02^2), the projections into the residual stream (W_o, W_2)
  // N(0, 0.02^2 / (2 blocks)); LayerNorm gains 1, biases 0.
  Params<T> initial_point(std::uint64_t seed) const override {
    using std::sqrt;
    Rng rng({seed, 0x636c6d69ULL});  // "clmi"
    const T sd = init_scale_ * from_decimal<T>("0.02"), sd_res = sd / T(sqrt(T(2 * L_)));
    Params<T> w;
    for (const auto& s : specs_) {
      const std::string& n = s.name;
      if (!s.is_matrix())
        w.push_back(n.back() == 'g' ? Mat<T>::Ones(s.rows(), 1) : Mat<T>::Zero(s.rows(), 1));
      else
        w.push_back((n.ends_with("W_o") || n.ends_with("W_2") ? sd_res : sd) * rng.normal_matrix<T>(s.rows(), s.cols()));
    }
    return w;
  }

  T value(const Params<T>& w) const override {
    std::lock_guard<std::mutex> lock(mutex_);
    return run(w, eval_starts_, ws_eval_, nullptr, nullptr);
  }
  T value_and_gradient(const Params<T>& w, Params<T>& g) const override {
    std::lock_guard<std::mutex> lock(mutex_);
    return run(w, eval_starts_, ws_eval_, &g, nullptr);
  }
  bool minibatched() const override { return true; }
  T minibatch_value_and_gradient(const Params<T>& w, Params<T>& g, std::uint64_t seed, long step) const override {
    std::lock_guard<std::mutex> lock(mutex_);
    return run(w, minibatch_starts(seed, step), ws_batch_, &g, nullptr);
  }
  // The loss at each position (row b, column t) of windows `starts` read from `ids` (test hook).
  Mat<T> position_losses(const Params<T>& w, const std::vector<long>& starts, const std::vector<int>& ids) const {
    if (ids.size() != corpus_->ids.size()) throw Error("char-lm position_losses: the token stream must keep the corpus's length");
    for (int id : ids)
      if (id < 0 || id >= V_) throw Error("char-lm position_losses: token id out of the vocabulary");
    std::lock_guard<std::mutex> lock(mutex_);
    Workspace ws;
    ws.ids = &ids;
    Mat<T> out;
    run(w, starts, ws, nullptr, nullptr, &out);
    return out;
  }

  Known<T> known() const override {
    Known<T> k;
    k.f_star = T(0);
    k.f_star_source = "lower bound: cross-entropy >= 0 (not attained); relative targets are fractions of the initial loss";
    k.assumptions = {"smooth", "nonconvex", "minibatch gradients"};
    return k;
  }

  // Bits per character: the loss in nats over ln 2.
  json evaluate(const Params<T>& w) const override {
    using std::log;
    std::lock_guard<std::mutex> lock(mutex_);
    Workspace ws;
    T held(0);
    for (size_t i = 0; i < held_starts_.size(); i += size_t(batch_)) {
      const size_t e = std::min(held_starts_.size(), i + size_t(batch_));
      const std::vector<long> chunk(held_starts_.begin() + long(i), held_starts_.begin() + long(e));
      held += run(w, chunk, ws, nullptr, nullptr) * T(long(e - i));
    }
    held /= T(long(held_starts_.size()));
    const T ln2 = T(log(T(2))), train = run(w, eval_starts_, ws_eval_, nullptr, nullptr);
    return {{"heldout_bits_per_char", number_to_json<T>(T(held / ln2))},
            {"train_bits_per_char", number_to_json<T>(T(train / ln2))},
            {"heldout_loss", number_to_json<T>(held)}};
  }

  std::vector<AttentionLayer> attention_layers() const override {
    std::vector<AttentionLayer> a;
    for (long l = 0; l < L_; ++l) a.push_back(AttentionLayer{size_t(base(l) + 2), size_t(base(l) + 3), H_});
    return a;
  }
  // On the fixed training sample (the objective's data), per block and head.
  std::vector<std::vector<T>> max_attention_logits(const Params<T>& w) const override {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<std::vector<T>> m;
    run(w, eval_starts_, ws_eval_, nullptr, &m);
    return m;
  }

 private:
  // Block indices: E, P, then per block l from base(l): ln1.g, ln1.b, W_q, W_k, W_v, W_o, ln2.g,
  // ln2.b, W_1, W_2; then lnf.g, lnf.b, W_head.
  static long base(long l) { return 2 + 10 * l; }

  struct LayerTape {
    Mat<T> xhat1, Xn1, QKV, Pt, O, xhat2, Xn2, Z, U, dU;  // Pt: C x (B H C), block (b H + h) = P^T
    Vec<T> rstd1, rstd2;
  };
  // Buffers reused across calls of one size (the fixed sample, the minibatch).
  struct Workspace {
    std::vector<LayerTape> layer;
    Mat<T> X, xhatf, Xnf, logits, dX, dXn, dQKV, dO, dH, dPt, Wqkv, dWqkv, Et, dEt, dPT;
    Vec<T> rstdf;
    const std::vector<int>* ids = nullptr;  // the token stream (tests may substitute one)
  };

  // LayerNorm of every column: xhat = (x - mean) rstd, rstd = 1/sqrt(var + eps), Y = g .* xhat + b.
  void layer_norm(const Mat<T>& X, const Mat<T>& g, const Mat<T>& b, Mat<T>& xhat, Vec<T>& rstd, Mat<T>& Y) const {
    using std::sqrt;
    const long N = X.cols();
    xhat.resize(d_, N), Y.resize(d_, N), rstd.resize(N);
    const T eps = from_decimal<T>("1e-5"), dinv = T(1) / T(d_);
    for (long t = 0; t < N; ++t) {
      const T mean = X.col(t).sum() * dinv;
      xhat.col(t) = X.col(t).array() - mean;
      rstd(t) = T(1) / T(sqrt(T(xhat.col(t).squaredNorm() * dinv + eps)));
      xhat.col(t) *= rstd(t);
      Y.col(t) = g.col(0).cwiseProduct(xhat.col(t)) + b.col(0);
    }
  }
  // dx = rstd (dxhat - mean(dxhat) - xhat mean(dxhat .* xhat)), dxhat = g .* dY; added to dX.
  // dg = sum_t dY .* xhat, db = sum_t dY.
  void layer_norm_backward(const Mat<T>& xhat, const Vec<T>& rstd, const Mat<T>& g, const Mat<T>& dY, Mat<T>& dX,
                           Mat<T>& dg, Mat<T>& db) const {
    dg = dY.cwiseProduct(xhat).rowwise().sum();
    db = dY.rowwise().sum();
    const T dinv = T(1) / T(d_);
    Vec<T> dxh(d_);
    for (long t = 0; t < dY.cols(); ++t) {
      dxh = g.col(0).cwiseProduct(dY.col(t));
      const T m1 = dxh.sum() * dinv, m2 = dxh.dot(xhat.col(t)) * dinv;
      dX.col(t) += rstd(t) * ((dxh.array() - m1).matrix() - m2 * xhat.col(t));
    }
  }

  // The loss on the windows `starts`; with g, its gradient; with logits_out, the largest scaled
  // attention logit per block and head; with losses, the loss at each position (B x C).
  T run(const Params<T>& w, const std::vector<long>& starts, Workspace& ws, Params<T>* g,
        std::vector<std::vector<T>>* logits_out, Mat<T>* losses = nullptr) const {
    using std::exp;
    using std::log;
    using std::sqrt;
    const std::vector<int>& ids = ws.ids ? *ws.ids : corpus_->ids;
    const long B = long(starts.size()), N = B * C_, d = d_;
    const T scale = T(1) / T(sqrt(T(dh_)));
    ws.layer.resize(size_t(L_));
    // Embedding: X[:, bC + t] = E[x] + P[t] (E transposed once: columns are copied, not rows).
    ws.Et = w[0].transpose();
    ws.X.resize(d, N);
    for (long b = 0; b < B; ++b)
      for (long t = 0; t < C_; ++t) ws.X.col(b * C_ + t) = ws.Et.col(ids[size_t(starts[size_t(b)] + t)]) + w[1].row(t).transpose();
    if (logits_out) logits_out->assign(size_t(L_), std::vector<T>(size_t(H_), T(0)));
    for (long l = 0; l < L_; ++l) {
      LayerTape& t = ws.layer[size_t(l)];
      const long k = base(l);
      layer_norm(ws.X, w[k], w[k + 1], t.xhat1, t.rstd1, t.Xn1);
      ws.Wqkv.resize(3 * d, d);
      ws.Wqkv << w[k + 2], w[k + 3], w[k + 4];
      t.QKV.resize(3 * d, N);
      linalg::gemm<T>(t.QKV, ws.Wqkv, false, t.Xn1, false, T(1), T(0));
      t.Pt.resize(C_, B * H_ * C_);
      t.O.resize(d, N);
      for (long b = 0; b < B; ++b)
        for (long h = 0; h < H_; ++h) {
          auto Pt = t.Pt.middleCols((b * H_ + h) * C_, C_);
          const auto Q = t.QKV.block(h * dh_, b * C_, dh_, C_), K = t.QKV.block(d + h * dh_, b * C_, dh_, C_);
          linalg::gemm<T>(Pt, K, true, Q, false, scale, T(0));  // S^T: column q = query q's scores
          for (long q = 0; q < C_; ++q) {  // causal softmax over keys 0..q
            T m = Pt(0, q);
            for (long j = 1; j <= q; ++j) m = Pt(j, q) > m ? Pt(j, q) : m;
            if (logits_out) {
              T& top = (*logits_out)[size_t(l)][size_t(h)];
              if ((b == 0 && q == 0) || m > top) top = m;
            }
            T s(0);
            for (long j = 0; j <= q; ++j) s += (Pt(j, q) = T(exp(T(Pt(j, q) - m))));
            const T inv = T(1) / s;
            for (long j = 0; j <= q; ++j) Pt(j, q) *= inv;
            for (long j = q + 1; j < C_; ++j) Pt(j, q) = T(0);
          }
          linalg::gemm<T>(t.O.block(h * dh_, b * C_, dh_, C_), t.QKV.block(2 * d + h * dh_, b * C_, dh_, C_), false, Pt,
                          false, T(1), T(0));
        }
      linalg::gemm<T>(ws.X, w[k + 5], false, t.O, false, T(1), T(1));  // X += W_o O
      layer_norm(ws.X, w[k + 6], w[k + 7], t.xhat2, t.rstd2, t.Xn2);
      t.Z.resize(4 * d, N);
      linalg::gemm<T>(t.Z, w[k + 8], false, t.Xn2, false, T(1), T(0));
      act_.apply(t.Z, t.U, g ? &t.dU : nullptr);                        // U = gelu(Z), dU = gelu'(Z)
      linalg::gemm<T>(ws.X, w[k + 9], false, t.U, false, T(1), T(1));  // X += W_2 U
    }
    const long f = base(L_);
    layer_norm(ws.X, w[f], w[f + 1], ws.xhatf, ws.rstdf, ws.Xnf);
    ws.logits.resize(V_, N);
    linalg::gemm<T>(ws.logits, w[f + 2], false, ws.Xnf, false, T(1), T(0));
    // Cross-entropy per position: log sum exp(logits) - logits[target]; logits -> softmax - onehot.
    if (losses) losses->resize(B, C_);
    T total(0);
    for (long b = 0; b < B; ++b)
      for (long tt = 0; tt < C_; ++tt) {
        auto z = ws.logits.col(b * C_ + tt);
        const long target = ids[size_t(starts[size_t(b)] + tt + 1)];
        const T m = z.maxCoeff(), shifted_target = z(target) - m;
        T s(0);
        for (long v = 0; v < V_; ++v) s += (z(v) = T(exp(T(z(v) - m))));
        const T lossi = T(log(s)) - shifted_target;
        total += lossi;
        if (losses) (*losses)(b, tt) = lossi;
        z /= s;
        z(target) -= T(1);
      }
    const T loss = total / T(N);
    if (!g) return loss;
    backward(w, starts, ids, ws, *g);
    return loss;
  }

  void backward(const Params<T>& w, const std::vector<long>& starts, const std::vector<int>& ids, Workspace& ws,
                Params<T>& g) const {
    const long B = long(starts.size()), N = B * C_, d = d_, f = base(L_);
    using std::sqrt;
    const T scale = T(1) / T(sqrt(T(dh_)));
    g.resize(specs_.size());
    ws.logits /= T(N);  // d loss / d logits = (softmax - onehot) / N
    g[size_t(f + 2)] = linalg::mul_nt<T>(ws.logits, ws.Xnf);  // dW_head = dlogits Xn^T
    ws.dXn.resize(d, N);
    linalg::gemm<T>(ws.dXn, w[f + 2], true, ws.logits, false, T(1), T(0));
    ws.dX = Mat<T>::Zero(d, N);
    layer_norm_backward(ws.xhatf, ws.rstdf, w[f], ws.dXn, ws.dX, g[size_t(f)], g[size_t(f + 1)]);
    for (long l = L_ - 1; l >= 0; --l) {
      LayerTape& t = ws.layer[size_t(l)];
      const size_t k = size_t(base(l));
      // MLP: dW_2 = dX U^T, dZ = (W_2^T dX) .* gelu'(Z), dW_1 = dZ Xn2^T, dXn2 = W_1^T dZ.
      g[k + 9] = linalg::mul_nt<T>(ws.dX, t.U);
      ws.dH.resize(4 * d, N);
      linalg::gemm<T>(ws.dH, w[k + 9], true, ws.dX, false, T(1), T(0));
      ws.dH.array() *= t.dU.array();
      g[k + 8] = linalg::mul_nt<T>(ws.dH, t.Xn2);
      linalg::gemm<T>(ws.dXn, w[k + 8], true, ws.dH, false, T(1), T(0));
      layer_norm_backward(t.xhat2, t.rstd2, w[k + 6], ws.dXn, ws.dX, g[k + 6], g[k + 7]);
      // Attention: dW_o = dX O^T, dO = W_o^T dX; per (window, head) dP^T = V^T dO, dV = dO P,
      // dS^T = P^T .* (dP^T - 1 c^T) / sqrt(d_h) with c_q = <P^T e_q, dP^T e_q>, dQ = K dS^T, dK = Q dS.
      g[k + 5] = linalg::mul_nt<T>(ws.dX, t.O);
      ws.dO.resize(d, N);
      linalg::gemm<T>(ws.dO, w[k + 5], true, ws.dX, false, T(1), T(0));
      ws.dQKV.resize(3 * d, N);
      ws.dPt.resize(C_, C_);
      for (long b = 0; b < B; ++b)
        for (long h = 0; h < H_; ++h) {
          const auto Pt = t.Pt.middleCols((b * H_ + h) * C_, C_);
          const auto Q = t.QKV.block(h * dh_, b * C_, dh_, C_), K = t.QKV.block(d + h * dh_, b * C_, dh_, C_);
          const auto V = t.QKV.block(2 * d + h * dh_, b * C_, dh_, C_);
          const auto dOh = ws.dO.block(h * dh_, b * C_, dh_, C_);
          linalg::gemm<T>(ws.dPt, V, true, dOh, false, T(1), T(0));
          linalg::gemm<T>(ws.dQKV.block(2 * d + h * dh_, b * C_, dh_, C_), dOh, false, Pt, true, T(1), T(0));
          for (long q = 0; q < C_; ++q) {
            const T c = Pt.col(q).head(q + 1).dot(ws.dPt.col(q).head(q + 1));
            for (long j = 0; j < C_; ++j) ws.dPt(j, q) = Pt(j, q) * (ws.dPt(j, q) - c) * scale;
          }
          linalg::gemm<T>(ws.dQKV.block(h * dh_, b * C_, dh_, C_), K, false, ws.dPt, false, T(1), T(0));
          linalg::gemm<T>(ws.dQKV.block(d + h * dh_, b * C_, dh_, C_), Q, false, ws.dPt, true, T(1), T(0));
        }
      // dW_{q,k,v} = d{Q,K,V} Xn1^T, dXn1 = [W_q; W_k; W_v]^T dQKV: one product each, stacked.
      ws.dWqkv.resize(3 * d, d);
      linalg::gemm<T>(ws.dWqkv, ws.dQKV, false, t.Xn1, true, T(1), T(0));
      for (size_t i = 0; i < 3; ++i) g[k + 2 + i] = ws.dWqkv.middleRows(long(i) * d, d);
      ws.Wqkv.resize(3 * d, d);
      ws.Wqkv << w[k + 2], w[k + 3], w[k + 4];
      linalg::gemm<T>(ws.dXn, ws.Wqkv, true, ws.dQKV, false, T(1), T(0));
      layer_norm_backward(t.xhat1, t.rstd1, w[k], ws.dXn, ws.dX, g[k], g[k + 1]);
    }
    // Embeddings: dE[x] += dX[:, position], dP[t] += dX[:, position] (accumulated transposed).
    ws.dEt = Mat<T>::Zero(d, V_);
    ws.dPT = Mat<T>::Zero(d, C_);
    for (long b = 0; b < B; ++b)
      for (long t = 0; t < C_; ++t) {
        ws.dEt.col(ids[size_t(starts[size_t(b)] + t)]) += ws.dX.col(b * C_ + t);
        ws.dPT.col(t) += ws.dX.col(b * C_ + t);
      }
    g[0] = ws.dEt.transpose();
    g[1] = ws.dPT.transpose();
  }

  std::shared_ptr<const TextCorpus> corpus_;
  long d_, H_, L_, C_, batch_, n_eval_, n_held_, V_ = 0, dh_ = 1;
  T init_scale_;
  std::vector<BlockSpec> specs_;
  std::vector<long> eval_starts_, held_starts_;
  Activation<T> act_;
  mutable std::mutex mutex_;  // the workspaces below are shared by the const evaluations
  mutable Workspace ws_eval_, ws_batch_;
};

MB_REGISTER_PROBLEM(CharLm);

namespace {
template <class T>
const CharLm<T>& as_char_lm(const Problem<T>& p) {
  const auto* c = dynamic_cast<const CharLm<T>*>(&p);
  if (!c) throw Error("not a char-lm problem");
  return *c;
}
}  // namespace

template <class T>
CharLmWindows char_lm_windows(const Problem<T>& p) {
  return as_char_lm(p).windows();
}
template <class T>
std::vector<long> char_lm_minibatch_starts(const Problem<T>& p, std::uint64_t seed, long step) {
  return as_char_lm(p).minibatch_starts(seed, step);
}
template <class T>
Mat<T> char_lm_position_losses(const Problem<T>& p, const Params<T>& w, const std::vector<long>& starts,
                               const std::vector<int>& ids) {
  return as_char_lm(p).position_losses(w, starts, ids);
}
template CharLmWindows char_lm_windows<MB_SCALAR>(const Problem<MB_SCALAR>&);
template std::vector<long> char_lm_minibatch_starts<MB_SCALAR>(const Problem<MB_SCALAR>&, std::uint64_t, long);
template Mat<MB_SCALAR> char_lm_position_losses<MB_SCALAR>(const Problem<MB_SCALAR>&, const Params<MB_SCALAR>&,
                                                           const std::vector<long>&, const std::vector<int>&);

}  // namespace mb
