// matrix-sensing: linear matrix sensing f(W) = 1/(2s) sum_i (<A_i, W> - y_i)^2, y = A(W*)
// (docs/theory.md section 3 item 4).
//
//   grad f = (1/s) sum_i r_i A_i,  f* = 0 at W* (rank r),
//   Hessian H = (1/s) sum_i vec(A_i) vec(A_i)^T (constant): mu = smallest nonzero eigenvalue,
//   L = largest, both global (PL holds on the whole space for a convex quadratic with mu = lambda+_min).
// When s < m n the minimizers form the affine space W* + null(A), of dimension m n - s.
#include "problems/least_squares_model.hpp"
#include "problems/sensing.hpp"

namespace mb {

template <class T>
class MatrixSensing final : public LeastSquaresModel<T> {
 public:
  static constexpr const char* kName = "matrix-sensing";
  static constexpr const char* kSummary = "linear matrix sensing 1/(2s) sum (<A_i, W> - y_i)^2 with a rank-r truth";
  static constexpr const char* kFormula =
      "f(W) = 1/(2s) sum_i (<A_i, W> - y_i)^2, y_i = <A_i, W*>, rank W* = r;  grad f = (1/s) sum_i r_i A_i;  "
      "f* = 0, mu/L = extreme nonzero eigenvalues of (1/s) sum_i vec A_i vec A_i^T";
  static constexpr const char* kReference = "docs/theory.md section 3 item 4";

  explicit MatrixSensing(const json& params) {
    Options o(params, problem_context(kName));
    const long m = o.integer("m", 5, 1, 100000, "rows of W");
    const long n = o.integer("n", 4, 1, 100000, "columns of W");
    const long r = o.integer("rank", 2, 1, std::min(m, n), "rank of the truth W* (at most min(m, n))");
    const long s = o.integer("measurements", 3 * m * n, 1, 100000000, "number s of Gaussian measurements (default 3 m n)");
    const long seed = o.integer("seed", 0, 0, 1L << 40, "instance seed (A_i, W*)");
    init_scale_ = this->finish_options(o, {.init_scale = "1", .init_scale_doc = "W_0 entries ~ N(0, init_scale^2)",
                                           .hessian_constants = true},
                                       {{"the measurement matrices A_i", double(s), double(m) * n},
                                        {"W", double(m), double(n), 3}});

    this->specs_ = {BlockSpec{"W", {m, n}}};
    Rng rng({static_cast<std::uint64_t>(seed), 0x73656e7365ULL});  // "sense"
    op_ = SensingOperator<T>(rng, s, m, n);
    using std::sqrt;
    const Mat<T> Wstar = linalg::mul<T>(rng.normal_matrix<T>(m, r), rng.normal_matrix<T>(r, n)) / T(sqrt(T(r)));
    this->target_ = op_.apply(Wstar);
    this->weight_ = T(1) / T(s);
    this->assumptions_ = {"PL", "L-smooth", "convex", "quadratic"};
    this->finalize(Params<T>{Wstar}, "closed form (y = A(W*), f(W*) = 0)", "global",
                   "null space of the measurement map, dimension max(0, m n - s) generically");
  }

  Params<T> initial_point(std::uint64_t seed) const override {
    Rng rng({seed, 0x1u});
    const auto& b = this->specs_[0];
    return {init_scale_ * rng.normal_matrix<T>(b.rows(), b.cols())};
  }

 protected:
  using Tape = typename LeastSquaresModel<T>::Tape;
  Mat<T> forward(const Params<T>& w, std::unique_ptr<Tape>* tape) const override {
    if (tape) *tape = std::make_unique<Tape>();
    return op_.apply(w[0]);
  }
  void backward(const Params<T>&, const Tape&, const Mat<T>& dy, Params<T>& g) const override {
    g.resize(1);
    g[0] = op_.adjoint(dy);
  }

 private:
  SensingOperator<T> op_;
  T init_scale_;
};

MB_REGISTER_PROBLEM(MatrixSensing);

}  // namespace mb
