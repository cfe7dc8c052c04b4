#include "harness/core/json_num.hpp"

#include <charconv>
#include <fstream>
#include <sstream>
#include <unordered_set>

#include "harness/core/error.hpp"

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
Mat<T> matrix_from_json(const json& j, const std::string& field, long max_entries) {
  if (!j.is_array()) throw Error(field + ": expected a matrix as a list of rows");
  if (j.empty()) throw Error(field + ": the matrix is empty");
  const size_t rows = j.size();
  if (!j[0].is_array()) throw Error(field + "[0]: expected a row (a list of numbers)");
  const size_t cols = j[0].size();
  if (cols == 0) throw Error(field + "[0]: the row is empty");
  if (static_cast<double>(rows) * static_cast<double>(cols) > static_cast<double>(max_entries))
    throw Error(field + ": " + std::to_string(rows) + " x " + std::to_string(cols) + " = " +
                std::to_string(rows * cols) + " entries, more than --max-entries " + std::to_string(max_entries) +
                " (raise --max-entries to accept it)");
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

namespace {
// JSON texts are user files: beyond RFC 8259 syntax (nlohmann's parser: UTF-8 checked, NaN and
// Infinity tokens refused, numbers that overflow refused), muonbench refuses what would be silently
// misread: a byte-order mark, a key given twice in one object (nlohmann keeps the last), and
// nesting deeper than kMaxJsonDepth (no file of ours nests deeper than 8; deep nesting would
// only cost stack in code that walks the document).
constexpr int kMaxJsonDepth = 64;

// Where the parser is, for messages: "solvers[0].hyper".
struct JsonPath {
  struct Frame {
    bool array = false;
    long index = -1;                // array: index of the current element
    std::string key;                // object: the current key
    std::unordered_set<std::string> keys;  // object: keys seen so far
  };
  std::vector<Frame> frames;

  std::string text() const {
    std::string s;
    for (const auto& f : frames) {
      if (f.array) {
        if (f.index >= 0) s += "[" + std::to_string(f.index) + "]";
      } else if (!f.key.empty()) {
        s += (s.empty() ? "" : ".") + f.key;
      }
    }
    return s.empty() ? "the top level" : s;
  }
  // A value (scalar, object or array) starts: it is the next element of an enclosing array.
  void element() {
    if (!frames.empty() && frames.back().array) ++frames.back().index;
  }
};
}  // namespace

json parse_json_text(const std::string& text, const std::string& what) {
  if (text.size() >= 3 && text.compare(0, 3, "\xEF\xBB\xBF") == 0)
    throw Error(what + ": the file starts with a UTF-8 byte-order mark; save it as UTF-8 without one");
  JsonPath path;
  using event = json::parse_event_t;
  auto check = [&](int depth, event e, json& parsed) -> bool {
    switch (e) {
      case event::object_start:
      case event::array_start:
        path.element();
        if (depth >= kMaxJsonDepth)
          throw Error(what + ": nested more than " + std::to_string(kMaxJsonDepth) + " levels deep at " + path.text() +
                      "; muonbench's documents nest at most a few levels");
        path.frames.push_back({e == event::array_start, -1, {}, {}});
        break;
      case event::object_end:
      case event::array_end:
        if (!path.frames.empty()) path.frames.pop_back();
        break;
      case event::key: {
        auto& f = path.frames.back();
        const std::string k = parsed.get<std::string>();
        if (!f.keys.insert(k).second) {
          f.key.clear();
          throw Error(what + ": duplicate key '" + k + "' in the object at " + path.text() +
                      " (JSON keeps only one of them; give each key once)");
        }
        f.key = k;
        break;
      }
      case event::value:
        path.element();
        break;
    }
    return true;
  };
  try {
    return json::parse(text, check);
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
  template Mat<T> matrix_from_json<T>(const json&, const std::string&, long); \
  template json matrix_to_json_strings<T>(const Mat<T>&);
MB_INSTANTIATE_JSON_NUM(float)
MB_INSTANTIATE_JSON_NUM(double)
MB_INSTANTIATE_JSON_NUM(mp50)

}  // namespace mb
