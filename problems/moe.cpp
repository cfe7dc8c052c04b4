// moe: a smooth mixture of E matrix experts with a softmax gate, fit to a teacher of the same
// architecture (f* = 0 at the teacher). Two forms (parameter `form`):
//
// "gate" (docs/theory.md section 3 item 10): blocks A [E, d_o, d] (linear experts), C [E, d] (gate rows)
//   yhat_i = sum_j g_ij A_j x_i,  g_i = softmax(C x_i),  f = 1/(2n) sum_i ||yhat_i - y_i||^2,
//   grad_{A_j} = (1/n) sum_i g_ij r_i x_i^T,  dz_ij = (1/n) g_ij <r_i, A_j x_i - yhat_i>,  grad_C = dz X^T.
// "feature-map" (docs/theory.md section 2e, the Hilbert-valued form): blocks A [E, d_o, k], B [E, k, d],
//   C [E, d]; expert j is E_j(x) = A_j sigma(B_j x) and particle j maps to
//   F(theta_j)(x) = (e^{<c_j,x>} E_j(x), e^{<c_j,x>}) in H = L^2(R^{d_o + 1}); with the mean
//   (Num, Den) = (1/E) sum_j F(theta_j), R(Num, Den) = 1/(2n) sum_x ||Num(x)/Den(x) - y*(x)||^2.
//   The gradient goes through R literally: dR/dNum = r/Den, dR/dDen = -<r, yhat>/Den. Both Num and
//   Den are evaluated with the factor e^{-max_j <c_j,x>} (their ratio, hence f and its gradient,
//   does not depend on it), which keeps the exponentials finite.
// Symmetry: C -> C + 1 c^T (the gate is shift invariant), so the Hessian at the teacher has d zero
// eigenvalues; mu is the smallest nonzero one, L the largest (local).
#include "problems/least_squares_model.hpp"

namespace mb {

template <class T>
class MixtureOfExperts final : public LeastSquaresModel<T> {
 public:
  static constexpr const char* kName = "moe";
  static constexpr const char* kSummary = "softmax-gated mixture of matrix experts [E, m, n] + gate; linear or feature-map form";
  static constexpr const char* kFormula =
      "form gate: yhat(x) = sum_j softmax(C x)_j A_j x;  form feature-map: yhat(x) = Num(x)/Den(x), "
      "(Num, Den) = (1/E) sum_j (e^{c_j.x} A_j sigma(B_j x), e^{c_j.x});  f = 1/(2n) sum ||yhat(x) - y*(x)||^2, "
      "f* = 0 at the teacher; local mu, L from J^T J minus the d gate-shift directions";
  static constexpr const char* kReference = "docs/theory.md section 3 item 10 (gate), section 2e (feature-map)";
  static constexpr const char* kTestParams = R"({"E": 3, "d": 3, "d_o": 2, "samples": 24})";

