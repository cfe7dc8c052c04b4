// The exact spectral maps against 60-digit mpmath references (tests/data/spectral_mp60.json:
// polar, U S^p V^T for p = 1/4, 1/2, and U diag(s / sqrt(s^2 + eps^2)) V^T for eps = 0.1, 0.001, on a
// 4 x 4 and a tall 8 x 5 matrix, printed to 45 significant digits).
//
// The references were computed from the exact binary64 values of the inputs (checked with mpmath:
// from the binary64 values polar agrees with the file to 5e-46, from the shortest decimals only to
// 2e-17), which is how harness/core/json_num.hpp reads data numbers; so mp50 sees the same matrix.
//
// Tolerances (max |entry error|):
//   mp50 1e-40: the file's 45 digits (entries <= 2: <= 1e-45) plus mp50 rounding, u = 2^-167 = 5e-51,
//     times kappa <= 4 and small dimension factors: about 1e-49; 1e-40 leaves 9 digits to spare.
//   mp50 coupled Newton (power, reg) 1e-30: the bound for iterative maps (observed ~1e-49).
//   double 1e-12 kappa, kappa = s_max / s_min of the case: a backward-stable SVD or eigensolver errs
//     by c q u kappa with u = 1.1e-16 and c q ~ 10-100, i.e. ~1e-14 kappa; the iterations likewise.
//   float 1e-4 kappa: the same model with u = 6e-8.
// Every check is shown to fail on a decoy: the same map with its parameter (p, eps) or input moved
// by far less than the reference's own precision would justify, but far more than the tolerance.
#include <gtest/gtest.h>

#include <functional>

#include "harness/cli/command.hpp"
#include "solvers/spectral/map_command.hpp"
#include "solvers/spectral/spectral.hpp"
#include "tests/conformance.hpp"

