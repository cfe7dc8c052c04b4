// psi-curvature: the curvature bounds of the smoothed nuclear norm psi_eps(M) = sum_i sqrt(sigma_i^2 + eps^2)
// (docs/theory.md 2a, "Smoothness and curvature"; derivation of this project), each a one-sided part
// whose predicted constant is scaled for the resolution (claims/resolution.hpp):
//   strong-convexity  on {sigma_max <= R}: <grad psi(M') - grad psi(M), M' - M> >= mu_R ||M' - M||^2,
//                     mu_R = eps^2 / (R^2 + eps^2)^(3/2) = g'(R), g(s) = s / sqrt(s^2 + eps^2);
//   lipschitz         ||grad psi(M') - grad psi(M)||_F <= ||M' - M||_F / eps   (1/eps = g'(0));
//   bregman           0 <= D_psi(M', M) = psi(M') - psi(M) - <grad psi(M), M' - M> <= ||M' - M||^2 / (2 eps).
// Points. Each bound is met in a limit, so each part has points close to it (tightness near 1) and
// random points (the inequality everywhere else):
//   strong-convexity  M = U diag(R - t, R/2, R/4) V^T, M' = U diag(R, R/2, R/4) V^T, t = R/200: the
//                     top singular value moves just below R, where the divided difference of g is
//                     g'(R) (1 + O(t/R)); plus 4 random pairs with singular values in (0, R];
//   lipschitz         M = -tD/2, M' = tD/2 and M = 0, M' = tD (D Gaussian, ||D||_F = 1, t = eps/100):
//                     near 0 grad psi(M) = M/eps (1 - O(sigma^2/eps^2)); plus 4 random Gaussian pairs;
//   bregman           M = 0, M' = tD, t = eps/20 (D_psi = sum sqrt(t^2 s_i^2 + eps^2) - eps
//                     = t^2/(2 eps) (1 - O(t^2/eps^2))); plus 4 random Gaussian pairs.
// Two scales: (eps, R) = (1/2, 2) and (2, 3); 4 x 3 matrices (Rng 1601).
// Tolerances (rounding only: the statements are static): grad psi (spectral::reg_polar, method
// "eig") carries e_G = reg_polar_error (claims/support.hpp, Gram-eigenvalue model); psi carries
// psi_error; an inner product or norm of m n terms adds m n u times its magnitude; M' - M is
// rounded by u ||M' - M|| per entry. So
//   strong-convexity  (e_G + e_G') ||dM|| + 2 mn u (||G|| + ||G'||) ||dM|| + 4 mn u mu_R ||dM||^2
//   lipschitz         e_G + e_G' + 2 mn u (||G|| + ||G'||) + mn u ||dM|| / eps
//   bregman           e_psi + e_psi' + e_G ||dM|| + 2 mn u ||G|| ||dM|| + 4 mn u ||dM||^2 / (2 eps).
// Decoys: modulus eps/(R^2 + eps^2) (wrong power: larger than mu_R by sqrt(R^2 + eps^2)/eps);
// Lipschitz 1/eps^2 (wrong: below 1/eps for eps = 2); and edge decoys, each part's constant x 6/5
// (strong convexity) or x 5/6 (the two upper bounds), the direction that turns them.
#include <cmath>
#include <string>
#include <tuple>
#include <algorithm>

#include "claims/support.hpp"
#include "harness/core/rng.hpp"
#include "solvers/spectral/regularized.hpp"

