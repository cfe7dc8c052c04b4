// attention: one multi-head softmax attention layer with Q, K, V, O projections, fit to a teacher
// layer of the same shape on random token sequences (docs/theory.md section 3 item 9, generalised to
// H heads and all four projections):
//
//   Y_b = Attn(X_b) (problems/transformer_parts.hpp),  f = 1/(2 n T) sum_b ||Y_b - Y*_b||_F^2,
//   Y*_b = Attn*(X_b) with teacher weights, so f* = 0 at the teacher.
// Backpropagation is written by hand (transformer_parts.hpp). Symmetries: per head,
// (W_Q^h, W_K^h) -> (G W_Q^h, G^-T W_K^h) and (W_V^h, W_O^h) -> (G W_V^h, W_O^h G^-1), G in GL(d_h):
// the Hessian at the teacher has 2 H d_h^2 zero eigenvalues (when there are enough tokens);
// mu, L are the extreme nonzero ones (local).
#include "problems/least_squares_model.hpp"
#include "problems/transformer_parts.hpp"

namespace mb {

template <class T>
class Attention final : public LeastSquaresModel<T> {
 public:
  static constexpr const char* kName = "attention";
  static constexpr const char* kSummary = "multi-head softmax attention (Q, K, V, O) fit to a teacher layer";
  static constexpr const char* kFormula =
      "Y = W_O [softmax_keys(K_h^T Q_h / sqrt(d_h)) applied to V_h]_h, (Q, K, V) = (W_Q, W_K, W_V) X;  "
      "f = 1/(2 n T) sum_b ||Y_b - Y*_b||^2, f* = 0 at the teacher; local mu, L from J^T J "
      "minus the 2 H d_h^2 gauge directions";
  static constexpr const char* kReference = "docs/theory.md section 3 item 9 (multi-head generalisation)";
  static constexpr const char* kTestParams = R"({"d": 4, "heads": 2, "seq_len": 4, "sequences": 4})";

  explicit Attention(const json& params) {
    Options o(params, problem_context(kName));
    att_.d = o.integer("d", 8, 1, 100000, "model dimension d (token vectors)");
    att_.H = o.integer("heads", 2, 1, 100000, "number H of heads");
    const bool divisible = att_.d % att_.H == 0;
    att_.dh = o.integer("head_dim", divisible ? att_.d / att_.H : 1, 1, 100000,
                        "head dimension d_h (default d / heads; required when heads does not divide d)");
    if (!divisible && !o.given("head_dim"))
      o.fail("heads", "must divide d = " + std::to_string(att_.d) + " unless head_dim is given, got " + std::to_string(att_.H));
    att_.T_ = o.integer("seq_len", 8, 1, 100000, "sequence length T");
    att_.n = o.integer("sequences", 8, 1, 100000000, "number n of sequences");
    att_.causal = o.boolean("causal", false, "causal mask: query t sees keys 0..t");
    const long seed = o.integer("seed", 0, 0, 1L << 40, "instance seed (tokens, teacher)");
    init_scale_ = this->finish_options(o, {.init_scale = "1",
                                           .init_scale_doc = "initial weights = init_scale x (teacher's distribution)",
                                           .noise = false, .hessian_constants = true},
                                       {{"the token vectors", double(att_.n) * att_.T_, 3.0 * att_.d},
                                        {"the attention scores", 2.0 * att_.n * att_.H * att_.T_, double(att_.T_)},
                                        {"the weights", 3.0 * att_.d, 4.0 * att_.H * att_.dh}});

    const long hd = att_.H * att_.dh, d = att_.d;
    this->specs_ = {BlockSpec{"W_Q", {hd, d}, att_.H}, BlockSpec{"W_K", {hd, d}, att_.H},
                    BlockSpec{"W_V", {hd, d}, att_.H}, BlockSpec{"W_O", {d, hd}}};
    Rng rng({static_cast<std::uint64_t>(seed), 0x617474ULL});  // "att"
    X_ = rng.normal_matrix<T>(d, att_.n * att_.T_);
    const Params<T> teacher = draw_fan_in(rng, T(1), this->specs_);
    this->target_ = forward(teacher, nullptr);
    this->weight_ = T(1) / T(att_.n * att_.T_);
    this->assumptions_ = {"smooth", "nonconvex", "local PL at the teacher"};
    this->finalize(teacher, "teacher layer of the same shape (zero residual)", "local",
                   "expected 2 H d_h^2 = " + std::to_string(2 * att_.H * att_.dh * att_.dh) +
                       " from the GL(d_h) symmetries of (Q, K) and (V, O) in each head");
  }

  // One layer: W_Q = w[0], W_K = w[1] (separate blocks, head h = rows [h d_h, (h+1) d_h)).
  std::vector<AttentionLayer> attention_layers() const override { return {AttentionLayer{0, 1, att_.H}}; }
  std::vector<std::vector<T>> max_attention_logits(const Params<T>& w) const override {
    return {att_.max_logits(X_, w[0], w[1])};
  }

  Params<T> initial_point(std::uint64_t seed) const override {
    Rng rng({seed, 0x1u});
    return draw_fan_in(rng, init_scale_, this->specs_);
  }

 protected:
  struct AttTape : LeastSquaresModel<T>::Tape {
    typename MultiHeadAttention<T>::Tape att;
  };
  using Tape = typename LeastSquaresModel<T>::Tape;

  Mat<T> forward(const Params<T>& w, std::unique_ptr<Tape>* tape) const override {
    const Mat<T> Wqkv = stack_qkv<T>(w);
    if (!tape) return att_.forward(X_, Wqkv, w[3], nullptr);
    auto t = std::make_unique<AttTape>();
    Mat<T> y = att_.forward(X_, Wqkv, w[3], &t->att);
    *tape = std::move(t);
    return y;
  }

  void backward(const Params<T>& w, const Tape& tape, const Mat<T>& dy, Params<T>& g) const override {
    const auto& t = static_cast<const AttTape&>(tape);
    Mat<T> dWqkv;
    g.resize(4);
    att_.backward(X_, w[3], t.att, dy, dWqkv, g[3]);
    unstack_qkv<T>(dWqkv, g);
  }

 private:
  MultiHeadAttention<T> att_;
  Mat<T> X_;
  T init_scale_;
};

MB_REGISTER_PROBLEM(Attention);

}  // namespace mb
