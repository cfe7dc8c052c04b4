// Resolution (claims/resolution.hpp) and its use in claims::combine / Outcomes::edge: the exact
// intervals of each linear atom agree with a direct evaluation of the verdict, the general path
// (grid + bisection) agrees with the closed form, and the reported numbers are the ones a reader
// would compute by hand.
#include <gtest/gtest.h>

#include <cmath>

#include "claims/support.hpp"

namespace {

using mb::claims::Atom;
using mb::claims::Check;
using A = Atom<double>;

double resolution(const std::vector<A>& atoms) {
  std::vector<const A*> p;
  for (const auto& a : atoms) p.push_back(&a);
  const auto r = mb::claims::resolution_of<double>(p, 1e4);
  return r ? *r : -1;
}

// The same atoms as general atoms (their margin functions): forces the grid + bisection path.
std::vector<A> as_general(const std::vector<A>& atoms) {
  std::vector<A> g;
  for (const auto& a : atoms) {
    A b = A::make(A::Kind::general, 0, 0, a.tol);
    b.margin_fn = [a](const double& s) { return a.margin(s); };
    g.push_back(b);
  }
  return g;
}

TEST(ClaimsResolution, EqualAtomHasTheWidthOfItsTolerance) {
  // |x - s p| <= tol holds for s in [(x - tol)/p, (x + tol)/p] = [0.9, 1.1]: r = min(1.1, 1/0.9) = 1.1.
  const std::vector<A> a{A::make(A::Kind::equal, 1.0, 1.0, 0.1)};
  EXPECT_NEAR(resolution(a), 1.1, 1e-12);
  EXPECT_NEAR(resolution(as_general(a)), 1.1, 1e-9);
  // Off-centre: x = 0.98 -> [0.88, 1.08]: r = min(1.08, 1/0.88) = 1.08.
  const std::vector<A> b{A::make(A::Kind::equal, 0.98, 1.0, 0.1)};
  EXPECT_NEAR(resolution(b), 1.08, 1e-12);
  EXPECT_NEAR(resolution(as_general(b)), 1.08, 1e-9);
  // x = 1.02 -> [0.92, 1.12]: the nearer edge is 1/0.92.
  const std::vector<A> c{A::make(A::Kind::equal, 1.02, 1.0, 0.1)};
  EXPECT_NEAR(resolution(c), 1 / 0.92, 1e-12);
}

TEST(ClaimsResolution, AnIdentityResolvesToItsRounding) {
  const std::vector<A> a{A::make(A::Kind::equal, 2.0 + 1e-15, 2.0, 4e-15)};
  const double r = resolution(a);
  EXPECT_GT(r, 1.0);
  EXPECT_LT(r - 1, 1e-14);
}

TEST(ClaimsResolution, OneSidedBoundsTurnOnlyOneWayAndReportTightness) {
  // x = 0.8 <= s * 1: holds for s >= 0.8; turns at 1/r = 0.8, r = 1.25. Tightness 0.8.
  const std::vector<A> up{A::make(A::Kind::upper, 0.8, 1.0, 0.0)};
  EXPECT_NEAR(resolution(up), 1.25, 1e-12);
  EXPECT_NEAR(resolution(as_general(up)), 1.25, 1e-9);
  EXPECT_NEAR(*up[0].tightness(), 0.8, 1e-15);
  // x = 3 >= s * 2: holds for s <= 1.5.
  const std::vector<A> lo{A::make(A::Kind::lower, 3.0, 2.0, 0.0)};
  EXPECT_NEAR(resolution(lo), 1.5, 1e-12);
  EXPECT_NEAR(*lo[0].tightness(), 2.0 / 3.0, 1e-15);
  // Negative quantities (log-rates): x = -3 <= s * (-2) holds for s <= 1.5.
  const std::vector<A> neg{A::make(A::Kind::upper, -3.0, -2.0, 0.0)};
  EXPECT_NEAR(resolution(neg), 1.5, 1e-12);
  EXPECT_NEAR(resolution(as_general(neg)), 1.5, 1e-9);
}

TEST(ClaimsResolution, SeveralAtomsIntersect) {
  // Bounds at s >= 0.5 and s <= 1.2, an equality on [0.95, 1.3]: [0.95, 1.2] -> 1/0.95.
  const std::vector<A> a{A::make(A::Kind::upper, 0.5, 1.0, 0.0), A::make(A::Kind::lower, 1.2, 1.0, 0.0),
                         A::make(A::Kind::equal, 1.125, 1.0, 0.175)};
  EXPECT_NEAR(resolution(a), 1 / 0.95, 1e-12);
  EXPECT_NEAR(resolution(as_general(a)), 1 / 0.95, 1e-9);
}

TEST(ClaimsResolution, ADecoyReportsHowFarItIsFromBeingAccepted) {
  // Predicted 1, measured 2, tolerance 0.1: accepted only for s in [1.9, 2.1]: r = 1.9.
  const std::vector<A> a{A::make(A::Kind::equal, 2.0, 1.0, 0.1)};
  EXPECT_NEAR(resolution(a), 1.9, 1e-12);
  EXPECT_NEAR(resolution(as_general(a)), 1.9, 1e-9);
  // Never accepted: no resolution.
  const std::vector<A> never{A::make(A::Kind::upper, 1.0, 0.0, 0.0)};
  EXPECT_EQ(resolution(never), -1);
}

TEST(ClaimsResolution, DistanceAtomIsTheMatrixIdentity) {
  // ||X - s P||_F <= tol with X = 1.01 P: holds on [1.01 - tol/|P|, 1.01 + tol/|P|].
  mb::Mat<double> P(2, 2);
  P << 1, 2, 3, 4;
  const mb::Mat<double> X = 1.01 * P;
  Check<double> c;
  c.distance(X, P, 0.02 * P.norm());
  std::vector<const A*> p{&c.atoms[0]};
  EXPECT_NEAR(*mb::claims::resolution_of<double>(p, 1e4), 1 / 0.99, 1e-9);  // [0.99, 1.03]: the nearer edge
  EXPECT_NEAR(c.margin, -0.01 * P.norm(), 1e-12);
}

TEST(ClaimsResolution, CombineReportsKindResolutionTightnessAndEdgeDecoysTurn) {
  Check<double> bound;
  bound.instance = "i";
  bound.upper(0.9, 1.0, 0.0);  // tightness 0.9, resolution 1/0.9
  bound.upper(0.5, 1.0, 0.0);
  const mb::ClaimOutcome o = mb::claims::combine<double>("bound", false, {bound}, mb::json::object(), "test");
  EXPECT_EQ(o.verdict, mb::Verdict::holds);
  EXPECT_EQ(o.kind, "bound");
  EXPECT_NEAR(o.resolution.get<double>(), 1 / 0.9, 1e-12);
  EXPECT_NEAR(o.tightness.get<double>(), 0.9, 1e-15);
  // The edge decoy: the bound divided by 1.2 is violated (0.9 > 1/1.2).
  const mb::ClaimOutcome d =
      mb::claims::combine<double>("edge", true, {bound.scaled(1 / 1.2)}, mb::json::object(), "test");
  EXPECT_EQ(d.verdict, mb::Verdict::violated);
  // Scaled the other way it still holds: one-sided.
  EXPECT_EQ(mb::claims::combine<double>("e2", true, {bound.scaled(1.2)}, mb::json::object(), "t").verdict,
            mb::Verdict::holds);
  // A check whose margin was set by hand (no atoms) has no resolution, and says why.
  Check<double> legacy;
  legacy.margin = 1.0;
  const mb::ClaimOutcome l = mb::claims::combine<double>("l", false, {legacy}, mb::json::object(), "t");
  EXPECT_TRUE(l.resolution.is_null());
  EXPECT_FALSE(l.resolution_note.empty());
}

TEST(ClaimsResolution, ScaledGeneralAtomsComposeTheScale) {
  // margin(s) = 1 - s^2 (holds for s <= 1 with tol 0): scaled by 1/2 it holds up to s = 2.
  Check<double> c;
  c.general([](const double& s) { return 1 - s * s; }, 0.0, true);
  const Check<double> h = c.scaled(0.5);
  EXPECT_GE(h.atoms[0].margin(1.9), 0);
  EXPECT_LT(h.atoms[0].margin(2.1), 0);
  std::vector<const A*> p{&c.atoms[0]};
  // Holds at 1 exactly on the edge: any r > 1 turns it.
  EXPECT_NEAR(*mb::claims::resolution_of<double>(p, 1e4), 1.0, 1e-12);
}

}  // namespace
