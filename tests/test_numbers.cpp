// Decimal I/O, JSON number rules, the portable RNG and validated options.
#include <gtest/gtest.h>

#include <cmath>

#include "harness/core/error.hpp"
#include "harness/core/json_num.hpp"
#include "harness/core/options.hpp"
#include "harness/core/rng.hpp"

namespace {

using mb::json;
using mb::mp50;

TEST(Decimal, RoundTripsEveryDigit) {
  const double d = 0.1 + 0.2;
  EXPECT_EQ(mb::parse_decimal<double>(mb::to_decimal(d), "x"), d);
  EXPECT_EQ(mb::to_decimal(d).size(), std::string("3.0000000000000004e-01").size());  // 17 significant digits
  const mp50 x = mp50(1) / mp50(3);
  EXPECT_EQ(mb::parse_decimal<mp50>(mb::to_decimal(x), "x"), x);
  EXPECT_EQ(mb::to_decimal(x).substr(0, 12), "3.3333333333");
  const float f = 1.0f / 3.0f;
  EXPECT_EQ(mb::parse_decimal<float>(mb::to_decimal(f), "x"), f);
}

TEST(Decimal, RejectsNonNumbersNamingTheField) {
  for (const char* bad : {"abc", "1.5x", "", " 1", "nan", "inf", "-Infinity", "1e"}) {
    EXPECT_THROW(mb::parse_decimal<double>(bad, "hyper.lr"), mb::Error) << bad;
    EXPECT_THROW(mb::parse_decimal<mp50>(bad, "hyper.lr"), mb::Error) << bad;
  }
  EXPECT_THROW(mb::parse_decimal<double>("1e999", "x"), mb::Error);  // out of double's range
  EXPECT_NO_THROW(mb::parse_decimal<mp50>("1e999", "x"));            // inside mp50's
  try {
    mb::parse_decimal<mp50>("1.5x", "hyper.lr");
  } catch (const mb::Error& e) {
    EXPECT_NE(std::string(e.what()).find("hyper.lr"), std::string::npos);
  }
}

TEST(JsonNumbers, DataIsExactBinaryHyperparametersAreDecimal) {
  const json j = 0.02;
  // data: the binary64 value 0.0200000000000000004163...
  EXPECT_EQ(mb::data_from_json<mp50>(j, "x"), mp50(0.02));
  // hyperparameter: exactly 2/100
  EXPECT_EQ(mb::hyper_from_json<mp50>(j, "x"), mp50(2) / mp50(100));
  EXPECT_EQ(mb::hyper_from_json<mp50>(json("0.02"), "x"), mp50(2) / mp50(100));
  EXPECT_THROW(mb::data_from_json<double>(json(nullptr), "x"), mb::Error);
  EXPECT_THROW(mb::data_from_json<double>(json("zero"), "x"), mb::Error);
}

TEST(JsonNumbers, MatrixValidation) {
  EXPECT_EQ(mb::matrix_from_json<double>(json::parse("[[1,2],[3,\"4.5\"]]"), "M")(1, 1), 4.5);
  for (const char* bad : {"[]", "[[]]", "[[1,2],[3]]", "[1,2]", "[[1,null]]", "{\"a\":1}"})
    EXPECT_THROW(mb::matrix_from_json<double>(json::parse(bad), "M"), mb::Error) << bad;
  try {
    mb::matrix_from_json<double>(json::parse("[[1,2],[3]]"), "trace.grads[2]");
  } catch (const mb::Error& e) {
    EXPECT_NE(std::string(e.what()).find("trace.grads[2][1]"), std::string::npos) << e.what();
  }
}

TEST(Rng, SameNumbersEverywhere) {
  // Golden values: any change to the generator changes every problem instance; update with care.
  mb::Rng r({7, 11});
  const std::uint64_t a = r.next_u64();
  mb::Rng r2({7, 11});
  EXPECT_EQ(a, r2.next_u64());
  mb::Rng g(42);
  double s = 0, s2 = 0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    const double z = g.normal();
    s += z, s2 += z * z;
  }
  EXPECT_NEAR(s / n, 0.0, 0.01);
  EXPECT_NEAR(s2 / n, 1.0, 0.01);
}

TEST(Rng, PortableLogMatchesLibm) {
  for (double x : {1e-300, 1e-10, 0.1, 0.5, 0.7071, 1.0, 1.5, 2.0, 10.0, 12345.678, 1e300}) {
    const double ref = std::log(x);
    EXPECT_LE(std::abs(mb::portable_log(x) - ref), 4e-16 * std::max(1.0, std::abs(ref))) << x;
  }
}

TEST(Options, RangesUnknownKeysAndAliases) {
  mb::Options o(json{{"lr", -0.1}}, "solver 'x'");
  try {
    o.real<double>("lr", "0.1", mb::Range::positive(), "learning rate");
    FAIL();
  } catch (const mb::Error& e) {
    EXPECT_NE(std::string(e.what()).find("solver 'x': lr must be > 0"), std::string::npos) << e.what();
  }
  mb::Options o2(json{{"learning_rate", 0.5}, {"bogus", 1}}, "solver 'y'");
  o2.alias("learning_rate", "lr");
  EXPECT_EQ(o2.real<double>("lr", "0.1", mb::Range::positive(), "lr"), 0.5);
  EXPECT_THROW(o2.finish(), mb::Error);
  mb::Options o3(json{{"momentum", 1.0}}, "solver 'z'");
  EXPECT_THROW(o3.real<mp50>("momentum", "0.9", mb::Range::unit_halfopen(), "m"), mb::Error);
}

}  // namespace

namespace {
TEST(Decimal, Mp50CarriesExactly53SignificantDigits) {
  const std::string s = mb::to_decimal(mb::mp50(2) / mb::mp50(3));  // "6.666...7e-01"
  const std::string mantissa = s.substr(0, s.find('e'));
  size_t digits = 0;
  for (char c : mantissa) digits += (c >= '0' && c <= '9');
  EXPECT_EQ(digits, 53u) << s;
}
}  // namespace
