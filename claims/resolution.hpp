// Resolution: how finely a check tells the right constant from a wrong one (docs/claims.md,
// "Resolution and tightness").
//
// Every checked inequality of a claim is an Atom: a margin that depends on the scale s by which the
// claim's predicted constant (rate, slope, bound, threshold, the predicted side of an identity) is
// multiplied, and a fixed tolerance; the atom holds at s iff margin(s) >= -tol. The true statement
// is s = 1. The resolution of an outcome is the smallest r >= 1 such that evaluating the same
// atoms at s = r or at s = 1/r turns the verdict (violated if any atom fails). It is computed on the
// atoms themselves, exactly: a linear atom's holding set is an interval in s found in closed form,
// and an atom with a general margin function is searched on a geometric grid and bisected.
//
// Kinds of atom (x measured, p predicted, both scalars):
//   equal    |x - s p| <= tol                       (a sharp value: slopes, rates, identities)
//   distance ||X - s P||_F <= tol                    (an identity between matrices; stored centred at s = 1:
//                                                    x = |X - P|^2, p = <X - P, P>, c = |P|^2, so that
//                                                    |X - s P|^2 = x + 2 w p + w^2 c, w = 1 - s, has no
//                                                    cancellation where the identity holds to rounding)
//   upper    x <= s p + tol, margin s p - x          (a one-sided bound from above)
//   lower    x >= s p - tol, margin x - s p          (a one-sided bound from below)
//   general  margin(s) given as a function           (nonlinear in the constant, e.g. exp(lambda t))
// One-sided atoms also report their tightness: the scale s0 at which the bound is met exactly
// (x = s0 p), folded into (0, 1] as min(s0, 1/s0); 0 when no positive scale meets it.
#pragma once

#include <cmath>
#include <functional>
#include <limits>
#include <optional>
#include <vector>

namespace mb::claims {

template <class T>
struct Atom {
  enum class Kind { equal, distance, upper, lower, general };
  Kind kind = Kind::equal;
  T x = T(0), p = T(0), tol = T(0);   // equal/upper/lower; distance: x = |X - P|^2, p = <X - P, P>, c = |P|^2
  T c = T(0);
  bool one_sided = false;             // general atoms say which they are
  std::function<T(const T&)> margin_fn;

  static Atom make(Kind k, const T& x, const T& p, const T& tol) {
    Atom a;
    a.kind = k, a.x = x, a.p = p, a.tol = tol;
    return a;
  }

  T margin(const T& s) const {
    using std::abs;
    using std::sqrt;
    using std::max;
    switch (kind) {
      case Kind::equal: return -abs(x - s * p);
      case Kind::distance: {
        const T w = T(1) - s;
        return -sqrt(max(T(0), T(x + T(2) * w * p + w * w * c)));
      }
      case Kind::upper: return s * p - x;
      case Kind::lower: return x - s * p;
      default: return margin_fn(s);
    }
  }
  bool holds(const T& s) const { return margin(s) >= -tol; }
  bool linear() const { return kind != Kind::general; }
  bool sided() const { return kind == Kind::upper || kind == Kind::lower || (kind == Kind::general && one_sided); }

