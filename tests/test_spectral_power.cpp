// Spectral powers U Sigma^p V^T (docs/theory.md 2g), the coupled Newton root iterations under them, and
// the symmetric product kernels, in mp50 (u ~ 5e-51) and double:
//   * coupled Newton (no SVD) = SVD map, p in {0, 1/4, 3/10, 1/2, 1}, delta in {0, 1e-3}, tall and
//     wide: 1e-40 in mp50 (observed ~1e-48: the iterations stop at the rounding floor);
//   * p = 0 is polar (delta = 0) and the regularised polar map with eps^2 = delta; p = 1 is M;
//   * the roots satisfy their defining equations (Y^2 = A, X^k A = I) to 1e-45 relative;
//   * the stopping rule reports iterations, and a singular Gram matrix is refused, not returned;
//   * gram / sym_product equal plain products across block sizes.
// Decoys: the same checks with a wrong exponent / root order fail.
#include <gtest/gtest.h>

#include "harness/core/rng.hpp"
#include "harness/core/error.hpp"
#include "solvers/spectral/spectral.hpp"

namespace {

using mb::Mat;
using mb::mp50;
namespace sp = mb::spectral;
using T = mp50;

double d(const T& x) { return static_cast<double>(x); }
T dec(const char* s) { return mb::from_decimal<T>(s); }
template <class S>
S maxabs(const Mat<S>& a) {
  return a.cwiseAbs().maxCoeff();
}

template <class S>
Mat<S> power(const Mat<S>& M, const std::string& p, const std::string& method, const std::string& delta = "0",
             sp::IterationReport* rep = nullptr) {
  sp::PowerConfig cfg;
  cfg.p = p, cfg.method = method, cfg.delta = delta;
  sp::SpectralPower<S> pw(cfg);
  Mat<S> out = pw(M);
  if (rep) *rep = pw.last_report();
  return out;
}

std::vector<Mat<T>> inputs() {
  mb::Rng rng(71);
  return {rng.normal_matrix<T>(6, 4), rng.normal_matrix<T>(3, 5)};
}

TEST(SpectralPower, CoupledNewtonEqualsTheSvdMap) {
  for (const auto& M : inputs())
    for (const char* p : {"0", "0.25", "0.3", "0.5", "1"})
      for (const char* delta : {"0", "0.001"}) {
        const Mat<T> ref = power<T>(M, p, "svd", delta);
        sp::IterationReport rep;
        const Mat<T> nw = power<T>(M, p, "newton", delta, &rep);
        EXPECT_LT(d(maxabs<T>(nw - ref)), 1e-40) << "p " << p << " delta " << delta;
        EXPECT_TRUE(rep.converged);
        if (std::string(p) == "1") continue;
        EXPECT_GT(rep.iterations, 3) << p;
        // Decoy: the SVD map at p + 1e-30.
        const std::string wrong = mb::to_decimal<T>(dec(p) + dec("1e-30"));
        EXPECT_GT(d(maxabs<T>(nw - power<T>(M, wrong, "svd", delta))), 1e-40) << p;
      }
}

TEST(SpectralPower, EndpointsArePolarRegularisedPolarAndIdentity) {
  for (const auto& M : inputs()) {
    EXPECT_LT(d(maxabs<T>(power<T>(M, "0", "svd") - sp::polar<T>(M))), 1e-45);
    EXPECT_LT(d(maxabs<T>(power<T>(M, "0", "newton", "0.0001") - sp::reg_polar<T>(M, dec("0.01")))), 1e-40);
    EXPECT_EQ(power<T>(M, "1", "svd"), M);
    EXPECT_EQ(power<T>(M, "1", "newton"), M);
  }
}

TEST(SpectralPower, ExponentFractions) {
  long j, k;
  const std::vector<std::tuple<const char*, long, long>> cases{
      {"0", 1, 2}, {"0.25", 3, 8}, {"0.5", 1, 4}, {"0.50", 1, 4}, {"2.5e-1", 3, 8}, {"0.3", 7, 20}, {"1", 0, 1}};
  for (const auto& [p, jj, kk] : cases) {
    sp::power_exponent_fraction(p, j, k);
    EXPECT_EQ(j, jj) << p;
    EXPECT_EQ(k, kk) << p;
  }
  EXPECT_THROW(sp::power_exponent_fraction("0.123456789", j, k), mb::Error);  // root order 2e9
  sp::PowerConfig cfg;
  cfg.p = "1.5";
  EXPECT_THROW(sp::validate(cfg), mb::Error);
  cfg.p = "-0.1";
  EXPECT_THROW(sp::validate(cfg), mb::Error);
  cfg.p = "0.5", cfg.delta = "-1e-3";
  EXPECT_THROW(sp::validate(cfg), mb::Error);
  cfg.delta = "0", cfg.method = "qr";
  EXPECT_THROW(sp::validate(cfg), mb::Error);
}

TEST(SpectralPower, RankDeficientNeedsDeltaForNewtonAndZeroMapsToZero) {
  mb::Rng rng(72);
  const Mat<double> L = rng.normal_matrix<double>(6, 2), R = rng.normal_matrix<double>(2, 4);
  const Mat<double> M = L * R;  // rank 2 of 4
  EXPECT_THROW(power<double>(M, "0.5", "newton"), mb::NumericalError);
  const Mat<double> reg = power<double>(M, "0.5", "newton", "1e-6");
  EXPECT_LT(maxabs<double>(reg - power<double>(M, "0.5", "svd", "1e-6")), 1e-9);
  EXPECT_LT(maxabs<double>(power<double>(M, "0", "svd") - sp::polar<double>(M)), 1e-14);
  for (const char* method : {"svd", "newton"})
    for (const char* p : {"0", "0.25", "1"}) {
      const Mat<double> z = power<double>(Mat<double>::Zero(3, 5), p, method);
      EXPECT_TRUE(z.allFinite() && z.isZero(0)) << method << " " << p;
    }
}

// mp50 products through the library's instantiated kernel (keeps this TU's compile time low).
Mat<T> mul(const Mat<T>& a, const Mat<T>& b) {
  Mat<T> c;
  sp::product<T>(a, b, c);
  return c;
}

// A = G G^T + I/10 (SPD, condition ~100).
Mat<T> spd(long n, std::uint64_t seed) {
  mb::Rng rng(seed);
  const Mat<T> G = rng.normal_matrix<T>(n, n);
  Mat<T> A = mul(G, G.transpose());
  A.diagonal().array() += dec("0.1");
  return A;
}

TEST(CoupledRoots, SquareRootsAndInverseRootsSatisfyTheirEquations) {
  const Mat<T> A = spd(5, 73);
  const Mat<T> I = Mat<T>::Identity(5, 5);
  const T scale = A.norm();
  sp::IterationReport rep;
  Mat<T> Y, Z;
  sp::newton_schulz_sqrt<T>(A, &Y, &Z, {}, rep);
  EXPECT_TRUE(rep.converged);
  EXPECT_LT(d(maxabs<T>(mul(Y, Y) - A) / scale), 1e-45);
  EXPECT_LT(d(maxabs<T>(mul(Y, Z) - I)), 1e-45);
  for (int k : {1, 3, 8}) {
    Mat<T> X, Xk;
    sp::inverse_root_newton<T>(A, k, X, {}, rep);
    EXPECT_TRUE(rep.converged) << k;
    sp::sym_power<T>(X, k, Xk);
    EXPECT_LT(d(maxabs<T>(mul(Xk, A) - I)), 1e-45) << k;
    sp::sym_power<T>(X, k + 1, Xk);
    EXPECT_GT(d(maxabs<T>(mul(Xk, A) - I)), 1e-3) << "decoy: wrong root order " << k + 1;
  }
}

TEST(CoupledRoots, StoppingRuleAndFixedCount) {
  const Mat<T> A = spd(4, 74);
  sp::IterationReport rep;
  Mat<T> Z;
  sp::NewtonOptions fixed;
  fixed.fixed_iterations = 15;  // BeyondMuon's count
  sp::newton_schulz_sqrt<T>(A, nullptr, &Z, fixed, rep);
  EXPECT_EQ(rep.iterations, 15);
  sp::NewtonOptions few;
  few.max_iterations = 2;
  sp::newton_schulz_sqrt<T>(A, nullptr, &Z, few, rep);
  EXPECT_FALSE(rep.converged);
  EXPECT_EQ(rep.iterations, 2);
  sp::NewtonOptions loose;
  loose.tol = 1e-10;
  sp::newton_schulz_sqrt<T>(A, nullptr, &Z, loose, rep);
  EXPECT_TRUE(rep.converged);
  EXPECT_LE(rep.residual, 1e-10);
  EXPECT_GT(rep.residual, 1e-45);  // stopped early, as asked
  EXPECT_THROW(sp::newton_schulz_sqrt<T>(Mat<T>::Zero(3, 3), nullptr, &Z, {}, rep), mb::NumericalError);
}

// An ill-conditioned Gram matrix (64 x 64 Gaussian M: cond(M^T M) = 1.8e8) in double: both root
// iterations converge to the eigendecomposition's answer; the forward error of an inverse root of
// an SPD matrix is about its condition number times the residual (here ~1e8 x 1e-16 per digit of
// q): tolerance 1e-6 relative. Decoy: 10 fixed iterations (short of the ~30 needed) miss by far.
TEST(CoupledRoots, IllConditionedGramInDouble) {
  mb::Rng rng(77);
  const Mat<double> M = rng.normal_matrix<double>(64, 64), A = M.transpose() * M;
  const auto e = mb::linalg::sym_eig<double>(A);
  auto exact = [&](double power) {
    return Mat<double>(e.vectors * e.values.array().pow(power).matrix().asDiagonal() * e.vectors.transpose());
  };
  const double cond = e.values.maxCoeff() / e.values.minCoeff();
  EXPECT_GT(cond, 1e4);
  sp::IterationReport rep;
  Mat<double> Z, X;
  sp::newton_schulz_sqrt<double>(A, nullptr, &Z, {}, rep);
  EXPECT_TRUE(rep.converged);
  const Mat<double> ref2 = exact(-0.5), ref4 = exact(-0.25);
  EXPECT_LT(maxabs<double>(Z - ref2) / maxabs<double>(ref2), 1e-6) << "cond " << cond;
  sp::inverse_root_newton<double>(A, 4, X, {}, rep);
  EXPECT_TRUE(rep.converged);
  EXPECT_LT(maxabs<double>(X - ref4) / maxabs<double>(ref4), 1e-6);
  sp::NewtonOptions ten;
  ten.fixed_iterations = 10;
  sp::newton_schulz_sqrt<double>(A, nullptr, &Z, ten, rep);
  EXPECT_GT(maxabs<double>(Z - ref2) / maxabs<double>(ref2), 1e-6) << "decoy: 10 iterations suffice";
}

// Block sizes around the recursion's leaves (32 or 64 for double, 8 for mp50). Different summation
// orders: |error| <= depth u sum |a_ik b_kj|, <= 300 * 1.1e-16 * 300 * 4 here: tolerance 1e-10.
TEST(SymmetricProducts, MatchPlainProductsAndAreExactlySymmetric) {
  mb::Rng rng(75);
  for (long n : {1L, 5L, 32L, 33L, 64L, 65L, 137L, 300L}) {
    const Mat<double> X = rng.normal_matrix<double>(n, n + 7);
    Mat<double> A, B, C;
    sp::gram<double>(X, A);
    EXPECT_LT(maxabs<double>(A - X * X.transpose()), 1e-10) << n;
    EXPECT_EQ(A, Mat<double>(A.transpose())) << n;
    sp::sym_product<double>(A, A, B, 2.0, &A, -3.0, 0.5);
    Mat<double> want = 2.0 * A * A - 3.0 * A;
    want.diagonal().array() += 0.5;
    EXPECT_LT(maxabs<double>(B - want) / want.norm(), 1e-13) << n;
    EXPECT_EQ(B, Mat<double>(B.transpose())) << n;
    sp::sym_product<double>(A, A, C, 2.0, &A, -3.0, 0.0);  // decoy: no shift
    EXPECT_GT(maxabs<double>(C - want), 0.25) << n;
  }
  for (long n : {3L, 9L, 17L}) {
    const Mat<T> X = mb::Rng(76).normal_matrix<T>(n, n + 2);
    Mat<T> A;
    sp::gram<T>(X, A);
    EXPECT_LT(d(maxabs<T>(A - mul(X, X.transpose()))), 1e-47) << n;
  }
}

}  // namespace
