// Named settings as enums. Each enum has one table of names, in the order of its values
// (EnumNames<E>::names()); a setting is read once, at construction, with choose<E>() (an
// Options::choice over that table: errors name the key and list the names), and printed back with
// name_of() in config() and resolved(). Steps compare enums, never strings.
#pragma once

#include <string>
#include <vector>

#include "harness/core/error.hpp"
#include "harness/core/options.hpp"

namespace mb {

// Specialise with `static const std::vector<std::string>& names()`: the names of E's values, in
// order; MB_ENUM_NAMES(E, "a", "b") writes that specialisation (at namespace mb scope).
template <class E>
struct EnumNames;

#define MB_ENUM_NAMES(E, ...)                                      \
  template <>                                                      \
  struct EnumNames<E> {                                            \
    static const std::vector<std::string>& names() {               \
      static const std::vector<std::string> n{__VA_ARGS__};        \
      return n;                                                    \
    }                                                              \
  }

template <class E>
const std::vector<std::string>& names_of() {
  return EnumNames<E>::names();
}

template <class E>
const std::string& name_of(E e) {
  return names_of<E>()[static_cast<size_t>(e)];
}

// The value named `name`; otherwise Error("unknown <what> 'name' in <field>; known <what>s: ...").
template <class E>
E enum_named(const std::string& name, const std::string& what, const std::string& field) {
  const std::vector<std::string>& n = names_of<E>();
  for (size_t i = 0; i < n.size(); ++i)
    if (n[i] == name) return static_cast<E>(i);
  throw_unknown(what, name, field, n);
}

// Options::choice of one of `allowed` (by default every name of E, in the table's order; a solver
// offering a subset, or listing them in another order, passes its own list).
template <class E>
E choose(Options& o, const std::string& key, E def, const std::string& doc,
         const std::vector<std::string>& allowed = names_of<E>()) {
  return enum_named<E>(o.choice(key, name_of(def), allowed, doc), key, o.context());
}

}  // namespace mb
