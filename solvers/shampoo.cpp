// shampoo: Distributed Shampoo's update (facebookresearch/optimizers, distributed_shampoo/
// distributed_shampoo.py, class DistributedShampoo; the AlgoPerf 2024 external-tuning winner) on
// each matrix, per expert, with DS's option names and defaults. Per block B of the matrix
// (blocks of at most max_preconditioner_dim rows and columns, DS's multi_dim_split), at step t:
//   G <- G + wd W                                        (weight_decay_type l2 only)
//   L <- b2 L + w G G^T;  R <- b2 R + w G^T G            (w = 1 if b2 = 1 else 1 - b2)
//   V <- gb2 V + gw G^2                                  (grafting: adam gw = 1-gb2, rmsprop, adagrad)
//   every precondition_frequency steps after start_preconditioning_step (and at it):
//     PL = (L/bc2 + eps I)^{-e}, PR = (R/bc2 + eps I)^{-e}   e = inverse_exponent_override (1/4),
//     bc2 = 1 - b2^t (use_bias_correction, b2 < 1), eigenvalues below eps lifted to eps (DS's
//     PerturbationConfig: lam <- lam - lam_min + eps), PL = PR = I before the first computation
//   Gbar = lerp(M, G, 1-b3) [b3 != b1] or M after M <- lerp(M, G, 1-b1); Gbar /= 1 - b3 b1^(t-1)
//   P = Gbar / (sqrt(V/gbc2) + geps)                     if t < start_preconditioning_step (grafting)
//   P = PL Gbar PR, then P *= |graft(Gbar)|_F / (|P|_F + 1e-16) with grafting
//   P <- P + wd W                                        (decoupled, DS's default)
//   Mo <- mu Mo + (1 - damp) P; P <- (1-damp) P + mu Mo (use_nesterov) or Mo   (momentum > 0)
//   W <- W - lr s P                                      (s = adjust_lr, none by default)
// Inverse roots through linalg::sym_eig only (DS's default EigenConfig: torch.linalg.eigh).
#include "harness/core/linalg.hpp"
#include "solvers/matrix_solver.hpp"
#include "solvers/torch_ops.hpp"

namespace mb {

enum class Grafting { none, adagrad, rmsprop, adam };
MB_ENUM_NAMES(Grafting, "none", "adagrad", "rmsprop", "adam");
enum class WeightDecayType { decoupled, l2 };
MB_ENUM_NAMES(WeightDecayType, "decoupled", "l2");

template <class T>
class Shampoo final : public MatrixSolver<T> {
 public:
  static constexpr const char* kName = "shampoo";
  static constexpr const char* kSummary =
      "Distributed Shampoo (AlgoPerf winner): L^{-1/4} Gbar R^{-1/4} with grafting, momentum, blocks";
  static constexpr const char* kUpdate =
      "L = b2 L + w G G^T; R = b2 R + w G^T G; every f steps PL = (L/bc2 + eps I)^{-1/4}, PR likewise; "
      "Gbar = bias-corrected EMA(G); P = PL Gbar PR * |graft(Gbar)|/|PL Gbar PR|; P += wd W; "
      "momentum/Nesterov on P; W -= lr P";
  static constexpr const char* kReference =
      "facebookresearch/optimizers distributed_shampoo/distributed_shampoo.py (DistributedShampoo); "
      "Gupta, Koren & Singer 2018; Shi et al. 2023 (arXiv:2309.06497)";