  explicit MixtureOfExperts(const json& params) {
    Options o(params, problem_context(kName));
    const std::string form = o.choice("form", "gate", {"gate", "feature-map"},
                                      "gate: linear experts A_j x (section 3 item 10); feature-map: experts A_j sigma(B_j x) "
                                      "through the Hilbert-valued (Num, Den) of section 2e");
    fmap_ = form == "feature-map";
    E_ = o.integer("E", 4, 1, 100000, "number E of experts");
    const long d = o.integer("d", 4, 1, 100000, "input dimension d (x ~ N(0, I_d))");
    dout_ = o.integer("d_o", 2, 1, 100000, "output dimension d_o");
    if (!fmap_ && (o.given("k") || o.given("activation"))) o.fail(o.given("k") ? "k" : "activation", "applies to form 'feature-map' only");
    k_ = o.integer("k", 3, 1, 100000, "hidden width of an expert A_j sigma(B_j x) (form feature-map)");
    act_.kind = o.choice("activation", "tanh", activation_names(), "sigma of the experts (form feature-map)");
    const long n = o.integer("samples", 64, 1, 100000000, "number n of input samples");
    const T gate_scale = o.real<T>("gate_scale", "1", Range::nonnegative(), "teacher gate rows c_j ~ N(0, gate_scale^2 I / d)");
    const long seed = o.integer("seed", 0, 0, 1L << 40, "instance seed (samples, teacher)");
    init_scale_ = this->finish_options(o, {.init_scale = "1",
                                           .init_scale_doc = "initial weights = init_scale x (teacher's distribution)",
                                           .hessian_constants = true},
                                       {{"the experts", double(E_), double(dout_) * d + double(k_) * (d + dout_), 3},
                                        {"the samples", double(n), double(d + dout_)},
                                        {"the expert outputs", double(n), double(E_) * (dout_ + k_), 2}});

    const long kin = fmap_ ? k_ : d;  // columns of one expert matrix A_j
    this->specs_ = {BlockSpec{"A", {E_, dout_, kin}}};
    if (fmap_) this->specs_.push_back(BlockSpec{"B", {E_, k_, d}});
    this->specs_.push_back(BlockSpec{"C", {E_, d}});
    gate_scale_ = gate_scale;
    Rng rng({static_cast<std::uint64_t>(seed), 0x6d6f65ULL});  // "moe"
    X_ = rng.normal_matrix<T>(d, n);
    Params<T> teacher = draw(rng, T(1), gate_scale);
    this->target_ = forward(teacher, nullptr);
    this->weight_ = T(1) / T(n);
    this->assumptions_ = {"smooth", "nonconvex", "local PL at the teacher"};
    this->finalize(teacher, "teacher of the same architecture (zero residual)", "local",
                   "expected d = " + std::to_string(d) + " from the gate shift C -> C + 1 c^T");
  }

  Params<T> initial_point(std::uint64_t seed) const override {
    Rng rng({seed, 0x1u});
    return draw(rng, init_scale_, init_scale_ * gate_scale_);
  }

 protected:
  struct MoeTape : LeastSquaresModel<T>::Tape {
    Mat<T> G;       // gate weights: softmax (gate) or e^{c.x - m}/E (feature-map), E x n
    Mat<T> Z;       // expert outputs, stacked (E d_o) x n
    Mat<T> H, dH;   // sigma(B X), sigma'(B X), (E k) x n (feature-map)
    Vec<T> den;     // Den(x) (feature-map)
    Mat<T> yhat;
  };
  using Tape = typename LeastSquaresModel<T>::Tape;

  Mat<T> forward(const Params<T>& w, std::unique_ptr<Tape>* tape) const override {
    using std::exp;
    auto t = std::make_unique<MoeTape>();
    const Mat<T>& C = w.back();
    const long n = X_.cols();
    if (fmap_) {
      act_.apply(linalg::mul<T>(w[1], X_), t->H, tape ? &t->dH : nullptr);
      t->Z.resize(E_ * dout_, n);
      for (long j = 0; j < E_; ++j)
        linalg::gemm<T>(t->Z.middleRows(j * dout_, dout_), w[0].middleRows(j * dout_, dout_), false,
                        t->H.middleRows(j * k_, k_), false, T(1), T(0));
    } else {
      t->Z = linalg::mul<T>(w[0], X_);  // [A_1; ...; A_E] X: expert j's outputs in rows j d_o ..
    }
    t->G = linalg::mul<T>(C, X_);  // logits c_j . x_i
    t->den.resize(n);
    Mat<T> y = Mat<T>::Zero(dout_, n);
    for (long i = 0; i < n; ++i) {
      const T m = t->G.col(i).maxCoeff();
      T s(0);
      for (long j = 0; j < E_; ++j) s += (t->G(j, i) = T(exp(T(t->G(j, i) - m))));
      if (fmap_) {  // Num and Den literally (times e^{-m}): w_j = e^{c_j.x - m} / E
        t->G.col(i) /= T(E_);
        t->den(i) = s / T(E_);
        for (long j = 0; j < E_; ++j) y.col(i) += t->G(j, i) * t->Z.block(j * dout_, i, dout_, 1);
        y.col(i) /= t->den(i);
      } else {  // softmax gate
        t->G.col(i) /= s;
        for (long j = 0; j < E_; ++j) y.col(i) += t->G(j, i) * t->Z.block(j * dout_, i, dout_, 1);
      }
    }
    if (tape) {
      t->yhat = y;
      *tape = std::move(t);
    }
    return y;
  }

