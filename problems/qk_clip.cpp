// QK-clip (MuonClip): any solver wrapped so that after each of its steps the query and key
// weights of every attention head whose max logit exceeds tau are scaled back (Kimi K2 technical
// report, arXiv 2507.20534, section 2.1 and Algorithm 1 "MuonClip"):
//
//   S_max^h = max over the batch, queries i and (visible) keys j of q_i^h . k_j^h / sqrt(d_h)
//   gamma_h = min(1, tau / S_max^h)                      (heads with S_max^h <= tau: untouched)
//   W_q^h <- gamma_h^alpha W_q^h,   W_k^h <- gamma_h^(1 - alpha) W_k^h   (alpha = 1/2: sqrt(gamma_h))
//
// The logits are bilinear in (W_q^h, W_k^h), so the clipped head's logits are multiplied by exactly
// gamma_h: measured at the clipped weights, its max logit becomes tau.
// When S_max^h is measured (`logits_at`):
//   "forward"  (default, the report's Algorithm 1: "obtain S_max^h already computed during
//              forward"): at the weights W_k the step's gradient was taken at, i.e. the step's own
//              forward pass, before the inner solver's update; gamma_h then scales W_{k+1}.
//   "updated"  at W_{k+1}, after the inner update (one extra pass): the max logit after each step
//              is then <= tau exactly (to rounding).
// "The step's batch" is the problem's data: muonbench's attention problems are deterministic
// full-batch, so both are measured by Problem::max_attention_logits on the whole batch.
// The problem is reached through Oracle::problem(): a replayed gradient trace has none (error).
#include <cmath>

#include "harness/core/error.hpp"
#include "harness/core/per_scalar.hpp"
#include "harness/problem.hpp"
#include "harness/solver.hpp"

namespace mb {

namespace {

template <class T>
class QkClip final : public Solver<T> {
 public:
  QkClip(std::unique_ptr<Solver<T>> inner, const json& spec, const std::string& context)
      : inner_(std::move(inner)), ctx_(context + ": qk_clip") {
    Options o(spec, ctx_);
    tau_ = o.real<T>("tau", "100", Range::positive(), "logit threshold tau: heads with S_max > tau are scaled to tau");
    alpha_ = o.real<T>("alpha", "0.5", Range::unit_closed(),
                       "split exponent: W_q *= gamma^alpha, W_k *= gamma^(1 - alpha) (Kimi K2: 1/2)");
    at_updated_ = o.choice("logits_at", "forward", {"forward", "updated"},
                           "where S_max is measured: forward = at W_k, the step's forward pass (Kimi K2 "
                           "Algorithm 1); updated = at W_{k+1}, after the inner update") == "updated";
    o.finish();
    used_ = o.used();
    half_ = alpha_ == T(1) / T(2);
  }

  void init(const std::vector<BlockSpec>& blocks, const Params<T>& w0) override {
    inner_->init(blocks, w0);
    clipped_.clear();
    max_seen_ = T(0);
    max_step_ = 0;
    last_max_ = T(0);
    checked_ = false;
  }

  void step(Params<T>& w, const Params<T>& g, Oracle<T>& oracle) override {
    const Problem<T>* p = oracle.problem();
    if (!p)
      throw Error(ctx_ + ": needs the problem's attention logits, but the oracle has no problem (a replayed "
                         "gradient trace carries no data to measure them on)");
    if (!checked_) check_layout(*p, w);
    if (!at_updated_) logits_ = p->max_attention_logits(w);
    inner_->step(w, g, oracle);
    if (at_updated_) logits_ = p->max_attention_logits(w);
    clip(w);
  }

  json config() const override {
    json c = inner_->config();
    c["qk_clip"] = used_;
    return c;
  }

  // Small by design: per step the number of clipped heads; the largest S_max measured (before
  // clipping) and the step k whose measurement it was (forward: at W_{k-1}; updated: at inner W_k);
  // the last step's largest S_max.
  json diagnostics() const override {
    json d = {{"qk_clip",
               {{"clipped_heads_per_step", clipped_},
                {"max_logit", number_to_json<T>(max_seen_)},
                {"max_logit_step", max_step_},
                {"last_max_logit", number_to_json<T>(last_max_)}}}};
    if (json in = inner_->diagnostics(); !in.is_null()) d["inner"] = in;
    return d;
  }

 private:
  // Once, at the first step (the problem is known only then): the problem has attention layers and
  // the wrapped solver sees its blocks as they are (not, e.g., blockwise's pieces).
  void check_layout(const Problem<T>& p, const Params<T>& w) {
    layers_ = p.attention_layers();
    if (layers_.empty())
      throw Error(ctx_ + ": the problem has no attention layers (Problem::attention_layers() is empty); QK-clip "
                         "applies to problems with attention: attention, transformer-block");
    const auto& specs = p.blocks();
    if (w.size() != specs.size())
      throw Error(ctx_ + ": the solver steps " + std::to_string(w.size()) + " blocks but the problem has " +
                  std::to_string(specs.size()) + "; qk_clip must wrap the outermost solver");
    for (const auto& L : layers_) {
      for (size_t i : {L.wq, L.wk})
        if (i >= w.size() || w[i].rows() != specs[i].storage_rows() || w[i].rows() % L.heads != 0)
          throw Error(ctx_ + ": attention block " + std::to_string(i) + " does not split into " +
                      std::to_string(L.heads) + " heads");
    }
    checked_ = true;
  }

  void clip(Params<T>& w) {
    using std::pow;
    using std::sqrt;
    long count = 0;
    T step_max(0);
    bool first = true;
    for (size_t l = 0; l < layers_.size(); ++l) {
      const AttentionLayer& L = layers_[l];
      const long dq = w[L.wq].rows() / L.heads, dk = w[L.wk].rows() / L.heads;
      for (long h = 0; h < L.heads; ++h) {
        const T& s = logits_.at(l).at(static_cast<size_t>(h));
        if (first || s > step_max) step_max = s, first = false;
        if (!(s > tau_)) continue;  // gamma = min(1, tau / s) = 1: untouched (also s <= 0)
        const T gamma = tau_ / s;
        const T sq = half_ ? T(sqrt(gamma)) : T(pow(gamma, alpha_));
        const T sk = half_ ? sq : T(pow(gamma, T(1) - alpha_));
        w[L.wq].middleRows(h * dq, dq) *= sq;
        w[L.wk].middleRows(h * dk, dk) *= sk;
        ++count;
      }
    }
    clipped_.push_back(count);
    last_max_ = step_max;
    if (clipped_.size() == 1 || step_max > max_seen_) max_seen_ = step_max, max_step_ = long(clipped_.size());
  }

  std::unique_ptr<Solver<T>> inner_;
  std::string ctx_;
  json used_;
  T tau_, alpha_;
  bool at_updated_ = false, half_ = true, checked_ = false;
  std::vector<AttentionLayer> layers_;
  std::vector<std::vector<T>> logits_;
  std::vector<long> clipped_;
  T max_seen_ = T(0), last_max_ = T(0);
  long max_step_ = 0;
};

}  // namespace

template <class T>
std::unique_ptr<Solver<T>> wrap_qk_clip(std::unique_ptr<Solver<T>> inner, const json& spec, const std::string& context) {
  return std::make_unique<QkClip<T>>(std::move(inner), spec, context);
}
template std::unique_ptr<Solver<MB_SCALAR>> wrap_qk_clip<MB_SCALAR>(std::unique_ptr<Solver<MB_SCALAR>>, const json&,
                                                                    const std::string&);
}  // namespace mb
