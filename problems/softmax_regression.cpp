// softmax-regression: multinomial logistic regression with ridge (docs/theory.md section 3 item 8),
//
//   f(W) = (1/n) sum_i [logsumexp(W x_i) - (W x_i)_{y_i}] + (lambda/2) ||W||_F^2,   W: c x d,
//   grad f = (1/n) sum_i (softmax(W x_i) - e_{y_i}) x_i^T + lambda W.
//   mu = lambda (lambda-strongly convex, so PL globally), L = lambda + 1/2 lambda_max(X^T X / n)
//   (the softmax Hessian diag(p) - p p^T is <= I/2) (standard): both global bounds, not tight.
//   f* and W*: Newton's method with Armijo backtracking in the working precision, run at
//   construction until the Newton decrement reaches rounding level (full precision in mp50).
//
// Data: x_i ~ N(0, I_d); labels drawn from a teacher's softmax model softmax(W_t x_i) by the
// Gumbel-max trick, y_i = argmax_a (W_t x_i)_a + G_ia, G = -log(-log U), computed in binary64
// with the project's portable logarithm, so labels are the same in every precision and machine.
#include "harness/problem.hpp"
#include "problems/construct.hpp"

namespace mb {

template <class T>
class SoftmaxRegression final : public ProblemBase<T> {
 public:
  static constexpr const char* kName = "softmax-regression";
  static constexpr const char* kSummary = "ridge softmax regression: strongly convex, f* by Newton's method";
  static constexpr const char* kFormula =
      "f(W) = (1/n) sum_i [logsumexp(W x_i) - (W x_i)_{y_i}] + lambda/2 ||W||^2,  "
      "grad f = (1/n) sum_i (softmax(W x_i) - e_{y_i}) x_i^T + lambda W;  mu = lambda, "
      "L = lambda + lmax(X^T X/n)/2, f* by Newton's method in the working precision";
  static constexpr const char* kReference = "docs/theory.md section 3 item 8";

  explicit SoftmaxRegression(const json& params) {
    Options o(params, problem_context(kName));
    const long c = o.integer("classes", 3, 2, 100000, "number of classes c (rows of W)");
    const long d = o.integer("d", 4, 1, 100000, "feature dimension (columns of W)");
    const long n = o.integer("samples", 40, 1, 100000000, "number n of samples");
    lambda_ = o.real<T>("lambda", "0.1", Range::positive(), "ridge weight lambda (= mu)");
    const double tscale = o.real<double>("teacher_scale", "2", Range::nonnegative(),
                                         "teacher W_t entries ~ N(0, teacher_scale^2 / d): larger is less noisy labels");
    const long seed = o.integer("seed", 0, 0, 1L << 40, "instance seed (x_i, labels)");
    init_scale_ = this->finish_options(o, {.init_scale = "1", .init_scale_doc = "W_0 entries ~ N(0, init_scale^2 / d)"},
                                       {{"the samples X", double(n), double(d)},
                                        {"the logits", double(n), double(c), 2},
                                        {"W", double(c), double(d), 3}});
    specs_ = {BlockSpec{"W", {c, d}}};

    // Data in binary64 first (labels must not depend on the working precision).
    Rng rng({static_cast<std::uint64_t>(seed), 0x736f66746d6178ULL});  // "softmax"
    const Mat<double> Wt = rng.normal_matrix<double>(c, d, tscale / std::sqrt(static_cast<double>(d)));
    const Mat<double> X = rng.normal_matrix<double>(d, n);
    labels_.resize(n);
    for (long i = 0; i < n; ++i) {
      double best = 0;
      for (long a = 0; a < c; ++a) {
        double s = 0;
        for (long j = 0; j < d; ++j) s += Wt(a, j) * X(j, i);
        double u = rng.uniform();
        while (u == 0.0) u = rng.uniform();
        const double score = s - portable_log(-portable_log(u));
        if (a == 0 || score > best) best = score, labels_[i] = a;
      }
    }
    X_ = X.cast<T>();
    using std::sqrt;
    L_ = lambda_ + linalg::sym_eigenvalues<T>(linalg::mul_nt<T>(X_, X_) / T(n)).maxCoeff() / T(2);
    newton();
  }

  const std::vector<BlockSpec>& blocks() const override { return specs_; }

  Params<T> initial_point(std::uint64_t seed) const override {
    Rng rng({seed, 0x1u});
    using std::sqrt;
    const long d = specs_[0].cols();
    return {T(init_scale_ / sqrt(T(d))) * rng.normal_matrix<T>(specs_[0].rows(), d)};
  }

  T value(const Params<T>& w) const override {
    Mat<T> p;
    return probabilities(w[0], p) + lambda_ * w[0].squaredNorm() / T(2);
  }

  T value_and_gradient(const Params<T>& w, Params<T>& g) const override {
    Mat<T> p;
    const T f = probabilities(w[0], p) + lambda_ * w[0].squaredNorm() / T(2);
    for (long i = 0; i < p.cols(); ++i) p(labels_[i], i) -= T(1);
    g.resize(1);
    g[0] = lambda_ * w[0];
    linalg::gemm<T>(g[0], p, false, X_, true, T(1) / T(X_.cols()), T(1));
    return f;
  }

