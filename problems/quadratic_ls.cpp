// quadratic-ls: matrix least squares f(W) = 1/2 ||A W B - C||_F^2 (docs/theory.md section 3 item 2).
//
//   grad f = A^T (A W B - C) B^T
//   L  = sigma_max(A)^2 sigma_max(B)^2              (Hessian = (B B^T) kron (A^T A))
//   mu = sigma+_min(A)^2 sigma+_min(B)^2            (PL holds globally (standard))
//   f* = 1/2 ||C - P_A C P_B||^2, P_A = A A^+, P_B = B^+ B, attained at W* = A^+ C B^+.
//
// Instance: A = U_A diag(a) V_A^T (p x m), B = U_B diag(b) V_B^T (n x q) with Haar factors and
// geometric spectra from 1 down to kappa^(-1/4), so L = 1 and mu = 1/kappa exactly (to the working
// precision). C = A W_0 B + residual * E with W_0, E Gaussian, so f* > 0 when p > m or q > n.
#include "harness/problem.hpp"
#include "problems/construct.hpp"

namespace mb {

template <class T>
class QuadraticLS final : public ProblemBase<T> {
 public:
  static constexpr const char* kName = "quadratic-ls";
  static constexpr const char* kSummary = "matrix least squares 1/2||AWB - C||^2: PL with known mu, L, f*";
  static constexpr const char* kFormula =
      "f(W) = 1/2 ||A W B - C||_F^2,  grad f = A^T (A W B - C) B^T;  L = smax(A)^2 smax(B)^2, "
      "mu = s+min(A)^2 s+min(B)^2, f* = 1/2 ||C - P_A C P_B||^2";
  static constexpr const char* kReference = "docs/theory.md section 3 item 2";

  explicit QuadraticLS(const json& params) {
    Options o(params, problem_context(kName));
    const long m = o.integer("m", 6, 1, 100000, "rows of W");
    const long n = o.integer("n", 4, 1, 100000, "columns of W");
    const long p = o.integer("p", 8, 1, 100000, "rows of A (A is p x m)");
    const long q = o.integer("q", 5, 1, 100000, "columns of B (B is n x q)");
    const T kappa = o.real<T>("kappa", "10", Range::at_least("1"), "condition number L/mu");
    const T residual = o.real<T>("residual", "0.1", Range::nonnegative(), "size of the part of C outside range(A) x range(B)");
    const long seed = o.integer("seed", 0, 0, 1L << 40, "instance seed (data)");
    init_scale_ = this->finish_options(o, {.init_scale = "1", .init_scale_doc = "W_0 entries ~ N(0, init_scale^2 / n)"},
                                       {{"A", double(p), double(m)},
                                        {"B", double(n), double(q)},
                                        {"C", double(p), double(q)},
                                        {"W", double(m), double(n), 3}});

    specs_ = {BlockSpec{"W", {m, n}}};
    Rng rng({static_cast<std::uint64_t>(seed), 0x71u});
    using std::pow;
    const T lo = T(pow(kappa, -T(1) / T(4)));
    const long ra = std::min(p, m), rb = std::min(n, q);
    Ua_ = random_orthonormal<T>(rng, p, ra);
    Va_ = random_orthonormal<T>(rng, m, ra);
    Ub_ = random_orthonormal<T>(rng, n, rb);
    Vb_ = random_orthonormal<T>(rng, q, rb);
    a_ = geometric_spectrum<T>(ra, lo);
    b_ = geometric_spectrum<T>(rb, lo);
    A_ = linalg::mul_nt<T>(Ua_ * a_.asDiagonal(), Va_);
    B_ = linalg::mul_nt<T>(Ub_ * b_.asDiagonal(), Vb_);
    const Mat<T> w0 = rng.normal_matrix<T>(m, n);
    C_ = linalg::mul<T>(linalg::mul<T>(A_, w0), B_) + residual * rng.normal_matrix<T>(p, q);
    // W* = A^+ C B^+ = V_A diag(1/a) U_A^T C V_B diag(1/b) U_B^T
    const Mat<T> core = linalg::mul<T>(linalg::mul_tn<T>(Ua_, C_), Vb_);  // U_A^T C V_B
    Wstar_ = linalg::mul_nt<T>(linalg::mul<T>(Va_ * a_.cwiseInverse().asDiagonal(), core) * b_.cwiseInverse().asDiagonal(), Ub_);
    const Mat<T> proj = linalg::mul_nt<T>(linalg::mul<T>(Ua_, core), Vb_);
    fstar_ = (C_ - proj).squaredNorm() / T(2);
    L_ = a_(0) * a_(0) * b_(0) * b_(0);
    mu_ = a_(ra - 1) * a_(ra - 1) * b_(rb - 1) * b_(rb - 1);
  }

  const std::vector<BlockSpec>& blocks() const override { return specs_; }

  Params<T> initial_point(std::uint64_t seed) const override {
    Rng rng({seed, 0x1u});
    using std::sqrt;
    const long n = specs_[0].cols();
    return {rng.normal_matrix<T>(specs_[0].rows(), n) * T(init_scale_ / sqrt(T(n)))};
  }

  T value(const Params<T>& w) const override { return (linalg::mul<T>(linalg::mul<T>(A_, w[0]), B_) - C_).squaredNorm() / T(2); }

  T value_and_gradient(const Params<T>& w, Params<T>& g) const override {
    const Mat<T> r = linalg::mul<T>(linalg::mul<T>(A_, w[0]), B_) - C_;
    g.resize(1);
    g[0] = linalg::mul_nt<T>(linalg::mul_tn<T>(A_, r), B_);
    return r.squaredNorm() / T(2);
  }

  Known<T> known() const override {
    Known<T> k;
    k.f_star = fstar_;
    k.f_star_source = "closed form 1/2||C - P_A C P_B||^2";
    k.mu = mu_;
    k.mu_source = "closed form s+min(A)^2 s+min(B)^2";
    k.L = L_;
    k.L_source = "closed form smax(A)^2 smax(B)^2";
    k.assumptions = {"PL", "L-smooth", "convex", "quadratic"};
    return k;
  }

  std::optional<Params<T>> minimizer() const override { return Params<T>{Wstar_}; }

  // Hessian (B B^T) kron (A^T A) restricted to the row/column spaces: eigenvalues a_i^2 b_j^2.
  std::optional<std::vector<T>> hessian_eigenvalues() const override {
    std::vector<T> ev;
    for (long i = 0; i < a_.size(); ++i)
      for (long j = 0; j < b_.size(); ++j) ev.push_back(a_(i) * a_(i) * b_(j) * b_(j));
    std::sort(ev.begin(), ev.end());
    return ev;
  }

 private:
  std::vector<BlockSpec> specs_;
  Mat<T> Ua_, Va_, Ub_, Vb_, A_, B_, C_, Wstar_;
  Vec<T> a_, b_;
  T fstar_, L_, mu_, init_scale_;
};

MB_REGISTER_PROBLEM(QuadraticLS);

}  // namespace mb
