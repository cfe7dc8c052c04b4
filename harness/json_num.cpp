#include "harness/json_num.hpp"

#include <charconv>
#include <fstream>
#include <sstream>

#include "harness/error.hpp"

namespace mb {

std::string shortest_decimal(double d) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, d);
  return std::string(buf, r.ptr);
}

std::string decimal_text(const json& j) {
  if (j.is_string()) return j.get<std::string>();
  if (j.is_number_integer()) return j.dump();
  if (j.is_number_float()) return shortest_decimal(j.get<double>());
  throw Error("expected a number or a decimal string, got " + j.dump());
}

namespace {
[[noreturn]] void not_a_number(const json& j, const std::string& field) {
  throw Error(field + ": expected a number or a decimal string, got " +
              (j.is_null() ? std::string("null") : j.dump()));
}

template <class T>
T from_number(const json& j, const std::string& field, bool as_decimal) {
  if (j.is_number_integer()) {
    // Integers are exact in every type up to 2^53; larger ones go through their decimal text.
    return parse_decimal<T>(j.dump(), field);
  }
  if (j.is_number_float()) {
    const double d = j.get<double>();
    if (!std::isfinite(d)) throw Error(field + ": value is not finite");
    if (as_decimal) return parse_decimal<T>(shortest_decimal(d), field);
    return T(d);  // exact for double and mp50; rounds to nearest for float
  }
  if (j.is_string()) return parse_decimal<T>(j.get<std::string>(), field);
  not_a_number(j, field);
}
}  // namespace

template <class T>
T data_from_json(const json& j, const std::string& field) {
  return from_number<T>(j, field, false);
}
template <class T>
T hyper_from_json(const json& j, const std::string& field) {
  return from_number<T>(j, field, true);
}

template <class T>
json number_to_json(const T& x) {
  if constexpr (std::is_same_v<T, mp50>) {
    return to_decimal(x);
  } else {
    if (!std::isfinite(x)) return nullptr;
    return static_cast<double>(x);
  }
}

template <class T>
Mat<T> matrix_from_json(const json& j, const std::string& field) {
  if (!j.is_array()) throw Error(field + ": expected a matrix as a list of rows");
  if (j.empty()) throw Error(field + ": the matrix is empty");
  const size_t rows = j.size();
  if (!j[0].is_array()) throw Error(field + "[0]: expected a row (a list of numbers)");
  const size_t cols = j[0].size();
  if (cols == 0) throw Error(field + "[0]: the row is empty");
  Mat<T> m(rows, cols);
  for (size_t i = 0; i < rows; ++i) {
    const std::string rf = field + "[" + std::to_string(i) + "]";
    if (!j[i].is_array()) throw Error(rf + ": expected a row (a list of numbers)");
    if (j[i].size() != cols)
      throw Error(rf + ": ragged matrix: row has " + std::to_string(j[i].size()) +
                  " entries, row 0 has " + std::to_string(cols));
    for (size_t c = 0; c < cols; ++c)
      m(i, c) = data_from_json<T>(j[i][c], rf + "[" + std::to_string(c) + "]");
  }
  return m;
}

template <class T>
json matrix_to_json_strings(const Mat<T>& m) {
  json rows = json::array();
  for (Eigen::Index i = 0; i < m.rows(); ++i) {
    json row = json::array();
    for (Eigen::Index c = 0; c < m.cols(); ++c) row.push_back(to_decimal<T>(m(i, c)));
    rows.push_back(std::move(row));
  }
  return rows;
}

json parse_json_text(const std::string& text, const std::string& what) {
  try {
    return json::parse(text);
  } catch (const json::exception& e) {  // parse_error, and out_of_range for 1e999
    std::string msg = e.what();
    // nlohmann's text: "[json.exception.parse_error.101] parse error at line 3, column 5: ..."
    auto pos = msg.find("] ");
    if (pos != std::string::npos) msg = msg.substr(pos + 2);
    throw Error(what + ": malformed JSON: " + msg);
  }
}

json load_json_file(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(what + ": cannot open '" + path + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_json_text(ss.str(), what + " '" + path + "'");
}

#define MB_INSTANTIATE_JSON_NUM(T)                                           \
  template T data_from_json<T>(const json&, const std::string&);             \
  template T hyper_from_json<T>(const json&, const std::string&);            \
  template json number_to_json<T>(const T&);                                 \
  template Mat<T> matrix_from_json<T>(const json&, const std::string&);      \
  template json matrix_to_json_strings<T>(const Mat<T>&);
MB_INSTANTIATE_JSON_NUM(float)
MB_INSTANTIATE_JSON_NUM(double)
MB_INSTANTIATE_JSON_NUM(mp50)

}  // namespace mb
