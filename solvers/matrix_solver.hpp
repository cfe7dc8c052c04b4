// Base for solvers whose rule acts on whole matrices (the Muon family): matrix blocks go to
// update_matrix(); vectors and scalars go to a fallback per-entry solver (AdamW by default, as in
// every peer: torch's Muon docs, KellerJordan's MuonWithAuxAdam, optax's partition, Moonlight,
// dion). 3-D blocks [E, m, n] are seen as their (E m) x n storage; the `blockwise` solver splits
// them per slice (and per BlockSpec::parts row block) instead. docs/adding-a-solver.md.
#pragma once

#include <memory>

#include "harness/solver.hpp"
#include "solvers/steps/choice.hpp"

namespace mb {

// Learning-rate multiplier for an update of a matrix with fan-out A and fan-in B
// (docs/solvers.md). In muonbench's own layout (torch's, y = W x) A = rows and B = cols;
// optax's Flax layout (x W = y) stores the transpose, so there A = cols and B = rows.
//   original         sqrt(max(1, A/B))        (Keller Jordan, torch default, optax width scaling)
//   match_rms_adamw  r sqrt(max(A, B))        (Moonlight, torch adjust_lr_fn, dion rms_norm,
//                                               optax consistent_rms = r; r = 0.2 by default)
//   spectral         sqrt(A/B)                (dion 'spectral_norm', Dion's sqrt(d_out/d_in); no max)
//   none             1
// times `extra_scale_factor` (default 1; dion's NorMuon / Moonlight extra multiplier).
// The key is `adjust_lr` in every matrix solver (`shape_scale` is its older name); dion's own
// spellings are accepted too: 'spectral_norm' = spectral, 'rms_norm' = match_rms_adamw, null = none.
enum class ShapeScaleKind { original, match_rms_adamw, spectral, none };
enum class Layout { out_in, in_out };  // torch (rows = fan-out), Flax/optax
inline const std::vector<std::string>& shape_scale_names() {
  static const std::vector<std::string> n{"original", "match_rms_adamw", "spectral", "none"};
  return n;
}
inline const std::vector<std::string>& layout_names() {
  static const std::vector<std::string> n{"out_in", "in_out"};
  return n;
}
template <>
struct EnumNames<ShapeScaleKind> {
  static const std::vector<std::string>& names() { return shape_scale_names(); }
};
template <>
struct EnumNames<Layout> {
  static const std::vector<std::string>& names() { return layout_names(); }
};

// The multiplier of one scalar type, r parsed once: rule(rows, cols) is all a step evaluates.
template <class T>
struct ShapeRule {
  ShapeScaleKind kind = ShapeScaleKind::original;
  Layout layout = Layout::out_in;
  T r = T(1);      // of match_rms_adamw
  T extra = T(1);  // extra_scale_factor

  T operator()(long rows, long cols) const {
    using std::max;
    using std::sqrt;
    const bool out_in = layout == Layout::out_in;
    const long fan_out = out_in ? rows : cols, fan_in = out_in ? cols : rows;
    T s = T(1);
    switch (kind) {
      case ShapeScaleKind::original:
        s = sqrt(max(T(1), T(fan_out) / T(fan_in)));
        break;
      case ShapeScaleKind::match_rms_adamw:
        s = r * sqrt(T(max(fan_out, fan_in)));
        break;
      case ShapeScaleKind::spectral:
        s = sqrt(T(fan_out) / T(fan_in));
        break;
      case ShapeScaleKind::none:
        break;
    }
    return extra == T(1) ? s : s * extra;
  }
};

// The settings (plain code reads them; a generic solver turns them into its ShapeRule<T>).
struct ShapeScale {
  ShapeScaleKind kind = ShapeScaleKind::original;
  std::string rms_factor = "0.2";  // r of match_rms_adamw (decimal string, exact)
  Layout layout = Layout::out_in;
  std::string extra_scale_factor = "1";

