// Checks shared by the problem tests: are a problem's stated constants true on its instance?
//
// check_constants(problem, known) returns the list of failures (empty = all hold):
//  1. f* is attained by the known minimizer: |f(w*) - f*| <= 1000 u S and ||grad f(w*)|| <= 1000 u G,
//     S = |f(w_0)| + |f*| and G = ||grad f(w_0)|| + 1 (w_0 the initial point): the rounding error of an
//     evaluation is u times the size of the terms summed, which f(w_0) and grad f(w_0) bound on
//     these instances; 1000 absorbs the number of operations.
//  2. f >= f* at every sampled point (same tolerance).
//  3. mu <= ||grad f||^2 / (2 (f - f*)) <= L at sampled points. Global scope: initial points and
//     w* + t D (t = 1e-3, 1, 10; D a Gaussian direction), rounding tolerance 1000 u S / (f - f*).
//     Local scope: w* + delta D with delta = 1e-15 max(1, ||w*||_inf) (mp50 only); the ratio equals
//     the Rayleigh quotient D^T H^2 D / D^T H D, which lies in [lambda+_min, lambda_max], up to
//     O(delta) terms (third derivatives / mu): allowed relative slack 1e6 delta (= 1e-9).
//  4. (mp50) The Hessian at w*, by central differences of the exact gradient (step u^(1/3); error
//     ~1e-33 relative), has its nonzero eigenvalues in [mu, L] (tolerance 1e-25 L); where mu and L
//     are exact (local scope, or a quadratic) its extreme nonzero eigenvalues equal them; and
//     hessian_eigenvalues(), where given, match its spectrum.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "harness/core/linalg.hpp"
#include "harness/problem.hpp"

