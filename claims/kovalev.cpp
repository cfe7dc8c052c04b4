// kovalev-trust-region: Kovalev's analysis of Muon as a non-Euclidean trust-region method
// (arXiv:2503.12645, Lemma 3, Theorem 2, Appendix B, as quoted by Cesista; docs/theory.md 2f), along
// runs on the stochastic Kronecker quadratic (claims/kovalev_common.hpp). The iteration counts and
// their eps^-3 growth: claims/kovalev_complexity.cpp.
//
// Kovalev's Algorithm 1 with the spectral norm: x_{k+1} = x_k - eta polar(m_k),
// m_{k+1} = (1 - alpha) m_k + alpha g(x_{k+1}), m_0 = g(x_0). Orthogonal-SGDM (EMA form):
// m_k = (1 - alpha) m_{k-1} + alpha polar(g_k).
//
//   part lemma3-bound        E||m_k - grad f(x_k)||_* <= (1-alpha)^k rho sigma + sqrt(alpha) rho sigma + L eta/alpha,
//                            every k <= K, (eta, alpha) of Theorem 2, on two instances: eps = rho sigma/8 on an
//                            8 x 2 block (the first steps nearly attain the bound: E||xi||_* is close to rho sigma
//                            for a tall block) and eps = rho sigma (alpha = 1/16, the stationary regime)
//   part descent-inequality  f(x_{k+1}) <= f(x_k) - eta ||grad f(x_k)||_* + 2 eta ||m_k - grad f(x_k)||_* + L eta^2/2
//                            with L = q L_F, at every step (pathwise; docs/theory.md 2f, Theorem 2's descent step):
//                            attained on the isotropic quadratic with alpha = 1, sigma = 0; a bound on a noisy run
//   part theorem2-bound      E min_{k<K} ||grad f(x_k)||_* <= D0/(eta K) + 2 rho sigma/(alpha K) + 2 sqrt(alpha) rho sigma
//                            + 3 L eta/2 + 2 L eta/alpha (composed: loose by construction)
//   part muon-error-vanishes E||polar(m) - polar(G)||_F at a fixed point (eta = 0) against a = alpha/(2 - alpha)
//                            (the stationary variance factor of the EMA): slope 1/2 (m averages before the map)
//   part osgdm-bias-persists E||m_OSGDM - polar(G)||_F >= ||E polar(G + xi) - polar(G)||_F > 0 for every alpha
// Decoys: lemma3-bound-x0.8 and descent-inequality-x0.8 (the bounds x 4/5), lemma3-no-sqrt-alpha,
// muon-slope-0.6 (1/2 x 6/5), osgdm-error-vanishes (O-SGDM's error with slope 1/2), osgdm-bias-x1.2.
//
// Tolerances: seed statistics (3 standard errors; the runs with many seeds are in double in both
// precisions), rounding for the pathwise descent inequality (computed in the claim's precision).
#include <cmath>

#include "claims/kovalev_common.hpp"
#include "solvers/steps/orthogonal_sgdm_step.hpp"

