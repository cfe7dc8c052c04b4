// Precompiled header for every translation unit of the core, tests and benchmarks: the heavy
// third-party headers (Eigen, Boost.Multiprecision, nlohmann/json) and the core headers nearly every
// file reads are parsed once per build.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <Eigen/Dense>
#include <boost/multiprecision/cpp_bin_float.hpp>
#include <nlohmann/json.hpp>

#include "harness/core/error.hpp"
#include "harness/core/json_num.hpp"
#include "harness/core/linalg.hpp"
#include "harness/core/options.hpp"
#include "harness/core/params.hpp"
#include "harness/core/precision.hpp"
#include "harness/core/rng.hpp"
#include "harness/core/scalar.hpp"
// Not registry.hpp nor anything including it: harness/core/per_scalar.hpp reads the MB_SCALAR_<T>
// definition each per-scalar wrapper makes before its #include, which a precompiled copy would miss.
