// Dion (Ahn et al., arXiv 2504.05295): momentum with a rank-r power iteration, QR and error
// feedback, per matrix. The rule of microsoft/dion dion/dion_reference.py (class Dion,
// dion_update + power_iteration + fix_all_zero_or_nan), single device:
//   M += G;  B = M (tall or square) or M^T (wide: reference's is_transposed = m < n)
//   repeat power_iters:  P = orth(B Q);  R = B^T P          (Q: min(m,n) x r, state per matrix)
//   if M == 0:  P = 0, R = Q                                 (fix_all_zero_or_nan)
//   B -= (1 - mu) P R^T                                      (error feedback)
//   Q = R / (||R_:j||_2 + epsilon)                           (column normalisation)
//   W *= 1 - lr wd;  W -= lr sqrt(m/n) P Q^T  (wide: Q P^T)
// orth() is the Householder QR of harness/core/linalg.hpp (diag R > 0). The reference's default
// qr_method 'rcqr' (randomised Cholesky QR) and 'qr' give the same orthonormal basis up to column
// signs, and every output is invariant to those: P -> P D gives R -> R D, Q -> Q D, P Q^T and
// P R^T unchanged, and the next B Q D is again orthonormalised up to signs.
// Initial Q: the reference draws torch.randn (not reproducible here); q_init 'random' draws a
// standard normal Q from muonbench's portable Rng (seed, unit), 'identity' takes the first r
// columns of I (the peer traces inject that Q0 into the reference, tests/peers/record_dion.py).
#include <cmath>

#include "harness/core/linalg.hpp"
#include "harness/core/rng.hpp"
#include "solvers/matrix_solver.hpp"

namespace mb {

enum class DionQInit { random, identity };
MB_ENUM_NAMES(DionQInit, "random", "identity");

template <class T>
class Dion final : public MatrixSolver<T> {
 public:
  static constexpr const char* kName = "dion";
  static constexpr const char* kSummary = "Dion: rank-r power iteration with QR and error feedback (microsoft/dion reference)";
  static constexpr const char* kUpdate =
      "M += G; P = orth(M Q); R = M^T P; M -= (1-mu) P R^T; Q = R/(||R_:j|| + eps); "
      "W *= 1 - lr wd; W -= lr sqrt(m/n) P Q^T  (wide matrices transposed; per expert)";
  static constexpr const char* kReference = "microsoft/dion dion/dion_reference.py (Dion, dion_update); arXiv 2504.05295";

  explicit Dion(const json& h) : opts_(h, solver_context(kName)) {
    lr_ = opts_.real<T>("lr", "0.01", Range::nonnegative(), "base learning rate (scaled by sqrt(fan_out/fan_in))");
    mu_ = opts_.real<T>("mu", "0.95", Range::nonnegative(), "error-feedback momentum: M -= (1 - mu) P R^T");
    rank_fraction_ = opts_.real<double>("rank_fraction", "1", Range{std::string("0"), std::string("1"), true, false},
                                        "r = rank_fraction min(m, n), rounded up to rank_multiple_of, capped at min(m, n)");
    rank_multiple_of_ = opts_.integer("rank_multiple_of", 1, 1, 1L << 30, "round r up to a multiple of this");
    rank_ = opts_.integer("rank", 0, 0, 1L << 30,
                          "absolute rank r = min(rank, m, n) (dion_simple.py's key; 0 = unset, use rank_fraction)");
    if (opts_.given("rank") && rank_ < 1) opts_.fail("rank", "must be >= 1 (dion: 'Invalid rank value'), got 0");
    if (opts_.given("rank") && (opts_.given("rank_fraction") || opts_.given("rank_multiple_of")))
      opts_.fail("rank", "and rank_fraction / rank_multiple_of both given; give one");
    epsilon_ = opts_.real<T>("epsilon", "1e-8", Range::positive(), "column normalisation Q = R / (||R_:j|| + epsilon)");
    power_iters_ = opts_.integer("power_iters", 1, 1, 1000, "power iterations per step");
    q_init_ = choose(opts_, "q_init", DionQInit::random,
                     "initial Q: random (standard normal from seed, as the reference's torch.randn but not its draws) "
                     "or identity (first r columns of I)");
    seed_ = static_cast<std::uint64_t>(opts_.integer("seed", 0, 0, 1L << 62, "seed of q_init random"));
    common_ = this->read_common(opts_, ShapeScaleKind::spectral, "0.01");
    opts_.finish();
    this->per_expert_ = true;
  }

