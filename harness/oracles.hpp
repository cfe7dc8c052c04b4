// The two oracles every caller of Solver::step needs (harness/solver.hpp): a problem's values and
// gradients, counting the gradient evaluations (the runner reports them), and one for solvers
// that never call back (every solver but muon-flow's implicit schemes), which throws if asked.
#pragma once

#include "harness/core/error.hpp"
#include "harness/problem.hpp"
#include "harness/solver.hpp"

namespace mb {

template <class T>
class ProblemOracle final : public Oracle<T> {
 public:
  explicit ProblemOracle(const Problem<T>& p) : p_(p) {}
  T value_and_gradient(const Params<T>& w, Params<T>& g) override {
    ++evaluations;
    return p_.value_and_gradient(w, g);
  }
  T value(const Params<T>& w) override { return p_.value(w); }
  const Problem<T>* problem() const override { return &p_; }
  long evaluations = 0;

 private:
  const Problem<T>& p_;
};

template <class T>
struct NoOracle final : Oracle<T> {
  T value_and_gradient(const Params<T>&, Params<T>&) override { throw Error("unused"); }
  T value(const Params<T>&) override { throw Error("unused"); }
};

}  // namespace mb
