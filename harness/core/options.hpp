// Validated parameters from JSON: the one way every problem, solver and claim reads its settings.
//
//   Options o(j, "solver 'muon' (convention torch)");
//   T lr = o.real<T>("lr", "0.001", Range::positive(), "learning rate: W <- W - lr*scale*O");
//   o.finish();   // unknown keys -> error listing the valid ones
//
// Every getter records the key, its default and its documentation (for `--describe` and the
// error message listing valid keys) and the value actually used (echoed in reports). Errors
// name the context and the key: "solver 'sgd': lr must be > 0, got -0.1".
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "harness/core/error.hpp"
#include "harness/core/json_num.hpp"

namespace mb {

// An interval with optional, open or closed ends, given as exact decimals.
struct Range {
  std::optional<std::string> lo, hi;
  bool lo_open = false, hi_open = false;
  static Range any() { return {}; }
  static Range positive() { return {std::string("0"), std::nullopt, true, false}; }
  static Range nonnegative() { return {std::string("0"), std::nullopt, false, false}; }
  static Range unit_halfopen() { return {std::string("0"), std::string("1"), false, true}; }  // [0,1)
  static Range unit_closed() { return {std::string("0"), std::string("1"), false, false}; }   // [0,1]
  static Range open_unit() { return {std::string("0"), std::string("1"), true, true}; }       // (0,1)
  static Range closed(std::string a, std::string b) { return {a, b, false, false}; }
  static Range at_least(std::string a) { return {a, std::nullopt, false, false}; }
  std::string text() const;  // "> 0", "in [0, 1)", ...
  template <class T>
  bool contains(const T& x) const;
};

class Options {
 public:
  Options(const json& j, std::string context);

  template <class T>
  T real(const std::string& key, const std::string& def, const Range& range, const std::string& doc);
  long integer(const std::string& key, long def, long lo, long hi, const std::string& doc);
  bool boolean(const std::string& key, bool def, const std::string& doc);
  std::string choice(const std::string& key, const std::string& def,
                     const std::vector<std::string>& allowed, const std::string& doc);
  // A list of reals (exact decimals), each in `range`; `def` is used when the key is absent.
  template <class T>
  std::vector<T> reals(const std::string& key, const std::vector<std::string>& def,
                       const Range& range, const std::string& doc);
  // A key whose value the caller parses itself (objects, nested configurations).
  const json* raw(const std::string& key, const json& def, const std::string& doc);

  // Another spelling of `canonical` (a peer's name for the same hyperparameter). Giving both is
  // an error. Call before reading `canonical`.
  void alias(const std::string& other, const std::string& canonical);
  bool given(const std::string& key) const;
  // Throws on keys that were never read: "unknown key 'x'; valid keys: a, b, c".
  void finish() const;

  const std::string& context() const { return context_; }
  const json& used() const { return used_; }              // key -> value actually used
  const json& documentation() const { return described_; }  // [{key, default, doc}]
  [[noreturn]] void fail(const std::string& key, const std::string& what) const;

 private:
  const json* lookup(const std::string& key);
  void record(const std::string& key, const json& def, const std::string& doc, const json& value);
  json j_;
  std::string context_;
  json used_ = json::object();
  json described_ = json::array();
  std::vector<std::string> known_;
  std::vector<std::pair<std::string, std::string>> aliases_;  // (other, canonical)
};

}  // namespace mb
