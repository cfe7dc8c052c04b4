// sgd: stochastic gradient descent with momentum, dampening, Nesterov and L2 weight decay,
// exactly as torch.optim.SGD (PyTorch 2.x, single-tensor path):
//   d = g + wd W;  buf = d (first step) or mu buf + (1 - dampening) d;
//   d = d + mu buf (nesterov) or buf;  W <- W - lr d
#include "harness/solver.hpp"

namespace mb {

template <class T>
class Sgd final : public BlockSolver<T> {
 public:
  static constexpr const char* kName = "sgd";
  static constexpr const char* kSummary = "SGD with momentum / Nesterov / weight decay (torch.optim.SGD semantics)";
  static constexpr const char* kUpdate =
      "d = g + wd*W; buf = d if t == 1 else mu*buf + (1-dampening)*d; d = d + mu*buf if nesterov else buf; "
      "W -= lr*d";
  static constexpr const char* kReference = "torch/optim/sgd.py (PyTorch 2.x)";

  explicit Sgd(const json& hyper) : opts_(hyper, std::string("solver '") + kName + "'") {
    lr_ = opts_.real<T>("lr", "0.001", Range::positive(), "learning rate");
    momentum_ = opts_.real<T>("momentum", "0", Range::unit_halfopen(), "momentum factor mu");
    dampening_ = opts_.real<T>("dampening", "0", Range::unit_closed(), "dampening of the momentum update");
    wd_ = opts_.real<T>("weight_decay", "0", Range::nonnegative(), "L2 penalty added to the gradient");
    nesterov_ = opts_.boolean("nesterov", false, "Nesterov momentum (needs momentum > 0, dampening = 0)");
    opts_.finish();
    if (nesterov_ && (momentum_ == T(0) || dampening_ != T(0)))
      opts_.fail("nesterov", "requires momentum > 0 and dampening = 0 (as in torch.optim.SGD)");
  }

  json config() const override { return opts_.used(); }

  void update_block(size_t i, Mat<T>& W, const Mat<T>& G) override {
    d_ = G;
    if (wd_ != T(0)) d_ += wd_ * W;
    if (momentum_ != T(0)) {
      if (!started_[i]) {
        buf_[i] = d_;
        started_[i] = true;
      } else {
        buf_[i] = momentum_ * buf_[i] + (T(1) - dampening_) * d_;
      }
      if (nesterov_)
        d_ += momentum_ * buf_[i];
      else
        d_ = buf_[i];
    }
    W -= lr_ * d_;
  }

 protected:
  void init_state(const Params<T>& w0) override {
    buf_.assign(w0.size(), Mat<T>());
    started_.assign(w0.size(), false);
  }

 private:
  Options opts_;
  T lr_, momentum_, dampening_, wd_;
  bool nesterov_;
  std::vector<Mat<T>> buf_;
  std::vector<bool> started_;
  Mat<T> d_;
};

MB_REGISTER_SOLVER(Sgd);

}  // namespace mb
