// soap: SOAP (ShampoO with Adam in the Preconditioner eigenbasis; Vyas et al. 2024,
// arXiv:2409.11321) as NVIDIA-NeMo/Emerging-Optimizers emerging_optimizers/legacy_soap/soap.py
// (class SOAP) computes it, per matrix (per expert), with its option names and defaults. Step t:
//   sb_t = 1 - (1 - sb) / (1 - sb^t)  (correct_shampoo_beta_bias; else sb)
//   L = lerp(L, G G^T, 1 - sb_t);  R = lerp(R, G^T G, 1 - sb_t)             (update_kronecker_factors)
//   on refresh steps: M <- QL M QR^T; (QL, QR) <- eigh(L), eigh(R) (step 1, or use_eigh) or
//     power_iter_steps of Q <- qr(A Q), columns sorted by diag(Q^T A Q) descending (orthogonal_iteration);
//     M <- QL^T M QR; V (exp_avg_sq) keeps its entries               (update_eigenbasis_and_exp_avgs)
//   weight decay: decoupled W += -wd lr W | independent W += -wd W | l2 G += wd W | palm W += -wd lr^2 W
//   g = QL^T G QR;  M = lerp(M, g, 1-b1);  V = lerp(V, g^2, 1-b2)
//   u = m_hat / (sqrt(V / (1 - b2^t)) + eps),  m_hat = M/(1 - b1^t) or Nesterov
//       b1 M / (1 - b1^(t+1)) + (1 - b1) g / (1 - b1^t)                (calculate_adam_update)
//   U = QL u QR^T;  U *= min(1, max_update_rms / (rms(U) + 1e-7)) if max_update_rms > 0
//   W -= lr s U   (s = adjust_lr, none by default)
// Eigenbases through linalg::sym_eig / linalg::orthonormal_q only. precondition_frequency (default 1
// = the reference, which refreshes every step) is the SOAP paper's option: refresh at t = 1 and
// whenever (t - 1) % f == 0.
#include <algorithm>
#include <numeric>

#include "harness/core/linalg.hpp"
#include "solvers/matrix_solver.hpp"
#include "solvers/torch_ops.hpp"

namespace mb {

enum class SoapDecay { decoupled, independent, l2, palm };
MB_ENUM_NAMES(SoapDecay, "decoupled", "independent", "l2", "palm");

template <class T>
class Soap final : public MatrixSolver<T> {
 public:
  static constexpr const char* kName = "soap";
  static constexpr const char* kSummary = "SOAP: Adam in the eigenbasis of Shampoo's factors (Emerging-Optimizers legacy SOAP)";
  static constexpr const char* kUpdate =
      "L = lerp(L, G G^T, 1-sb_t); R likewise; QL, QR = eigh (step 1, use_eigh) or QR power iteration; "
      "g = QL^T G QR; Adam(g) with m re-projected; W *= decay; W -= lr QL u QR^T";
  static constexpr const char* kReference =
      "NVIDIA-NeMo/Emerging-Optimizers emerging_optimizers/legacy_soap/soap.py (SOAP); Vyas et al. 2024 arXiv:2409.11321";

  explicit Soap(const json& h) : opts_(h, solver_context(kName)) {
    lr_ = opts_.real<T>("lr", "0.003", Range::nonnegative(),
                        "learning rate (the reference requires it; 3e-3 is the SOAP paper's default)");
    auto betas = opts_.reals<T>("betas", {"0.9", "0.95"}, Range::unit_halfopen(), "inner Adam's (beta1, beta2)");
    if (betas.size() != 2) opts_.fail("betas", "must have exactly two entries");
    b1_ = betas[0];
    b2_ = betas[1];
    sb_ = opts_.real<T>("shampoo_beta", "0.95", Range::unit_halfopen(), "EMA of the Kronecker factors L, R");
    eps_ = opts_.real<T>("eps", "1e-8", Range::positive(), "inner Adam's epsilon (added to sqrt(v_hat))");
    decay_ = choose(opts_, "weight_decay_method", SoapDecay::decoupled,
                    "decoupled (W -= wd lr W), independent (W -= wd W), l2 (G += wd W after the factor update), palm (W -= wd lr^2 W)");
    nesterov_ = opts_.boolean("nesterov", false, "Nesterov form of the inner Adam");
    correct_bias_ = opts_.boolean("correct_bias", true, "bias-correct the inner Adam (and, by default, shampoo_beta)");
    correct_sb_ = opts_.boolean("correct_shampoo_beta_bias", correct_bias_,
                                "sb_t = 1 - (1 - sb)/(1 - sb^t) (reference default: correct_bias)");
    use_eigh_ = opts_.boolean("use_eigh", false, "eigh every refresh instead of QR power iteration");
    power_iter_steps_ = opts_.integer("power_iter_steps", 1, 1, 1000, "QR power iterations per refresh");
    max_update_rms_ = opts_.real<T>("max_update_rms", "0", Range::nonnegative(), "clip rms(update) to this (0: off)");
    freq_ = opts_.integer("precondition_frequency", 1, 1, 1000000000,
                          "refresh the eigenbasis at t = 1 and when (t-1) % f == 0 (reference: every step)");
    wd_ = this->read_weight_decay(opts_, "0.01");
    scale_ = read_shape_scale(opts_, ShapeScaleKind::none).template rule<T>();
    this->read_fallback(opts_);
    opts_.finish();
    rms_guard_ = parse_decimal<T>("1e-7", "soap rms guard");
    this->per_expert_ = true;
  }

