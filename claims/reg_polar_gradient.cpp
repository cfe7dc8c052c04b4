// reg-polar-gradient: the regularized polar map is the gradient of the smoothed nuclear norm
// (docs/theory.md 2a, "Gradient" and "Finite-difference test"; a derivation of this project, checked numerically):
//     psi_eps(M) = sum_i sqrt(sigma_i^2 + eps^2),   grad psi_eps(M) = M (M^T M + eps^2 I)^(-1/2).
// A central difference along a unit direction D,
//     e(h) = | [psi(M + hD) - psi(M - hD)] / (2h) - <grad psi(M), D> | = a h^2 + O(h^4),
// so (part fd-slope) the log-log slope of e in h is 2 over a window where truncation dominates,
// and (part fd-exact) at the h that balances truncation and rounding e is within a h^2 + rounding:
// ~1e-9 in double, ~1e-32 in mp50 (docs/theory.md: <= 1e-25), i.e. the map is exactly the derivative.
// psi is evaluated through the eigenvalues of the smaller Gram matrix (no SVD), grad psi by
// spectral::reg_polar (method "eig").
//
// Tolerances. Rounding: |computed psi - psi| <= dpsi (claims/support.hpp psi_error: Gram
// eigenvalues to (max(m,n) + 8q) u sigma_max^2), so the central difference is known to dpsi/h,
// and <grad psi, D> to mn u ||grad psi||_F. Slope: support.hpp fit_slope (spread of local slopes
// + rounding). Exactness: the truncation is at most 2 a h^2 with a = e(h_w)/h_w^2 at the smallest
// resolved window point h_w (the factor 2 covers the O(h^4) remainder and the estimate's own
// error, both below 1 % in the window); the tolerance of the identity (difference quotient =
// <grad psi, D>, the predicted side) is that truncation plus the rounding dpsi/h + mn u ||grad psi||_F.
// Decoys: "first-order" (slope 1: a one-sided difference's order) fails fd-slope;
// "eps-not-squared" (M (M^T M + eps I)^(-1/2), eps where eps^2 belongs) fails fd-exact; edge
// decoys: the slope and the gradient x 6/5.
#include <cmath>
#include <tuple>

#include "claims/support.hpp"
#include "harness/core/rng.hpp"
#include "solvers/spectral/regularized.hpp"

