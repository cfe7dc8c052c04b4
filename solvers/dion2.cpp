// Dion2 (microsoft/dion dion/dion2.py, class Dion2; single device, selection_scope irrelevant):
// orthogonalise only the top-alpha rows (wide or square) or columns (tall) of the momentum,
// chosen by l1 norm, with error-feedback decay on the selected ones. Per matrix (a 3-D [E, m, n]
// parameter is a batch of E matrices there too: flatten = False):
//   M += G
//   rows if m <= n else columns (dion2_update_megabatch_async: select_dim = -2 if rows <= cols)
//   k = max(1, ceil(fraction * count));  S = the k slices of largest l1 norm (torch.topk)
//   U = M_S;  M_S *= ef_decay                                  (dion2_pre_orthogonalize)
//   O = PolarExpress(U): X = U / (1.02 ||U||_F + epsilon), 5 steps of
//       A = X X^T, X <- a X + (b A + c A^2) X  (dion/polar_express.py, in bfloat16: ns_dtype bf16
//       runs its eager op sequence, pe_bf16 below; checked against PyTorch 2.11 in
//       tests/data/peers/dion2_bf16.json: float32 weights equal bit for bit)
//   W *= 1 - lr wd;  W_S -= lr sqrt(m/n) O                     (dion2_post_orthogonalize)
// Ties in the l1 norms: torch.topk(sorted=False) leaves the order unspecified; here the lower
// index wins. The order of the selected slices does not matter: NS(P U) = P NS(U) for a
// permutation P of rows (or columns).
#include <algorithm>
#include <cmath>
#include <numeric>

#include "solvers/matrix_solver.hpp"
#include "solvers/spectral/bf16.hpp"
#include "solvers/spectral/newton_schulz.hpp"

namespace mb {

template <class T>
class Dion2 final : public MatrixSolver<T> {
 public:
  static constexpr const char* kName = "dion2";
  static constexpr const char* kSummary =
      "Dion2: orthogonalise the top-fraction rows/columns (l1 norm) of the momentum, error-feedback decay on them";
  static constexpr const char* kUpdate =
      "M += G; S = top ceil(fraction n) rows (m <= n) or columns by l1 norm; U = M_S; M_S *= ef_decay; "
      "W *= 1 - lr wd; W_S -= lr sqrt(m/n) PolarExpress(U)  (per expert)";
  static constexpr const char* kReference = "microsoft/dion dion/dion2.py (Dion2), dion/polar_express.py";

  explicit Dion2(const json& h) : opts_(h, solver_context(kName)) {
    lr_ = opts_.real<T>("lr", "0.01", Range::nonnegative(), "base learning rate (scaled per adjust_lr)");
    fraction_ = opts_.real<double>("fraction", "0.25", Range{std::string("0"), std::string("1"), true, false},
                                   "fraction of rows (m <= n) or columns (m > n) orthogonalised per step");
    ef_decay_ = opts_.real<T>("ef_decay", "0.95", Range::nonnegative(), "error-feedback decay of the selected slices");
    spectral::NewtonSchulzConfig ns;
    polar_express_ = opts_.boolean("use_polar_express", true,
                                "Polar Express (5 steps, X/(1.02 ||X||_F + epsilon)); false: zeropower_via_newtonschulz5's "
                                "5-entry list ('you'), X/(||X||_F + epsilon)")
    ;
    ns.schedule = polar_express_ ? "polar-express" : "you";
    ns.steps = 5;
    ns.normalization = "frobenius-additive";
    opts_.real<double>("epsilon", "1e-8", Range::positive(), "eps of the Newton-Schulz pre-normalisation");
    ns.eps = decimal_text(opts_.used()["epsilon"]);
    bf16_ = opts_.choice("ns_dtype", "bf16", {"bf16", "working"},
                           "Newton-Schulz arithmetic: bf16 (emulated, as the reference) or working (the run's precision)") == "bf16";
    spectral::validate(ns);
    ns_ = std::make_unique<spectral::NewtonSchulz<T>>(ns);
    // bf16: polar_express.py's own eager op sequence (pe_bf16 below); Python floats reach the bf16
    // kernels as float32 (opmath): binary64 value, then float32.
    for (const auto& c : ns_->coefficients())
      pe_coeffs_.push_back({static_cast<float>(to_double(c[0])), static_cast<float>(to_double(c[1])),
                            static_cast<float>(to_double(c[2]))});
    pe_eps_ = static_cast<float>(parse_decimal<double>(ns.eps, "epsilon"));
    common_ = this->read_common(opts_, ShapeScaleKind::spectral, "0.01");
    opts_.finish();
    this->per_expert_ = true;
  }

  json config() const override { return this->config_with_fallback(opts_); }

 protected:
  void init_state(const Params<T>& w0) override {
    const auto& units = this->units();
    m_.assign(units.size(), Mat<T>());
    for (size_t u = 0; u < units.size(); ++u) m_[u] = Mat<T>::Zero(units[u].rows, units[u].cols);
    this->init_fallback(w0);
  }

