// Every solver of the Muon family (muon-flow included), and sgd/adam/adamw, on quadratic-ls (6 x 4, kappa 10) in double
// and in mp50: over the first 5 steps the two trajectories agree to double rounding.
//
// Tolerance (derived): the mp50 run is exact to double's eyes (u_50 ~ 1e-50), so the gap is the
// double run's own rounding. One step W <- W (1 - lr wd) - lr s O(u) commits
//   (a) ~4 u |W| in the update of W (u = 2^-53, |W| <= 2 here),
//   (b) lr s |dO| with |dO| <= c q u kappa(input) for the map: Newton-Schulz, the polar factor, the
//       regularised and power maps are all computed from products of q x q Gram matrices (q = 4)
//       with condition kappa(input) <= 1e3 here, c <= 10 for up to 20 iterations,
//   (c) the problem's own gradient (two products with A, B, kappa 10): 10 u |grad|,
// and the errors add over k steps (no amplification over 5 steps of a contraction of rate < 1).
// With lr s <= 0.2: k (8u + 0.2 * 10 * 4 * 1e3 u + 10 u * 10) <= 5 * 8.1e3 u ~ 4.5e-12.
// The map-free solvers sit near 1e-15, and a decoy (a double instance perturbed by 1e-9) fails.
#include <gtest/gtest.h>

#include "harness/oracles.hpp"
#include "harness/problem.hpp"
#include "harness/solver.hpp"

namespace {

using mb::json;

template <class T>
std::vector<mb::Params<T>> trajectory(const std::string& solver, const json& hyper, int steps, const T& perturb) {
  auto prob = mb::make_problem<T>("quadratic-ls", json::object());
  auto s = mb::make_solver<T>(solver, hyper);
  mb::Params<T> w = prob->initial_point(0), g;
  w[0](0, 0) += perturb;
  s->init(prob->blocks(), w);
  mb::ProblemOracle<T> o(*prob);
  std::vector<mb::Params<T>> out;
  for (int k = 0; k < steps; ++k) {
    prob->value_and_gradient(w, g);
    s->step(w, g, o);
    out.push_back(w);
  }
  return out;
}

double gap(const std::vector<mb::Params<double>>& a, const std::vector<mb::Params<mb::mp50>>& b) {
  double e = 0;
  for (size_t k = 0; k < a.size(); ++k)
    for (long i = 0; i < a[k][0].rows(); ++i)
      for (long j = 0; j < a[k][0].cols(); ++j) e = std::max(e, std::abs(a[k][0](i, j) - mb::to_double(b[k][0](i, j))));
  return e;
}

struct Case {
  const char* solver;
  json hyper;
};

TEST(SolversPrecision, DoubleAndMp50TrajectoriesAgreeToDoubleRounding) {
  const std::vector<Case> cases = {
      {"sgd", {{"lr", 0.1}, {"momentum", 0.9}, {"nesterov", true}}},
      {"adam", {{"lr", 0.01}}},
      {"adamw", {{"lr", 0.01}}},
      {"muon", {{"lr", 0.05}, {"ns_dtype", "working"}}},
      {"muon", {{"convention", "optax"}, {"adaptive", true}}},
      {"muon", {{"convention", "keller"}, {"ns_dtype", "working"}}},
      {"muon", {{"convention", "moonlight"}, {"lr", 0.02}, {"ns_dtype", "working"}}},
      {"muon", {{"convention", "dion"}, {"ns_dtype", "working"}, {"cautious_wd", true}}},
      {"muon-exact", {{"lr", 0.05}}},
      {"muon-reg", {{"eps", 0.01}}},
      {"muon-reg", {{"eps", 0.01}, {"method", "newton"}}},
      {"muon-reg", {{"eps", 0.01}, {"smoothing", "huber"}}},
      {"spectral", {{"p", 0.5}}},
      {"spectral", {{"p", 0.25}, {"method", "newton"}}},
      {"spectral", {{"p", 0}, {"base", "adam"}, {"lr", 0.01}}},
      {"orthogonal-sgdm", {{"lr", 0.02}}},
      {"nsgd-m", {{"lr", 0.05}}},
      {"trust-region", {{"norm", "spectral"}}},
      {"trust-region", {{"norm", "frobenius"}}},
      {"trust-region", {{"norm", "linf"}, {"lr", 0.01}}},
      {"blockwise", {{"solver", "muon-reg"}, {"eps", 0.01}}},
      // The flow: dt plays lr's part (dt |grad K| <= 0.05 per stage); the discrete-gradient
      // scheme's fixed point is solved to 1e-14 relative in double, far inside the tolerance.
      {"muon-flow", {{"scheme", "rk4"}, {"dt", 0.05}}},
      {"muon-flow", {{"scheme", "discrete-gradient"}, {"dt", 0.05}}},
  };
  const double tol = 4.5e-12;
  for (const auto& c : cases) {
    const auto d = trajectory<double>(c.solver, c.hyper, 5, 0.0);
    const auto m = trajectory<mb::mp50>(c.solver, c.hyper, 5, mb::mp50(0));
    const double e = gap(d, m);
    EXPECT_LT(e, tol) << c.solver << " " << c.hyper.dump();
    // Decoy: a double run started 1e-9 away is caught.
    EXPECT_GT(gap(trajectory<double>(c.solver, c.hyper, 5, 1e-9), m), tol) << c.solver << " " << c.hyper.dump();
  }
}

}  // namespace
