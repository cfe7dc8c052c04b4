// plugin-quartic: f(W) = 1/4 sum_ij (w_ij - t_ij)^4 + 1/2 ||W - T||_F^2, a problem plugin.
//   grad f = (W - T).^3 + (W - T);  f* = 0 at W* = T;  Hessian at W*: I (mu = L = 1, local).
// Written exactly as a built-in problem (docs/adding-a-problem.md).
#include <muonbench/plugin.hpp>

#include "problems/construct.hpp"

namespace mb {

template <class T>
class PluginQuartic final : public ProblemBase<T> {
 public:
  static constexpr const char* kName = "plugin-quartic";
  static constexpr const char* kSummary = "a smooth quartic around a random target, from examples/plugin";
  static constexpr const char* kFormula =
      "f(W) = 1/4 sum (w - t)^4 + 1/2 ||W - T||^2, grad f = (W - T).^3 + (W - T); f* = 0, mu = L = 1 (local)";
  static constexpr const char* kReference = "examples/plugin/quartic.cpp";
  static constexpr const char* kTestParams = R"({"m": 3, "n": 2})";

  explicit PluginQuartic(const json& params) {
    Options o(params, problem_context(kName));
    const long m = o.integer("m", 6, 1, 100000, "rows of W");
    const long n = o.integer("n", 4, 1, 100000, "columns of W");
    const long seed = o.integer("seed", 0, 0, 1L << 40, "instance seed (T)");
    init_scale_ = this->finish_options(o, {.init_scale = "1", .init_scale_doc = "W_0 = T + E, E entries ~ N(0, init_scale^2)"},
                                       {{"W", double(m), double(n), 3}});
    specs_ = {BlockSpec{"W", {m, n}}};
    Rng rng({static_cast<std::uint64_t>(seed), 0x706c7567ULL});  // "plug"
    target_ = rng.normal_matrix<T>(m, n);
  }

  const std::vector<BlockSpec>& blocks() const override { return specs_; }
  Params<T> initial_point(std::uint64_t seed) const override {
    Rng rng({seed, 0x1u});
    return {Mat<T>(target_ + init_scale_ * rng.normal_matrix<T>(specs_[0].rows(), specs_[0].cols()))};
  }
  T value(const Params<T>& w) const override {
    const Mat<T> e = w[0] - target_;
    return e.array().square().square().sum() / T(4) + e.squaredNorm() / T(2);
  }
  T value_and_gradient(const Params<T>& w, Params<T>& g) const override {
    const Mat<T> e = w[0] - target_;
    g = {Mat<T>(e.array().cube().matrix() + e)};
    return e.array().square().square().sum() / T(4) + e.squaredNorm() / T(2);
  }
  Known<T> known() const override {
    Known<T> k;
    k.f_star = T(0);
    k.f_star_source = "closed form";
    k.mu = k.L = T(1);
    k.mu_scope = k.L_scope = "local";
    k.mu_source = k.L_source = "the Hessian at W* is the identity";
    k.assumptions = {"smooth", "convex"};
    return k;
  }
  std::optional<Params<T>> minimizer() const override { return Params<T>{target_}; }

 private:
  std::vector<BlockSpec> specs_;
  Mat<T> target_;
  T init_scale_;
};

MB_REGISTER_PROBLEM(PluginQuartic);

}  // namespace mb
