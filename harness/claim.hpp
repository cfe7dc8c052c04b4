// Claims: theorem-level statements checked on concrete instances, each with a verdict anyone can
// audit (PEPit habit: measured vs predicted, the tolerance and where it comes from, the margin).
//
// A claim registers one function per precision (double, mp50) returning its outcomes: the true
// statement (one outcome "claim", or one per named part when the statement has several checkable
// parts: an identity, a slope, a bound), and, when decoys are asked for, each deliberately wrong
// variant, which the same check must report as `violated`. One claim family per file in claims/,
// registered with MB_REGISTER_CLAIM; claims/support.hpp has the shared helpers (slope fits, the
// verdict of a part checked on several instances). docs/claims.md describes every claim.
//
// The contract of an outcome (run_claims() in harness/claims/run_claims.hpp enforces it, and throws mb::Error naming the claim when
// a claim breaks it): its variant is "claim", a declared part or a declared decoy, with `decoy`
// set exactly for decoys; every declared part (or "claim") and, with decoys, every declared decoy
// appears in each precision; `tolerance_source` is never empty; a verdict other than `holds`
// carries its `reason`.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "harness/core/json_num.hpp"
#include "harness/core/registry.hpp"

namespace mb {

struct ClaimInfo {
  std::string name;
  std::string statement;        // in words
  std::string formula;          // as a formula
  std::string source;           // paper + section, or "docs/theory.md 2x (derivation of this project)" for our derivations
  std::string tolerance_model;  // how the tolerance is derived
  std::vector<std::pair<std::string, std::string>> decoys;  // (name, what is wrong)
  // (name, what it checks) of each part of the true statement; empty: one outcome named "claim".
  std::vector<std::pair<std::string, std::string>> parts = {};
  // (part, why) for a part that is a composed bound, loose by construction: it reports its
  // tightness but has no resolution target; each inequality it is composed of is its own part
  // or claim with a target (docs/claims.md, "Resolution and tightness").
  std::vector<std::pair<std::string, std::string>> composed = {};
  // The registered solver the statement is about ("sgd"), which `check --solver NAME` replaces;
  // empty for claims about a map or an identity, which take no solver.
  std::string solver_role = "";
};

enum class Verdict { holds, violated, inconclusive };
std::string to_string(Verdict v);

struct ClaimOutcome {
  std::string variant = "claim";  // "claim" or the decoy's name
  bool decoy = false;
  Verdict verdict = Verdict::inconclusive;
  std::string reason;              // why, always for inconclusive and violated
  json instance = json::object();  // problem, solver, sizes, seeds used
  json measured = json::object();  // named measured values
  json predicted = json::object(); // named predicted values or bounds
  json margin;                     // signed: > 0 means room to spare; < -tolerance means violated
  json tolerance;
  std::string tolerance_source;
  json extra = json::object();     // supporting data (slopes, tables)
  // Resolution (claims/resolution.hpp): the smallest r >= 1 such that the predicted constant
  // times r or 1/r turns the verdict; null with resolution_note when it cannot be given.
  json resolution;
  std::string resolution_note;
  json tightness;                  // one-sided bounds: how close the tightest one comes, in (0, 1]
  std::string kind;                // "sharp" (two-sided), "bound" (one-sided) or "mixed"
};

struct ClaimContext {
  bool decoys = false;
  // `muonbench check --solver NAME [--solver-hyper JSON]` (docs/plugins.md "Claims on your solver"):
  // a claim about a solver (ClaimInfo::solver_role) runs NAME, a built-in, plugin or external
  // solver, where it would run its own. Empty: the claim's own solver.
  std::string solver;
  json solver_hyper = json::object();
  // The solver to run: `own` unless --solver names another.
  std::string solver_name(const std::string& own) const { return solver.empty() ? own : solver; }
  // The claim's hyperparameters (the theorem's premises: lr = 1/L...) with the user's other keys
  // added; the claim's own keys win, so the statement checked is the theorem's.
  json hyper(json own) const {
    if (solver.empty()) return own;
    for (const auto& [k, v] : solver_hyper.items())
      if (!own.contains(k)) own[k] = v;
    return own;
  }
};

// Tagged by T so that each precision has its own registry (the std::function type alone would
// be the same for every T).
template <class T>
struct ClaimFn {
  std::function<std::vector<ClaimOutcome>(const ClaimContext&)> run;
};

// "holds" if margin >= -tol, else "violated"; unless `resolvable` is false ("inconclusive").
template <class T>
Verdict verdict_from_margin(const T& margin, const T& tol) {
  return margin >= -tol ? Verdict::holds : Verdict::violated;
}

}  // namespace mb

// `Fn` is a function template `template <class T> std::vector<ClaimOutcome> Fn(const ClaimContext&)`
// and `info()` a function returning the ClaimInfo.
#define MB_REGISTER_CLAIM(InfoFn, Fn)                                                        \
  static MB_STATIC_REGISTRATION MB_UNIQUE(mb_claim_registration_)([] {                     \
    const ::mb::ClaimInfo i = InfoFn();                                                      \
    ::mb::Registry<::mb::ClaimInfo>::instance().add(i.name, i, true);                        \
    ::mb::Registry<::mb::ClaimFn<MB_SCALAR>>::instance().add(i.name, {&Fn<MB_SCALAR>});        \
  })
