// AdaMuon (Si et al., arXiv 2507.11005): Muon on the sign of the Nesterov momentum, then an
// Adam-like elementwise second moment of the orthogonalised matrix and an RMS-matching rescale.
// Read in Chongjie-Si/AdaMuon gpt2/models/optimizers/adamuon.py (AdaMuon.step), every detail:
//   buf.lerp_(g, 1 - momentum);  u = g.lerp(buf, momentum) if nesterov else buf
//   O = NS_jordan x ns_steps(sign(u)), X/(||X||_F + 1e-7), bf16 (zeropower_via_newtonschulz5)
//   v = momentum v + (1 - momentum) O*O        (the SAME factor as the momentum: there is no beta2;
//                                               no bias correction; v.mul_(m).addcmul_(1 - m, O, O))
//   O = O / (sqrt(v) + eps)
//   O *= 0.2 sqrt(min(shape) max(shape)) / (||O||_F + eps)   (= 0.2 sqrt(m n) for a matrix)
//   W *= 1 - lr wd;  W -= lr O                                (wd applied with the unadjusted lr)
// The reference rounds the update to bf16 for its all-gather (update_buffer is bfloat16); that
// communication cast is not emulated. Its 3-D handling (NS batched over experts, but the rescale
// with the whole tensor's norm and 0.2 sqrt(min(shape) max(shape)) of the 3-D shape) is not a
// per-expert rule: here each expert [m, n] is a matrix of its own (per_expert_), as the trace's
// MoE case records it (the reference run on each slice). NVIDIA Emerging-Optimizers'
// adaptive_muon (moment2_method 'adamuon') differs: no sign, lerp EMA with its own beta2, Muon's
// shape scale instead of the 0.2 sqrt(mn)/||.||_F rescale; not offered.
#include "solvers/matrix_solver.hpp"
#include "solvers/spectral/spectral.hpp"
#include "solvers/steps/muon_step.hpp"

namespace mb {

template <class T>
class AdaMuon final : public MatrixSolver<T> {
 public:
  static constexpr const char* kName = "adamuon";
  static constexpr const char* kSummary =
      "AdaMuon: NS(sign(Nesterov momentum)) divided elementwise by sqrt of its EMA second moment, rescaled to RMS 0.2";
  static constexpr const char* kUpdate =
      "u = g.lerp(buf, mu); O = NS(sign(u)); v = mu v + (1-mu) O^2; O = O/(sqrt(v)+eps); "
      "O *= 0.2 sqrt(mn)/(||O||_F+eps); W *= 1 - lr wd; W -= lr s(shape) O  (s = 1 by default)";
  static constexpr const char* kReference = "Chongjie-Si/AdaMuon gpt2/models/optimizers/adamuon.py (AdaMuon); arXiv 2507.11005";

  explicit AdaMuon(const json& h) : opts_(h, solver_context(kName)) {
    this->per_expert_ = true;
    lr_ = opts_.real<T>("lr", "0.02", Range::positive(), "learning rate");
    mu_ = opts_.real<T>("momentum", "0.95", Range::unit_halfopen(),
                        "momentum, and the EMA factor of the second moment v (the reference uses one factor)");
    step_.momentum = Momentum<T>::ema(mu_, EmaForm::lerp);
    step_.nesterov = opts_.boolean("nesterov", true, "u = g.lerp(buf, momentum) instead of buf");
    eps_ = opts_.real<T>("eps", "1e-8", Range::positive(), "O/(sqrt(v) + eps) and 0.2 sqrt(mn)/(||O||_F + eps)");
    spectral::NewtonSchulzConfig ns;
    ns.schedule = "jordan";
    ns.normalization = "frobenius-additive";
    ns.eps = "1e-7";
    ns.bf16_form = "unfused";
    ns.steps = static_cast<int>(opts_.integer("ns_steps", 5, 1, 99, "Newton-Schulz steps"));
    ns.bf16 = opts_.choice("ns_dtype", "bf16", {"bf16", "working"},
                           "Newton-Schulz arithmetic: bf16 (emulated, as the reference) or working (the run's precision)") == "bf16";
    spectral::validate(ns);
    ns_ = std::make_unique<spectral::NewtonSchulz<T>>(ns);
    // The reference applies no shape scale: adjust_lr defaults to none (the 0.2 sqrt(mn) is in the rule).
    common_ = this->read_common(opts_, ShapeScaleKind::none, "0.01");
    opts_.finish();
  }

  json config() const override { return this->config_with_fallback(opts_); }

 protected:
  void init_state(const Params<T>& w0) override {
    buf_.clear();
    v_.clear();
    for (const MatrixUnit& u : this->units()) {
      buf_.push_back(Mat<T>::Zero(u.rows, u.cols));
      v_.push_back(Mat<T>::Zero(u.rows, u.cols));
    }
    this->init_fallback(w0);
  }

  void update_matrix(size_t i, Mat<T>& W, const Mat<T>& G) override {
    using std::sqrt;
    const Mat<T>& u = step_.input(buf_[i], G, this->t_);
    sign_ = u.unaryExpr([](const T& x) { return T(x > T(0) ? 1 : (x < T(0) ? -1 : 0)); });  // torch.sign
    ns_->apply(sign_, O_);
    Mat<T>& v = v_[i];
    const T gain = T(1) - mu_;
    v = (v.array() * mu_ + gain * O_.array() * O_.array()).matrix();  // v.mul_(m).addcmul_(1 - m, O, O)
    O_ = (O_.array() / (v.array().sqrt() + eps_)).matrix();
    const T rms = T(2) / T(10) * sqrt(T(W.rows() * W.cols()));  // 0.2 (min(shape) max(shape))^0.5
    O_ *= T(rms / T(O_.norm() + eps_));
    common_.decay(W, lr_);
    W -= common_.step(lr_, W) * O_;
  }

 private:
  Options opts_;
  T lr_, mu_, eps_;
  MuonStep<T> step_;  // momentum and Nesterov input only
  MatrixCommon<T> common_;
  std::unique_ptr<spectral::NewtonSchulz<T>> ns_;
  std::vector<Mat<T>> buf_, v_;
  Mat<T> sign_, O_;
};

MB_REGISTER_SOLVER(AdaMuon);

}  // namespace mb
