// Precompiled header for every translation unit of the core, tests and benchmarks: the heavy
// third-party headers (Eigen, Boost.Multiprecision, nlohmann/json) are parsed once per build.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <Eigen/Dense>
#include <boost/multiprecision/cpp_bin_float.hpp>
#include <nlohmann/json.hpp>

#include "harness/core/precision.hpp"
#include "harness/core/scalar.hpp"
