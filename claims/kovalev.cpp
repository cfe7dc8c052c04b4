// kovalev-trust-region: Kovalev's analysis of Muon as a non-Euclidean trust-region method
// (arXiv:2503.12645, Lemma 3 and Theorem 2 as quoted by Cesista; docs/theory.md 2f), along runs on the
// stochastic Kronecker quadratic (docs/theory.md section 3 items 1 and 12: g = grad f + sigma Xi/sqrt(mn)).
//
// The Muon and Orthogonal-SGDM recursions are the solvers' step policies (solvers/steps/muon_step.hpp,
// orthogonal_sgdm_step.hpp; NSGD-M shares their momentum), driven here: Lemma 3 bounds the internal momentum error ||m_k - grad f(x_k)||_*, which needs the
// momentum state, and the iterations-to-eps count needs grad f at every iterate. Kovalev's Algorithm 1
// with the spectral norm (docs/theory.md 2f):
//     x_{k+1} = x_k - eta polar(m_k),   m_{k+1} = (1 - alpha) m_k + alpha g(x_{k+1}),   m_0 = g(x_0)
// NSGD-M is the same with the Euclidean ball: x_{k+1} = x_k - eta m_k/||m_k||_F. Orthogonal-SGDM
// (EMA form): O_k = polar(g_k), m_k = (1-alpha) m_{k-1} + alpha O_k, x_{k+1} = x_k - eta m_k.
// Norm pair for Muon: ||.|| = ||.||_op, dual ||.||_* (nuclear); rho = sqrt(q) (||.||_* <= sqrt(q) ||.||_F,
// so E||xi||_* <= rho sigma); L = q L_F (||P E Q||_* <= q L_F ||E||_op on the quadratic; Cesista eq. 7).
// For NSGD-M: Frobenius both ways, rho = 1, L = L_F.
//
//   part lemma3-bound      E||m_k - grad f(x_k)||_* <= (1-alpha)^k rho sigma + sqrt(alpha) rho sigma + L eta/alpha
//                          for k = 0..K, with (eta, alpha) of Theorem 2 at eps = rho sigma (alpha = 1/16)
//   part muon-slope        K(eps) = first k with min_{j<=k} ||grad f(x_j)||_* <= eps, (eta, alpha) of Theorem 2:
//                          the log-log slope of the mean K against eps is >= -4 (Theorem 2's eps^-4)
//   part nsgd-m-slope      the same for NSGD-M (Frobenius norms)
//   part muon-error-vanishes   Muon's direction error E||polar(m) - polar(G)||_F at a fixed point (eta = 0)
//                          falls like sqrt(alpha): slope 1/2 in alpha (m averages before the map)
//   part osgdm-bias-persists   Orthogonal-SGDM's E||m - polar(G)||_F stays >= ||E polar(G + xi) - polar(G)||_F > 0
//                          for every alpha (it averages after the map; docs/theory.md 2f test 3, Kovalev App. B)
// Decoys: lemma3-no-sqrt-alpha (the bound without sqrt(alpha) rho sigma), stochastic-as-deterministic
// (claims Muon's K(eps) slope >= -2, the deterministic rate), osgdm-error-vanishes (claims O-SGDM's
// error falls like sqrt(alpha) too).
//
// Tolerances are statistical (the runs are exact to many digits in both precisions; the noise is
// drawn in double by Rng and is the same in double and mp50): 3 standard errors over S seeds.
// Lemma 3: at each k, mean over seeds vs the bound, tolerance 3 sd_k/sqrt(S); the binding k reported.
// Slopes: the standard error of ln(mean K) per eps, propagated through the fit weights (3 sqrt(sum w^2 se^2)).
// Error slopes: support.hpp fit_slope with relative uncertainties 3 se/mean (seed-to-seed spread of the
// time averages) in place of rounding, plus the spread of the local slopes (truncation).
#include <cmath>
#include <tuple>

