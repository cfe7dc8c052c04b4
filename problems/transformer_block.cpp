// transformer-block: a pre-norm transformer block fit to a teacher block of the same shape:
//
//   Xh = rms(X),  A = Attn(Xh)  (multi-head softmax attention, problems/transformer_parts.hpp),
//   H1 = X + A,   Hh = rms(H1),  Z = W_1 Hh,  Out = H1 + W_2 act(Z),
//   rms(x) = x / sqrt(mean(x^2) + eps) per token (RMSNorm without gain), act smooth (silu default),
//   f = 1/(2 n T) sum_b ||Out_b - Out*_b||_F^2,  f* = 0 at the teacher.
// Backward, by hand: dW_2 = dOut act(Z)^T, dZ = (W_2^T dOut) .* act'(Z), dW_1 = dZ Hh^T,
// dH1 = dOut + rms'(H1)^T (W_1^T dZ), then the attention backward pass with dA = dH1.
// Symmetries are those of the attention layer (2 H d_h^2 zero Hessian eigenvalues at the teacher);
// mu, L are the extreme nonzero eigenvalues of J^T J there (local).
#include "problems/least_squares_model.hpp"
#include "problems/transformer_parts.hpp"

namespace mb {

template <class T>
class TransformerBlock final : public LeastSquaresModel<T> {
 public:
  static constexpr const char* kName = "transformer-block";
  static constexpr const char* kSummary = "pre-norm transformer block (RMSNorm, multi-head attention, smooth MLP) fit to a teacher";
  static constexpr const char* kFormula =
      "H1 = X + Attn(rms(X)), Out = H1 + W_2 act(W_1 rms(H1)), rms(x) = x / sqrt(mean(x^2) + eps);  "
      "f = 1/(2 n T) sum_b ||Out_b - Out*_b||^2, f* = 0 at the teacher; local mu, L from J^T J";
  static constexpr const char* kReference = "issue 5 family 6; attention as in docs/theory.md section 3 item 9";
  static constexpr const char* kTestParams = R"({"d": 4, "heads": 2, "d_ff": 4, "seq_len": 3, "sequences": 8})";

  explicit TransformerBlock(const json& params) {
    Options o(params, problem_context(kName));
    att_.d = o.integer("d", 8, 1, 100000, "model dimension d");
    att_.H = o.integer("heads", 2, 1, 100000, "number H of heads");
    const bool divisible = att_.d % att_.H == 0;
    att_.dh = o.integer("head_dim", divisible ? att_.d / att_.H : 1, 1, 100000,
                        "head dimension d_h (default d / heads; required when heads does not divide d)");
    if (!divisible && !o.given("head_dim"))
      o.fail("heads", "must divide d = " + std::to_string(att_.d) + " unless head_dim is given, got " + std::to_string(att_.H));
    dff_ = o.integer("d_ff", 4 * att_.d, 1, 1000000, "hidden width of the MLP (default 4 d)");
    att_.T_ = o.integer("seq_len", 8, 1, 100000, "sequence length T");
    att_.n = o.integer("sequences", 16, 1, 100000000, "number n of sequences");
    att_.causal = o.boolean("causal", true, "causal mask: query t sees keys 0..t");
    act_.kind = o.choice("activation", "silu", activation_names(), "MLP activation");
    eps_ = o.real<T>("eps", "1e-6", Range::positive(), "RMSNorm epsilon");
    const long seed = o.integer("seed", 0, 0, 1L << 40, "instance seed (tokens, teacher)");
    init_scale_ = this->finish_options(o, {.init_scale = "1",
                                           .init_scale_doc = "initial weights = init_scale x (teacher's distribution)",
                                           .noise = false, .hessian_constants = true},
                                       {{"the token vectors", double(att_.n) * att_.T_, 6.0 * att_.d},
                                        {"the attention scores", 2.0 * att_.n * att_.H * att_.T_, double(att_.T_)},
                                        {"the MLP activations", 2.0 * att_.n * att_.T_, double(dff_)},
                                        {"the weights", 3.0 * att_.d, 4.0 * att_.H * att_.dh + 2.0 * dff_}});

    const long hd = att_.H * att_.dh, d = att_.d;
    this->specs_ = {BlockSpec{"W_Q", {hd, d}, att_.H}, BlockSpec{"W_K", {hd, d}, att_.H},
                    BlockSpec{"W_V", {hd, d}, att_.H}, BlockSpec{"W_O", {d, hd}},
                    BlockSpec{"W_1", {dff_, d}},       BlockSpec{"W_2", {d, dff_}}};
    Rng rng({static_cast<std::uint64_t>(seed), 0x74626c6bULL});  // "tblk"
    X_ = rng.normal_matrix<T>(d, att_.n * att_.T_);
    Vec<T> r;
    Xh_ = rms_norm<T>(X_, eps_, r);  // the first norm acts on data only: computed once
    const Params<T> teacher = draw_fan_in(rng, T(1), this->specs_);
    this->target_ = forward(teacher, nullptr);
    this->weight_ = T(1) / T(att_.n * att_.T_);
    this->assumptions_ = {"smooth", "nonconvex", "local PL at the teacher"};
    this->finalize(teacher, "teacher block of the same shape (zero residual)", "local",
                   "expected 2 H d_h^2 = " + std::to_string(2 * att_.H * att_.dh * att_.dh) +
                       " from the attention's GL(d_h) symmetries");
  }

