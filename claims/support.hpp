// What the claim files share (header only: claims/*.cpp are compiled for double and mp50, and
// this header adds no heavy template: products and decompositions go through harness/core/linalg.hpp).
//
//   inner, JSON numbers, (mp50 runs test is_mp50<T> of harness/core/precision.hpp; the unit roundoff: harness/core/scalar.hpp unit_roundoff)
//   fit_line       least-squares line through (x_j, y_j), with the weights w_j of slope = sum w_j y_j
//                  (so a perturbation |dy_j| <= r_j moves the slope by at most sum |w_j| r_j)
//   fit_slope      a log-log slope over a window, with the tolerance of docs/claims.md:
//                  truncation (spread of the local slopes across the window) + rounding
//   rounding models (claims/rounding.hpp): maps through the smaller Gram matrix, polar factors,
//                  matrices with prescribed singular values
//   Check/combine  one part of a claim checked on several instances -> one outcome and its verdict;
//                  Check::equal/upper/lower/distance/general (one checked inequality each, as a
//                  function of the predicted constant's scale: claims/resolution.hpp), slope_check
//   Outcomes       a claim's parts and decoys, each filled with its checks -> the outcomes in order
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "harness/claim.hpp"
#include "harness/core/error.hpp"
#include "harness/core/linalg.hpp"
#include "harness/core/rng.hpp"
#include "harness/core/scalar.hpp"
#include "claims/resolution.hpp"
#include "claims/rounding.hpp"

