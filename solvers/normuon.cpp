// NorMuon (Li et al., arXiv 2510.05491): Muon's orthogonalised update normalised per neuron (per row
// of the stored matrix) by an EMA of its mean square, then rescaled back to its Frobenius norm.
// Two peers, one `convention` each (every detail read in the peer's own code):
//   normuon  zichongli5/NorMuon normuon.py (normuon_update, SingleDeviceNorMuon), the default:
//     buf.lerp_(g, 1 - momentum);  u = g.lerp(buf, momentum)              (Nesterov always)
//     O = NS_jordan x ns_steps(u), X/(||X||_F + 1e-7), bf16 (Keller's zeropower_via_newtonschulz5)
//     v.lerp_(mean(O*O, dim=-1), 1 - beta2)                          (v: rows x 1, no bias correction)
//     O *= 1/(sqrt(v) + 1e-10);  O *= ||O_before||_F / (||O||_F + 1e-10)
//     W *= 1 - lr wd (only if wd != 0);  W -= lr sqrt(max(1, rows/cols)) O  (adjust_lr original)
//   dion     microsoft/dion dion/normuon.py (NorMuon, _normuon_normalization_core), muon.py:
//     M = mu M + g;  u = g + mu M if nesterov else M                (nesterov false by default)
//     O = polar_express(u, epsilon): X/(1.02 ||X||_F + epsilon), 5 Polar Express steps, bf16
//         (use_polar_express false: the 'you' list, X/(||X||_F + epsilon))
//     V = lerp(V, mean(O*O, dim=-1), 1 - muon_beta2);  O /= sqrt(V) + 1e-8
//     O *= ||O_before||_F / max(||O||_F, 1e-8)
//     W *= 1 - lr wd (cautious_wd: W -= lr wd W where W O >= 0);  W -= lr sqrt(rows/cols) O
// Both average over the last axis (dim=-1: each row, i.e. each output neuron) whatever the shape;
// NVIDIA's Emerging-Optimizers adaptive_muon averages over the longer axis instead (not offered).
// The 1e-10 / 1e-8 of the normalisation are hard-coded in both peers (not options there either).
// Per expert: a 3-D block [E, m, n] is E matrices with their own M and V (both peers batch over
// the leading axis; norms are per matrix, the shape scale is that of [m, n]).
#include "solvers/matrix_solver.hpp"
#include "solvers/spectral/spectral.hpp"
#include "solvers/steps/muon_step.hpp"
#include "solvers/torch_ops.hpp"

namespace mb {

enum class NorMuonConvention { normuon, dion };
MB_ENUM_NAMES(NorMuonConvention, "normuon", "dion");

inline std::string normuon_context(const json& hyper) {
  std::string c = "normuon";
  if (hyper.is_object() && hyper.contains("convention") && hyper["convention"].is_string())
    c = hyper["convention"].get<std::string>();
  return std::string("solver 'normuon' (convention ") + c + ")";
}

template <class T>
class NorMuon final : public MatrixSolver<T> {
 public:
  static constexpr const char* kName = "normuon";
  static constexpr const char* kSummary =
      "NorMuon: Muon's NS output divided per row by an EMA of its row mean square, Frobenius norm restored "
      "(convention normuon = zichongli5/NorMuon, dion = microsoft/dion)";
  static constexpr const char* kUpdate =
      "u = Nesterov momentum; O = NS(u); v = lerp(v, rowmean(O^2), 1 - beta2); O' = O/(sqrt(v) + e); "
      "O' *= ||O||_F/||O'||_F; W *= 1 - lr wd; W -= lr s(shape) O'  (solvers/normuon.cpp per convention)";
  static constexpr const char* kReference =
      "zichongli5/NorMuon normuon.py (normuon_update); microsoft/dion dion/normuon.py; arXiv 2510.05491";

