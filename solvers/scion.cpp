// Scion (Pethick et al., "Training Deep Learning Models with Norm-Constrained LMOs",
// arXiv:2502.07529), as LIONS-EPFL/scion scion.py (class Scion, the package file; the copies under
// examples/ differ only in starting the buffer at g) runs it, on every block:
//   if momentum != 1:  d = d (1 - momentum) + momentum g, then g = d   (momentum = 1 - the usual beta)
//   u = scale * lmo(g)      lmo of the block's norm, scale = the radius rho
//   constrained (default, Frank-Wolfe):  W <- W (1 - lr) - lr u
//   unconstrained:                       W <- W - lr u
// Norms (scion.py norm_dict; norm_kwargs as there):
//   Spectral {max=false, normalized=true, steps=5}  NS(g) * sqrt(d_out/d_in) (normalized) or sqrt(d_out),
//            max(1, .) if max; NS = zeropower_via_newtonschulz5: g / (||g||_F + 1e-7), `steps` Jordan
//            steps (3.4445, -4.7750, 2.0315), in bf16 as scion casts (bf16 = true) or working precision
//   ColNorm  {normalized=false, transpose=false}  g_ij / (rms_j + 1e-8), rms_j = ||g_:j|| / sqrt(rows) (x cols if normalized)
//   RowNorm  {normalized=true, transpose=false}   g_ij / (rms_i + 1e-8), rms_i = ||g_i:|| (x sqrt(cols) if normalized)
//   Sign     {normalized=true}                    sign(g) / d_in (or sign(g))
//   BiasRMS  {}                                   g / (sqrt(mean g^2) + 1e-8)   (vectors)
//   Auto     Spectral for a matrix, BiasRMS for a vector or scalar (scion's default `norm`)
// muonbench has no parameter groups: `norm`, `norm_kwargs` and `scale` apply to every block, and
// `blocks` overrides them per block name ({"embed": {"norm": "Sign", "scale": 3000}} or
// {"embed": "Sign"}), checked against the problem's block names at init.
// 3-D blocks [E, m, n] (MoE experts): the matrix norms act per expert. Scion's Auto would take a
// 3-D tensor for a Conv1d weight (SpectralConv); muonbench's 3-D blocks are expert stacks.
#include <algorithm>
#include <map>

#include "harness/core/error.hpp"
#include "harness/solver.hpp"
#include "solvers/spectral/bf16.hpp"
#include "solvers/spectral/spectral.hpp"
#include "solvers/steps/choice.hpp"

namespace mb {

enum class ScionNorm { Auto, Spectral, ColNorm, RowNorm, BiasRMS, Sign };
MB_ENUM_NAMES(ScionNorm, "Auto", "Spectral", "ColNorm", "RowNorm", "BiasRMS", "Sign");

// One group's settings: the norm, its norm_kwargs and the radius `scale` (decimal text).
struct ScionGroup {
  ScionNorm norm = ScionNorm::Auto;
  bool max = false, normalized = true, transpose = false;  // resolved per norm (its defaults)
  int steps = 5;
  std::string scale = "1";
};

// Reads {norm, norm_kwargs, scale} from `o` (the solver's options or one `blocks` entry).
inline ScionGroup read_scion_group(Options& o, const ScionGroup& def) {
  ScionGroup g = def;
  g.norm = choose(o, "norm", def.norm, "LMO: Auto (Spectral for matrices, BiasRMS for vectors), Spectral, ColNorm, RowNorm, BiasRMS, Sign");
  const json* kw = o.raw("norm_kwargs", json::object(), "arguments of the norm (scion.py): Spectral max, normalized, steps; "
                                                         "ColNorm / RowNorm normalized, transpose; Sign normalized");
  json k = kw ? *kw : json::object();
  if (!k.is_object()) o.fail("norm_kwargs", "must be an object");
  Options ko(k, o.context() + ": norm_kwargs of " + name_of(g.norm));
  // A `blocks` entry naming neither a norm nor norm_kwargs keeps the solver-wide ones.
  const bool inherit = !o.given("norm") && !o.given("norm_kwargs");
  switch (inherit ? ScionNorm::Auto : g.norm) {
    case ScionNorm::Spectral:
      g.max = ko.boolean("max", false, "scale max(1, .)");
      g.normalized = ko.boolean("normalized", true, "scale sqrt(d_out/d_in) (else sqrt(d_out))");
      g.steps = static_cast<int>(ko.integer("steps", 5, 0, 1000, "Newton-Schulz steps"));
      break;
    case ScionNorm::ColNorm:
      g.normalized = ko.boolean("normalized", false, "rms times the column count");
      g.transpose = ko.boolean("transpose", false, "act on g^T (embeddings stored vocab x dim)");
      break;
    case ScionNorm::RowNorm:
      g.normalized = ko.boolean("normalized", true, "rms times sqrt(column count)");
      g.transpose = ko.boolean("transpose", false, "act on g^T");
      break;
    case ScionNorm::Sign:
      g.normalized = ko.boolean("normalized", true, "sign(g) / d_in");
      break;
    default:
      break;
  }
  ko.finish();
  o.real<double>("scale", def.scale, Range::positive(), "radius rho: the update is scale * lmo(g)");
  g.scale = decimal_text(o.used()["scale"]);
  return g;
}

template <class T>
class Scion final : public BlockSolver<T> {
 public:
  static constexpr const char* kName = "scion";
  static constexpr const char* kSummary = "Scion: W <- (1 - lr) W - lr rho lmo(d) (or W -= lr rho lmo(d)), one norm's LMO per block";
  static constexpr const char* kUpdate =
      "d = (1 - momentum) d + momentum g (if momentum != 1); u = scale * lmo_norm(d); W *= 1 - lr unless unconstrained; "
      "W -= lr u  (norms: Spectral NS(d) sqrt(d_out/d_in), ColNorm, RowNorm, Sign, BiasRMS)";
  static constexpr const char* kReference = "LIONS-EPFL/scion scion.py (Scion); arXiv:2502.07529";