  void update_matrix(size_t u, Mat<T>& W, const Mat<T>& G) override {
    using std::abs;
    Mat<T>& M = m_[u];
    M += G;
    const bool rows = M.rows() <= M.cols();
    const long count = rows ? M.rows() : M.cols();
    const long k = std::min(count, std::max(1L, static_cast<long>(std::ceil(fraction_ * static_cast<double>(count)))));
    norms_.resize(count);
    for (long i = 0; i < count; ++i) norms_[i] = rows ? M.row(i).cwiseAbs().sum() : M.col(i).cwiseAbs().sum();
    idx_.resize(static_cast<size_t>(count));
    std::iota(idx_.begin(), idx_.end(), 0L);
    std::stable_sort(idx_.begin(), idx_.end(), [this](long a, long b) { return norms_[a] > norms_[b]; });
    if (rows)
      U_.resize(k, M.cols());
    else
      U_.resize(M.rows(), k);
    for (long j = 0; j < k; ++j) {
      const long s = idx_[static_cast<size_t>(j)];
      if (rows) {
        U_.row(j) = M.row(s);
        M.row(s) *= ef_decay_;
      } else {
        U_.col(j) = M.col(s);
        M.col(s) *= ef_decay_;
      }
    }
    if (bf16_)
      pe_bf16();
    else
      ns_->apply(U_, O_);
    common_.decay(W, lr_);
    // U_scaled = neg_lr * u, then scatter_add_ (dion2_post_orthogonalize): the product is rounded
    // on its own before the sum (no fused multiply-add: W -= step O would contract to one here).
    O_ *= common_.step(lr_, W);
    for (long j = 0; j < k; ++j) {
      const long s = idx_[static_cast<size_t>(j)];
      if (rows)
        W.row(s) -= O_.row(j);
      else
        W.col(s) -= O_.col(j);
    }
  }

 private:
  // dion/polar_express.py (polar_express) as PyTorch runs it eagerly on bf16 tensors: every op's
  // result rounded to bf16, matmuls from exact bf16 products accumulated in float32 (bf16.hpp),
  // scalars in float32. Unlike newton_schulz.hpp it does not transpose a tall X (A = X^T X,
  // X = a X + X @ B), and it groups c * (A @ A), not (c * A) @ A:
  //   X = bf16(U); X = X / (||X||_F * 1.02 + eps)       (norm, *, +, / each rounded)
  //   A = X X^T; B = b A + c (A A); X = a X + B X        (wide; *, @, + each rounded)
  void pe_bf16() {
    using spectral::bf16::round;
    // zeropower_via_newtonschulz5 (use_polar_express false) transposes a tall X and has no 1.02.
    const bool tall = U_.rows() > U_.cols();
    const bool flip = tall && !polar_express_;  // X = U^T
    Xb_.resize(flip ? U_.cols() : U_.rows(), flip ? U_.rows() : U_.cols());
    for (Eigen::Index j = 0; j < Xb_.cols(); ++j)
      for (Eigen::Index i = 0; i < Xb_.rows(); ++i) Xb_(i, j) = round(static_cast<float>(flip ? U_(j, i) : U_(i, j)));
    const float n = round(Xb_.norm());
    const float d = round((polar_express_ ? round(n * 1.02f) : n) + pe_eps_);
    Xb_ = Xb_.unaryExpr([d](float x) { return round(x / d); });
    for (const auto& c : pe_coeffs_) {
      if (tall && polar_express_)
        Ab_.noalias() = Xb_.transpose() * Xb_;
      else
        Ab_.noalias() = Xb_ * Xb_.transpose();
      spectral::bf16::round_all(Ab_);
      Pb_.noalias() = Ab_ * Ab_;
      const float a = c[0], b = c[1], cc = c[2];
      Bb_ = Ab_.binaryExpr(Pb_, [b, cc](float x, float p) { return round(round(b * x) + round(cc * round(p))); });
      if (tall && polar_express_)
        Pb_.noalias() = Xb_ * Bb_;
      else
        Pb_.noalias() = Bb_ * Xb_;
      Xb_ = Xb_.binaryExpr(Pb_, [a](float x, float p) { return round(round(a * x) + round(p)); });
    }
    O_.resize(U_.rows(), U_.cols());
    for (Eigen::Index j = 0; j < O_.cols(); ++j)
      for (Eigen::Index i = 0; i < O_.rows(); ++i) O_(i, j) = T(flip ? Xb_(j, i) : Xb_(i, j));
  }

  Options opts_;
  bool bf16_ = true, polar_express_ = true;
  std::vector<std::array<float, 3>> pe_coeffs_;
  float pe_eps_ = 0;
  Mat<float> Xb_, Ab_, Pb_, Bb_;  // bf16 work matrices
  T lr_, ef_decay_;
  double fraction_ = 0.25;
  std::unique_ptr<spectral::NewtonSchulz<T>> ns_;
  MatrixCommon<T> common_;
  std::vector<Mat<T>> m_;
  Vec<T> norms_;
  std::vector<long> idx_;
  Mat<T> U_, O_;  // work matrices
};

MB_REGISTER_SOLVER(Dion2);

}  // namespace mb
