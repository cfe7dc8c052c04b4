// Newton-Schulz: odd-polynomial iterations towards polar(G) (docs/spectral.md, docs/theory.md 2g).
//
//   X0 = G / s (pre-normalisation), then per step with coefficients (a, b, c):
//        A = X X^T,  B = b A + c A^2,  X <- a X + B X        (q(x) = a x + b x^3 + c x^5)
//   on the wide orientation: a tall G (rows > cols) is transposed first and the result transposed
//   back, so the Gram matrix A is the smaller one (every peer does this; NS(G^T) = NS(G)^T).
//
// Schedules (schedule_coefficients(); the list runs in order, its last entry repeating when
// `steps` exceeds its length, and is cut when `steps` is shorter, as Polar Express's code does;
// optax instead requires len <= steps and then runs exactly len steps):
//   jordan         (3.4445, -4.7750, 2.0315) repeated        KellerJordan/Muon, torch, optax 'standard'
//   you            optax's 'dion' preset (5 entries, output band about [0.978, 1.032])
//   polar-express  modded-nanogpt's 5-step list; X divided by 1.02 x the norm (safety factor)
//   classic        (15/8, -10/8, 3/8) repeated: the convergent degree-5 Pade polynomial
//   cubic          (3/2, -1/2, 0) repeated: X <- X (3I - X^T X)/2
//   polar-express-unmodified / -1.01 / -1.05, cans, aol, aol-nemo, deepseek-v4, cubic5: the lists
//                  of ns_schedules.cpp, each with its source (docs/spectral.md's table)
//   custom         a user list of (a, b, c) decimal strings
// Pre-normalisations (optax/contrib/_muon.py `preconditioning`, torch/optim/_muon.py):
//   frobenius           X / max(f ||X||_F, eps)        torch.optim.Muon's clamp form (default)
//   frobenius-additive  X / (f ||X||_F + eps)           KellerJordan/Muon, optax 'frobenius', dion
//   spectral            X / (f ||X||_op + eps)          optax 'spectral' (||X||_op from an SVD)
//   schatten            X / (f sqrt(max(||X X^T||_F, eps)))  optax 'schatten': ||X||_S4 = ||XX^T||_F^(1/2)
//   aol                 X <- D X, D = diag(1/sqrt(max(sum_j |A_ij|, eps))), A = X X^T  optax 'aol'
//                       (AOL, Prach & Lampert 2022; not a scalar: no exact-arithmetic prediction)
//   none                X0 = G
// f is the safety factor (1, or 1.02 for polar-express). schatten and aol reuse the Gram matrix
// of the normalisation in the first step (X and A are rescaled together), as optax does.
//
// Variant "gram" (Dao-AILab/gram-newton-schulz gram_newton_schulz.py, GramNewtonSchulz): the same
// polynomial composition computed on R = X X^T: Z = b R + c R^2, Q <- a Q + Q Z, R <- a RZ + Z RZ
// with RZ = a R + R Z; X <- Q X at each restart and at the end. fp16 = true emulates its float16.
//
// bfloat16 emulation (bf16 = true), as torch.optim.Muon runs it (see bf16.hpp for exactly what is
// rounded): input cast to bf16, matmuls accumulated in float32 from exact bf16 products, results
// rounded to bf16 after each torch operation (form "addmm": torch's fused addmm steps, which
// reproduce PyTorch 2.11 bit for bit; "unfused": KellerJordan/Muon's written-out step).
//
// Performance: per step A = X X^T and A^2 are symmetric (half a GEMM of flops each, products.hpp)
// and B X is one GEMM, so 5 steps cost 10 n x n x n GEMMs of flops instead of 15 (measured: 11.15
// GEMMs at n = 1024 against 14.7 for the textbook step). The iterate and the three work matrices
// are members reused across calls, GEMM packing buffers persist: a call allocates nothing once warm.
#pragma once

#include <array>
#include <string>
#include <vector>

#include "solvers/spectral/common.hpp"

