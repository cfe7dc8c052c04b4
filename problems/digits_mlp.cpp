// digits-mlp: a 2- or 3-layer perceptron with softmax cross-entropy on the real 8x8 digits images
// that Debian's python3-sklearn ships (problems/digits_data.hpp), in torch's y = W x + b layout:
//
//   A_0 = X (64 x N, pixel / 16),  Z_l = W_l A_{l-1} + b_l 1^T,  A_l = act(Z_l)   (l = 1 .. L-1),
//   S = W_out A_{L-1} + b_out 1^T (10 x N logits),
//   f = (1/N) sum_i [logsumexp(S_i) - S_{y_i, i}]   (nats; shifted by max_a S_ai for stability).
// Backward, by hand (whole-batch products): D = (softmax(S) - Y) / N, dW_out = D A_{L-1}^T,
// db_out = D 1; dZ_l = (W_{l+1}^T dZ_{l+1}) .* act'(Z_l), dW_l = dZ_l A_{l-1}^T, db_l = dZ_l 1.
// Cross-entropy is >= 0 and approaches 0 only as the logits diverge: f* = 0 is a lower bound, never
// attained, so relative targets are fractions of the initial loss. No mu, L.
#include "harness/problem.hpp"
#include "problems/construct.hpp"
#include "problems/digits_data.hpp"

namespace mb {

template <class T>
class DigitsMlp final : public ProblemBase<T> {
 public:
  static constexpr const char* kName = "digits-mlp";
  static constexpr const char* kSummary =
      "MLP (2-3 layers, relu/tanh) with softmax cross-entropy on the 1797 8x8 digits images (python3-sklearn)";
  static constexpr const char* kFormula =
      "A_0 = pixels/16, A_l = act(W_l A_{l-1} + b_l), S = W_out A + b_out;  f = (1/N) sum_i [logsumexp(S_i) - S_{y_i i}] "
      "over the training split (nats);  grad by backpropagation;  f* = 0 lower bound (not attained)";
  static constexpr const char* kReference =
      "issue 18; data: UCI optical recognition of handwritten digits (Alpaydin & Kaynak 1998) as sklearn.datasets.load_digits; "
      "init: torch.nn.Linear";
  static constexpr const char* kTestParams =
      R"({"hidden": 4, "samples": 16, "layers": 3, "activation": "tanh"})";

  explicit DigitsMlp(const json& params) {
    Options o(params, problem_context(kName));
    const json* dir = o.raw("data_dir", digits_default_dir(),
                            "folder holding digits.csv.gz (default: where Debian's python3-sklearn installs it)");
    if (dir && (!dir->is_string() || dir->get<std::string>().empty()))
      o.fail("data_dir", std::string("must be a non-empty string (a folder), got ").append(dir->dump()));
    const std::string data_dir = dir ? dir->get<std::string>() : std::string(digits_default_dir());
    hidden_ = o.integer("hidden", 128, 2, 4096, "hidden width (64..256 realistic; small values for tests)");
    layers_ = o.integer("layers", 2, 2, 3, "number of weight matrices: 2 (64-h-10) or 3 (64-h-h-10)");
    relu_ = o.choice("activation", "relu", {"relu", "tanh"}, "hidden activation") == "relu";
    const double test_fraction = o.real<double>("test_fraction", "0.2", Range::open_unit(),
                                                "fraction of the images held out for testing (rounded up, as sklearn)");
    const long split_seed = o.integer("split_seed", 0, 0, 1L << 40,
                                      "seed of the train/test permutation (independent of the cell seed)");
    const long samples = o.integer("samples", 0, 0, 100000000,
                                   "0: every training image; N > 0: only the first N of the training split (tests)");
    const bool head_to_fallback = o.boolean("head_to_fallback", true,
                                            "W_out goes to a matrix solver's AdamW fallback, as peers treat output heads");
    init_scale_ = this->finish_options(
        o, {.init_scale = "1", .init_scale_doc = "W, b ~ U(-s, s), s = init_scale / sqrt(fan_in) (torch.nn.Linear at 1)"},
        {{"the training images", double(DigitsData::kPixels), 1797},
         {"the activations", double(hidden_), 1797, 3.0 * (layers_ - 1)},
         {"the hidden weights", double(hidden_), double(hidden_), 3.0 * (layers_ - 2)}});

    const auto data = load_digits(data_dir, o.context());
    const DigitsSplit split = split_digits(data->count(), test_fraction, static_cast<std::uint64_t>(split_seed), o.context());
    std::vector<long> train = split.train;
    if (samples > 0 && samples < static_cast<long>(train.size())) train.resize(static_cast<size_t>(samples));
    fill(*data, train, X_, y_);
    fill(*data, split.test, Xtest_, ytest_);

    specs_.push_back(BlockSpec{"W1", {hidden_, DigitsData::kPixels}});
    specs_.push_back(BlockSpec{"b1", {hidden_}});
    if (layers_ == 3) {
      specs_.push_back(BlockSpec{"W2", {hidden_, hidden_}});
      specs_.push_back(BlockSpec{"b2", {hidden_}});
    }
    BlockSpec head{"W_out", {DigitsData::kClasses, hidden_}};
    head.to_fallback = head_to_fallback;
    specs_.push_back(head);
    specs_.push_back(BlockSpec{"b_out", {DigitsData::kClasses}});
  }

