// Shared base of the problems that fit a model's outputs to a target in the least-squares sense:
//
//     f(w) = (weight / 2) ||Yhat(w) - Y||_F^2,      grad f = J(w)^T (weight (Yhat(w) - Y)),
//
// where Yhat is a forward pass written by hand and J^T is its backward pass (reverse mode, also
// written by hand). A subclass implements `forward` (recording what the backward pass needs on a
// Tape) and `backward` (the vector-Jacobian product for a given output cotangent dY); this class
// supplies value, value_and_gradient, f* and the minimizer (a teacher with zero residual), and
// the local constants: at a zero-residual minimizer the Hessian is exactly weight * J^T J, built
// here row by row from backward passes with unit cotangents (construct.hpp: summarize_hessian).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "harness/problem.hpp"
#include "problems/construct.hpp"

namespace mb {

template <class T>
class LeastSquaresModel : public ProblemBase<T> {
 public:
  struct Tape {
    virtual ~Tape() = default;
  };

  const std::vector<BlockSpec>& blocks() const override { return specs_; }

  T value(const Params<T>& w) const override { return loss(forward(w, nullptr)); }

  T value_and_gradient(const Params<T>& w, Params<T>& g) const override {
    std::unique_ptr<Tape> tape;
    const Mat<T> y = forward(w, &tape);
    const Mat<T> dy = weight_ * (y - target_);
    backward(w, *tape, dy, g);
    return loss(y);
  }

  Known<T> known() const override {
    Known<T> k;
    if (minimizer_) {
      k.f_star = T(0);
      k.f_star_source = minimizer_source_;
    }
    if (spectrum_) {
      k.mu = spectrum_->mu;
      k.L = spectrum_->L;
      k.mu_scope = k.L_scope = scope_;
      k.mu_source = "smallest nonzero eigenvalue of the Hessian weight*J^T J at the minimizer (" +
                    std::to_string(spectrum_->zeros) + " zero eigenvalues; " + gauge_text_ + ")";
      k.L_source = "largest eigenvalue of weight*J^T J at the minimizer";
    } else {
      k.mu_source = k.L_source = "not computed: " + (no_constants_why_.empty() ? std::string(
                                     "hessian_constants is off, or too many parameters for 'auto'") : no_constants_why_);
    }
    k.assumptions = assumptions_;
    return k;
  }

  std::optional<Params<T>> minimizer() const override { return minimizer_; }

  std::optional<std::vector<T>> hessian_eigenvalues() const override {
    if (!spectrum_) return std::nullopt;
    return spectrum_->eigenvalues;
  }

  // weight * J^T J at w (the Gauss-Newton matrix; the Hessian where the residual vanishes).
  // One forward pass, then one backward pass per output entry.
  Mat<T> gauss_newton(const Params<T>& w) const {
    std::unique_ptr<Tape> tape;
    const Mat<T> y = forward(w, &tape);
    const long P = total_size(specs_), R = y.size();
    Mat<T> J(R, P);
    Mat<T> dy = Mat<T>::Zero(y.rows(), y.cols());
    Params<T> g;
    for (long r = 0; r < R; ++r) {
      dy(r) = T(1);
      backward(w, *tape, dy, g);
      dy(r) = T(0);
      long c = 0;
      for (const auto& b : g)
        for (long i = 0; i < b.size(); ++i) J(r, c++) = b(i);
    }
    Mat<T> H(P, P);
    linalg::gemm<T>(H, J, true, J, false, weight_, T(0));
    return H;
  }

 protected:
  // Forward pass: the model's outputs at w. If tape is non-null, store what backward needs.
  virtual Mat<T> forward(const Params<T>& w, std::unique_ptr<Tape>* tape) const = 0;
  // Backward pass: g = J(w)^T dy (g resized and overwritten), for the tape of forward(w).
  virtual void backward(const Params<T>& w, const Tape& tape, const Mat<T>& dy, Params<T>& g) const = 0;

  T loss(const Mat<T>& y) const { return weight_ * (y - target_).squaredNorm() / T(2); }

  // The local constants are not meaningful for this instance (said in known()).
  void disable_constants(std::string why) { no_constants_why_ = std::move(why); }

  // To be called at the end of the subclass constructor, once specs_, target_ and weight_ are set.
  // `minimizer`: a point with zero residual (nullopt if unknown); `scope`: "local" or "global"
  // (global when the model is linear in w); `gauge_text` describes the expected zero directions.
  void finalize(std::optional<Params<T>> minimizer, std::string minimizer_source, std::string scope,
                std::string gauge_text) {
    minimizer_ = std::move(minimizer);
    minimizer_source_ = std::move(minimizer_source);
    scope_ = std::move(scope);
    gauge_text_ = std::move(gauge_text);
    const long P = total_size(specs_);
    const long limit = std::numeric_limits<T>::digits > 64 ? 150 : 2000;
    // hessian_constants (finish_options): the constants cost one backward pass per output and an
    // eigenvalue decomposition of a P x P matrix, P = #parameters.
    const std::string& mode = this->hessian_constants_;
    const bool want = mode == "on" || (mode == "auto" && P <= limit);
    if (minimizer_ && want && no_constants_why_.empty()) spectrum_ = summarize_hessian<T>(gauss_newton(*minimizer_));
  }

  std::vector<BlockSpec> specs_;
  Mat<T> target_;       // Y
  T weight_ = T(1);     // f = weight/2 ||Yhat - Y||^2
  std::vector<std::string> assumptions_;

 private:
  std::optional<Params<T>> minimizer_;
  std::string minimizer_source_, scope_ = "local", gauge_text_, no_constants_why_;
  std::optional<SpectrumSummary<T>> spectrum_;
};

}  // namespace mb