namespace mb::spectral {

struct NewtonSchulzConfig {
  std::string schedule = "jordan";  // schedule_names()
  int steps = 5;
  std::vector<std::array<std::string, 3>> coefficients;  // schedule "custom": (a, b, c) decimal strings
  std::string normalization = "frobenius";               // normalization_names()
  std::string eps = "1e-7";                              // > 0
  std::string safety;                                    // "" = schedule default (1.02 polar-express, else 1)
  bool bf16 = false;
  std::string bf16_form = "addmm";  // "addmm" (torch.optim.Muon) or "unfused" (KellerJordan/Muon); bf16.hpp
  // "plain": the step above; "gram": Dao-AILab/gram-newton-schulz's iteration on R = X X^T with an
  // accumulated Q (gram_newton_schulz.cpp), restarted (X <- Q X, R <- X X^T) at the 0-based steps in
  // `restarts` (its gram_newton_schulz_reset_iterations, default [2]); equal to plain in exact
  // arithmetic. As there, a square input runs the plain step.
  std::string variant = "plain";
  std::vector<int> restarts{2};
  // float16 emulation of gram-newton-schulz's compute dtype (fp16.hpp): float32 normalisation,
  // every matmul / baddbmm a float32 result rounded once to fp16. Excludes bf16.
  bool fp16 = false;
};

const std::vector<std::string>& variant_names();  // plain, gram

// Coefficient safety f of a schedule (the Polar Express paper's Algorithm 1): step k runs
// p_k(x / f) = (a/f) x + (b/f^3) x^3 + (c/f^5) x^5 where applies[k]; "1" when none.
struct CoefficientSafety {
  std::string factor = "1";
  std::vector<bool> applies;  // one per step of schedule_coefficients(cfg)
};
CoefficientSafety schedule_coefficient_safety(const NewtonSchulzConfig& cfg);
// A schedule's own length where it has one (aol, aol-nemo: 4; deepseek-v4: 10), else 5: the
// default of `steps` wherever a schedule is chosen by name (CLI, muon's ns_steps).
int schedule_default_steps(const std::string& name);
// The pre-normalisation a schedule was designed for: "aol" for aol and aol-nemo, else `otherwise`.
std::string schedule_default_normalization(const std::string& name, const std::string& otherwise);
// Where a named schedule's coefficients were read (repository + file), for --describe-schedule.
std::string schedule_source(const std::string& name);

// The worst-case singular-value band of a schedule (muonbench spectral --describe-schedule): the
// whole schedule as a scalar map q (coefficient safety applied), and x the normalised singular
// value after the pre-normalisation's safety f (x = sigma / (f ||G||)), so over sigma/||G|| in
// [lo, hi] the band is min / max of q(x / f). Computed in mp50 on a dense log grid refined at
// every local extremum (ns_schedules.cpp). matmuls: matrix products of the plain step, 3 per
// quintic step (X X^T, A^2, B X) and 2 per cubic one (c = 0: X X^T, A X); gemms: their flops in
// n x n GEMMs on a square input with symmetric products at half a GEMM (2 per quintic, 1.5 per cubic).
struct ScheduleBand {
  std::string schedule;
  int steps = 0, matmuls = 0;
  double gemms = 0;
  double lo = 1e-3, hi = 1;
  double min = 0, max = 0, argmin = 0, argmax = 0;
};
ScheduleBand describe_schedule(const NewtonSchulzConfig& cfg, double lo = 1e-3, double hi = 1);

const std::vector<std::string>& schedule_names();
const std::vector<std::string>& normalization_names();
// The (a, b, c) list a configuration runs, one entry per step (decimal strings, exact in any T).
std::vector<std::array<std::string, 3>> schedule_coefficients(const NewtonSchulzConfig& cfg);
// The safety factor f the configuration divides by (decimal string).
std::string schedule_safety(const NewtonSchulzConfig& cfg);
// A validated name's enumerator (validate() has refused any other name).
Normalization normalization_of(const std::string& name);
Bf16Form bf16_form_of(const std::string& name);
// Throws mb::Error naming the field for anything invalid (unknown names, eps <= 0, ...).
void validate(const NewtonSchulzConfig& cfg);

template <class T>
class NewtonSchulz {
 public:
  explicit NewtonSchulz(const NewtonSchulzConfig& cfg);

  // out = NS(G) for any shape. Zero G gives zero.
  void apply(const Mat<T>& G, Mat<T>& out);
  Mat<T> operator()(const Mat<T>& G) {
    Mat<T> out;
    apply(G, out);
    return out;
  }

  // The divisor s of a scalar pre-normalisation: X0 = G / s. Throws for "aol".
  T normalization_scale(const Mat<T>& G) const;
  // q(x): the whole schedule applied to one number, in T's arithmetic.
  T scalar_map(const T& x) const;
  // The exact-arithmetic value of ||NS(G) - polar(G)||_op: max over sigma_i > rank threshold of
  // |q(sigma_i / s) - 1| (docs/theory.md 2g "Exact a-posteriori bound"). Costs an SVD.
  T predicted_polar_error(const Mat<T>& G) const;
  // Steps run, the prediction above, and the measured ||NS(G) - polar(G)||_op (SVDs).
  IterationReport report(const Mat<T>& G, const Mat<T>& out) const;
  // After an apply() whose result was not finite: the first step (1-based; 0: the normalisation)
  // whose iterate has a non-finite entry, found by running the iteration again with checks.
  int first_non_finite_step(const Mat<T>& G);

  const std::vector<std::array<T, 3>>& coefficients() const { return coeffs_; }
  const NewtonSchulzConfig& config() const { return cfg_; }

 private:
  void normalize(const T& eps);  // X_ <- X0 (and A_ for schatten / aol); sets gram_ready_
  // How eps scales when the input is scaled by 2^-e (extreme inputs, common.hpp): eps 2^(-e k), k
  // the degree of the quantity it is compared with (1 for norms of X, 2 for norms of X X^T); 0 for
  // 'none', which is not scale-invariant and is never rescaled.
  int eps_degree() const;
  // X_ <- G (wide orientation) times 2^-e, normalised with eps 2^(-e degree) (e = 0: as given).
  void start(const Mat<T>& G, int e, int degree);
  void step(const std::array<T, 3>& c);
  // The gram variant's iteration on X_ (wide, normalised; gram_newton_schulz.cpp).
  void gram_iterate();

  NewtonSchulzConfig cfg_;
  Normalization norm_;  // cfg_.normalization, resolved once
  Bf16Form form_;       // cfg_.bf16_form, resolved once
  bool gram_variant_ = false;  // cfg_.variant == "gram", resolved once
  std::vector<std::array<T, 3>> coeffs_;
  T eps_, safety_;
  // bf16 emulation: coefficients, eps and safety as PyTorch passes Python floats to a bf16 kernel
  // (binary64, then float32), read once; Xf_ is the float working copy.
  std::vector<std::array<float, 3>> coeffs_f_;
  float eps_f_ = 0, safety_f_ = 0;
  Mat<float> Xf_;
  Mat<T> X_, A_, B_, Y_;
  Mat<T> Q_, Z_, W_;         // gram variant: accumulated Q, Z = b R + c R^2, work (R lives in A_)
  bool gram_ready_ = false;  // A_ already holds X_ X_^T for the next step
};

}  // namespace mb::spectral