  // One layer: W_Q = w[0], W_K = w[1] (separate blocks, head h = rows [h d_h, (h+1) d_h)).
  std::vector<AttentionLayer> attention_layers() const override { return {AttentionLayer{0, 1, att_.H}}; }
  std::vector<std::vector<T>> max_attention_logits(const Params<T>& w) const override {
    return {att_.max_logits(Xh_, w[0], w[1])};  // the attention acts on rms(X)
  }

  Params<T> initial_point(std::uint64_t seed) const override {
    Rng rng({seed, 0x1u});
    return draw_fan_in(rng, init_scale_, this->specs_);
  }

 protected:
  struct BlockTape : LeastSquaresModel<T>::Tape {
    typename MultiHeadAttention<T>::Tape att;
    Mat<T> Hh, U, dact;  // rms(H1), act(Z), act'(Z)
    Vec<T> r;            // RMSNorm factors of H1
  };
  using Tape = typename LeastSquaresModel<T>::Tape;

  Mat<T> forward(const Params<T>& w, std::unique_ptr<Tape>* tape) const override {
    const Mat<T> Wqkv = stack_qkv<T>(w);
    auto owned = tape ? std::make_unique<BlockTape>() : nullptr;
    BlockTape local;
    BlockTape& t = owned ? *owned : local;
    Mat<T> out = att_.forward(Xh_, Wqkv, w[3], tape ? &t.att : nullptr);
    out += X_;                                       // H1
    t.Hh = rms_norm<T>(out, eps_, t.r);
    act_.apply(linalg::mul<T>(w[4], t.Hh), t.U, tape ? &t.dact : nullptr);
    linalg::gemm<T>(out, w[5], false, t.U, false, T(1), T(1));                     // Out = H1 + W_2 act(W_1 rms(H1))
    if (tape) *tape = std::move(owned);
    return out;
  }

  void backward(const Params<T>& w, const Tape& tape, const Mat<T>& dy, Params<T>& g) const override {
    const auto& t = static_cast<const BlockTape&>(tape);
    g.resize(6);
    g[5] = linalg::mul_nt<T>(dy, t.U);
    Mat<T> dZ = linalg::mul_tn<T>(w[5], dy);
    dZ.array() *= t.dact.array();
    g[4] = linalg::mul_nt<T>(dZ, t.Hh);
    const Mat<T> dHh = linalg::mul_tn<T>(w[4], dZ);
    const Mat<T> dH1 = dy + rms_norm_backward<T>(t.Hh, t.r, dHh);
    Mat<T> dWqkv;
    att_.backward(Xh_, w[3], t.att, dH1, dWqkv, g[3]);
    unstack_qkv<T>(dWqkv, g);
  }

 private:
  MultiHeadAttention<T> att_;
  long dff_;
  Activation<T> act_;
  T eps_, init_scale_;
  Mat<T> X_, Xh_;
};

MB_REGISTER_PROBLEM(TransformerBlock);

}  // namespace mb
