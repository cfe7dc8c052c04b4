// The claims engine: runs registered claims (harness/claim.hpp) in the precisions claims run in
// (harness/core/precision.hpp), enforces the outcome contract, and judges each outcome.
#pragma once

#include <string>
#include <vector>

#include "harness/claim.hpp"

namespace mb {

// Runs claims by name in each precision. `outcomes` is the deterministic list of outcome
// records; `timing` maps "claim/precision" to seconds. Unknown names or precisions throw
// mb::Error listing the known ones.
struct ClaimsRun {
  json outcomes = json::array();
  json timing = json::object();
};
// `solver` (with `solver_hyper`): `check --solver`, the solver run by claims about one
// (ClaimInfo::solver_role) in place of their own; every named claim must be one of those.
ClaimsRun run_claims(const std::vector<std::string>& names, const std::vector<Precision>& precisions, bool decoys,
                     int threads, const std::string& solver = "", const json& solver_hyper = json::object());
// The claims a solver of the user's can be checked by (`check --solver`).
std::vector<std::string> claims_taking_a_solver();
std::vector<std::string> claim_names();

// Whether each outcome (records as written by run_claims) is what is expected: a decoy
// `violated`; a true statement `holds` (never `inconclusive`, in any precision). One rule for
// `check`, reports and leaderboards.
std::vector<bool> claims_as_expected(const json& outcomes);

}  // namespace mb
