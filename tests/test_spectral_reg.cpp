// The smoothed nuclear norm and its maps against docs/theory.md section 2a, in mp50 (u ~ 5e-51), on a
// tall 6 x 4 and a wide 3 x 5 Gaussian matrix (singular values ~0.3 .. 4):
//   psi through Gram eigenvalues = sum sqrt(sigma^2 + eps^2) from the SVD     (1e-45 relative)
//   grad psi is the derivative of psi: central difference, h = 1e-15          (1e-26, see below)
//   eig and coupled Newton give the same grad psi, both equal the SVD formula (1e-40)
//   grad psi*(grad psi(M)) = M                                                (1e-40)
//   Fenchel-Young: psi(M) + psi*(Z) - <Z, M> = 0 at Z = grad psi(M), > 0 elsewhere in the ball
//   Huber map = U diag(min(sigma/eps, 1)) V^T, the gradient of sum Huber_eps(sigma_i)
//   ||grad psi_eps(M) - polar(M)||_op = 1 - s/sqrt(s^2 + eps^2), s = sigma_min   (1e-40)
// and each check fails on a decoy (a wrong eps). Zero maps to zero; eps <= 0 is refused.
#include <gtest/gtest.h>

#include <cmath>

#include "harness/core/rng.hpp"
#include "harness/core/error.hpp"
#include "solvers/spectral/spectral.hpp"

