// The precisions muonbench runs in: one table, one dispatch. Every command reaches the code of a
// precision through dispatch(); the run-time names ("--precision NAME", report fields) are
// spelled here and nowhere else.
//
//   name     type                          cost   claims  what it is
//   double   double                        1      yes     IEEE binary64
//   mp50     cpp_bin_float_50              1000   yes     50 decimal digits (harness/core/scalar.hpp)
//   float    float                         1      no      IEEE binary32
//
// `cost` is the relative price of one step (the runner and the MPI scheduler start the costly
// jobs first); `claims` says whether theory claims are checked in it (a claim's tolerance model
// needs at least double). The order of the table is the order users see.
//
// The C++ types are bound to the scalars CMake compiles each numerical source for (CMakeLists.txt,
// mb_compile_per_scalar): a precision added here needs its scalar added there.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "harness/core/scalar.hpp"

namespace mb {

enum class Precision { float64, mp50, float32 };

struct PrecisionInfo {
  Precision id;
  const char* name;
  double cost;
  bool claims;
  const char* description;
};

inline constexpr std::array<PrecisionInfo, 3> kPrecisions{{
    {Precision::float64, "double", 1.0, true, "IEEE binary64"},
    {Precision::mp50, "mp50", 1000.0, true, "Boost cpp_bin_float_50: 50 decimal digits, 168-bit mantissa"},
    {Precision::float32, "float", 1.0, false, "IEEE binary32"},
}};

// The C++ scalar type of each precision, and back.
template <class T>
constexpr Precision precision_of() {
  if constexpr (std::is_same_v<T, double>)
    return Precision::float64;
  else if constexpr (std::is_same_v<T, float>)
    return Precision::float32;
  else {
    static_assert(std::is_same_v<T, mp50>, "not a muonbench scalar type");
    return Precision::mp50;
  }
}

constexpr const PrecisionInfo& info(Precision p) {
  for (const auto& i : kPrecisions)
    if (i.id == p) return i;
  return kPrecisions[0];  // unreachable: every enumerator has a row
}
constexpr const char* precision_name(Precision p) { return info(p).name; }

template <class T>
constexpr const char* scalar_name() {
  return precision_name(precision_of<T>());
}
// True for the high-precision reference type (claims tighten their tolerances on it).
template <class T>
inline constexpr bool is_mp50 = precision_of<T>() == Precision::mp50;

// Every precision's name in table order; those claims run in.
const std::vector<std::string>& precision_names();
const std::vector<std::string>& claim_precision_names();

// "mp50" -> Precision::mp50; throws mb::Error naming `field` and listing the known names.
Precision parse_precision(std::string_view name, const std::string& field);
// As parse_precision, for the precisions claims run in.
Precision parse_claim_precision(std::string_view name, const std::string& field);

template <class T>
struct ScalarTag {
  using type = T;
};

// Calls f(ScalarTag<T>{}) with T the scalar of `p` and returns its result. `f` is a generic
// lambda, e.g. [&](auto tag) { return run_cell_in<typename decltype(tag)::type>(cell); }; each of
// its instantiations should only call functions compiled per scalar elsewhere (their declaration
// is all this translation unit needs), so that no heavy mp50 template is instantiated twice.
template <class F>
decltype(auto) dispatch(Precision p, F&& f) {
  switch (p) {
    case Precision::float32: return f(ScalarTag<float>{});
    case Precision::mp50: return f(ScalarTag<mp50>{});
    case Precision::float64: break;
  }
  return f(ScalarTag<double>{});
}

}  // namespace mb
