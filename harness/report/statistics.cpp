#include "harness/report/statistics.hpp"

#include <algorithm>
#include <cmath>

#include "harness/core/rng.hpp"
#include "harness/engine/suite.hpp"
#include "harness/report/metrics.hpp"

namespace mb {

namespace {
std::vector<double> without_nan(const std::vector<double>& v) {
  std::vector<double> x;
  for (double d : v)
    if (!std::isnan(d)) x.push_back(d);
  return x;
}
}  // namespace

Interval bootstrap_median_interval(const std::vector<double>& v, const std::string& seed_text, int resamples,
                                   double level) {
  const std::vector<double> x = without_nan(v);
  Interval out;
  if (x.empty() || resamples < 1) return out;
  const std::uint64_t seed = std::stoull(content_hash(seed_text), nullptr, 16);
  Rng rng({seed, 0x626f6f74ULL});  // "boot"
  std::vector<double> medians(static_cast<size_t>(resamples)), sample(x.size());
  for (auto& m : medians) {
    for (auto& s : sample) s = x[static_cast<size_t>(rng.below(static_cast<long>(x.size())))];
    m = median(sample);
  }
  out.low = quantile(medians, (1 - level) / 2);
  out.high = quantile(medians, (1 + level) / 2);
  return out;
}

UTest mann_whitney(const std::vector<double>& a_in, const std::vector<double>& b_in) {
  const std::vector<double> a = without_nan(a_in), b = without_nan(b_in);
  UTest t;
  t.n_a = a.size(), t.n_b = b.size();
  if (a.empty() || b.empty()) return t;
  const size_t na = a.size(), nb = b.size(), N = na + nb;
  // Pooled values with their group; mid-ranks doubled so that every rank is an integer.
  std::vector<std::pair<double, int>> pooled;
  for (double x : a) pooled.emplace_back(x, 0);
  for (double x : b) pooled.emplace_back(x, 1);
  std::sort(pooled.begin(), pooled.end(), [](auto& p, auto& q) { return p.first < q.first; });
  std::vector<long> rank2(N);
  std::vector<long> tie_sizes;
  for (size_t i = 0; i < N;) {
    size_t j = i;
    while (j + 1 < N && pooled[j + 1].first == pooled[i].first) ++j;
    const long r2 = static_cast<long>(i + 1 + j + 1);  // twice the mid-rank of positions i..j (1-based)
    for (size_t k = i; k <= j; ++k) rank2[k] = r2;
    tie_sizes.push_back(static_cast<long>(j - i + 1));
    i = j + 1;
  }
  long s2 = 0;  // twice the rank sum of a
  for (size_t k = 0; k < N; ++k)
    if (pooled[k].second == 0) s2 += rank2[k];
  const double R = s2 / 2.0;
  t.u = R - static_cast<double>(na) * (na + 1) / 2.0;
  t.effect = 1.0 - t.u / (static_cast<double>(na) * nb);
  const long mean2 = static_cast<long>(na * (N + 1));  // twice E[R]
  const long dev2 = std::labs(s2 - mean2);
  if (N <= 80) {
    // ways[c][s]: subsets of c of the items seen so far with doubled rank sum s.
    const long smax = static_cast<long>(N * (N + 1));
    std::vector<std::vector<double>> ways(na + 1, std::vector<double>(static_cast<size_t>(smax + 1), 0.0));
    ways[0][0] = 1;
    for (size_t k = 0; k < N; ++k)
      for (size_t c = std::min(na, k + 1); c >= 1; --c)
        for (long s = smax; s >= rank2[k]; --s) ways[c][s] += ways[c - 1][s - rank2[k]];
    double total = 0, extreme = 0;
    for (long s = 0; s <= smax; ++s) {
      total += ways[na][s];
      if (std::labs(s - mean2) >= dev2) extreme += ways[na][s];
    }
    t.p = std::min(1.0, extreme / total);
    t.method = "exact";
  } else {
    double tie_term = 0;
    for (long ts : tie_sizes) tie_term += static_cast<double>(ts) * ts * ts - ts;
    const double var = static_cast<double>(na) * nb / 12.0 * ((N + 1) - tie_term / (static_cast<double>(N) * (N - 1)));
    const double z = var > 0 ? std::max(0.0, dev2 / 2.0 - 0.5) / std::sqrt(var) : 0.0;
    t.p = var > 0 ? std::erfc(z / std::sqrt(2.0)) : 1.0;
    t.method = "normal";
  }
  return t;
}

nlohmann::json utest_to_json(const UTest& t) {
  return {{"u", finite_or_null(t.u)}, {"p", finite_or_null(t.p)}, {"effect", finite_or_null(t.effect)},
          {"method", t.method},       {"n_a", t.n_a},             {"n_b", t.n_b}};
}

long k_of_n_required(long n, long k_of_5) { return n <= 0 ? 0 : (k_of_5 * n + 4) / 5; }

}  // namespace mb
