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
#include "solvers/torch_ops.hpp"

namespace mb {

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
    norm_ = opts_.choice("norm", "spectral", {"frobenius", "spectral", "linf"}, "the trust-region norm");
    lr_ = opts_.real<T>("lr", "0.02", Range::positive(), "trust-region radius eta");
    mu_ = opts_.real<T>("momentum", "0.95", Range::unit_halfopen(), "beta = 1 - alpha of Kovalev's m = (1-alpha) m + alpha g");
    first_gradient_ = opts_.choice("momentum_init", "zero", {"zero", "first_gradient"},
                                   "zero: m_0 = 0 (as every Muon); first_gradient: m_0 = g_0 (Kovalev's Lemma 3)") ==
                      "first_gradient";
    wd_ = this->read_weight_decay(opts_);
    shape_ = read_shape_scale(opts_, "none");
    this->read_fallback(opts_);
    opts_.finish();
  }

  json config() const override { return this->config_with_fallback(opts_); }

 protected:
  void init_state(const Params<T>& w0) override {
    m_ = zeros_like<T>(w0);
    this->init_fallback(w0);
  }

  void update_matrix(size_t i, Mat<T>& W, const Mat<T>& G) override {
    using std::sqrt;
    Mat<T>& m = m_[i];
    if (first_gradient_ && this->t_ == 1)
      m = G;
    else
      torch_ops::lerp_(m, G, T(1) - mu_);  // (1 - alpha) m + alpha g, in torch's rounding (as muon)
    if (wd_ != T(0)) W *= (T(1) - lr_ * wd_);
    const T step = lr_ * shape_.value<T>(W.rows(), W.cols());
    if (norm_ == "spectral") {
      W -= step * spectral::polar<T>(m);
    } else if (norm_ == "frobenius") {
      const T n = m.norm();
      if (n > T(0)) W -= (step / n) * m;
    } else {
      W -= step * m.unaryExpr([](const T& x) { return T(x > T(0) ? 1 : (x < T(0) ? -1 : 0)); });
    }
  }

 private:
  Options opts_;
  std::string norm_;
  T lr_, mu_, wd_;
  bool first_gradient_ = false;
  ShapeScale shape_;
  std::vector<Mat<T>> m_;
};

MB_REGISTER_SOLVER(TrustRegion);

}  // namespace mb
