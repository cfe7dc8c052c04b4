// Newton-Schulz against the exact theory of docs/theory.md section 2g, in mp50 (u = 2^-167 ~ 5e-51):
//   * for every schedule and every scalar pre-normalisation, the exact-arithmetic identity
//       ||q(G) - polar(G)||_op = max_i |q(sigma_i / s) - 1|
//     holds to 1e-40 (rounding: ~ u x steps x |q'| <= 5e-51 x 5 x 1e3 ~ 3e-47, on a 6 x 4 and a 3 x 5);
//   * jordan x 5 leaves every singular value with sigma/||G||_F >= 0.0052 in the attracting band
//     [p(x*), p(p(x*))] = [0.6818, 1.1344] (x* the local minimiser of p), and 1e-3 at 0.4705;
//   * classic and cubic converge to polar(G) (to 1e-40), with orders 3 and 2 and constants 5/2, 3/2.
// Each check also runs on a decoy (a perturbed coefficient) and must fail there.
#include <gtest/gtest.h>

#include "problems/construct.hpp"
#include "harness/core/error.hpp"
#include "solvers/spectral/spectral.hpp"

namespace {

using mb::Mat;
using mb::mp50;
using mb::Vec;
namespace sp = mb::spectral;
using T = mp50;

double d(const T& x) { return static_cast<double>(x); }

// U diag(s) V^T with Haar-random orthonormal U (m x q), V (n x q), q = s.size().
Mat<T> with_spectrum(long m, long n, const Vec<T>& s, std::uint64_t seed) {
  mb::Rng rng(seed);
  mb::linalg::Svd<T> d;
  d.U = mb::random_orthonormal<T>(rng, m, s.size());
  d.V = mb::random_orthonormal<T>(rng, n, s.size());
  return sp::svd_compose<T>(d, s);  // (the library's instantiated product: keeps this TU light)
}

Mat<T> random(long m, long n, std::uint64_t seed) {
  mb::Rng rng(seed);
  return rng.normal_matrix<T>(m, n);
}

sp::NewtonSchulzConfig config(const std::string& schedule, const std::string& norm, int steps = 5) {
  sp::NewtonSchulzConfig c;
  c.schedule = schedule;
  c.normalization = norm;
  c.steps = steps;
  if (schedule == "custom") c.coefficients = {{"3", "-3.2", "1.2"}, {"2", "-1.5", "0.5"}};
  return c;
}

// The same configuration with its first coefficient moved by h: a decoy prediction.
sp::NewtonSchulzConfig perturbed(sp::NewtonSchulzConfig c, const char* h) {
  auto list = sp::schedule_coefficients(c);
  list[0][0] = mb::to_decimal<T>(mb::from_decimal<T>(list[0][0].c_str()) + mb::from_decimal<T>(h));
  c.schedule = "custom";
  c.coefficients = list;
  return c;
}

TEST(NewtonSchulzTheory, ExactIdentityEveryScheduleAndNormalisation) {
  const std::vector<Mat<T>> inputs{random(6, 4, 11), random(3, 5, 12)};
  int checked = 0;
  for (const auto& schedule : sp::schedule_names())
    for (const std::string norm : {"frobenius", "frobenius-additive", "spectral", "schatten", "none"})
      for (const auto& G0 : inputs) {
        // "none" needs ||G||_op < the schedule's convergence radius: scale to ||G||_F = 1/2.
        const Mat<T> G = norm == "none" ? Mat<T>(G0 / (T(2) * G0.norm())) : G0;
        sp::NewtonSchulz<T> ns(config(schedule, norm));
        const T measured = sp::op_norm<T>(Mat<T>(ns(G) - sp::polar<T>(G)));
        const T predicted = ns.predicted_polar_error(G);
        EXPECT_LT(d(abs(measured - predicted)), 1e-40) << schedule << " " << norm << " " << G.rows() << "x" << G.cols();
        sp::NewtonSchulz<T> decoy(perturbed(config(schedule, norm), "1e-20"));
        EXPECT_GT(d(abs(measured - decoy.predicted_polar_error(G))), 1e-40) << "decoy " << schedule << " " << norm;
        ++checked;
      }
  EXPECT_EQ(checked, static_cast<int>(sp::schedule_names().size()) * 5 * 2);
}

// The band of docs/theory.md 2g from the coefficients: x* solves p'(x) = a + 3b x^2 + 5c x^4 = 0 (the
// larger root), band = [p(x*), p(p(x*))].
std::pair<T, T> jordan_band(const sp::NewtonSchulz<T>& one_step) {
  const auto& c = one_step.coefficients().at(0);
  const T x2 = (T(-3) * c[1] + sqrt(T(9) * c[1] * c[1] - T(20) * c[0] * c[2])) / (T(10) * c[2]);
  const T lo = one_step.scalar_map(sqrt(x2));
  return {lo, one_step.scalar_map(lo)};
}

TEST(NewtonSchulzTheory, JordanFiveStepsLeaveTheBand) {
  sp::NewtonSchulz<T> one(config("jordan", "frobenius", 1)), five(config("jordan", "frobenius", 5)),
      six(config("jordan", "frobenius", 6));
  const auto [lo, hi] = jordan_band(one);
  EXPECT_NEAR(d(lo), 0.6818, 5e-5);  // docs/theory.md 2g's numbers
  EXPECT_NEAR(d(hi), 1.1344, 5e-5);
  // Normalised singular values x_i = sigma_i / ||G||_F (sum of squares 1), down to 0.0052 (the
  // smallest x whose 5-step image is in the band, by a scalar scan: 0.005181...).
  Vec<T> s(7);
  s << T(0), T(3) / T(10), T(1) / T(10), T(3) / T(100), T(1) / T(100), T(52) / T(10000), T(9) / T(10);
  s(0) = sqrt(T(1) - s.tail(6).squaredNorm());
  const Mat<T> G = with_spectrum(9, 7, s, 21);
  auto out_sigma = [&](sp::NewtonSchulz<T>& ns) { return mb::linalg::singular_values<T>(ns(G)); };
  const Vec<T> sig = out_sigma(five);
  for (Eigen::Index i = 0; i < sig.size(); ++i) {
    EXPECT_GE(d(sig(i)), d(lo)) << i;
    EXPECT_LE(d(sig(i)), d(hi)) << i;
  }
  // Decoy: a = 3.3 instead of 3.4445 leaves some value below the band.
  auto cfg = config("jordan", "frobenius", 5);
  cfg.schedule = "custom";
  cfg.coefficients = {{"3.3", "-4.7750", "2.0315"}};
  sp::NewtonSchulz<T> wrong(cfg);
  const Vec<T> ws = out_sigma(wrong);
  EXPECT_LT(d(ws.minCoeff()), d(lo)) << "decoy stays in the band";

  // x = 1e-3: after 5 steps at 0.4705, below the band. After 6 steps it is at 1.1702: above the band,
  // inside the one-step range (0, 1.2024]. (docs/theory.md 2g: 6 steps reach the band from 0.0015 on,
  // 5 steps from 0.0052 on.)
  Vec<T> s2(3);
  s2 << T(0), T(6) / T(10), T(1) / T(1000);
  s2(0) = sqrt(T(1) - s2.tail(2).squaredNorm());
  const Mat<T> G2 = with_spectrum(4, 3, s2, 22);
  EXPECT_NEAR(d(mb::linalg::singular_values<T>(five(G2)).minCoeff()), 0.4705, 5e-5);
  const Vec<T> six_sigma = mb::linalg::singular_values<T>(six(G2));
  EXPECT_NEAR(d(six_sigma.maxCoeff()), 1.1702, 5e-5);
  EXPECT_GT(d(six_sigma.maxCoeff()), d(hi));
}

// Errors ||NS_k(G) - polar(G)||_op for k = 0..K (k steps of the same schedule).
std::vector<T> error_curve(const std::string& schedule, const Mat<T>& G, int K, const sp::NewtonSchulzConfig* base = nullptr) {
  const Mat<T> P = sp::polar<T>(G);
  std::vector<T> e;
  for (int k = 0; k <= K; ++k) {
    auto cfg = base ? *base : config(schedule, "frobenius", k);
    cfg.steps = k;
    sp::NewtonSchulz<T> ns(cfg);
    e.push_back(sp::op_norm<T>(Mat<T>(ns(G) - P)));
  }
  return e;
}

// e_{k+1} / e_k^order at the first k with e_k < 1e-4 (asymptotic regime, above the rounding floor).
double rate_constant(const std::vector<T>& e, int order) {
  for (size_t k = 0; k + 1 < e.size(); ++k)
    if (e[k] < T(1) / T(10000) && e[k] > mb::from_decimal<T>("1e-30")) return d(e[k + 1] / pow(e[k], order));
  return -1;
}

TEST(NewtonSchulzTheory, ClassicAndCubicConverge) {
  // Normalised singular values in [0.05, 0.9]: classic needs 9 steps to 1e-45, cubic 14 (scalar).
  Vec<T> s(4);
  s << T(0), T(4) / T(10), T(1) / T(10), T(5) / T(100);
  s(0) = sqrt(T(1) - s.tail(3).squaredNorm());
  const Mat<T> G = with_spectrum(6, 4, s, 31);
  const auto classic = error_curve("classic", G, 12), cubic = error_curve("cubic", G, 18);
  EXPECT_LT(d(classic.back()), 1e-40);
  EXPECT_LT(d(cubic.back()), 1e-40);
  // Orders: classic e' = 5/2 e^3 + O(e^4), cubic e' = 3/2 e^2 - e^3/2 (expand q(1 - e)).
  EXPECT_NEAR(rate_constant(classic, 3), 2.5, 0.05);
  EXPECT_NEAR(rate_constant(cubic, 2), 1.5, 0.05);
  // Decoy: classic with a = 15/8 + 1e-3 has its fixed point off 1: it stalls near 1e-3.
  auto wrong = config("classic", "frobenius");
  wrong.schedule = "custom";
  wrong.coefficients = {{"1.876", "-1.25", "0.375"}};
  EXPECT_GT(d(error_curve("", G, 12, &wrong).back()), 1e-4);
}

TEST(NewtonSchulzMaps, ZeroMatrixGivesZeroInEveryConfiguration) {
  for (const auto& norm : sp::normalization_names())
    for (const auto& schedule : {"jordan", "polar-express", "cubic"})
      for (bool bf16 : {false, true}) {
        auto cfg = config(schedule, norm);
        cfg.bf16 = bf16;
        const Mat<double> z = sp::NewtonSchulz<double>(cfg)(Mat<double>::Zero(3, 5));
        EXPECT_TRUE(z.allFinite() && z.isZero(0)) << norm << " " << schedule << " bf16 " << bf16;
        const Mat<T> zm = sp::NewtonSchulz<T>(cfg)(Mat<T>::Zero(4, 2));
        EXPECT_TRUE(zm.isZero(0)) << norm << " " << schedule;
      }
}

TEST(NewtonSchulzMaps, TallIsTheTransposeOfWide) {
  mb::Rng rng(41);
  const Mat<double> G = rng.normal_matrix<double>(7, 3);
  for (bool bf16 : {false, true}) {
    auto cfg = config("polar-express", "frobenius");
    cfg.bf16 = bf16;
    sp::NewtonSchulz<double> ns(cfg);
    EXPECT_EQ(Mat<double>(ns(G)), Mat<double>(ns(Mat<double>(G.transpose())).transpose())) << "bf16 " << bf16;
  }
}

// Zero steps return the pre-normalised input: each form checked against its formula (optax
// optax/contrib/_muon.py; torch/optim/_muon.py), and the clamp and additive forms told apart.
TEST(NewtonSchulzMaps, PreNormalisationsFollowTheirPeers) {
  mb::Rng rng(51);
  const Mat<double> G = rng.normal_matrix<double>(3, 5), X = G;  // wide: no transpose
  auto zero_steps = [&](const std::string& norm, const Mat<double>& in, const std::string& schedule = "jordan") {
    auto cfg = config(schedule, norm, 0);
    return sp::NewtonSchulz<double>(cfg)(in);
  };
  const double eps = 1e-7;
  const Mat<double> A = X * X.transpose();
  Mat<double> aol = X;
  for (long i = 0; i < 3; ++i) aol.row(i) /= std::sqrt(std::max(A.row(i).cwiseAbs().sum(), eps));
  const std::vector<std::pair<std::string, Mat<double>>> expect{
      {"frobenius", X / std::max(X.norm(), eps)},
      {"frobenius-additive", X / (X.norm() + eps)},
      {"spectral", X / (sp::op_norm<double>(X) + eps)},
      {"schatten", X / std::sqrt(std::max(A.norm(), eps))},
      {"aol", aol},
      {"none", X}};
  for (const auto& [norm, want] : expect)
    EXPECT_LT((zero_steps(norm, G) - want).cwiseAbs().maxCoeff(), 1e-15) << norm;
  EXPECT_LT((zero_steps("frobenius", G, "polar-express") - X / (1.02 * X.norm())).cwiseAbs().maxCoeff(), 1e-15);
  // Below eps the clamp form divides by eps, the additive one by ||X|| + eps: they differ by 1/11.
  const Mat<double> tiny = G * (1e-8 / G.norm());
  const Mat<double> clamp = zero_steps("frobenius", tiny), additive = zero_steps("frobenius-additive", tiny);
  EXPECT_NEAR(clamp.norm(), 0.1, 1e-12);
  EXPECT_NEAR(additive.norm(), 1.0 / 11, 1e-12);
}

TEST(NewtonSchulzMaps, SchedulesRunInOrderAndRepeatTheirLastEntry) {
  auto cfg = config("you", "frobenius", 7);
  const auto list = sp::schedule_coefficients(cfg);
  ASSERT_EQ(list.size(), 7u);
  EXPECT_EQ(list[0][0], "4.0848");
  EXPECT_EQ(list[4][0], "2.8366");
  EXPECT_EQ(list[6], list[4]);
  cfg.steps = 2;
  EXPECT_EQ(sp::schedule_coefficients(cfg).size(), 2u);
  EXPECT_EQ(sp::schedule_safety(config("polar-express", "frobenius")), "1.02");
  cfg.schedule = "jordon";
  try {
    sp::validate(cfg);
    FAIL() << "no error";
  } catch (const mb::Error& e) {
    EXPECT_NE(std::string(e.what()).find("polar-express"), std::string::npos) << e.what();
  }
  cfg = config("jordan", "frobenius");
  cfg.eps = "0";
  EXPECT_THROW(sp::validate(cfg), mb::Error);
  cfg = config("jordan", "frobenius-plus");
  EXPECT_THROW(sp::validate(cfg), mb::Error);
}

}  // namespace
