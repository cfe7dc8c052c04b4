// plugin-signum: sign descent with momentum (signSGD with momentum, "Signum": Bernstein, Wang,
// Azizzadenesheli & Anandkumar 2018, arXiv:1802.04434, Algorithm 3), as a plugin solver.
//   m = beta m + (1 - beta) g;  W -= lr sign(m)
// Written exactly as a built-in solver (docs/adding-a-solver.md): a class template over the
// scalar, Options for its hyperparameters, one registration line.
#include <muonbench/plugin.hpp>

namespace mb {

template <class T>
class PluginSignum final : public BlockSolver<T> {
 public:
  static constexpr const char* kName = "plugin-signum";
  static constexpr const char* kSummary = "signSGD with momentum (Signum), from examples/plugin";
  static constexpr const char* kUpdate = "m = beta m + (1 - beta) g; W -= lr sign(m)";
  static constexpr const char* kReference = "Bernstein et al. 2018, arXiv:1802.04434, Algorithm 3";

  explicit PluginSignum(const json& hyper) : opts_(hyper, solver_context(kName)) {
    lr_ = opts_.real<T>("lr", "0.001", Range::positive(), "learning rate");
    beta_ = opts_.real<T>("momentum", "0.9", Range::unit_halfopen(), "momentum beta");
    opts_.finish();
  }
  json config() const override { return opts_.used(); }

  void update_block(size_t i, Mat<T>& W, const Mat<T>& G) override {
    m_[i] = beta_ * m_[i] + (T(1) - beta_) * G;
    // sign(0) = 0, as torch.sign.
    W -= lr_ * m_[i].unaryExpr([](const T& x) { return T((x > T(0)) - (x < T(0))); });
  }

 protected:
  void init_state(const Params<T>& w0) override {
    m_.clear();
    for (const auto& b : w0) m_.push_back(Mat<T>::Zero(b.rows(), b.cols()));
  }

 private:
  Options opts_;
  T lr_, beta_;
  std::vector<Mat<T>> m_;
};

MB_REGISTER_SOLVER(PluginSignum);

}  // namespace mb