  const std::vector<BlockSpec>& blocks() const override { return specs_; }

  // torch.nn.Linear.reset_parameters: kaiming_uniform_(a = sqrt(5)) gives W ~ U(-1/sqrt(fan_in),
  // 1/sqrt(fan_in)), and the bias the same bound; init_scale multiplies both.
  Params<T> initial_point(std::uint64_t seed) const override {
    using std::sqrt;
    Rng rng({seed, 0x6d6c70ULL});  // "mlp"
    Params<T> w;
    for (size_t b = 0; b < specs_.size(); b += 2) {
      const long fan_in = specs_[b].cols();
      const T bound = init_scale_ / T(sqrt(T(fan_in)));
      for (size_t k : {b, b + 1}) {
        Mat<T> m(specs_[k].storage_rows(), specs_[k].cols());
        for (long j = 0; j < m.cols(); ++j)
          for (long i = 0; i < m.rows(); ++i) m(i, j) = T(2 * rng.uniform() - 1) * bound;  // exact in binary64
        w.push_back(std::move(m));
      }
    }
    return w;
  }

  T value(const Params<T>& w) const override {
    Tape t;
    return forward(w, X_, y_, t, false);
  }

  T value_and_gradient(const Params<T>& w, Params<T>& g) const override {
    Tape t;
    const T f = forward(w, X_, y_, t, true);
    backward(w, t, g);
    return f;
  }

  Known<T> known() const override {
    Known<T> k;
    k.f_star = T(0);
    k.f_star_source = "lower bound: cross-entropy >= 0 (not attained); relative targets are fractions of the initial loss";
    k.assumptions = {relu_ ? "piecewise smooth (relu)" : "smooth", "nonconvex"};
    return k;
  }

  // Loss (nats) and accuracy (argmax of the logits, ties to the lower class) on both splits.
  json evaluate(const Params<T>& w) const override {
    json e = json::object();
    for (const bool test : {false, true}) {
      Tape t;
      const std::vector<long>& y = test ? ytest_ : y_;
      const T loss = forward(w, test ? Xtest_ : X_, y, t, false);
      long correct = 0;
      for (long i = 0; i < t.S.cols(); ++i) {
        Eigen::Index best = 0;
        t.S.col(i).maxCoeff(&best);
        correct += best == y[static_cast<size_t>(i)];
      }
      const std::string split = test ? "test" : "train";
      e[split + "_loss"] = to_double<T>(loss);
      e[split + "_accuracy"] = static_cast<double>(correct) / static_cast<double>(y.size());
    }
    return e;
  }

 private:
  struct Tape {
    std::vector<Mat<T>> A;  // A[0] unused (X); A[l] = act(Z_l)
    std::vector<Mat<T>> dact;  // act'(Z_l), kept only for the backward pass
    Mat<T> S;               // logits, overwritten by softmax(S) when kept for the backward pass
  };

