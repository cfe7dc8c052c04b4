// isotropic: f(W) = 1/2 ||W - W*||_F^2 (docs/theory.md section 3 item 3).
//
//   grad f = W - W*,  f* = 0 at W*,  mu = L = 1 (every Hessian eigenvalue is 1).
// With p(0) = 0 the singular vectors of W - W* freeze under Muon-type flows and each singular
// value follows a scalar ODE: the 1-D multiprecision reference solutions of docs/theory.md section 3 item 3.
#include "harness/problem.hpp"
#include "problems/construct.hpp"

namespace mb {

template <class T>
class Isotropic final : public ProblemBase<T> {
 public:
  static constexpr const char* kName = "isotropic";
  static constexpr const char* kSummary = "isotropic quadratic 1/2||W - W*||^2: mu = L = 1";
  static constexpr const char* kFormula = "f(W) = 1/2 ||W - W*||_F^2,  grad f = W - W*;  f* = 0, mu = L = 1";
  static constexpr const char* kReference = "docs/theory.md section 3 item 3";

  explicit Isotropic(const json& params) {
    Options o(params, problem_context(kName));
    const long m = o.integer("m", 6, 1, 100000, "rows of W");
    const long n = o.integer("n", 4, 1, 100000, "columns of W");
    const T target_scale = o.real<T>("target_scale", "1", Range::nonnegative(), "W* entries ~ N(0, target_scale^2)");
    const long seed = o.integer("seed", 0, 0, 1L << 40, "instance seed (W*)");
    init_scale_ = this->finish_options(o, {.init_scale = "1",
                                           .init_scale_doc = "W_0 = W* + E, E entries ~ N(0, init_scale^2)"},
                                       {{"W", double(m), double(n), 3}});
    specs_ = {BlockSpec{"W", {m, n}}};
    Rng rng({static_cast<std::uint64_t>(seed), 0x69736fULL});  // "iso"
    Wstar_ = target_scale * rng.normal_matrix<T>(m, n);
  }

  const std::vector<BlockSpec>& blocks() const override { return specs_; }

  Params<T> initial_point(std::uint64_t seed) const override {
    Rng rng({seed, 0x1u});
    return {Wstar_ + init_scale_ * rng.normal_matrix<T>(specs_[0].rows(), specs_[0].cols())};
  }

  T value(const Params<T>& w) const override { return (w[0] - Wstar_).squaredNorm() / T(2); }

  T value_and_gradient(const Params<T>& w, Params<T>& g) const override {
    g.resize(1);
    g[0] = w[0] - Wstar_;
    return g[0].squaredNorm() / T(2);
  }

  Known<T> known() const override {
    Known<T> k;
    k.f_star = T(0);
    k.f_star_source = "closed form (f(W*) = 0)";
    k.mu = T(1);
    k.mu_source = "closed form";
    k.L = T(1);
    k.L_source = "closed form";
    k.assumptions = {"PL", "L-smooth", "strongly convex", "quadratic"};
    return k;
  }

  std::optional<Params<T>> minimizer() const override { return Params<T>{Wstar_}; }

  std::optional<std::vector<T>> hessian_eigenvalues() const override {
    return std::vector<T>(static_cast<size_t>(specs_[0].size()), T(1));
  }

 private:
  std::vector<BlockSpec> specs_;
  Mat<T> Wstar_;
  T init_scale_;
};

MB_REGISTER_PROBLEM(Isotropic);

}  // namespace mb
