// mean-field-2layer: a two-layer network of N matrix particles theta_i = (A_i, B_i) in the
// mean-field scaling (docs/theory.md section 2e; section 3 item 11):
//
//   F(theta)(x) = A sigma(B x),  A: d_o x k,  B: k x d,
//   J(rho_N) = R((1/N) sum_i F(theta_i)),  R(y) = 1/2 E_x ||y(x) - y*(x)||^2   (E over n samples),
//   f = J(rho_N) (scale "J") or N J(rho_N) (scale "NJ": the gradient in particle i is then the
//   mean-field force grad V[rho_N](theta_i) of docs/theory.md section 2c, of size independent of N).
//   With r = (1/N) sum_i A_i sigma(B_i X) - Y* and c = scale/n:
//     grad_{A_i} = (c/N) r sigma(B_i X)^T,   grad_{B_i} = (c/N) (sigma'(B_i X) .* A_i^T r) X^T.
// The teacher is y*(x) = (1/M) sum_j A*_j sigma(B*_j x) with M particles; when N >= M the point
// A_i = (N/M) A*_i, B_i = B*_i (i < M), A_i = B_i = 0 (i >= M) has J = 0, so f* = 0.
// Storage: A as an [N, d_o, k] stack and B as an [N, k, d] stack, so the forward pass is two
// GEMMs over all particles: Z = B X ((N k) x n) and Yhat = (1/N) [A_1 ... A_N] sigma(Z).
// Particles: drawn one after another from one stream, so the first N particles of a population
// of any size N_ref >= N are this problem's particles (particles(): the nested-sample coupling).
#include "problems/least_squares_model.hpp"

namespace mb {

template <class T>
class MeanField2Layer final : public LeastSquaresModel<T> {
 public:
  static constexpr const char* kName = "mean-field-2layer";
  static constexpr const char* kSummary = "N matrix particles (A_i, B_i), J(rho_N) = R((1/N) sum A_i sigma(B_i x)) with a teacher";
  static constexpr const char* kFormula =
      "f = s J(rho_N), J = 1/(2n) sum_x ||(1/N) sum_i A_i sigma(B_i x) - y*(x)||^2 (s = 1 or N);  "
      "grad_{A_i} = (s/(nN)) r sigma(B_i X)^T, grad_{B_i} = (s/(nN)) (sigma'(B_i X) .* A_i^T r) X^T;  f* = 0 if N >= M";
  static constexpr const char* kReference = "docs/theory.md section 2e (two-layer network with matrix neurons), section 3 item 11";
  static constexpr const char* kTestParams = R"({"N": 3, "d": 3, "k": 2, "d_o": 2, "samples": 6, "teacher": 2})";

  explicit MeanField2Layer(const json& params) {
    Options o(params, problem_context(kName));
    N_ = o.integer("N", 16, 1, 100000000, "number N of particles");
    population_ = o.integer("population", N_, N_, 1000000000,
                            "size of the reference population whose first N particles these are (>= N; default N)");
    d_ = o.integer("d", 4, 1, 100000, "input dimension d (x ~ N(0, I_d))");
    k_ = o.integer("k", 3, 1, 100000, "hidden width k of one particle (A_i: d_o x k, B_i: k x d)");
    const long dout = o.integer("d_o", 2, 1, 100000, "output dimension d_o");
    const long n = o.integer("samples", 32, 1, 100000000, "number n of input samples (the empirical P_x)");
    const long M = o.integer("teacher", 4, 1, 100000000, "number M of teacher particles");
    act_.kind = o.choice("activation", "tanh", activation_names(), "sigma");
    const std::string scale = o.choice("scale", "J", {"J", "NJ"}, "objective: J(rho_N), or N J(rho_N) (mean-field force)");
    const long seed = o.integer("seed", 0, 0, 1L << 40, "instance seed (samples, teacher)");
    a_scale_ = this->finish_options(o, {.init_scale = "1",
                                        .init_scale_doc = "A_i entries ~ N(0, init_scale^2); B_i entries ~ N(0, 1/d)",
                                        .noise = false},
                                    {{"the hidden activations of all particles", double(n), double(N_) * k_, 2},
                                     {"the particles", double(N_), double(k_) * (d_ + dout), 3},
                                     {"the population", double(population_), double(k_) * (d_ + dout)},
                                     {"the samples", double(n), double(d_ + dout)},
                                     {"the teacher", double(M), double(k_) * (d_ + dout)}});

    this->specs_ = {BlockSpec{"A", {N_, dout, k_}}, BlockSpec{"B", {N_, k_, d_}}};
    Rng rng({static_cast<std::uint64_t>(seed), 0x6d66ULL});  // "mf"
    X_ = rng.normal_matrix<T>(d_, n);
    Mat<T> At(M * dout, k_), Bt(M * k_, d_);
    for (long j = 0; j < M; ++j) draw_particle(rng, At.middleRows(j * dout, dout), Bt.middleRows(j * k_, k_), T(1));
    this->target_ = predict(At, Bt, M, nullptr, nullptr);
    this->weight_ = (scale == "NJ" ? T(N_) : T(1)) / T(n);
    this->assumptions_ = {"smooth", "nonconvex"};
    this->disable_constants("the minimizer set is degenerate (idle particles with A_i = 0)");
    std::optional<Params<T>> wstar;
    if (N_ >= M) {
      Mat<T> A = Mat<T>::Zero(N_ * dout, k_), B = Mat<T>::Zero(N_ * k_, d_);
      A.topRows(M * dout) = (T(N_) / T(M)) * At;
      B.topRows(M * k_) = Bt;
      wstar = Params<T>{A, B};
    }
    this->finalize(wstar, "teacher particles scaled by N/M, the others idle (J = 0)", "local", "");
  }