namespace mb::claims {

template <class T>
T inner(const Mat<T>& A, const Mat<T>& B) {
  return (A.array() * B.array()).sum();
}
template <class T>
json num(const T& x) {
  return number_to_json<T>(x);
}
template <class T>
json nums(const std::vector<T>& v) {
  json a = json::array();
  for (const auto& x : v) a.push_back(number_to_json<T>(x));
  return a;
}
// 3 significant digits, for reasons (a sentence, not data).
template <class T>
std::string sci(const T& x) {
  char b[32];
  std::snprintf(b, sizeof b, "%.3g", to_double(x));
  return b;
}
template <class T>
T maxv(const std::vector<T>& v) {
  T m = v.at(0);
  for (const auto& x : v) m = x > m ? x : m;
  return m;
}
template <class T>
T minv(const std::vector<T>& v) {
  T m = v.at(0);
  for (const auto& x : v) m = x < m ? x : m;
  return m;
}

// ---- Slopes ------------------------------------------------------------------------------------
template <class T>
struct Line {
  T slope, intercept;
  std::vector<T> weights;  // slope = sum_j weights[j] * y_j
};
template <class T>
Line<T> fit_line(const std::vector<T>& x, const std::vector<T>& y) {
  const T n(static_cast<long>(x.size()));
  T mx(0), my(0);
  for (size_t j = 0; j < x.size(); ++j) mx += x[j], my += y[j];
  mx /= n, my /= n;
  T sxx(0), sxy(0);
  for (size_t j = 0; j < x.size(); ++j) sxx += (x[j] - mx) * (x[j] - mx), sxy += (x[j] - mx) * (y[j] - my);
  Line<T> l{sxy / sxx, T(0), {}};
  l.intercept = my - l.slope * mx;
  for (size_t j = 0; j < x.size(); ++j) l.weights.push_back((x[j] - mx) / sxx);
  return l;
}

// A log-log slope over a window of points (h_j, e_j) with relative rounding bounds r_j on e_j.
// Points with r_j > max_relative (default 1/100) are left out (listed); fewer than `min_points` left -> unresolved.
//   fitted      least-squares slope of ln e on ln h over the points kept
//   truncation  the fitted slope is a positive-weight average of the local slopes (equal spacing in
//               ln h), and the local slopes approach the asymptotic slope monotonically (the error
//               is c h^k (1 + c' h^2 + ...)), so |fitted - asymptotic| <= (max - min local slope)
//               + what the last local slope still lacks: |s_last - s_prev| / 3 (a geometric tail of
//               ratio 1/4 when h halves; 1/3 is also generous for ratios 1/10 per decade).
//   rounding    sum_j |w_j| r_j / (1 - r_j): ln e_j is known to r_j / (1 - r_j).
template <class T>
struct SlopeData {
  std::vector<T> h, e, r;  // every point of the window
  std::vector<int> kept;   // indices used
  std::vector<T> local;    // local slopes between consecutive kept points
  T fitted = T(0), intercept = T(0), truncation = T(0), rounding = T(0);
  bool resolved = false;
  json to_json() const {
    json pts = json::array();
    for (size_t j = 0; j < h.size(); ++j)
      pts.push_back({{"h", num(h[j])}, {"error", num(e[j])}, {"rounding_relative", num(r[j])},
                     {"used", std::find(kept.begin(), kept.end(), static_cast<int>(j)) != kept.end()}});
    return {{"points", pts}, {"local_slopes", nums(local)}, {"fitted_slope", num(fitted)},
            {"tolerance_truncation", num(truncation)}, {"tolerance_rounding", num(rounding)}};
  }
};
template <class T>
SlopeData<T> fit_slope(const std::vector<T>& h, const std::vector<T>& e, const std::vector<T>& r, int min_points = 3,
                       const T& max_relative = T(1) / T(100)) {
  using std::abs;
  using std::log;
  SlopeData<T> s{h, e, r, {}, {}};
  for (size_t j = 0; j < h.size(); ++j)
    if (r[j] <= max_relative && e[j] > T(0)) s.kept.push_back(static_cast<int>(j));
  if (static_cast<int>(s.kept.size()) < min_points) return s;
  std::vector<T> x, y;
  for (int j : s.kept) x.push_back(log(h[j])), y.push_back(log(e[j]));
  const Line<T> l = fit_line(x, y);
  s.fitted = l.slope;
  s.intercept = l.intercept;
  for (size_t j = 0; j + 1 < x.size(); ++j) s.local.push_back((y[j + 1] - y[j]) / (x[j + 1] - x[j]));
  const size_t n = s.local.size();
  s.truncation = maxv(s.local) - minv(s.local) + (n >= 2 ? abs(s.local[n - 1] - s.local[n - 2]) / T(3) : T(0));
  for (size_t j = 0; j < x.size(); ++j) {
    const T rj = r[s.kept[j]];
    s.rounding += abs(l.weights[j]) * rj / (T(1) - rj);
  }
  s.resolved = true;
  return s;
}

// Resolutions beyond this factor are reported as null (with the reason): nothing in [1/r, r] turns the verdict.
inline constexpr int kResolutionMax = 10000;

// ---- One part checked on several instances -----------------------------------------------------
template <class T>
struct Check {
  std::string instance;
  bool resolved = true;
  std::string unresolved_reason;  // when !resolved: why rounding leaves nothing to decide
  T margin = T(0), tol = T(0);    // holds iff margin >= -tol: the atom with the least slack at scale 1
  json measured = json::object(), predicted = json::object(), extra = json::object();
  std::vector<Atom<T>> atoms;     // every checked inequality, as a function of the predicted constant's scale

  // Each adds one checked inequality (claims/resolution.hpp) and keeps the binding one in
  // margin/tol: the one with the least slack margin + tol (ties keep the earlier). Each returns
  // whether the new one binds (to record which point binds).
  bool equal(const T& x, const T& p, const T& t) { return add(Atom<T>::make(Atom<T>::Kind::equal, x, p, t)); }
  bool upper(const T& x, const T& bound, const T& t) { return add(Atom<T>::make(Atom<T>::Kind::upper, x, bound, t)); }
  bool lower(const T& x, const T& bound, const T& t) { return add(Atom<T>::make(Atom<T>::Kind::lower, x, bound, t)); }
  // ||X - s P||_F <= t (centred at s = 1: claims/resolution.hpp).
  bool distance(const Mat<T>& X, const Mat<T>& P, const T& t) {
    const Mat<T> D = X - P;
    Atom<T> a = Atom<T>::make(Atom<T>::Kind::distance, D.squaredNorm(), inner(D, P), t);
    a.c = P.squaredNorm();
    return add(std::move(a));
  }
  // margin(s) >= -t, for a margin not linear in the scale s of the predicted constant.
  bool general(std::function<T(const T&)> margin_at_scale, const T& t, bool one_sided) {
    Atom<T> a = Atom<T>::make(Atom<T>::Kind::general, T(0), T(0), t);
    a.margin_fn = std::move(margin_at_scale);
    a.one_sided = one_sided;
    return add(std::move(a));
  }