  template <class T>
  ShapeRule<T> rule() const {
    return {kind, layout, parse_decimal<T>(rms_factor, "rms_factor"),
            parse_decimal<T>(extra_scale_factor, "extra_scale_factor")};
  }
};

// torch layout, r = 0.2 (torch.optim.Muon's adjust_lr_fn); `kind` one of shape_scale_names().
template <class T>
T shape_scale(const std::string& kind, long rows, long cols) {
  const ShapeScale s{enum_named<ShapeScaleKind>(kind, "shape scale", "adjust_lr"), "0.2", Layout::out_in, "1"};
  return s.rule<T>()(rows, cols);
}

// Reads the shape-scale keys every matrix solver shares: "adjust_lr" (alias "shape_scale"),
// "rms_factor", "extra_scale_factor", "layout". `def_kind` is the solver's default.
inline ShapeScale read_shape_scale(Options& o, ShapeScaleKind def_kind, Layout def_layout = Layout::out_in) {
  ShapeScale s;
  o.alias("shape_scale", "adjust_lr");
  const json* v = o.raw("adjust_lr", name_of(def_kind),
                        "learning-rate multiplier for the matrix shape: original sqrt(max(1, fan_out/fan_in)), "
                        "match_rms_adamw r sqrt(max(fan_out, fan_in)), spectral sqrt(fan_out/fan_in), none 1 "
                        "(dion's 'spectral_norm', 'rms_norm' and null accepted)");
  s.kind = def_kind;
  if (v) {
    if (v->is_null())
      s.kind = ShapeScaleKind::none;
    else if (!v->is_string())
      o.fail("adjust_lr", "must be one of original, match_rms_adamw, spectral, none; got " + v->dump());
    else if (*v == "spectral_norm")
      s.kind = ShapeScaleKind::spectral;
    else if (*v == "rms_norm")
      s.kind = ShapeScaleKind::match_rms_adamw;
    else
      s.kind = enum_named<ShapeScaleKind>(v->get<std::string>(), "adjust_lr mode", o.context() + ": adjust_lr");
  }
  o.real<double>("rms_factor", "0.2", Range::positive(), "r of match_rms_adamw");
  s.rms_factor = decimal_text(o.used()["rms_factor"]);
  o.real<double>("extra_scale_factor", "1", Range::positive(), "extra multiplier of the shape scale");
  s.extra_scale_factor = decimal_text(o.used()["extra_scale_factor"]);
  s.layout = choose(o, "layout", def_layout,
                    "which axis is fan-out: out_in (torch, rows = fan-out) or in_out (Flax/optax, rows = fan-in)");
  return s;
}

// What every matrix solver but muon reads after its own keys (MatrixSolver::read_common): the
// decoupled weight decay and the shape scale, with the rounding of every solver of the family.
template <class T>
struct MatrixCommon {
  T weight_decay = T(0);
  ShapeRule<T> scale;

  // W <- W (1 - lr wd); nothing when wd = 0.
  void decay(Mat<T>& W, const T& lr) const {
    if (weight_decay != T(0)) W *= (T(1) - lr * weight_decay);
  }
  // lr s(shape of W).
  T step(const T& lr, const Mat<T>& W) const { return lr * scale(W.rows(), W.cols()); }
};

// One matrix a per-expert solver updates: slice `slice` of block `block` (rows x cols).
struct MatrixUnit {
  size_t block = 0;
  long slice = 0;
  long rows = 0, cols = 0;
};

template <class T>
class MatrixSolver : public BlockSolver<T> {
 public:
  void init(const std::vector<BlockSpec>& blocks, const Params<T>& w0) override {
    units_.clear();
    unit_offset_.assign(blocks.size(), 0);
    for (size_t i = 0; i < blocks.size(); ++i) {
      unit_offset_[i] = units_.size();
      if (!blocks[i].takes_matrix_rule()) continue;
      for (long e = 0; e < blocks[i].slices(); ++e) units_.push_back({i, e, blocks[i].rows(), blocks[i].cols()});
    }
    BlockSolver<T>::init(blocks, w0);
  }
  void update_block(size_t i, Mat<T>& W, const Mat<T>& G) final {
    const BlockSpec& s = this->specs_[i];
    if (!s.takes_matrix_rule()) {
      fallback_->set_step(this->t_);
      fallback_->update_block(i, W, G);
      return;
    }
    if (!per_expert_) {
      update_matrix(i, W, G);
      return;
    }
    if (s.slices() == 1) {
      update_matrix(unit_offset_[i], W, G);
      return;
    }
    const long m = s.rows();
    for (long e = 0; e < s.slices(); ++e) {
      slice_w_ = W.middleRows(e * m, m);
      slice_g_ = G.middleRows(e * m, m);
      update_matrix(unit_offset_[i] + static_cast<size_t>(e), slice_w_, slice_g_);
      W.middleRows(e * m, m) = slice_w_;
    }
  }

