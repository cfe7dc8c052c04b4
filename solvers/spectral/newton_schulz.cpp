// Newton-Schulz iteration with a coefficient schedule (newton_schulz.hpp; docs/spectral.md;
// docs/theory.md 2g). Each step: A = X X^T, B = a I + b A + c A^2, X <- B X, on the wide orientation.
#include "solvers/spectral/newton_schulz.hpp"

#include "harness/core/registry.hpp"
#include "solvers/spectral/bf16.hpp"
#include "solvers/spectral/fp16.hpp"
#include "solvers/spectral/polar.hpp"
#include "solvers/spectral/products.hpp"

namespace mb::spectral {

template <class T>
NewtonSchulz<T>::NewtonSchulz(const NewtonSchulzConfig& cfg) : cfg_(cfg) {
  validate(cfg);
  norm_ = normalization_of(cfg.normalization);
  form_ = bf16_form_of(cfg.bf16_form);
  gram_variant_ = cfg.variant == "gram";
  const auto list = schedule_coefficients(cfg);
  // Coefficient safety (a/f, b/f^3, c/f^5), computed as the peers' Python does: a / f,
  // b / f**3, c / f**5 with f**k a pow() of the rounded f (exact in mp50 up to its own rounding).
  const CoefficientSafety cs = schedule_coefficient_safety(cfg);
  const T fs = parse_decimal<T>(cs.factor, "coefficient safety");
  const double fd = parse_decimal<double>(cs.factor, "coefficient safety");
  for (size_t k = 0; k < list.size(); ++k) {
    using std::pow;
    const std::string f = "newton-schulz coefficients[" + std::to_string(k) + "]";
    std::array<T, 3> abc{parse_decimal<T>(list[k][0], f), parse_decimal<T>(list[k][1], f), parse_decimal<T>(list[k][2], f)};
    if (cs.applies[k]) abc = {T(abc[0] / fs), T(abc[1] / T(pow(fs, 3))), T(abc[2] / T(pow(fs, 5)))};
    coeffs_.push_back(abc);
  }
  eps_ = parse_decimal<T>(cfg.eps, "eps");
  safety_ = parse_decimal<T>(schedule_safety(cfg), "safety");
  if (cfg.bf16 || cfg.fp16) {
    for (size_t k = 0; k < list.size(); ++k) {
      std::array<double, 3> abc{parse_decimal<double>(list[k][0], "a"), parse_decimal<double>(list[k][1], "b"),
                                parse_decimal<double>(list[k][2], "c")};
      if (cs.applies[k]) abc = {abc[0] / fd, abc[1] / std::pow(fd, 3), abc[2] / std::pow(fd, 5)};
      coeffs_f_.push_back({static_cast<float>(abc[0]), static_cast<float>(abc[1]), static_cast<float>(abc[2])});
    }
    eps_f_ = static_cast<float>(parse_decimal<double>(cfg.eps, "eps"));
    safety_f_ = static_cast<float>(parse_decimal<double>(schedule_safety(cfg), "safety"));
  }
}

template <class T>
int NewtonSchulz<T>::eps_degree() const {
  if (norm_ == Normalization::none) return 0;
  return norm_ == Normalization::schatten || norm_ == Normalization::aol ? 2 : 1;
}

template <class T>
void NewtonSchulz<T>::normalize(const T& eps) {
  using std::max;
  using std::sqrt;
  using N = Normalization;
  gram_ready_ = false;
  if (norm_ == N::frobenius) {
    X_ /= max(T(safety_ * X_.norm()), eps);
  } else if (norm_ == N::frobenius_additive) {
    X_ /= T(safety_ * X_.norm() + eps);
  } else if (norm_ == N::spectral) {
    X_ /= T(safety_ * op_norm<T>(X_) + eps);
  } else if (norm_ == N::schatten) {
    gram<T>(X_, A_);
    const T s = safety_ * sqrt(max(T(A_.norm()), eps));
    X_ /= s;
    A_ /= T(s * s);
    gram_ready_ = true;
  } else if (norm_ == N::aol) {
    gram<T>(X_, A_);
    Vec<T> d(A_.rows());
    for (Eigen::Index i = 0; i < A_.rows(); ++i) d(i) = T(1) / sqrt(max(T(A_.row(i).cwiseAbs().sum()), eps));
    X_ = d.asDiagonal() * X_;
    A_ = d.asDiagonal() * A_ * d.asDiagonal();
    gram_ready_ = true;
  }
}

template <class T>
void NewtonSchulz<T>::step(const std::array<T, 3>& c) {
  if (!gram_ready_) gram<T>(X_, A_);
  gram_ready_ = false;
  if (c[2] == T(0)) {  // cubic: B = a I + b A, no A^2
    B_ = c[1] * A_;
    B_.diagonal().array() += c[0];
  } else {
    sym_product<T>(A_, A_, B_, c[2], &A_, c[1], c[0]);
  }
  product<T>(B_, X_, Y_);
  X_.swap(Y_);
}

template <class T>
void NewtonSchulz<T>::apply(const Mat<T>& G, Mat<T>& out) {
  using std::ldexp;
  const bool tall = G.rows() > G.cols();
  // Extreme inputs are computed on G 2^-e with eps 2^(-e k): the same map exactly (common.hpp).
  const int degree = eps_degree();
  const int e = degree ? extreme_scale_exponent<T>(max_abs<T>(G)) : 0;
  if (cfg_.fp16) {
    // float32 copy of G (rescaled where float's range needs it), then the reference's float32
    // normalisation and fp16 iteration (fp16.hpp).
    const int ef = e > 0 ? e : 0;
    Mat<float>& Xf = Xf_;
    Xf.resize(tall ? G.cols() : G.rows(), tall ? G.rows() : G.cols());
    for (Eigen::Index j = 0; j < Xf.cols(); ++j)
      for (Eigen::Index i = 0; i < Xf.rows(); ++i) {
        const T g = tall ? G(j, i) : G(i, j);
        Xf(i, j) = static_cast<float>(ef ? T(ldexp(g, -ef)) : g);
      }
    const float eps_f = ef ? std::ldexp(eps_f_, -ef * degree) : eps_f_;
    fp16::newton_schulz(Xf, coeffs_f_, eps_f, safety_f_, gram_variant_, cfg_.restarts);
    out.resize(G.rows(), G.cols());
    for (Eigen::Index j = 0; j < out.cols(); ++j)
      for (Eigen::Index i = 0; i < out.rows(); ++i) out(i, j) = T(tall ? Xf(j, i) : Xf(i, j));
    return;
  }
  if (cfg_.bf16) {
    // float holds G's bf16 rounding only within float's range: rescale huge inputs (torch would
    // give inf/NaN there); tiny ones round to zero in bf16 as they do in torch.
    const int ef = e > 0 ? e : 0;
    Mat<float>& Xf = Xf_;
    Xf.resize(tall ? G.cols() : G.rows(), tall ? G.rows() : G.cols());
    for (Eigen::Index j = 0; j < Xf.cols(); ++j)
      for (Eigen::Index i = 0; i < Xf.rows(); ++i) {
        const T g = tall ? G(j, i) : G(i, j);
        Xf(i, j) = bf16::round(static_cast<float>(ef ? T(ldexp(g, -ef)) : g));
      }
    const float eps_f = ef ? std::ldexp(eps_f_, -ef * degree) : eps_f_;
    bf16::newton_schulz(Xf, coeffs_f_, norm_, eps_f, safety_f_, form_);
    out.resize(G.rows(), G.cols());
    for (Eigen::Index j = 0; j < out.cols(); ++j)
      for (Eigen::Index i = 0; i < out.rows(); ++i) out(i, j) = T(tall ? Xf(j, i) : Xf(i, j));
    return;
  }
  start(G, e, degree);
  if (gram_variant_ && X_.rows() != X_.cols())  // gram-newton-schulz: square inputs run the plain step
    gram_iterate();
  else
    for (const auto& c : coeffs_) step(c);
  if (tall)
    out = X_.transpose();
  else
    out = X_;
}

template <class T>
void NewtonSchulz<T>::start(const Mat<T>& G, int e, int degree) {
  using std::ldexp;
  if (G.rows() > G.cols())
    X_ = G.transpose();
  else
    X_ = G;
  if (e) X_ = times_power_of_two<T>(X_, -e);
  normalize(e ? T(ldexp(eps_, -e * degree)) : eps_);
}

template <class T>
int NewtonSchulz<T>::first_non_finite_step(const Mat<T>& G) {
  if (cfg_.bf16 || cfg_.fp16 || gram_variant_) return static_cast<int>(coeffs_.size());  // not stepped here
  const int degree = eps_degree();
  start(G, degree ? extreme_scale_exponent<T>(max_abs<T>(G)) : 0, degree);
  if (!all_finite(X_)) return 0;
  for (size_t k = 0; k < coeffs_.size(); ++k) {
    step(coeffs_[k]);
    if (!all_finite(X_)) return static_cast<int>(k + 1);
  }
  return static_cast<int>(coeffs_.size());
}

template <class T>
T NewtonSchulz<T>::normalization_scale(const Mat<T>& G) const {
  using std::max;
  using std::sqrt;
  using N = Normalization;
  if (norm_ == N::frobenius) return max(T(safety_ * G.norm()), eps_);
  if (norm_ == N::frobenius_additive) return safety_ * G.norm() + eps_;
  if (norm_ == N::spectral) return safety_ * op_norm<T>(G) + eps_;
  if (norm_ == N::schatten) {
    const Mat<T> A = G.rows() <= G.cols() ? Mat<T>(G * G.transpose()) : Mat<T>(G.transpose() * G);
    return safety_ * sqrt(max(T(A.norm()), eps_));
  }
  if (norm_ == N::none) return T(1);
  throw Error("newton-schulz: normalization '" + cfg_.normalization +
              "' is not a scalar division (a diagonal scaling): no exact-arithmetic prediction");
}

template <class T>
T NewtonSchulz<T>::scalar_map(const T& x0) const {
  T x = x0;
  for (const auto& c : coeffs_) {
    const T x2 = x * x;
    x = x * (c[0] + x2 * (c[1] + x2 * c[2]));
  }
  return x;
}

template <class T>
T NewtonSchulz<T>::predicted_polar_error(const Mat<T>& G) const {
  using std::abs;
  const Vec<T> sigma = linalg::singular_values<T>(G);
  const T tol = rank_threshold<T>(sigma, G.rows(), G.cols());
  const T s = normalization_scale(G);
  T worst(0);
  for (Eigen::Index i = 0; i < sigma.size(); ++i)
    if (sigma(i) > tol) worst = std::max(worst, T(abs(scalar_map(T(sigma(i) / s)) - T(1))));
  return worst;
}

template <class T>
IterationReport NewtonSchulz<T>::report(const Mat<T>& G, const Mat<T>& out) const {
  IterationReport r;
  r.iterations = static_cast<int>(coeffs_.size());
  r.converged = true;
  r.error_vs_exact = to_double(op_norm<T>(Mat<T>(out - polar<T>(G))));
  if (norm_ != Normalization::aol && !cfg_.bf16 && !cfg_.fp16) r.predicted_error = to_double(predicted_polar_error(G));
  return r;
}

template class NewtonSchulz<MB_SCALAR>;

}  // namespace mb::spectral
