// Numbers and matrices in JSON, for every scalar type.
//
// Reading. Two rules, because JSON numbers are binary64 once parsed:
//   * data (matrix entries, traces): a JSON number is taken as its exact binary64 value; it was
//     almost always printed by a float64 program, and mpmath references start from that value.
//   * hyperparameters and problem parameters: a JSON number is taken as the shortest decimal
//     that round-trips it, so "lr": 0.02 means exactly 2/100 in mp50, as a person meant it.
//   A decimal string ("0.02", "1.234567890123456789012345e-3") is exact in both cases, and is the
//   only way to give more than 17 significant digits. NaN, Inf and non-numbers are rejected with
//   the field named.
// Writing. float/double as JSON numbers (shortest round-trip); mp50 as a decimal string with all
// 53 significant digits (round-trips exactly). Matrices for `spectral`/`replay` are written as
// rows of decimal strings in every precision.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "harness/core/scalar.hpp"

namespace mb {
using json = nlohmann::json;

template <class T>
T data_from_json(const json& j, const std::string& field);
template <class T>
T hyper_from_json(const json& j, const std::string& field);
// Shortest decimal string that round-trips the double d ("0.02" for 0.02).
std::string shortest_decimal(double d);
// The exact decimal text of a JSON number or decimal string (hyperparameter rule above).
std::string decimal_text(const json& j);

template <class T>
json number_to_json(const T& x);  // mp50 -> string; float/double -> number (null if non-finite)

// Largest matrix `spectral` and `replay` accept by default (--max-entries), and the cap on that option.
constexpr long kDefaultMaxMatrixEntries = 1L << 20;  // 1024 x 1024
constexpr long kMaxMatrixEntriesLimit = 1L << 28;

// A matrix as a list of rows. Rejects: not a list, empty, ragged rows, non-numbers, NaN/Inf, and
// more than max_entries entries (before allocating).
template <class T>
Mat<T> matrix_from_json(const json& j, const std::string& field, long max_entries = kDefaultMaxMatrixEntries);
template <class T>
json matrix_to_json_strings(const Mat<T>& m);

// Parses a JSON text/file with errors that name the file, line and column.
json parse_json_text(const std::string& text, const std::string& what);
json load_json_file(const std::string& path, const std::string& what);

}  // namespace mb
