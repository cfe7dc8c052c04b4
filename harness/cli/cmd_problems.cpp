// muonbench problems [--describe NAME] [--params JSON] [--precision P] [--json]
//
// Lists the registered problems, or describes one: its formula, every parameter with its
// default and documentation, its blocks, and the known constants (f*, mu, L, assumptions,
// Hessian spectrum, particle layout) of the default instance or of --params.
#include <iostream>
#include <sstream>

#include "harness/cli/command.hpp"
#include "harness/problem.hpp"

namespace mb::cli {
namespace {

template <class T>
json describe_instance(const std::string& name, const json& params) {
  auto p = make_problem<T>(name, params, "--describe");
  const Known<T> k = p->known();
  auto num = [](const std::optional<T>& x) { return x ? number_to_json<T>(*x) : json(nullptr); };
  json blocks = json::array();
  for (const auto& b : p->blocks()) {
    json jb = {{"name", b.name}, {"shape", b.shape}};
    if (b.parts > 1) jb["parts"] = b.parts;
    blocks.push_back(jb);
  }
  json j = {{"parameters", p->parameter_docs()},
            {"used", p->parameters()},
            {"blocks", blocks},
            {"size", total_size(p->blocks())},
            {"known", {{"f_star", num(k.f_star)},
                       {"f_star_source", k.f_star_source},
                       {"mu", num(k.mu)},
                       {"mu_scope", k.mu_scope},
                       {"mu_source", k.mu_source},
                       {"L", num(k.L)},
                       {"L_scope", k.L_scope},
                       {"L_source", k.L_source},
                       {"assumptions", k.assumptions}}},
            {"has_minimizer", p->minimizer().has_value()}};
  if (auto ev = p->hessian_eigenvalues(); ev && !ev->empty())
    j["hessian_eigenvalues"] = {{"count", ev->size()}, {"min", number_to_json<T>(ev->front())},
                                {"max", number_to_json<T>(ev->back())}};
  if (auto pl = p->particles())
    j["particles"] = {{"count", pl->count}, {"population", pl->population}, {"blocks", pl->blocks},
                      {"reference_params", pl->reference_params}};
  return j;
}

std::string text(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

void print_description(const ProblemInfo& info, const std::string& precision, const json& d) {
  std::ostringstream o;
  o << info.name << ": " << info.summary << "\n\n"
    << "formula:   " << info.formula << "\n"
    << "reference: " << info.reference << "\n\nparameters:\n";
  size_t w = 4;
  for (const auto& p : d["parameters"]) w = std::max(w, p["key"].get<std::string>().size());
  for (const auto& p : d["parameters"]) {
    const std::string key = p["key"];
    o << "  " << key << std::string(w - key.size() + 2, ' ') << "default " << text(p["default"]);
    if (d["used"].contains(key) && text(d["used"][key]) != text(p["default"])) o << " (here " << text(d["used"][key]) << ")";
    o << "\n  " << std::string(w + 2, ' ') << p["doc"].get<std::string>() << "\n";
  }
  o << "\nblocks (" << d["size"].get<long>() << " parameters):";
  for (const auto& b : d["blocks"]) {
    o << "  " << b["name"].get<std::string>() << " " << b["shape"].dump();
    if (b.contains("parts")) o << " (" << b["parts"] << " parts)";
  }
  const json& k = d["known"];
  o << "\n\nknown constants of this instance (" << precision << "):\n"
    << "  f*  = " << text(k["f_star"]);
  if (!k["f_star"].is_null()) o << "   [" << text(k["f_star_source"]) << "]";
  o << "\n  mu  = " << text(k["mu"]);
  if (!k["mu"].is_null()) o << " (" << text(k["mu_scope"]) << ")";
  if (!text(k["mu_source"]).empty()) o << "   [" << text(k["mu_source"]) << "]";
  o << "\n  L   = " << text(k["L"]);
  if (!k["L"].is_null()) o << " (" << text(k["L_scope"]) << ")";
  if (!text(k["L_source"]).empty()) o << "   [" << text(k["L_source"]) << "]";
  o << "\n  assumptions: ";
  for (size_t i = 0; i < k["assumptions"].size(); ++i) o << (i ? ", " : "") << text(k["assumptions"][i]);
  o << "\n  known minimizer: " << (d["has_minimizer"].get<bool>() ? "yes" : "no") << "\n";
  if (d.contains("hessian_eigenvalues"))
    o << "  Hessian eigenvalues at the minimizer: " << d["hessian_eigenvalues"]["count"] << " in ["
      << text(d["hessian_eigenvalues"]["min"]) << ", " << text(d["hessian_eigenvalues"]["max"]) << "]\n";
  if (d.contains("particles"))
    o << "  particles: N = " << d["particles"]["count"] << " (blocks " << d["particles"]["blocks"].dump()
      << "), the first N of a population of " << d["particles"]["population"] << "; reference instance "
      << d["particles"]["reference_params"].dump() << "\n";
  std::cout << o.str();
}

int cmd_problems(const std::vector<std::string>& argv) {
  Args a(argv, "problems", {"describe", "params", "precision"}, {"json"});
  const auto& infos = Registry<ProblemInfo>::instance();
  if (!a.has("describe")) {
    if (a.has("params") || a.has("precision")) throw Error("problems: --params and --precision need --describe NAME");
    if (a.has("json")) {
      json j = json::array();
      for (const auto& [n, i] : infos.all())
        j.push_back({{"name", n}, {"summary", i.summary}, {"formula", i.formula}, {"reference", i.reference}});
      std::cout << j.dump(1) << "\n";
    } else {
      for (const auto& [n, i] : infos.all()) std::cout << "  " << n << std::string(n.size() < 20 ? 20 - n.size() : 1, ' ') << i.summary << "\n";
      std::cout << "muonbench problems --describe NAME: formula, parameters, known constants\n";
    }
    return 0;
  }
  const std::string name = a.get("describe");
  const ProblemInfo& info = infos.get(name, "problem", "--describe");
  const json params = a.has("params") ? parse_json_text(a.get("params"), "--params") : json::object();
  const std::string precision = a.get("precision", precision_name(Precision::float64));
  json d = dispatch(parse_precision(precision, "--precision"),
                    [&](auto tag) { return describe_instance<typename decltype(tag)::type>(name, params); });
  if (a.has("json")) {
    d["name"] = name;
    d["summary"] = info.summary;
    d["formula"] = info.formula;
    d["reference"] = info.reference;
    d["precision"] = precision;
    std::cout << d.dump(1) << "\n";
  } else {
    print_description(info, precision, d);
  }
  return 0;
}

}  // namespace

MB_REGISTER_COMMAND("problems", "list the test problems, or describe one (formula, parameters, known constants)",
                    "usage: muonbench problems [--json]\n"
                    "       muonbench problems --describe NAME [--params JSON] [--precision float|double|mp50] [--json]\n"
                    "  Without --describe: every registered problem with its summary.\n"
                    "  --describe NAME: the formula, every parameter with its default and documentation, the\n"
                    "  parameter blocks, and the known constants (f*, mu, L and their scope and source,\n"
                    "  assumptions, Hessian spectrum at the minimizer, particle layout) of the default instance,\n"
                    "  or of the instance given by --params (a JSON object), computed in --precision (double).\n",
                    cmd_problems);

}  // namespace mb::cli
