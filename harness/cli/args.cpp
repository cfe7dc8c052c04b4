#include <algorithm>
#include <thread>

#include "harness/cli/command.hpp"
#include "harness/core/error.hpp"
#include "harness/solver.hpp"

namespace mb::cli {

Args::Args(const std::vector<std::string>& argv, const std::string& command, const std::vector<std::string>& valued,
           const std::vector<std::string>& flags)
    : command_(command) {
  auto known = [&] {
    std::vector<std::string> all;
    for (const auto& v : valued) all.push_back("--" + v + " VALUE");
    for (const auto& f : flags) all.push_back("--" + f);
    return all;
  };
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a.rfind("--", 0) != 0) {
      positional_.push_back(a);
      continue;
    }
    std::string key = a.substr(2), value;
    const auto eq = key.find('=');
    const bool inline_value = eq != std::string::npos;
    if (inline_value) value = key.substr(eq + 1), key = key.substr(0, eq);
    if (std::find(valued.begin(), valued.end(), key) != valued.end()) {
      if (!inline_value) {
        if (i + 1 >= argv.size()) throw Error(command_ + ": option --" + key + " needs a value");
        value = argv[++i];
      }
      // A repeated option accumulates: --claim a --claim b == --claim a,b.
      values_[key] = values_.count(key) ? values_[key] + "," + value : value;
    } else if (std::find(flags.begin(), flags.end(), key) != flags.end()) {
      if (inline_value) throw Error(command_ + ": option --" + key + " takes no value");
      values_[key] = "1";
    } else {
      throw Error(command_ + ": unknown option '" + a + "'; valid options: " + join(known()));
    }
  }
}

std::string Args::get(const std::string& key, const std::string& def) const {
  auto it = values_.find(key);
  return it == values_.end() ? def : it->second;
}

std::string Args::require(const std::string& key) const {
  auto it = values_.find(key);
  if (it == values_.end()) throw Error(command_ + ": missing required option --" + key);
  return it->second;
}

std::vector<std::string> Args::list(const std::string& key, const std::vector<std::string>& def) const {
  if (!has(key)) return def;
  std::vector<std::string> out;
  std::string cur;
  for (char c : get(key)) {
    if (c == ',') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  if (out.empty()) throw Error(command_ + ": --" + key + " needs at least one value");
  return out;
}

int Args::integer(const std::string& key, int def, int lo, int hi) const {
  return static_cast<int>(long_integer(key, def, lo, hi));
}

long Args::long_integer(const std::string& key, long def, long lo, long hi) const {
  if (!has(key)) return def;
  const std::string v = get(key);
  const std::string range = "[" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
  size_t pos = 0;
  long x = 0;
  try {
    x = std::stol(v, &pos);
  } catch (const std::out_of_range&) {
    throw Error(command_ + ": --" + key + " must be in " + range + ", got '" + v + "'");
  } catch (...) {
    pos = 0;
  }
  if (pos == 0 || pos != v.size()) throw Error(command_ + ": --" + key + " must be an integer, got '" + v + "'");
  if (x < lo || x > hi) throw Error(command_ + ": --" + key + " must be in " + range + ", got '" + v + "'");
  return x;
}

int default_threads() {
  const unsigned n = std::thread::hardware_concurrency();
  return n ? static_cast<int>(n) : 1;
}

bool json_arg_is_inline(const std::string& v) {
  const size_t first = v.find_first_not_of(" \t\r\n");
  return first != std::string::npos && (v[first] == '{' || v[first] == '[');
}

void require_external_allowed(const std::string& solver, const std::string& option, const std::string& text,
                              const json& hyper, bool allowed) {
  if (solver != external_solver_name() || json_arg_is_inline(text) || allowed) return;
  throw Error(option + ": file '" + text + "' makes solver 'external' run " +
              (hyper.contains("command") ? hyper["command"].dump() : std::string("a program")) +
              "; run it only if you trust it: add --allow-external (docs/plugins.md)");
}

json json_arg(const std::string& v, const std::string& what) {
  if (json_arg_is_inline(v)) return parse_json_text(v, what);
  return load_json_file(v, what);
}

}  // namespace mb::cli
