// blockwise: runs any matrix solver (muon, muon-exact, muon-reg, spectral, ...) separately on each
// block of a parameter, as dion and the MoE/per-head Muon requests do (pytorch #166209, dion):
//   per_slice  a stacked parameter [E, m, n] (stored (E m) x n) is E separate m x n matrices
//              (one per expert);
//   per_part   each m x n slice is further cut into BlockSpec::parts equal row blocks
//              (attention heads, the Q/K/V parts of a fused projection).
// Each piece is its own parameter for the inner solver: its own momentum, its own spectral map and
// its own shape scale (of the piece's shape, not the whole tensor's). Vectors and scalars go to the
// inner solver's fallback unchanged. Hyperparameters other than solver / per_slice / per_part
// are the inner solver's.
#include "solvers/matrix_solver.hpp"

namespace mb {

template <class T>
class Blockwise final : public Solver<T> {
 public:
  static constexpr const char* kName = "blockwise";
  static constexpr const char* kSummary =
      "any matrix solver applied per expert slice of [E, m, n] and per head / fused-QKV part, with per-block shape scales";
  static constexpr const char* kUpdate =
      "for each piece P (slice e, row part k) of each matrix block: P <- inner solver's step on P with its own state";
  static constexpr const char* kReference = "microsoft/dion (per-head NS, fused-QKV split, batched MoE); pytorch #166209";

  explicit Blockwise(const json& hyper) {
    const std::string ctx = "solver 'blockwise'";  // a literal: GCC 12's -Warray-bounds misfires on the concatenation
    if (!hyper.is_object() && !hyper.is_null()) throw Error(ctx + ": hyperparameters must be an object");
    json own = json::object(), inner = json::object();
    for (auto it = hyper.begin(); hyper.is_object() && it != hyper.end(); ++it)
      (own_keys(it.key()) ? own : inner)[it.key()] = it.value();
    Options o(own, ctx);
    name_ = o.choice("solver", "muon", matrix_solver_names(), "the matrix solver run on every piece");
    per_slice_ = o.boolean("per_slice", true, "split [E, m, n] into its E slices");
    per_part_ = o.boolean("per_part", true, "split each slice into BlockSpec::parts row blocks (heads, Q/K/V)");
    o.finish();
    try {
      inner_ = make_solver<T>(name_, inner, ctx + ": solver");
    } catch (const Error& e) {
      throw Error(ctx + " (own keys: per_part, per_slice, solver): " + e.what());
    }
    used_ = o.used();
  }

  json config() const override {
    json c = used_;
    c["inner"] = inner_->config();
    return c;
  }

  void init(const std::vector<BlockSpec>& blocks, const Params<T>& w0) override {
    pieces_.clear();
    std::vector<BlockSpec> sub;
    for (size_t i = 0; i < blocks.size(); ++i) {
      const BlockSpec& b = blocks[i];
      if (!b.takes_matrix_rule()) {
        pieces_.push_back({i, 0, b.storage_rows()});
        sub.push_back(b);
        continue;
      }
      long height = per_slice_ ? b.rows() : b.storage_rows();
      const bool cut = per_part_ && b.parts > 1 && (per_slice_ || b.slices() == 1);
      if (cut) {
        if (b.rows() % b.parts != 0)
          throw Error("solver 'blockwise': block '" + b.name + "' has " + std::to_string(b.rows()) +
                      " rows per slice, not divisible into " + std::to_string(b.parts) + " parts");
        height /= b.parts;
      }
      for (long r0 = 0; r0 < b.storage_rows(); r0 += height) {
        pieces_.push_back({i, r0, height});
        sub.push_back(BlockSpec{b.name + "[rows " + std::to_string(r0) + ".." + std::to_string(r0 + height - 1) + "]",
                                {height, b.cols()}});
      }
    }
    gather(w0, w_);
    g_ = w_;
    inner_->init(sub, w_);
  }

  void step(Params<T>& w, const Params<T>& g, Oracle<T>& oracle) override {
    gather(w, w_);
    gather(g, g_);
    inner_->step(w_, g_, oracle);
    for (size_t k = 0; k < pieces_.size(); ++k) w[pieces_[k].block].middleRows(pieces_[k].row, pieces_[k].height) = w_[k];
  }

  json diagnostics() const override { return inner_->diagnostics(); }

 private:
  struct Piece {
    size_t block;
    long row, height;
  };
  static bool own_keys(const std::string& k) { return k == "solver" || k == "per_slice" || k == "per_part"; }
  // Registered solvers whose rule acts on whole matrices (probed in double, once per process: the
  // registry is complete before the first solver is built).
  static const std::vector<std::string>& matrix_solver_names() {
    static const std::vector<std::string> names = [] {
      std::vector<std::string> out;
      for (const auto& n : solver_names()) {
        if (n == kName) continue;
        try {
          auto s = make_solver<double>(n, json::object());
          if (dynamic_cast<MatrixSolver<double>*>(s.get())) out.push_back(n);
        } catch (const Error&) {
        }
      }
      return out;
    }();
    return names;
  }
  void gather(const Params<T>& from, Params<T>& to) const {
    to.resize(pieces_.size());
    for (size_t k = 0; k < pieces_.size(); ++k) to[k] = from[pieces_[k].block].middleRows(pieces_[k].row, pieces_[k].height);
  }

  std::string name_;
  bool per_slice_ = true, per_part_ = true;
  json used_;
  std::unique_ptr<Solver<T>> inner_;
  std::vector<Piece> pieces_;
  Params<T> w_, g_;
};

MB_REGISTER_SOLVER(Blockwise);

}  // namespace mb
