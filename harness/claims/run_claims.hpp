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
ClaimsRun run_claims(const std::vector<std::string>& names, const std::vector<Precision>& precisions, bool decoys,
                     int threads);
std::vector<std::string> claim_names();

// Whether each outcome (records as written by run_claims) is what is expected: a decoy
// `violated`; a true statement `holds` (never `inconclusive`, in any precision). One rule for
// `check`, reports and leaderboards.
std::vector<bool> claims_as_expected(const json& outcomes);

}  // namespace mb
