// nonconvex-pl: f(W) = sum_ij (w_ij^2 + 3 sin^2 w_ij), non-convex but PL (docs/theory.md section 3 item 7;
// Karimi, Nutini & Schmidt 2016).
//
//   grad f = 2W + 3 sin(2W) (entrywise),  f* = 0 at W* = 0.
//   L = 8: f'' = 2 + 6 cos(2w) lies in [-4, 8], so grad f is 8-Lipschitz; ||grad f||^2 <= 16 f.
//   mu = inf_w phi(w), phi = g^2 / (2 f), g = f' (per entry; since f is a sum of identical terms,
//   ||grad f||^2 / (2 f) >= min_ij phi(w_ij)). docs/theory.md gives mu = 0.1755 (checked numerically); here mu is
//   computed in the working precision:
//     phi' = g (2 g' f - g^2) / (2 f^2) and g > 0 for w > 0 (2w + 3 sin 2w = 0 has no positive
//     root), so interior minima are roots of h = 2 g' f - g^2, with h' = 2 g'' f. A scan of
//     phi on (0, 5] brackets them; bisection refines each to the working precision. Beyond w = 5,
//     g >= 2w - 3 and f <= w^2 + 3 give phi >= (2w - 3)^2 / (2 (w^2 + 3)) >= 49/56, far above mu;
//     phi(-w) = phi(w) and phi -> 8 as w -> 0.
#include "harness/problem.hpp"
#include "problems/construct.hpp"

namespace mb {

// The scalar pieces (one entry).
template <class T>
struct NonconvexPLScalar {
  static T f(const T& w) {
    using std::sin;
    const T s = sin(w);
    return w * w + T(3) * s * s;
  }
  static T g(const T& w) {
    using std::sin;
    return T(2) * w + T(3) * T(sin(T(2) * w));
  }
  static T phi(const T& w) {
    const T gw = g(w);
    return gw * gw / (T(2) * f(w));
  }
  static T h(const T& w) {  // 2 g' f - g^2, g' = 2 + 6 cos 2w
    using std::cos;
    const T gw = g(w);
    return T(2) * (T(2) + T(6) * T(cos(T(2) * w))) * f(w) - gw * gw;
  }
  // inf over w != 0 of phi, and where it is attained.
  static std::pair<T, T> mu_and_argmin() {
    const long steps = 500;  // grid spacing 1/100 on (0, 5]
    T best = T(8), arg = T(0);
    T prev = phi(T(1) / T(100)), cur = phi(T(2) / T(100));
    for (long i = 2; i < steps; ++i) {
      const T next = phi(T(i + 1) / T(100));
      if (cur <= prev && cur <= next) {  // a local minimum of the scan: h changes sign on [w-, w+]
        T a = T(i - 1) / T(100), b = T(i + 1) / T(100);
        const bool ha_neg = h(a) < T(0);
        for (int k = 0; k < 400 && b - a > T(0); ++k) {
          const T mid = (a + b) / T(2);
          if (mid <= a || mid >= b) break;
          ((h(mid) < T(0)) == ha_neg ? a : b) = mid;
        }
        const T w = (a + b) / T(2), v = phi(w);
        if (v < best) best = v, arg = w;
      }
      prev = cur;
      cur = next;
    }
    return {best, arg};
  }
};

template <class T>
class NonconvexPL final : public ProblemBase<T> {
 public:
  static constexpr const char* kName = "nonconvex-pl";
  static constexpr const char* kSummary = "sum (w^2 + 3 sin^2 w): non-convex, PL with mu ~ 0.1755, L = 8";
  static constexpr const char* kFormula =
      "f(W) = sum_ij (w_ij^2 + 3 sin^2 w_ij),  grad f = 2W + 3 sin(2W);  f* = 0 at W* = 0, L = 8, "
      "mu = inf_w g(w)^2 / (2 f(w)) ~ 0.1755 (computed in the working precision)";
  static constexpr const char* kReference = "docs/theory.md section 3 item 7";

  explicit NonconvexPL(const json& params) {
    Options o(params, problem_context(kName));
    const long m = o.integer("m", 4, 1, 100000, "rows of W");
    const long n = o.integer("n", 3, 1, 100000, "columns of W");
    init_scale_ = this->finish_options(o, {.init_scale = "3", .init_scale_doc = "W_0 entries ~ N(0, init_scale^2)"},
                                       {{"W", double(m), double(n), 3}});
    specs_ = {BlockSpec{"W", {m, n}}};
    std::tie(mu_, argmin_) = NonconvexPLScalar<T>::mu_and_argmin();
  }

  const std::vector<BlockSpec>& blocks() const override { return specs_; }

  Params<T> initial_point(std::uint64_t seed) const override {
    Rng rng({seed, 0x1u});
    return {init_scale_ * rng.normal_matrix<T>(specs_[0].rows(), specs_[0].cols())};
  }

  T value(const Params<T>& w) const override {
    T s(0);
    for (long i = 0; i < w[0].size(); ++i) s += NonconvexPLScalar<T>::f(w[0](i));
    return s;
  }

  T value_and_gradient(const Params<T>& w, Params<T>& g) const override {
    using std::sin;
    g.resize(1);
    g[0].resize(w[0].rows(), w[0].cols());
    T s(0);
    for (long i = 0; i < w[0].size(); ++i) {
      const T x = w[0](i), sx = sin(x);
      s += x * x + T(3) * sx * sx;
      g[0](i) = T(2) * x + T(3) * T(sin(T(2) * x));
    }
    return s;
  }

  Known<T> known() const override {
    Known<T> k;
    k.f_star = T(0);
    k.f_star_source = "closed form (f(0) = 0, f >= 0)";
    k.mu = mu_;
    k.mu_source = "inf_w g^2/(2f) by a scan of (0, 5] and bisection in the working precision; attained at |w| = " +
                  to_decimal<T>(argmin_);
    k.L = T(8);
    k.L_source = "closed form max |2 + 6 cos 2w|";
    k.assumptions = {"PL", "L-smooth", "nonconvex"};
    return k;
  }

  std::optional<Params<T>> minimizer() const override {
    return Params<T>{Mat<T>::Zero(specs_[0].rows(), specs_[0].cols())};
  }
  std::optional<std::vector<T>> hessian_eigenvalues() const override {
    return std::vector<T>(static_cast<size_t>(specs_[0].size()), T(8));  // f''(0) = 8
  }

 private:
  std::vector<BlockSpec> specs_;
  T init_scale_, mu_, argmin_;
};

MB_REGISTER_PROBLEM(NonconvexPL);

}  // namespace mb
