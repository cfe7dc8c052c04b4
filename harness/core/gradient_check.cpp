// The gradient checker of harness/core/gradient_check.hpp, compiled once per scalar type.
#include "harness/core/gradient_check.hpp"

#include <cmath>
#include <set>

namespace mb {

template <class T>
GradientCheckResult<T> check_gradient(const std::function<T(const Params<T>&)>& f,
                                      const std::function<T(const Params<T>&, Params<T>&)>& fg,
                                      const std::vector<BlockSpec>& specs, const Params<T>& w,
                                      const GradientCheckOptions& options) {
  using std::abs;
  using std::pow;
  using std::sqrt;
  require_shapes(w, specs, "check_gradient");
  const T u = T(std::numeric_limits<T>::epsilon()) / T(2);
  const T rel = options.relative_step > 0 ? T(options.relative_step) : T(pow(u, T(1) / T(3)));
  Params<T> g;
  fg(w, g);
  require_shapes(g, specs, "check_gradient (analytic gradient)");
  GradientCheckResult<T> r;
  for (const auto& b : g) r.gradient_inf_norm = std::max<T>(r.gradient_inf_norm, b.cwiseAbs().maxCoeff());
  const T floor_abs = T(options.floor) * r.gradient_inf_norm;

  // Coordinates as (block, flat index); all of them, or a seeded subset.
  std::vector<std::pair<size_t, long>> coords;
  const long total = total_size(specs);
  if (options.max_coordinates < 0 || options.max_coordinates >= total) {
    for (size_t b = 0; b < w.size(); ++b)
      for (long i = 0; i < w[b].size(); ++i) coords.emplace_back(b, i);
  } else {
    Rng rng({options.seed, 0x636f6f7264ULL});  // "coord"
    std::set<long> picked;
    while (static_cast<long>(picked.size()) < options.max_coordinates) picked.insert(rng.below(total));
    for (long flat : picked) {
      size_t b = 0;
      while (flat >= w[b].size()) flat -= w[b].size(), ++b;
      coords.emplace_back(b, flat);
    }
  }

  Params<T> wp = w;
  for (const auto& [b, i] : coords) {
    const T x = w[b](i);
    const T h = rel * (abs(x) > T(1) ? abs(x) : T(1));
    const T xp = x + h, xm = x - h;
    wp[b](i) = xp;
    const T fp = f(wp);
    wp[b](i) = xm;
    const T fm = f(wp);
    wp[b](i) = x;
    const T fd = (fp - fm) / (xp - xm);  // xp - xm: the step actually taken
    const T err = abs(g[b](i) - fd);
    T den = abs(g[b](i)) > abs(fd) ? abs(g[b](i)) : abs(fd);
    if (floor_abs > den) den = floor_abs;
    const T relerr = den > T(0) ? T(err / den) : err;
    ++r.coordinates_checked;
    if (err > r.max_absolute_error) r.max_absolute_error = err;
    if (relerr > r.max_relative_error || r.worst.empty()) {
      r.max_relative_error = relerr;
      const long rows = w[b].rows();
      r.worst = "block '" + specs[b].name + "' entry (" + std::to_string(i % rows) + ", " + std::to_string(i / rows) +
                "): analytic " + to_decimal<T>(g[b](i)) + ", finite difference " + to_decimal<T>(fd);
    }
  }

  // Directional derivatives along random unit directions.
  T winf(1);
  for (const auto& b : w) winf = std::max<T>(winf, b.cwiseAbs().maxCoeff());
  const T gnorm = sqrt(squared_norm(g));
  for (long k = 0; k < options.directions; ++k) {
    Rng rng({options.seed, 0x646972ULL, static_cast<std::uint64_t>(k)});  // "dir"
    Params<T> v;
    for (const auto& s : specs) v.push_back(rng.normal_matrix<T>(s.storage_rows(), s.cols()));
    const T vn = sqrt(squared_norm(v));
    for (auto& b : v) b /= vn;
    const T h = rel * winf;
    Params<T> a = w, c = w;
    for (size_t b = 0; b < w.size(); ++b) a[b] += h * v[b], c[b] -= h * v[b];
    const T fd = (f(a) - f(c)) / (T(2) * h);
    const T err = abs(dot(g, v) - fd) / (gnorm > T(0) ? gnorm : T(1));
    if (err > r.max_direction_relative_error) r.max_direction_relative_error = err;
  }
  return r;
}

template <class T>
GradientCheckResult<T> check_gradient(const Problem<T>& problem, const Params<T>& w, const GradientCheckOptions& options) {
  return check_gradient<T>([&](const Params<T>& x) { return problem.value(x); },
                           [&](const Params<T>& x, Params<T>& g) { return problem.value_and_gradient(x, g); },
                           problem.blocks(), w, options);
}

template GradientCheckResult<MB_SCALAR> check_gradient<MB_SCALAR>(
    const std::function<MB_SCALAR(const Params<MB_SCALAR>&)>&,
    const std::function<MB_SCALAR(const Params<MB_SCALAR>&, Params<MB_SCALAR>&)>&, const std::vector<BlockSpec>&,
    const Params<MB_SCALAR>&, const GradientCheckOptions&);
template GradientCheckResult<MB_SCALAR> check_gradient<MB_SCALAR>(const Problem<MB_SCALAR>&, const Params<MB_SCALAR>&,
                                                                  const GradientCheckOptions&);

}  // namespace mb