  json config() const override { return this->config_with_fallback(opts_); }

 protected:
  struct State {
    Mat<T> L, R, QL, QR, M, V;
  };

  void init_state(const Params<T>& w0) override {
    st_.clear();
    for (const MatrixUnit& u : this->units())
      st_.push_back({Mat<T>::Zero(u.rows, u.rows), Mat<T>::Zero(u.cols, u.cols), Mat<T>::Identity(u.rows, u.rows),
                     Mat<T>::Identity(u.cols, u.cols), Mat<T>::Zero(u.rows, u.cols), Mat<T>::Zero(u.rows, u.cols)});
    this->init_fallback(w0);
  }

  void update_matrix(size_t i, Mat<T>& W, const Mat<T>& Graw) override {
    using std::pow;
    using std::sqrt;
    State& s = st_[i];
    const long t = this->t_;
    const T sbt = correct_sb_ ? T(1) - (T(1) - sb_) / (T(1) - T(pow(sb_, T(t)))) : sb_;
    torch_ops::lerp_(s.L, Graw * Graw.transpose(), T(1) - sbt);
    torch_ops::lerp_(s.R, Graw.transpose() * Graw, T(1) - sbt);
    if (t == 1 || (t - 1) % freq_ == 0) {
      m_ = s.QL * s.M * s.QR.transpose();
      refresh(s.L, s.QL, t == 1 || use_eigh_);
      refresh(s.R, s.QR, t == 1 || use_eigh_);
      s.M = s.QL.transpose() * m_ * s.QR;
    }
    g_ = Graw;
    switch (decay_) {
      case SoapDecay::decoupled:
        if (wd_ != T(0)) W += (-wd_ * lr_) * W;
        break;
      case SoapDecay::independent:
        if (wd_ != T(0)) W += (-wd_) * W;
        break;
      case SoapDecay::l2:
        if (wd_ != T(0)) g_ += wd_ * W;
        break;
      case SoapDecay::palm:
        if (wd_ != T(0)) W += (-(wd_ * lr_ * lr_)) * W;
        break;
    }
    gp_ = s.QL.transpose() * g_ * s.QR;
    torch_ops::lerp_(s.M, gp_, T(1) - b1_);
    torch_ops::lerp_(s.V, gp_.cwiseProduct(gp_), T(1) - b2_);
    const T bc1 = correct_bias_ ? T(1) - T(pow(b1_, T(t))) : T(1);
    const T bc2 = correct_bias_ ? T(1) - T(pow(b2_, T(t))) : T(1);
    if (nesterov_) {
      const T bcn = correct_bias_ ? T(1) - T(pow(b1_, T(t + 1))) : T(1);
      m_ = b1_ * s.M / bcn + (T(1) - b1_) * gp_ / bc1;
    } else {
      m_ = s.M / bc1;
    }
    u_ = (m_.array() / ((s.V.array() / bc2).sqrt() + eps_)).matrix();
    m_ = s.QL * u_ * s.QR.transpose();
    if (max_update_rms_ > T(0)) {
      using std::min;
      const T rms = sqrt(m_.squaredNorm() / T(m_.size()));
      m_ *= min(T(1), max_update_rms_ / (rms + rms_guard_));
    }
    W -= (lr_ * scale_(W.rows(), W.cols())) * m_;
  }

 private:
  // Eigenbasis of the symmetric A, eigenvalues descending: eigh (utils/eig.py eigh_with_fallback:
  // torch.linalg.eigh, flipped) or orthogonal_iteration from the current Q.
  void refresh(const Mat<T>& A, Mat<T>& Q, bool eigh) {
    const long n = A.rows();
    if (eigh) {
      const linalg::SymEig<T> e = linalg::sym_eig<T>(A);
      Q = e.vectors.rowwise().reverse();
      return;
    }
    for (long k = 0; k < power_iter_steps_; ++k) Q = linalg::orthonormal_q<T>(A * Q);
    const Mat<T> AQ = A * Q;
    Vec<T> ev(n);
    for (long j = 0; j < n; ++j) ev(j) = Q.col(j).dot(AQ.col(j));
    std::vector<long> idx(static_cast<size_t>(n));
    std::iota(idx.begin(), idx.end(), 0L);
    std::stable_sort(idx.begin(), idx.end(), [&](long a, long b) { return ev(a) > ev(b); });
    sorted_ = Q;
    for (long j = 0; j < n; ++j) Q.col(j) = sorted_.col(idx[static_cast<size_t>(j)]);
  }

  Options opts_;
  T lr_, b1_, b2_, sb_, eps_, wd_, max_update_rms_, rms_guard_;
  SoapDecay decay_ = SoapDecay::decoupled;
  bool nesterov_ = false, correct_bias_ = true, correct_sb_ = true, use_eigh_ = false;
  long power_iter_steps_ = 1, freq_ = 1;
  ShapeRule<T> scale_;
  std::vector<State> st_;
  Mat<T> g_, gp_, m_, u_, sorted_;
};

MB_REGISTER_SOLVER(Soap);

}  // namespace mb