  explicit Scion(const json& h) : opts_(h, solver_context(kName)) {
    lr_ = opts_.real<T>("lr", "0.001", Range::nonnegative(), "learning rate (the Frank-Wolfe step when constrained)");
    momentum_ = opts_.real<T>("momentum", "1", Range::unit_closed(),
                              "one minus the usual momentum: d = (1 - momentum) d + momentum g; 1 = none");
    unconstrained_ = opts_.boolean("unconstrained", false, "W -= lr u instead of W <- (1 - lr) W - lr u");
    bf16_ = opts_.boolean("bf16", true, "Spectral's Newton-Schulz in emulated bfloat16, as scion.py casts G.bfloat16()");
    default_ = read_scion_group(opts_, ScionGroup{});
    const json* b = opts_.raw("blocks", json::object(), "per block name: {\"norm\", \"norm_kwargs\", \"scale\"} or a norm name");
    if (b) {
      if (!b->is_object()) opts_.fail("blocks", "must be an object {block name: settings}");
      for (auto it = b->begin(); it != b->end(); ++it) {
        json e = it.value().is_string() ? json{{"norm", it.value()}} : it.value();
        if (!e.is_object()) opts_.fail("blocks", "entry '" + it.key() + "' must be a norm name or an object");
        Options eo(e, opts_.context() + ": blocks." + it.key());
        groups_[it.key()] = read_scion_group(eo, default_);
        eo.finish();
        resolved_[it.key()] = eo.used();
      }
    }
    opts_.finish();
  }

  json config() const override {
    json c = opts_.used();
    c["resolved"] = {{"blocks", resolved_}};
    return c;
  }

 protected:
  void init_state(const Params<T>& w0) override {
    std::vector<std::string> names;
    for (const BlockSpec& s : this->specs_) names.push_back(s.name);
    for (const auto& [name, g] : groups_) {
      if (std::find(names.begin(), names.end(), name) == names.end())
        throw_unknown("block", name, opts_.context() + ": blocks", names);
    }
    plan_.clear();
    ns_.clear();
    for (const BlockSpec& s : this->specs_) {
      auto it = groups_.find(s.name);
      ScionGroup g = it == groups_.end() ? default_ : it->second;
      if (g.norm == ScionNorm::Auto) {
        const ScionGroup d = s.is_matrix() ? ScionGroup{ScionNorm::Spectral} : ScionGroup{ScionNorm::BiasRMS};
        g.norm = d.norm;
        g.max = d.max, g.normalized = d.normalized, g.transpose = d.transpose, g.steps = d.steps;
      }
      if (!s.is_matrix() && g.norm != ScionNorm::BiasRMS)
        throw Error(opts_.context() + ": block '" + s.name + "' (shape " + s.shape_text() + ") is not a matrix; norm " +
                    name_of(g.norm) + " needs one (use BiasRMS)");
      Plan p{g, parse_decimal<T>(g.scale, "scale"), nullptr};
      if (g.norm == ScionNorm::Spectral) {
        spectral::NewtonSchulzConfig cfg;  // zeropower_via_newtonschulz5: Jordan, X / (||X||_F + 1e-7)
        cfg.steps = g.steps;
        cfg.normalization = "frobenius-additive";
        cfg.eps = "1e-7";
        cfg.bf16 = bf16_;
        cfg.bf16_form = "unfused";
        ns_.push_back(std::make_unique<spectral::NewtonSchulz<T>>(cfg));
        p.ns = ns_.back().get();
      }
      plan_.push_back(std::move(p));
    }
    buf_ = zeros_like<T>(w0);
    eps_ = parse_decimal<T>("1e-8", "eps");
  }

