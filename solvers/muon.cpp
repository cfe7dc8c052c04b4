// muon and muon-exact in every convention of docs/solvers.md (settings: muon_settings.hpp,
// defaults and peer names: muon_conventions.cpp, the step: steps/muon_step.hpp, every rule: docs/solvers.md).
// Default (convention torch) is torch.optim.Muon exactly (torch/optim/_muon.py, PyTorch 2.9-2.11):
//   buf = lerp(buf, g, 1 - mu);  u = lerp(g, buf, mu) if nesterov else buf
//   O = NS_{(a,b,c) x k}(u) in emulated bf16 with torch's addmm steps (muon)  or  O = polar(u) (muon-exact)
//   W <- W (1 - lr wd);  W <- W - lr * scale(rows, cols) * O      (decay uses the unadjusted lr)
#include "solvers/muon_settings.hpp"
#include "solvers/spectral/bf16.hpp"
#include "solvers/spectral/spectral.hpp"
#include "solvers/torch_ops.hpp"

namespace mb {

// "solver 'muon' (convention optax)": errors and valid-key lists name the convention.
inline std::string muon_context(const char* name, const json& hyper) {
  std::string c = "torch";
  if (hyper.is_object() && hyper.contains("convention") && hyper["convention"].is_string())
    c = hyper["convention"].get<std::string>();
  return std::string("solver '") + name + "' (convention " + c + ")";
}

template <class T, bool Exact>
class MuonFamily : public MatrixSolver<T> {
 public:
  MuonFamily(const json& hyper, const char* name) : opts_(hyper, muon_context(name, hyper)) {
    MuonRates<T> r;
    s_ = read_muon_settings<T>(opts_, Exact, r);
    step_.momentum = Momentum<T>::of(s_.momentum_kind, r.momentum, s_.ema_form);
    step_.nesterov = s_.nesterov;
    step_.bias_correction = s_.bias_correction;
    step_.adaptive = s_.adaptive;
    step_.cautious_wd = s_.cautious_wd;
    step_.lr = r.lr;
    step_.weight_decay = r.weight_decay;
    step_.decay_lr = s_.decay_lr;
    step_.scale = s_.shape.rule<T>();
    if (s_.scale_in_bf16) step_.bf16_scale = s_.shape.rule<double>();
    if constexpr (!Exact) ns_ = std::make_unique<spectral::NewtonSchulz<T>>(s_.ns);
    this->read_fallback(opts_, s_.fallback_default);
    opts_.finish();
  }

  json config() const override {
    json c = opts_.used();
    c["convention"] = name_of(s_.convention);
    c["resolved"] = s_.resolved();
    c["resolved"]["fallback"] = this->fallback_config();
    return c;
  }

 protected:
  void init_state(const Params<T>& w0) override {
    buf_ = zeros_like<T>(w0);
    this->init_fallback(w0);
  }

  void update_matrix(size_t i, Mat<T>& W, const Mat<T>& G) override {
    step_(W, G, buf_[i], this->t_, [this](const Mat<T>& u, Mat<T>& O) {
      if constexpr (Exact)
        O = spectral::polar<T>(u);
      else
        ns_->apply(u, O);
    });
  }

 private:
  Options opts_;
  MuonSettings s_;
  MuonStep<T> step_;
  std::unique_ptr<spectral::NewtonSchulz<T>> ns_;
  std::vector<Mat<T>> buf_;
};

template <class T>
class Muon final : public MuonFamily<T, false> {
 public:
  static constexpr const char* kName = "muon";
  static constexpr const char* kSummary =
      "Muon in the convention of torch (default), optax, keller, moonlight or dion (Newton-Schulz, bf16 or working precision)";
  static constexpr const char* kUpdate =
      "buf = lerp(buf, g, 1-mu) [ema] or mu buf + g [sum]; u = Nesterov/bias-corrected input; O = NS(u); "
      "O *= <u,O> if adaptive; W *= 1 - lr wd; W -= lr * s(shape) * O  (docs/solvers.md, per convention)";
  static constexpr const char* kReference =
      "torch/optim/_muon.py; optax/contrib/_muon.py; KellerJordan/Muon; Moonlight toy_train.py; microsoft/dion muon.py";
  explicit Muon(const json& h) : MuonFamily<T, false>(h, kName) {}
};

template <class T>
class MuonExact final : public MuonFamily<T, true> {
 public:
  static constexpr const char* kName = "muon-exact";
  static constexpr const char* kSummary = "idealized Muon: any convention's momentum and scaling with the exact polar factor U V^T (SVD)";
  static constexpr const char* kUpdate =
      "as muon, with O = polar(u) = U_r V_r^T exactly (docs/theory.md 2f: the LMO of the spectral-norm ball)";
  static constexpr const char* kReference = "docs/theory.md section 2f (LMO over the spectral-norm ball)";
  explicit MuonExact(const json& h) : MuonFamily<T, true>(h, kName) {}
};

MB_REGISTER_SOLVER(Muon);
MB_REGISTER_SOLVER(MuonExact);

}  // namespace mb
