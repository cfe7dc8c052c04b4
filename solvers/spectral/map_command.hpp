// The per-precision worker behind `muonbench spectral` (spectral_command.cpp parses and
// validates the command line into a MapRequest; this runs it in the requested precision).
//   in:  {"matrices": [M, ...]}, each M a list of rows of JSON numbers or decimal strings
//   out: {"map", "precision", "config", "results": [R, ...], "reports": [...]}; each R a list of
//        rows of decimal strings with every significant digit of the precision; "reports" (for
//        iterative maps) one object per matrix: iterations, residual, converged, and with
//        --report-error the a-posteriori error_vs_exact = ||R - exact map||_op (and for ns the
//        exact-arithmetic prediction predicted_error).
#pragma once

#include <string>

#include "harness/core/json_num.hpp"
#include "harness/core/precision.hpp"
#include "solvers/spectral/newton_schulz.hpp"
#include "solvers/spectral/power.hpp"

namespace mb::spectral {

struct MapRequest {
  std::string map;  // polar | ns | reg | power
  NewtonSchulzConfig ns;
  PowerConfig power;
  std::string eps;                 // reg
  std::string method = "eig";      // reg: eig | newton
  std::string smoothing = "sqrt";  // reg: sqrt | huber
  bool report_error = false;
  long max_entries = kDefaultMaxMatrixEntries;  // larger matrices are refused before allocation
  json config = json::object();    // the options actually used, echoed in the output
};

const std::vector<std::string>& map_names();
// Runs `request` on every matrix of `in` in `precision`; errors name the field ("in.matrices[2][0][1]").
json run_map(const MapRequest& request, Precision precision, const json& in);
// The same in scalar T (map_command.cpp, compiled per scalar).
template <class T>
json map_in(const MapRequest& request, const json& in);

}  // namespace mb::spectral
