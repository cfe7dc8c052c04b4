// coupled-newton: BeyondMuon's coupled Newton-Schulz at the paper's settings (docs/theory.md 2g,
// "BeyondMuon's implementation" and "Coupled Newton-Schulz"; Ocram7/BeyondMuon optimizers/spectral_ns.py).
// Psi_{1/2}(O) = O A^(-1/4), A = O^T O, with A^(-1/4) from two calls of the coupled routine
// (A -> A^(-1/2), then the square root of that), each call on A^ = A + (1e-6 + 1e-4 tr(A)/n) I,
// s = ||A^||_F, 15 iterations, symmetrised every 5; Psi_{1/4} = Psi_{1/2} o Psi_{1/2}.
// The claim file reproduces spectral_ns.py's wrapper (regularisation, the two calls) around the
// registered iteration spectral::newton_schulz_sqrt (fixed_iterations 15, symmetrize_every 5).
//
// Prediction (docs/theory.md 2g "Coupled Newton-Schulz", derivation of this project): in exact
// arithmetic Y_k, Z_k are polynomials in A^, so on an eigenvector of A^ (eigenvalue mu) y_k = (mu/s) z_k
// and x_k = y_k z_k evolves by phi(x) = x (3 - x)^2 / 4 from x_0 = mu/s: after K = 15 steps the
// call returns sqrt(mu x_K) (sqrt output) and sqrt(x_K / mu) (inverse-sqrt output) on that
// direction. Composing the two calls (the second on the spectrum mu^(-1/2) sqrt(x_K) of the first,
// with its own regularisation and s) gives Psi_{1/2}(O) = U diag(pi_i) V^T, and Psi_{1/4} the same
// applied to pi. The instance has one dominant singular value and a tail down to 1e-5, so the
// smallest directions start at x_0 ~ 1e-4/n and are unconverged after 15 steps (errors to ~0.1):
// the prediction is informative there; the check compares the measured relative error
// u_i^T Psi(O) v_i / sigma_i^p - 1 with the predicted pi_i / sigma_i^p - 1 (equal atoms), and the
// whole matrix with U diag(pi) V^T (entrywise, within the Frobenius bound).
//
// Tolerance (first-order rounding of the matrix iteration, docs/theory.md 2g "Coupled Newton-Schulz",
// rounding model of this file): in the eigenbasis of A^ an error (dY, dZ) evolves entry by entry,
// (i, j) by a 2x2 map; with the weights a = dY_ij / sqrt(y_i y_j), b = dZ_ij / sqrt(z_i z_j) it is
// the symmetric matrix (1/sqrt(t_i t_j)) [[t_j - x_i/2, -sqrt(x_i x_j)/2], [-sqrt(x_i x_j)/2, t_i - x_j/2]]
// (t = (3 - x)/2; for i = j its eigenvalues are 1 and 1 - x/t: the coupled form's stability).
// Symmetrisation is a contraction in that weighted norm. Each product injects gamma_n ||A||_F ||B||_F
// (gamma_n = n u / (1 - n u)), entered in the weighted norm with the smallest weight; the weighted
// error is multiplied by the largest step norm. The first call's output error passes to the second
// call in the same weighted norm (same eigenbasis); the second call's weighted error omega bounds
// the error of direction i of Psi_{1/2}(O) by omega pi_i. Inputs: the rounding of O (U, V are
// orthonormal to their measured defect), of A = O^T O, of the regularisation and of s; the
// prediction's own rounding (each phi step 3u, no amplification of relative errors since
// |x phi'(x)/phi(x)| <= 1 on (0, 1]): (3K + n + 12) u relative per call; reading u_i^T X v_i.
// The matrix identity is checked entry by entry within the Frobenius bound (Check::distance's
// expanded square |X|^2 - 2 s <X, P> + s^2 |P|^2 cancels to sqrt(u) |X|: 1e-8 in double).
// Decoys: the uncoupled scalar map x (3 - x)/2, the regularisation without the tr(A)/n term, the
// converged limit x_15 = 1 (the unconverged directions ignored), and the predicted errors x 1.2 (edge).
#include <cmath>
#include <string>

