// spectral-family: the spectral powers Psi_p(M) = M (M^T M + delta I)^((p-1)/2) of BeyondMuon
// (docs/theory.md 2g (derivation of this project); arXiv:2602.04669) interpolate between regularized Muon and SGD, and the
// coupled Newton iterations that compute them without an SVD converge quadratically.
//   part p0-regularized-muon  p = 0, delta = eps^2, by the coupled Newton-Schulz root (no SVD, no
//                             eigendecomposition) equals grad psi_eps(M) (the regularized polar map,
//                             computed through the Gram eigendecomposition)
//   part p1-sgd               p = 1 is the identity: Psi_1(M) = M (the step is SGD's)
//   part p1-continuity        the family is continuous there: ||Psi_p(M) - M||_F ~ (1-p) ||diag(sigma ln sigma)||,
//                             slope 1 in 1 - p (p = 1 - 2^-8 .. 1 - 2^-20, SVD method, where the local slopes
//                             1 - O(1 - p) have converged); the identity and the slope each have their own
//                             tolerance (absolute for the identity, in slope units for the fit)
//   part newton-quadratic     the residual r_k = ||M_k - I||_F of BeyondMuon's coupled Newton-Schulz
//                             (A^(1/2), A^(-1/2)) and of Guo-Higham's coupled Newton (A^(-1/4), used by
//                             p = 1/2) has order 2: the log-log slope of r_{k+1} against r_k over the
//                             quadratic regime (r_k < 1/4, r_{k+1} above the rounding floor) is 2
// Decoys: p0-eps-not-squared (compares with grad psi_delta: delta where sqrt(delta) belongs),
// p1-is-polar (claims p = 1 gives polar(M)), newton-cubic (claims order 3); edge decoys: each
// part's predicted map, slope or order x 6/5.
//
// Tolerances. p0: the Newton root Z of A = M^T M + delta I satisfies Z A Z = I + E with ||E||_F = r
// (the final residual), so Z = A^(-1/2) (I + E)^(1/2) to first order and ||Z - A^(-1/2)|| <= ||A^(-1/2)|| r/2;
// plus the rounding floor of the coupled iteration, about u q^(3/2) sqrt(cond A) relative (roots.hpp),
// taken as sqrt(q) (max(m,n) + 8q) u cond(A) (the eigensolver's model of support.hpp, cond not sqrt:
// a bound, not an estimate), times ||M||_op ||A^(-1/2)||_op; plus the eig route's gram_map_error.
// p1: SVD backward error (m+n) u ||M||_op, recomposition q u ||M||_op, in Frobenius (times sqrt(q)).
// Order: support.hpp fit_slope with relative rounding floor / r_{k+1}, floor = the residual reached
// after 40 iterations (the iteration's own rounding floor, measured) times 4.
#include <cmath>
#include <cstdio>
#include <tuple>

#include "claims/support.hpp"
#include "harness/core/rng.hpp"
#include "solvers/spectral/polar.hpp"
#include "solvers/spectral/power.hpp"
#include "solvers/spectral/regularized.hpp"
#include "solvers/spectral/roots.hpp"