namespace {

using mb::Mat;
using mb::mp50;
namespace sp = mb::spectral;

template <class T>
using MapFn = std::function<Mat<T>(const Mat<T>&)>;

// max |got - ref| evaluated in mp50 (a double or float result converts exactly).
template <class T>
double max_error(const Mat<T>& got, const mb::json& ref) {
  const Mat<mp50> r = mb::matrix_from_json<mp50>(ref, "reference");
  const Mat<mp50> g = got.template cast<mp50>();
  return static_cast<double>(mp50((g - r).cwiseAbs().maxCoeff()));
}

double kappa(const mb::json& c) {
  const auto& s = c["singular_values"];
  return mb::parse_decimal<double>(s.front().get<std::string>(), "s") /
         mb::parse_decimal<double>(s.back().get<std::string>(), "s");
}

template <class T>
Mat<T> power(const Mat<T>& M, const std::string& p, const std::string& method) {
  sp::PowerConfig cfg;
  cfg.p = p;
  cfg.method = method;
  return sp::SpectralPower<T>(cfg)(M);
}

// One map against one reference key on both cases, and its decoy. `rel` multiplies the tolerance
// by the case's condition number (double, float) or not (mp50).
template <class T>
void check(const std::string& key, const MapFn<T>& map, const MapFn<T>& decoy, double tol, bool rel) {
  const mb::json data = mb::test::conformance("spectral_mp60.json");
  ASSERT_EQ(data["cases"].size(), 2u);
  for (const auto& c : data["cases"]) {
    const Mat<T> M = mb::matrix_from_json<T>(c["input"], "input");
    const double t = rel ? tol * kappa(c) : tol;
    const double e = max_error<T>(map(M), c[key]);
    EXPECT_LT(e, t) << key << " " << c["shape"].dump() << ": error " << e;
    const double d = max_error<T>(decoy(M), c[key]);
    EXPECT_GT(d, t) << key << " decoy " << c["shape"].dump() << ": error " << d << " should exceed " << t;
  }
}

// The decimal p + h, exactly (a decoy exponent).
std::string shifted(const std::string& p, const char* h) {
  return mb::to_decimal<mp50>(mb::from_decimal<mp50>(p.c_str()) + mb::from_decimal<mp50>(h));
}

// The input with one entry moved by h (a decoy input).
template <class T>
Mat<T> nudged(const Mat<T>& M, const char* h) {
  Mat<T> N = M;
  N(0, 0) += mb::from_decimal<T>(h);
  return N;
}

TEST(SpectralConformance, ExactMapsMp50To1e40) {
  using T = mp50;
  check<T>("polar", [](const Mat<T>& M) { return sp::polar<T>(M); },
           [](const Mat<T>& M) { return sp::polar<T>(nudged<T>(M, "1e-35")); }, 1e-40, false);
  for (const char* p : {"0.25", "0.5"}) {
    const std::string key = std::string("power_") + p;
    const std::string wrong = shifted(p, "1e-30");
    check<T>(key, [&](const Mat<T>& M) { return power<T>(M, p, "svd"); },
             [&](const Mat<T>& M) { return power<T>(M, wrong, "svd"); }, 1e-40, false);
  }
  for (const char* eps : {"0.1", "0.001"}) {
    const std::string key = std::string("reg_eps_") + eps;
    const T e = mb::from_decimal<T>(eps);
    const T wrong = e * (T(1) + mb::from_decimal<T>("1e-30"));
    check<T>(key, [&](const Mat<T>& M) { return sp::reg_polar<T>(M, e, "eig"); },
             [&](const Mat<T>& M) { return sp::reg_polar<T>(M, wrong, "eig"); }, 1e-40, false);
    check<T>(key, [&](const Mat<T>& M) { return sp::reg_polar_svd<T>(M, e); },
             [&](const Mat<T>& M) { return sp::reg_polar_svd<T>(M, wrong); }, 1e-40, false);
  }
}

TEST(SpectralConformance, CoupledNewtonMp50To1e30) {
  using T = mp50;
  for (const char* p : {"0.25", "0.5"}) {
    const std::string key = std::string("power_") + p;
    // Decoy: the exponent moved by 1e-25 (through the SVD: p + 1e-25 has no small root order).
    const std::string wrong = shifted(p, "1e-25");
    check<T>(key, [&](const Mat<T>& M) { return power<T>(M, p, "newton"); },
             [&](const Mat<T>& M) { return power<T>(M, wrong, "svd"); }, 1e-30, false);
  }
  for (const char* eps : {"0.1", "0.001"}) {
    const std::string key = std::string("reg_eps_") + eps;
    const T e = mb::from_decimal<T>(eps);
    check<T>(key, [&](const Mat<T>& M) { return sp::reg_polar<T>(M, e, "newton"); },
             [&](const Mat<T>& M) { return sp::reg_polar<T>(nudged<T>(M, "1e-25"), e, "newton"); }, 1e-30, false);
  }
}

TEST(SpectralConformance, DoubleTo1e12TimesCondition) {
  using T = double;
  check<T>("polar", [](const Mat<T>& M) { return sp::polar<T>(M); },
           [](const Mat<T>& M) { return sp::polar<T>(nudged<T>(M, "1e-8")); }, 1e-12, true);
  for (const char* p : {"0.25", "0.5"}) {
    const std::string key = std::string("power_") + p;
    const std::string wrong = shifted(p, "1e-9");
    for (const char* method : {"svd", "newton"})
      check<T>(key, [&](const Mat<T>& M) { return power<T>(M, p, method); },
               [&](const Mat<T>& M) { return power<T>(M, wrong, "svd"); }, 1e-12, true);
  }
  for (const char* eps : {"0.1", "0.001"}) {
    const std::string key = std::string("reg_eps_") + eps;
    const T e = mb::from_decimal<T>(eps);
    for (const char* method : {"eig", "newton"})
      check<T>(key, [&](const Mat<T>& M) { return sp::reg_polar<T>(M, e, method); },
               [&](const Mat<T>& M) { return sp::reg_polar<T>(nudged<T>(M, "1e-8"), e, method); }, 1e-12, true);
  }
}

TEST(SpectralConformance, FloatTo1e4TimesCondition) {
  using T = float;
  check<T>("polar", [](const Mat<T>& M) { return sp::polar<T>(M); },
           [](const Mat<T>& M) { return sp::polar<T>(nudged<T>(M, "1e-2")); }, 1e-4, true);
  check<T>("power_0.5", [](const Mat<T>& M) { return power<T>(M, "0.5", "newton"); },
           [](const Mat<T>& M) { return power<T>(M, "0.51", "svd"); }, 1e-4, true);
  check<T>("reg_eps_0.1", [](const Mat<T>& M) { return sp::reg_polar<T>(M, 0.1f, "eig"); },
           [](const Mat<T>& M) { return sp::reg_polar<T>(M, 0.12f, "eig"); }, 1e-4, true);
}

// `muonbench spectral` is registered (OBJECT library: nothing dropped by the linker) and runs in
// every precision of the table: polar of diag(2, 1) is the identity.
TEST(SpectralCommand, RegisteredAndRunsInEveryPrecision) {
  EXPECT_TRUE(mb::Registry<mb::cli::Command>::instance().contains("spectral"));
  sp::MapRequest rq;
  rq.map = "polar";
  const mb::json in = {{"matrices", {{{2, 0}, {0, 1}}}}};
  for (const auto& p : mb::kPrecisions) {
    const mb::json out = sp::run_map(rq, p.id, in);
    EXPECT_EQ(out["precision"], p.name);
    ASSERT_EQ(out["results"].size(), 1u) << p.name;
    EXPECT_DOUBLE_EQ(std::stod(out["results"][0][0][0].get<std::string>()), 1.0) << p.name;
    EXPECT_DOUBLE_EQ(std::stod(out["results"][0][0][1].get<std::string>()), 0.0) << p.name;
  }
}

}  // namespace