#include "claims/support.hpp"
#include "harness/core/rng.hpp"
#include "solvers/spectral/roots.hpp"

namespace mb {
namespace {

ClaimInfo coupled_newton_info() {
  return {"coupled-newton",
          "BeyondMuon's Psi_{1/2}(O) = O (O^T O)^(-1/4), computed by two calls of the coupled Newton-Schulz routine "
          "(A + (1e-6 + 1e-4 tr(A)/n) I, s = ||.||_F, 15 iterations, symmetrised every 5), equals on every "
          "singular direction the scalar prediction of x -> x (3 - x)^2 / 4 iterated 15 times from x0 = mu/s "
          "(unconverged directions included); Psi_{1/4} = Psi_{1/2} o Psi_{1/2} likewise.",
          "u_i^T Psi_{1/2}(O) v_i = sigma_i sqrt(nu_i phi^15(nu_i/s_2)),  nu_i = mu_i^(-1/2) sqrt(phi^15(mu_i/s_1)) + delta_2,  "
          "mu_i = sigma_i^2 + delta_1,  phi(x) = x (3 - x)^2 / 4",
          "docs/theory.md 2g, BeyondMuon's implementation (published: Ocram7/BeyondMuon optimizers/spectral_ns.py) and "
          "Coupled Newton-Schulz, per-eigenvalue map (derivation of this project)",
          "first-order rounding of the coupled iteration: per entry of the eigenbasis a symmetric 2x2 propagation map "
          "in the weights sqrt(y_i y_j), sqrt(z_i z_j); products inject gamma_n ||A||_F ||B||_F; plus the rounding of "
          "O, O^T O, the regularisation, s, and the scalar prediction ((3K + n + 12) u relative per call); the matrix "
          "entrywise within the Frobenius bound",
          {{"uncoupled-map", "predicts with the scalar map x -> x (3 - x)/2 instead of x (3 - x)^2 / 4"},
           {"no-trace-term", "predicts with the regularisation 1e-6 I only (without 1e-4 tr(A)/n)"},
           {"converged-limit", "predicts the converged limit (x_15 = 1: the exact regularised roots), ignoring the "
                               "unconverged directions"},
           {"edge-error-x1.2", "the predicted per-direction errors (and the predicted Psi_{1/2}) x 1.2"}},
          {{"psi-half", "Psi_{1/2}(O) per direction = the 15-step scalar prediction (relative errors, equal atoms; "
                        "matrix, entrywise within the Frobenius bound)"},
           {"psi-quarter", "Psi_{1/2}(Psi_{1/2}(O)) per direction = the prediction composed twice, against sigma^(1/4)"}}};
}

enum class Map { coupled, uncoupled, converged };

// One call of the routine on a symmetric matrix with eigenvalues lambda: the scalar prediction of
// its output (want_sqrt: sqrt(mu x_K), else sqrt(x_K / mu)) with the relative rounding `rel` of
// that prediction, and a first-order bound `omega` on the computed output's error in the weighted
// norm of the eigenbasis, |||E||| = ||E_ij / sqrt(o_i o_j)||_F (o: the output's eigenvalues), given
// the input's error in the same norm (omega_in, weights lambda_i) and its Frobenius part (dA: an
// error of the original basis, entered with the smallest weight).
template <class T>
struct CallModel {
  std::vector<T> out;
  std::vector<T> x;  // x_K per direction
  T omega = T(0), rel = T(0);
};

template <class T>
T fro(const std::vector<T>& v) {
  using std::sqrt;
  T a(0);
  for (const auto& e : v) a += e * e;
  return sqrt(a);
}

template <class T>
CallModel<T> model_call(const std::vector<T>& lambda, const T& omega_in, const T& dA, const T& rel_in, bool want_sqrt,
                        Map map, bool trace_term) {
  using std::abs;
  using std::sqrt;
  using std::max;
  using claims::maxv;
  using claims::minv;
  const long n = static_cast<long>(lambda.size());
  const T u = T(unit_roundoff<T>()), g = T(n) * u / (T(1) - T(n) * u);
  T tr(0);
  for (const auto& l : lambda) tr += l;
  const T c4 = trace_term ? from_decimal<T>("1e-4") : T(0);
  const T delta = from_decimal<T>("1e-6") + c4 * tr / T(n);
  std::vector<T> mu, y, z, x;
  for (const auto& l : lambda) mu.push_back(l + delta);
  const T s = fro(mu);
  for (const auto& m : mu) y.push_back(m / s), z.push_back(T(1)), x.push_back(m / s);
  // After the normalisation: the input's weighted error (mu >= lambda only lowers it), its Frobenius
  // part, the regularisation's error as a multiple of I (the trace moves by at most
  // omega_in sum lambda + dA sqrt(n) + n u tr), and the rounding of A + delta I (u ||A^||_F) and of
  // the division by s (u ||A^/s||_F = u).
  const T ddelta = c4 / T(n) * (omega_in * tr + dA * sqrt(T(n)) + T(n) * u * tr) + u * delta;
  T w = omega_in + (dA + u * s) / s / minv(y) + u / minv(y) + sqrt(T(n)) * ddelta / minv(mu);
  const int K = 15;
  for (int k = 1; k <= K; ++k) {
    std::vector<T> t;
    for (const auto& xi : x) t.push_back((T(3) - xi) / T(2));
    const T Yf = fro(y), Zf = fro(z), Tf = fro(t), Y2 = maxv(y), Z2 = maxv(z);
    const T ET = g * Zf * Yf / T(2) + u * Tf;  // P = Z Y, T = (3I - P)/2
    T EY = g * Yf * Tf + Y2 * ET, EZ = g * Tf * Zf + Z2 * ET;
    T G(0);  // the largest weighted step norm over the entries (i, j): a symmetric 2x2 matrix each
    for (long i = 0; i < n; ++i)
      for (long j = 0; j < n; ++j) {
        const T r = sqrt(t[i] * t[j]), a = (t[j] - x[i] / T(2)) / r, d = (t[i] - x[j] / T(2)) / r;
        const T b = sqrt(x[i] * x[j]) / (T(2) * r);
        G = max(G, T(abs((a + d) / T(2)) + sqrt((a - d) * (a - d) / T(4) + b * b)));
      }
    for (long i = 0; i < n; ++i) {
      y[i] *= t[i], z[i] *= t[i];
      x[i] = y[i] * z[i];
    }
    if (k % 5 == 0) EY += u * fro(y), EZ += u * fro(z);  // (Y + Y^T)/2: a contraction, plus its rounding
    w = w * G + EY / minv(y) + EZ / minv(z);
  }
  CallModel<T> m;
  std::vector<T> xp;
  for (size_t i = 0; i < mu.size(); ++i) {
    T xi = mu[i] / s;
    for (int k = 0; k < K; ++k) xi = map == Map::coupled ? T(xi * (T(3) - xi) * (T(3) - xi) / T(4)) : T(xi * (T(3) - xi) / T(2));
    if (map == Map::converged) xi = T(1);  // decoy: the limit, as if 15 iterations had converged
    xp.push_back(xi);
    m.out.push_back(want_sqrt ? T(sqrt(mu[i] * xi)) : T(sqrt(xi / mu[i])));
  }
  m.x = xp;
  // The output Y sqrt(s) or Z / sqrt(s) has eigenvalues o_i = y_i sqrt(s) or z_i / sqrt(s): the weighted
  // error carries over; plus the rounding of that scaling (u ||o||_F, smallest weight) and the computed
  // s's error ((n + 2) u relative) moving each output by at most half that (log-derivative in [-1/2, 0]).
  const T rho_s = T(n + 2) * u;
  m.omega = w + u * fro(m.out) / minv(m.out) + sqrt(T(n)) * rho_s / T(2);
  // The prediction's own rounding: 3u per phi step, never amplified (|x phi'/phi| <= 1 on (0, 1]),
  // mu, s and the square roots ((n + 12) u), and the input's predicted values (log-derivative <= 3/2).
  m.rel = T(3) * rel_in / T(2) + T(3 * K + n + 12) * u;
  return m;
}

// Psi_{1/2} per direction: pi_i = sigma_i r_i with r from the two calls; the weighted error omega of
// the computed R (eigenbasis V), the relative rounding of the prediction, and the Frobenius part of
// the computed O R's error (given a Frobenius bound dO on the error of O).
template <class T>
struct PsiModel {
  std::vector<T> pi, r;
  std::vector<T> x1, x2;
  T omega = T(0), rel = T(0), fro_err = T(0);
  // The Frobenius error bound of the computed Psi_{1/2}(O) = O R against U diag(pi) V^T.
  T total(const std::vector<T>& sigma) const {
    using std::sqrt;
    T a(0);
    for (size_t i = 0; i < sigma.size(); ++i) a = a > sigma[i] * sqrt(r[i]) ? a : sigma[i] * sqrt(r[i]);
    return omega * a * sqrt(claims::maxv(r)) + rel * fro(pi) + fro_err;
  }
};

template <class T>
PsiModel<T> model_psi_half(const std::vector<T>& sigma, long rows, const T& dO, const T& rel_in, Map map, bool trace_term) {
  using std::sqrt;
  const long n = static_cast<long>(sigma.size());
  const T u = T(unit_roundoff<T>()), gm = T(rows) * u / (T(1) - T(rows) * u), gn = T(n) * u / (T(1) - T(n) * u);
  std::vector<T> lambda;
  for (const auto& s : sigma) lambda.push_back(s * s);
  const T of = fro(sigma), o2 = claims::maxv(sigma);
  const T dA = T(2) * o2 * dO + gm * of * of;  // A = O^T O: (O + dO)^T (O + dO), first order, plus the product
  // The first call's output B = A^(-1/2) is the second call's input, in the same eigenbasis: its weighted
  // error passes on unchanged (B + delta_2 I only lowers it).
  const CallModel<T> c1 = model_call<T>(lambda, T(0), dA, T(2) * rel_in, false, map, trace_term);
  const CallModel<T> c2 = model_call<T>(c1.out, c1.omega, T(0), c1.rel, true, map, trace_term);
  PsiModel<T> p;
  for (long i = 0; i < n; ++i) p.pi.push_back(sigma[i] * c2.out[i]);
  p.r = c2.out, p.x1 = c1.x, p.x2 = c2.x;
  p.omega = c2.omega;
  p.rel = c2.rel + rel_in;
  p.fro_err = dO * claims::maxv(c2.out) + gn * of * fro(c2.out);  // Psi = O R: O's error, the product's rounding
  return p;
}

// The computed maps (the measured side): the routine around spectral::newton_schulz_sqrt.
template <class T>
Mat<T> routine(const Mat<T>& A, bool want_sqrt) {
  const long n = A.rows();
  Mat<T> Ah = A;
  Ah.diagonal().array() += from_decimal<T>("1e-6") + from_decimal<T>("1e-4") * A.trace() / T(n);
  spectral::NewtonOptions opt;
  opt.fixed_iterations = 15;
  opt.symmetrize_every = 5;
  spectral::IterationReport rep;
  Mat<T> R;
  spectral::newton_schulz_sqrt<T>(Ah, want_sqrt ? &R : nullptr, want_sqrt ? nullptr : &R, opt, rep);
  return R;
}
template <class T>
Mat<T> psi_half(const Mat<T>& O) {
  return linalg::mul<T>(O, routine<T>(routine<T>(linalg::mul_tn<T>(O, O), false), true));
}

template <class T>
std::vector<ClaimOutcome> coupled_newton(const ClaimContext& ctx) {
  using std::abs;
  using std::sqrt;
  using claims::num;
  const T u = T(unit_roundoff<T>());
  const long m = 10, n = 8;
  // One dominant singular value and a tail: x0 = mu/s from ~1 down to ~1e-4/n (1.35e-5).
  const std::vector<T> sigma{T(1), from_decimal<T>("0.1"), from_decimal<T>("0.03"), from_decimal<T>("0.01"), from_decimal<T>("0.003"), from_decimal<T>("0.001"), from_decimal<T>("0.0001"), from_decimal<T>("0.00001")};
  Rng rng(1607);
  struct Inst {
    std::string label;
    Mat<T> U, V;
  };
  std::vector<Inst> inst;
  inst.push_back({"diagonal-10x8", Mat<T>::Identity(m, n), Mat<T>::Identity(n, n)});
  inst.push_back({"rotated-10x8", linalg::orthonormal_q<T>(rng.normal_matrix<T>(m, n)),
                  linalg::orthonormal_q<T>(rng.normal_matrix<T>(n, n))});
  const json instance = {{"O", "U diag(sigma) V^T, 10x8: U, V identity (diagonal) and Haar (Rng 1607, rotated)"},
                         {"sigma", "1, 0.1, 0.03, 0.01, 0.003, 0.001, 1e-4, 1e-5"},
                         {"routine", "A + (1e-6 + 1e-4 tr(A)/n) I, s = ||.||_F, 15 iterations, symmetrised every 5"}};
  claims::Outcomes<T> out(ctx, coupled_newton_info(), instance);
  const std::string src = "first-order rounding of the coupled iteration (weighted 2x2 entry maps), of O, O^T O, "
                          "the regularisation, s and the scalar prediction";
  out.of("psi-half", src);
  out.of("psi-quarter", src);
  out.of("uncoupled-map", src);
  out.of("no-trace-term", src);
  out.of("converged-limit", src);
  for (const auto& in : inst) {
    Mat<T> US = in.U;
    for (long i = 0; i < n; ++i) US.col(i) *= sigma[i];
    const Mat<T> O = linalg::mul_nt<T>(US, in.V);
    // O = U' S V'^T + dO with U', V' exactly orthonormal: ||U - U'||_F <= ||U^T U - I||_F (measured)
    // plus the rounding of the product.
    const T eU = (linalg::mul_tn<T>(in.U, in.U) - Mat<T>::Identity(n, n)).norm() + T(n * n) * u;
    const T eV = (linalg::mul_tn<T>(in.V, in.V) - Mat<T>::Identity(n, n)).norm() + T(n * n) * u;
    T sf(0);
    for (const auto& s : sigma) sf += s * s;
    const T dO = (eU + eV) * sqrt(sf) + T(n) * u / (T(1) - T(n) * u) * sqrt(T(n)) * sqrt(sf) * T(2);
    const Mat<T> X1 = psi_half<T>(O), X2 = psi_half<T>(X1);
    // Measured per-direction values u_i^T X v_i (through U, V: off by (eU + eV) ||X||_2 + rounding).
    auto diag_of = [&](const Mat<T>& X) {
      const Mat<T> D = linalg::mul_tn<T>(in.U, linalg::mul<T>(X, in.V));
      std::vector<T> d;
      for (long i = 0; i < n; ++i) d.push_back(D(i, i));
      return d;
    };
    const std::vector<T> d1 = diag_of(X1), d2 = diag_of(X2);
    for (int variant = 0; variant < 4; ++variant) {  // 0 true, 1 uncoupled map, 2 no trace term, 3 converged
      const Map map = variant == 1 ? Map::uncoupled : variant == 3 ? Map::converged : Map::coupled;
      const bool trace_term = variant != 2;
      const PsiModel<T> truth = model_psi_half<T>(sigma, m, dO, T(0), Map::coupled, true);
      const PsiModel<T> p1 = model_psi_half<T>(sigma, m, dO, T(0), map, trace_term);
      // Psi_{1/2} applied to the computed Psi_{1/2}(O): singular values pi, Frobenius error total().
      const PsiModel<T> truth2 = model_psi_half<T>(truth.pi, m, truth.total(sigma), truth.rel, Map::coupled, true);
      const PsiModel<T> p2 = model_psi_half<T>(p1.pi, m, p1.total(sigma), p1.rel, map, trace_term);
      for (int part = 0; part < 2; ++part) {
        if (variant > 0 && part == 1) continue;  // the decoys are checked on Psi_{1/2}
        const PsiModel<T>& p = part == 0 ? p1 : p2;
        const std::vector<T>& d = part == 0 ? d1 : d2;
        const Mat<T>& X = part == 0 ? X1 : X2;
        // Tolerances from the true model (a decoy's own would agree to first order): on direction i,
        // pi_i (omega + rel) + the Frobenius part, plus reading u_i^T X v_i through U, V
        // ((eU + eV + (m + n) u) ||X||_2); the matrix: total() + forming U diag(pi) V^T.
        const PsiModel<T>& t = part == 0 ? truth : truth2;
        const T x2 = claims::maxv(t.pi);
        const T read = (eU + eV + T(m + n) * u) * x2;
        const T tot = t.total(part == 0 ? sigma : truth.pi) + (eU + eV + T(n) * u) * x2 * sqrt(T(n));
        claims::Check<T> c;
        c.instance = in.label;
        json me = json::array(), pe = json::array();
        for (long i = 0; i < n; ++i) {
          const T ref = part == 0 ? T(sqrt(sigma[i])) : T(sqrt(sqrt(sigma[i])));  // sigma^p, the exact map
          const T em = d[i] / ref - T(1), ep = p.pi[i] / ref - T(1);
          const T abs_i = t.pi[i] * (t.omega + t.rel) + t.fro_err + read;
          c.equal(em, ep, T(abs_i / ref + T(2) * u * (T(1) + abs(em))));
          me.push_back(num(em)), pe.push_back(num(ep));
        }
        Mat<T> PS = in.U;
        for (long i = 0; i < n; ++i) PS.col(i) *= p.pi[i];
        const Mat<T> P = linalg::mul_nt<T>(PS, in.V);
        // ||X - P||_F <= tot, checked entry by entry (|X_ij - P_ij| <= tot follows): Check::distance
        // expands ||X - s P||^2 = |X|^2 - 2 s <X, P> + s^2 |P|^2, which cancels to sqrt(u) |X|.
        for (long j = 0; j < X.cols(); ++j)
          for (long i = 0; i < X.rows(); ++i) c.equal(X(i, j), P(i, j), tot);
        c.measured = {{"relative_error_per_direction", me}, {"distance_F", num(T((X - P).norm()))}};
        c.predicted = {{"relative_error_per_direction", pe},
                       {"x15_first_call", claims::nums(p.x1)},
                       {"x15_second_call", claims::nums(p.x2)},
                       {"tolerance_F", num(tot)}, {"weighted_error_bound", num(t.omega)}};
        const std::string name = variant == 0 ? (part == 0 ? "psi-half" : "psi-quarter")
                                              : (variant == 1 ? "uncoupled-map" : variant == 2 ? "no-trace-term" : "converged-limit");
        out.of(name, src).push_back(c);
      }
    }
  }
  out.edge("edge-error-x1.2", "psi-half", T(6) / T(5));
  return out.outcomes();
}

}  // namespace

MB_REGISTER_CLAIM(coupled_newton_info, coupled_newton);

}  // namespace mb
