#include "harness/report/cell_record.hpp"

#include <array>

#include "harness/core/error.hpp"

namespace mb {

namespace {
constexpr std::array<std::pair<CellStatus, const char*>, 5> kStatusNames{{
    {CellStatus::target_reached, "target_reached"},
    {CellStatus::max_steps, "max_steps"},
    {CellStatus::diverged, "diverged"},
    {CellStatus::timeout, "timeout"},
    {CellStatus::failed, "failed"},
}};

const json& at(const json& j, const char* key, const std::string& field) {
  if (!j.is_object() || !j.contains(key)) throw Error(field + ": missing '" + key + "'");
  return j.at(key);
}

template <class V>
V get(const json& j, const char* key, const std::string& field) {
  const json& v = at(j, key, field);
  try {
    return v.get<V>();
  } catch (const json::exception&) {
    throw Error(field + "." + key + ": unexpected value " + v.dump());
  }
}

// A precision-written number: JSON number, decimal string or null.
JsonNumber number(const json& j, const char* key, const std::string& field) {
  const json& v = at(j, key, field);
  if (!v.is_null() && !v.is_number() && !v.is_string()) throw Error(field + "." + key + ": expected a number");
  return v;
}

template <class V>
json optional_map_to_json(const std::map<std::string, std::optional<V>>& m) {
  json o = json::object();
  for (const auto& [k, v] : m) o[k] = v ? json(*v) : json(nullptr);
  return o;
}

template <class V>
std::map<std::string, std::optional<V>> optional_map_from_json(const json& j, const char* key, const std::string& field) {
  const json& o = at(j, key, field);
  if (!o.is_object()) throw Error(field + "." + key + ": expected an object");
  std::map<std::string, std::optional<V>> m;
  for (auto it = o.begin(); it != o.end(); ++it) {
    if (it.value().is_null())
      m[it.key()] = std::nullopt;
    else if (it.value().is_number())
      m[it.key()] = it.value().get<V>();
    else
      throw Error(field + "." + key + "." + it.key() + ": expected a number or null");
  }
  return m;
}

std::vector<JsonNumber> numbers(const json& j, const char* key, const std::string& field) {
  const json& a = at(j, key, field);
  if (!a.is_array()) throw Error(field + "." + key + ": expected a list");
  return a.get<std::vector<json>>();
}
}  // namespace

const char* to_string(CellStatus s) {
  for (const auto& [v, n] : kStatusNames)
    if (v == s) return n;
  return "failed";
}

CellStatus parse_cell_status(const std::string& text, const std::string& field) {
  std::vector<std::string> names;
  for (const auto& [v, n] : kStatusNames) {
    if (text == n) return v;
    names.push_back(n);
  }
  throw_unknown("cell status", text, field, names);
}

json CellRecord::to_json() const {
  json r;
  r["id"] = id;
  r["cell"] = cell;
  r["problem_params"] = problem_params;
  r["hyper"] = hyper;
  r["status"] = to_string(status);
  r["reason"] = reason;
  r["steps"] = steps;
  r["gradient_evaluations"] = gradient_evaluations;
  r["f0"] = f0;
  r["f_star"] = f_star;
  r["f_star_source"] = f_star_source;
  r["gap0"] = gap0;
  r["final"] = {{"value", final_value}, {"gap", final_gap}, {"grad_norm", final_grad_norm}};
  r["curve"] = {{"step", curve.step}, {"value", curve.value}, {"gap", curve.gap}, {"grad_norm", curve.grad_norm}};
  r["steps_to_target"] = optional_map_to_json(steps_to_target);
  r["rounding_floor_relative"] = rounding_floor_relative ? json(*rounding_floor_relative) : json(nullptr);
  r["rate"] = rate;
  if (diagnostics) r["diagnostics"] = *diagnostics;
  if (evaluation) r["evaluation"] = *evaluation;
  return r;
}

CellRecord CellRecord::from_json(const json& j, const std::string& field) {
  CellRecord r;
  r.id = get<std::string>(j, "id", field);
  r.cell = at(j, "cell", field);
  r.problem_params = at(j, "problem_params", field);
  r.hyper = at(j, "hyper", field);
  r.status = parse_cell_status(get<std::string>(j, "status", field), field + ".status");
  r.reason = get<std::string>(j, "reason", field);
  r.steps = get<long>(j, "steps", field);
  r.gradient_evaluations = get<long>(j, "gradient_evaluations", field);
  r.f0 = number(j, "f0", field);
  r.f_star = number(j, "f_star", field);
  r.f_star_source = get<std::string>(j, "f_star_source", field);
  r.gap0 = number(j, "gap0", field);
  const json& fin = at(j, "final", field);
  r.final_value = number(fin, "value", field + ".final");
  r.final_gap = number(fin, "gap", field + ".final");
  r.final_grad_norm = number(fin, "grad_norm", field + ".final");
  const json& c = at(j, "curve", field);
  r.curve.step = get<std::vector<long>>(c, "step", field + ".curve");
  r.curve.value = numbers(c, "value", field + ".curve");
  r.curve.gap = numbers(c, "gap", field + ".curve");
  r.curve.grad_norm = numbers(c, "grad_norm", field + ".curve");
  r.steps_to_target = optional_map_from_json<long>(j, "steps_to_target", field);
  const json& floor = at(j, "rounding_floor_relative", field);
  if (!floor.is_null()) r.rounding_floor_relative = get<double>(j, "rounding_floor_relative", field);
  r.rate = at(j, "rate", field);
  if (j.contains("diagnostics")) r.diagnostics = j.at("diagnostics");
  if (j.contains("evaluation")) r.evaluation = j.at("evaluation");
  return r;
}

std::string CellRecord::brief() const {
  return std::string(to_string(status)) + " after " + std::to_string(steps) + " steps (" + reason + ")";
}

json CellTiming::to_json() const {
  return {{"seconds", seconds},
          {"setup_seconds", setup_seconds},
          {"curve_seconds", curve_seconds},
          {"seconds_to_target", optional_map_to_json(seconds_to_target)}};
}

CellTiming CellTiming::from_json(const json& j, const std::string& field) {
  CellTiming t;
  t.seconds = get<double>(j, "seconds", field);
  // Records written before set-up was timed separately (failed cells) have no setup_seconds.
  if (j.is_object() && j.contains("setup_seconds")) t.setup_seconds = get<double>(j, "setup_seconds", field);
  t.curve_seconds = get<std::vector<double>>(j, "curve_seconds", field);
  t.seconds_to_target = optional_map_from_json<double>(j, "seconds_to_target", field);
  return t;
}

void CellResult::write_to(json& j) const {
  j["record"] = record.to_json();
  j["timing"] = timing.to_json();
}

CellResult CellResult::read_from(const json& j, const std::string& field) {
  return {CellRecord::from_json(at(j, "record", field), field + ".record"),
          CellTiming::from_json(at(j, "timing", field), field + ".timing")};
}

}  // namespace mb