  Params<T> initial_point(std::uint64_t seed) const override {
    Rng rng({seed, 0x1u});
    const long dout = this->specs_[0].rows();
    Mat<T> A(N_ * dout, k_), B(N_ * k_, d_);
    for (long i = 0; i < N_; ++i) draw_particle(rng, A.middleRows(i * dout, dout), B.middleRows(i * k_, k_), a_scale_);
    return {A, B};
  }

  std::optional<ParticleLayout> particles() const override {
    json ref = this->parameters();
    ref["N"] = population_;
    ref["population"] = population_;
    return ParticleLayout{N_, population_, {"A", "B"}, ref};
  }

 protected:
  struct MFTape : LeastSquaresModel<T>::Tape {
    Mat<T> H, dH, Awide;  // sigma(Z), sigma'(Z) ((N k) x n), [A_1 ... A_N] (d_o x N k)
  };
  using Tape = typename LeastSquaresModel<T>::Tape;

  Mat<T> forward(const Params<T>& w, std::unique_ptr<Tape>* tape) const override {
    if (!tape) return predict(w[0], w[1], N_, nullptr, nullptr);
    auto t = std::make_unique<MFTape>();
    Mat<T> y = predict(w[0], w[1], N_, t.get(), &t->Awide);
    *tape = std::move(t);
    return y;
  }

  void backward(const Params<T>&, const Tape& tape_base, const Mat<T>& dy, Params<T>& g) const override {
    const auto& t = static_cast<const MFTape&>(tape_base);
    const T invN = T(1) / T(N_);
    g.resize(2);
    Mat<T> dAwide(dy.rows(), t.H.rows());                        // d_o x (N k)
    linalg::gemm<T>(dAwide, dy, false, t.H, true, invN, T(0));
    g[0] = wide_to_stack<T>(dAwide, N_);                        // [N, d_o, k]
    Mat<T> dZ(t.Awide.cols(), dy.cols());                        // (N k) x n
    linalg::gemm<T>(dZ, t.Awide, true, dy, false, invN, T(0));
    dZ.array() *= t.dH.array();
    g[1] = linalg::mul_nt<T>(dZ, X_);                            // [N, k, d]
  }

 private:
  // (1/count) sum_i A_i sigma(B_i X) for stacks A ((count d_o) x k), B ((count k) x d).
  Mat<T> predict(const Mat<T>& A, const Mat<T>& B, long count, MFTape* t, Mat<T>* awide_out) const {
    const Mat<T> Z = linalg::mul<T>(B, X_);
    Mat<T> Hlocal;
    Mat<T>& H = t ? t->H : Hlocal;
    act_.apply(Z, H, t ? &t->dH : nullptr);
    Mat<T> Awide = stack_to_wide<T>(A, count);
    Mat<T> y(Awide.rows(), H.cols());
    linalg::gemm<T>(y, Awide, false, H, false, T(1) / T(count), T(0));
    if (awide_out) *awide_out = std::move(Awide);
    return y;
  }

  // One particle: A entries ~ N(0, a_scale^2), B entries ~ N(0, 1/d), drawn in that order.
  template <class BlockA, class BlockB>
  void draw_particle(Rng& rng, BlockA&& A, BlockB&& B, const T& a_scale) const {
    using std::sqrt;
    A = a_scale * rng.normal_matrix<T>(A.rows(), A.cols());
    B = rng.normal_matrix<T>(B.rows(), B.cols()) / T(sqrt(T(d_)));
  }

  long N_, population_, d_, k_;
  Activation<T> act_;
  Mat<T> X_;
  T a_scale_;
};

MB_REGISTER_PROBLEM(MeanField2Layer);

}  // namespace mb
