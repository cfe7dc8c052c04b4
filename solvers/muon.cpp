// muon and muon-exact in every convention of docs/solvers.md (settings: muon_settings.hpp,
// defaults and peer names: muon_conventions.cpp, every rule: docs/solvers.md).
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
    s_ = read_muon_settings(opts_, Exact);
    lr_ = parse_decimal<T>(s_.lr, "lr");
    wd_ = parse_decimal<T>(s_.weight_decay, "weight_decay");
    mu_ = parse_decimal<T>(s_.momentum, "momentum");
    sum_ = s_.momentum_kind == "sum";
    if constexpr (!Exact) ns_ = std::make_unique<spectral::NewtonSchulz<T>>(s_.ns);
    this->read_fallback(opts_, s_.fallback_default);
    opts_.finish();
  }

  json config() const override {
    json c = opts_.used();
    c["convention"] = s_.convention;
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
    using std::pow;
    Mat<T>& buf = buf_[i];
    const T t(this->t_);
    // Momentum.
    if (sum_)
      buf = mu_ * buf + G;
    else if (s_.ema_form == "lerp")
      torch_ops::lerp_(buf, G, T(1) - mu_);
    else
      buf = (T(1) - mu_) * G + mu_ * buf;  // optax.tree.update_moment
    // Input of the map.
    const Mat<T>* u = &buf;
    if (s_.nesterov) {
      if (sum_)
        u_ = G + mu_ * buf;
      else if (s_.bias_correction)  // optax: beta * bc(mu, t+1) + (1 - beta) * bc(g, t)
        u_ = mu_ * (buf / T(T(1) - pow(mu_, T(t + 1)))) + (T(1) - mu_) * (G / T(T(1) - pow(mu_, t)));
      else if (s_.ema_form == "lerp")
        torch_ops::lerp_into<T>(u_, G, buf, mu_);
      else
        u_ = (T(1) - mu_) * G + mu_ * buf;
      u = &u_;
    } else if (s_.bias_correction) {
      u_ = buf / T(T(1) - pow(mu_, t));
      u = &u_;
    }
    // The map.
    if constexpr (Exact)
      O_ = spectral::polar<T>(*u);
    else
      ns_->apply(*u, O_);
    if (s_.adaptive) O_ *= T(u->cwiseProduct(O_).sum());
    T scale = s_.shape.value<T>(W.rows(), W.cols());
    if (s_.scale_in_bf16) {  // KellerJordan/Muon: `update *= scale` on the bf16 tensor (float opmath, bf16 result)
      const float sf = static_cast<float>(s_.shape.value<double>(W.rows(), W.cols()));
      O_ = O_.unaryExpr([sf](const T& x) { return T(spectral::bf16::round(static_cast<float>(x) * sf)); });
      scale = T(1);
    }
    // Decoupled weight decay, then the step.
    if (wd_ != T(0)) {
      const T decay = (s_.decay_lr == "adjusted" ? T(lr_ * scale) : lr_) * wd_;
      if (s_.cautious_wd)  // dion: W -= lr wd (W where W O >= 0)
        W -= decay * W.cwiseProduct(W.cwiseProduct(O_).unaryExpr([](const T& x) { return T(x >= T(0) ? 1 : 0); }));
      else
        W *= (T(1) - decay);
    }
    W -= (lr_ * scale) * O_;
  }

 private:
  Options opts_;
  MuonSettings s_;
  T lr_, wd_, mu_;
  bool sum_ = false;
  std::unique_ptr<spectral::NewtonSchulz<T>> ns_;
  std::vector<Mat<T>> buf_;
  Mat<T> u_, O_;
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
