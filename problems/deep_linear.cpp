// deep-linear: a two-layer linear network f(W1, W2) = 1/2 ||W2 W1 - Y||_F^2
// (docs/theory.md section 3 item 6).
//
//   R = W2 W1 - Y,  grad_W1 = W2^T R,  grad_W2 = R W1^T,  f* = 0 when rank Y <= width.
// Along a trajectory ||grad f||^2 >= 2 (s_min(W2)^2 + s_min(W1)^2) f under full-rank conditions (derivation of this project).
// At the minimizer (W1*, W2*) (teacher factors, padded with zeros when rank Y < width) the GL(h)
// symmetry (W1, W2) -> (G W1, W2 G^-1) gives h^2 zero Hessian eigenvalues; when rank Y = width
// these are all of them, and mu, L are the extreme nonzero eigenvalues of J^T J (local).
#include "problems/least_squares_model.hpp"

namespace mb {

template <class T>
class DeepLinear final : public LeastSquaresModel<T> {
 public:
  static constexpr const char* kName = "deep-linear";
  static constexpr const char* kSummary = "two-layer linear network 1/2||W2 W1 - Y||^2: GL(width) gauge symmetry";
  static constexpr const char* kFormula =
      "f(W1, W2) = 1/2 ||W2 W1 - Y||_F^2, W1: width x d_in, W2: d_out x width;  grad_W1 = W2^T R, grad_W2 = R W1^T "
      "(R = W2 W1 - Y);  f* = 0 (rank Y <= width); local mu, L from J^T J at the teacher when rank Y = width";
  static constexpr const char* kReference = "docs/theory.md section 3 item 6";

  explicit DeepLinear(const json& params) {
    Options o(params, problem_context(kName));
    const long din = o.integer("d_in", 5, 1, 100000, "input dimension (columns of W1 and Y)");
    const long dout = o.integer("d_out", 4, 1, 100000, "output dimension (rows of W2 and Y)");
    const long h = o.integer("width", 3, 1, 100000, "hidden width (rows of W1, columns of W2)");
    const long r = o.integer("rank", std::min({h, din, dout}), 1, std::min({h, din, dout}),
                             "rank of the target Y (at most min(width, d_in, d_out); default that minimum)");
    const long seed = o.integer("seed", 0, 0, 1L << 40, "instance seed (Y)");
    init_scale_ = this->finish_options(o, {.init_scale = "0.5",
                                           .init_scale_doc = "W1_0, W2_0 entries ~ N(0, init_scale^2 / width)",
                                           .hessian_constants = true},
                                       {{"Y", double(dout), double(din)},
                                        {"W1", double(h), double(din), 3},
                                        {"W2", double(dout), double(h), 3}});

    this->specs_ = {BlockSpec{"W1", {h, din}}, BlockSpec{"W2", {dout, h}}};
    Rng rng({static_cast<std::uint64_t>(seed), 0x646c696eULL});  // "dlin"
    using std::pow;
    const T scale = T(pow(T(r), -T(1) / T(4)));  // entries of Y have variance 1
    Mat<T> W1 = Mat<T>::Zero(h, din), W2 = Mat<T>::Zero(dout, h);
    W1.topRows(r) = scale * rng.normal_matrix<T>(r, din);
    W2.leftCols(r) = scale * rng.normal_matrix<T>(dout, r);
    this->target_ = W2 * W1;
    this->weight_ = T(1);
    this->assumptions_ = {"smooth", "nonconvex", "PL along trajectories with mu(t) = s_min(W2)^2 + s_min(W1)^2"};
    if (r < h) this->disable_constants("rank Y < width: the minimizer set is not a manifold near the teacher");
    this->finalize(Params<T>{W1, W2}, "closed form (teacher factors, f = 0)", "local",
                   "expected width^2 = " + std::to_string(h * h) + " from the GL(width) gauge symmetry");
  }

  Params<T> initial_point(std::uint64_t seed) const override {
    Rng rng({seed, 0x1u});
    using std::sqrt;
    const T s = init_scale_ / T(sqrt(T(this->specs_[0].rows())));
    Params<T> w;
    for (const auto& b : this->specs_) w.push_back(s * rng.normal_matrix<T>(b.rows(), b.cols()));
    return w;
  }

 protected:
  using Tape = typename LeastSquaresModel<T>::Tape;
  Mat<T> forward(const Params<T>& w, std::unique_ptr<Tape>* tape) const override {
    if (tape) *tape = std::make_unique<Tape>();
    return linalg::mul<T>(w[1], w[0]);
  }
  void backward(const Params<T>& w, const Tape&, const Mat<T>& dy, Params<T>& g) const override {
    g.resize(2);
    g[0] = linalg::mul_tn<T>(w[1], dy);
    g[1] = linalg::mul_nt<T>(dy, w[0]);
  }

 private:
  T init_scale_;
};

MB_REGISTER_PROBLEM(DeepLinear);

}  // namespace mb