  Known<T> known() const override {
    Known<T> k;
    k.f_star = fstar_;
    k.f_star_source = "Newton's method in the working precision (" + std::to_string(newton_iterations_) +
                      " iterations, final Newton decrement^2/2 = " + to_decimal<T>(decrement_) + ")";
    k.mu = lambda_;
    k.mu_source = "lambda (strong convexity)";
    k.L = L_;
    k.L_source = "lambda + lmax(X^T X / n)/2 (upper bound: diag(p) - p p^T <= I/2)";
    k.assumptions = {"PL", "L-smooth", "strongly convex"};
    return k;
  }

  std::optional<Params<T>> minimizer() const override { return Params<T>{Wstar_}; }
  std::optional<std::vector<T>> hessian_eigenvalues() const override {
    const Vec<T> ev = linalg::sym_eigenvalues<T>(hessian(Wstar_));
    return std::vector<T>(ev.data(), ev.data() + ev.size());
  }

 private:
  // Returns the data term (1/n) sum_i [lse(W x_i) - (W x_i)_{y_i}]; p = softmax(W X) (c x n).
  T probabilities(const Mat<T>& W, Mat<T>& p) const {
    using std::exp;
    using std::log;
    p = linalg::mul<T>(W, X_);
    T loss(0);
    for (long i = 0; i < p.cols(); ++i) {
      const T m = p.col(i).maxCoeff(), zy = p(labels_[i], i);
      T s(0);
      for (long a = 0; a < p.rows(); ++a) s += (p(a, i) = T(exp(T(p(a, i) - m))));
      loss += (m - zy) + T(log(s));  // logsumexp(z) - z_y, shifted by the max for stability
      p.col(i) /= s;
    }
    return loss / T(p.cols());
  }

  // Hessian of f at W in column-major vec(W) order: (1/n) sum_i (diag p_i - p_i p_i^T) kron x_i x_i^T + lambda I.
  Mat<T> hessian(const Mat<T>& W) const {
    Mat<T> p;
    probabilities(W, p);
    const long c = W.rows(), d = W.cols(), n = X_.cols();
    Mat<T> H = Mat<T>::Zero(c * d, c * d);
    for (long i = 0; i < n; ++i) {
      const Mat<T> S = Mat<T>(p.col(i).asDiagonal()) - p.col(i) * p.col(i).transpose();  // c x c
      const Mat<T> xx = X_.col(i) * X_.col(i).transpose();                               // d x d
      for (long j = 0; j < d; ++j)
        for (long k = 0; k < d; ++k) H.block(j * c, k * c, c, c) += xx(j, k) * S;
    }
    H /= T(n);
    H.diagonal().array() += lambda_;
    return H;
  }

  void newton() {
    const long c = specs_[0].rows(), d = specs_[0].cols();
    using std::sqrt;
    const T u = T(std::numeric_limits<T>::epsilon()) / T(2);
    Mat<T> W = Mat<T>::Zero(c, d);
    Params<T> g;
    T f = value_and_gradient({W}, g), previous = f;
    for (newton_iterations_ = 1; newton_iterations_ <= 100; ++newton_iterations_) {
      const Vec<T> gv = Eigen::Map<const Vec<T>>(g[0].data(), c * d);
      const Vec<T> step = -linalg::solve_spd<T>(hessian(W), gv);
      decrement_ = -gv.dot(step) / T(2);  // f - min of the quadratic model
      const Mat<T> dW = Eigen::Map<const Mat<T>>(step.data(), c, d);
      // Armijo backtracking; a full step is taken near the solution (quadratic convergence).
      T t(1), fn(0);
      Params<T> gn;
      for (int k = 0; k < 60; ++k, t /= T(2)) {
        fn = value_and_gradient({W + t * dW}, gn);
        if (fn <= f - t * decrement_ / T(2) || decrement_ <= T(64) * u * f) break;
      }
      W += t * dW;
      g = gn;
      // Converged: the last step was at rounding level, or rounding stopped the quadratic
      // convergence (the decrement no longer halves; happens in float).
      const bool done = decrement_ <= T(64) * u * f || (decrement_ <= T(sqrt(u)) * f && decrement_ > previous / T(2));
      previous = decrement_;
      f = fn;
      if (done) break;
    }
    if (!(decrement_ <= T(sqrt(u)) * f))
      throw NumericalError("problem 'softmax-regression': Newton's method did not converge (decrement^2/2 = " +
                           to_decimal<T>(decrement_) + ")");
    Wstar_ = W;
    fstar_ = value({W});
  }

  std::vector<BlockSpec> specs_;
  Mat<T> X_, Wstar_;
  std::vector<long> labels_;
  T lambda_, L_, fstar_, init_scale_, decrement_;
  long newton_iterations_ = 0;
};

MB_REGISTER_PROBLEM(SoftmaxRegression);

}  // namespace mb