  explicit NorMuon(const json& h) : opts_(h, normuon_context(h)) {
    this->per_expert_ = true;
    conv_ = choose(opts_, "convention", NorMuonConvention::normuon,
                   "whose NorMuon: normuon (zichongli5/NorMuon, default) or dion (microsoft/dion dion/normuon.py)");
    const bool dion = conv_ == NorMuonConvention::dion;
    spectral::NewtonSchulzConfig ns;
    ns.normalization = "frobenius-additive";
    ns.bf16_form = "unfused";  // both peers write the step out: B = b A + c A@A; X = a X + B@X
    if (dion) {
      lr_ = opts_.real<T>("lr", "0.01", Range::positive(), "base learning rate (adjusted by adjust_lr)");
      const T mu = opts_.real<T>("mu", "0.95", Range::unit_halfopen(), "momentum: M = mu M + g");
      beta2_ = opts_.real<T>("muon_beta2", "0.95", Range::unit_halfopen(), "EMA factor of the per-row second moment");
      step_.momentum = Momentum<T>::sum(mu);
      step_.nesterov = opts_.boolean("nesterov", false, "u = g + mu M instead of M");
      const bool pe = opts_.boolean("use_polar_express", true,
                                    "Polar Express 5-step list with X/(1.02 ||X||_F + epsilon); false: dion's "
                                    "zeropower_via_newtonschulz5 ('you' list), X/(||X||_F + epsilon)");
      ns.schedule = pe ? "polar-express" : "you";
      ns.safety = pe ? "1.02" : "1";
      opts_.real<double>("epsilon", "1e-8", Range::positive(), "epsilon of the orthogonalisation's pre-normalisation");
      ns.eps = decimal_text(opts_.used()["epsilon"]);
      ns.steps = 5;  // both of dion's lists have 5 entries, run once each
      cautious_wd_ = opts_.boolean("cautious_wd", false, "decay only where W O >= 0 (dion)");
      norm_eps_ = T(1) / T(100000000);  // _normuon_normalization_core: sqrt(V) + 1e-8, clamp(min=1e-8)
    } else {
      lr_ = opts_.real<T>("lr", "0.02", Range::positive(), "learning rate");
      const T mu = opts_.real<T>("momentum", "0.95", Range::unit_halfopen(), "momentum: buf.lerp_(g, 1 - momentum)");
      beta2_ = opts_.real<T>("beta2", "0.95", Range::unit_halfopen(), "EMA factor of the per-row second moment");
      step_.momentum = Momentum<T>::ema(mu, EmaForm::lerp);
      step_.nesterov = opts_.boolean("nesterov", true, "u = g.lerp(buf, momentum) (normuon_update's default)");
      ns.schedule = "jordan";
      ns.eps = "1e-7";
      ns.steps = static_cast<int>(opts_.integer("ns_steps", 5, 1, 99, "Newton-Schulz steps (normuon_update's ns_steps)"));
      norm_eps_ = T(1) / T(10000000000LL);  // normuon_update: sqrt(v) + 1e-10, ||.||_F + 1e-10
    }
    ns.bf16 = opts_.choice("ns_dtype", "bf16", {"bf16", "working"},
                           "Newton-Schulz arithmetic: bf16 (emulated, as both peers) or working (the run's precision)") == "bf16";
    spectral::validate(ns);
    ns_ = std::make_unique<spectral::NewtonSchulz<T>>(ns);
    common_.weight_decay = this->read_weight_decay(opts_, dion ? "0.01" : "0");
    common_.scale = read_shape_scale(opts_, dion ? ShapeScaleKind::spectral : ShapeScaleKind::original).template rule<T>();
    json fb = {{"solver", "adamw"}, {"lr", "3e-4"}, {"betas", {"0.9", "0.95"}}, {"eps", "1e-10"}, {"weight_decay", "0"}};
    if (dion)  // dion's scalar_opts AdamW with the group's lr, betas (0.9, 0.95), epsilon, weight_decay
      fb = {{"solver", "adamw"},
            {"lr", decimal_text(opts_.used()["lr"])},
            {"betas", {"0.9", "0.95"}},
            {"eps", decimal_text(opts_.used()["epsilon"])},
            {"weight_decay", decimal_text(opts_.used()["weight_decay"])}};
    this->read_fallback(opts_, fb);  // normuon: SingleDeviceNorMuonWithAuxAdam's Adam groups
    opts_.finish();
  }

  json config() const override {
    json c = opts_.used();
    c["convention"] = name_of(conv_);
    c["resolved"] = {{"normalization_eps", conv_ == NorMuonConvention::dion ? "1e-8" : "1e-10"},
                     {"row_axis", "dim -1 (per row)"},
                     {"fallback", this->fallback_config()}};
    return c;
  }

 protected:
  void init_state(const Params<T>& w0) override {
    buf_.clear();
    v_.clear();
    for (const MatrixUnit& u : this->units()) {
      buf_.push_back(Mat<T>::Zero(u.rows, u.cols));
      v_.push_back(Mat<T>::Zero(u.rows, 1));
    }
    this->init_fallback(w0);
  }

  void update_matrix(size_t i, Mat<T>& W, const Mat<T>& G) override {
    using std::max;
    using std::sqrt;
    const Mat<T>& u = step_.input(buf_[i], G, this->t_);
    ns_->apply(u, O_);
    const T norm0 = O_.norm();
    row_ = O_.cwiseProduct(O_).rowwise().sum() / T(O_.cols());  // torch.mean(O * O, dim=-1)
    torch_ops::lerp_(v_[i], row_, T(T(1) - beta2_));
    const bool dion = conv_ == NorMuonConvention::dion;
    if (dion) {
      for (long r = 0; r < O_.rows(); ++r) O_.row(r) /= T(sqrt(v_[i](r, 0)) + norm_eps_);
      O_ *= T(norm0 / max(T(O_.norm()), norm_eps_));
    } else {
      for (long r = 0; r < O_.rows(); ++r) O_.row(r) *= T(T(1) / T(sqrt(v_[i](r, 0)) + norm_eps_));
      O_ *= T(norm0 / T(O_.norm() + norm_eps_));
    }
    const T s = common_.scale(W.rows(), W.cols());
    const T decay = lr_ * common_.weight_decay;
    if (cautious_wd_ && decay != T(0))  // dion: X -= lr wd X where sign(X U) + 1 clipped to 1 (W O >= 0)
      W -= decay * W.cwiseProduct(W.cwiseProduct(O_).unaryExpr([](const T& x) { return T(x >= T(0) ? 1 : 0); }));
    else if (decay != T(0))
      W *= T(T(1) - decay);
    W -= T(lr_ * s) * O_;  // dion: adjusted_lr U; normuon: update *= scale, p.add_(update, alpha=-lr)
  }

 private:
  Options opts_;
  NorMuonConvention conv_ = NorMuonConvention::normuon;
  T lr_, beta2_, norm_eps_;
  bool cautious_wd_ = false;
  MuonStep<T> step_;  // momentum and Nesterov input only
  MatrixCommon<T> common_;
  std::unique_ptr<spectral::NewtonSchulz<T>> ns_;
  std::vector<Mat<T>> buf_, v_;
  Mat<T> O_, row_;
};

MB_REGISTER_SOLVER(NorMuon);

}  // namespace mb
