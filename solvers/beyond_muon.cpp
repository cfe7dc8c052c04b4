// spectral: the BeyondMuon family (docs/theory.md 2g; Ocram7/BeyondMuon optimizers/sgdw_ns.py,
// adamw_ns.py, spectral_ns.py): a spectral power Psi_p(X) = U Sigma^p V^T, p in [0, 1], of
//   base "momentum" (SGDW_NS):  X = buf,  buf = beta buf + G ("sum", BeyondMuon) or EMA
//   base "adam"     (AdamW_NS): X = m_hat / (sqrt(v_hat) + eps), torch's Adam moments and bias correction
// then W <- W (1 - lr wd);  W <- W - lr * scale * Psi_p(X).
// p = 0 is polar (Muon's exact map), p = 1 the identity (SGD / Adam); delta > 0 regularises:
// Psi_p = X (X^T X + delta I)^((p-1)/2). Computed by SVD or by coupled Newton (power.hpp).
// The shape scale defaults to sqrt(max(1, rows/cols)) for p = 0 and none otherwise, as BeyondMuon.
#include "solvers/matrix_solver.hpp"
#include "solvers/spectral/power.hpp"
#include "solvers/steps/momentum.hpp"

namespace mb {

template <class T>
class SpectralSolver final : public MatrixSolver<T> {
 public:
  static constexpr const char* kName = "spectral";
  static constexpr const char* kSummary =
      "BeyondMuon: W -= lr s U Sigma^p V^T of the momentum (SGDW_NS) or of Adam's m_hat/(sqrt(v_hat)+eps) (AdamW_NS)";
  static constexpr const char* kUpdate =
      "X = buf (buf = beta buf + G) [momentum] or m_hat/(sqrt(v_hat)+eps) [adam]; W *= 1 - lr wd; "
      "W -= lr * s * X (X^T X + delta I)^((p-1)/2)  (SVD or coupled Newton)";
  static constexpr const char* kReference = "docs/theory.md 2g; Ocram7/BeyondMuon optimizers/{spectral_ns,sgdw_ns,adamw_ns}.py";

  explicit SpectralSolver(const json& hyper) : opts_(hyper, std::string("solver '") + kName + "'") {
    opts_.real<double>("p", "0.5", Range::unit_closed(), "spectral power: U Sigma^p V^T (0 polar, 1 identity)");
    cfg_.p = decimal_text(opts_.used()["p"]);
    adam_ = opts_.choice("base", "momentum", {"momentum", "adam"},
                         "what the power is applied to: the momentum buffer (SGDW_NS) or Adam's m_hat/(sqrt(v_hat)+eps)") ==
            "adam";
    cfg_.method = opts_.choice("method", "svd", spectral::power_method_names(), "svd, or coupled Newton (no SVD)");
    opts_.real<double>("delta", "0", Range::nonnegative(), "regulariser: X (X^T X + delta I)^((p-1)/2)");
    cfg_.delta = decimal_text(opts_.used()["delta"]);
    lr_ = opts_.real<T>("lr", "0.02", Range::positive(), "learning rate");
    if (adam_) {
      auto b = opts_.reals<T>("betas", {"0.9", "0.999"}, Range::unit_halfopen(), "(beta1, beta2) of the Adam moments");
      if (b.size() != 2) opts_.fail("betas", "must have exactly two entries");
      b1_ = b[0], b2_ = b[1];
      eps_ = opts_.real<T>("eps", "1e-8", Range::positive(), "m_hat / (sqrt(v_hat) + eps)");
    } else {
      const T mu = opts_.real<T>("momentum", "0.9", Range::unit_halfopen(), "momentum factor beta");
      momentum_ = Momentum<T>::of(choose(opts_, "momentum_kind", MomentumKind::sum,
                                         "sum: buf = beta buf + G (BeyondMuon); ema: buf = beta buf + (1 - beta) G",
                                         {"sum", "ema"}),
                                  mu, EmaForm::weighted);
    }
    common_ = this->read_common(opts_, cfg_.p == "0" ? ShapeScaleKind::original : ShapeScaleKind::none);
    opts_.finish();
    try {
      spectral::validate(cfg_);
    } catch (const Error& e) {
      throw Error(opts_.context() + ": " + e.what());
    }
    map_ = std::make_unique<spectral::SpectralPower<T>>(cfg_);
  }

  json config() const override { return this->config_with_fallback(opts_); }

 protected:
  void init_state(const Params<T>& w0) override {
    m_ = zeros_like<T>(w0);
    v_ = adam_ ? m_ : Params<T>{};
    this->init_fallback(w0);
  }

  void update_matrix(size_t i, Mat<T>& W, const Mat<T>& G) override {
    using std::pow;
    using std::sqrt;
    const Mat<T>* X = &m_[i];
    if (adam_) {  // torch.optim.Adam's moments, bias-corrected (adamw_ns.py)
      torch_ops::lerp_(m_[i], G, T(1) - b1_);
      v_[i] = b2_ * v_[i] + (T(1) - b2_) * G.cwiseProduct(G);
      const T bc1 = T(1) - T(pow(b1_, T(this->t_))), bc2_sqrt = sqrt(T(T(1) - T(pow(b2_, T(this->t_)))));
      x_ = (m_[i] / bc1).array() / ((v_[i].array().sqrt() / bc2_sqrt) + eps_);
      X = &x_;
    } else {
      momentum_.accumulate(m_[i], G, this->t_);
    }
    map_->apply(*X, out_);
    common_.decay(W, lr_);
    W -= common_.step(lr_, W) * out_;
  }

 private:
  Options opts_;
  spectral::PowerConfig cfg_;
  bool adam_ = false;
  T lr_, b1_ = T(0), b2_ = T(0), eps_ = T(1);
  Momentum<T> momentum_;
  MatrixCommon<T> common_;
  std::unique_ptr<spectral::SpectralPower<T>> map_;
  std::vector<Mat<T>> m_, v_;
  Mat<T> x_, out_;
};

MB_REGISTER_SOLVER(SpectralSolver);

}  // namespace mb
