// muon-reg: regularized Muon (docs/theory.md sections 2a-b). The polar factor of the momentum is
// replaced by the gradient of a smoothed nuclear norm:
//   M <- beta M + (1 - beta) G          (EMA, the mirror-descent form of 2b; "sum": M <- beta M + G)
//   Z  = grad psi_eps(M) = M (M^T M + eps^2 I)^(-1/2) = U diag(s / sqrt(s^2 + eps^2)) V^T   (sqrt)
//      = Proj_{||.||_op <= 1}(M / eps)  = U diag(min(s / eps, 1)) V^T                         (huber)
//   W <- W (1 - lr wd);  W <- W - lr * scale * Z
// As eps -> 0 both tend to polar(M): the step of muon-exact with EMA momentum and no Nesterov.
// The map is not scale-invariant (only eps / ||M|| matters, docs/theory.md 2a "Scaling").
// "eps_form": "eps" (eps enters as eps^2, as above) or "eps2" (the given number is eps^2 itself).
#include "solvers/matrix_solver.hpp"
#include "solvers/spectral/regularized.hpp"
#include "solvers/steps/momentum.hpp"

namespace mb {

enum class RegSmoothing { sqrt, huber };
MB_ENUM_NAMES(RegSmoothing, "sqrt", "huber");
template <>
struct EnumNames<spectral::RegMethod> {
  static const std::vector<std::string>& names() { return spectral::reg_method_names(); }
};

template <class T>
class MuonReg final : public MatrixSolver<T> {
 public:
  static constexpr const char* kName = "muon-reg";
  static constexpr const char* kSummary =
      "regularized Muon: W -= lr s grad psi_eps(M) (smoothed nuclear norm, sqrt or Huber smoothing) of the EMA momentum";
  static constexpr const char* kUpdate =
      "M = beta M + (1-beta) G [ema] or beta M + G [sum]; Z = M (M^T M + eps^2 I)^(-1/2) [sqrt] or "
      "Proj_{||.||op<=1}(M/eps) [huber]; W *= 1 - lr wd; W -= lr * s(shape) * Z";
  static constexpr const char* kReference = "docs/theory.md sections 2a (psi_eps, grad psi_eps, Huber variant) and 2b (mirror form)";

  explicit MuonReg(const json& hyper) : opts_(hyper, std::string("solver '") + kName + "'") {
    lr_ = opts_.real<T>("lr", "0.02", Range::positive(), "learning rate: W <- W - lr s Z");
    const T mu = opts_.real<T>("momentum", "0.95", Range::unit_halfopen(), "momentum factor beta");
    momentum_ = Momentum<T>::of(choose(opts_, "momentum_kind", MomentumKind::ema,
                                       "ema: M = beta M + (1 - beta) G (docs/theory.md 2b); sum: M = beta M + G"),
                                mu, EmaForm::weighted);
    huber_ = choose(opts_, "smoothing", RegSmoothing::sqrt,
                    "sqrt: Z = grad psi_eps(M) = M (M^T M + eps^2 I)^(-1/2); huber: Z = Proj_op(M / eps)") == RegSmoothing::huber;
    eps_ = opts_.real<T>("eps", "0.001", Range::positive(), "smoothing parameter (only eps / ||M|| matters)");
    if (opts_.choice("eps_form", "eps", {"eps", "eps2"}, "eps: the number is eps; eps2: the number is eps^2") == "eps2") {
      using std::sqrt;
      eps_ = sqrt(eps_);
    }
    method_ = choose(opts_, "method", spectral::RegMethod::eig,
                     "sqrt smoothing: eigendecomposition of the smaller Gram matrix, or coupled Newton-Schulz");
    common_ = this->read_common(opts_, ShapeScaleKind::none);
    opts_.finish();
  }

  json config() const override { return this->config_with_fallback(opts_); }

 protected:
  void init_state(const Params<T>& w0) override {
    buf_ = zeros_like<T>(w0);
    this->init_fallback(w0);
  }

  void update_matrix(size_t i, Mat<T>& W, const Mat<T>& G) override {
    Mat<T>& M = buf_[i];
    momentum_.accumulate(M, G, this->t_);
    Z_ = huber_ ? spectral::huber_polar<T>(M, eps_) : spectral::reg_polar<T>(M, eps_, method_);
    common_.decay(W, lr_);
    W -= common_.step(lr_, W) * Z_;
  }

 private:
  Options opts_;
  T lr_, eps_;
  Momentum<T> momentum_;
  bool huber_ = false;
  spectral::RegMethod method_ = spectral::RegMethod::eig;
  MatrixCommon<T> common_;
  std::vector<Mat<T>> buf_;
  Mat<T> Z_;
};

MB_REGISTER_SOLVER(MuonReg);

}  // namespace mb
