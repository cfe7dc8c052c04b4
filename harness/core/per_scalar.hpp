// Compiling a numerical source once per scalar type.
//
// Numerical code is written once, as templates over the scalar T, and each source is compiled
// once per scalar in its own translation unit: CMake (mb_compile_per_scalar in CMakeLists.txt)
// writes build/per_scalar/<path>.<scalar>.cpp holding
//     #define MB_SCALAR_mp50 1
//     #include "problems/quadratic_ls.cpp"
// and this header turns the definition into MB_SCALAR, the type that translation unit
// instantiates and registers (harness/core/registry.hpp). Which sources: every .cpp under
// problems/, solvers/ (float, double, mp50) and claims/ (double, mp50) except the scalar-free
// ones CMakeLists.txt lists, and the few harness/ sources it names (the cell loop, replay,
// decompositions, the gradient check).
//
// Why: mp50 Eigen code is slow to compile (an mp50 BDCSVD alone takes ~25 s), so each
// instantiation must happen exactly once, and separate translation units build in parallel.
#pragma once

#include "harness/core/scalar.hpp"

#if defined(MB_SCALAR_float)
#define MB_SCALAR float
#elif defined(MB_SCALAR_double)
#define MB_SCALAR double
#elif defined(MB_SCALAR_mp50)
#define MB_SCALAR ::mb::mp50
#endif