  explicit Shampoo(const json& h) : opts_(h, solver_context(kName)) {
    lr_ = opts_.real<T>("lr", "0.01", Range::nonnegative(), "learning rate (DS default 1e-2)");
    auto betas = opts_.reals<T>("betas", {"0.9", "1"}, Range::unit_closed(),
                                "(beta1, beta2): gradient EMA and factor EMA (beta2 = 1: AdaGrad sums)");
    if (betas.size() != 2) opts_.fail("betas", "must have exactly two entries");
    if (!(betas[0] < T(1))) opts_.fail("betas", "beta1 must be in [0, 1)");
    b1_ = betas[0];
    b2_ = betas[1];
    b3_ = opts_.real<T>("beta3", "-1", Range::closed("-1", "1"),
                        "EMA weight of the filtered gradient used in the step (-1: beta1)");
    if (b3_ == T(-1))
      b3_ = b1_;
    else if (b3_ < T(0) || !(b3_ < T(1)))
      opts_.fail("beta3", "must be -1 (= beta1) or in [0, 1)");
    eps_ = opts_.real<T>("epsilon", "1e-12", Range::positive(), "added to the factors before the inverse root");
    exponent_ = opts_.real<T>("inverse_exponent_override", "0.25", Range::nonnegative(),
                              "e of the two-sided preconditioner L^{-e} G R^{-e} (DS: 1/(2 order) = 1/4; 0 = not preconditioned)");
    freq_ = opts_.integer("precondition_frequency", 1, 1, 1000000000, "steps between inverse-root computations");
    start_ = opts_.integer("start_preconditioning_step", -1, -1, 1000000000,
                           "first step preconditioned by Shampoo (-1: precondition_frequency)");
    if (start_ == -1) start_ = freq_;
    if (start_ < freq_) opts_.fail("start_preconditioning_step", "must be >= precondition_frequency (or -1)");
    bias_correction_ = opts_.boolean("use_bias_correction", true, "bias-correct the gradient EMA and the factors");
    max_dim_ = opts_.integer("max_preconditioner_dim", 1024, 1, 1000000000,
                             "blocks of at most this many rows and columns, each its own preconditioner");
    grafting_ = choose(opts_, "grafting", Grafting::none,
                       "grafting_config: none, adagrad, rmsprop or adam (the step takes that method's norm)");
    const char* gb2_def = grafting_ == Grafting::rmsprop ? "0.99" : "0.999";
    gb2_ = opts_.real<T>("grafting_beta2", gb2_def, Range::open_unit(),
                         "beta2 of rmsprop/adam grafting (DS: RMSprop 0.99, Adam 0.999)");
    if (grafting_ == Grafting::adagrad) gb2_ = T(1);
    geps_ = opts_.real<T>("grafting_epsilon", "1e-10", Range::positive(), "epsilon of the grafting method");
    mu_ = opts_.real<T>("momentum", "0", Range::unit_halfopen(), "ClassicMomentumConfig.momentum (0: off)");
    damp_ = opts_.real<T>("dampening", "0", Range::unit_halfopen(), "ClassicMomentumConfig.dampening");
    nesterov_ = opts_.boolean("use_nesterov", false, "ClassicMomentumConfig.use_nesterov");
    wd_type_ = choose(opts_, "weight_decay_type", WeightDecayType::decoupled,
                      "decoupled (P += wd W after preconditioning) or l2 (G += wd W before)");
    common_ = this->read_common(opts_, ShapeScaleKind::none);
    opts_.finish();
    tiny_ = parse_decimal<T>("1e-16", "shampoo grafting guard");
    this->per_expert_ = true;
  }

  json config() const override { return this->config_with_fallback(opts_); }

 protected:
  struct Block {
    long r0, c0, m, n;
    Mat<T> L, R, PL, PR, V, M, Mo;
  };

  void init_state(const Params<T>& w0) override {
    blocks_.clear();
    first_.clear();
    for (const MatrixUnit& u : this->units()) {
      first_.push_back(blocks_.size());
      for (long r0 = 0; r0 < u.rows; r0 += max_dim_)
        for (long c0 = 0; c0 < u.cols; c0 += max_dim_) {
          const long m = std::min<long>(max_dim_, u.rows - r0), n = std::min<long>(max_dim_, u.cols - c0);
          Block b{r0, c0, m, n, Mat<T>::Zero(m, m), Mat<T>::Zero(n, n), Mat<T>::Identity(m, m),
                  Mat<T>::Identity(n, n), Mat<T>::Zero(m, n), Mat<T>::Zero(m, n), Mat<T>::Zero(m, n)};
          blocks_.push_back(std::move(b));
        }
    }
    first_.push_back(blocks_.size());
    this->init_fallback(w0);
  }

  void update_matrix(size_t i, Mat<T>& W, const Mat<T>& G) override {
    for (size_t k = first_[i]; k < first_[i + 1]; ++k) {
      Block& b = blocks_[k];
      w_ = W.block(b.r0, b.c0, b.m, b.n);
      g_ = G.block(b.r0, b.c0, b.m, b.n);
      step_block(b);
      W.block(b.r0, b.c0, b.m, b.n) -= common_.step(lr_, W) * p_;
    }
  }

