// Scalar types of muonbench and what generic code needs to know about them (their run-time names
// and the dispatch between them: harness/core/precision.hpp).
//
//   float, double   IEEE binary32, binary64
//   mp50            boost::multiprecision::cpp_bin_float_50: 50 decimal digits (168-bit mantissa),
//           expression templates OFF, so `auto`, std::max and ADL calls behave as for double
//           (mpfr_float_50 has them on and silently breaks such code).
//
// Generic code is written ADL-clean: `using std::sqrt;` then `sqrt(x)`, and builds constants
// exactly: `T(1) / T(3)`, `from_decimal<T>("0.9")`, never `constexpr T` or a double literal.
#pragma once

#include <boost/multiprecision/cpp_bin_float.hpp>
#include <Eigen/Core>

#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace mb {
using mp50 = boost::multiprecision::cpp_bin_float_50;
}  // namespace mb

// Boost 1.74's generic NumTraits for multiprecision numbers lacks infinity()/quiet_NaN() (so
// BDCSVD does not compile) and its lowest() returns the smallest *positive* value. This full
// specialisation (more specialised than Boost's partial one) fixes both.
namespace Eigen {
template <>
struct NumTraits<mb::mp50> : GenericNumTraits<mb::mp50> {
  using Real = mb::mp50;
  using NonInteger = mb::mp50;
  using Literal = mb::mp50;
  using Nested = mb::mp50;
  enum {
    IsComplex = 0,
    IsInteger = 0,
    IsSigned = 1,
    RequireInitialization = 1,
    ReadCost = 1,
    AddCost = 4,
    MulCost = 8
  };
  static inline Real epsilon() { return std::numeric_limits<Real>::epsilon(); }
  static inline Real dummy_precision() { return Real(1000) * epsilon(); }
  static inline Real highest() { return (std::numeric_limits<Real>::max)(); }
  static inline Real lowest() { return -(std::numeric_limits<Real>::max)(); }
  static inline Real infinity() { return std::numeric_limits<Real>::infinity(); }
  static inline Real quiet_NaN() { return std::numeric_limits<Real>::quiet_NaN(); }
  static inline int digits10() { return std::numeric_limits<Real>::digits10; }
  static inline int digits() { return std::numeric_limits<Real>::digits; }
};
}  // namespace Eigen

namespace mb {

template <class T>
using Mat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;
template <class T>
using Vec = Eigen::Matrix<T, Eigen::Dynamic, 1>;

// Unit roundoff u = eps/2 of T, as a double (for tolerance models and reports).
template <class T>
inline double unit_roundoff() {
  return static_cast<double>(std::numeric_limits<T>::epsilon()) / 2.0;
}

// ---- Decimal strings ------------------------------------------------------------------------
// Every significant digit: max_digits10 (9 float, 17 double, 53 mp50), scientific notation, so
// that parsing the string gives back the same value bit for bit.
template <class T>
std::string to_decimal(const T& x);
// Parses the whole string (leading/trailing blanks rejected); throws mb::Error naming `field`
// on anything that is not a finite decimal number. Correctly rounded for float and double.
template <class T>
T parse_decimal(std::string_view s, const std::string& field);

// Exact conversion helpers (no rounding through double for mp50).
template <class T>
inline T from_decimal(const char* s) {
  return parse_decimal<T>(s, "constant");
}
template <class T>
inline double to_double(const T& x) {
  return static_cast<double>(x);
}

template <class T>
inline bool is_finite(const T& x) {
  using std::isfinite;
  using boost::multiprecision::isfinite;
  return isfinite(x);
}
template <class T>
bool all_finite(const Mat<T>& m) {
  for (Eigen::Index j = 0; j < m.cols(); ++j)
    for (Eigen::Index i = 0; i < m.rows(); ++i)
      if (!is_finite(m(i, j))) return false;
  return true;
}

}  // namespace mb