 protected:
  // Per-expert solvers (per_expert_ = true, set in the constructor) see every 2-D matrix on its
  // own: a 3-D block [E, m, n] (MoE experts) is E matrices m x n, and update_matrix's first
  // argument is then the unit index into units() (block order, then expert), so that state such
  // as Dion's Q or NorMuon's row statistics lives per expert, as every peer keeps it. Without it
  // (the muon family's historical behaviour) a 3-D block is its (E m) x n storage and the index
  // is the block's. units() is filled before init_state().
  const std::vector<MatrixUnit>& units() const { return units_; }
  bool per_expert_ = false;

  // Reads "fallback": {"solver": NAME, ...its hyperparameters}. The user's object is merged over
  // `def` (the solver's or the convention's defaults; a different "solver" replaces them all).
  void read_fallback(Options& o, const json& def = {{"solver", "adamw"}}) {
    const json* v = o.raw("fallback", def, "per-entry solver for non-matrix blocks: {\"solver\": NAME, ...hyperparameters}");
    json spec = def;
    if (v) {
      if (!v->is_object()) o.fail("fallback", "must be an object like {\"solver\": \"adamw\", \"lr\": 3e-4}");
      if (v->contains("solver") && (*v)["solver"] != def.value("solver", std::string("adamw")))
        spec = json{{"solver", (*v)["solver"]}};
      for (auto it = v->begin(); it != v->end(); ++it) spec[it.key()] = it.value();
    }
    if (!spec.contains("solver") || !spec["solver"].is_string()) o.fail("fallback", "needs a \"solver\" name");
    fallback_name_ = spec["solver"].get<std::string>();
    spec.erase("solver");
    fallback_hyper_ = spec;
    auto probe = make_solver<T>(fallback_name_, fallback_hyper_, o.context() + ": fallback.solver");
    if (!dynamic_cast<BlockSolver<T>*>(probe.get()) || dynamic_cast<MatrixSolver<T>*>(probe.get()))
      o.fail("fallback", "must be a per-entry solver (sgd, adam, adamw), got '" + fallback_name_ + "'");
    fallback_used_ = probe->config();
    fallback_used_["solver"] = fallback_name_;
  }
  void init_fallback(const Params<T>& w0) {
    auto s = make_solver<T>(fallback_name_, fallback_hyper_);
    fallback_.reset(static_cast<BlockSolver<T>*>(s.release()));
    fallback_->init(this->specs_, w0);
  }
  // The fallback's resolved settings, for config().
  const json& fallback_config() const { return fallback_used_; }
  // config() of a solver without further resolved settings: the options used and the fallback's.
  json config_with_fallback(const Options& o) const {
    json c = o.used();
    c["resolved"] = {{"fallback", fallback_used_}};
    return c;
  }
  // "weight_decay", the same decoupled decay W <- W (1 - lr wd) in every solver of the family.
  static T read_weight_decay(Options& o, const char* def = "0") {
    return o.real<T>("weight_decay", def, Range::nonnegative(), "decoupled weight decay: W <- W (1 - lr wd)");
  }
  // The keys every matrix solver but muon reads last, in this order: "weight_decay" (default
  // `wd`, the reference's), the shape-scale keys (default kind `shape`), "fallback" (AdamW).
  MatrixCommon<T> read_common(Options& o, ShapeScaleKind shape, const char* wd = "0") {
    MatrixCommon<T> c;
    c.weight_decay = read_weight_decay(o, wd);
    c.scale = read_shape_scale(o, shape).template rule<T>();
    read_fallback(o);
    return c;
  }
  virtual void update_matrix(size_t i, Mat<T>& W, const Mat<T>& G) = 0;

  std::string fallback_name_ = "adamw";
  json fallback_hyper_ = json::object();
  json fallback_used_ = json::object();
  std::unique_ptr<BlockSolver<T>> fallback_;

 private:
  std::vector<MatrixUnit> units_;
  std::vector<size_t> unit_offset_;
  Mat<T> slice_w_, slice_g_;
};

}  // namespace mb