namespace {

using mb::Mat;
using mb::mp50;
using mb::Vec;
namespace sp = mb::spectral;
using T = mp50;

double d(const T& x) { return static_cast<double>(x); }
T dec(const char* s) { return mb::from_decimal<T>(s); }
T maxabs(const Mat<T>& a) { return a.cwiseAbs().maxCoeff(); }
T inner(const Mat<T>& a, const Mat<T>& b) { return (a.array() * b.array()).sum(); }

std::vector<Mat<T>> inputs() {
  mb::Rng rng(61);
  return {rng.normal_matrix<T>(6, 4), rng.normal_matrix<T>(3, 5)};
}

TEST(RegularizedPolar, PsiFromGramEigenvaluesEqualsTheSvdSum) {
  const T eps = dec("0.1");
  for (const auto& M : inputs()) {
    T svd_sum(0);
    for (const T& s : mb::linalg::singular_values<T>(M)) svd_sum += sqrt(s * s + eps * eps);
    EXPECT_LT(d(abs(sp::psi<T>(M, eps) - svd_sum) / svd_sum), 1e-45);
    EXPECT_GT(d(abs(sp::psi<T>(M, T(2) * eps) - svd_sum) / svd_sum), 1e-45);  // decoy
  }
}

// Central difference of psi along a unit direction D against <grad psi(M), D>. Truncation
// h^2/6 |psi'''| with |psi'''| <= 3/eps^2 = 300 for eps = 0.1: ~5e-29; rounding u psi / h ~ 1e-35.
TEST(RegularizedPolar, GradientIsTheDerivativeOfPsi) {
  const T eps = dec("0.1"), h = dec("1e-15");
  mb::Rng rng(62);
  for (const auto& M : inputs()) {
    Mat<T> D = rng.normal_matrix<T>(M.rows(), M.cols());
    D /= D.norm();
    const T fd = (sp::psi<T>(Mat<T>(M + h * D), eps) - sp::psi<T>(Mat<T>(M - h * D), eps)) / (T(2) * h);
    EXPECT_LT(d(abs(fd - inner(sp::reg_polar<T>(M, eps), D))), 1e-26);
    EXPECT_GT(d(abs(fd - inner(sp::reg_polar<T>(M, T(2) * eps), D))), 1e-26);  // decoy
  }
}

TEST(RegularizedPolar, EigNewtonAndSvdAgree) {
  for (const char* e : {"0.5", "0.01"}) {
    const T eps = dec(e);
    for (const auto& M : inputs()) {
      const Mat<T> ref = sp::reg_polar_svd<T>(M, eps);
      sp::IterationReport rep;
      EXPECT_LT(d(maxabs(sp::reg_polar<T>(M, eps, "eig") - ref)), 1e-40) << e;
      EXPECT_LT(d(maxabs(sp::reg_polar<T>(M, eps, "newton", &rep) - ref)), 1e-40) << e;
      EXPECT_TRUE(rep.converged);
      EXPECT_GT(rep.iterations, 3);
      EXPECT_GT(d(maxabs(sp::reg_polar<T>(M, T(eps * dec("1.001")), "newton") - ref)), 1e-40);  // decoy
    }
  }
}

// Z = grad psi(M) has singular values s/sqrt(s^2+eps^2); 1 - z^2 = eps^2/(s^2+eps^2) >= 6e-4 here,
// so inverting loses at most ~3 digits: ~1e-47.
TEST(RegularizedPolar, ConjugateGradientInvertsTheGradient) {
  const T eps = dec("0.1");
  for (const auto& M : inputs()) {
    const Mat<T> Z = sp::reg_polar<T>(M, eps);
    EXPECT_LT(d(maxabs(sp::psi_conjugate_gradient<T>(Z, eps) - M)), 1e-40);
    EXPECT_GT(d(maxabs(sp::psi_conjugate_gradient<T>(Z, T(eps * dec("1.001"))) - M)), 1e-40);  // decoy
  }
}

TEST(RegularizedPolar, FenchelYoungEqualityAndGap) {
  const T eps = dec("0.1");
  mb::Rng rng(63);
  for (const auto& M : inputs()) {
    const Mat<T> Z = sp::reg_polar<T>(M, eps);
    const T gap = sp::psi<T>(M, eps) + sp::psi_conjugate<T>(Z, eps) - inner(Z, M);
    EXPECT_LT(d(abs(gap)), 1e-45);
    T expected(0);  // <Z, M> = sum sigma^2 / sqrt(sigma^2 + eps^2)
    for (const T& s : mb::linalg::singular_values<T>(M)) expected += s * s / sqrt(s * s + eps * eps);
    EXPECT_LT(d(abs(inner(Z, M) - expected)), 1e-45);
    // Decoy: psi* with the wrong eps breaks the equality.
    EXPECT_GT(d(abs(sp::psi<T>(M, eps) + sp::psi_conjugate<T>(Z, T(2) * eps) - inner(Z, M))), 1e-45);
    // Elsewhere in the open ball the gap is strictly positive.
    const Mat<T> W = sp::polar<T>(rng.normal_matrix<T>(M.rows(), M.cols())) * dec("0.7");
    EXPECT_GT(d(sp::psi<T>(M, eps) + sp::psi_conjugate<T>(W, eps) - inner(W, M)), 1e-3);
  }
}

TEST(RegularizedPolar, ConjugateIsInfiniteOutsideTheBall) {
  const T eps = dec("0.1");
  const Mat<T> P = sp::polar<T>(inputs()[0]);
  // On the sphere sigma_i(P) = 1: psi* = -eps sum sqrt(1 - lambda_i) with lambda_i = 1 + O(q u), and
  // the square root turns that rounding into eps q sqrt(8 q u) ~ 0.1 * 4 * 6e-25: tolerance 1e-23.
  EXPECT_LT(d(abs(sp::psi_conjugate<T>(P, eps))), 1e-23);
  EXPECT_TRUE(std::isinf(d(sp::psi_conjugate<T>(Mat<T>(P * dec("1.001")), eps))));
  try {
    sp::psi_conjugate_gradient<T>(P, eps);
    FAIL() << "no error at ||Z||_op = 1";
  } catch (const mb::Error& e) {
    EXPECT_NE(std::string(e.what()).find("||Z||_op < 1"), std::string::npos) << e.what();
  }
}

// Huber: Proj_{||.||_op <= 1}(M/eps) = U diag(min(sigma/eps, 1)) V^T, and it is the gradient of
// sum Huber_eps(sigma_i). eps = 1 sits between the singular values (both branches active).
TEST(RegularizedPolar, HuberMapIsTheProjectionAndTheGradient) {
  const T eps = dec("1"), h = dec("1e-15");
  mb::Rng rng(64);
  for (const auto& M : inputs()) {
    const mb::linalg::Svd<T> s = mb::linalg::thin_svd<T>(M);
    Vec<T> g(s.s.size());
    for (Eigen::Index i = 0; i < g.size(); ++i) g(i) = std::min(T(s.s(i) / eps), T(1));
    const Mat<T> proj = sp::svd_compose<T>(s, g);
    EXPECT_LT(d(maxabs(sp::huber_polar<T>(M, eps) - proj)), 1e-40);
    EXPECT_GT(d(maxabs(sp::huber_polar<T>(M, T(eps * dec("1.001"))) - proj)), 1e-40);  // decoy
    Mat<T> D = rng.normal_matrix<T>(M.rows(), M.cols());
    D /= D.norm();
    const T fd = (sp::psi_huber<T>(Mat<T>(M + h * D), eps) - sp::psi_huber<T>(Mat<T>(M - h * D), eps)) / (T(2) * h);
    EXPECT_LT(d(abs(fd - inner(proj, D))), 1e-26);
  }
}

TEST(RegularizedPolar, DistanceToPolarIsExactlyOneMinusTheRatio) {
  const T eps = dec("0.01");
  for (const auto& M : inputs()) {
    const T s = mb::linalg::singular_values<T>(M).minCoeff();
    const T measured = sp::op_norm<T>(Mat<T>(sp::reg_polar<T>(M, eps) - sp::polar<T>(M)));
    EXPECT_LT(d(abs(measured - (T(1) - s / sqrt(s * s + eps * eps)))), 1e-40);
    // Decoy: docs/theory.md's first-order form eps^2 / (2 s^2) is off at order eps^4 / s^4.
    EXPECT_GT(d(abs(measured - eps * eps / (T(2) * s * s))), 1e-40);
  }
}

TEST(RegularizedPolar, ScalingIdentity) {
  const T eps = dec("0.1"), c = dec("7.5");
  for (const auto& M : inputs())
    EXPECT_LT(d(maxabs(sp::reg_polar<T>(Mat<T>(c * M), c * eps) - sp::reg_polar<T>(M, eps))), 1e-45);
}

TEST(RegularizedPolar, ZeroMapsToZeroAndEpsMustBePositive) {
  const Mat<double> Z = Mat<double>::Zero(3, 4);
  for (const char* method : {"eig", "newton"}) {
    const Mat<double> r = sp::reg_polar<double>(Z, 0.1, method);
    EXPECT_TRUE(r.allFinite() && r.isZero(0)) << method;
  }
  EXPECT_TRUE(sp::huber_polar<double>(Z, 0.1).isZero(0));
  EXPECT_TRUE(sp::psi_conjugate_gradient<double>(Z, 0.1).isZero(0));
  EXPECT_NEAR(sp::psi<double>(Z, 0.1), 0.3, 1e-15);  // q eps
  EXPECT_THROW(sp::reg_polar<double>(Z, 0.0), mb::Error);
  EXPECT_THROW(sp::reg_polar<double>(Z, -1.0), mb::Error);
  EXPECT_THROW(sp::psi<double>(Z, 0.0), mb::Error);
}

}  // namespace
