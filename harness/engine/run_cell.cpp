// The step loop of one cell, in the cell's precision (compiled once per scalar type: run_cell_in<T>
// of harness/engine/runner.hpp). Its parts (targets, divergence, curve) are in cell_loop.hpp.
//
// At every step k the runner evaluates f(W_k) and the exact gradient (for metrics), adds noise
// if the problem is stochastic, and hands that gradient to the solver. Curves are sampled
// geometrically; steps-to-target are exact (every step is checked).
//
// Budgets: max_steps steps; max_seconds of wall time for the whole cell (set-up included). The
// time budget holds: a step is not started when the time used plus the duration of the previous
// step would exceed it (status "timeout"). Seconds to target and curve times count from the first
// evaluation, set-up excluded (AlgoPerf times training, not workload construction).
// Minibatch problems (Problem::minibatched, char-lm): f(W_k) is the problem's deterministic value()
// and the solver steps with the gradient of minibatch k, drawn from (seed, k).
// Divergence (status "diverged", with its reason): a non-finite objective or gradient, a gap above
// 1e8 times the initial gap (f - f0 > 1e8 max(1, |f0|) when f* is unknown), or a NumericalError
// raised by the solver or the problem.
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <thread>

#include "harness/engine/cell_loop.hpp"
#include "harness/engine/runner.hpp"
#include "harness/engine/time_limit.hpp"
#include "harness/oracles.hpp"
#include "harness/problem.hpp"
#include "harness/solver.hpp"

namespace mb {

namespace {
// Test hook: MUONBENCH_TEST_SLOW="LABEL:MS" makes every step of the cells of solver label LABEL
// sleep MS milliseconds, so that tests/cli/compare.sh can show `muonbench compare` finding a
// slowed solver. Never set in real runs; reports record it (run.environment.test_slow).
double test_slowdown_ms(const std::string& label) {
  const char* v = std::getenv("MUONBENCH_TEST_SLOW");
  if (!v) return 0;
  const std::string s(v);
  const auto colon = s.rfind(':');
  if (colon == std::string::npos || s.substr(0, colon) != label) return 0;
  return std::atof(s.c_str() + colon + 1);
}
}  // namespace

template <class T>
CellResult run_cell_in(const CellSpec& cell, const std::atomic<bool>* cancel) {
  using clock = std::chrono::steady_clock;
  const auto t0 = clock::now();
  auto since = [](clock::time_point a) { return std::chrono::duration<double>(clock::now() - a).count(); };

  auto problem = make_problem<T>(cell.problem, cell.problem_params, "problem");
  // A learning-rate schedule without a horizon ends with the step budget.
  json hyper = with_lr_horizon(cell.hyper, cell.max_steps);
  // An external solver's process is told its cell, and the cell's time budget bounds its life.
  if (cell.solver == external_solver_name())
    hyper["cell"] = {{"problem", cell.problem}, {"seed", cell.seed}, {"max_steps", cell.max_steps},
                     {"max_seconds", cell.max_seconds}};
  auto solver = make_solver<T>(cell.solver, hyper, "solver");
  const auto& specs = problem->blocks();
  const Known<T> known = problem->known();
  Params<T> w = problem->initial_point(cell.seed);
  Params<T> g = zeros_like<T>(specs), gnoisy;
  solver->init(specs, w);
  ProblemOracle<T> oracle(*problem);
  const bool minibatched = problem->minibatched();
  const double slow_ms = test_slowdown_ms(cell.solver_label);
  Rng noise({cell.seed, 0x6e6f697365ULL});  // "noise"
  const double setup_seconds = since(t0);
  const auto t_start = clock::now();
  auto seconds = [&] { return since(t_start); };

  TargetTracker<T> targets(cell.targets, known.f_star);
  CurveSampler<T> sampler;
  std::vector<double> ln_gap;
  CellStatus status = CellStatus::max_steps;
  std::string reason;
  T f0(0), gap0(0), f(0), gnorm(0);
  long k = 0;
  double last_step_seconds = 0, previous_top = 0;
  using std::sqrt;

  for (k = 0;; ++k) {
    if (cancel && cancel->load()) throw Cancelled();
    const double top = seconds();
    if (k > 0) last_step_seconds = top - previous_top;
    previous_top = top;
    try {
      // Minibatch problems: f from the fixed sample, the gradient (and its norm) from batch k.
      f = minibatched ? problem->value(w) : problem->value_and_gradient(w, g);
      if (minibatched) problem->minibatch_value_and_gradient(w, g, cell.seed, k);
    } catch (const NumericalError& e) {
      ++oracle.evaluations;
      status = CellStatus::diverged;
      reason = std::string(e.what()) + " (problem evaluation) at step " + std::to_string(k);
      break;
    }
    ++oracle.evaluations;
    gnorm = sqrt(squared_norm(g));
    const bool finite = is_finite(f) && is_finite(gnorm);
    const T gap = known.f_star ? T(f - *known.f_star) : f;
    if (k == 0) f0 = f, gap0 = gap;
    if (finite) ln_gap.push_back(ln_of(gap));
    bool stop = !finite || k >= cell.max_steps;
    if (finite && known.f_star && targets.observe(k, gap, gap0, seconds) && cell.stop_at_target)
      stop = true, status = CellStatus::target_reached;
    if (auto why = divergence(k, f, gnorm, gap, f0, gap0, known.f_star.has_value()))
      stop = true, status = CellStatus::diverged, reason = *why;
    sampler.observe(k, stop, f, known.f_star ? std::optional<T>(gap) : std::nullopt, gnorm, seconds);
    if (stop) break;
    // The time budget holds: do not start a step that would end past it (previous step's duration
    // as the estimate of the next one's).
    // (--time-limit-factor widens the enforced limit only; harness/engine/time_limit.hpp.)
    if (since(t0) + last_step_seconds > cell.max_seconds * time_limit_factor()) {
      status = CellStatus::timeout;
      reason = "time budget of " + shortest_decimal(cell.max_seconds * time_limit_factor()) + " s: stopped before step " +
               std::to_string(k) + " (" + std::to_string(k) + " steps done)";
      break;
    }
    const Params<T>* gstep = &g;
    if (problem->noise_sigma() != T(0)) {
      gnoisy = g;
      problem->add_gradient_noise(gnoisy, noise);
      gstep = &gnoisy;
    }
    if (slow_ms > 0) std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(slow_ms));
    try {
      solver->step(w, *gstep, oracle);
    } catch (const NumericalError& e) {
      status = CellStatus::diverged;
      reason = std::string(e.what()) + " at step " + std::to_string(k);
      break;
    }
  }

