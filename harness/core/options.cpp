#include "harness/core/options.hpp"

#include <algorithm>

namespace mb {

std::string Range::text() const {
  if (lo && hi) return "in " + std::string(lo_open ? "(" : "[") + *lo + ", " + *hi + (hi_open ? ")" : "]");
  if (lo) return std::string(lo_open ? "> " : ">= ") + *lo;
  if (hi) return std::string(hi_open ? "< " : "<= ") + *hi;
  return "any finite number";
}

template <class T>
bool Range::contains(const T& x) const {
  if (lo) {
    const T a = parse_decimal<T>(*lo, "range");
    if (lo_open ? !(x > a) : !(x >= a)) return false;
  }
  if (hi) {
    const T b = parse_decimal<T>(*hi, "range");
    if (hi_open ? !(x < b) : !(x <= b)) return false;
  }
  return true;
}
template bool Range::contains<float>(const float&) const;
template bool Range::contains<double>(const double&) const;
template bool Range::contains<mp50>(const mp50&) const;

Options::Options(const json& j, std::string context) : context_(std::move(context)) {
  if (j.is_null()) {
    j_ = json::object();
  } else if (!j.is_object()) {
    throw Error(context_ + ": expected a JSON object of settings, got " + j.dump());
  } else {
    j_ = j;
  }
}

void Options::fail(const std::string& key, const std::string& what) const {
  throw Error(context_ + ": " + key + " " + what);
}

void Options::alias(const std::string& other, const std::string& canonical) {
  aliases_.emplace_back(other, canonical);
  if (j_.contains(other)) {
    if (j_.contains(canonical))
      throw Error(context_ + ": both '" + other + "' and '" + canonical + "' are given; they are the same setting");
    j_[canonical] = j_[other];
    j_.erase(other);
  }
}

bool Options::given(const std::string& key) const { return j_.contains(key); }

const json* Options::lookup(const std::string& key) {
  if (std::find(known_.begin(), known_.end(), key) == known_.end()) known_.push_back(key);
  auto it = j_.find(key);
  return it == j_.end() ? nullptr : &*it;
}

void Options::record(const std::string& key, const json& def, const std::string& doc, const json& value) {
  used_[key] = value;
  described_.push_back({{"key", key}, {"default", def}, {"doc", doc}});
}

template <class T>
T Options::real(const std::string& key, const std::string& def, const Range& range, const std::string& doc) {
  const json* v = lookup(key);
  T x = v ? hyper_from_json<T>(*v, context_ + ": " + key) : parse_decimal<T>(def, key + " default");
  if (!is_finite(x)) fail(key, "must be finite");
  if (!range.contains(x))
    fail(key, "must be " + range.text() + ", got " + (v ? v->dump() : def));
  record(key, def, doc + " (" + range.text() + ")", v ? *v : json(def));
  return x;
}

long Options::integer(const std::string& key, long def, long lo, long hi, const std::string& doc) {
  const json* v = lookup(key);
  long x = def;
  if (v) {
    if (v->is_number_integer()) {
      x = v->get<long>();
    } else if (v->is_number_float() && v->get<double>() == static_cast<double>(static_cast<long>(v->get<double>()))) {
      x = static_cast<long>(v->get<double>());
    } else {
      fail(key, "must be an integer, got " + v->dump());
    }
  }
  if (x < lo || x > hi)
    fail(key, "must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got " + std::to_string(x));
  record(key, def, doc, x);
  return x;
}

bool Options::boolean(const std::string& key, bool def, const std::string& doc) {
  const json* v = lookup(key);
  bool x = def;
  if (v) {
    if (!v->is_boolean()) fail(key, "must be true or false, got " + v->dump());
    x = v->get<bool>();
  }
  record(key, def, doc, x);
  return x;
}

std::string Options::choice(const std::string& key, const std::string& def,
                            const std::vector<std::string>& allowed, const std::string& doc) {
  const json* v = lookup(key);
  std::string x = def;
  if (v) {
    if (!v->is_string()) fail(key, "must be one of " + join(allowed) + ", got " + v->dump());
    x = v->get<std::string>();
  }
  if (std::find(allowed.begin(), allowed.end(), x) == allowed.end())
    fail(key, "must be one of " + join(allowed) + ", got '" + x + "'");
  record(key, def, doc + " (one of " + join(allowed) + ")", x);
  return x;
}

template <class T>
std::vector<T> Options::reals(const std::string& key, const std::vector<std::string>& def,
                              const Range& range, const std::string& doc) {
  const json* v = lookup(key);
  std::vector<T> out;
  if (v) {
    if (!v->is_array() || v->empty()) fail(key, "must be a non-empty list of numbers, got " + v->dump());
    for (size_t i = 0; i < v->size(); ++i)
      out.push_back(hyper_from_json<T>((*v)[i], context_ + ": " + key + "[" + std::to_string(i) + "]"));
  } else {
    for (const auto& d : def) out.push_back(parse_decimal<T>(d, key + " default"));
  }
  for (size_t i = 0; i < out.size(); ++i)
    if (!range.contains(out[i]))
      fail(key + "[" + std::to_string(i) + "]", "must be " + range.text());
  record(key, def, doc, v ? *v : json(def));
  return out;
}

const json* Options::raw(const std::string& key, const json& def, const std::string& doc) {
  const json* v = lookup(key);
  record(key, def, doc, v ? *v : def);
  return v;
}

void Options::finish() const {
  for (auto it = j_.begin(); it != j_.end(); ++it) {
    if (std::find(known_.begin(), known_.end(), it.key()) == known_.end()) {
      std::vector<std::string> valid = known_;
      for (const auto& [other, canonical] : aliases_) valid.push_back(other + " (= " + canonical + ")");
      throw Error(context_ + ": unknown key '" + it.key() + "'; valid keys: " + join(valid));
    }
  }
}

#define MB_INSTANTIATE_OPTIONS(T)                                                                  \
  template T Options::real<T>(const std::string&, const std::string&, const Range&, const std::string&); \
  template std::vector<T> Options::reals<T>(const std::string&, const std::vector<std::string>&,   \
                                            const Range&, const std::string&);
MB_INSTANTIATE_OPTIONS(float)
MB_INSTANTIATE_OPTIONS(double)
MB_INSTANTIATE_OPTIONS(mp50)

}  // namespace mb