#include "claims/support.hpp"
#include "harness/problem.hpp"
#include "harness/core/rng.hpp"
#include "solvers/spectral/polar.hpp"
#include "solvers/steps/muon_step.hpp"
#include "solvers/steps/orthogonal_sgdm_step.hpp"

namespace mb {
namespace {

ClaimInfo kovalev_info() {
  return {"kovalev-trust-region",
          "Kovalev's trust-region analysis along runs: the momentum error obeys Lemma 3's bound; with Theorem 2's "
          "parameters the iterations to reach ||grad f||_* <= eps grow no faster than eps^-4 for Muon and NSGD-M; "
          "Muon's direction error vanishes like sqrt(alpha) while Orthogonal-SGDM keeps an alpha-independent bias.",
          "E||m_k - grad f(x_k)||_* <= (1-alpha)^k rho sigma + sqrt(alpha) rho sigma + L eta/alpha;  "
          "d ln K / d ln eps >= -4;  E||polar(m) - polar(G)|| ~ sqrt(alpha);  "
          "E||m_OSGDM - polar(G)|| >= ||E polar(G + xi) - polar(G)|| > 0",
          "Kovalev arXiv:2503.12645 Lemma 3, Theorem 2, Appendix B (quoted by Cesista) (published); docs/theory.md 2f tests 1-3",
          "statistical: 3 standard errors over seeds (per step for Lemma 3; through the fit weights for slopes); "
          "error slopes also carry the spread of the local slopes; rounding is negligible (< 1e-12 relative)",
          {{"lemma3-no-sqrt-alpha", "the Lemma 3 bound without the sqrt(alpha) rho sigma term"},
           {"stochastic-as-deterministic", "claims Muon's K(eps) slope >= -2 (the deterministic eps^-2) under noise"},
           {"osgdm-error-vanishes", "claims Orthogonal-SGDM's direction error falls like sqrt(alpha) as Muon's does"}},
          {{"lemma3-bound", "mean ||m_k - grad f(x_k)||_* <= Lemma 3's bound at every k <= K"},
           {"muon-slope", "log-log slope of the mean iterations-to-eps K(eps) >= -4 (Muon, Theorem 2 parameters)"},
           {"nsgd-m-slope", "log-log slope of K(eps) >= -4 (NSGD-M, Theorem 2 parameters in Frobenius norms)"},
           {"muon-error-vanishes", "slope of E||polar(m) - polar(G)||_F in alpha is 1/2 (fixed point, eta = 0)"},
           {"osgdm-bias-persists", "E||m_OSGDM - polar(G)||_F >= ||E polar(G+xi) - polar(G)||_F > 0 for all alpha"}}};
}

template <class T>
T nuclear(const Mat<T>& A) {
  return linalg::singular_values<T>(A).sum();
}

template <class T>
struct Setup {
  std::unique_ptr<Problem<T>> problem;
  Mat<T> x0;
  long m, n, q;
  T L_F, sigma;
};

template <class T>
Setup<T> make_setup(const std::string& sigma) {
  Setup<T> s;
  const json params = {{"m", 3}, {"n", 2}, {"kappa", "4"}, {"seed", 611}, {"sigma", sigma}, {"init_scale", "1"}};
  s.problem = make_problem<T>("quadratic-kron", params);
  s.x0 = s.problem->initial_point(0)[0];
  s.m = 3, s.n = 2, s.q = 2;
  s.L_F = *s.problem->known().L;
  s.sigma = s.problem->noise_sigma();
  return s;
}

// Kovalev's Algorithm 1 with the spectral norm as the Muon step of solvers/steps/muon_step.hpp:
// m = (1 - alpha) m + alpha g started at m_0 = g_0, the exact polar map, no Nesterov, s = 1, wd = 0.
template <class T>
MuonStep<T> kovalev_muon(const T& alpha, const T& eta) {
  MuonStep<T> st;
  st.momentum = Momentum<T>::ema_alpha(alpha, EmaForm::weighted);
  st.momentum.first_gradient = true;
  st.lr = eta;
  st.scale.kind = ShapeScaleKind::none;
  return st;
}
template <class T>
void exact_polar(const Mat<T>& u, Mat<T>& O) {
  O = spectral::polar<T>(u);
}

template <class T>
Mat<T> grad(const Setup<T>& s, const Mat<T>& x) {
  Params<T> g;
  s.problem->value_and_gradient(Params<T>{x}, g);
  return g[0];
}
template <class T>
Mat<T> noisy(const Setup<T>& s, const Mat<T>& x, Rng& rng) {
  Params<T> g;
  s.problem->value_and_gradient(Params<T>{x}, g);
  s.problem->add_gradient_noise(g, rng);
  return g[0];
}

template <class T>
T mean(const std::vector<T>& v) {
  T a(0);
  for (const auto& x : v) a += x;
  return a / T(static_cast<long>(v.size()));
}
template <class T>
T stderr_of_mean(const std::vector<T>& v) {
  using std::sqrt;
  const T mu = mean(v);
  T a(0);
  for (const auto& x : v) a += (x - mu) * (x - mu);
  const T n(static_cast<long>(v.size()));
  return sqrt(a / (n - T(1)) / n);
}

// Iterations until min_j ||grad f(x_j)|| <= eps (dual norm), Theorem 2's eta and alpha; muon or NSGD-M.
template <class T>
long iterations_to_eps(const Setup<T>& s, bool muon, const T& eps, std::uint64_t seed, long cap) {
  using std::sqrt;
  const T rho = muon ? sqrt(T(s.q)) : T(1), L = muon ? T(s.q) * s.L_F : s.L_F;
  const T rs = rho * s.sigma;
  const T eta = std::min(T(eps / (T(16) * L)), T(eps * eps * eps / (T(256) * rs * rs * L)));
  const T alpha = std::min(T(1), T(eps * eps / (T(16) * rs * rs)));
  Rng rng(seed);
  MuonStep<T> step = kovalev_muon<T>(alpha, eta);
  Mat<T> x = s.x0, mom;
  for (long k = 0; k < cap; ++k) {
    const Mat<T> g = grad(s, x);
    // ||g||_F <= ||g||_*: the SVD is needed only once the Frobenius norm is below eps.
    const T gf = g.norm();
    if (gf <= eps && (!muon || nuclear<T>(g) <= eps)) return k;
    if (muon) {
      step(x, noisy(s, x, rng), mom, k + 1, exact_polar<T>);
    } else {  // NSGD-M: the same momentum, x -= eta m/||m||_F
      step.momentum.accumulate(mom, noisy(s, x, rng), k + 1);
      x -= eta * Mat<T>(mom / mom.norm());
    }
  }
  throw NumericalError("kovalev-trust-region: eps = " + to_decimal<T>(eps) + " not reached in " + std::to_string(cap) +
                       " iterations");
}

template <class T>
std::vector<ClaimOutcome> kovalev(const ClaimContext& ctx) {
  using std::abs;
  using std::log;
  using std::pow;
  using std::sqrt;
  using claims::num;
  std::vector<ClaimOutcome> out;
  const std::string stat = "3 standard errors over the seeds (statistical; rounding negligible)";
  // ---------------- Lemma 3 along a Muon run
  {
    const Setup<T> s = make_setup<T>("1");
    const T rho = sqrt(T(s.q)), L = T(s.q) * s.L_F, rs = rho * s.sigma;
    const T eps = rs;  // Theorem 2 at eps = rho sigma: alpha = 1/16, eta = eps^3/(256 rho^2 sigma^2 L)
    const T alpha = std::min(T(1), T(eps * eps / (T(16) * rs * rs)));
    const T eta = std::min(T(eps / (T(16) * L)), T(eps * eps * eps / (T(256) * rs * rs * L)));
    const long K = 160, S = 16;
    std::vector<std::vector<T>> err(K + 1);
    for (long sd = 0; sd < S; ++sd) {
      Rng rng(6110 + sd);
      MuonStep<T> step = kovalev_muon<T>(alpha, eta);
      Mat<T> x = s.x0, mom;
      for (long k = 0; k <= K; ++k) {
        const Mat<T>& u = step.input(mom, noisy(s, x, rng), k + 1);  // m_k
        err[k].push_back(nuclear<T>(Mat<T>(mom - grad(s, x))));
        step.descend(x, u, exact_polar<T>);
      }
    }
    const json inst = {{"problem", "quadratic-kron"}, {"params", {{"m", 3}, {"n", 2}, {"kappa", "4"}, {"seed", 611}, {"sigma", "1"}}},
                       {"algorithm", "Muon-EMA (Kovalev Alg. 1, spectral norm)"}, {"seeds", S}, {"steps", K},
                       {"eps", "rho sigma"}, {"alpha", num(alpha)}, {"eta", num(eta)}, {"rho", num(rho)}, {"L", num(L)}};
    for (int decoy = 0; decoy < 2; ++decoy) {
      claims::Check<T> c;
      c.instance = "quadratic-kron-3x2";
      bool first = true;
      long bind = 0;
      json table = json::array();
      for (long k = 0; k <= K; ++k) {
        const T bound = pow(T(1) - alpha, T(k)) * rs + (decoy ? T(0) : sqrt(alpha) * rs) + L * eta / alpha;
        const T mu = mean(err[k]), tol = T(3) * stderr_of_mean(err[k]);
        if (k % 20 == 0) table.push_back({{"k", k}, {"mean_error", num(mu)}, {"bound", num(bound)}});
        if (first || bound - mu + tol < c.margin + c.tol) c.margin = bound - mu, c.tol = tol, bind = k;
        first = false;
      }
      c.measured = {{"binding_k", bind}, {"every_20_steps", table}};
      c.predicted = {{"bound", decoy ? "(1-alpha)^k rho sigma + L eta/alpha" : "(1-alpha)^k rho sigma + sqrt(alpha) rho sigma + L eta/alpha"}};
      out.push_back(claims::combine<T>(decoy ? "lemma3-no-sqrt-alpha" : "lemma3-bound", decoy != 0, {c}, inst,
                                       stat + "; the step with the least slack"));
    }
  }
  // ---------------- iterations-to-eps slopes (Theorem 2 parameters)
  {
    const Setup<T> s = make_setup<T>("0.25");
    const long S = 4;
    const T g0 = nuclear<T>(grad(s, s.x0));
    for (int algo = 0; algo < 2; ++algo) {
      const bool muon = algo == 0;
      const T rho = muon ? sqrt(T(s.q)) : T(1);
      const T g0n = muon ? g0 : grad(s, s.x0).norm();
      // eps = t rho sigma, t = 2^(1 - j/3), j = 0..3 (stochastic regime eps < 4 rho sigma); the start has
      // ||grad f(x_0)|| = g0n, far above (x_0 is fixed; the seeds vary the noise).
      std::vector<T> lx, ly, se;
      json rows = json::array();
      for (int j = 0; j < 4; ++j) {
        const T eps = pow(T(2), T(1) - T(j) / T(3)) * rho * s.sigma;
        std::vector<T> ks;
        for (long sd = 0; sd < S; ++sd) ks.push_back(T(iterations_to_eps<T>(s, muon, eps, 6200 + sd, 40000)));
        const T mk = mean(ks);
        lx.push_back(log(eps)), ly.push_back(log(mk));
        se.push_back(stderr_of_mean(ks) / mk);
        rows.push_back({{"eps", num(eps)}, {"mean_K", num(mk)}, {"K_per_seed", claims::nums(ks)}});
      }
      const claims::Line<T> l = claims::fit_line(lx, ly);
      T var(0);
      for (size_t j = 0; j < lx.size(); ++j) var += l.weights[j] * l.weights[j] * se[j] * se[j];
      const T tol = T(3) * sqrt(var);
      const json inst = {{"problem", "quadratic-kron"}, {"sigma", "0.25"}, {"algorithm", muon ? "Muon-EMA" : "NSGD-M"},
                         {"seeds", S}, {"eps", "2^(1-j/3) rho sigma, j = 0..3"}, {"grad_norm_at_start", num(g0n)},
                         {"parameters", "Theorem 2: eta = min(eps/(16L), eps^3/(256 rho^2 sigma^2 L)), alpha = min(1, eps^2/(16 rho^2 sigma^2))"}};
      for (int decoy = 0; decoy < (muon ? 2 : 1); ++decoy) {
        claims::Check<T> c;
        c.instance = "quadratic-kron-3x2";
        const T pred = decoy ? T(-2) : T(-4);
        c.margin = l.slope - pred;
        c.tol = tol;
        c.measured = {{"fitted_slope", num(l.slope)}, {"points", rows}};
        c.predicted = {{"slope_at_least", num(pred)}};
        const std::string name = decoy ? "stochastic-as-deterministic" : (muon ? "muon-slope" : "nsgd-m-slope");
        out.push_back(claims::combine<T>(name, decoy != 0, {c}, inst, "3 x standard error of the fitted slope (seeds)"));
      }
    }
  }
  // ---------------- Muon vs Orthogonal-SGDM at a fixed point (eta = 0)
  {
    // sigma = 1/2: the noise is comparable to G's smallest singular value, so the O-SGDM bias
    // E polar(G + xi) - polar(G) is large, while Muon's averaged m stays in polar's linear regime.
    const Setup<T> s = make_setup<T>("0.5");
    const Mat<T> G = grad(s, s.x0);
    const Mat<T> PG = spectral::polar<T>(G);
    // b_O = ||E polar(G + xi) - polar(G)||_F by Monte Carlo (N samples), with its standard error.
    const long N = 2000;
    Rng mc(6300);
    Mat<T> acc = Mat<T>::Zero(s.m, s.n);
    std::vector<Mat<T>> samples;
    for (long i = 0; i < N; ++i) {
      samples.push_back(spectral::polar<T>(noisy(s, s.x0, mc)));
      acc += samples.back();
    }
    acc /= T(N);
    T spread(0);
    for (const auto& P : samples) spread += (P - acc).squaredNorm();
    const T bO = (acc - PG).norm(), bO_se = sqrt(spread / T(N - 1) / T(N));
    const long S = 24;
    std::vector<T> alphas{T(1) / T(8), T(1) / T(16), T(1) / T(32), T(1) / T(64)};
    std::vector<T> dm, dmr, dO, dOr;
    json rows = json::array();
    T osgdm_worst_margin(0), osgdm_worst_tol(0);
    bool first = true;
    for (const T& a : alphas) {
      const long burn = static_cast<long>(to_double(T(3) / a)), avg = static_cast<long>(to_double(T(8) / a));
      std::vector<T> em, eo;
      // eta = 0: only the momenta move; Muon's m = (1-a) m + a g, O-SGDM's m = (1-a) m + a polar(g),
      // each started at its first sample.
      MuonStep<T> muon = kovalev_muon<T>(a, T(0));
      OrthogonalSgdmStep<T> osgdm{muon.momentum};
      for (long sd = 0; sd < S; ++sd) {
        Rng rng(6400 + sd);
        Mat<T> mm, mo;
        muon.input(mm, noisy(s, s.x0, rng), 1);
        osgdm.accumulate(mo, noisy(s, s.x0, rng), 1);
        T sm(0), so(0);
        for (long k = 0; k < burn + avg; ++k) {
          const Mat<T> g = noisy(s, s.x0, rng);
          muon.input(mm, g, k + 2);
          osgdm.accumulate(mo, g, k + 2);
          if (k >= burn) sm += (spectral::polar<T>(mm) - PG).norm(), so += (mo - PG).norm();
        }
        em.push_back(sm / T(avg)), eo.push_back(so / T(avg));
      }
      const T mM = mean(em), mO = mean(eo), seM = stderr_of_mean(em), seO = stderr_of_mean(eo);
      dm.push_back(mM), dmr.push_back(T(3) * seM / mM), dO.push_back(mO), dOr.push_back(T(3) * seO / mO);
      rows.push_back({{"alpha", num(a)}, {"muon_error", num(mM)}, {"osgdm_error", num(mO)}});
      const T mg = mO - bO, tl = T(3) * (seO + bO_se);
      if (first || mg + tl < osgdm_worst_margin + osgdm_worst_tol) osgdm_worst_margin = mg, osgdm_worst_tol = tl;
      first = false;
    }
    const Vec<T> sv_G = linalg::singular_values<T>(G);
    const json inst = {{"problem", "quadratic-kron"}, {"sigma", "0.5"}, {"point", "x_0 fixed (eta = 0)"},
                       {"singular_values_G", claims::nums(std::vector<T>{sv_G(0), sv_G(1)})}, {"seeds", S},
                       {"alphas", "1/8 .. 1/64"}, {"steps", "3/alpha burn-in + 8/alpha averaged"},
                       {"monte_carlo_samples_for_bias", N}};
    const claims::SlopeData<T> fm = claims::fit_slope<T>(alphas, dm, dmr, 3, T(1) / T(2));
    const claims::SlopeData<T> fo = claims::fit_slope<T>(alphas, dO, dOr, 3, T(1) / T(2));
    const std::string src_sl = "spread of local slopes + 3 standard errors (seeds) through the fit weights (fit_slope)";
    for (int decoy = 0; decoy < 2; ++decoy) {
      const claims::SlopeData<T>& f = decoy ? fo : fm;
      claims::Check<T> c;
      c.instance = "quadratic-kron-3x2";
      if (!f.resolved) {
        c.resolved = false;
        c.unresolved_reason = "statistical error above 50 % at too many alphas";
      } else {
        c.margin = -abs(f.fitted - T(1) / T(2));
        c.tol = f.truncation + f.rounding;
      }
      c.measured = {{"fitted_slope", num(f.fitted)}, {"errors", rows}};
      c.predicted = {{"slope", "1/2"}, {"algorithm", decoy ? "Orthogonal-SGDM" : "Muon"}};
      c.extra = f.to_json();
      out.push_back(claims::combine<T>(decoy ? "osgdm-error-vanishes" : "muon-error-vanishes", decoy != 0, {c}, inst, src_sl));
    }
    claims::Check<T> c;
    c.instance = "quadratic-kron-3x2";
    // Also require the bias itself to be resolved: b_O above 3 standard errors.
    c.margin = std::min(osgdm_worst_margin, T(bO - T(6) * bO_se));
    c.tol = osgdm_worst_tol;
    c.measured = {{"errors", rows}, {"bias_E_polar", num(bO)}, {"bias_standard_error", num(bO_se)}};
    c.predicted = {{"lower_bound", "||E polar(G + xi) - polar(G)||_F (Jensen), > 0"}};
    out.push_back(claims::combine<T>("osgdm-bias-persists", false, {c}, inst,
                                     "3 standard errors of the O-SGDM mean error and of the Monte Carlo bias"));
  }
  if (!ctx.decoys) {
    std::vector<ClaimOutcome> kept;
    for (auto& o : out)
      if (!o.decoy) kept.push_back(std::move(o));
    return kept;
  }
  return out;
}

}  // namespace

MB_REGISTER_CLAIM(kovalev_info, kovalev);

}  // namespace mb