  void backward(const Params<T>& w, const Tape& tape_base, const Mat<T>& dy, Params<T>& g) const override {
    const auto& t = static_cast<const MoeTape&>(tape_base);
    const long n = X_.cols();
    Mat<T> dZ(E_ * dout_, n), dlogit(E_, n);
    for (long i = 0; i < n; ++i) {
      if (fmap_) {
        // dR/dNum = dy/Den, dR/dDen = -<dy, yhat>/Den; Num = sum_j w_j Z_j, Den = sum_j w_j, dw_j/dc_j = w_j x.
        const Vec<T> dnum = dy.col(i) / t.den(i);
        const T dden = -dy.col(i).dot(t.yhat.col(i)) / t.den(i);
        for (long j = 0; j < E_; ++j) {
          const auto Zj = t.Z.block(j * dout_, i, dout_, 1);
          dZ.block(j * dout_, i, dout_, 1) = t.G(j, i) * dnum;
          dlogit(j, i) = t.G(j, i) * (dnum.dot(Zj.col(0)) + dden);
        }
      } else {
        // yhat = sum_j g_j Z_j, g = softmax(z): dz_j = g_j (<dy, Z_j> - <dy, yhat>).
        const T base = dy.col(i).dot(t.yhat.col(i));
        for (long j = 0; j < E_; ++j) {
          const auto Zj = t.Z.block(j * dout_, i, dout_, 1);
          dZ.block(j * dout_, i, dout_, 1) = t.G(j, i) * dy.col(i);
          dlogit(j, i) = t.G(j, i) * (dy.col(i).dot(Zj.col(0)) - base);
        }
      }
    }
    g.resize(this->specs_.size());
    if (fmap_) {
      Mat<T> dH(E_ * k_, n);
      g[0].resize(E_ * dout_, k_);
      for (long j = 0; j < E_; ++j) {
        const auto dZj = dZ.middleRows(j * dout_, dout_);
        linalg::gemm<T>(g[0].middleRows(j * dout_, dout_), dZj, false, t.H.middleRows(j * k_, k_), true, T(1), T(0));
        linalg::gemm<T>(dH.middleRows(j * k_, k_), w[0].middleRows(j * dout_, dout_), true, dZj, false, T(1), T(0));
      }
      dH.array() *= t.dH.array();
      g[1] = linalg::mul_nt<T>(dH, X_);
    } else {
      g[0] = linalg::mul_nt<T>(dZ, X_);
    }
    g.back() = linalg::mul_nt<T>(dlogit, X_);
  }

 private:
  // A, (B), C drawn from the teacher's distribution, A scaled by a_scale, C by c_scale:
  // A_j entries ~ N(0, a^2 / cols), B_j ~ N(0, 1/d), c_j ~ N(0, c^2 / d).
  Params<T> draw(Rng& rng, const T& a_scale, const T& c_scale) const {
    using std::sqrt;
    Params<T> w;
    for (size_t b = 0; b < this->specs_.size(); ++b) {
      const auto& s = this->specs_[b];
      const bool is_c = b + 1 == this->specs_.size();
      const T scale = (b == 0 ? a_scale : is_c ? c_scale : T(1)) / T(sqrt(T(s.cols())));
      w.push_back(scale * rng.normal_matrix<T>(s.storage_rows(), s.cols()));
    }
    return w;
  }

  bool fmap_ = false;
  long E_, dout_, k_;
  Activation<T> act_;
  Mat<T> X_;
  T init_scale_, gate_scale_ = T(1);
};

MB_REGISTER_PROBLEM(MixtureOfExperts);

}  // namespace mb
