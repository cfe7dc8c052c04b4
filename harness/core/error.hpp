// Errors that reach the user. Every message names the field or argument at fault, so that a
// user can fix the input without reading code (Ceres' Solver::Options::IsValid habit).
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace mb {

// Bad input: a suite, a configuration, a command-line argument. Exit status 2.
struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A numerical event that ends a computation (non-finite gradient, blow-up). The runner records it
// as a divergence of the cell; a command that receives such data as input reports it as an Error.
struct NumericalError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// "a, b, c" for messages that list the known names.
std::string join(const std::vector<std::string>& items, const std::string& sep = ", ");

// Unknown name -> Error("unknown <what> 'name' in <field>; known <what>s: a, b, c").
[[noreturn]] void throw_unknown(const std::string& what, const std::string& name,
                                const std::string& field, const std::vector<std::string>& known);

}  // namespace mb
