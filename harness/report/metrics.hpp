// Metrics computed from a run's per-step log-gaps (doubles: a log of an mp50 gap always fits).
#pragma once

#include <cmath>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

namespace mb {

// Geometric sampling of the curve (benchopt's rule): 0, 1, 2, ..., then next = max(k+1, floor(1.5 k)).
long next_sample_step(long k);

struct RateFit {
  double per_step;          // fitted gap ratio per step, exp(slope)
  double ci_low, ci_high;   // 95% interval of exp(slope) (t quantile; descriptive: residuals correlate)
  long first_step, last_step;
  long points;
};
// Least-squares fit of ln(gap_k) = c + k ln(rho) over the window where the gap is below
// `start_fraction` of its initial value and above `floor` (the precision's rounding floor).
// ln_gap[k] is ln(gap_k) or NaN where the gap was not positive. Needs at least 5 points.
std::optional<RateFit> fit_rate(const std::vector<double>& ln_gap, double ln_floor, double start_fraction = 0.1);

nlohmann::json rate_to_json(const std::optional<RateFit>& f);

// Student t quantile t_{0.975, dof} (exact table to dof 30, normal beyond).
double t975(long dof);

// Median of a list (NaN-free); lower/upper quantile by linear interpolation. Infinite entries
// (an unreached target) sort last; an interpolation touching one takes the nearer end.
double median(std::vector<double> v);
double quantile(std::vector<double> v, double q);

// A value over seeds: median, the 20 % and 80 % quantiles (benchopt's band), min and max. NaN
// entries (no value, e.g. no fitted rate) are dropped and counted out of `n`.
struct Spread {
  double median = NAN, q20 = NAN, q80 = NAN, min = NAN, max = NAN;
  size_t n = 0;  // values that entered
};
Spread spread_of(const std::vector<double>& v);
// {"median", "q20", "q80", "min", "max", "n"}; infinities and NaN as null.
nlohmann::json spread_to_json(const Spread& s);
// A finite double as a JSON number, anything else as null.
nlohmann::json finite_or_null(double x);

}  // namespace mb
