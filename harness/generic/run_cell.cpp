// The step loop of one cell, in the cell's precision (compiled once per scalar type).
//
// At every step k the runner evaluates f(W_k) and the exact gradient (for metrics), adds noise
// if the problem is stochastic, and hands that gradient to the solver. Curves are sampled
// geometrically; steps-to-target are exact (every step is checked).
//
// Budgets: max_steps steps; max_seconds of wall time for the whole cell (set-up included). The
// time budget holds: a step is not started when the time used plus the duration of the previous
// step would exceed it (status "timeout"). Seconds to target and curve times count from the first
// evaluation, set-up excluded (AlgoPerf times training, not workload construction).
// Divergence (status "diverged", with its reason): a non-finite objective or gradient, a gap above
// 1e8 times the initial gap (f - f0 > 1e8 max(1, |f0|) when f* is unknown), or a NumericalError
// raised by the solver or the problem.
#include <chrono>
#include <cmath>

#include "harness/metrics.hpp"
#include "harness/problem.hpp"
#include "harness/runner.hpp"
#include "harness/oracles.hpp"
#include "harness/solver.hpp"

namespace mb {
namespace {

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
  auto since = [](clock::time_point a) { return std::chrono::duration<double>(clock::now() - a).count(); };

  auto problem = make_problem<T>(cell.problem, cell.problem_params, "problem");
  auto solver = make_solver<T>(cell.solver, cell.hyper, "solver");
  const auto& specs = problem->blocks();
  const Known<T> known = problem->known();
  Params<T> w = problem->initial_point(cell.seed);
  Params<T> g = zeros_like<T>(specs), gnoisy;
  solver->init(specs, w);
  ProblemOracle<T> oracle(*problem);
  Rng noise({cell.seed, 0x6e6f697365ULL});  // "noise"
  const double setup_seconds = since(t0);
  const auto t_start = clock::now();
  auto seconds = [&] { return since(t_start); };

  std::vector<T> targets;
  for (const auto& t : cell.targets) targets.push_back(parse_decimal<T>(t, "targets"));
  // Rounding floor of the gap f(W) - f*: both terms carry relative errors of a few hundred u at
  // most on our problem sizes, so gaps below 100 u |f*| are not resolved (a computed gap can even
  // be negative there). A target whose threshold tau*gap0 lies below it is never counted as
  // reached: "reached 1e-30 in float" would be rounding, not convergence.
  using std::abs;
  const T gap_floor = known.f_star ? T(100) * T(std::numeric_limits<T>::epsilon()) / T(2) * T(abs(*known.f_star)) : T(0);
  const size_t n_targets = targets.size();
  std::vector<long> steps_to(n_targets, -1);
  std::vector<double> seconds_to(n_targets, -1);

  json curve_step = json::array(), curve_value = json::array(), curve_gap = json::array(),
       curve_gnorm = json::array(), curve_seconds = json::array();
  std::vector<double> ln_gap;
  std::string status = "max_steps", reason;
  T f0(0), gap0(0), f(0), gnorm(0);
  long next_sample = 0, k = 0;
  double last_step_seconds = 0, previous_top = 0;
  using std::sqrt;

  for (k = 0;; ++k) {
    if (cancel && cancel->load()) throw Cancelled();
    const double top = seconds();
    if (k > 0) last_step_seconds = top - previous_top;
    previous_top = top;
    bool numerical_failure = false;
    try {
      f = problem->value_and_gradient(w, g);
    } catch (const NumericalError& e) {
      numerical_failure = true;
      reason = std::string(e.what()) + " (problem evaluation) at step " + std::to_string(k);
    }
    ++oracle.evaluations;
    if (numerical_failure) {
      status = "diverged";
      break;
    }
    gnorm = sqrt(squared_norm(g));
    const bool finite = is_finite(f) && is_finite(gnorm);
    const T gap = known.f_star ? T(f - *known.f_star) : f;
    if (k == 0) {
      f0 = f;
      gap0 = gap;
    }
    if (finite) ln_gap.push_back(ln_of(gap));
    bool stop = !finite || k >= cell.max_steps;
    if (finite && known.f_star) {
      for (size_t t = 0; t < n_targets; ++t)
        if (steps_to[t] < 0 && gap <= targets[t] * gap0 && targets[t] * gap0 >= gap_floor)
          steps_to[t] = k, seconds_to[t] = seconds();
      if (cell.stop_at_target && n_targets && steps_to[n_targets - 1] >= 0) {
        bool all = true;
        for (long s : steps_to) all = all && s >= 0;
        if (all) stop = true, status = "target_reached";
      }
    }
    const T blowup(100000000);
    if (finite && known.f_star && gap0 > T(0) && gap > blowup * gap0) {
      stop = true;
      status = "diverged";
      reason = "blow-up: gap exceeded 1e8 times the initial gap at step " + std::to_string(k);
    }
    if (finite && !known.f_star && f - f0 > blowup * std::max(T(1), T(abs(f0)))) {
      stop = true;
      status = "diverged";
      reason = "blow-up: f - f0 exceeded 1e8 max(1, |f0|) at step " + std::to_string(k);
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
    // The time budget holds: do not start a step that would end past it (previous step's duration
    // as the estimate of the next one's).
    const double used = since(t0);
    if (used + last_step_seconds > cell.max_seconds) {
      status = "timeout";
      reason = "time budget of " + shortest_decimal(cell.max_seconds) + " s: stopped before step " +
               std::to_string(k) + " (" + std::to_string(k) + " steps done)";
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

  if (status == "max_steps") reason = "step budget of " + std::to_string(cell.max_steps) + " steps used";
  if (status == "target_reached") reason = "every target reached at step " + std::to_string(k);
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
  // The floor relative to the initial gap: targets below it are never reached (see above).
  r["rounding_floor_relative"] =
      known.f_star && gap0 > T(0) ? json(static_cast<double>(T(gap_floor / gap0))) : json(nullptr);
  r["rate"] = rate_to_json(rate);
  if (auto d = solver->diagnostics(); !d.is_null()) r["diagnostics"] = d;
  out.timing = {{"seconds", since(t0)},
                {"setup_seconds", setup_seconds},
                {"curve_seconds", curve_seconds},
                {"seconds_to_target", sec_to_target}};
  return out;
}

}  // namespace

static StaticRegistration mb_cell_runner_registration([] {
  Registry<CellRunner>::instance().add(scalar_name<MB_SCALAR>(), &run_cell_impl<MB_SCALAR>);
});

}  // namespace mb
