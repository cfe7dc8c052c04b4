// The Problem interface: a deterministic, parametric objective f over named parameter blocks,
// with exact gradients and what is known about it (ensmallen habit: problems carry their own
// answers). One family per file in problems/, registered with MB_REGISTER_PROBLEM.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "harness/core/error.hpp"
#include "harness/core/json_num.hpp"
#include "harness/core/options.hpp"
#include "harness/core/params.hpp"
#include "harness/core/registry.hpp"
#include "harness/core/rng.hpp"

namespace mb {

// Constants the theory needs (docs/theory.md section 2d), each true on this instance:
//   PL:        ||grad f(W)||^2 >= 2 mu (f(W) - f*)      (mu_scope: "global" or "local")
//   L-smooth:  ||grad f(W)||^2 <= 2 L (f(W) - f*) and grad f is L-Lipschitz (Frobenius)
//   mu_scope/L_scope "local": the inequality holds near the minimizer (the constant is an
//   eigenvalue of the Hessian J^T J there); "global": everywhere.
template <class T>
struct Known {
  std::optional<T> f_star;
  std::string f_star_source;  // "closed form", "Newton's method in the working precision", ...
  std::optional<T> mu;
  std::string mu_scope = "global";
  std::string mu_source;      // how mu was obtained ("closed form", "eigenvalues of J^T J at W*", ...)
  std::optional<T> L;
  std::string L_scope = "global";
  std::string L_source;
  std::vector<std::string> assumptions;  // "PL", "L-smooth", "convex", "quadratic", ...
};

// Problems whose blocks are stacks of particles (docs/theory.md section 2e): slice i of every block
// in `blocks` is particle i. The N particles are the first N of a reference population of
// `population` i.i.d. draws: the problem built from `reference_params` (the same instance with
// N = population) has an initial point whose first N particles are exactly this one's, for every
// seed (nested-sample coupling for propagation-of-chaos checks).
struct ParticleLayout {
  long count = 0;
  long population = 0;
  std::vector<std::string> blocks;
  json reference_params = json::object();
};

// Where a problem's attention heads live, for QK-clip (MuonClip, problems/qk_clip.cpp): per
// attention layer, the blocks holding W_q and W_k (each heads*d_head rows x d_model columns in
// torch's y = W x layout, head h = rows [h d_head, (h+1) d_head)) and the number of heads.
struct AttentionLayer {
  size_t wq = 0, wk = 0;
  long heads = 1;
};

template <class T>
class Problem {
 public:
  virtual ~Problem() = default;
  virtual const std::vector<BlockSpec>& blocks() const = 0;
  // seed 0 is the canonical starting point; other seeds give other draws.
  virtual Params<T> initial_point(std::uint64_t seed) const = 0;
  virtual T value(const Params<T>& w) const = 0;
  // Returns f(w) and writes grad f(w) into g (resized as needed).
  virtual T value_and_gradient(const Params<T>& w, Params<T>& g) const = 0;
  virtual Known<T> known() const = 0;
  // A minimizer, where one is known exactly (to the working precision).
  virtual std::optional<Params<T>> minimizer() const { return std::nullopt; }
  // Eigenvalues of the Hessian at the minimizer, where known (sharp-rate claims, docs/theory.md 2d).
  virtual std::optional<std::vector<T>> hessian_eigenvalues() const { return std::nullopt; }
  // Particle structure (mean-field problems), or nullopt.
  virtual std::optional<ParticleLayout> particles() const { return std::nullopt; }
  // Attention layers (QK-clip), empty for problems without attention.
  virtual std::vector<AttentionLayer> attention_layers() const { return {}; }
  // Per attention layer and head: the largest attention logit (the pre-softmax score, scaled as
  // the problem scales it) over the problem's batch and all query/key positions, at w.
  virtual std::vector<std::vector<T>> max_attention_logits(const Params<T>&) const { return {}; }

