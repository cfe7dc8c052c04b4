// Newton-Schulz iteration with a coefficient schedule (PEERS.md section 1; THEORY.md 2g).
// Each step: A = X X^T, B = b A + c A^2, X <- a X + B X, on the wide orientation.
#include "harness/registry.hpp"
#include "solvers/spectral/spectral.hpp"

namespace mb::spectral {

template <class T>
NewtonSchulz<T>::NewtonSchulz(const NewtonSchulzConfig& cfg) {
  if (cfg.normalization != "frobenius")
    throw_unknown("Newton-Schulz normalization", cfg.normalization, "normalization", {"frobenius"});
  for (const auto& c : schedule_coefficients(cfg))
    coeffs_.push_back({parse_decimal<T>(c[0], "a"), parse_decimal<T>(c[1], "b"), parse_decimal<T>(c[2], "c")});
  eps_ = parse_decimal<T>(cfg.eps, "eps");
}

template <class T>
void NewtonSchulz<T>::apply(const Mat<T>& G, Mat<T>& out) {
  const bool tall = G.rows() > G.cols();
  if (tall)
    X_ = G.transpose();
  else
    X_ = G;
  using std::max;
  const T norm = max(T(X_.norm()), eps_);
  X_ /= norm;
  for (const auto& c : coeffs_) {
    A_.noalias() = X_ * X_.transpose();
    B_ = c[1] * A_;
    B_.noalias() += c[2] * (A_ * A_);
    Y_ = c[0] * X_;
    Y_.noalias() += B_ * X_;
    X_.swap(Y_);
  }
  if (tall)
    out = X_.transpose();
  else
    out = X_;
}

template class NewtonSchulz<MB_SCALAR>;

}  // namespace mb::spectral