 private:
  // (A/bc2 + eps I)^{-e} by eigendecomposition (DS matrix_inverse_root with EigenConfig and the
  // default PerturbationConfig(perturb_before_computation=True)).
  void inverse_root(const Mat<T>& A, const T& bc2, Mat<T>& out) {
    using std::pow;
    a_ = A / bc2;
    a_.diagonal().array() += eps_;
    const linalg::SymEig<T> e = linalg::sym_eig<T>(a_);
    Vec<T> lam = e.values;
    const T lam_min = lam.minCoeff();
    if (lam_min < eps_) {  // DS: two perturbations, by -lam_min and then by eps
      lam.array() -= lam_min;
      lam.array() += eps_;
    }
    for (long j = 0; j < lam.size(); ++j) lam(j) = pow(lam(j), -exponent_);
    out = e.vectors * lam.asDiagonal() * e.vectors.transpose();
  }

  void graft(Block& b, Mat<T>& out) const {  // Gbar / (sqrt(V / gbc2) + geps)
    using std::pow;
    using std::sqrt;
    const T gbc2 = grafting_ == Grafting::adam ? T(1) - T(pow(gb2_, T(this->t_))) : T(1);
    out = (gbar_.array() / ((b.V.array() / gbc2).sqrt() + geps_)).matrix();
  }

  void step_block(Block& b) {
    using std::pow;
    using std::sqrt;
    const long t = this->t_;
    if (wd_type_ == WeightDecayType::l2 && common_.weight_decay != T(0)) g_ += common_.weight_decay * w_;
    // Factors (DS _update_factor_matrices) and grafting state (AdagradPreconditionerList).
    const T wf = b2_ == T(1) ? T(1) : T(1) - b2_;
    if (b2_ != T(1)) b.L *= b2_, b.R *= b2_;
    b.L += wf * (g_ * g_.transpose());
    b.R += wf * (g_.transpose() * g_);
    if (grafting_ != Grafting::none) {
      const T gw = grafting_ == Grafting::adagrad ? T(1) : T(1) - gb2_;
      if (gb2_ != T(1)) b.V *= gb2_;
      b.V += gw * g_.cwiseProduct(g_);
    }
    if ((t % freq_ == 0 && t > start_) || t == start_) {
      const T bc2 = bias_correction_ && b2_ < T(1) ? T(1) - T(pow(b2_, T(t))) : T(1);
      if (exponent_ != T(0)) {
        inverse_root(b.L, bc2, b.PL);
        inverse_root(b.R, bc2, b.PR);
      }
    }
    // Filtered gradient (DS _compute_filtered_grad_list).
    if (b1_ != T(0)) {
      if (b3_ != b1_) torch_ops::lerp_into(gbar_, b.M, g_, T(1) - b3_);
      torch_ops::lerp_(b.M, g_, T(1) - b1_);
      if (b3_ == b1_) gbar_ = b.M;
      if (bias_correction_) gbar_ /= (T(1) - b3_ * T(pow(b1_, T(t - 1))));
    } else {
      gbar_ = g_;
    }
    // Preconditioning and grafting (DS _precondition_and_grafting).
    if (t < start_ && grafting_ != Grafting::none) {
      graft(b, p_);
    } else {
      p_ = b.PL * gbar_ * b.PR;
      if (grafting_ != Grafting::none) {
        graft(b, q_);
        p_ *= q_.norm() / (p_.norm() + tiny_);  // DS adds 1e-16 to the Shampoo norm
      }
    }
    if (wd_type_ == WeightDecayType::decoupled && common_.weight_decay != T(0)) p_ += common_.weight_decay * w_;
    if (mu_ != T(0)) {  // ClassicMomentumConfig
      b.Mo = mu_ * b.Mo + (T(1) - damp_) * p_;
      if (nesterov_)
        p_ = (T(1) - damp_) * p_ + mu_ * b.Mo;
      else
        p_ = b.Mo;
    }
  }

  Options opts_;
  T lr_, b1_, b2_, b3_, eps_, exponent_, gb2_, geps_, mu_, damp_, tiny_;
  long freq_, start_, max_dim_;
  bool bias_correction_ = true, nesterov_ = false;
  Grafting grafting_ = Grafting::none;
  WeightDecayType wd_type_ = WeightDecayType::decoupled;
  MatrixCommon<T> common_;
  std::vector<Block> blocks_;
  std::vector<size_t> first_;
  Mat<T> w_, g_, gbar_, p_, q_, a_;
};

MB_REGISTER_SOLVER(Shampoo);

}  // namespace mb
