// Two claims of docs/theory.md 2a (derivations of this project, checked numerically) on the smoothed nuclear norm
// psi_eps(M) = sum_i sqrt(sigma_i^2 + eps^2) and its conjugate psi*_eps(Z) = -eps sum_i sqrt(1 - sigma_i(Z)^2):
//
// fenchel-young   FY(M, Z) = psi_eps(M) + psi*_eps(Z) - <Z, M>
//                   part equality:   psi(M) + psi*(Z*) = <Z*, M> at Z* = grad psi_eps(M) (both sides =
//                                    sum sigma^2/sqrt(sigma^2+eps^2)); the predicted side <Z*, M>
//                   part strict:     FY(M, Z) >= (eps/2) ||Z - Z*||_F^2 (one lower-bound atom per point): FY(M, .)
//                                    is the Bregman divergence of psi* from Z*, psi* = eps h, h 1-strongly convex.
//                                    The modulus is sharp only where the curvature of h is 1: along
//                                    D = u v_min^T off the range of Z* (docs/theory.md 2a, "Where the modulus is
//                                    sharp"), where FY / ((eps/2) t^2) -> 1/sqrt(1 - sigma_min(Z*)^2); on small-4x2
//                                    that is 1.008, so the bound's tightness is ~0.992
//                   part round-trip: grad psi*(grad psi(M)) = M (distance to the predicted side M)
//                 decoys: conjugate-without-eps (psi* = -sum sqrt(1 - sigma^2): equality fails for eps != 1),
//                         modulus-2eps (FY >= eps ||Z - Z*||^2), inverse-eps-squared (grad psi*(Z) =
//                         eps^2 Z (I - Z^T Z)^(-1/2): round trip fails); edge decoys: each part x 6/5.
// reg-polar-limit eps -> 0
//                   part op-error:   ||grad psi_eps(M) - polar(M)||_op = 1 - s/sqrt(s^2 + eps^2), s = sigma_min
//                   part slope-2:    its log-log slope in eps is 2 (~ eps^2 / (2 s^2)), fitted over eps <= 2^-5 s,
//                                    where the local slopes 2 - (3/2)(eps/s)^2 have converged
//                   part gap-bound:  0 <= psi_eps(M) - ||M||_* <= q eps (eps from 2^-10 s to 2^11 sigma_max: the
//                                    bound is nearly attained once eps >> sigma_max)
//                 decoys: slope-1 (first order in eps), gap-bound-half (<= q eps / 2: fails once eps >> sigma_max),
//                         sigma-max (the error is 1 - sigma_max/sqrt(sigma_max^2 + eps^2): wrong singular value);
//                         edge decoys: op-error and slope x 6/5, gap bound x 5/6.
//
// Tolerances (claims/support.hpp): psi and psi* through Gram eigenvalues known to
// dl = (max(m,n) + 8q) u sigma_max^2 (psi_error, psi_conjugate_error); maps X f(X^T X) to
// sqrt(q) [sigma_max dl max|f'| + max(m,n) u sigma_max max|f|] (gram_map_error); polar from the SVD
// to 2 (m+n) u sqrt(q) sigma_max / sigma_min (polar_error). FY at Z* is stationary in Z, so the
// rounding of Z* enters at second order only: (1/2) curvature ||dZ||^2 with curvature
// eps / (1 - ||Z||_op^2)^(3/2). The round trip: the error of Z times the Lipschitz constant of
// grad psi* on the segment, eps / (1 - ||Z||_op^2)^(3/2), plus the rounding of grad psi* itself.
#include <array>
#include <cmath>
#include <tuple>

#include "claims/support.hpp"
#include "harness/core/rng.hpp"
#include "solvers/spectral/polar.hpp"
#include "solvers/spectral/regularized.hpp"