namespace mb {
namespace {

ClaimInfo reg_polar_gradient_info() {
  return {"reg-polar-gradient",
          "The regularized polar map M (M^T M + eps^2 I)^(-1/2) is the gradient of the smoothed nuclear norm "
          "psi_eps(M) = sum_i sqrt(sigma_i^2 + eps^2): central differences of psi_eps converge to it with error "
          "slope 2 in h, and agree with it to rounding (<= 1e-25 in mp50).",
          "[psi_eps(M + hD) - psi_eps(M - hD)] / (2h) = <M (M^T M + eps^2 I)^(-1/2), D> + a h^2 + O(h^4)",
          "docs/theory.md 2a (gradient of psi_eps; finite-difference test) (derivation of this project, checked numerically)",
          "rounding: psi through Gram eigenvalues known to dpsi = sum_i min(dl/(2 sqrt(sigma_i^2+eps^2)), sqrt(dl)) "
          "+ 2 q u psi + sqrt(q) u ||M||_F with dl = (max(m,n) + 8q) u sigma_max^2, so the difference quotient "
          "to dpsi/h; slope: spread of the local slopes over the window + sum |w_j| r_j; exactness: truncation "
          "2 a h^2 with a measured at the smallest resolved window point",
          {{"first-order", "claims the error falls like h^1 (a one-sided difference's order): wrong exponent"},
           {"eps-not-squared", "claims the gradient is M (M^T M + eps I)^(-1/2): eps where eps^2 belongs"},
           {"fd-slope-x1.2", "claims the slope is 2.4: the predicted slope x 1.2"},
           {"fd-exact-x1.2", "claims the difference quotients tend to 1.2 <grad psi(M), D>: the gradient x 1.2"}},
          {{"fd-slope", "log-log slope of the central-difference error in h is 2 (window h = 2^-5 .. 2^-12)"},
           {"fd-exact", "at the h balancing truncation and rounding, the difference quotient equals "
                        "<grad psi(M), D> to within 2 a h^2 + rounding"}}};
}

template <class T>
struct FdInstance {
  std::string label;
  Mat<T> M, D;
};

template <class T>
std::vector<ClaimOutcome> reg_polar_gradient(const ClaimContext& ctx) {
  using std::abs;
  using std::cbrt;
  using std::sqrt;
  using claims::num;
  const T eps = T(1) / T(2);
  const T u = T(unit_roundoff<T>());
  Rng rng(601);
  std::vector<FdInstance<T>> inst;
  for (auto [label, m, n] : {std::tuple{"tall-5x3", 5L, 3L}, std::tuple{"wide-3x4", 3L, 4L}}) {
    Mat<T> M = rng.normal_matrix<T>(m, n), D = rng.normal_matrix<T>(m, n);
    D /= D.norm();
    inst.push_back({label, M, D});
  }
  const json instance = {{"matrices", "Gaussian N(0,1), tall 5x3 and wide 3x4 (Rng 601); D Gaussian, ||D||_F = 1"},
                         {"eps", "1/2"},
                         {"window_h", "2^-5 .. 2^-12"}};

  claims::Outcomes<T> out(ctx, reg_polar_gradient_info(), instance);
  auto slope = out.pair("fd-slope", "first-order",
                        "spread of the local slopes over the resolved window + sum_j |w_j| r_j (support.hpp)");
  auto exact = out.pair("fd-exact", "eps-not-squared",
                        "rounding of the difference quotient dpsi/h + mn u ||grad psi||_F (Gram-eigenvalue model)");
  for (const auto& in : inst) {
    const Mat<T>& M = in.M;
    const Mat<T>& D = in.D;
    const Vec<T> sigma = linalg::singular_values<T>(M);
    const T dpsi = claims::psi_error<T>(M.rows(), M.cols(), sigma, eps);
    const Mat<T> grad = spectral::reg_polar<T>(M, eps);
    const T g = claims::inner<T>(grad, D);
    const T g_err = T(M.size()) * u * grad.norm();
    const T g_bad = claims::inner<T>(spectral::reg_polar<T>(M, T(sqrt(eps))), D);
    auto fd = [&](const T& h) {
      return (spectral::psi<T>(Mat<T>(M + h * D), eps) - spectral::psi<T>(Mat<T>(M - h * D), eps)) / (T(2) * h);
    };
    std::vector<T> hs, es, rs;
    T h = T(1) / T(32);
    for (int j = 0; j < 8; ++j, h /= T(2)) {
      const T e = abs(fd(h) - g);
      hs.push_back(h), es.push_back(e), rs.push_back((dpsi / h + g_err) / e);
    }
    const claims::SlopeData<T> s = claims::fit_slope<T>(hs, es, rs);
    for (int decoy = 0; decoy < 2; ++decoy)
      slope.add(decoy, claims::slope_check<T>(in.label, s, decoy ? T(1) : T(2),
                                              "fewer than 3 window points have rounding below 1 % of the error"));
    // Exactness at h_x = 2^round(log2((dpsi / (2a))^(1/3))), where a h^2 and dpsi / h balance.
    for (int decoy = 0; decoy < 2; ++decoy) {
      claims::Check<T> c;
      c.instance = in.label;
      if (!s.resolved) {
        c.resolved = false;
        c.unresolved_reason = "no resolved window point to measure the truncation constant a";
        exact.add(decoy, c);
        continue;
      }
      const int w = s.kept.back();
      const T a = es[w] / (hs[w] * hs[w]);
      const T target = cbrt(dpsi / (T(2) * a));
      T hx(1);
      while (hx > target) hx /= T(2);
      const T fdx = fd(hx);
      const T e = abs(fdx - (decoy ? g_bad : g));
      const T trunc = T(2) * a * hx * hx, rounding = dpsi / hx + g_err;
      // The identity: the difference quotient equals the predicted side <grad psi(M), D> to within
      // truncation + rounding (both in the units of the quotient).
      c.equal(fdx, decoy ? g_bad : g, T(trunc + rounding));
      c.measured = {{"h", num(hx)}, {"difference_quotient", num(fdx)}, {"error", num(e)}};
      c.predicted = {{"directional_derivative", num(decoy ? g_bad : g)}, {"truncation_bound", num(trunc)},
                     {"rounding_bound", num(rounding)}, {"a", num(a)}};
      if constexpr (is_mp50<T>) c.predicted["theory_bound_mp50"] = "1e-25";
      exact.add(decoy, c);
    }
  }
  out.edge("fd-slope-x1.2", "fd-slope", T(6) / T(5));
  out.edge("fd-exact-x1.2", "fd-exact", T(6) / T(5));
  return out.outcomes();
}

}  // namespace

MB_REGISTER_CLAIM(reg_polar_gradient_info, reg_polar_gradient);

}  // namespace mb