  // Minibatch training (char-lm): the objective f = value() is deterministic (the loss on a fixed
  // sample the problem names), while the gradient a solver steps with at step k is the gradient of
  // the loss on minibatch k, drawn by the problem from (seed, k) alone, so that a cell is still
  // reproducible. The runner then reports f(W_k) from value() and the minibatch gradient's norm.
  virtual bool minibatched() const { return false; }
  // The loss on minibatch (seed, step) at w; writes its gradient into g.
  virtual T minibatch_value_and_gradient(const Params<T>& w, Params<T>& g, std::uint64_t seed, long step) const {
    (void)w, (void)g, (void)seed, (void)step;
    throw Error("this problem has no minibatches");
  }
  // Metrics beyond the objective, computed at the cell's final point and recorded in the report
  // (held-out bits per character, test accuracy): a JSON object of named numbers, or null.
  virtual json evaluate(const Params<T>& w) const {
    (void)w;
    return nullptr;
  }

  // Stochastic gradients (docs/theory.md section 3 item 12): g = grad f + sigma * Xi / sqrt(d), Xi
  // i.i.d. N(0,1) over all d entries, so E||g - grad f||^2 = sigma^2. sigma = 0: deterministic.
  const T& noise_sigma() const { return sigma_; }
  void add_gradient_noise(Params<T>& g, Rng& rng) const;

  // The parameters actually used, defaults included (echoed in reports).
  const json& parameters() const { return parameters_; }
  // Every parameter: [{key, default, doc}] (Options::documentation(); `problems --describe`).
  const json& parameter_docs() const { return parameter_docs_; }

 protected:
  // Call after Options::finish(): records the parameters used and their documentation.
  void record_options(const Options& o) {
    parameters_ = o.used();
    parameter_docs_ = o.documentation();
  }
  T sigma_ = T(0);
  json parameters_ = json::object();
  json parameter_docs_ = json::array();
};

template <class T>
void Problem<T>::add_gradient_noise(Params<T>& g, Rng& rng) const {
  if (sigma_ == T(0)) return;
  using std::sqrt;
  const T scale = sigma_ / sqrt(T(total_size(blocks())));
  for (auto& b : g)
    for (Eigen::Index j = 0; j < b.cols(); ++j)
      for (Eigen::Index i = 0; i < b.rows(); ++i) b(i, j) += scale * T(rng.normal());
}

struct ProblemInfo {
  std::string name;
  std::string summary;
  std::string formula;    // the objective and its gradient, in words and symbols
  std::string reference;  // docs/theory.md section or paper
  // A small instance (parameters as JSON text) on which the tests run the mp50 gradient check
  // and the constants check; "{}" means the defaults. From the class's optional kTestParams.
  std::string test_params = "{}";
};

template <class C>
constexpr const char* problem_test_params() {
  if constexpr (requires { C::kTestParams; })
    return C::kTestParams;
  else
    return "{}";
}

template <class T>
using ProblemFactory = std::function<std::unique_ptr<Problem<T>>(const json& params)>;

// Throws Error listing known problems for an unknown name, or naming the bad parameter.
template <class T>
std::unique_ptr<Problem<T>> make_problem(const std::string& name, const json& params,
                                         const std::string& field = "") {
  const auto& factory = Registry<ProblemFactory<T>>::instance().get(name, "problem", field);
  return factory(params);
}

inline std::vector<std::string> problem_names() { return Registry<ProblemInfo>::instance().names(); }

}  // namespace mb

// Registers the class template `Class` (instantiated for MB_SCALAR) under Class::kName.
// The class provides static kName, kSummary, kFormula, kReference and a constructor from json,
// and optionally kTestParams (a small instance for the tests, JSON text).
#define MB_REGISTER_PROBLEM(Class)                                                                     \
  static MB_STATIC_REGISTRATION MB_UNIQUE(mb_problem_registration_)([] {                             \
    using C = Class<MB_SCALAR>;                                                                         \
    ::mb::Registry<::mb::ProblemInfo>::instance().add(                                                 \
        C::kName,                                                                                       \
        ::mb::ProblemInfo{C::kName, C::kSummary, C::kFormula, C::kReference,                            \
                          ::mb::problem_test_params<C>()},                                              \
        true);                                                                                          \
    ::mb::Registry<::mb::ProblemFactory<MB_SCALAR>>::instance().add(                                   \
        C::kName, [](const ::mb::json& p) { return std::unique_ptr<::mb::Problem<MB_SCALAR>>(new C(p)); }); \
  })
