// Subcommands of the `muonbench` program: one file each in harness/cli/, registered by name.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "harness/core/json_num.hpp"
#include "harness/core/registry.hpp"

namespace mb::cli {

// Parsed "--key value" / "--flag" arguments. Unknown options are an error listing the valid ones.
class Args {
 public:
  // `valued`: options that take a value; `flags`: options that take none.
  Args(const std::vector<std::string>& argv, const std::string& command, const std::vector<std::string>& valued,
       const std::vector<std::string>& flags);
  bool has(const std::string& key) const { return values_.count(key) != 0; }
  std::string get(const std::string& key, const std::string& def = "") const;
  std::string require(const std::string& key) const;
  // Comma-separated list ("double,mp50").
  std::vector<std::string> list(const std::string& key, const std::vector<std::string>& def) const;
  int integer(const std::string& key, int def, int lo, int hi) const;
  long long_integer(const std::string& key, long def, long lo, long hi) const;
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::string command_;
  std::map<std::string, std::string> values_;
  std::vector<std::string> positional_;
};

struct Command {
  std::string name;
  std::string summary;
  std::string usage;  // full help text
  std::function<int(const std::vector<std::string>& args)> run;
};

int default_threads();
// A JSON text (starting with '{' or '['), or else a path to a file holding one; `what` names the option.
json json_arg(const std::string& v, const std::string& what);
// Whether json_arg would read `v` as inline JSON text (not a file).
bool json_arg_is_inline(const std::string& v);
// Nobody runs code they did not ask for (docs/plugins.md): hyperparameters read from a FILE (`text`,
// given to `option`) that make solver 'external' run a program need --allow-external; inline JSON
// typed on the command line is asking. Throws Error naming the option, the file and the program.
void require_external_allowed(const std::string& solver, const std::string& option, const std::string& text,
                              const json& hyper, bool allowed);

}  // namespace mb::cli

#define MB_REGISTER_COMMAND(...)                                        \
  static MB_STATIC_REGISTRATION MB_UNIQUE(mb_command_registration_)([] { \
    ::mb::cli::Command c{__VA_ARGS__};                                  \
    ::mb::Registry<::mb::cli::Command>::instance().add(c.name, c);      \
  })