  if (status == CellStatus::max_steps) reason = "step budget of " + std::to_string(cell.max_steps) + " steps used";
  if (status == CellStatus::target_reached) reason = "every target reached at step " + std::to_string(k);
  const double ln_floor = std::log(100.0 * unit_roundoff<T>() *
                                   std::max(1e-300, std::abs(static_cast<double>(known.f_star ? *known.f_star : f0))));

  CellResult out;
  CellRecord& r = out.record;
  r.id = cell.id();
  r.cell = cell.to_json();
  r.problem_params = problem->parameters();
  r.hyper = solver->config();
  r.status = status;
  r.reason = reason;
  r.steps = k;
  r.gradient_evaluations = oracle.evaluations;
  r.f0 = number_to_json(f0);
  r.f_star = known.f_star ? number_to_json(*known.f_star) : json(nullptr);
  r.f_star_source = known.f_star_source;
  r.gap0 = known.f_star ? number_to_json(gap0) : json(nullptr);
  r.final_value = number_to_json(f);
  r.final_gap = known.f_star ? number_to_json(T(f - *known.f_star)) : json(nullptr);
  r.final_grad_norm = number_to_json(gnorm);
  targets.write(r, out.timing);
  sampler.write(r, out.timing);
  // The floor relative to the initial gap: targets below it are never reached (TargetTracker).
  if (known.f_star && gap0 > T(0)) r.rounding_floor_relative = static_cast<double>(T(targets.floor() / gap0));
  r.rate = rate_to_json(known.f_star ? fit_rate(ln_gap, ln_floor) : std::nullopt);
  if (auto d = solver->diagnostics(); !d.is_null()) r.diagnostics = d;
  if (status != CellStatus::diverged)
    if (auto e = problem->evaluate(w); !e.is_null()) r.evaluation = e;
  out.timing.seconds = since(t0);
  out.timing.setup_seconds = setup_seconds;
  return out;
}

template CellResult run_cell_in<MB_SCALAR>(const CellSpec&, const std::atomic<bool>*);

}  // namespace mb