namespace mb {
namespace {

ClaimInfo spectral_family_info() {
  return {"spectral-family",
          "BeyondMuon's spectral power M (M^T M + delta I)^((p-1)/2) is regularized Muon's map at p = 0 "
          "(delta = eps^2) and the identity (SGD) at p = 1; the coupled Newton iterations computing it without "
          "an SVD converge quadratically.",
          "Psi_0(M; eps^2) = grad psi_eps(M);  Psi_1(M) = M;  r_{k+1} ~ C r_k^2 (coupled Newton-Schulz, Guo-Higham)",
          "docs/theory.md 2g (spectral power; continuity at p = 1; coupled Newton-Schulz; Guo-Higham) (derivation of this project; published: "
          "Ocram7/BeyondMuon optimizers/spectral_ns.py, Higham 1986, Guo & Higham 2006)",
          "p0: Newton residual r/2 + rounding floor sqrt(q)(max(m,n)+8q) u cond(A), times ||M|| ||A^(-1/2)||, plus the "
          "Gram-map error of grad psi; p1: SVD backward error (absolute, the identity's own); p1-continuity: fit_slope "
          "(spread of local slopes + rounding relative to the SVD backward error, in slope units); order: fit_slope "
          "(spread of local orders + rounding relative to 4x the measured floor)",
          {{"p0-eps-not-squared", "compares with grad psi_delta(M): delta where sqrt(delta) = eps belongs"},
           {"p1-is-polar", "claims p = 1 gives polar(M)"},
           {"newton-cubic", "claims the coupled Newton iterations converge with order 3"},
           {"p0-x1.2", "claims Psi_0(M; eps^2) = 1.2 grad psi_eps(M): the predicted map x 1.2"},
           {"p1-sgd-x1.2", "claims Psi_1(M) = 1.2 M: the predicted map x 1.2"},
           {"p1-continuity-x1.2", "claims ||Psi_p(M) - M||_F has slope 1.2 in 1 - p: the predicted slope x 1.2"},
           {"newton-order-x1.2", "claims order 2.4: the predicted order x 1.2"}},
          {{"p0-regularized-muon", "SpectralPower(p = 0, delta = eps^2, newton) = reg_polar(M, eps) (eig)"},
           {"p1-sgd", "SpectralPower(p = 1, svd) = M"},
           {"p1-continuity", "||Psi_p(M) - M||_F has slope 1 in 1 - p (window 1 - p = 2^-8 .. 2^-20, svd)"},
           {"newton-quadratic", "order of convergence 2 of the coupled Newton-Schulz and Guo-Higham (k = 4) residuals"}}};
}

template <class T>
std::vector<T> residual_history(const Mat<T>& A, int root, int K) {
  std::vector<T> r;
  for (int k = 1; k <= K; ++k) {
    spectral::NewtonOptions opt;
    opt.fixed_iterations = k;
    spectral::IterationReport rep;
    Mat<T> X;
    if (root == 2)
      spectral::newton_schulz_sqrt<T>(A, nullptr, &X, opt, rep);
    else
      spectral::inverse_root_newton<T>(A, root, X, opt, rep);
    r.push_back(T(rep.residual));
  }
  return r;
}

template <class T>
std::vector<ClaimOutcome> spectral_family(const ClaimContext& ctx) {
  using std::abs;
  using std::sqrt;
  using claims::num;
  const T u = T(unit_roundoff<T>());
  const T eps = T(1) / T(2), delta = eps * eps;
  Rng rng(612);
  const json instance = {{"matrices", "M Gaussian N(0,1): tall 6x4 and wide 3x5 (Rng 612)"},
                         {"delta", "1/4 (eps = 1/2)"},
                         {"newton", "A = M^T M (smaller Gram) + I/8; residual after k = 1..K fixed iterations"}};
  claims::Outcomes<T> out(ctx, spectral_family_info(), instance);
  auto p0 = out.pair("p0-regularized-muon", "p0-eps-not-squared",
                     "||M|| ||A^(-1/2)|| (r/2 + sqrt(q)(max(m,n)+8q) u cond A) + gram_map_error of grad psi");
  auto p1 = out.pair("p1-sgd", "p1-is-polar", "sqrt(q) (m + n + q) u ||M||_op (SVD backward error and recomposition)");
  auto& p1c = out.of("p1-continuity", "spread of the local slopes over the window + sum |w_j| r_j (support.hpp fit_slope)");
  auto newton = out.pair("newton-quadratic", "newton-cubic",
                         "spread of local orders + rounding relative to 4x the measured floor (fit_slope)");
  for (auto [label, m, n] : {std::tuple{"tall-6x4", 6L, 4L}, std::tuple{"wide-3x5", 3L, 5L}}) {
    const Mat<T> M = rng.normal_matrix<T>(m, n);
    const long q = std::min(m, n), pbig = std::max(m, n);
    const Vec<T> sig = linalg::singular_values<T>(M);
    // --- p = 0
    spectral::PowerConfig cfg;
    cfg.p = "0";
    cfg.delta = "0.25";
    cfg.method = "newton";
    spectral::SpectralPower<T> pw(cfg);
    const Mat<T> X0 = pw(M);
    const T r = T(pw.last_report().residual);
    const T amax = sig(0) * sig(0) + delta, amin = sig(q - 1) * sig(q - 1) + delta;
    const T cond = amax / amin;
    const T tol0 = sig(0) / sqrt(amin) * (r / T(2) + sqrt(T(q)) * T(pbig + 8 * q) * u * cond) +
                   claims::reg_polar_error<T>(m, n, sig(0), sig(q - 1), eps);
    for (int decoy = 0; decoy < 2; ++decoy) {
      const Mat<T> ref = spectral::reg_polar<T>(M, decoy ? delta : eps);
      claims::Check<T> c;
      c.instance = label;
      const T err = (X0 - ref).norm();
      c.distance(X0, ref, tol0);  // the predicted side: grad psi_eps(M)
      c.measured = {{"distance_F", num(err)}, {"newton_iterations", pw.last_report().iterations},
                    {"newton_residual", num(r)}};
      c.predicted = {{"distance_F", "0"}, {"reference", decoy ? "grad psi_delta(M)" : "grad psi_eps(M), eps^2 = delta"}};
      p0.add(decoy, c);
    }
    // --- p = 1: Psi_1(M) = M (the identity, its own tolerance: the SVD route's rounding), and
    //     Psi_p(M) -> M as p -> 1 with error slope 1 in h = 1 - p (its own tolerance: the fit's):
    //     sigma^p = sigma (1 - h ln sigma + h^2 ln^2 sigma / 2 - ...), so ||Psi_p(M) - M||_F =
    //     h ||diag(sigma ln sigma)||_F (1 + O(h max |ln sigma|)): local slopes 1 - O(h), converged to
    //     ~ 1e-3 over the window h = 2^-8 .. 2^-20.
    const T tol1 = sqrt(T(q)) * T(m + n + q) * u * sig(0);
    auto power_svd = [&](const std::string& p) {
      spectral::PowerConfig c1;
      c1.p = p;
      c1.method = "svd";
      spectral::SpectralPower<T> pw1(c1);
      return pw1(M);
    };
    const Mat<T> X1 = power_svd("1");
    std::vector<T> hs, es, rs;
    for (int j = 8; j <= 20; ++j) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.40g", 1.0 - std::ldexp(1.0, -j));  // exact: a dyadic decimal
      const T e = (power_svd(buf) - M).norm();
      hs.push_back(T(1) / T(1L << j)), es.push_back(e), rs.push_back(tol1 / e);
    }
    for (int decoy = 0; decoy < 2; ++decoy) {
      const Mat<T> ref = decoy ? spectral::polar<T>(M) : M;
      claims::Check<T> c;
      c.instance = label;
      c.distance(X1, ref, tol1);  // the predicted side: M (decoy: polar(M))
      c.measured = {{"distance_F_at_p_1", num(T((X1 - ref).norm()))}};
      c.predicted = {{"distance_F_at_p_1", "0"}, {"reference", decoy ? "polar(M)" : "M"}};
      p1.add(decoy, c);
    }
    const claims::SlopeData<T> fit1 = claims::fit_slope<T>(hs, es, rs);
    p1c.push_back(claims::slope_check<T>(label, fit1, T(1),
                                         "fewer than 3 values of 1 - p with rounding below 1 % of the error"));
    // --- order of the coupled Newton iterations
    Mat<T> A = linalg::mul_tn<T>(M, M);
    if (m < n) A = linalg::mul_nt<T>(M, M);
    A += Mat<T>::Identity(q, q) / T(8);
    for (int root : {2, 4}) {
      const std::vector<T> hist = residual_history<T>(A, root, 40);
      const T floor = T(4) * hist.back();
      std::vector<T> h, e, rr;
      for (size_t k = 0; k + 1 < hist.size(); ++k)
        if (hist[k] < T(1) / T(4) && hist[k + 1] > T(0)) h.push_back(hist[k]), e.push_back(hist[k + 1]), rr.push_back(floor / hist[k + 1]);
      const claims::SlopeData<T> fit = claims::fit_slope<T>(h, e, rr);
      for (int decoy = 0; decoy < 2; ++decoy) {
        const T pred = decoy ? T(3) : T(2);
        claims::Check<T> c = claims::slope_check<T>(
            label + std::string(root == 2 ? "-newton-schulz-sqrt" : "-guo-higham-k4"), fit, pred,
            "fewer than 3 quadratic-regime residuals above 100x the rounding floor");
        c.measured = {{"fitted_order", num(fit.fitted)}, {"residuals", claims::nums(hist)}};
        c.predicted = {{"order", num(pred)}};
        newton.add(decoy, c);
      }
    }
  }
  out.edge("p0-x1.2", "p0-regularized-muon", T(6) / T(5));
  out.edge("p1-sgd-x1.2", "p1-sgd", T(6) / T(5));
  out.edge("p1-continuity-x1.2", "p1-continuity", T(6) / T(5));
  out.edge("newton-order-x1.2", "newton-quadratic", T(6) / T(5));
  return out.outcomes();
}

}  // namespace

MB_REGISTER_CLAIM(spectral_family_info, spectral_family);

}  // namespace mb
