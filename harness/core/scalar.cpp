#include "harness/core/scalar.hpp"

#include <charconv>
#include <cstdio>
#include <sstream>

#include "harness/core/error.hpp"
#include "harness/core/precision.hpp"

namespace mb {

std::string join(const std::vector<std::string>& items, const std::string& sep) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += sep;
    out += items[i];
  }
  return out;
}

void throw_unknown(const std::string& what, const std::string& name, const std::string& field,
                   const std::vector<std::string>& known) {
  throw Error("unknown " + what + " '" + name + "'" + (field.empty() ? "" : " in " + field) +
              "; known " + what + "s: " + join(known));
}

namespace {
template <class F>
std::string ieee_to_decimal(F x) {
  char buf[64];
  const int digits = std::numeric_limits<F>::max_digits10;
  auto r = std::to_chars(buf, buf + sizeof buf, x, std::chars_format::scientific, digits - 1);
  return std::string(buf, r.ptr);
}

template <class F>
F ieee_parse(std::string_view s, const std::string& field) {
  F v{};
  const char* b = s.data();
  const char* e = s.data() + s.size();
  if (!s.empty() && *b == '+') ++b;  // from_chars rejects a leading '+'; JSON users write it.
  auto r = std::from_chars(b, e, v, std::chars_format::general);
  if (s.empty() || r.ec == std::errc::invalid_argument || r.ptr != e)
    throw Error(field + ": '" + std::string(s) + "' is not a decimal number");
  if (r.ec == std::errc::result_out_of_range) {
    // Underflow to a subnormal/zero is fine; overflow is not.
    throw Error(field + ": '" + std::string(s) + "' is out of range for " +
                std::string(scalar_name<F>()));
  }
  using std::isfinite;
  if (!isfinite(v)) throw Error(field + ": '" + std::string(s) + "' is not finite");
  return v;
}

bool looks_decimal(std::string_view s) {
  // [+-]? digits [. digits] [e [+-] digits]   (at least one digit in the mantissa)
  size_t i = 0, n = s.size();
  if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
  size_t digits = 0;
  while (i < n && s[i] >= '0' && s[i] <= '9') ++i, ++digits;
  if (i < n && s[i] == '.') {
    ++i;
    while (i < n && s[i] >= '0' && s[i] <= '9') ++i, ++digits;
  }
  if (digits == 0) return false;
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
    size_t ed = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9') ++i, ++ed;
    if (ed == 0) return false;
  }
  return i == n;
}
}  // namespace

template <>
std::string to_decimal<float>(const float& x) {
  return ieee_to_decimal(x);
}
template <>
std::string to_decimal<double>(const double& x) {
  return ieee_to_decimal(x);
}
template <>
std::string to_decimal<mp50>(const mp50& x) {
  // In scientific form the precision counts digits after the point: max_digits10 - 1 of them
  // give max_digits10 (53) significant digits, enough to round-trip exactly.
  return x.str(std::numeric_limits<mp50>::max_digits10 - 1, std::ios_base::scientific);
}

template <>
float parse_decimal<float>(std::string_view s, const std::string& field) {
  return ieee_parse<float>(s, field);
}
template <>
double parse_decimal<double>(std::string_view s, const std::string& field) {
  return ieee_parse<double>(s, field);
}
template <>
mp50 parse_decimal<mp50>(std::string_view s, const std::string& field) {
  if (!looks_decimal(s)) throw Error(field + ": '" + std::string(s) + "' is not a decimal number");
  mp50 v;
  try {
    v = mp50(std::string(s));
  } catch (const std::exception&) {
    throw Error(field + ": '" + std::string(s) + "' is not a decimal number");
  }
  if (!is_finite(v)) throw Error(field + ": '" + std::string(s) + "' is out of range for mp50");
  return v;
}

}  // namespace mb
