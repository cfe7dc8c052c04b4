// muon-quintic: the dynamics of Muon's Newton-Schulz quintic and the worst-case output bands of the
// registered Newton-Schulz schedules (docs/theory.md 2g, "Muon's quintic" and "Newton-Schulz polar
// iteration"; coefficients published: KellerJordan/Muon muon.py; analysis: derivation of this project).
//   p(x) = a x + b x^3 + c x^5, (a, b, c) = (3.4445, -4.7750, 2.0315).
//   part fixed-points          the positive fixed points solve (a - 1) + b y + c y^2 = 0, y = x^2 (closed form,
//                              refined by Newton in T): 0.8680 and 1.2637 as published to 4 digits, with slopes
//                              p' = -1.58 and 6.47 (3 digits): both repel (|p'| > 1)
//   part fixed-points-matrix   one step of the registered iteration (schedule jordan, normalization none) maps
//                              diag(x1*, x2*) to itself, to rounding
//   part band                  the local minimiser x* (a + 3b y + 5c y^2 = 0) = 1.0501, p(x*) = 0.6818,
//                              p(p(x*)) = 1.1344 and the local maximum 1.2024 as published; one registered step
//                              maps diag(x*, p(x*)) to diag(p(x*), p(p(x*))) to rounding
//   part band-invariant        p maps [lo, hi] = [p(x*), p(p(x*))] into itself (and onto it: tightness 1): the
//                              image of 65 points of the band under one registered step lies in [lo, hi]
//   part schedule-bands        for each registered schedule (jordan, you, polar-express, classic, cubic; 5 steps)
//                              the band [min q, max q] of the 5-step map q over x in [1e-3, 1] (normalised
//                              input), from a geometric sweep of 4000 points plus the critical points (sign changes
//                              of q' = prod p_k'(x_k), bisected) and the endpoints; the registered iteration on
//                              diag(argmin, argmax) returns diag(min q, max q) to rounding; jordan's band also
//                              equals the published [0.4705, 1.2024]; and Polar Express's construction without
//                              its safety factor ("unmodified", coefficients derived here by Remez, run through
//                              the registered iteration as a custom schedule) has the band [0.87644, 1.12356]
// Decoys: perturbed-polynomial (the fixed points of a = 3.5 instead of 3.4445, put through the
// registered jordan step), band-x1.01 (schedule bands x 1.01), fixed-points-x1.2 (edge).
//
// Tolerances. Published values: half a unit of their last digit (5e-5, 5e-3 for the slopes) plus
// the rounding of the computed value. Matrix against scalar: on a diagonal matrix every product
// of the registered step has one nonzero term, so each diagonal entry is the polynomial evaluated
// with at most 6 roundings, as is the scalar Horner form: per step 8 u sum |terms|, carried through
// the later steps by |p_k'| (first order), counted twice (both sides). A computed fixed point x^ is
// within (8 u sum|terms| / |p' - 1| + u x^) of the exact one, so the step moves it by at most
// (|p' - 1| + 1) that plus 8 u sum|terms|.
#include <cmath>
#include <string>

#include "claims/support.hpp"
#include "solvers/spectral/newton_schulz.hpp"

