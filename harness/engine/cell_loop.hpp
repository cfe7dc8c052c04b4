// The parts of a cell's step loop (harness/engine/run_cell.cpp), each watching the objective once
// per step, in the way ensmallen composes callbacks: the loop evaluates, each part observes, and
// the first part that asks to stop ends the cell with its status and reason.
//   TargetTracker   exact steps (and seconds) to each relative-gap target, above the rounding floor
//   DivergenceGuard non-finite values and blow-ups
//   CurveSampler    the geometric sample of the curve (harness/report/metrics.hpp, next_sample_step)
#pragma once

#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "harness/core/json_num.hpp"
#include "harness/report/cell_record.hpp"
#include "harness/report/metrics.hpp"

namespace mb {

// Steps to target k: the first step with gap <= tau_k gap0. A target whose threshold tau gap0
// lies below the rounding floor of the gap is never counted as reached: "reached 1e-30 in float"
// would be rounding, not convergence. The floor: f(W) and f* both carry relative errors of a few
// hundred u at most on our problem sizes, so gaps below 100 u |f*| are not resolved (a computed
// gap can even be negative there).
template <class T>
class TargetTracker {
 public:
  TargetTracker(const std::vector<std::string>& texts, const std::optional<T>& f_star) : texts_(texts) {
    using std::abs;
    for (const auto& t : texts) targets_.push_back(parse_decimal<T>(t, "targets"));
    floor_ = f_star ? T(100) * T(std::numeric_limits<T>::epsilon()) / T(2) * T(abs(*f_star)) : T(0);
    steps_.assign(targets_.size(), -1);
    seconds_.assign(targets_.size(), -1);
  }
  // Records the targets reached at step k (the clock `now()` read only then); true when every
  // target is reached.
  template <class Clock>
  bool observe(long k, const T& gap, const T& gap0, Clock&& now) {
    for (size_t t = 0; t < targets_.size(); ++t)
      if (steps_[t] < 0 && gap <= targets_[t] * gap0 && targets_[t] * gap0 >= floor_) steps_[t] = k, seconds_[t] = now();
    if (targets_.empty() || steps_.back() < 0) return false;
    for (long s : steps_)
      if (s < 0) return false;
    return true;
  }
  const T& floor() const { return floor_; }
  void write(CellRecord& r, CellTiming& timing) const {
    for (size_t t = 0; t < targets_.size(); ++t) {
      r.steps_to_target[texts_[t]] = steps_[t] >= 0 ? std::optional<long>(steps_[t]) : std::nullopt;
      timing.seconds_to_target[texts_[t]] = steps_[t] >= 0 ? std::optional<double>(seconds_[t]) : std::nullopt;
    }
  }

 private:
  const std::vector<std::string>& texts_;
  std::vector<T> targets_;
  T floor_;
  std::vector<long> steps_;
  std::vector<double> seconds_;
};

// Divergence: a non-finite objective or gradient, or a gap above 1e8 times the initial gap
// (f - f0 > 1e8 max(1, |f0|) when f* is unknown). Returns the reason, or nothing.
template <class T>
std::optional<std::string> divergence(long k, const T& f, const T& gnorm, const T& gap, const T& f0, const T& gap0,
                                      bool f_star_known) {
  using std::abs;
  const T blowup(100000000);
  const std::string at = " at step " + std::to_string(k);
  if (!is_finite(f)) return "non-finite objective" + at;
  if (!is_finite(gnorm)) return "non-finite gradient" + at;
  if (f_star_known && gap0 > T(0) && gap > blowup * gap0)
    return "blow-up: gap exceeded 1e8 times the initial gap" + at;
  if (!f_star_known && f - f0 > blowup * std::max(T(1), T(abs(f0)))) return "blow-up: f - f0 exceeded 1e8 max(1, |f0|)" + at;
  return std::nullopt;
}

// The curve at steps 0, 1, 2, ... sampled geometrically, and always at the last step.
template <class T>
class CurveSampler {
 public:
  template <class Clock>
  void observe(long k, bool last, const T& f, const std::optional<T>& gap, const T& gnorm, Clock&& now) {
    if (k != next_ && !last) return;
    curve_.step.push_back(k);
    curve_.value.push_back(number_to_json(f));
    curve_.gap.push_back(gap ? number_to_json(*gap) : json(nullptr));
    curve_.grad_norm.push_back(number_to_json(gnorm));
    seconds_.push_back(now());
    if (k == next_) next_ = next_sample_step(k);
  }
  void write(CellRecord& r, CellTiming& timing) {
    r.curve = std::move(curve_);
    timing.curve_seconds = std::move(seconds_);
  }

 private:
  long next_ = 0;
  CellCurve curve_;
  std::vector<double> seconds_;
};

// ln x in double, NaN for x <= 0 (the rate fit skips such points).
template <class T>
double ln_of(const T& x) {
  using std::log;
  if (!(x > T(0))) return std::nan("");
  return static_cast<double>(T(log(x)));
}

}  // namespace mb