namespace mb {
namespace {

ClaimInfo fenchel_young_info() {
  return {"fenchel-young",
          "Fenchel-Young for the smoothed nuclear norm: psi_eps(M) + psi*_eps(Z) - <Z, M> is 0 at Z = grad psi_eps(M), "
          "at least (eps/2) ||Z - grad psi_eps(M)||_F^2 > 0 elsewhere, and grad psi*_eps inverts grad psi_eps.",
          "psi_eps(M) + psi*_eps(Z) - <Z,M> >= (eps/2)||Z - Z*||^2, = 0 iff Z = Z* = grad psi_eps(M); "
          "grad psi*_eps(Z*) = eps Z*(I - Z*^T Z*)^(-1/2) = M",
          "docs/theory.md 2a (Fenchel-dual form, Fenchel-Young, where the modulus is sharp, inverse map) (derivation of this project, checked numerically)",
          "rounding: psi, psi* through Gram eigenvalues (dl = (max(m,n)+8q) u sigma_max^2), <Z,M> to mn u ||Z|| ||M||; "
          "Z* enters FY at second order; round trip: Lipschitz constant eps/(1-||Z*||_op^2)^(3/2) of grad psi* times "
          "the Gram-map error of Z*, plus grad psi*'s own rounding",
          {{"conjugate-without-eps", "psi*(Z) = -sum sqrt(1 - sigma_i(Z)^2): the factor eps is missing"},
           {"modulus-2eps", "claims FY >= eps ||Z - Z*||^2: twice the strong-convexity modulus of psi*"},
           {"inverse-eps-squared", "claims grad psi*(Z) = eps^2 Z (I - Z^T Z)^(-1/2): eps^2 where eps belongs"},
           {"equality-x1.2", "claims psi(M) + psi*(Z*) = 1.2 <Z*, M>: the predicted side x 1.2"},
           {"strict-modulus-x1.2", "claims FY >= 1.2 (eps/2) ||Z - Z*||^2: the modulus x 1.2"},
           {"round-trip-x1.2", "claims grad psi*(grad psi(M)) = 1.2 M: the predicted side x 1.2"}},
          {{"equality", "psi(M) + psi*(Z*) = <Z*, M> to rounding, Z* = grad psi_eps(M)"},
           {"strict", "FY(M, Z) >= (eps/2)||Z - Z*||_F^2 for random Z, for Z near Z*, and along the direction where "
                      "the modulus is sharp (||Z||_op < 1)"},
           {"round-trip", "||grad psi*_eps(grad psi_eps(M)) - M||_F <= rounding"}}};
}

ClaimInfo reg_polar_limit_info() {
  return {"reg-polar-limit",
          "As eps -> 0 the regularized polar map tends to polar(M): ||grad psi_eps(M) - polar(M)||_op = "
          "1 - s/sqrt(s^2+eps^2) ~ eps^2/(2 s^2) (s the smallest singular value; slope 2), and "
          "0 <= psi_eps(M) - ||M||_* <= q eps.",
          "||grad psi_eps(M) - polar(M)||_op = 1 - s/sqrt(s^2 + eps^2);  0 <= psi_eps(M) - ||M||_* <= q eps",
          "docs/theory.md 2a (limit eps -> 0; how sharp the limit checks are) (derivation of this project, checked numerically)",
          "rounding: grad psi_eps through the Gram eigendecomposition (gram_map_error), polar from the SVD "
          "(2(m+n) u sqrt(q) sigma_max/sigma_min), psi through Gram eigenvalues (psi_error), ||M||_* to "
          "(m+n) q u sigma_max; slope: spread of local slopes + rounding (fit_slope)",
          {{"slope-1", "claims the error is first order in eps"},
           {"gap-bound-half", "claims psi_eps(M) - ||M||_* <= q eps / 2"},
           {"sigma-max", "claims the error is 1 - sigma_max/sqrt(sigma_max^2 + eps^2): wrong singular value"},
           {"op-error-x1.2", "claims the error is 1.2 (1 - s/sqrt(s^2+eps^2)): the predicted value x 1.2"},
           {"slope-x1.2", "claims the slope is 2.4: the predicted slope x 1.2"},
           {"gap-bound-x5/6", "claims psi_eps(M) - ||M||_* <= (5/6) q eps: the bound x 5/6"}},
          {{"op-error", "||grad psi_eps(M) - polar(M)||_op = 1 - s/sqrt(s^2+eps^2) for eps = 2^-1 s .. 2^-16 s "
                        "(2^-24 s in mp50)"},
           {"slope-2", "log-log slope of that error in eps is 2 (window eps <= 2^-5 s)"},
           {"gap-bound", "0 <= psi_eps(M) - ||M||_* <= q eps for eps = 2^-10 s .. 2^11 sigma_max (nearly attained "
                         "at the top)"}}};
}

template <class T>
struct Instance {
  std::string label;
  Mat<T> M;
};

template <class T>
std::vector<Instance<T>> instances(Rng& rng) {
  // Prescribed singular values (cond 4, 8 and 2) so that s = sigma_min is known and the maps are tame.
  return {{"tall-5x3", claims::with_singular_values<T>(rng, 5, 3, {T(2), T(1), T(1) / T(2)})},
          {"wide-3x4", claims::with_singular_values<T>(rng, 3, 4, {T(3) / T(2), T(1), T(3) / T(16)})},
          // Small against eps = 1/2: Z* = grad psi(M) is near 0, where the curvature of psi* is
          // eps (1 + O(|Z|^2)): this is the instance on which the modulus eps/2 is nearly tight.
          {"small-4x2", claims::with_singular_values<T>(rng, 4, 2, {T(1) / T(8), T(1) / T(16)})}};
}

template <class T>
std::vector<ClaimOutcome> fenchel_young(const ClaimContext& ctx) {
  using std::abs;
  using std::sqrt;
  using claims::num;
  const T u = T(unit_roundoff<T>());
  const T eps = T(1) / T(2);
  Rng rng(602);
  const auto inst = instances<T>(rng);
  const json instance = {{"matrices", "U diag(s) V^T, Haar U, V (Rng 602): tall 5x3 s = (2, 1, 1/2), wide 3x4 s = (3/2, 1, 3/16), small 4x2 s = (1/8, 1/16)"},
                         {"eps", "1/2"},
                         {"random_Z", "8 Gaussian Z scaled to ||Z||_op in (0, 0.95); 4 points Z* + t D, t = 2^-4..2^-10 (D random); "
                                      "4 points Z* + t D, t = 2^-3..2^-9 (D the sharp direction)"}};
  const std::string src_eq = "psi_error + psi_conjugate_error + mn u ||Z|| ||M|| + curvature ||dZ||^2 (second order)";
  claims::Outcomes<T> out(ctx, fenchel_young_info(), instance);
  auto eq = out.pair("equality", "conjugate-without-eps", src_eq, src_eq + " (divided by eps)");
  auto strict = out.pair("strict", "modulus-2eps",
                         "rounding of FY at each Z (as for equality) + 2 eps ||Z - Z*|| ||dZ*||; the worst point");
  auto rt = out.pair("round-trip", "inverse-eps-squared",
                     "Lipschitz constant of grad psi* times the Gram-map error of Z* + grad psi*'s own rounding");
  for (const auto& in : inst) {
    const Mat<T>& M = in.M;
    const long m = M.rows(), n = M.cols(), q = std::min(m, n);
    const Vec<T> sig = linalg::singular_values<T>(M);
    const Mat<T> Z = spectral::reg_polar<T>(M, eps);
    const Vec<T> zsig = linalg::singular_values<T>(Z);
    const T zmax = zsig(0);
    const T dZ = claims::reg_polar_error<T>(m, n, sig(0), sig(q - 1), eps);
    const T curv = eps / ((T(1) - zmax * zmax) * sqrt(T(1) - zmax * zmax));
    const T psiM = spectral::psi<T>(M, eps), dpsi = claims::psi_error<T>(m, n, sig, eps);
    // --- equality at Z*
    const T ip = claims::inner<T>(Z, M), dip = T(m * n) * u * Z.norm() * M.norm();
    const T conj = spectral::psi_conjugate<T>(Z, eps), dconj = claims::psi_conjugate_error<T>(m, n, zsig, eps);
    T both(0);
    for (long i = 0; i < q; ++i) both += sig(i) * sig(i) / sqrt(sig(i) * sig(i) + eps * eps);
    const T tol_eq = dpsi + dconj + dip + curv * dZ * dZ;
    // The identity psi(M) + psi*(Z*) = <Z*, M>; the predicted side is <Z*, M> (the decoy drops eps
    // from psi*, whose rounding is then dconj / eps).
    for (int decoy = 0; decoy < 2; ++decoy) {
      const T c_used = decoy ? T(conj / eps) : conj;
      claims::Check<T> c;
      c.instance = in.label;
      c.equal(T(psiM + c_used), ip, decoy ? T(tol_eq - dconj + dconj / eps) : tol_eq);
      c.measured = {{"psi_plus_psi_star", num(T(psiM + c_used))}, {"FY", num(T(psiM + c_used - ip))},
                    {"psi", num(psiM)}, {"psi_star", num(c_used)}};
      c.predicted = {{"inner_Z_M", num(ip)}, {"both_sides_equal", num(both)}};
      eq.add(decoy, c);
    }
    // --- strict inequality with the strong-convexity lower bound
    std::vector<Mat<T>> Zs;
    for (int j = 0; j < 8; ++j) {
      Mat<T> R = rng.normal_matrix<T>(m, n);
      R *= (T(19) / T(20)) * T(j + 1) / T(8) / linalg::singular_values<T>(R)(0);
      Zs.push_back(R);
    }
    {
      Mat<T> D = rng.normal_matrix<T>(m, n);
      D /= D.norm();
      T t = T(1) / T(16);
      for (int j = 0; j < 4; ++j, t /= T(4)) Zs.push_back(Mat<T>(Z + t * D));
    }
    // Along the sharp direction (docs/theory.md 2a, "Where the modulus is sharp"): D = u v_min^T
    // with u orthogonal to the column space of Z* (tall) or D = u_min w^T with w orthogonal to its
    // row space (wide). There only sigma_min(Z) moves, to sqrt(s^2 + t^2), <M, D> = 0, and
    // FY = eps (sqrt(1 - s^2) - sqrt(1 - s^2 - t^2)) = (eps/2) t^2 / sqrt(1 - s^2) (1 + O(t^2)):
    // the bound is attained up to the factor sqrt(1 - s^2), s = sigma_min(Z*).
    {
      const linalg::Svd<T> sv = linalg::thin_svd<T>(Z);
      const bool tall = m > q;
      const Mat<T>& B = tall ? sv.U : sv.V;
      Vec<T> w = rng.normal_matrix<T>(tall ? m : n, 1).col(0);
      for (int pass = 0; pass < 2; ++pass) w -= B * Vec<T>(B.transpose() * w);  // twice: orthogonal to rounding
      w /= w.norm();
      const Mat<T> D = tall ? Mat<T>(w * sv.V.col(q - 1).transpose()) : Mat<T>(sv.U.col(q - 1) * w.transpose());
      T t = T(1) / T(8);
      for (int j = 0; j < 4; ++j, t /= T(4)) Zs.push_back(Mat<T>(Z + t * D));
    }
    // FY(M, W) at each point, once (only the lower bound depends on the decoy).
    struct Point {
      T fy, dist2, tol, op_norm;
    };
    std::vector<Point> points;
    for (const auto& W : Zs) {
      const Vec<T> ws = linalg::singular_values<T>(W);
      const T fy = psiM + spectral::psi_conjugate<T>(W, eps) - claims::inner<T>(W, M);
      const T dist2 = (W - Z).squaredNorm();
      // FY(M, W) rounding: dpsi + psi*(W)'s + <W, M>'s; the lower bound's: ||W - Z|| dZ eps.
      const T tol = dpsi + claims::psi_conjugate_error<T>(m, n, ws, eps) + T(m * n) * u * W.norm() * M.norm() +
                    T(2) * eps * sqrt(dist2) * dZ;
      points.push_back({fy, dist2, tol, ws(0)});
    }
    // One lower-bound atom per point: FY >= (eps/2) ||Z - Z*||^2, the predicted constant the modulus.
    for (int decoy = 0; decoy < 2; ++decoy) {
      claims::Check<T> c;
      c.instance = in.label;
      json rows = json::array();
      for (const Point& pt : points) {
        const T lower = (decoy ? eps : eps / T(2)) * pt.dist2;
        rows.push_back({{"FY", num(pt.fy)}, {"lower_bound", num(lower)}, {"op_norm_Z", num(pt.op_norm)}});
        c.lower(pt.fy, lower, pt.tol);
      }
      c.measured = {{"points", rows}};
      c.predicted = {{"modulus", decoy ? "eps" : "eps/2"}};
      strict.add(decoy, c);
    }
    // --- round trip
    const Mat<T> back = spectral::psi_conjugate_gradient<T>(Z, eps);
    for (int decoy = 0; decoy < 2; ++decoy) {
      const Mat<T> used = decoy ? Mat<T>(eps * back) : back;
      claims::Check<T> c;
      c.instance = in.label;
      const T err = (used - M).norm();
      // ||grad psi*(Z*) - M||_F <= tol, the predicted side M.
      c.distance(used, M, T(curv * dZ + claims::conjugate_gradient_error<T>(m, n, zmax, eps)));
      c.measured = {{"error_F", num(err)}};
      c.predicted = {{"error_F", "0"}, {"lipschitz_grad_psi_star", num(curv)}, {"error_of_Z", num(dZ)}};
      rt.add(decoy, c);
    }
  }
  // Edge decoys: each part's predicted constant x 6/5 (docs/claims.md, "Resolution and tightness").
  out.edge("equality-x1.2", "equality", T(6) / T(5));
  out.edge("strict-modulus-x1.2", "strict", T(6) / T(5));
  out.edge("round-trip-x1.2", "round-trip", T(6) / T(5));
  return out.outcomes();
}

template <class T>
std::vector<ClaimOutcome> reg_polar_limit(const ClaimContext& ctx) {
  using std::abs;
  using std::sqrt;
  using claims::num;
  const T u = T(unit_roundoff<T>());
  Rng rng(603);
  const auto inst = instances<T>(rng);
  const json instance = {{"matrices", "U diag(s) V^T, Haar U, V (Rng 603): tall 5x3 s = (2, 1, 1/2), wide 3x4 s = (3/2, 1, 3/16), small 4x2 s = (1/8, 1/16)"},
                         {"eps_op_error", "2^-1 s .. 2^-16 s (double), .. 2^-24 s (mp50)"},
                         {"slope_window", "eps <= 2^-5 s"},
                         {"eps_gap", "2^-10 s .. 2^11 sigma_max (doubling)"}};
  claims::Outcomes<T> out(ctx, reg_polar_limit_info(), instance);
  auto op = out.pair("op-error", "sigma-max", "gram_map_error of grad psi_eps + polar_error + q u ||.||_op (support.hpp)");
  auto slope = out.pair("slope-2", "slope-1", "spread of local slopes + sum |w_j| r_j (support.hpp fit_slope)");
  auto gap = out.pair("gap-bound", "gap-bound-half", "psi_error + (m+n) q u sigma_max for ||M||_*");
  // mp50 resolves smaller errors: a longer ladder (the error falls to ~ 2^-49 there).
  const int ladder = is_mp50<T> ? 24 : 16;
  for (const auto& in : inst) {
    const Mat<T>& M = in.M;
    const long m = M.rows(), n = M.cols(), q = std::min(m, n);
    const Vec<T> sig = linalg::singular_values<T>(M);
    const T smax = sig(0), s = sig(q - 1);
    const Mat<T> P = spectral::polar<T>(M);
    const T dP = claims::polar_error<T>(m, n, smax, s);
    std::vector<T> es, ds, rs;
    claims::Check<T> c_op, c_opd;
    c_op.instance = c_opd.instance = in.label;
    json rows = json::array();
    T eps = s / T(2);
    for (int j = 1; j <= ladder; ++j, eps /= T(2)) {
      const T d = spectral::op_norm<T>(Mat<T>(spectral::reg_polar<T>(M, eps) - P));
      const T pred = T(1) - s / sqrt(s * s + eps * eps);
      const T pred_d = T(1) - smax / sqrt(smax * smax + eps * eps);
      const T tol = claims::reg_polar_error<T>(m, n, smax, s, eps) + dP + T(q) * u * d;
      // The slope window: eps <= 2^-5 s, where the local slopes 2 - (3/2)(eps/s)^2 + ... have
      // converged to within 1e-3 (docs/theory.md 2a, limit eps -> 0).
      if (j >= 5) es.push_back(eps), ds.push_back(d), rs.push_back(tol / d);
      rows.push_back({{"eps", num(eps)}, {"measured", num(d)}, {"predicted", num(pred)}, {"tolerance", num(tol)}});
      // |d - s pred| <= tol, the predicted constant the formula's value.
      c_op.equal(d, pred, tol);
      c_opd.equal(d, pred_d, tol);
    }
    c_op.measured = c_opd.measured = {{"points", rows}};
    c_op.predicted = {{"formula", "1 - s/sqrt(s^2+eps^2)"}, {"s", num(s)}};
    c_opd.predicted = {{"formula", "1 - sigma_max/sqrt(sigma_max^2+eps^2)"}, {"sigma_max", num(smax)}};
    op.add(false, c_op);
    op.add(true, c_opd);
    const claims::SlopeData<T> fit = claims::fit_slope<T>(es, ds, rs);
    for (int decoy = 0; decoy < 2; ++decoy)
      slope.add(decoy, claims::slope_check<T>(in.label, fit, decoy ? T(1) : T(2),
                                              "fewer than 3 eps with rounding below 1 % of the error"));
    // Gap bound over eps = 2^-10 s .. 2^11 sigma_max (doubling): each term sqrt(sigma^2 + eps^2) - sigma
    // = eps (1 - sigma/eps + O(sigma^2/eps^2)), so at the top the bound q eps is attained to ~ 2^-11.
    T nuc(0);
    for (long i = 0; i < q; ++i) nuc += sig(i);
    const T dnuc = T((m + n) * q) * u * smax;
    // psi_e(M) - ||M||_* at each eps, once (only the upper bound depends on the decoy).
    std::vector<std::array<T, 3>> gaps;  // eps, gap, tolerance
    for (T e = s / T(1024); e <= T(2048) * smax; e *= T(2))
      gaps.push_back({e, T(spectral::psi<T>(M, e) - nuc), T(claims::psi_error<T>(m, n, sig, e) + dnuc)});
    for (int decoy = 0; decoy < 2; ++decoy) {
      claims::Check<T> c;
      c.instance = in.label;
      json g = json::array();
      for (const auto& [e, gp, tol] : gaps) {
        const T hi = (decoy ? T(q) / T(2) : T(q)) * e;
        g.push_back({{"eps", num(e)}, {"gap", num(gp)}, {"upper", num(hi)}});
        c.upper(gp, hi, tol);        // gap <= q eps: the predicted constant is the bound
        c.lower(gp, T(0), tol);      // 0 <= gap: no constant to scale
      }
      c.measured = {{"points", g}};
      c.predicted = {{"upper", decoy ? "q eps / 2" : "q eps"}, {"lower", "0"}};
      gap.add(decoy, c);
    }
  }
  out.edge("op-error-x1.2", "op-error", T(6) / T(5));
  out.edge("slope-x1.2", "slope-2", T(6) / T(5));
  out.edge("gap-bound-x5/6", "gap-bound", T(5) / T(6));
  return out.outcomes();
}

}  // namespace

MB_REGISTER_CLAIM(fenchel_young_info, fenchel_young);
MB_REGISTER_CLAIM(reg_polar_limit_info, reg_polar_limit);

}  // namespace mb