  // The closed interval [lo, hi] of scales s > 0 at which a linear atom holds (lo > hi: nowhere;
  // hi = +inf: unbounded). Exact in T.
  std::pair<T, T> holding_interval() const {
    using std::sqrt;
    const T inf = std::numeric_limits<T>::infinity();
    const T none_lo(1), none_hi(0);
    auto ray_up = [&](const T& a) { return std::pair<T, T>{a > T(0) ? a : T(0), inf}; };  // s >= a
    auto ray_down = [&](const T& a) { return a > T(0) ? std::pair<T, T>{T(0), a} : std::pair<T, T>{none_lo, none_hi}; };
    switch (kind) {
      case Kind::equal: {  // x - tol <= s p <= x + tol
        if (p == T(0)) return x - tol <= T(0) && T(0) <= x + tol ? std::pair<T, T>{T(0), inf} : std::pair<T, T>{none_lo, none_hi};
        T a = (x - tol) / p, b = (x + tol) / p;
        if (a > b) std::swap(a, b);
        if (b < T(0)) return {none_lo, none_hi};
        return {a > T(0) ? a : T(0), b};
      }
      case Kind::upper:  // s p >= x - tol
        if (p > T(0)) return ray_up((x - tol) / p);
        if (p < T(0)) return ray_down((x - tol) / p);
        return x - tol <= T(0) ? std::pair<T, T>{T(0), inf} : std::pair<T, T>{none_lo, none_hi};
      case Kind::lower:  // s p <= x + tol
        if (p > T(0)) return ray_down((x + tol) / p);
        if (p < T(0)) return ray_up((x + tol) / p);
        return x + tol >= T(0) ? std::pair<T, T>{T(0), inf} : std::pair<T, T>{none_lo, none_hi};
      case Kind::distance: {  // c w^2 + 2 p w + (x - tol^2) <= 0, w = 1 - s
        const T q0 = x - tol * tol;
        if (c == T(0)) return q0 <= T(0) ? std::pair<T, T>{T(0), inf} : std::pair<T, T>{none_lo, none_hi};
        const T disc = p * p - c * q0;
        if (disc < T(0)) return {none_lo, none_hi};
        const T r = sqrt(disc), a = T(1) - (r - p) / c, b = T(1) + (p + r) / c;  // s = 1 - w at both roots
        if (b < T(0)) return {none_lo, none_hi};
        return {a > T(0) ? a : T(0), b};
      }
      default: return {none_lo, none_hi};
    }
  }
  // One-sided atoms: min(s0, 1/s0) with x = s0 p; 0 when s0 <= 0 or undefined.
  std::optional<T> tightness() const {
    if (kind != Kind::upper && kind != Kind::lower) return std::nullopt;
    if (p == T(0) || x == T(0)) return T(0);
    const T s0 = x / p;
    if (!(s0 > T(0))) return T(0);
    return s0 < T(1) ? s0 : T(1) / s0;
  }
};

// The resolution of a set of atoms (the resolved checks of one outcome), or nullopt when no scale
// up to r_max turns the verdict (reported as null with that reason).
template <class T>
std::optional<T> resolution_of(const std::vector<const Atom<T>*>& atoms, const T& r_max) {
  using std::exp;
  using std::log;
  if (atoms.empty()) return std::nullopt;
  // Linear atoms: the intersection [LO, HI] of their holding intervals.
  const T inf = std::numeric_limits<T>::infinity();
  T lo(0), hi = inf;
  bool any_general = false;
  for (const auto* a : atoms) {
    if (!a->linear()) {
      any_general = true;
      continue;
    }
    const auto [l, h] = a->holding_interval();
    if (l > lo) lo = l;
    if (h < hi) hi = h;
  }
  auto holds = [&](const T& s) {
    if (!(lo <= s && s <= hi)) return false;
    for (const auto* a : atoms)
      if (!a->linear() && !a->holds(s)) return false;
    return true;
  };
  const bool base = holds(T(1));
  if (!any_general) {
    // Holds at 1: the nearer edge of [LO, HI]; violated at 1: the nearer entry into [LO, HI].
    std::optional<T> r;
    if (lo > hi) return std::nullopt;
    if (base) {
      if (hi < inf) r = hi;
      if (lo > T(0) && (!r || T(1) / lo < *r)) r = T(1) / lo;
    } else {
      if (lo > T(1)) r = lo;
      else if (hi < T(1) && hi > T(0)) r = T(1) / hi;
    }
    if (r && *r > r_max) return std::nullopt;
    return r;
  }
  // General atoms: a geometric grid in ln r (step 1/256), then bisection on the first cell where
  // the verdict at r or at 1/r differs from the verdict at 1.
  auto turned = [&](const T& ln_r) { return holds(exp(ln_r)) != base || holds(exp(-ln_r)) != base; };
  const T step = T(1) / T(256), ln_max = log(r_max);
  T a(0);
  for (T b = step; b <= ln_max + step; b += step) {
    if (turned(b)) {
      for (int i = 0; i < 200; ++i) {
        const T mid = (a + b) / T(2);
        if (mid == a || mid == b) break;
        (turned(mid) ? b : a) = mid;
      }
      return exp(b);
    }
    a = b;
  }
  return std::nullopt;
}

}  // namespace mb::claims
