// Dion2 (microsoft/dion dion/dion2.py, class Dion2; single device, selection_scope irrelevant):
// orthogonalise only the top-alpha rows (wide or square) or columns (tall) of the momentum,
// chosen by l1 norm, with error-feedback decay on the selected ones. Per matrix (a 3-D [E, m, n]
// parameter is a batch of E matrices there too: flatten = False):
//   M += G
//   rows if m <= n else columns (dion2_update_megabatch_async: select_dim = -2 if rows <= cols)
//   k = max(1, ceil(fraction * count));  S = the k slices of largest l1 norm (torch.topk)
//   U = M_S;  M_S *= ef_decay                                  (dion2_pre_orthogonalize)
//   O = PolarExpress(U): X = U / (1.02 ||U||_F + epsilon), 5 steps of
//       A = X X^T, X <- a X + (b A + c A^2) X  (dion/polar_express.py, in bfloat16)
//   W *= 1 - lr wd;  W_S -= lr sqrt(m/n) O                     (dion2_post_orthogonalize)
// Ties in the l1 norms: torch.topk(sorted=False) leaves the order unspecified; here the lower
// index wins. The order of the selected slices does not matter: NS(P U) = P NS(U) for a
// permutation P of rows (or columns).
#include <algorithm>
#include <cmath>
#include <numeric>

#include "solvers/matrix_solver.hpp"
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
    ns.schedule = opts_.boolean("use_polar_express", true,
                                "Polar Express (5 steps, X/(1.02 ||X||_F + epsilon)); false: zeropower_via_newtonschulz5's "
                                "5-entry list ('you'), X/(||X||_F + epsilon)")
                      ? "polar-express"
                      : "you";
    ns.steps = 5;
    ns.normalization = "frobenius-additive";
    opts_.real<double>("epsilon", "1e-8", Range::positive(), "eps of the Newton-Schulz pre-normalisation");
    ns.eps = decimal_text(opts_.used()["epsilon"]);
    ns.bf16 = opts_.choice("ns_dtype", "bf16", {"bf16", "working"},
                           "Newton-Schulz arithmetic: bf16 (emulated, as the reference) or working (the run's precision)") == "bf16";
    ns.bf16_form = "unfused";  // polar_express.py writes the step out: B = b A + c (A @ A); X = a X + B @ X
    spectral::validate(ns);
    ns_ = std::make_unique<spectral::NewtonSchulz<T>>(ns);
    common_.weight_decay = this->read_weight_decay(opts_, "0.01");
    common_.scale = read_shape_scale(opts_, ShapeScaleKind::spectral).template rule<T>();
    this->read_fallback(opts_);
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
    ns_->apply(U_, O_);
    common_.decay(W, lr_);
    const T step = common_.step(lr_, W);
    for (long j = 0; j < k; ++j) {
      const long s = idx_[static_cast<size_t>(j)];
      if (rows)
        W.row(s) -= step * O_.row(j);
      else
        W.col(s) -= step * O_.col(j);
    }
  }

 private:
  Options opts_;
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