  json config() const override { return this->config_with_fallback(opts_); }

  // The rank a matrix m x n gets (dion_reference.py _init_opt_state_dion).
  long rank_for(long m, long n) const {
    const long s = std::min(m, n);
    if (rank_ > 0) return std::min(rank_, s);
    const double r = rank_fraction_ * static_cast<double>(s);
    const long k = rank_multiple_of_ * static_cast<long>(std::ceil(r / static_cast<double>(rank_multiple_of_)));
    return std::min(k, s);
  }

 protected:
  void init_state(const Params<T>& w0) override {
    const auto& units = this->units();
    m_.assign(units.size(), Mat<T>());
    q_.assign(units.size(), Mat<T>());
    for (size_t u = 0; u < units.size(); ++u) {
      const long m = units[u].rows, n = units[u].cols, s = std::min(m, n), r = rank_for(m, n);
      m_[u] = Mat<T>::Zero(m, n);
      if (q_init_ == DionQInit::identity) {
        q_[u] = Mat<T>::Identity(s, r);
      } else {
        Rng rng({seed_, 0x44696f6eULL, static_cast<std::uint64_t>(u)});
        q_[u] = rng.normal_matrix<T>(s, r);
      }
    }
    this->init_fallback(w0);
  }

  void update_matrix(size_t u, Mat<T>& W, const Mat<T>& G) override {
    using std::sqrt;
    Mat<T>& M = m_[u];
    Mat<T>& Q = q_[u];
    M += G;
    const bool transposed = M.rows() < M.cols();
    if (transposed)
      B_ = M.transpose();
    else
      B_ = M;
    const bool all_zero = (M.array() == T(0)).all();
    if (all_zero) {  // fix_all_zero_or_nan: P = 0, R = Q (the power iteration would give NaN)
      P_ = Mat<T>::Zero(B_.rows(), Q.cols());
      R_ = Q;
    } else {
      R_ = Q;
      for (long it = 0; it < power_iters_; ++it) {
        P_ = linalg::mul<T>(B_, R_);
        P_ = linalg::orthonormal_q<T>(P_);
        R_ = linalg::mul_tn<T>(B_, P_);
      }
    }
    // Error feedback on the (possibly transposed) momentum: B -= (1 - mu) P R^T.
    linalg::gemm<T>(B_, P_, false, R_, true, -(T(1) - mu_), T(1));
    if (transposed)
      M = B_.transpose();
    else
      M = B_;
    for (long j = 0; j < R_.cols(); ++j) Q.col(j) = R_.col(j) / (R_.col(j).norm() + epsilon_);
    common_.decay(W, lr_);
    const T step = common_.step(lr_, W);
    if (transposed)
      linalg::gemm<T>(W, Q, false, P_, true, -step, T(1));
    else
      linalg::gemm<T>(W, P_, false, Q, true, -step, T(1));
  }

 private:
  Options opts_;
  T lr_, mu_, epsilon_;
  double rank_fraction_ = 1;
  long rank_multiple_of_ = 1, rank_ = 0, power_iters_ = 1;
  DionQInit q_init_ = DionQInit::random;
  std::uint64_t seed_ = 0;
  MatrixCommon<T> common_;
  std::vector<Mat<T>> m_, q_;
  Mat<T> B_, P_, R_;  // work matrices
};

MB_REGISTER_SOLVER(Dion);

}  // namespace mb
