// Base for solvers whose rule acts on whole matrices (the Muon family): matrix blocks go to
// update_matrix(); vectors and scalars go to a fallback per-entry solver (AdamW by default, as in
// every peer: torch's Muon docs, KellerJordan's MuonWithAuxAdam, optax). 3-D blocks [E, m, n]
// are seen as their (E m) x n storage; the `blockwise` solver splits them per slice instead.
#pragma once

#include <memory>

#include "harness/solver.hpp"

namespace mb {

// Learning-rate multiplier for an (A rows) x (B cols) update, by name (PEERS.md section 1):
//   original         sqrt(max(1, A/B))        (Keller Jordan, torch default)
//   match_rms_adamw  0.2 sqrt(max(A, B))      (Moonlight; torch adjust_lr_fn)
//   spectral_norm    sqrt(A/B)                (dion; no max)
//   none             1
inline const std::vector<std::string>& shape_scale_names() {
  static const std::vector<std::string> n{"original", "match_rms_adamw", "spectral_norm", "none"};
  return n;
}
template <class T>
T shape_scale(const std::string& kind, long rows, long cols) {
  using std::max;
  using std::sqrt;
  if (kind == "original") return sqrt(max(T(1), T(rows) / T(cols)));
  if (kind == "match_rms_adamw") return T(2) / T(10) * sqrt(T(max(rows, cols)));
  if (kind == "spectral_norm") return sqrt(T(rows) / T(cols));
  return T(1);
}

template <class T>
class MatrixSolver : public BlockSolver<T> {
 public:
  void update_block(size_t i, Mat<T>& W, const Mat<T>& G) final {
    if (!this->specs_[i].is_matrix()) {
      fallback_->set_step(this->t_);
      fallback_->update_block(i, W, G);
      return;
    }
    update_matrix(i, W, G);
  }

 protected:
  // Reads "fallback": {"solver": NAME, ...its hyperparameters} (default {"solver": "adamw"}).
  void read_fallback(Options& o) {
    const json def = {{"solver", "adamw"}};
    const json* v = o.raw("fallback", def, "per-entry solver for non-matrix blocks: {\"solver\": NAME, ...hyperparameters}");
    json spec = v ? *v : def;
    if (!spec.is_object()) o.fail("fallback", "must be an object like {\"solver\": \"adamw\", \"lr\": 3e-4}");
    fallback_name_ = spec.value("solver", std::string("adamw"));
    spec.erase("solver");
    fallback_hyper_ = spec;
    auto probe = make_solver<T>(fallback_name_, fallback_hyper_, o.context() + ": fallback.solver");
    if (!dynamic_cast<BlockSolver<T>*>(probe.get()) || dynamic_cast<MatrixSolver<T>*>(probe.get()))
      o.fail("fallback", "must be a per-entry solver (sgd, adam, adamw), got '" + fallback_name_ + "'");
  }
  void init_fallback(const Params<T>& w0) {
    auto s = make_solver<T>(fallback_name_, fallback_hyper_);
    fallback_.reset(static_cast<BlockSolver<T>*>(s.release()));
    fallback_->init(this->specs_, w0);
  }
  virtual void update_matrix(size_t i, Mat<T>& W, const Mat<T>& G) = 0;

  std::string fallback_name_ = "adamw";
  json fallback_hyper_ = json::object();
  std::unique_ptr<BlockSolver<T>> fallback_;
};

}  // namespace mb