  // The same check with the predicted constant multiplied by f (an edge decoy).
  Check scaled(const T& f) const {
    Check c = *this;
    c.atoms.clear();
    c.offered_ = false;
    for (auto a : atoms) {
      if (a.kind == Atom<T>::Kind::general) {
        auto fn = a.margin_fn;
        a.margin_fn = [fn, f](const T& s) { return fn(s * f); };
      } else if (a.kind == Atom<T>::Kind::distance) {
        // Re-centre at f P: X - f P = D + (1 - f) P.
        const T w = T(1) - f;
        a.x = a.x + T(2) * w * a.p + w * w * a.c;
        a.p = f * (a.p + w * a.c);
        a.c *= f * f;
      } else {
        a.p *= f;
      }
      c.add(std::move(a));
    }
    return c;
  }

 private:
  bool add(Atom<T> a) {
    const T m = a.margin(T(1)), t = a.tol;
    atoms.push_back(std::move(a));
    if (offered_ && !(m + t < margin + tol)) return false;
    offered_ = true, margin = m, tol = t;
    return true;
  }
  bool offered_ = false;
};

// A log-log slope from fit_slope against `predicted`: margin -|fitted - predicted|, tolerance
// truncation + rounding of the fit; unresolved, for `why`, where fit_slope left too few points.
template <class T>
Check<T> slope_check(const std::string& instance, const SlopeData<T>& fit, const T& predicted, const std::string& why) {
  using std::abs;
  Check<T> c;
  c.instance = instance;
  if (!fit.resolved) {
    c.resolved = false;
    c.unresolved_reason = why;
  } else {
    c.equal(fit.fitted, predicted, T(fit.truncation + fit.rounding));
  }
  c.measured = {{"fitted_slope", num(fit.fitted)}};
  c.predicted = {{"slope", num(predicted)}};
  c.extra = fit.to_json();
  return c;
}

// The outcome of `variant` from its checks: violated if some resolved check has margin < -tol
// (the reason names it); otherwise inconclusive if some check is unresolved; otherwise holds.
// margin/tolerance: those of the resolved check with the least slack (margin + tol).
template <class T>
ClaimOutcome combine(const std::string& variant, bool decoy, const std::vector<Check<T>>& checks, const json& instance,
                     const std::string& tolerance_source) {
  ClaimOutcome o;
  o.variant = variant;
  o.decoy = decoy;
  o.instance = instance;
  o.tolerance_source = tolerance_source;
  const Check<T>* worst = nullptr;
  std::string unresolved, violated;
  for (const auto& c : checks) {
    o.measured[c.instance] = c.measured;
    o.predicted[c.instance] = c.predicted;
    if (!c.extra.empty()) o.extra[c.instance] = c.extra;
    if (!c.resolved) {
      unresolved += (unresolved.empty() ? "" : "; ") + c.instance + ": " + c.unresolved_reason;
      continue;
    }
    if (!worst || c.margin + c.tol < worst->margin + worst->tol) worst = &c;
    if (verdict_from_margin<T>(c.margin, c.tol) == Verdict::violated)
      violated += (violated.empty() ? "" : "; ") + c.instance + ": margin " + sci(c.margin) + " < -tolerance " +
                  sci(T(-c.tol));
  }
  if (worst) {
    o.margin = num(worst->margin);
    o.tolerance = num(worst->tol);
  }
  // Resolution and tightness over the atoms of the resolved checks (claims/resolution.hpp).
  std::vector<const Atom<T>*> atoms;
  bool unscaled = false;
  int sided = 0;
  std::optional<T> tight;
  for (const auto& c : checks) {
    if (!c.resolved) continue;
    if (c.atoms.empty()) unscaled = true;
    for (const auto& a : c.atoms) {
      atoms.push_back(&a);
      sided += a.sided() ? 1 : 0;
      if (const auto t = a.tightness(); t && (!tight || *t > *tight)) tight = *t;
    }
  }
  if (!atoms.empty()) o.kind = sided == 0 ? "sharp" : sided == static_cast<int>(atoms.size()) ? "bound" : "mixed";
  if (tight) o.tightness = num(*tight);
  if (unscaled) {
    o.resolution_note = "a check of this outcome does not say how its margin depends on the predicted constant";
  } else if (atoms.empty()) {
    o.resolution_note = "no resolved check";
  } else if (const auto r = resolution_of<T>(atoms, T(kResolutionMax))) {
    o.resolution = num(*r);
  } else {
    o.resolution_note = "no scale of the predicted constant up to " + std::to_string(kResolutionMax) + " turns the verdict";
  }
  if (!violated.empty()) {
    o.verdict = Verdict::violated;
    o.reason = violated;
  } else if (!unresolved.empty()) {
    o.verdict = Verdict::inconclusive;
    o.reason = unresolved;
  } else {
    o.verdict = Verdict::holds;
  }
  return o;
}

// ---- A claim's outcomes ------------------------------------------------------------------------
// Each part and each decoy collects its checks, usually a part and its decoy side by side through
// the same code (a Pair); outcomes() combines them: every part, then, when decoys were asked for,
// every decoy, in the order of the ClaimInfo, on the claim's one `instance` description.
//
//   claims::Outcomes<T> out(ctx, my_claim_info(), instance);
//   auto bound = out.pair("bound", "factor-2", "rounding model ...");  // part, decoy, tolerance source
//   for (...) for (int decoy = 0; decoy < 2; ++decoy) bound.add(decoy, check(decoy ? ... : ...));
//   return out.outcomes();
template <class T>
class Outcomes {
  struct Variant {
    std::vector<Check<T>> checks;
    std::string source;
    std::optional<T> edge_factor;  // an edge decoy: the factor on the predicted constant
  };

