// adam / adamw with PyTorch's exact semantics (torch/optim/adam.py, adamw.py, single-tensor):
//   adam:  g <- g + wd W (L2);       adamw: W <- W (1 - lr wd) (decoupled)
//   m = lerp(m, g, 1 - b1);  v = b2 v + (1 - b2) g^2
//   W <- W - (lr / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)      (eps outside the root)
// Three switches (off by default) cover the other peers' AdamW, used as Muon fallbacks
// (solvers/muon_conventions.cpp):
//   eps_root > 0           optax: denominator sqrt(v / (1 - b2^t) + eps_root) + eps
//   nesterov               optax's Nesterov Adam: m_hat = b1 m / (1 - b1^(t+1)) + (1 - b1) g / (1 - b1^t)
//   eps_placement          "corrected" (torch, optax, Keller: eps added to sqrt(v_hat)) or
//                          "uncorrected" (Moonlight's toy_train.py: W -= lr sqrt(1-b2^t)/(1-b1^t) m/(sqrt(v)+eps))
#include "harness/solver.hpp"
#include "solvers/torch_ops.hpp"

namespace mb {

template <class T, bool Decoupled>
class AdamFamily : public BlockSolver<T> {
 public:
  AdamFamily(const json& hyper, const char* name, const char* wd_default)
      : opts_(hyper, std::string("solver '") + name + "'") {
    opts_.alias("learning_rate", "lr");
    lr_ = opts_.real<T>("lr", "0.001", Range::positive(), "learning rate");
    auto betas = opts_.reals<T>("betas", {"0.9", "0.999"}, Range::unit_halfopen(), "(beta1, beta2)");
    if (betas.size() != 2) opts_.fail("betas", "must have exactly two entries");
    b1_ = betas[0];
    b2_ = betas[1];
    eps_ = opts_.real<T>("eps", "1e-8", Range::positive(), "added to sqrt(v_hat), outside the root");
    wd_ = opts_.real<T>("weight_decay", wd_default, Range::nonnegative(),
                        Decoupled ? "decoupled decay: W <- W (1 - lr wd)" : "L2 penalty: g <- g + wd W");
    eps_root_ = opts_.real<T>("eps_root", "0", Range::nonnegative(), "optax: sqrt(v_hat + eps_root) + eps");
    nesterov_ = opts_.boolean("nesterov", false,
                              "optax's Nesterov form: m_hat = b1 m/(1 - b1^(t+1)) + (1 - b1) g/(1 - b1^t)");
    uncorrected_ = opts_.choice("eps_placement", "corrected", {"corrected", "uncorrected"},
                                "eps added to sqrt(v_hat) (torch, optax) or to sqrt(v) (Moonlight)") == "uncorrected";
    opts_.finish();
  }

  json config() const override { return opts_.used(); }

  void update_block(size_t i, Mat<T>& W, const Mat<T>& Graw) override {
    using std::pow;
    using std::sqrt;
    const Mat<T>* G = &Graw;
    if (wd_ != T(0)) {
      if (Decoupled) {
        W *= (T(1) - lr_ * wd_);
      } else {
        g_ = Graw + wd_ * W;
        G = &g_;
      }
    }
    torch_ops::lerp_(m_[i], *G, T(1) - b1_);
    v_[i] = b2_ * v_[i] + (T(1) - b2_) * G->cwiseProduct(*G);
    // g^2 past the largest finite number (|g| > 1e154 in double) makes sqrt(v) infinite and the
    // step a silent zero: end the run here, naming the cause, as any divergence is.
    if (!all_finite(v_[i]))
      throw NumericalError("adam: the second moment v = b2 v + (1 - b2) g^2 overflowed (|g| up to " +
                           to_decimal<double>(to_double(T(Graw.cwiseAbs().maxCoeff()))) + ")");
    const T bc1 = T(1) - T(pow(b1_, T(this->t_)));
    const T bc2 = T(1) - T(pow(b2_, T(this->t_)));
    const T bc2_sqrt = sqrt(bc2);
    if (!nesterov_ && eps_root_ == T(0) && !uncorrected_) {  // torch.optim's exact arithmetic
      const T step = lr_ / bc1;
      W.array() -= step * m_[i].array() / ((v_[i].array().sqrt() / bc2_sqrt) + eps_);
      return;
    }
    if (nesterov_) {
      const T bc1_next = T(1) - T(pow(b1_, T(this->t_ + 1)));
      mhat_ = (b1_ / bc1_next) * m_[i] + ((T(1) - b1_) / bc1) * (*G);
    } else {
      mhat_ = m_[i] / bc1;
    }
    if (uncorrected_)
      W.array() -= (lr_ * bc2_sqrt) * mhat_.array() / (v_[i].array().sqrt() + eps_);
    else
      W.array() -= lr_ * mhat_.array() / ((v_[i].array() / bc2 + eps_root_).sqrt() + eps_);
  }

 protected:
  void init_state(const Params<T>& w0) override {
    m_ = zeros_like<T>(w0);
    v_ = m_;
  }

 private:
  Options opts_;
  T lr_, b1_, b2_, eps_, wd_, eps_root_;
  bool nesterov_ = false, uncorrected_ = false;
  std::vector<Mat<T>> m_, v_;
  Mat<T> g_, mhat_;
};

template <class T>
class Adam final : public AdamFamily<T, false> {
 public:
  static constexpr const char* kName = "adam";
  static constexpr const char* kSummary = "Adam (torch.optim.Adam semantics: bias correction, eps outside sqrt, L2 decay)";
  static constexpr const char* kUpdate =
      "m = lerp(m, g, 1-b1); v = b2 v + (1-b2) g^2; W -= lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps)";
  static constexpr const char* kReference = "torch/optim/adam.py (PyTorch 2.x); Kingma & Ba 2015";
  explicit Adam(const json& h) : AdamFamily<T, false>(h, kName, "0") {}
};

template <class T>
class AdamW final : public AdamFamily<T, true> {
 public:
  static constexpr const char* kName = "adamw";
  static constexpr const char* kSummary = "AdamW (torch.optim.AdamW semantics: decoupled decay lr*wd)";
  static constexpr const char* kUpdate =
      "W *= 1 - lr wd; m = lerp(m, g, 1-b1); v = b2 v + (1-b2) g^2; W -= lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps)";
  static constexpr const char* kReference = "torch/optim/adamw.py (PyTorch 2.x); Loshchilov & Hutter 2019";
  explicit AdamW(const json& h) : AdamFamily<T, true>(h, kName, "0.01") {}
};

MB_REGISTER_SOLVER(Adam);
MB_REGISTER_SOLVER(AdamW);

}  // namespace mb
