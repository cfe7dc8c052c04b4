// factored-sensing: matrix sensing in the factored (Burer-Monteiro) form
// f(U, V) = 1/(2s) sum_i (<A_i, U V^T> - y_i)^2, y = A(U* V*^T) (docs/theory.md section 3 item 5).
//
//   grad_U f = (1/s) sum_i r_i A_i V,   grad_V f = (1/s) sum_i r_i A_i^T U,   f* = 0 at (U*, V*).
// Gauge symmetry: (U, V) -> (U G, V G^-T), G in GL(r), leaves f unchanged, so the Hessian at a
// minimizer has r^2 zero eigenvalues; mu is the smallest nonzero one and L the largest (local).
#include "problems/least_squares_model.hpp"
#include "problems/sensing.hpp"

namespace mb {

template <class T>
class FactoredSensing final : public LeastSquaresModel<T> {
 public:
  static constexpr const char* kName = "factored-sensing";
  static constexpr const char* kSummary = "factored matrix sensing f(U, V) = 1/(2s) sum (<A_i, U V^T> - y_i)^2: GL(r) gauge symmetry";
  static constexpr const char* kFormula =
      "f(U, V) = 1/(2s) sum_i (<A_i, U V^T> - y_i)^2, y_i = <A_i, U* V*^T>;  grad_U = (1/s) sum r_i A_i V, "
      "grad_V = (1/s) sum r_i A_i^T U;  f* = 0; local mu, L from J^T J at (U*, V*) minus the r^2 gauge directions";
  static constexpr const char* kReference = "docs/theory.md section 3 item 5";

  explicit FactoredSensing(const json& params) {
    Options o(params, problem_context(kName));
    const long m = o.integer("m", 5, 1, 100000, "rows of U V^T (U is m x r)");
    const long n = o.integer("n", 4, 1, 100000, "columns of U V^T (V is n x r)");
    const long r = o.integer("rank", 2, 1, std::min(m, n), "rank r of the factors and of the truth (at most min(m, n))");
    const long s = o.integer("measurements", 3 * m * n, 1, 100000000, "number s of Gaussian measurements (default 3 m n)");
    const long seed = o.integer("seed", 0, 0, 1L << 40, "instance seed (A_i, U*, V*)");
    init_scale_ = this->finish_options(o, {.init_scale = "0.5", .init_scale_doc = "U_0, V_0 entries ~ N(0, init_scale^2)",
                                           .hessian_constants = true},
                                       {{"the measurement matrices A_i", double(s), double(m) * n},
                                        {"U, V", double(m + n), double(r), 3}});

    this->specs_ = {BlockSpec{"U", {m, r}}, BlockSpec{"V", {n, r}}};
    Rng rng({static_cast<std::uint64_t>(seed), 0x666163ULL});  // "fac"
    op_ = SensingOperator<T>(rng, s, m, n);
    using std::pow;
    const T scale = T(pow(T(r), -T(1) / T(4)));  // entries of U* V*^T have variance 1
    const Mat<T> Us = scale * rng.normal_matrix<T>(m, r), Vs = scale * rng.normal_matrix<T>(n, r);
    this->target_ = op_.apply(linalg::mul_nt<T>(Us, Vs));
    this->weight_ = T(1) / T(s);
    this->assumptions_ = {"smooth", "nonconvex", "local PL at the minimizer manifold"};
    this->finalize(Params<T>{Us, Vs}, "closed form (y = A(U* V*^T), f(U*, V*) = 0)", "local",
                   "expected r^2 = " + std::to_string(r * r) + " from the GL(r) gauge symmetry");
  }

  Params<T> initial_point(std::uint64_t seed) const override {
    Rng rng({seed, 0x1u});
    Params<T> w;
    for (const auto& b : this->specs_) w.push_back(init_scale_ * rng.normal_matrix<T>(b.rows(), b.cols()));
    return w;
  }

 protected:
  using Tape = typename LeastSquaresModel<T>::Tape;
  Mat<T> forward(const Params<T>& w, std::unique_ptr<Tape>* tape) const override {
    if (tape) *tape = std::make_unique<Tape>();
    return op_.apply(linalg::mul_nt<T>(w[0], w[1]));
  }
  void backward(const Params<T>& w, const Tape&, const Mat<T>& dy, Params<T>& g) const override {
    const Mat<T> dW = op_.adjoint(dy);  // d f / d(U V^T)
    g.resize(2);
    g[0] = linalg::mul<T>(dW, w[1]);
    g[1] = linalg::mul_tn<T>(dW, w[0]);
  }

 private:
  SensingOperator<T> op_;
  T init_scale_;
};

MB_REGISTER_PROBLEM(FactoredSensing);

}  // namespace mb
