// muon and muon-exact, torch.optim.Muon's convention (PyTorch >= 2.9, torch/optim/_muon.py):
//   buf = lerp(buf, g, 1 - mu);  u = lerp(g, buf, mu) if nesterov else buf
//   O = NS_{(a,b,c) x k}(u)  (muon)   or   O = polar(u) = U V^T exactly (muon-exact)
//   W <- W (1 - lr wd);  W <- W - lr * scale(rows, cols) * O      (decay uses the unadjusted lr)
// Defaults: lr 1e-3, weight_decay 0.1, momentum 0.95, nesterov, (3.4445, -4.7750, 2.0315) x 5,
// eps 1e-7, adjust_lr_fn "original" = sqrt(max(1, rows/cols)).
#include "solvers/matrix_solver.hpp"
#include "solvers/spectral/spectral.hpp"
#include "solvers/torch_ops.hpp"

namespace mb {

template <class T, bool Exact>
class MuonTorch : public MatrixSolver<T> {
 public:
  MuonTorch(const json& hyper, const char* name) : opts_(hyper, std::string("solver '") + name + "'") {
    lr_ = opts_.real<T>("lr", "0.001", Range::positive(), "learning rate");
    wd_ = opts_.real<T>("weight_decay", "0.1", Range::nonnegative(), "decoupled decay W <- W (1 - lr wd)");
    mu_ = opts_.real<T>("momentum", "0.95", Range::unit_halfopen(), "EMA momentum: buf = lerp(buf, g, 1 - mu)");
    nesterov_ = opts_.boolean("nesterov", true, "update from lerp(g, buf, mu) instead of buf");
    adjust_ = opts_.choice("adjust_lr_fn", "original", shape_scale_names(), "shape scale of the learning rate");
    if (!Exact) {
      opts_.reals<T>("ns_coefficients", {"3.4445", "-4.7750", "2.0315"}, Range::any(),
                     "Newton-Schulz quintic (a, b, c)");
      const json& abc = opts_.used()["ns_coefficients"];
      if (abc.size() != 3) opts_.fail("ns_coefficients", "must have exactly three entries (a, b, c)");
      spectral::NewtonSchulzConfig cfg;
      cfg.schedule = "custom";
      cfg.coefficients = {{decimal_text(abc[0]), decimal_text(abc[1]), decimal_text(abc[2])}};
      cfg.steps = static_cast<int>(opts_.integer("ns_steps", 5, 0, 99, "Newton-Schulz steps (< 100, as torch)"));
      opts_.real<T>("eps", "1e-7", Range::positive(), "X / max(||X||_F, eps) before Newton-Schulz");
      cfg.eps = decimal_text(opts_.used()["eps"]);
      if (cfg.steps == 0) cfg.coefficients.clear(), cfg.schedule = "jordan";
      ns_ = std::make_unique<spectral::NewtonSchulz<T>>(cfg);
    }
    this->read_fallback(opts_);
    opts_.finish();
  }

  json config() const override {
    json c = opts_.used();
    c["convention"] = "torch";
    return c;
  }

 protected:
  void init_state(const Params<T>& w0) override {
    buf_.clear();
    for (const auto& w : w0) buf_.push_back(Mat<T>::Zero(w.rows(), w.cols()));
    this->init_fallback(w0);
  }

  void update_matrix(size_t i, Mat<T>& W, const Mat<T>& G) override {
    torch_ops::lerp_(buf_[i], G, T(1) - mu_);
    if (nesterov_)
      u_ = torch_ops::lerp<T>(G, buf_[i], mu_);
    else
      u_ = buf_[i];
    if constexpr (Exact)
      O_ = spectral::polar<T>(u_);
    else
      ns_->apply(u_, O_);
    const T scale = shape_scale<T>(adjust_, W.rows(), W.cols());
    if (wd_ != T(0)) W *= (T(1) - lr_ * wd_);
    W -= (lr_ * scale) * O_;
  }

 private:
  Options opts_;
  T lr_, wd_, mu_;
  bool nesterov_;
  std::string adjust_;
  std::unique_ptr<spectral::NewtonSchulz<T>> ns_;
  std::vector<Mat<T>> buf_;
  Mat<T> u_, O_;
};

template <class T>
class Muon final : public MuonTorch<T, false> {
 public:
  static constexpr const char* kName = "muon";
  static constexpr const char* kSummary = "Muon, torch.optim.Muon convention (EMA momentum, Nesterov, NS quintic x5)";
  static constexpr const char* kUpdate =
      "buf = lerp(buf, g, 1-mu); u = lerp(g, buf, mu) if nesterov else buf; W *= 1 - lr wd; "
      "W -= lr * sqrt(max(1, rows/cols)) * NS5(u)";
  static constexpr const char* kReference = "torch/optim/_muon.py (PyTorch 2.9+); Jordan et al. 2024";
  explicit Muon(const json& h) : MuonTorch<T, false>(h, kName) {}
};

template <class T>
class MuonExact final : public MuonTorch<T, true> {
 public:
  static constexpr const char* kName = "muon-exact";
  static constexpr const char* kSummary = "idealized Muon: the torch convention with the exact polar factor U V^T (SVD)";
  static constexpr const char* kUpdate =
      "buf = lerp(buf, g, 1-mu); u = lerp(g, buf, mu) if nesterov else buf; W *= 1 - lr wd; "
      "W -= lr * sqrt(max(1, rows/cols)) * polar(u)";
  static constexpr const char* kReference = "THEORY.md section 2f (LMO over the spectral-norm ball)";
  explicit MuonExact(const json& h) : MuonTorch<T, true>(h, kName) {}
};

MB_REGISTER_SOLVER(Muon);
MB_REGISTER_SOLVER(MuonExact);

}  // namespace mb
