// quadratic-kron: the Kronecker quadratic f(W) = 1/2 tr((W - W*)^T P (W - W*) Q), P, Q > 0
// (docs/theory.md section 3 item 1).
//
//   grad f = P (W - W*) Q,   Hessian = Q kron P with eigenvalues p_i q_j (the sharp-rate tests
//   of docs/theory.md section 2d use this spectrum), f* = 0 at W*,
//   mu = lambda_min(P) lambda_min(Q),  L = lambda_max(P) lambda_max(Q)   (global, exact).
//
// Instance: P = U_P diag(p) U_P^T, Q = U_Q diag(q) U_Q^T with Haar factors and geometric spectra
// from 1 down to kappa^(-1/2), so L = 1 and mu = 1/kappa to the working precision.
#include "harness/problem.hpp"
#include "problems/construct.hpp"

namespace mb {

template <class T>
class QuadraticKron final : public ProblemBase<T> {
 public:
  static constexpr const char* kName = "quadratic-kron";
  static constexpr const char* kSummary = "Kronecker quadratic 1/2 tr((W-W*)^T P (W-W*) Q): Hessian spectrum eig(P) x eig(Q)";
  static constexpr const char* kFormula =
      "f(W) = 1/2 tr((W - W*)^T P (W - W*) Q),  grad f = P (W - W*) Q;  f* = 0, "
      "mu = lmin(P) lmin(Q), L = lmax(P) lmax(Q), Hessian eigenvalues p_i q_j";
  static constexpr const char* kReference = "docs/theory.md section 3 item 1";

  explicit QuadraticKron(const json& params) {
    Options o(params, problem_context(kName));
    const long m = o.integer("m", 6, 1, 100000, "rows of W (P is m x m)");
    const long n = o.integer("n", 4, 1, 100000, "columns of W (Q is n x n)");
    const T kappa = o.real<T>("kappa", "10", Range::at_least("1"), "condition number L/mu of the Hessian");
    const long seed = o.integer("seed", 0, 0, 1L << 40, "instance seed (P, Q, W*)");
    init_scale_ = this->finish_options(o, {.init_scale = "1",
                                           .init_scale_doc = "W_0 = W* + E, E entries ~ N(0, init_scale^2)"},
                                       {{"P", double(m), double(m)},
                                        {"Q", double(n), double(n)},
                                        {"W", double(m), double(n), 3}});

    specs_ = {BlockSpec{"W", {m, n}}};
    Rng rng({static_cast<std::uint64_t>(seed), 0x6b726f6eULL});  // "kron"
    using std::pow;
    const T lo = T(pow(kappa, -T(1) / T(2)));
    p_ = geometric_spectrum<T>(m, lo);
    q_ = geometric_spectrum<T>(n, lo);
    P_ = random_symmetric<T>(rng, p_);
    Q_ = random_symmetric<T>(rng, q_);
    Wstar_ = rng.normal_matrix<T>(m, n);
  }

  const std::vector<BlockSpec>& blocks() const override { return specs_; }

  Params<T> initial_point(std::uint64_t seed) const override {
    Rng rng({seed, 0x1u});
    return {Wstar_ + init_scale_ * rng.normal_matrix<T>(specs_[0].rows(), specs_[0].cols())};
  }

  T value(const Params<T>& w) const override {
    const Mat<T> e = w[0] - Wstar_;
    return linalg::mul<T>(P_, e).cwiseProduct(linalg::mul<T>(e, Q_)).sum() / T(2);
  }

  T value_and_gradient(const Params<T>& w, Params<T>& g) const override {
    const Mat<T> e = w[0] - Wstar_;
    g.resize(1);
    g[0] = linalg::mul<T>(linalg::mul<T>(P_, e), Q_);
    return e.cwiseProduct(g[0]).sum() / T(2);
  }

  Known<T> known() const override {
    Known<T> k;
    k.f_star = T(0);
    k.f_star_source = "closed form (f(W*) = 0)";
    k.mu = p_(p_.size() - 1) * q_(q_.size() - 1);
    k.mu_source = "closed form lmin(P) lmin(Q)";
    k.L = p_(0) * q_(0);
    k.L_source = "closed form lmax(P) lmax(Q)";
    k.assumptions = {"PL", "L-smooth", "strongly convex", "quadratic"};
    return k;
  }

  std::optional<Params<T>> minimizer() const override { return Params<T>{Wstar_}; }

  std::optional<std::vector<T>> hessian_eigenvalues() const override {
    std::vector<T> ev;
    for (long i = 0; i < p_.size(); ++i)
      for (long j = 0; j < q_.size(); ++j) ev.push_back(p_(i) * q_(j));
    std::sort(ev.begin(), ev.end());
    return ev;
  }

 private:
  std::vector<BlockSpec> specs_;
  Vec<T> p_, q_;
  Mat<T> P_, Q_, Wstar_;
  T init_scale_;
};

MB_REGISTER_PROBLEM(QuadraticKron);

}  // namespace mb