namespace mb {
namespace {

ClaimInfo muon_quintic_info() {
  return {"muon-quintic",
          "Muon's quintic p(x) = 3.4445x - 4.7750x^3 + 2.0315x^5 has repelling fixed points 0.8680 (p' = -1.58) and "
          "1.2637 (p' = 6.47) and maps its band [p(x*), p(p(x*))] = [0.6818, 1.1344] (x* = 1.0501) onto itself; each "
          "registered Newton-Schulz schedule's 5-step worst-case band over [1e-3, 1], computed by a sweep plus the "
          "critical points, is what the registered iteration returns on diagonal matrices at the extremal points.",
          "p(x_i*) = x_i*, |p'(x_i*)| > 1;  p([p(x*), p(p(x*))]) = [p(x*), p(p(x*))];  "
          "NS_5(diag(x_min, x_max)) = diag(min q, max q), q = p_5 o ... o p_1 on [1e-3, 1]",
          "docs/theory.md 2g, Muon's quintic (coefficients published: KellerJordan/Muon muon.py; fixed points, band: "
          "derivation of this project) and Newton-Schulz polar iteration; schedules: solvers/spectral/ns_schedules.cpp "
          "(optax, Amsel et al. arXiv:2505.16932); Polar Express unmodified: Amsel et al. arXiv:2505.16932, "
          "NoahAmsel/PolarExpress polar_express.py (cushion 0.02407327424182761, no safety factor)",
          "published values: half a unit of the last digit + rounding; matrix vs scalar: 8 u sum|terms| per step on "
          "each side, carried by |p_k'| through the later steps (diagonal matrices: one nonzero term per product)",
          {{"perturbed-polynomial", "the fixed points of a = 3.5 (not 3.4445) put through the registered jordan step"},
           {"band-x1.01", "each schedule's band endpoints x 1.01"},
           {"fixed-points-x1.2", "the fixed points and their slopes x 1.2 (edge)"}},
          {{"fixed-points", "closed-form fixed points and slopes = published 0.8680, 1.2637, -1.58, 6.47"},
           {"fixed-points-matrix", "one registered jordan step maps diag(x1*, x2*) to itself"},
           {"band", "x* = 1.0501, p(x*) = 0.6818, p(p(x*)) = 1.1344, local max 1.2024; one registered step on "
                    "diag(x*, p(x*)) gives diag(p(x*), p(p(x*)))"},
           {"band-invariant", "one registered step maps 65 points of [p(x*), p(p(x*))] into it (upper and lower bound)"},
           {"schedule-bands", "5-step bands over [1e-3, 1] of jordan, you, polar-express, classic, cubic and Polar Express "
                              "without safety factor (derived: [0.87644, 1.12356]) = the registered iteration on "
                              "diag(argmin, argmax)"}}};
}

template <class T>
using Abc = std::array<T, 3>;

template <class T>
T poly(const Abc<T>& c, const T& x) {
  const T x2 = x * x;
  return x * (c[0] + x2 * (c[1] + x2 * c[2]));
}
template <class T>
T dpoly(const Abc<T>& c, const T& x) {
  const T x2 = x * x;
  return c[0] + x2 * (T(3) * c[1] + x2 * T(5) * c[2]);
}
// 8 u sum |terms|: the rounding of one evaluation (either form) at x.
template <class T>
T eval_err(const Abc<T>& c, const T& x) {
  using std::abs;
  const T x2 = x * x;
  return T(8) * T(unit_roundoff<T>()) * abs(x) * (abs(c[0]) + x2 * (abs(c[1]) + x2 * abs(c[2])));
}
// The positive roots y of c2 y^2 + c1 y + c0 = 0, as x = sqrt(y), ascending.
template <class T>
std::vector<T> sqrt_roots(const T& c2, const T& c1, const T& c0) {
  using std::sqrt;
  const T d = sqrt(T(c1 * c1 - T(4) * c2 * c0));
  std::vector<T> r{sqrt(T((-c1 - d) / (T(2) * c2))), sqrt(T((-c1 + d) / (T(2) * c2)))};
  if (r[0] > r[1]) std::swap(r[0], r[1]);
  return r;
}

// The 5-step map of a schedule, its derivative, and the first-order rounding bound of one evaluation.
template <class T>
struct Composite {
  std::vector<Abc<T>> cs;
  T value(const T& x) const {
    T y = x;
    for (const auto& c : cs) y = poly(c, y);
    return y;
  }
  T derivative(const T& x) const {
    T y = x, d(1);
    for (const auto& c : cs) d *= dpoly(c, y), y = poly(c, y);
    return d;
  }
  T rounding(const T& x) const {
    using std::abs;
    T y = x, e(0);
    for (const auto& c : cs) e = abs(dpoly(c, y)) * e + eval_err(c, y), y = poly(c, y);
    return e;
  }
};

// Polar Express's construction without the safety factor ("unmodified"; Amsel et al. arXiv:2505.16932,
// NoahAmsel/PolarExpress polar_express.py): on [max(l, 0.02407327424182761 u), u] the odd quintic
// closest to 1 in the minimax sense (Remez: equioscillation at l, the two interior critical points
// and u; the critical points in closed form), rescaled by 2 / (p(l) + p(u)) so that it is centred on
// 1 over [l, u]; then l <- p(l), u <- 2 - l; from l = 1e-3, u = 1, five times.
template <class T>
Abc<T> minimax_quintic(const T& l, const T& u) {
  using std::abs;
  std::array<T, 4> pts{l, T(l + (u - l) / T(4)), T(l + T(3) * (u - l) / T(4)), u};
  Abc<T> c{};
  for (int it = 0; it < 200; ++it) {
    T M[4][5];  // [x, x^3, x^5, (-1)^i | 1]: p(x_i) + (-1)^i E = 1
    for (int i = 0; i < 4; ++i) {
      const T x = pts[static_cast<size_t>(i)], x2 = x * x;
      M[i][0] = x, M[i][1] = x * x2, M[i][2] = x * x2 * x2, M[i][3] = i % 2 ? T(-1) : T(1), M[i][4] = T(1);
    }
    for (int k = 0; k < 4; ++k) {  // Gauss-Jordan with partial pivoting
      int piv = k;
      for (int r = k + 1; r < 4; ++r)
        if (abs(M[r][k]) > abs(M[piv][k])) piv = r;
      for (int j = 0; j < 5; ++j) std::swap(M[k][j], M[piv][j]);
      for (int r = 0; r < 4; ++r)
        if (r != k) {
          const T f = M[r][k] / M[k][k];
          for (int j = k; j < 5; ++j) M[r][j] -= f * M[k][j];
        }
    }
    c = {T(M[0][4] / M[0][0]), T(M[1][4] / M[1][1]), T(M[2][4] / M[2][2])};
    const std::vector<T> cr = sqrt_roots<T>(T(5) * c[2], T(3) * c[1], c[0]);
    const T moved = abs(T(cr[0] - pts[1])) + abs(T(cr[1] - pts[2]));
    pts[1] = cr[0], pts[2] = cr[1];
    if (moved <= T(16) * T(unit_roundoff<T>()) * u) break;
  }
  return c;
}
template <class T>
std::vector<Abc<T>> polar_express_unmodified() {
  const T cushion = from_decimal<T>("0.02407327424182761");
  T l = from_decimal<T>("0.001"), u(1);
  std::vector<Abc<T>> out;
  for (int k = 0; k < 5; ++k) {
    Abc<T> c = minimax_quintic<T>(l > cushion * u ? l : T(cushion * u), u);
    const T r = T(2) / (poly(c, l) + poly(c, u));
    for (auto& x : c) x *= r;
    out.push_back(c);
    l = poly(c, l);
    u = T(2) - l;
  }
  return out;
}

template <class T>
spectral::NewtonSchulz<T> registered(const std::string& schedule, int steps) {
  spectral::NewtonSchulzConfig cfg;
  cfg.schedule = schedule;
  cfg.steps = steps;
  cfg.normalization = "none";  // the band is over the normalised input x = sigma / s
  return spectral::NewtonSchulz<T>(cfg);
}
template <class T>
Mat<T> diag_of(const std::vector<T>& d) {
  Mat<T> D = Mat<T>::Zero(static_cast<long>(d.size()), static_cast<long>(d.size()));
  for (size_t i = 0; i < d.size(); ++i) D(static_cast<long>(i), static_cast<long>(i)) = d[i];
  return D;
}

template <class T>
std::vector<ClaimOutcome> muon_quintic(const ClaimContext& ctx) {
  using std::abs;
  using std::exp;
  using std::log;
  using std::sqrt;
  using claims::num;
  const T u = T(unit_roundoff<T>());
  const json instance = {{"polynomial", "jordan (3.4445, -4.7750, 2.0315), registered coefficients parsed in T"},
                         {"iteration", "spectral::NewtonSchulz, normalization none, on diagonal matrices"},
                         {"bands", "5 steps, x in [1e-3, 1]: 4000-point geometric sweep + critical points + endpoints"}};
  claims::Outcomes<T> out(ctx, muon_quintic_info(), instance);
  auto one = registered<T>("jordan", 1);
  const Abc<T> J = one.coefficients().at(0);
  const T half4 = from_decimal<T>("0.00005");

  // --- fixed points: (a - 1) + b y + c y^2 = 0, refined by two Newton steps on p(x) - x
  for (int decoy = 0; decoy < 2; ++decoy) {
    Abc<T> P = J;
    if (decoy) P[0] = from_decimal<T>("3.5");
    std::vector<T> fx = sqrt_roots<T>(P[2], P[1], T(P[0] - T(1)));
    for (auto& x : fx)
      for (int it = 0; it < 2; ++it) x -= (poly(P, x) - x) / (dpoly(P, x) - T(1));
    if (!decoy) {
      claims::Check<T> c;
      c.instance = "jordan";
      const std::vector<T> pub{from_decimal<T>("0.8680"), from_decimal<T>("1.2637")}, slope{from_decimal<T>("-1.58"), from_decimal<T>("6.47")};
      json sl = json::array();
      for (int i = 0; i < 2; ++i) {
        const T d = dpoly(J, fx[i]);
        c.equal(fx[i], pub[i], T(half4 + T(4) * u));
        c.equal(d, slope[i], T(from_decimal<T>("0.005") + T(16) * u * T(10)));
        sl.push_back(num(d));
      }
      c.measured = {{"fixed_points", claims::nums(fx)}, {"slopes", sl}};
      c.predicted = {{"fixed_points", {"0.8680", "1.2637"}}, {"slopes", {"-1.58", "6.47"}}};
      out.of("fixed-points", "half a unit of the published last digit + rounding").push_back(c);
    }
    // One registered jordan step on diag(x1, x2): the true fixed points come back, the perturbed do not.
    const Mat<T> G = diag_of(fx), Y = one(G);
    T tol(0);
    for (const auto& x : fx) {
      const T e = eval_err(J, x);
      const T dx = e / abs(T(dpoly(J, x) - T(1))) + u * x;
      tol += ((abs(T(dpoly(J, x) - T(1))) + T(1)) * dx + e) * ((abs(T(dpoly(J, x) - T(1))) + T(1)) * dx + e);
    }
    claims::Check<T> c;
    c.instance = "jordan-diag-2x2";
    // Entry by entry (Check::distance's expanded square cancels to sqrt(u) |G|).
    for (long j = 0; j < 2; ++j)
      for (long i = 0; i < 2; ++i) c.equal(Y(i, j), G(i, j), T(sqrt(tol)));
    c.measured = {{"step_of_diag", claims::nums(std::vector<T>{Y(0, 0), Y(1, 1)})}, {"distance_F", num(T((Y - G).norm()))}};
    c.predicted = {{"fixed_points", claims::nums(fx)}, {"polynomial_a", num(P[0])}};
    out.of(decoy ? "perturbed-polynomial" : "fixed-points-matrix",
           "a computed fixed point is within 8u sum|terms|/|p'-1| + u x of the exact one; the step moves it by "
           "(|p'-1| + 1) that + 8u sum|terms|")
        .push_back(c);
  }
  out.edge("fixed-points-x1.2", "fixed-points", T(6) / T(5));

  // --- the band: critical points from a + 3b y + 5c y^2 = 0
  const std::vector<T> cr = sqrt_roots<T>(T(5) * J[2], T(3) * J[1], J[0]);
  const T xmax = cr[0], xstar = cr[1], lo = poly(J, xstar), hi = poly(J, lo), pmax = poly(J, xmax);
  {
    claims::Check<T> c;
    c.instance = "jordan";
    const T r = T(64) * u;  // closed-form roots and two evaluations
    c.equal(xstar, from_decimal<T>("1.0501"), T(half4 + r));
    c.equal(lo, from_decimal<T>("0.6818"), T(half4 + r));
    c.equal(hi, from_decimal<T>("1.1344"), T(half4 + r));
    c.equal(pmax, from_decimal<T>("1.2024"), T(half4 + r));
    const Mat<T> Y = one(diag_of(std::vector<T>{xstar, lo}));
    c.equal(Y(0, 0), lo, T(T(2) * eval_err(J, xstar)));
    c.equal(Y(1, 1), hi, T(T(2) * eval_err(J, lo)));
    c.measured = {{"x_star", num(xstar)}, {"p_x_star", num(lo)}, {"p_p_x_star", num(hi)}, {"local_max", num(pmax)},
                  {"local_max_at", num(xmax)}, {"step_of_diag", claims::nums(std::vector<T>{Y(0, 0), Y(1, 1)})}};
    c.predicted = {{"x_star", "1.0501"}, {"band", {"0.6818", "1.1344"}}, {"local_max", "1.2024"}};
    out.of("band", "half a unit of the published last digit + rounding; matrix vs scalar 2 x 8u sum|terms|").push_back(c);
  }
  {
    // 65 points of [lo, hi] (x* and both ends among them) through one registered step.
    std::vector<T> pts;
    for (int i = 0; i <= 63; ++i) pts.push_back(lo + (hi - lo) * T(i) / T(63));
    pts.push_back(xstar);
    const Mat<T> Y = one(diag_of(pts));
    T ymin = Y(0, 0), ymax = Y(0, 0), e(0);
    for (long i = 0; i < Y.rows(); ++i) {
      ymin = Y(i, i) < ymin ? Y(i, i) : ymin, ymax = Y(i, i) > ymax ? Y(i, i) : ymax;
      e = eval_err(J, pts[static_cast<size_t>(i)]) > e ? eval_err(J, pts[static_cast<size_t>(i)]) : e;
    }
    // lo and hi are themselves computed: off by (|p'(x*)| = 0) and |p'(lo)| times their own error.
    const T own = T(2) * e * (T(1) + abs(dpoly(J, lo)));
    claims::Check<T> c;
    c.instance = "jordan-diag-65";
    c.upper(ymax, hi, T(e + own));
    c.lower(ymin, lo, T(e + own));
    c.measured = {{"image_min", num(ymin)}, {"image_max", num(ymax)}};
    c.predicted = {{"band", claims::nums(std::vector<T>{lo, hi})}};
    out.of("band-invariant", "8u sum|terms| of the step + the rounding of lo, hi (2 x 8u sum|terms| (1 + |p'(lo)|))").push_back(c);
  }

  // --- each registered schedule's 5-step band over [1e-3, 1]
  auto bands = out.pair("schedule-bands", "band-x1.01",
                        "first-order rounding: 8u sum|terms| per step on each side, carried by |p_k'| (Composite::rounding)");
  const int N = 4000;
  const T l0 = from_decimal<T>("0.001"), ln0 = log(l0);
  for (const std::string name : {"jordan", "you", "polar-express", "classic", "cubic", "polar-express-unmodified"}) {
    const bool derived = name == "polar-express-unmodified";
    spectral::NewtonSchulzConfig cfg;
    cfg.schedule = derived ? "custom" : name;
    cfg.steps = 5;
    cfg.normalization = "none";
    if (derived)  // the derived coefficients, as exact decimal strings, through the registered iteration
      for (const auto& c : polar_express_unmodified<T>())
        cfg.coefficients.push_back({to_decimal<T>(c[0]), to_decimal<T>(c[1]), to_decimal<T>(c[2])});
    spectral::NewtonSchulz<T> ns(cfg);
    Composite<T> q{ns.coefficients()};
    std::vector<T> cand{l0, T(1)};
    T xa = l0, da = q.derivative(xa);
    for (int i = 1; i <= N; ++i) {
      const T xb = i == N ? T(1) : T(exp(ln0 * T(N - i) / T(N)));
      const T db = q.derivative(xb);
      if ((da > T(0)) != (db > T(0))) {  // a critical point in (xa, xb): bisect q'
        T a = xa, b = xb;
        for (int k = 0; k < 200; ++k) {
          const T mid = (a + b) / T(2);
          if (mid == a || mid == b) break;
          ((q.derivative(mid) > T(0)) == (da > T(0)) ? a : b) = mid;
        }
        cand.push_back(a), cand.push_back(b);
      }
      xa = xb, da = db;
    }
    T xmin_ = cand[0], xmax_ = cand[0];
    for (const auto& x : cand) {
      if (q.value(x) < q.value(xmin_)) xmin_ = x;
      if (q.value(x) > q.value(xmax_)) xmax_ = x;
    }
    const T qmin = q.value(xmin_), qmax = q.value(xmax_);
    const Mat<T> Y = ns(diag_of(std::vector<T>{xmin_, xmax_}));
    for (int decoy = 0; decoy < 2; ++decoy) {
      const T f = decoy ? T(101) / T(100) : T(1);
      claims::Check<T> c;
      c.instance = name;
      c.equal(Y(0, 0), T(f * qmin), T(T(2) * q.rounding(xmin_)));
      c.equal(Y(1, 1), T(f * qmax), T(T(2) * q.rounding(xmax_)));
      if (derived && !decoy) {  // Polar Express unmodified x5: [0.87644, 1.12356] (issue 16, item 8)
        const T half5 = from_decimal<T>("0.000005");
        c.equal(qmin, from_decimal<T>("0.87644"), T(half5 + q.rounding(xmin_)));
        c.equal(qmax, from_decimal<T>("1.12356"), T(half5 + q.rounding(xmax_)));
      }
      if (name == "jordan" && !decoy) {  // the published 5-step band (docs/theory.md 2g)
        c.equal(qmin, from_decimal<T>("0.4705"), T(half4 + q.rounding(xmin_)));
        c.equal(qmax, from_decimal<T>("1.2024"), T(half4 + q.rounding(xmax_)));
      }
      c.measured = {{"iteration_on_diag", claims::nums(std::vector<T>{Y(0, 0), Y(1, 1)})}};
      c.predicted = {{"band", claims::nums(std::vector<T>{T(f * qmin), T(f * qmax)})},
                     {"argmin_argmax", claims::nums(std::vector<T>{xmin_, xmax_})},
                     {"critical_points_found", static_cast<int>(cand.size()) - 2}};
      bands.add(decoy, c);
    }
  }
  return out.outcomes();
}

}  // namespace

MB_REGISTER_CLAIM(muon_quintic_info, muon_quintic);

}  // namespace mb
