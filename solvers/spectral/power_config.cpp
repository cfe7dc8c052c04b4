// Spectral power configuration: validation and the exact exponent (1 - p)/2 as a fraction.
#include <numeric>

#include "harness/core/error.hpp"
#include "harness/core/scalar.hpp"
#include "solvers/spectral/power.hpp"

namespace mb::spectral {
namespace {
constexpr long kMaxRootOrder = 1000;
}

const std::vector<std::string>& power_method_names() {
  static const std::vector<std::string> n{"svd", "newton"};
  return n;
}

void power_exponent_fraction(const std::string& p, long& num, long& den) {
  // p = digits * 10^exp exactly: read mantissa digits and the exponent.
  parse_decimal<mp50>(p, "p");  // rejects anything that is not a decimal number
  std::string digits;
  long exp10 = 0;
  size_t i = 0;
  if (i < p.size() && (p[i] == '+' || p[i] == '-')) ++i;
  bool frac = false;
  for (; i < p.size() && p[i] != 'e' && p[i] != 'E'; ++i) {
    if (p[i] == '.') {
      frac = true;
      continue;
    }
    digits += p[i];
    if (frac) --exp10;
  }
  if (i < p.size()) exp10 += std::stol(p.substr(i + 1));
  while (digits.size() > 1 && digits[0] == '0') digits.erase(0, 1);
  while (digits.size() > 1 && digits.back() == '0' && exp10 < 0) digits.pop_back(), ++exp10;
  const std::string too_long = "p = " + p + ": the exponent (1 - p)/2 needs a root of order above " +
                               std::to_string(kMaxRootOrder) + "; use a p with fewer decimals or --method svd";
  if (digits.size() > 6 || exp10 < -6 || exp10 > 6) {
    if (digits == "0") {
      num = 1, den = 2;
      return;
    }
    throw Error(too_long);
  }
  long P = std::stol(digits), Q = 1;
  for (long e = exp10; e > 0; --e) P *= 10;
  for (long e = exp10; e < 0; ++e) Q *= 10;
  // (1 - P/Q)/2 = (Q - P)/(2Q)
  num = Q - P;
  den = 2 * Q;
  const long g = std::gcd(num, den);
  num /= g, den /= g;
  if (den > kMaxRootOrder) throw Error(too_long);
}

void validate(const PowerConfig& cfg) {
  const mp50 p = parse_decimal<mp50>(cfg.p, "p");
  if (p < 0 || p > 1) throw Error("power: p must be in [0, 1], got " + cfg.p);
  const mp50 delta = parse_decimal<mp50>(cfg.delta, "delta");
  if (delta < 0) throw Error("power: delta must be >= 0, got " + cfg.delta);
  bool known = false;
  for (const auto& m : power_method_names()) known = known || m == cfg.method;
  if (!known) throw_unknown("power method", cfg.method, "method", power_method_names());
  if (cfg.method == "newton") {
    long j, k;
    power_exponent_fraction(cfg.p, j, k);
  }
}

}  // namespace mb::spectral
