// Muon conventions (muon_settings.hpp). Every default below was read in the peer's own code:
//   torch      torch/optim/_muon.py (PyTorch 2.9-2.11)
//   optax      optax/contrib/_muon.py (optax 0.2.8)
//   keller     KellerJordan/Muon muon.py (Muon, muon_update, zeropower_via_newtonschulz5, MuonWithAuxAdam)
//   moonlight  MoonshotAI/Moonlight examples/toy_train.py (Muon, adjust_lr_for_muon, AdamW backup)
//   dion       microsoft/dion dion/muon.py, polar_express.py, scalar_opts.py (HEAD of 2025)
#include "harness/core/error.hpp"
#include "solvers/muon_settings.hpp"

namespace mb {

const std::vector<std::string>& muon_convention_names() {
  static const std::vector<std::string> n{"torch", "optax", "keller", "moonlight", "dion"};
  return n;
}

namespace {

using Abc = std::array<std::string, 3>;

using Conv = MuonConvention;
using Kind = MomentumKind;
using Shape = ShapeScaleKind;

struct Defaults {
  const char *lr, *wd, *momentum;
  Kind kind;
  EmaForm ema_form;
  bool nesterov, bias_correction;
  const char *schedule, *normalization, *eps, *ns_dtype, *bf16_form;
  Shape shape;
  Layout layout;
  bool scale_in_bf16;
};

Defaults defaults_for(Conv c) {
  //            lr      wd      mu      kind   ema_form  nest   bc     schedule         normalization         eps     dtype      form       shape              layout   bf16 scale
  if (c == Conv::optax)
    return {"0.02", "0", "0.95", Kind::ema, EmaForm::affine, true, true, "jordan", "frobenius-additive", "1e-8", "working", "addmm", Shape::original, Layout::in_out, false};
  if (c == Conv::keller)
    return {"0.02", "0", "0.95", Kind::ema, EmaForm::lerp, true, false, "jordan", "frobenius-additive", "1e-7", "bf16", "unfused", Shape::original, Layout::out_in, true};
  if (c == Conv::moonlight)
    return {"0.001", "0.1", "0.95", Kind::sum, EmaForm::lerp, true, false, "jordan", "frobenius-additive", "1e-7", "bf16", "unfused", Shape::match_rms_adamw, Layout::out_in, false};
  if (c == Conv::dion)
    return {"0.01", "0.01", "0.95", Kind::sum, EmaForm::lerp, false, false, "polar-express", "frobenius-additive", "1e-8", "bf16", "unfused", Shape::spectral, Layout::out_in, false};
  return {"0.001", "0.1", "0.95", Kind::ema, EmaForm::lerp, true, false, "jordan", "frobenius", "1e-7", "bf16", "addmm", Shape::original, Layout::out_in, false};
}

std::string text_of(const json& j, const std::string& field) {
  hyper_from_json<double>(j, field);  // rejects non-numbers, NaN, Inf with the field named
  return decimal_text(j);
}

// A list of three numbers, or a list of such lists.
std::vector<Abc> coefficient_list(const Options& o, const std::string& key, const json& v) {
  auto triple = [&](const json& t, const std::string& f) -> Abc {
    if (!t.is_array() || t.size() != 3) o.fail(f, "must be three numbers (a, b, c), got " + t.dump());
    return {text_of(t[0], o.context() + ": " + f + "[0]"), text_of(t[1], o.context() + ": " + f + "[1]"),
            text_of(t[2], o.context() + ": " + f + "[2]")};
  };
  if (!v.is_array() || v.empty()) o.fail(key, "must be (a, b, c) or a list of (a, b, c), got " + v.dump());
  if (!v[0].is_array()) return {triple(v, key)};
  std::vector<Abc> out;
  for (size_t k = 0; k < v.size(); ++k) out.push_back(triple(v[k], key + "[" + std::to_string(k) + "]"));
  return out;
}

std::string dec(Options& o, const std::string& key, const char* def, const Range& r, const std::string& doc) {
  o.real<double>(key, def, r, doc);
  return decimal_text(o.used()[key]);
}

void read_ns(Options& o, Conv c, const Defaults& d, MuonSettings& s) {
  auto& ns = s.ns;
  ns.schedule = d.schedule;
  ns.normalization = d.normalization;
  // Peer spellings first (aliases must precede the canonical read).
  std::string coeff_key = "ns_coefficients", eps_key = "ns_eps";
  if (c == Conv::torch) eps_key = "eps";
  if (c == Conv::optax) coeff_key = "ns_coeffs", eps_key = "eps";
  if (c == Conv::dion) eps_key = "epsilon";
  if (coeff_key != "ns_coefficients") o.alias("ns_coefficients", coeff_key);
  if (eps_key != "ns_eps") o.alias("ns_eps", eps_key);
  if (c == Conv::optax) o.alias("ns_normalization", "preconditioning");

  if (c == Conv::dion) {
    const bool pe = o.boolean("use_polar_express", true,
                              "dion: Polar Express 5-step list with X/(1.02 ||X||_F + epsilon); false: the 'you' list, X/(||X||_F + epsilon)");
    if (!pe) ns.schedule = "you";
  }
  ns.schedule = o.choice("ns_schedule", ns.schedule, spectral::schedule_names(),
                         "named Newton-Schulz coefficient schedule (docs/spectral.md)");
  const long steps = o.integer("ns_steps", spectral::schedule_default_steps(ns.schedule), 0, 99,
                               "Newton-Schulz steps (< 100 as torch; default 5, a schedule's own length for aol 4, "
                               "deepseek-v4 10); optax: must be >= len(ns_coeffs)");
  ns.steps = static_cast<int>(steps);
  const json* cv = o.raw(coeff_key, json::array({"3.4445", "-4.7750", "2.0315"}),
                         c == Conv::optax ? "(a, b, c), a list of (a, b, c) run once each, or a preset 'standard' | 'dion'"
                                      : "Newton-Schulz quintic (a, b, c), or a list of (a, b, c) (runs in order, last repeats)");
  if (cv) {
    if (o.given("ns_schedule")) o.fail(coeff_key, "and ns_schedule both given; give one");
    if (c == Conv::optax && cv->is_string()) {
      const std::string p = cv->get<std::string>();
      if (p == "standard")
        ns.schedule = "jordan";
      else if (p == "dion")
        ns.schedule = "you", ns.steps = 5;
      else
        o.fail(coeff_key, "preset must be 'standard' or 'dion', got '" + p + "'");
      if (p == "dion" && steps < 5) o.fail(coeff_key, "'dion' has 5 entries: ns_steps must be >= 5 (optax)");
    } else {
      ns.schedule = "custom";
      ns.coefficients = coefficient_list(o, coeff_key, *cv);
      if (c == Conv::optax && (*cv)[0].is_array()) {  // optax runs exactly the list, which must fit in ns_steps
        if (static_cast<long>(ns.coefficients.size()) > steps)
          o.fail(coeff_key, "has " + std::to_string(ns.coefficients.size()) + " entries, more than ns_steps = " +
                                std::to_string(steps) + " (optax: 'Not enough coeffs')");
        ns.steps = static_cast<int>(ns.coefficients.size());
      }
    }
  }
  if (ns.steps == 0) ns.schedule = "jordan", ns.coefficients.clear();  // normalisation only

  if (c == Conv::optax) {  // optax's names mean: frobenius = X/(||X||_F + eps), spectral = X/(||X||_2 + eps)
    const std::string p = o.choice("preconditioning", "frobenius", {"frobenius", "spectral", "aol", "schatten"},
                                   "optax pre-normalisation before Newton-Schulz");
    ns.normalization = p == "frobenius" ? "frobenius-additive" : p;
  } else {
    ns.normalization = o.choice("ns_normalization", spectral::schedule_default_normalization(ns.schedule, ns.normalization),
                                spectral::normalization_names(),
                                "pre-normalisation: frobenius X/max(||X||_F, eps) (torch), frobenius-additive "
                                "X/(||X||_F + eps) (Keller, Moonlight, dion), spectral, schatten, aol, none");
  }
  ns.eps = dec(o, eps_key, d.eps, Range::positive(), "eps of the Newton-Schulz pre-normalisation");
  // optax's aol and schatten first steps use their own default eps = 1e-8, not the user's eps.
  if (c == Conv::optax && (ns.normalization == "aol" || ns.normalization == "schatten")) ns.eps = "1e-8";
  {
    spectral::NewtonSchulzConfig named = ns;
    named.safety.clear();
    const std::string def = spectral::schedule_safety(named);  // 1.02 polar-express, 1.01 polar-express-1.01, else 1
    ns.safety = dec(o, "ns_safety", def.c_str(), Range::positive(),
                    "X is divided by safety x the norm (1.02 for polar-express, 1.01 for polar-express-1.01)");
  }

  const std::string dtype_doc = "Newton-Schulz arithmetic: bf16 (emulated bfloat16, as the PyTorch peers run it), fp16 "
                                "(emulated float16, as Dao-AILab/gram-newton-schulz runs it) or working (the run's precision)";
  if (c == Conv::torch) {  // torch >= 2.12 exposes `use_addmm` (default False); PyTorch 2.9-2.11 used addmm
    const json* ua = o.raw("use_addmm", true, "torch: fused addmm steps (PyTorch 2.9-2.11 behaviour) or the written-out step");
    if (ua && !ua->is_boolean()) o.fail("use_addmm", "must be true or false, got " + ua->dump());
    if (ua && o.given("bf16_form")) o.fail("use_addmm", "and bf16_form both given; give one");
    if (ua) ns.bf16_form = ua->get<bool>() ? "addmm" : "unfused";
  }
  if (!(c == Conv::torch && o.given("use_addmm")))
    ns.bf16_form = o.choice("bf16_form", d.bf16_form, {"addmm", "unfused"},
                            "bf16 step form: addmm (torch.optim.Muon 2.9-2.11) or unfused (Keller, Moonlight, dion)");
  const std::string dtype = o.choice("ns_dtype", d.ns_dtype, {"bf16", "fp16", "working"}, dtype_doc);
  ns.bf16 = dtype == "bf16";
  ns.fp16 = dtype == "fp16";
  // Gram Newton-Schulz (Dao-AILab/gram-newton-schulz): ns_variant, or the reference's own
  // ns_algorithm = gram_newton_schulz | standard_newton_schulz and
  // gram_newton_schulz_restart_iterations (default [2]: its GramNewtonSchulz default, and what its
  // Muon's auto-tuning picks for its default coefficients: tests/peers/record_gram_ns.py).
  const json* alg = o.raw("ns_algorithm", nullptr, "gram-newton-schulz: gram_newton_schulz | standard_newton_schulz");
  if (alg && o.given("ns_variant")) o.fail("ns_algorithm", "and ns_variant both given; give one");
  if (alg) {
    if (!alg->is_string() || (*alg != "gram_newton_schulz" && *alg != "standard_newton_schulz"))
      o.fail("ns_algorithm", "must be 'gram_newton_schulz' or 'standard_newton_schulz', got " + alg->dump());
    ns.variant = *alg == "gram_newton_schulz" ? "gram" : "plain";
  } else {
    ns.variant = o.choice("ns_variant", "plain", spectral::variant_names(),
                          "plain Newton-Schulz, or gram: the same map on R = X X^T (Dao-AILab/gram-newton-schulz)");
  }
  const json* rs = o.raw("gram_newton_schulz_restart_iterations", json::array({2}),
                         "gram variant: 0-based steps at which X <- Q X and R <- X X^T restart (default [2])");
  if (rs) {
    if (!rs->is_array()) o.fail("gram_newton_schulz_restart_iterations", "must be a list of step indices, got " + rs->dump());
    ns.restarts.clear();
    for (const auto& r : *rs) {
      if (!r.is_number_integer() || r.get<long>() < 0 || r.get<long>() > 99)
        o.fail("gram_newton_schulz_restart_iterations", "entries must be integers in [0, 99], got " + r.dump());
      ns.restarts.push_back(r.get<int>());
    }
  }
  s.scale_in_bf16 = ns.bf16 && d.scale_in_bf16;
  try {
    spectral::validate(ns);
  } catch (const Error& e) {
    throw Error(o.context() + ": " + e.what());
  }
}

void read_shape(Options& o, Conv c, const Defaults& d, MuonSettings& s) {
  Shape kind = d.shape;
  std::string factor = "0.2";
  bool peer_given = false;
  auto take_peer = [&](const std::string& key, const json* v) {
    if (!v) return;
    if (o.given("shape_scale") || o.given("adjust_lr")) o.fail(key, "and adjust_lr (shape_scale) both given; give one");
    peer_given = true;
  };
  if (c == Conv::torch) {
    const json* v = o.raw("adjust_lr_fn", nullptr, "torch: null or 'original' = sqrt(max(1, A/B)); 'match_rms_adamw' = 0.2 sqrt(max(A, B))");
    take_peer("adjust_lr_fn", v);
    if (v && !v->is_null()) {
      if (!v->is_string() || (*v != "original" && *v != "match_rms_adamw"))
        o.fail("adjust_lr_fn", "must be null, 'original' or 'match_rms_adamw' (torch), got " + v->dump());
      kind = enum_named<Shape>(v->get<std::string>(), "shape scale", "adjust_lr_fn");
    }
  } else if (c == Conv::optax) {
    const json* v = o.raw("consistent_rms", nullptr, "optax: null = width scaling sqrt(max(1, fan_out/fan_in)); r = r sqrt(max(fan_in, fan_out))");
    take_peer("consistent_rms", v);
    if (v && !v->is_null()) {
      kind = Shape::match_rms_adamw;
      factor = text_of(*v, o.context() + ": consistent_rms");
      if (!(hyper_from_json<double>(*v, "consistent_rms") > 0)) o.fail("consistent_rms", "must be > 0, got " + v->dump());
    }
  }
  // dion's own `adjust_lr` spellings ('spectral_norm', 'rms_norm', null) are read by
  // read_shape_scale in every convention (matrix_solver.hpp).
  s.shape = read_shape_scale(o, kind, d.layout);
  if (peer_given) s.shape.kind = kind;
  if (peer_given && kind == Shape::match_rms_adamw && c == Conv::optax) s.shape.rms_factor = factor;
}

json fallback_defaults(Options& o, Conv c, const MuonSettings& s) {
  json f = {{"solver", "adamw"}};
  if (c == Conv::optax) {  // optax.contrib.muon: adamw(adam_learning_rate or learning_rate, adam_b1, adam_b2, eps, ...)
    f["lr"] = dec(o, "adam_learning_rate", s.lr.c_str(), Range::positive(), "optax: AdamW learning rate (default learning_rate)");
    f["betas"] = {dec(o, "adam_b1", "0.9", Range::unit_halfopen(), "optax: AdamW b1"),
                  dec(o, "adam_b2", "0.999", Range::unit_halfopen(), "optax: AdamW b2")};
    f["eps"] = o.used().contains("eps") ? decimal_text(o.used()["eps"]) : std::string("1e-8");
    f["eps_root"] = dec(o, "adam_eps_root", "0", Range::nonnegative(), "optax: AdamW eps_root");
    f["weight_decay"] = dec(o, "adam_weight_decay", "0", Range::nonnegative(), "optax: AdamW weight decay");
    f["nesterov"] = s.nesterov;
  } else if (c == Conv::keller) {  // MuonWithAuxAdam's Adam groups
    f.update({{"lr", "3e-4"}, {"betas", {"0.9", "0.95"}}, {"eps", "1e-10"}, {"weight_decay", "0"}});
  } else if (c == Conv::moonlight) {  // the AdamW backup of toy_train.py's Muon
    f["lr"] = s.lr;
    f["betas"] = {"0.9", "0.95"};
    const json* b = o.raw("adamw_betas", json::array({"0.9", "0.95"}), "Moonlight: AdamW betas of the backup");
    if (b) {
      if (!b->is_array() || b->size() != 2) o.fail("adamw_betas", "must be two numbers, got " + b->dump());
      f["betas"] = {text_of((*b)[0], "adamw_betas[0]"), text_of((*b)[1], "adamw_betas[1]")};
    }
    f["eps"] = dec(o, "adamw_eps", "1e-8", Range::positive(), "Moonlight: AdamW eps of the backup");
    f["weight_decay"] = s.weight_decay;
    f["eps_placement"] = "uncorrected";
  } else if (c == Conv::dion) {  // dion's scalar_opts.adamw_update with the group's lr, betas, epsilon, weight_decay
    f["lr"] = s.lr;
    f["betas"] = {"0.9", "0.95"};
    const json* b = o.raw("betas", json::array({"0.9", "0.95"}), "dion: (beta1, beta2) of the AdamW fallback");
    if (b) {
      if (!b->is_array() || b->size() != 2) o.fail("betas", "must be two numbers, got " + b->dump());
      f["betas"] = {text_of((*b)[0], "betas[0]"), text_of((*b)[1], "betas[1]")};
    }
    f["eps"] = o.used().contains("epsilon") ? decimal_text(o.used()["epsilon"]) : std::string("1e-8");
    f["weight_decay"] = s.weight_decay;
  }
  return f;
}

}  // namespace

template <class T>
MuonSettings read_muon_settings(Options& o, bool exact, MuonRates<T>& rates) {
  MuonSettings s;
  s.exact = exact;
  const Conv c = choose(o, "convention", Conv::torch,
                        "whose Muon: sets every default and the peer's hyperparameter names (docs/solvers.md)");
  s.convention = c;
  const Defaults d = defaults_for(c);
  if (c == Conv::optax) o.alias("lr", "learning_rate"), o.alias("momentum", "beta");
  if (c == Conv::moonlight) o.alias("weight_decay", "wd");
  if (c == Conv::dion) o.alias("momentum", "mu");
  const std::string lr_key = c == Conv::optax ? "learning_rate" : "lr";
  const std::string mu_key = c == Conv::optax ? "beta" : c == Conv::dion ? "mu" : "momentum";
  const std::string wd_key = c == Conv::moonlight ? "wd" : "weight_decay";
  rates.lr = o.real<T>(lr_key, d.lr, Range::positive(), "learning rate: W <- W - lr s O");
  s.lr = decimal_text(o.used()[lr_key]);
  rates.weight_decay = o.real<T>(wd_key, d.wd, Range::nonnegative(), "decoupled weight decay: W <- W (1 - lr wd)");
  s.weight_decay = decimal_text(o.used()[wd_key]);
  rates.momentum = o.real<T>(mu_key, d.momentum, Range::unit_halfopen(), "momentum factor mu");
  s.momentum = decimal_text(o.used()[mu_key]);
  s.momentum_kind = choose(o, "momentum_kind", d.kind,
                           "ema: buf = mu buf + (1 - mu) g (torch, optax, Keller); sum: buf = mu buf + g (Moonlight, dion)");
  s.ema_form = d.ema_form;
  s.nesterov = o.boolean("nesterov", d.nesterov, "Nesterov: u = lerp(g, buf, mu) (ema), g + mu buf (sum), optax's bias-corrected form");
  s.bias_correction = o.boolean("bias_correction", d.bias_correction,
                                "optax: divide the EMA by 1 - mu^t (Nesterov: mu buf/(1-mu^(t+1)) + (1-mu) g/(1-mu^t))");
  if (s.bias_correction && s.momentum_kind != Kind::ema) o.fail("bias_correction", "needs momentum_kind 'ema'");
  if (!exact) read_ns(o, c, d, s);
  if (exact && (c == Conv::optax || c == Conv::dion))  // the exact map has no eps; the AdamW fallback still does
    dec(o, c == Conv::optax ? "eps" : "epsilon", d.eps, Range::positive(), "eps of the AdamW fallback (the exact polar map has none)");
  read_shape(o, c, d, s);
  s.decay_lr = choose(o, "decay_lr", DecayLr::unadjusted,
                      "weight decay W <- W (1 - lr_d wd) with lr_d = lr (every peer) or lr s (shape-adjusted)");
  s.cautious_wd = o.boolean("cautious_wd", false, "dion: decay only entries where W O >= 0");
  s.adaptive = o.boolean("adaptive", false, "optax: O <- <u, O> O (dual-norm scaling)");
  s.fallback_default = fallback_defaults(o, c, s);
  return s;
}
template MuonSettings read_muon_settings<float>(Options&, bool, MuonRates<float>&);
template MuonSettings read_muon_settings<double>(Options&, bool, MuonRates<double>&);
template MuonSettings read_muon_settings<mp50>(Options&, bool, MuonRates<mp50>&);

json MuonSettings::resolved() const {
  json r = {{"convention", name_of(convention)},
            {"map", exact ? "polar (exact, SVD)" : "newton-schulz"},
            {"momentum_kind", name_of(momentum_kind)},
            {"nesterov", nesterov},
            {"bias_correction", bias_correction},
            {"adjust_lr", name_of(shape.kind)},
            {"rms_factor", shape.rms_factor},
            {"extra_scale_factor", shape.extra_scale_factor},
            {"layout", name_of(shape.layout)},
            {"decay_lr", name_of(decay_lr)},
            {"cautious_wd", cautious_wd},
            {"adaptive", adaptive}};
  if (!exact) {
    json list = json::array();
    for (const auto& abc : spectral::schedule_coefficients(ns)) list.push_back({abc[0], abc[1], abc[2]});
    r["ns"] = {{"schedule", ns.schedule},      {"coefficients", list},
               {"normalization", ns.normalization}, {"eps", ns.eps},
               {"safety", spectral::schedule_safety(ns)}, {"dtype", ns.bf16 ? "bf16" : ns.fp16 ? "fp16" : "working"},
               {"variant", ns.variant}};
    if (ns.variant == "gram") r["ns"]["restarts"] = ns.restarts;
    const auto cs = spectral::schedule_coefficient_safety(ns);
    if (cs.factor != "1") r["ns"]["coefficient_safety"] = cs.factor;
    if (ns.bf16) r["ns"]["bf16_form"] = ns.bf16_form, r["ns"]["scale_in_bf16"] = scale_in_bf16;
  }
  return r;
}

}  // namespace mb