  // Mean cross-entropy on the images X with labels y; fills the tape (act' and softmax if `keep`).
  T forward(const Params<T>& w, const Mat<T>& X, const std::vector<long>& y, Tape& t, bool keep) const {
    using std::exp;
    using std::log;
    const long n = X.cols(), hidden_layers = layers_ - 1;
    t.A.assign(static_cast<size_t>(hidden_layers + 1), Mat<T>());
    if (keep) t.dact.assign(static_cast<size_t>(hidden_layers + 1), Mat<T>());
    for (long l = 1; l <= hidden_layers; ++l) {
      const Mat<T>& prev = l == 1 ? X : t.A[static_cast<size_t>(l - 1)];
      Mat<T> Z(hidden_, n);
      Z.colwise() = w[static_cast<size_t>(2 * l - 1)].col(0);  // b_l 1^T, then += W_l A_{l-1}
      linalg::gemm<T>(Z, w[static_cast<size_t>(2 * l - 2)], false, prev, false, T(1), T(1));
      activate(Z, keep ? &t.dact[static_cast<size_t>(l)] : nullptr);
      t.A[static_cast<size_t>(l)] = std::move(Z);
    }
    const size_t out = static_cast<size_t>(2 * hidden_layers);
    t.S.resize(DigitsData::kClasses, n);
    t.S.colwise() = w[out + 1].col(0);
    linalg::gemm<T>(t.S, w[out], false, t.A[static_cast<size_t>(hidden_layers)], false, T(1), T(1));
    // logsumexp per column, shifted by the column's max; the exponentials (softmax numerators)
    // replace S when the backward pass needs softmax(S), after the logits are used.
    T total(0);
    Mat<T> P(keep ? t.S.rows() : 0, keep ? n : 0);
    for (long i = 0; i < n; ++i) {
      const T m = t.S.col(i).maxCoeff();
      T s(0);
      for (long a = 0; a < DigitsData::kClasses; ++a) {
        const T e = T(exp(T(t.S(a, i) - m)));
        s += e;
        if (keep) P(a, i) = e;
      }
      total += (m - t.S(y[static_cast<size_t>(i)], i)) + T(log(s));
      if (keep) P.col(i) /= s;
    }
    if (keep) t.S = std::move(P);
    return total / T(n);
  }

  void backward(const Params<T>& w, Tape& t, Params<T>& g) const {
    const long hidden_layers = layers_ - 1, n = X_.cols();
    g.resize(specs_.size());
    Mat<T> D = std::move(t.S);  // softmax(S)
    for (long i = 0; i < n; ++i) D(y_[static_cast<size_t>(i)], i) -= T(1);
    D /= T(n);  // dS
    for (long l = hidden_layers + 1; l >= 1; --l) {
      const size_t wi = static_cast<size_t>(2 * l - 2);
      const Mat<T>& prev = l == 1 ? X_ : t.A[static_cast<size_t>(l - 1)];
      g[wi] = linalg::mul_nt<T>(D, prev);
      g[wi + 1] = D.rowwise().sum();
      if (l == 1) break;  // no gradient with respect to the images
      Mat<T> dA = linalg::mul_tn<T>(w[wi], D);
      dA.array() *= t.dact[static_cast<size_t>(l - 1)].array();
      D = std::move(dA);
    }
  }

  // Z <- act(Z) entrywise; dz = act'(Z) when asked. relu'(0) = 0 (torch's convention).
  void activate(Mat<T>& Z, Mat<T>* dz) const {
    using std::tanh;
    if (dz) dz->resize(Z.rows(), Z.cols());
    T* z = Z.data();
    T* d = dz ? dz->data() : nullptr;
    const long size = Z.size();
    if (relu_) {
      for (long i = 0; i < size; ++i) {
        const bool on = z[i] > T(0);
        if (!on) z[i] = T(0);
        if (d) d[i] = on ? T(1) : T(0);
      }
    } else {
      for (long i = 0; i < size; ++i) {
        const T a = tanh(z[i]);
        z[i] = a;
        if (d) d[i] = T(1) - a * a;
      }
    }
  }

  // Columns x_i = pixels / 16 (exact in every precision) and labels of the images `which`.
  static void fill(const DigitsData& data, const std::vector<long>& which, Mat<T>& X, std::vector<long>& y) {
    const long n = static_cast<long>(which.size());
    X.resize(DigitsData::kPixels, n);
    y.resize(static_cast<size_t>(n));
    for (long i = 0; i < n; ++i) {
      const size_t s = static_cast<size_t>(which[static_cast<size_t>(i)]);
      for (long p = 0; p < DigitsData::kPixels; ++p)
        X(p, i) = T(static_cast<int>(data.pixels[s * DigitsData::kPixels + static_cast<size_t>(p)])) / T(DigitsData::kMaxPixel);
      y[static_cast<size_t>(i)] = data.labels[s];
    }
  }

  std::vector<BlockSpec> specs_;
  long hidden_ = 128, layers_ = 2;
  bool relu_ = true;
  T init_scale_;
  Mat<T> X_, Xtest_;
  std::vector<long> y_, ytest_;
};

MB_REGISTER_PROBLEM(DigitsMlp);

}  // namespace mb
