// The step loop of one cell, in the cell's precision (compiled once per scalar type).
//
// At every step k the runner evaluates f(W_k) and the exact gradient (for metrics), adds noise
// if the problem is stochastic, and hands that gradient to the solver. Curves are sampled
// geometrically; steps-to-target are exact (every step is checked).
#include <chrono>
#include <cmath>

#include "harness/metrics.hpp"
#include "harness/problem.hpp"
#include "harness/runner.hpp"
#include "harness/solver.hpp"

namespace mb {
namespace {

template <class T>
class ProblemOracle final : public Oracle<T> {
 public:
  explicit ProblemOracle(const Problem<T>& p) : p_(p) {}
  T value_and_gradient(const Params<T>& w, Params<T>& g) override {
    ++evaluations;
    return p_.value_and_gradient(w, g);
  }
  T value(const Params<T>& w) override { return p_.value(w); }
  long evaluations = 0;

 private:
  const Problem<T>& p_;
};

template <class T>
double ln_of(const T& x) {
  using std::log;
  if (!(x > T(0))) return std::nan("");
  return static_cast<double>(T(log(x)));
}

template <class T>
CellResult run_cell_impl(const CellSpec& cell, const std::atomic<bool>* cancel) {
  using clock = std::chrono::steady_clock;
  const auto t0 = clock::now();
  auto seconds = [&] { return std::chrono::duration<double>(clock::now() - t0).count(); };

  auto problem = make_problem<T>(cell.problem, cell.problem_params, "problem");
  auto solver = make_solver<T>(cell.solver, cell.hyper, "solver");
  const auto& specs = problem->blocks();
  const Known<T> known = problem->known();
  Params<T> w = problem->initial_point(cell.seed);
  Params<T> g = zeros_like<T>(specs), gnoisy;
  solver->init(specs, w);
  ProblemOracle<T> oracle(*problem);
  Rng noise({cell.seed, 0x6e6f697365ULL});  // "noise"

  std::vector<T> targets;
  for (const auto& t : cell.targets) targets.push_back(parse_decimal<T>(t, "targets"));
  const size_t n_targets = targets.size();
  std::vector<long> steps_to(n_targets, -1);
  std::vector<double> seconds_to(n_targets, -1);

  json curve_step = json::array(), curve_value = json::array(), curve_gap = json::array(),
       curve_gnorm = json::array(), curve_seconds = json::array();
  std::vector<double> ln_gap;
  std::string status = "max_steps", reason;
  T f0(0), gap0(0), f(0), gnorm(0);
  long next_sample = 0, k = 0;
  using std::sqrt;
  using std::abs;

  for (k = 0;; ++k) {
    if (cancel && cancel->load()) throw Cancelled();
    f = problem->value_and_gradient(w, g);
    ++oracle.evaluations;
    gnorm = sqrt(squared_norm(g));
    const bool finite = is_finite(f) && is_finite(gnorm);
    const T gap = known.f_star ? T(f - *known.f_star) : f;
    if (k == 0) {
      f0 = f;
      gap0 = gap;
    }
    if (finite) ln_gap.push_back(ln_of(gap));
    const bool last_possible = k >= cell.max_steps;
    bool stop = !finite || last_possible;
    if (finite && known.f_star) {
      for (size_t t = 0; t < n_targets; ++t)
        if (steps_to[t] < 0 && gap <= targets[t] * gap0) steps_to[t] = k, seconds_to[t] = seconds();
      if (cell.stop_at_target && n_targets && steps_to[n_targets - 1] >= 0) {
        bool all = true;
        for (long s : steps_to) all = all && s >= 0;
        if (all) stop = true, status = "target_reached";
      }
    }
    if (finite && known.f_star && gap0 > T(0) && gap > T(100000000) * gap0) {
      stop = true;
      status = "diverged";
      reason = "blow-up: gap exceeded 1e8 times the initial gap at step " + std::to_string(k);
    }
    if (!finite) {
      status = "diverged";
      reason = std::string(is_finite(f) ? "non-finite gradient" : "non-finite objective") + " at step " +
               std::to_string(k);
    }
    if (k == next_sample || stop) {
      curve_step.push_back(k);
      curve_value.push_back(number_to_json(f));
      curve_gap.push_back(known.f_star ? number_to_json(gap) : json(nullptr));
      curve_gnorm.push_back(number_to_json(gnorm));
      curve_seconds.push_back(seconds());
      if (k == next_sample) next_sample = next_sample_step(k);
    }
    if (stop) break;
    if (seconds() > cell.max_seconds) {
      status = "timeout";
      reason = "time budget of " + std::to_string(cell.max_seconds) + " s exhausted at step " + std::to_string(k);
      break;
    }
    const Params<T>* gstep = &g;
    if (problem->noise_sigma() != T(0)) {
      gnoisy = g;
      problem->add_gradient_noise(gnoisy, noise);
      gstep = &gnoisy;
    }
    try {
      solver->step(w, *gstep, oracle);
    } catch (const NumericalError& e) {
      status = "diverged";
      reason = std::string(e.what()) + " at step " + std::to_string(k);
      break;
    }
  }

  json to_target = json::object(), sec_to_target = json::object();
  for (size_t t = 0; t < n_targets; ++t) {
    to_target[cell.targets[t]] = steps_to[t] >= 0 ? json(steps_to[t]) : json(nullptr);
    sec_to_target[cell.targets[t]] = steps_to[t] >= 0 ? json(seconds_to[t]) : json(nullptr);
  }
  const double ln_floor = std::log(100.0 * unit_roundoff<T>() *
                                   std::max(1e-300, std::abs(static_cast<double>(known.f_star ? *known.f_star : f0))));
  const auto rate = known.f_star ? fit_rate(ln_gap, ln_floor) : std::nullopt;

  CellResult out;
  json& r = out.record;
  r["id"] = cell.id();
  r["cell"] = cell.to_json();
  r["problem_params"] = problem->parameters();
  r["hyper"] = solver->config();
  r["status"] = status;
  r["reason"] = reason;
  r["steps"] = k;
  r["gradient_evaluations"] = oracle.evaluations;
  r["f0"] = number_to_json(f0);
  r["f_star"] = known.f_star ? number_to_json(*known.f_star) : json(nullptr);
  r["f_star_source"] = known.f_star_source;
  r["gap0"] = known.f_star ? number_to_json(gap0) : json(nullptr);
  r["final"] = {{"value", number_to_json(f)},
                {"gap", known.f_star ? number_to_json(T(f - *known.f_star)) : json(nullptr)},
                {"grad_norm", number_to_json(gnorm)}};
  r["curve"] = {{"step", curve_step}, {"value", curve_value}, {"gap", curve_gap}, {"grad_norm", curve_gnorm}};
  r["steps_to_target"] = to_target;
  r["rate"] = rate_to_json(rate);
  if (auto d = solver->diagnostics(); !d.is_null()) r["diagnostics"] = d;
  out.timing = {{"seconds", seconds()}, {"curve_seconds", curve_seconds}, {"seconds_to_target", sec_to_target}};
  return out;
}

}  // namespace

static StaticRegistration mb_cell_runner_registration([] {
  Registry<CellRunner>::instance().add(scalar_name<MB_SCALAR>(), &run_cell_impl<MB_SCALAR>);
});

}  // namespace mb