namespace mb {
namespace {

ClaimInfo psi_curvature_info() {
  return {"psi-curvature",
          "The smoothed nuclear norm psi_eps is strongly convex with modulus eps^2/(R^2 + eps^2)^(3/2) on "
          "{sigma_max <= R}, its gradient (the regularized polar map) is 1/eps-Lipschitz in Frobenius norm, and its "
          "Bregman divergence lies between 0 and ||M' - M||^2/(2 eps); each bound is nearly met.",
          "<grad psi(M') - grad psi(M), M' - M> >= eps^2 (R^2+eps^2)^(-3/2) ||M' - M||^2;  "
          "||grad psi(M') - grad psi(M)|| <= ||M' - M|| / eps;  0 <= D_psi(M', M) <= ||M' - M||^2 / (2 eps)",
          "docs/theory.md 2a, 'Smoothness and curvature' (items 1-3) and 'Where the curvature bounds are met' "
          "(derivation of this project)",
          "rounding only (static inequalities): grad psi to reg_polar_error, psi to psi_error (Gram-eigenvalue "
          "model, claims/support.hpp), inner products and norms of mn terms to mn u times their size, M' - M to "
          "u ||M' - M|| per entry",
          {{"modulus-wrong-power", "claims the modulus eps/(R^2 + eps^2): the wrong power (too large by "
                                   "sqrt(R^2 + eps^2)/eps)"},
           {"lipschitz-1-over-eps2", "claims grad psi_eps is 1/eps^2-Lipschitz: too small for eps > 1"},
           {"modulus-x1.2", "the predicted strong-convexity modulus x 1.2"},
           {"lipschitz-x5/6", "the predicted Lipschitz constant 1/eps x 5/6"},
           {"bregman-x5/6", "the predicted Bregman bound 1/(2 eps) x 5/6"}},
          {{"strong-convexity", "<grad psi(M') - grad psi(M), M' - M> >= eps^2/(R^2+eps^2)^(3/2) ||M' - M||^2 on "
                                "sigma_max <= R (nearly met when the top singular value moves just below R)"},
           {"lipschitz", "||grad psi(M') - grad psi(M)||_F <= ||M' - M||_F / eps (nearly met near M = 0)"},
           {"bregman", "0 <= D_psi(M', M) <= ||M' - M||^2/(2 eps) (the upper bound nearly met near M = 0)"}}};
}

// A pair of points (M, M') with what every part needs of them.
template <class T>
struct CurvaturePair {
  std::string label;
  Mat<T> M, Mp, dM, G, Gp;  // G = grad psi(M), Gp = grad psi(M')
  T eG, eGp, ePsi, ePsip;   // rounding bounds of grad psi and psi at M, M'
};

template <class T>
CurvaturePair<T> curvature_pair(const std::string& label, const Mat<T>& M, const Mat<T>& Mp, const T& eps) {
  CurvaturePair<T> c{label, M, Mp, Mat<T>(Mp - M), spectral::reg_polar<T>(M, eps), spectral::reg_polar<T>(Mp, eps),
                     T(0), T(0), T(0), T(0)};
  const Vec<T> s = linalg::singular_values<T>(M), sp = linalg::singular_values<T>(Mp);
  const long r = M.rows(), k = M.cols();
  c.eG = claims::reg_polar_error<T>(r, k, s(0), s(s.size() - 1), eps);
  c.eGp = claims::reg_polar_error<T>(r, k, sp(0), sp(sp.size() - 1), eps);
  c.ePsi = claims::psi_error<T>(r, k, s, eps);
  c.ePsip = claims::psi_error<T>(r, k, sp, eps);
  return c;
}

template <class T>
Mat<T> with_factors(const Mat<T>& U, const Mat<T>& V, const std::vector<T>& s) {
  Mat<T> US = U;
  for (long i = 0; i < U.cols(); ++i) US.col(i) *= s.at(i);
  return linalg::mul_nt<T>(US, V);
}

template <class T>
std::vector<ClaimOutcome> psi_curvature(const ClaimContext& ctx) {
  using std::pow;
  using std::sqrt;
  using claims::num;
  const T u = T(unit_roundoff<T>());
  const long m = 4, n = 3;
  const T mn = T(m * n);
  Rng rng(1601);
  const json instance = {{"matrices", "4 x 3 (Rng 1601)"},
                         {"scales", json::array({{{"eps", "1/2"}, {"R", 2}}, {{"eps", 2}, {"R", 3}}})},
                         {"near_binding", "strong convexity: sigma_1 from R - R/200 to R; lipschitz: M, M' = "
                                          "+-(eps/200) D and 0, (eps/100) D; bregman: 0, (eps/20) D"},
                         {"random_pairs_per_part", 4}};
  claims::Outcomes<T> out(ctx, psi_curvature_info(), instance);
  const std::string src = "rounding of grad psi (reg_polar_error) and psi (psi_error), Gram-eigenvalue model "
                          "(claims/support.hpp), + mn u per inner product or norm";
  auto strong = out.pair("strong-convexity", "modulus-wrong-power", src);
  auto lip = out.pair("lipschitz", "lipschitz-1-over-eps2", src);
  auto& breg = out.of("bregman", src);

  for (const auto& [eps, R, tag] : {std::tuple{T(1) / T(2), T(2), std::string("eps=1/2")},
                                    std::tuple{T(2), T(3), std::string("eps=2")}}) {
    const T mod = eps * eps / pow(T(R * R + eps * eps), T(3) / T(2));
    const T mod_bad = eps / (R * R + eps * eps);
    auto unit = [&] {
      Mat<T> D = rng.normal_matrix<T>(m, n);
      return Mat<T>(D / D.norm());
    };
    auto gaussian_pair = [&](const std::string& label) {  // drawn in this order (not as arguments)
      const Mat<T> A = eps * rng.normal_matrix<T>(m, n);
      const Mat<T> B = eps * rng.normal_matrix<T>(m, n);
      return curvature_pair<T>(label, A, B, eps);
    };
    auto random_sv = [&](const T& top) {
      std::vector<T> s;
      for (long i = 0; i < n; ++i) s.push_back(top * T(rng.uniform()));
      std::sort(s.begin(), s.end(), [](const T& a, const T& b) { return a > b; });
      return claims::with_singular_values<T>(rng, m, n, s);
    };

    // Strong convexity: <G' - G, dM> >= mu ||dM||^2 (a lower bound; the modulus is the constant).
    std::vector<CurvaturePair<T>> sc;
    {
      const Mat<T> U = linalg::orthonormal_q<T>(rng.normal_matrix<T>(m, n));
      const Mat<T> V = linalg::orthonormal_q<T>(rng.normal_matrix<T>(n, n));
      const T t = R / T(200);
      sc.push_back(curvature_pair<T>(tag + " top sigma R-R/200 -> R",
                                     with_factors<T>(U, V, {T(R - t), R / T(2), R / T(4)}),
                                     with_factors<T>(U, V, {R, R / T(2), R / T(4)}), eps));
      for (int j = 0; j < 4; ++j) {
        const Mat<T> A = random_sv(R), B = random_sv(R);  // drawn in this order (not as arguments)
        sc.push_back(curvature_pair<T>(tag + " random " + std::to_string(j), A, B, eps));
      }
    }
    for (const auto& p : sc) {
      const T d = p.dM.norm(), d2 = d * d;
      const T x = claims::inner<T>(Mat<T>(p.Gp - p.G), p.dM);
      const T tol = (p.eG + p.eGp) * d + T(2) * mn * u * (p.G.norm() + p.Gp.norm()) * d + T(4) * mn * u * mod * d2;
      for (int decoy = 0; decoy < 2; ++decoy) {
        claims::Check<T> c;
        c.instance = p.label;
        const T k = decoy ? mod_bad : mod;
        c.lower(x, T(k * d2), tol);
        c.measured = {{"inner_product", num(x)}, {"ratio_to_norm2", num(T(x / d2))}};
        c.predicted = {{"modulus", num(k)}, {"lower_bound", num(T(k * d2))}, {"rounding_bound", num(tol)}};
        strong.add(decoy, c);
      }
    }

    // Lipschitz: ||G' - G|| <= ||dM|| / eps (an upper bound; 1/eps is the constant).
    std::vector<CurvaturePair<T>> lp;
    {
      const Mat<T> D = unit();
      const T t = eps / T(100);
      lp.push_back(curvature_pair<T>(tag + " -tD/2, tD/2 (t = eps/100)", Mat<T>(-t / T(2) * D), Mat<T>(t / T(2) * D),
                                     eps));
      lp.push_back(curvature_pair<T>(tag + " 0, tD (t = eps/100)", Mat<T>(Mat<T>::Zero(m, n)), Mat<T>(t * D), eps));
      for (int j = 0; j < 4; ++j)
        lp.push_back(gaussian_pair(tag + " random " + std::to_string(j)));
    }
    for (const auto& p : lp) {
      const T d = p.dM.norm();
      const T x = Mat<T>(p.Gp - p.G).norm();
      const T tol = p.eG + p.eGp + T(2) * mn * u * (p.G.norm() + p.Gp.norm()) + mn * u * d / eps;
      for (int decoy = 0; decoy < 2; ++decoy) {
        claims::Check<T> c;
        c.instance = p.label;
        const T k = decoy ? T(1) / (eps * eps) : T(1) / eps;
        c.upper(x, T(k * d), tol);
        c.measured = {{"gradient_difference", num(x)}, {"ratio_to_distance", num(T(x / d))}};
        c.predicted = {{"lipschitz", num(k)}, {"upper_bound", num(T(k * d))}, {"rounding_bound", num(tol)}};
        lip.add(decoy, c);
      }
    }

    // Bregman: 0 <= D_psi(M', M) <= ||dM||^2 / (2 eps).
    std::vector<CurvaturePair<T>> bp;
    bp.push_back(curvature_pair<T>(tag + " 0, tD (t = eps/20)", Mat<T>(Mat<T>::Zero(m, n)),
                                   Mat<T>(eps / T(20) * unit()), eps));
    for (int j = 0; j < 4; ++j)
      bp.push_back(gaussian_pair(tag + " random " + std::to_string(j)));
    for (const auto& p : bp) {
      const T d = p.dM.norm(), d2 = d * d;
      const T Dpsi = spectral::psi<T>(p.Mp, eps) - spectral::psi<T>(p.M, eps) - claims::inner<T>(p.G, p.dM);
      const T bound = d2 / (T(2) * eps);
      const T tol = p.ePsi + p.ePsip + p.eG * d + T(2) * mn * u * p.G.norm() * d + T(4) * mn * u * bound;
      claims::Check<T> c;
      c.instance = p.label;
      c.lower(Dpsi, T(0), tol);
      c.upper(Dpsi, bound, tol);
      c.measured = {{"bregman_divergence", num(Dpsi)}, {"ratio_to_norm2", num(T(Dpsi / d2))}};
      c.predicted = {{"upper_bound", num(bound)}, {"lower_bound", 0}, {"rounding_bound", num(tol)}};
      breg.push_back(c);
    }
  }
  out.edge("modulus-x1.2", "strong-convexity", T(6) / T(5));
  out.edge("lipschitz-x5/6", "lipschitz", T(5) / T(6));
  out.edge("bregman-x5/6", "bregman", T(5) / T(6));
  return out.outcomes();
}

}  // namespace

MB_REGISTER_CLAIM(psi_curvature_info, psi_curvature);

}  // namespace mb