namespace mbtest {

using mb::Mat;
using mb::Params;

template <class T>
T inf_norm(const Params<T>& p) {
  T m(0);
  for (const auto& b : p) m = std::max<T>(m, b.cwiseAbs().maxCoeff());
  return m;
}

template <class T>
Params<T> gaussian_like(const mb::Problem<T>& p, std::uint64_t seed) {
  mb::Rng rng({seed, 0x7465737464ULL});
  Params<T> d;
  for (const auto& s : p.blocks()) d.push_back(rng.normal_matrix<T>(s.storage_rows(), s.cols()));
  return d;
}

template <class T>
Params<T> axpy(const Params<T>& x, const T& a, const Params<T>& d) {
  Params<T> y = x;
  for (size_t b = 0; b < y.size(); ++b) y[b] += a * d[b];
  return y;
}

// Hessian by central differences of the gradient, P x P, flattened in block order.
template <class T>
Mat<T> fd_hessian(const mb::Problem<T>& p, const Params<T>& w) {
  using std::abs;
  using std::pow;
  const T u = T(std::numeric_limits<T>::epsilon()) / T(2);
  const T rel = T(pow(u, T(1) / T(3)));
  const long P = mb::total_size(p.blocks());
  Mat<T> H(P, P);
  Params<T> x = w, gp, gm;
  long col = 0;
  for (size_t b = 0; b < w.size(); ++b)
    for (long i = 0; i < w[b].size(); ++i, ++col) {
      const T h = rel * std::max<T>(T(1), abs(w[b](i)));
      x[b](i) = w[b](i) + h;
      p.value_and_gradient(x, gp);
      x[b](i) = w[b](i) - h;
      p.value_and_gradient(x, gm);
      x[b](i) = w[b](i);
      long row = 0;
      for (size_t c = 0; c < gp.size(); ++c)
        for (long j = 0; j < gp[c].size(); ++j) H(row++, col) = (gp[c](j) - gm[c](j)) / (T(2) * h);
    }
  return (H + H.transpose()) / T(2);
}

template <class T>
std::vector<std::string> check_constants(const mb::Problem<T>& p, const mb::Known<T>& k) {
  using std::abs;
  using std::sqrt;
  std::vector<std::string> fail;
  const bool mp = std::numeric_limits<T>::digits > 64;
  const T u = T(std::numeric_limits<T>::epsilon()) / T(2);
  const auto wstar = p.minimizer();
  Params<T> g;
  const Params<T> w0 = p.initial_point(0);
  const T f0 = p.value_and_gradient(w0, g);
  const T fs = k.f_star ? *k.f_star : T(0);
  const T S = abs(f0) + abs(fs), G = sqrt(mb::squared_norm(g)) + T(1);
  auto str = [](const T& x) { return mb::to_decimal<T>(x); };

  if (wstar && k.f_star) {
    const T fw = p.value_and_gradient(*wstar, g);
    if (abs(fw - fs) > T(1000) * u * S) fail.push_back("f(w*) = " + str(fw) + " differs from f* = " + str(fs));
    if (sqrt(mb::squared_norm(g)) > T(1000) * u * G) fail.push_back("||grad f(w*)|| = " + str(T(sqrt(mb::squared_norm(g)))));
  }

  // Sampled points.
  std::vector<std::pair<Params<T>, bool>> pts;  // (point, near the minimizer for a local constant)
  for (std::uint64_t s = 0; s < 3; ++s) pts.emplace_back(p.initial_point(s), false);
  if (wstar) {
    const T scale = std::max<T>(T(1), inf_norm(*wstar));
    for (const char* t : {"0.001", "1", "10"}) pts.emplace_back(axpy<T>(*wstar, mb::from_decimal<T>(t) * scale, gaussian_like(p, 7)), false);
    if (mp)
      for (std::uint64_t s = 0; s < 3; ++s) {
        Params<T> d = gaussian_like(p, 10 + s);
        const T dn = sqrt(mb::squared_norm(d));
        pts.emplace_back(axpy<T>(*wstar, mb::from_decimal<T>("1e-15") * scale / dn, d), true);
      }
  }
  const bool local = k.mu_scope == "local" || k.L_scope == "local";
  for (size_t i = 0; i < pts.size(); ++i) {
    const auto& [w, near] = pts[i];
    const T f = p.value_and_gradient(w, g);
    const T gap = f - fs;
    const T tol_gap = T(1000) * u * (abs(f) + abs(fs) + S);
    if (k.f_star && gap < -tol_gap) fail.push_back("point " + std::to_string(i) + ": f = " + str(f) + " < f*");
    if (!k.f_star || (!k.mu && !k.L) || !(gap > tol_gap)) continue;
    if (local && !near) continue;  // a local constant says nothing far from w*
    const T ratio = mb::squared_norm(g) / (T(2) * gap);
    T slack = T(1000) * u * (abs(f) + abs(fs)) / gap;
    if (near) slack += T(1000000) * mb::from_decimal<T>("1e-15");
    if (k.mu && ratio < *k.mu * (T(1) - slack))
      fail.push_back("point " + std::to_string(i) + ": ||g||^2/(2(f-f*)) = " + str(ratio) + " < mu = " + str(*k.mu));
    if (k.L && ratio > *k.L * (T(1) + slack))
      fail.push_back("point " + std::to_string(i) + ": ||g||^2/(2(f-f*)) = " + str(ratio) + " > L = " + str(*k.L));
  }

  // Hessian spectrum at the minimizer (mp50: finite differences of the gradient are exact to ~1e-33).
  if (mp && wstar && (k.mu || k.L)) {
    const mb::Vec<T> ev = mb::linalg::sym_eigenvalues<T>(fd_hessian(p, *wstar));
    const T top = abs(ev(ev.size() - 1)) > abs(ev(0)) ? abs(ev(ev.size() - 1)) : abs(ev(0));
    const T tol = mb::from_decimal<T>("1e-25") * top, zero = mb::from_decimal<T>("1e-20") * top;
    std::vector<T> nonzero;
    for (long i = 0; i < ev.size(); ++i)
      if (abs(ev(i)) > zero) nonzero.push_back(ev(i));
    const bool exact = local || std::count(k.assumptions.begin(), k.assumptions.end(), "quadratic");
    if (!nonzero.empty()) {
      if (k.mu && nonzero.front() < *k.mu - tol) fail.push_back("Hessian eigenvalue " + str(nonzero.front()) + " < mu");
      if (k.L && nonzero.back() > *k.L + tol) fail.push_back("Hessian eigenvalue " + str(nonzero.back()) + " > L");
      if (exact && k.mu && abs(nonzero.front() - *k.mu) > tol)
        fail.push_back("smallest nonzero Hessian eigenvalue " + str(nonzero.front()) + " != mu = " + str(*k.mu));
      if (exact && k.L && abs(nonzero.back() - *k.L) > tol)
        fail.push_back("largest Hessian eigenvalue " + str(nonzero.back()) + " != L = " + str(*k.L));
    }
    if (auto stated = p.hessian_eigenvalues()) {
      if (static_cast<long>(stated->size()) != ev.size()) {
        std::vector<T> nz;  // problems may list only the nonzero eigenvalues
        for (const T& x : *stated)
          if (abs(x) > zero) nz.push_back(x);
        if (nz.size() != nonzero.size()) fail.push_back("hessian_eigenvalues(): wrong count");
        else
          for (size_t i = 0; i < nz.size(); ++i)
            if (abs(nz[i] - nonzero[i]) > tol) fail.push_back("hessian_eigenvalues()[" + std::to_string(i) + "] wrong");
      } else {
        for (long i = 0; i < ev.size(); ++i)
          if (abs((*stated)[i] - ev(i)) > tol) {
            fail.push_back("hessian_eigenvalues()[" + std::to_string(i) + "] = " + str((*stated)[i]) + ", finite differences give " + str(T(ev(i))));
            break;
          }
      }
    }
  }
  return fail;
}

}  // namespace mbtest
