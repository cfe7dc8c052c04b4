// The claims engine (harness/claims/run_claims.hpp): run_claims() enforces the outcome contract
// (a claim that breaks it is an mb::Error naming the claim, never a silent verdict), and
// claims_as_expected() is the one rule for "as expected". Test-only claims, registered here in
// both precisions, break one rule each; two cheap real claims run with their decoys.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>

#include "harness/claims/run_claims.hpp"
#include "harness/core/error.hpp"

namespace {

using mb::ClaimOutcome;
using mb::Verdict;

ClaimOutcome good(const std::string& variant, bool decoy) {
  ClaimOutcome o;
  o.variant = variant;
  o.decoy = decoy;
  o.verdict = decoy ? Verdict::violated : Verdict::holds;
  o.reason = decoy ? "margin below -tolerance" : "";
  o.margin = decoy ? -1.0 : 1.0;
  o.tolerance = 0.0;
  o.tolerance_source = "exact";
  return o;
}

// Registers claim `name` with parts {a, b} and decoy {d}; `mutate` breaks the well-formed outcome list.
void add_test_claim(const std::string& name, std::function<void(std::vector<ClaimOutcome>&)> mutate) {
  mb::ClaimInfo info{name, "test", "test", "test", "test", {{"d", "wrong"}}, {{"a", "part a"}, {"b", "part b"}}};
  mb::Registry<mb::ClaimInfo>::instance().add(name, info, true);
  auto fn = [mutate](const mb::ClaimContext& ctx) {
    std::vector<ClaimOutcome> out{good("a", false), good("b", false)};
    if (ctx.decoys) out.push_back(good("d", true));
    mutate(out);
    return out;
  };
  mb::Registry<mb::ClaimFn<double>>::instance().add(name, {fn}, true);
  mb::Registry<mb::ClaimFn<mb::mp50>>::instance().add(name, {fn}, true);
}

struct Registered {
  Registered() {
    add_test_claim("zz-test-well-formed", [](auto&) {});
    add_test_claim("zz-test-undeclared", [](auto& o) { o.push_back(good("c", false)); });
    add_test_claim("zz-test-missing-part", [](auto& o) { o.erase(o.begin() + 1); });
    add_test_claim("zz-test-missing-decoy", [](auto& o) {
      o.erase(std::remove_if(o.begin(), o.end(), [](const ClaimOutcome& x) { return x.decoy; }), o.end());
    });
    add_test_claim("zz-test-decoy-flag", [](auto& o) { o[0].decoy = true; });
    add_test_claim("zz-test-no-source", [](auto& o) { o[1].tolerance_source.clear(); });
    add_test_claim("zz-test-no-reason", [](auto& o) {
      o[0].verdict = Verdict::inconclusive;
      o[0].reason.clear();
    });
    add_test_claim("zz-test-twice", [](auto& o) { o.push_back(o[0]); });
  }
};
const Registered registered;

std::string error_of(const std::string& claim, bool decoys) {
  try {
    mb::run_claims({claim}, {mb::Precision::float64}, decoys, 1);
  } catch (const mb::Error& e) {
    return e.what();
  }
  return "";
}

TEST(ClaimsEngine, WellFormedClaimRunsInBothPrecisions) {
  const mb::ClaimsRun r = mb::run_claims({"zz-test-well-formed"}, {mb::Precision::float64, mb::Precision::mp50}, true, 2);
  ASSERT_EQ(r.outcomes.size(), 6u);
  EXPECT_EQ(r.outcomes[0]["variant"], "a");
  EXPECT_EQ(r.outcomes[0]["precision"], "double");
  EXPECT_EQ(r.outcomes[2]["variant"], "d");
  EXPECT_EQ(r.outcomes[2]["expected"], "violated");
  EXPECT_EQ(r.outcomes[2]["decoy_description"], "wrong");
  EXPECT_EQ(r.outcomes[1]["part_description"], "part b");
  EXPECT_TRUE(r.timing.contains("zz-test-well-formed/mp50"));
  for (bool ok : mb::claims_as_expected(r.outcomes)) EXPECT_TRUE(ok);
  // Without --decoys the decoy is neither required nor reported.
  EXPECT_EQ(mb::run_claims({"zz-test-well-formed"}, {mb::Precision::float64}, false, 1).outcomes.size(), 2u);
}

TEST(ClaimsEngine, ContractViolationsAreErrorsNamingTheClaim) {
  const std::vector<std::pair<std::string, std::string>> cases{
      {"zz-test-undeclared", "outcome 'c': not a declared part or decoy"},
      {"zz-test-missing-part", "no outcome for 'b'"},
      {"zz-test-missing-decoy", "no outcome for 'd'"},
      {"zz-test-decoy-flag", "decoy flag does not match"},
      {"zz-test-no-source", "empty tolerance_source"},
      {"zz-test-no-reason", "verdict inconclusive without a reason"},
      {"zz-test-twice", "returned twice"}};
  for (const auto& [claim, what] : cases) {
    const std::string m = error_of(claim, true);
    EXPECT_NE(m.find("claim '" + claim + "' (double)"), std::string::npos) << claim << ": " << m;
    EXPECT_NE(m.find(what), std::string::npos) << claim << ": " << m;
  }
  // The missing decoy is only required with decoys.
  EXPECT_EQ(error_of("zz-test-missing-decoy", false), "");
}

TEST(ClaimsEngine, UnknownClaimOrPrecisionListsTheKnownOnes) {
  const std::string m = error_of("no-such-claim", false);
  EXPECT_NE(m.find("unknown claim 'no-such-claim'"), std::string::npos) << m;
  EXPECT_NE(m.find("gd-pl-rate"), std::string::npos) << m;
  try {
    mb::run_claims({"gd-pl-rate"}, {mb::Precision::float32}, false, 1);
    FAIL() << "no error";
  } catch (const mb::Error& e) {
    EXPECT_NE(std::string(e.what()).find("mp50"), std::string::npos) << e.what();
  }
}

TEST(ClaimsEngine, AsExpectedRule) {
  auto rec = [](const std::string& prec, const std::string& variant, bool decoy, const std::string& verdict) {
    return mb::json{{"claim", "c"}, {"precision", prec}, {"variant", variant}, {"decoy", decoy},
                    {"expected", decoy ? "violated" : "holds"}, {"verdict", verdict}};
  };
  // inconclusive is never as expected, in any precision, whatever mp50 says.
  mb::json o = mb::json::array({rec("double", "p", false, "inconclusive"), rec("mp50", "p", false, "holds"),
                                rec("double", "q", false, "inconclusive"), rec("mp50", "q", false, "inconclusive"),
                                rec("double", "d", true, "inconclusive"), rec("double", "d2", true, "holds"),
                                rec("double", "d3", true, "violated"), rec("mp50", "p2", false, "violated")});
  const std::vector<bool> ok = mb::claims_as_expected(o);
  EXPECT_EQ(ok, (std::vector<bool>{false, true, false, false, false, false, true, false}));
  mb::json alone = mb::json::array({rec("double", "p", false, "inconclusive")});
  EXPECT_EQ(mb::claims_as_expected(alone), std::vector<bool>{false});
}

// Two real claims, cheap in both precisions: every part holds and every decoy is violated.
TEST(ClaimsEngine, RealClaimsHoldAndTheirDecoysAreViolated) {
  const mb::ClaimsRun r = mb::run_claims({"gd-pl-rate", "fenchel-young"}, {mb::Precision::float64, mb::Precision::mp50}, true, 2);
  const std::vector<bool> ok = mb::claims_as_expected(r.outcomes);
  size_t decoys = 0, declared = 0;
  for (size_t i = 0; i < ok.size(); ++i) {
    EXPECT_TRUE(ok[i]) << r.outcomes[i].dump(1);
    decoys += r.outcomes[i]["decoy"].get<bool>();
  }
  for (const char* n : {"gd-pl-rate", "fenchel-young"})
    declared += mb::Registry<mb::ClaimInfo>::instance().get(n, "claim").decoys.size();
  EXPECT_EQ(decoys, 2 * declared);  // every declared decoy, in both precisions
  EXPECT_GE(declared, 2u + 3u);
}

}  // namespace
