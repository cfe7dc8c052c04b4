// `muonbench spectral` in one precision (map_command.hpp).
#include "solvers/spectral/map_command.hpp"

#include "harness/core/registry.hpp"
#include "solvers/spectral/polar.hpp"
#include "solvers/spectral/regularized.hpp"

namespace mb::spectral {
namespace {

json report_json(const IterationReport& r) {
  json j = {{"iterations", r.iterations}, {"residual", r.residual}, {"converged", r.converged}};
  if (r.at_rounding_floor) j["at_rounding_floor"] = true;
  if (r.error_vs_exact) j["error_vs_exact"] = *r.error_vs_exact;
  if (r.predicted_error) j["predicted_error"] = *r.predicted_error;
  return j;
}

}  // namespace

template <class T>
json map_in(const MapRequest& rq, const json& in) {
  if (!in.is_object()) throw Error("in: expected an object {\"matrices\": [M, ...]}");
  for (auto it = in.begin(); it != in.end(); ++it)
    if (it.key() != "matrices") throw Error("in: unknown key '" + it.key() + "'; valid keys: matrices");
  if (!in.contains("matrices") || !in["matrices"].is_array() || in["matrices"].empty())
    throw Error("in.matrices: expected a non-empty list of matrices");

  std::unique_ptr<NewtonSchulz<T>> ns;
  std::unique_ptr<SpectralPower<T>> pw;
  T eps(0);
  if (rq.map == "ns") ns = std::make_unique<NewtonSchulz<T>>(rq.ns);
  if (rq.map == "power") pw = std::make_unique<SpectralPower<T>>(rq.power);
  if (rq.map == "reg") eps = parse_decimal<T>(rq.eps, "eps");

  json results = json::array(), reports = json::array();
  for (size_t k = 0; k < in["matrices"].size(); ++k) {
    const std::string field = "in.matrices[" + std::to_string(k) + "]";
    const Mat<T> M = matrix_from_json<T>(in["matrices"][k], field, rq.max_entries);
    Mat<T> out;
    IterationReport rep;
    bool iterative = false;
    try {
      if (rq.map == "polar") {
        out = polar<T>(M);
      } else if (rq.map == "ns") {
        ns->apply(M, out);
        iterative = true;
        rep.iterations = static_cast<int>(ns->coefficients().size());
        if (rq.report_error) rep = ns->report(M, out);
      } else if (rq.map == "reg" && rq.smoothing == "huber") {
        out = huber_polar<T>(M, eps);
      } else if (rq.map == "reg") {
        out = reg_polar<T>(M, eps, rq.method, &rep);
        iterative = rq.method == "newton";
        if (rq.report_error) rep.error_vs_exact = to_double(op_norm<T>(Mat<T>(out - reg_polar_svd<T>(M, eps))));
      } else if (rq.map == "power") {
        pw->apply(M, out);
        rep = pw->last_report();
        iterative = rq.power.method == "newton";
        if (rq.report_error) rep.error_vs_exact = to_double(op_norm<T>(Mat<T>(out - pw->exact(M))));
      } else {
        throw_unknown("map", rq.map, "--map", map_names());
      }
    } catch (const NumericalError& e) {
      throw NumericalError(field + ": " + e.what());
    }
    if (!all_finite(out)) {
      const std::string where =
          ns ? " at Newton-Schulz step " + std::to_string(ns->first_non_finite_step(M)) + " of " +
                   std::to_string(ns->coefficients().size()) + " (step 0: the normalisation)"
             : "";
      throw NumericalError(field + ": the map produced non-finite entries" + where + " (the iteration diverged)");
    }
    results.push_back(matrix_to_json_strings<T>(out));
    if (iterative || rq.report_error) reports.push_back(report_json(rep));
  }
  json doc = {{"map", rq.map}, {"precision", scalar_name<T>()}, {"config", rq.config}, {"results", results}};
  if (!reports.empty()) doc["reports"] = reports;
  return doc;
}

template json map_in<MB_SCALAR>(const MapRequest&, const json&);

}  // namespace mb::spectral