 public:
  // Files checks under a part and under its decoy: add(decoy, c).
  class Pair {
   public:
    Pair(Variant& part, Variant& decoy) : v_{&part, &decoy} {}
    void add(bool decoy, Check<T> c) { v_[decoy ? 1 : 0]->checks.push_back(std::move(c)); }

   private:
    Variant* v_[2];
  };

  Outcomes(const ClaimContext& ctx, ClaimInfo info, json instance)
      : decoys_(ctx.decoys), info_(std::move(info)), instance_(std::move(instance)) {}

  // The checks of the declared part or decoy `name`, whose tolerance comes from `source`.
  std::vector<Check<T>>& of(const std::string& name, const std::string& source) {
    Variant& v = variants_[name];
    v.source = source;
    return v.checks;
  }
  // A part and the decoy checked by the same code (the decoy's tolerance source defaults to the part's).
  Pair pair(const std::string& part, const std::string& decoy, const std::string& source,
            const std::string& decoy_source = "") {
    of(part, source);
    of(decoy, decoy_source.empty() ? source : decoy_source);
    return Pair(variants_.at(part), variants_.at(decoy));
  }

  // The decoy `decoy`: every check of `part` with the predicted constant multiplied by `factor`
  // (an edge decoy, docs/claims.md: a factor inside (1, 1.25] either way). Call after the part's
  // checks are all filed.
  void edge(const std::string& decoy, const std::string& part, const T& factor) {
    const Variant& v = variants_.at(part);
    Variant& d = variants_[decoy];
    d.source = v.source + " (the part's checks with the predicted constant x " + sci(factor) + ")";
    d.edge_factor = factor;
    d.checks.clear();
    for (const auto& c : v.checks) d.checks.push_back(c.scaled(factor));
  }

  std::vector<ClaimOutcome> outcomes() const {
    std::vector<ClaimOutcome> out;
    auto emit = [&](const std::string& name, bool decoy) {
      auto it = variants_.find(name);
      if (it == variants_.end()) throw Error("claim '" + info_.name + "': no checks for '" + name + "'");
      out.push_back(combine<T>(name, decoy, it->second.checks, instance_, it->second.source));
      if (it->second.edge_factor) out.back().extra["edge_factor"] = num(*it->second.edge_factor);
    };
    if (info_.parts.empty()) emit("claim", false);
    for (const auto& part : info_.parts) emit(part.first, false);
    if (decoys_)
      for (const auto& decoy : info_.decoys) emit(decoy.first, true);
    return out;
  }

 private:
  bool decoys_;
  ClaimInfo info_;
  json instance_;
  std::map<std::string, Variant> variants_;  // node-based: a Pair's pointers stay valid
};

}  // namespace mb::claims