namespace mb {
namespace {

using D = double;

ClaimInfo kovalev_info() {
  return {"kovalev-trust-region",
          "Kovalev's trust-region analysis along runs: the momentum error obeys Lemma 3's bound; the descent inequality "
          "of Theorem 2's proof holds at every step with L = q L_F and is attained on the isotropic quadratic; "
          "Theorem 2's bound holds on the mean over seeds; Muon's direction error vanishes like sqrt(alpha) while "
          "Orthogonal-SGDM keeps an alpha-independent bias.",
          "E||m_k - grad f(x_k)||_* <= (1-alpha)^k rho sigma + sqrt(alpha) rho sigma + L eta/alpha;  "
          "f(x_{k+1}) - f(x_k) + eta ||grad f_k||_* - 2 eta ||m_k - grad f_k||_* <= L eta^2/2;  "
          "E min_k ||grad f(x_k)||_* <= D0/(eta K) + 2 rho sigma/(alpha K) + 2 sqrt(alpha) rho sigma + 3 L eta/2 + 2 L eta/alpha;  "
          "E||polar(m) - polar(G)|| ~ (alpha/(2-alpha))^(1/2);  E||m_OSGDM - polar(G)|| >= ||E polar(G + xi) - polar(G)|| > 0",
          "Kovalev arXiv:2503.12645 Lemma 3, Theorem 2, Appendix B (published, second-hand via Cesista); docs/theory.md 2f "
          "tests 1-3 and the descent inequality (derivation of this project)",
          "statistical: 3 standard errors over seeds (per step for Lemma 3; through the fit weights and the spread of the "
          "local slopes for the slope); the pathwise descent inequality: a rounding bound 64 u (|f| + eta ||.||_* terms)",
          {{"lemma3-bound-x0.8", "Lemma 3's bound x 4/5"},
           {"lemma3-no-sqrt-alpha", "the Lemma 3 bound without the sqrt(alpha) rho sigma term"},
           {"descent-inequality-x0.8", "the descent inequality's curvature term L eta^2/2 x 4/5"},
           {"muon-slope-0.6", "Muon's direction error slope predicted as 0.6 (1/2 x 6/5)"},
           {"osgdm-error-vanishes", "claims Orthogonal-SGDM's direction error falls like sqrt(alpha) as Muon's does"},
           {"osgdm-bias-x1.2", "the Jensen lower bound on O-SGDM's error x 6/5"}},
          {{"lemma3-bound", "mean ||m_k - grad f(x_k)||_* <= Lemma 3's bound at every k <= K, two instances"},
           {"descent-inequality", "the one-step descent inequality with L = q L_F at every step, two instances"},
           {"theorem2-bound", "mean over 64 seeds of min_{k<K} ||grad f(x_k)||_* <= Theorem 2's right side, at four K"},
           {"muon-error-vanishes", "slope of E||polar(m) - polar(G)||_F in alpha/(2 - alpha) is 1/2 (fixed point, eta = 0)"},
           {"osgdm-bias-persists", "E||m_OSGDM - polar(G)||_F >= ||E polar(G+xi) - polar(G)||_F > 0 for all alpha"}},
          {{"theorem2-bound",
            "a sum of five worst cases (the descent inequality at every step, Lemma 3 at its worst k, the triangle "
            "inequality between m and grad f); its inequalities are the parts lemma3-bound and descent-inequality"}}};
}

// ---- Lemma 3 on one instance: the mean error at every k <= K against the bound (upper atoms).
template <class T>
claims::Check<T> lemma3(const std::string& name, long m, long n, const D& t, long K, long S, bool with_sqrt_alpha) {
  using std::pow;
  using std::sqrt;
  using claims::num;
  const kovalev::Setup<D> s = kovalev::make_setup<D>(m, n, "4", "1", "1");
  const D rho = s.rho(true), L = s.L(true), rs = rho * s.sigma;
  const kovalev::Theorem2<D> p(t * rs, rho, s.sigma, L, 1.0);
  std::vector<std::vector<D>> err(K + 1);
  for (long sd = 0; sd < S; ++sd) {
    Rng rng(6110 + sd);
    MuonStep<D> step = kovalev::muon_step<D>(p.alpha, p.eta);
    Mat<D> x = s.x0, mom;
    for (long k = 0; k <= K; ++k) {
      const Mat<D>& u = step.input(mom, kovalev::noisy(s, x, rng), k + 1);  // m_k
      err[k].push_back(kovalev::nuclear<D>(Mat<D>(mom - kovalev::grad(s, x))));
      step.descend(x, u, kovalev::exact_polar<D>);
    }
  }
  claims::Check<T> c;
  c.instance = name;
  long bind = 0;
  json table = json::array();
  for (long k = 0; k <= K; ++k) {
    const D bound = pow(1.0 - p.alpha, D(k)) * rs + (with_sqrt_alpha ? sqrt(p.alpha) * rs : 0.0) + L * p.eta / p.alpha;
    const D mu = kovalev::mean(err[k]), tol = 3.0 * kovalev::stderr_of_mean(err[k]);
    if (k % (K / 8) == 0) table.push_back({{"k", k}, {"mean_error", num(mu)}, {"bound", num(bound)}});
    if (c.upper(T(mu), T(bound), T(tol))) bind = k;
  }
  c.measured = {{"binding_k", bind}, {"table", table}};
  c.predicted = {{"bound", with_sqrt_alpha ? "(1-alpha)^k rho sigma + sqrt(alpha) rho sigma + L eta/alpha"
                                           : "(1-alpha)^k rho sigma + L eta/alpha"},
                 {"eps", num(t * rs)}, {"alpha", num(p.alpha)}, {"eta", num(p.eta)}, {"rho_sigma", num(rs)}, {"L", num(L)},
                 {"m", m}, {"n", n}, {"steps", K}, {"seeds", S}};
  return c;
}

// ---- The descent inequality at every step of one run (in the claim's precision, pathwise):
//   x_k = f(x_{k+1}) - f(x_k) + eta ||g_k||_* - 2 eta ||m_k - g_k||_*  <=  L eta^2/2,   g_k = grad f(x_k).
template <class T>
claims::Check<T> descent(const std::string& name, const std::string& kappa, const std::string& sigma, const T& alpha,
                         const T& eta, long K) {
  using std::abs;
  using claims::num;
  const kovalev::Setup<T> s = kovalev::make_setup<T>(3, 2, kappa, sigma, "1");
  const T L = s.L(true), u = T(unit_roundoff<T>());
  Rng rng(6500);
  MuonStep<T> step = kovalev::muon_step<T>(alpha, eta);
  Mat<T> x = s.x0, mom;
  claims::Check<T> c;
  c.instance = name;
  T worst_ratio(0);
  for (long k = 0; k < K; ++k) {
    const Mat<T> g = kovalev::grad(s, x);
    const T f0 = kovalev::value(s, x);
    const Mat<T> u_k = step.input(mom, kovalev::noisy(s, x, rng), k + 1);
    const T gn = kovalev::nuclear<T>(g), en = kovalev::nuclear<T>(Mat<T>(u_k - g));
    step.descend(x, u_k, kovalev::exact_polar<T>);
    const T f1 = kovalev::value(s, x);
    const T lhs = f1 - f0 + eta * gn - T(2) * eta * en, bound = L * eta * eta / T(2);
    const T tol = T(64) * u * (abs(f0) + abs(f1) + eta * (gn + T(2) * en));
    c.upper(lhs, bound, tol);
    if (lhs / bound > worst_ratio) worst_ratio = lhs / bound;
  }
  c.measured = {{"largest_lhs_over_bound", num(worst_ratio)}};
  c.predicted = {{"bound", "L eta^2/2, L = q L_F"}, {"kappa", kappa}, {"sigma", sigma}, {"alpha", num(alpha)},
                 {"eta", num(eta)}, {"L", num(L)}, {"steps", K}};
  return c;
}

// ---- Theorem 2: the mean over seeds of min_{k<K} ||grad f(x_k)||_* against the right side at K.
template <class T>
claims::Check<T> theorem2(long S) {
  using claims::num;
  const kovalev::Setup<D> s = kovalev::make_setup<D>(3, 2, "4", "1", "0.1");
  const D rho = s.rho(true), L = s.L(true), rs = rho * s.sigma, D0 = kovalev::value(s, s.x0) - s.f_star;
  const D eps = rs / 2;
  const kovalev::Theorem2<D> p(eps, rho, s.sigma, L, D0);
  const long K = static_cast<long>(p.K);
  const std::vector<long> Ks{K / 8, K / 4, K / 2, K};
  std::vector<std::vector<D>> mins(Ks.size());
  for (long sd = 0; sd < S; ++sd) {
    Rng rng(6600 + sd);
    MuonStep<D> step = kovalev::muon_step<D>(p.alpha, p.eta);
    Mat<D> x = s.x0, mom;
    D best = std::numeric_limits<D>::infinity();
    size_t next = 0;
    for (long k = 0; k < K; ++k) {
      const Mat<D> g = kovalev::grad(s, x);
      if (g.norm() < best) best = std::min(best, kovalev::nuclear<D>(g));  // ||g||_F <= ||g||_*
      if (k + 1 == Ks[next]) mins[next++].push_back(best);
      step(x, kovalev::noisy(s, x, rng), mom, k + 1, kovalev::exact_polar<D>);
    }
  }
  claims::Check<T> c;
  c.instance = "theorem2";
  json rows = json::array();
  for (size_t i = 0; i < Ks.size(); ++i) {
    const D mu = kovalev::mean(mins[i]), se = kovalev::stderr_of_mean(mins[i]), b = p.bound(D(Ks[i]), rho, s.sigma, L, D0);
    c.upper(T(mu), T(b), T(3.0 * se));
    rows.push_back({{"K", Ks[i]}, {"mean_min_dual_grad", num(mu)}, {"standard_error", num(se)}, {"bound", num(b)}});
  }
  c.measured = {{"points", rows}};
  c.predicted = {{"bound", "D0/(eta K) + 2 rho sigma/(alpha K) + 2 sqrt(alpha) rho sigma + 3 L eta/2 + 2 L eta/alpha"},
                 {"eps", num(eps)}, {"K_theorem2", K}, {"D0", num(D0)}, {"alpha", num(p.alpha)}, {"eta", num(p.eta)},
                 {"seeds", S}, {"params", s.params}};
  return c;
}

// ---- At a fixed point (eta = 0): Muon's m = (1-a) m + a g, O-SGDM's m = (1-a) m + a polar(g), each started
// at its first sample. The stationary EMA of iid noise has variance factor alpha/(2 - alpha) (sum of
// alpha^2 (1-alpha)^(2j)), so in polar's linear regime E||polar(m) - polar(G)|| = c (alpha/(2-alpha))^(1/2)
// exactly up to O(sigma^2) (docs/theory.md 2f test 3).
void add_noise(Mat<D>& g, const D& scale, Rng& rng) {  // as Problem::add_gradient_noise: column-major
  for (Eigen::Index j = 0; j < g.cols(); ++j)
    for (Eigen::Index i = 0; i < g.rows(); ++i) g(i, j) += scale * rng.normal();
}

template <class T>
void fixed_point(claims::Outcomes<T>& out) {
  using std::sqrt;
  using claims::num;
  const std::vector<long> inv_alphas{8, 16, 32, 64, 128}, osgdm_inv_alphas{4, 8, 16, 32, 64};
  // Muon on sigma = 1/10: polar's linear regime (the EMA noise is far below G's smallest singular value).
  {
    const kovalev::Setup<D> s = kovalev::make_setup<D>(3, 2, "4", "0.1", "1");
    const Mat<D> G = kovalev::grad(s, s.x0), PG = spectral::polar<D>(G);
    const D scale = s.sigma / sqrt(D(s.m * s.n));
    const long S = 128;
    std::vector<T> av, ev, rv;
    json rows = json::array();
    for (long ia : inv_alphas) {
      const D a = 1.0 / D(ia);
      const long burn = 4 * ia, avg = 256 * ia, stride = std::max(1L, ia / 2);
      std::vector<D> em;
      for (long sd = 0; sd < S; ++sd) {
        Rng rng(6400 + sd);
        Mat<D> m = G, g;
        add_noise(m, scale, rng);
        D sum = 0;
        long cnt = 0;
        for (long k = 0; k < burn + avg; ++k) {
          g = G;
          add_noise(g, scale, rng);
          m = (1.0 - a) * m + a * g;
          if (k >= burn && (k - burn) % stride == 0) sum += (spectral::polar<D>(m) - PG).norm(), ++cnt;
        }
        em.push_back(sum / D(cnt));
      }
      const D mu = kovalev::mean(em), se = kovalev::stderr_of_mean(em);
      av.push_back(T(a / (2.0 - a))), ev.push_back(T(mu)), rv.push_back(T(3.0 * se / mu));
      rows.push_back({{"alpha", num(a)}, {"alpha_over_2_minus_alpha", num(a / (2.0 - a))}, {"mean_error", num(mu)},
                      {"standard_error", num(se)}});
    }
    const claims::SlopeData<T> f = claims::fit_slope<T>(av, ev, rv, 4, T(1) / T(20));
    claims::Check<T> c = claims::slope_check<T>("muon-sigma-0.1", f, T(1) / T(2), "statistical error above 1 % at too many alphas");
    c.measured["errors"] = rows;
    c.predicted["seeds"] = S;
    c.predicted["steps"] = "4/alpha burn-in + 256/alpha averaged (every 1/(2 alpha))";
    out.of("muon-error-vanishes", "fit_slope: 3 standard errors (seeds) through the fit weights + spread of the local slopes")
        .push_back(c);
    out.edge("muon-slope-0.6", "muon-error-vanishes", T(6) / T(5));
  }
  // O-SGDM on sigma = 1/2: the noise is comparable to G's smallest singular value, so the bias
  // b = ||E polar(G + xi) - polar(G)||_F is large. b^2 from N Monte Carlo samples without the
  // estimator's own bias: ||mean - polar(G)||^2 - V/N (V the per-sample variance).
  {
    const kovalev::Setup<D> s = kovalev::make_setup<D>(3, 2, "4", "0.5", "1");
    const Mat<D> G = kovalev::grad(s, s.x0), PG = spectral::polar<D>(G);
    const D scale = s.sigma / sqrt(D(s.m * s.n));
    const long N = 100000, S = 32;
    Rng mc(6300);
    Mat<D> acc = Mat<D>::Zero(s.m, s.n);
    D sq = 0;
    for (long i = 0; i < N; ++i) {
      Mat<D> g = G;
      add_noise(g, scale, mc);
      const Mat<D> P = spectral::polar<D>(g);
      acc += P, sq += P.squaredNorm();
    }
    acc /= D(N);
    const D V = (sq - D(N) * acc.squaredNorm()) / D(N - 1);
    const D b = sqrt(std::max(0.0, (acc - PG).squaredNorm() - V / D(N))), b_se = sqrt(V / D(N));
    claims::Check<T> c;
    c.instance = "osgdm-sigma-0.5";
    std::vector<T> av, ev, rv;
    json rows = json::array();
    for (long ia : osgdm_inv_alphas) {
      const D a = 1.0 / D(ia);
      const long burn = 3 * ia, avg = 16 * ia;
      std::vector<D> eo;
      for (long sd = 0; sd < S; ++sd) {
        Rng rng(6450 + sd);
        Mat<D> g = G;
        add_noise(g, scale, rng);
        Mat<D> m = spectral::polar<D>(g);
        D sum = 0;
        for (long k = 0; k < burn + avg; ++k) {
          g = G;
          add_noise(g, scale, rng);
          m = (1.0 - a) * m + a * spectral::polar<D>(g);
          if (k >= burn) sum += (m - PG).norm();
        }
        eo.push_back(sum / D(avg));
      }
      const D mu = kovalev::mean(eo), se = kovalev::stderr_of_mean(eo);
      c.lower(T(mu), T(b), T(3.0 * (se + b_se)));
      av.push_back(T(a / (2.0 - a))), ev.push_back(T(mu)), rv.push_back(T(3.0 * se / mu));
      rows.push_back({{"alpha", num(a)}, {"mean_error", num(mu)}, {"standard_error", num(se)}, {"jensen_bound", num(b)}});
    }
    c.lower(T(b - 3.0 * b_se), T(0), T(0));  // the bias itself is positive, beyond 3 standard errors
    c.measured = {{"errors", rows}, {"bias_E_polar", num(b)}, {"bias_standard_error", num(b_se)}};
    c.predicted = {{"lower_bound", "||E polar(G + xi) - polar(G)||_F (Jensen), > 0"}, {"seeds", S},
                   {"monte_carlo_samples_for_bias", N}, {"steps", "3/alpha burn-in + 16/alpha averaged"}};
    out.of("osgdm-bias-persists", "3 standard errors of the O-SGDM mean error and of the Monte Carlo bias").push_back(c);
    out.edge("osgdm-bias-x1.2", "osgdm-bias-persists", T(6) / T(5));
    const claims::SlopeData<T> f = claims::fit_slope<T>(av, ev, rv, 4, T(1) / T(20));
    claims::Check<T> d = claims::slope_check<T>("osgdm-sigma-0.5", f, T(1) / T(2), "statistical error above 1 % at too many alphas");
    d.measured["errors"] = rows;
    out.of("osgdm-error-vanishes", "fit_slope: 3 standard errors (seeds) + spread of the local slopes").push_back(d);
  }
}

template <class T>
std::vector<ClaimOutcome> trust_region(const ClaimContext& ctx) {
  const json inst = {{"problem", "quadratic-kron (stochastic, per-instance params in predicted)"},
                     {"algorithm", "Muon-EMA (Kovalev Alg. 1, spectral norm, exact polar)"},
                     {"statistics", "in double (seeds are statistics, not rounding); the descent inequality in the claim's precision"}};
  claims::Outcomes<T> out(ctx, kovalev_info(), inst);
  const std::string stat = "3 standard errors over the seeds at every k (statistical)";
  auto& l3 = out.of("lemma3-bound", stat);
  l3.push_back(lemma3<T>("8x2-eps-rho-sigma-over-8", 8, 2, 1.0 / 8, 64, 1024, true));
  l3.push_back(lemma3<T>("3x2-eps-rho-sigma", 3, 2, 1.0, 160, 64, true));
  out.edge("lemma3-bound-x0.8", "lemma3-bound", T(4) / T(5));
  out.of("lemma3-no-sqrt-alpha", stat).push_back(lemma3<T>("3x2-eps-rho-sigma", 3, 2, 1.0, 160, 64, false));

  auto& dsc = out.of("descent-inequality", "rounding: 64 u (|f(x_k)| + |f(x_{k+1})| + eta (||g||_* + 2 ||m - g||_*))");
  dsc.push_back(descent<T>("isotropic-deterministic-alpha-1", "1", "0", T(1), T(1) / T(64), 200));
  dsc.push_back(descent<T>("kappa-4-noisy-alpha-1/16", "4", "1", T(1) / T(16), T(1) / T(1024), 200));
  out.edge("descent-inequality-x0.8", "descent-inequality", T(4) / T(5));

  out.of("theorem2-bound", "3 standard errors of the mean over the seeds").push_back(theorem2<T>(64));
  fixed_point<T>(out);
  return out.outcomes();
}

}  // namespace

MB_REGISTER_CLAIM(kovalev_info, trust_region);

}  // namespace mb