  void update_block(size_t i, Mat<T>& W, const Mat<T>& G) override {
    const Plan& p = plan_[i];
    const Mat<T>* g = &G;
    if (momentum_ != T(1)) {  // buf.mul_(1 - momentum).add_(g, alpha=momentum)
      buf_[i] = buf_[i] * T(T(1) - momentum_) + momentum_ * G;
      g = &buf_[i];
    }
    const BlockSpec& s = this->specs_[i];
    u_.resize(g->rows(), g->cols());
    const long m = s.is_matrix() ? s.rows() : g->rows();
    for (long e = 0; e < (s.is_matrix() ? s.slices() : 1); ++e) {
      slice_ = g->middleRows(e * m, m);
      lmo(p, slice_, out_);
      u_.middleRows(e * m, m) = out_;
    }
    if (!unconstrained_) W *= (T(1) - lr_);
    W -= lr_ * u_;
  }

 private:
  struct Plan {
    ScionGroup g;
    T scale;
    spectral::NewtonSchulz<T>* ns;
  };

  // out = scale * lmo(g) for one matrix (or vector) g, as the norm classes of scion.py.
  void lmo(const Plan& p, const Mat<T>& g, Mat<T>& out) {
    using std::sqrt;
    const ScionGroup& n = p.g;
    switch (n.norm) {
      case ScionNorm::Spectral: {
        p.ns->apply(g, out);
        const long d_out = g.rows(), d_in = g.cols();
        // scale = (d_out / d_in) ** 0.5 (or d_out ** 0.5), max(1, .): Python floats, i.e. double.
        double s = n.normalized ? std::sqrt(double(d_out) / double(d_in)) : std::sqrt(double(d_out));
        if (n.max) s = std::max(1.0, s);
        if (bf16_) {  // g *= s and scale * g on the bf16 tensor: float opmath, bf16 results
          const float sf = static_cast<float>(s), rf = static_cast<float>(p.scale);
          out = out.unaryExpr([sf, rf](const T& x) {
            return T(spectral::bf16::round(spectral::bf16::round(static_cast<float>(x) * sf) * rf));
          });
          return;
        }
        out *= n.normalized ? T(n.max ? max_one(sqrt(T(d_out) / T(d_in))) : sqrt(T(d_out) / T(d_in)))
                            : T(n.max ? max_one(sqrt(T(d_out))) : sqrt(T(d_out)));
        break;
      }
      case ScionNorm::ColNorm:
      case ScionNorm::RowNorm: {
        // Work on g^T when transposed; ColNorm normalises columns of the (transposed) g.
        work_ = n.transpose ? Mat<T>(g.transpose()) : g;
        const bool col = n.norm == ScionNorm::ColNorm;
        const long R = work_.rows(), C = work_.cols();
        for (long k = 0; k < (col ? C : R); ++k) {
          T ss = col ? T(work_.col(k).squaredNorm()) : T(work_.row(k).squaredNorm());
          T rms = col ? T(T(1) / sqrt(T(R)) * sqrt(ss)) : T(sqrt(ss));
          if (n.normalized) rms = col ? T(rms * T(C)) : T(rms * sqrt(T(C)));
          if (col)
            work_.col(k) /= T(rms + eps_);
          else
            work_.row(k) /= T(rms + eps_);
        }
        out = n.transpose ? Mat<T>(work_.transpose()) : work_;
        break;
      }
      case ScionNorm::Sign: {
        const T f = n.normalized ? T(T(1) / T(g.cols())) : T(1);
        out = g.unaryExpr([&f](const T& x) { return x > T(0) ? f : (x < T(0) ? T(-f) : T(0)); });
        break;
      }
      case ScionNorm::BiasRMS:
      default: {
        const T rms = sqrt(T(g.squaredNorm() / T(g.size())));
        out = g / T(rms + eps_);
        break;
      }
    }
    out *= p.scale;
  }
  static T max_one(const T& x) { return x > T(1) ? x : T(1); }

  Options opts_;
  T lr_, momentum_;
  bool unconstrained_ = false, bf16_ = true;
  ScionGroup default_;
  std::map<std::string, ScionGroup> groups_;
  json resolved_ = json::object();
  std::vector<Plan> plan_;
  std::vector<std::unique_ptr<spectral::NewtonSchulz<T>>> ns_;
  std::vector<Mat<T>> buf_;
  Mat<T> u_, slice_, out_, work_;
  T eps_ = T(0);
};

MB_REGISTER_SOLVER(Scion);

}  // namespace mb
