// Two baselines of the Muon family (docs/theory.md 2f "Algorithms, stated precisely"):
//   orthogonal-sgdm (Tuddenham et al. 2022): O = polar(G) by SVD, M = mu M + O,
//                   W <- W (1 - lr wd);  W <- W - lr * s * M       (orthogonalise, then average)
//   nsgd-m (Cutkosky & Mehta 2020):      m = beta m + (1 - beta) g,
//                   W <- W (1 - lr wd);  W <- W - lr * s * m / ||m||_F   (no step while m = 0)
// Kovalev's Appendix B: Muon averages before the non-linear map, Orthogonal-SGDM after it
// (the step: solvers/steps/orthogonal_sgdm_step.hpp).
#include "solvers/steps/orthogonal_sgdm_step.hpp"

namespace mb {

template <class T, bool Orthogonal>
class MomentumBaseline : public MatrixSolver<T> {
 public:
  MomentumBaseline(const json& hyper, const char* name) : opts_(hyper, std::string("solver '") + name + "'") {
    lr_ = opts_.real<T>("lr", "0.02", Range::positive(), "learning rate");
    const T mu = opts_.real<T>("momentum", Orthogonal ? "0.9" : "0.95", Range::unit_halfopen(),
                               Orthogonal ? "M = mu M + polar(G)" : "m = beta m + (1 - beta) g");
    common_ = this->read_common(opts_, ShapeScaleKind::none);
    osgdm_ = {Momentum<T>::sum(mu), lr_, common_};
    ema_ = Momentum<T>::ema(mu, EmaForm::weighted);
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
    if constexpr (Orthogonal) {
      osgdm_(W, G, m, this->t_);
    } else {
      common_.decay(W, lr_);
      const T step = common_.step(lr_, W);
      ema_.accumulate(m, G, this->t_);
      const T n = m.norm();
      if (n > T(0)) W -= (step / n) * m;
    }
  }

 private:
  Options opts_;
  T lr_;
  MatrixCommon<T> common_;
  OrthogonalSgdmStep<T> osgdm_;
  Momentum<T> ema_;
  std::vector<Mat<T>> m_;
};

template <class T>
class OrthogonalSgdm final : public MomentumBaseline<T, true> {
 public:
  static constexpr const char* kName = "orthogonal-sgdm";
  static constexpr const char* kSummary = "Orthogonal-SGDM: momentum of the exact polar factors of the gradients";
  static constexpr const char* kUpdate = "M = mu M + polar(G); W *= 1 - lr wd; W -= lr * s * M";
  static constexpr const char* kReference = "Tuddenham et al. 2022; docs/theory.md 2f";
  explicit OrthogonalSgdm(const json& h) : MomentumBaseline<T, true>(h, kName) {}
};

template <class T>
class NsgdM final : public MomentumBaseline<T, false> {
 public:
  static constexpr const char* kName = "nsgd-m";
  static constexpr const char* kSummary = "normalized SGD with EMA momentum: W -= lr m / ||m||_F per matrix block";
  static constexpr const char* kUpdate = "m = beta m + (1-beta) g; W *= 1 - lr wd; W -= lr * s * m / ||m||_F";
  static constexpr const char* kReference = "Cutkosky & Mehta 2020; docs/theory.md 2f";
  explicit NsgdM(const json& h) : MomentumBaseline<T, false>(h, kName) {}
};

MB_REGISTER_SOLVER(OrthogonalSgdm);
MB_REGISTER_SOLVER(NsgdM);

}  // namespace mb
