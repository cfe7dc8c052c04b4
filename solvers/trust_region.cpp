// trust-region: Kovalev's non-Euclidean trust-region method with momentum (docs/theory.md 2f,
// Algorithm 1 as reconstructed there), with R = 0:
//   m <- beta m + (1 - beta) g           (beta = 1 - alpha; m starts at 0, or at g_0 with "first_gradient")
//   W <- argmin {<m, X> : ||X - W|| <= lr} = W - lr * lmo(m)
//   lmo(m) = m / ||m||_F (frobenius: NSGD-M), polar(m) (spectral: Muon), sign(m) (linf: signSGD-M)
// With the spectral norm this is exactly non-Nesterov EMA Muon with the exact polar factor
// (muon-exact with nesterov false, shape_scale none; tests/test_solvers_family.cpp shows it).
// Optional decoupled weight decay W <- W (1 - lr wd) before the step (the practical surrogate of
// Kovalev's weight-decay regime; his proximal R-step is not implemented).
#include "solvers/matrix_solver.hpp"
#include "solvers/spectral/polar.hpp"
#include "solvers/steps/momentum.hpp"

namespace mb {

enum class TrustNorm { frobenius, spectral, linf };
MB_ENUM_NAMES(TrustNorm, "frobenius", "spectral", "linf");

template <class T>
class TrustRegion final : public MatrixSolver<T> {
 public:
  static constexpr const char* kName = "trust-region";
  static constexpr const char* kSummary =
      "Kovalev's trust-region method with momentum: W -= lr * lmo(m) for the Frobenius, spectral or l-infinity ball";
  static constexpr const char* kUpdate =
      "m = beta m + (1-beta) g; W *= 1 - lr wd; W -= lr * s * lmo(m), lmo = m/||m||_F | polar(m) | sign(m)";
  static constexpr const char* kReference = "Kovalev arXiv:2503.12645 (docs/theory.md 2f); spectral = EMA Muon without Nesterov";

  explicit TrustRegion(const json& hyper) : opts_(hyper, std::string("solver '") + kName + "'") {
    norm_ = choose(opts_, "norm", TrustNorm::spectral, "the trust-region norm");
    lr_ = opts_.real<T>("lr", "0.02", Range::positive(), "trust-region radius eta");
    // (1 - alpha) m + alpha g, in torch's rounding (as muon)
    momentum_ = Momentum<T>::ema(opts_.real<T>("momentum", "0.95", Range::unit_halfopen(),
                                               "beta = 1 - alpha of Kovalev's m = (1-alpha) m + alpha g"),
                                 EmaForm::lerp);
    momentum_.first_gradient = opts_.choice("momentum_init", "zero", {"zero", "first_gradient"},
                                            "zero: m_0 = 0 (as every Muon); first_gradient: m_0 = g_0 (Kovalev's Lemma 3)") ==
                               "first_gradient";
    common_ = this->read_common(opts_, ShapeScaleKind::none);
    opts_.finish();
  }

  json config() const override { return this->config_with_fallback(opts_); }

 protected:
  void init_state(const Params<T>& w0) override {
    m_ = zeros_like<T>(w0);
    this->init_fallback(w0);
  }

  void update_matrix(size_t i, Mat<T>& W, const Mat<T>& G) override {
    Mat<T>& m = m_[i];
    momentum_.accumulate(m, G, this->t_);
    common_.decay(W, lr_);
    const T step = common_.step(lr_, W);
    switch (norm_) {
      case TrustNorm::spectral:
        W -= step * spectral::polar<T>(m);
        break;
      case TrustNorm::frobenius: {
        const T n = m.norm();
        if (n > T(0)) W -= (step / n) * m;
        break;
      }
      case TrustNorm::linf:
        W -= step * m.unaryExpr([](const T& x) { return T(x > T(0) ? 1 : (x < T(0) ? -1 : 0)); });
        break;
    }
  }

 private:
  Options opts_;
  TrustNorm norm_ = TrustNorm::spectral;
  T lr_;
  Momentum<T> momentum_;
  MatrixCommon<T> common_;
  std::vector<Mat<T>> m_;
};

MB_REGISTER_SOLVER(TrustRegion);

}  // namespace mb
