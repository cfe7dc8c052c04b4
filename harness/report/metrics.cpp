#include "harness/report/metrics.hpp"

#include <algorithm>
#include <cmath>

namespace mb {

long next_sample_step(long k) { return std::max(k + 1, static_cast<long>(std::floor(1.5 * static_cast<double>(k)))); }

double t975(long dof) {
  static const double table[] = {0,      12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
                                 2.201,  2.179,  2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080,
                                 2.074,  2.069,  2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};
  if (dof < 1) return NAN;
  if (dof <= 30) return table[dof];
  return 1.959964 + 2.37 / static_cast<double>(dof);  // Cornish-Fisher first term, < 1e-3 error
}

std::optional<RateFit> fit_rate(const std::vector<double>& ln_gap, double ln_floor, double start_fraction) {
  if (ln_gap.empty() || !std::isfinite(ln_gap[0])) return std::nullopt;
  const double ln_start = ln_gap[0] + std::log(start_fraction);
  long first = -1, last = -1;
  for (long k = 0; k < static_cast<long>(ln_gap.size()); ++k) {
    const double v = ln_gap[k];
    if (!std::isfinite(v) || v <= ln_floor) break;  // the floor ends the window
    if (first < 0 && v <= ln_start) first = k;
    if (first >= 0) last = k;
  }
  if (first < 0 || last - first + 1 < 5) return std::nullopt;
  const long n = last - first + 1;
  double sx = 0, sy = 0;
  for (long k = first; k <= last; ++k) sx += k, sy += ln_gap[k];
  const double mx = sx / n, my = sy / n;
  double sxx = 0, sxy = 0;
  for (long k = first; k <= last; ++k) sxx += (k - mx) * (k - mx), sxy += (k - mx) * (ln_gap[k] - my);
  const double slope = sxy / sxx;
  double sse = 0;
  for (long k = first; k <= last; ++k) {
    const double r = ln_gap[k] - (my + slope * (k - mx));
    sse += r * r;
  }
  const double se = std::sqrt(sse / static_cast<double>(n - 2) / sxx);
  const double t = t975(n - 2);
  return RateFit{std::exp(slope), std::exp(slope - t * se), std::exp(slope + t * se), first, last, n};
}

nlohmann::json rate_to_json(const std::optional<RateFit>& f) {
  if (!f) return nullptr;
  return {{"per_step", f->per_step},
          {"ci95", {f->ci_low, f->ci_high}},
          {"window", {f->first_step, f->last_step}},
          {"points", f->points}};
}

double quantile(std::vector<double> v, double q) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  const double pos = q * static_cast<double>(v.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = std::min(lo + 1, v.size() - 1);
  const double frac = pos - static_cast<double>(lo);
  if (std::isinf(v[lo]) || std::isinf(v[hi])) return frac < 0.5 ? v[lo] : v[hi];
  return v[lo] + frac * (v[hi] - v[lo]);
}
double median(std::vector<double> v) { return quantile(std::move(v), 0.5); }

Spread spread_of(const std::vector<double>& v) {
  std::vector<double> x;
  for (double d : v)
    if (!std::isnan(d)) x.push_back(d);
  Spread s;
  s.n = x.size();
  if (x.empty()) return s;
  s.median = quantile(x, 0.5);
  s.q20 = quantile(x, 0.2);
  s.q80 = quantile(x, 0.8);
  s.min = *std::min_element(x.begin(), x.end());
  s.max = *std::max_element(x.begin(), x.end());
  return s;
}

nlohmann::json finite_or_null(double x) { return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(nullptr); }

nlohmann::json spread_to_json(const Spread& s) {
  return {{"median", finite_or_null(s.median)}, {"q20", finite_or_null(s.q20)}, {"q80", finite_or_null(s.q80)},
          {"min", finite_or_null(s.min)},       {"max", finite_or_null(s.max)}, {"n", s.n}};
}

}  // namespace mb
