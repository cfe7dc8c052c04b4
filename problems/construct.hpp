// Building blocks for problem instances: seeded random orthonormal factors and prescribed
// spectra, computed in the working precision from portable binary64 draws (harness/core/rng.hpp), so
// that every precision starts from the same random numbers and each instance's constants are
// exact to its own precision. Also: the options every problem ends with (ProblemBase::finish_options),
// smooth activations (ADL-clean, so mp50 gets Boost's tanh/exp), the [E, m, n] stack layout helpers,
// and the eigenvalue summary of a Hessian with gauge zeros.
#pragma once

#include <boost/math/constants/constants.hpp>

#include <cmath>
#include <cstdio>
#include <initializer_list>
#include <limits>
#include <string>
#include <vector>

#include "harness/core/error.hpp"
#include "harness/core/linalg.hpp"
#include "harness/core/options.hpp"
#include "harness/problem.hpp"
#include "harness/core/rng.hpp"
#include "harness/core/scalar.hpp"

namespace mb {

// An n x r matrix with orthonormal columns: Q of the Householder QR of a Gaussian matrix, with
// column signs fixed so that diag(R) > 0 (a unique, Haar-distributed choice).
template <class T>
Mat<T> random_orthonormal(Rng& rng, long n, long r) {
  return linalg::orthonormal_q<T>(rng.normal_matrix<T>(n, r));
}

// r values from 1 down to lo, geometrically spaced: s_i = lo^(i/(r-1)).
template <class T>
Vec<T> geometric_spectrum(long r, const T& lo) {
  using std::pow;
  Vec<T> s(r);
  for (long i = 0; i < r; ++i) s(i) = r == 1 ? T(1) : T(pow(lo, T(i) / T(r - 1)));
  return s;
}

// Q diag(s) Q^T with Q Haar-distributed: a symmetric matrix with exactly the spectrum s.
template <class T>
Mat<T> random_symmetric(Rng& rng, const Vec<T>& s) {
  const Mat<T> q = random_orthonormal<T>(rng, s.size(), s.size());
  return linalg::mul_nt<T>(q * s.asDiagonal(), q);
}

// "problem 'NAME'": the context every problem's Options errors start with.
// (Built with append: GCC 12 reports a false -Warray-bounds on the inlined operator+ chain.)
inline std::string problem_context(const char* name) {
  std::string s("problem '");
  s.append(name).push_back('\'');
  return s;
}

// ---- size guard --------------------------------------------------------------------------------
// Instances are built from their parameters when a suite is validated, before anything runs; one
// whose arrays would not fit comfortably in memory is refused before it allocates anything, naming
// the array and the sizes. Counts are doubles: products of parameters can pass 2^63.
struct ArraySize {
  const char* what;
  double rows, cols;
  double copies = 1;  // arrays of this shape held at once (W, the gradient, W*, ...)
};
constexpr double kMaxInstanceEntries = 5e7;  // 400 MB in double, about 1.6 GB in mp50

inline void require_feasible_size(const std::string& context, std::initializer_list<ArraySize> arrays) {
  double total = 0;
  const ArraySize* largest = nullptr;
  for (const auto& a : arrays) {
    total += a.rows * a.cols * a.copies;
    if (!largest || a.rows * a.cols > largest->rows * largest->cols) largest = &a;
  }
  if (total <= kMaxInstanceEntries) return;
  char buf[320];
  std::snprintf(buf, sizeof buf,
                ": %s is %.0f x %.0f = %g entries; the instance would hold %g entries in all, past the limit of %g "
                "(%g MB in double); use smaller sizes",
                largest->what, largest->rows, largest->cols, largest->rows * largest->cols, total, kMaxInstanceEntries,
                kMaxInstanceEntries * 8 / 1e6);
  throw Error(context + buf);
}

// ---- The options every problem ends with ---------------------------------------------------------
// After its own keys, every problem reads these, in this order (the order of parameter_docs(), and
// of the checks: of several bad values, the first is reported):
//   sigma              gradient noise, E||g - grad f||^2 = sigma^2, >= 0, default 0 (when `noise`)
//   init_scale         >= 0: the scale of initial_point(); default and meaning are the problem's
//   hessian_constants  auto | on | off (when `hessian_constants`; used by LeastSquaresModel)
// then rejects unknown keys (Options::finish), refuses an instance too large for memory
// (require_feasible_size, `arrays`) and records the parameters (parameters(), parameter_docs()).
struct CommonOptions {
  const char* init_scale;           // default, an exact decimal
  const char* init_scale_doc;       // what it scales
  bool noise = true;                // the problem takes gradient noise sigma
  bool hessian_constants = false;   // the problem computes its local constants from a Hessian
};

template <class T>
class ProblemBase : public Problem<T> {
 protected:
  // Reads the common options as `c` says, finishes `o`, checks `arrays`, records the parameters;
  // returns init_scale (sigma goes to noise_sigma(), hessian_constants to hessian_constants_).
  T finish_options(Options& o, const CommonOptions& c, std::initializer_list<ArraySize> arrays) {
    if (c.noise)
      this->sigma_ = o.real<T>("sigma", "0", Range::nonnegative(), "gradient noise: E||g - grad f||^2 = sigma^2");
    const T init_scale = o.real<T>("init_scale", c.init_scale, Range::nonnegative(), c.init_scale_doc);
    if (c.hessian_constants)
      hessian_constants_ = o.choice("hessian_constants", "auto", {"auto", "on", "off"},
                                    "compute mu, L from the eigenvalues of weight*J^T J at the minimizer; auto: only "
                                    "when #parameters <= 2000 (float, double) or <= 150 (mp50)");
    o.finish();
    require_feasible_size(o.context(), arrays);
    this->record_options(o);
    return init_scale;
  }
  std::string hessian_constants_ = "auto";
};

// ---- smooth activations ------------------------------------------------------------------------
// tanh; silu(z) = z s(z), s the logistic sigmoid; gelu = PyTorch's GELU(approximate='tanh'):
// z/2 (1 + tanh(c (z + a z^3))), c = sqrt(2/pi), a = 0.044715. All are C-infinity.
inline const std::vector<std::string>& activation_names() {
  static const std::vector<std::string> n{"tanh", "silu", "gelu"};
  return n;
}

template <class T>
struct Activation {
  std::string kind = "tanh";

  // y = act(z) entrywise; if dy is given, dy = act'(z).
  void apply(const Mat<T>& z, Mat<T>& y, Mat<T>* dy) const {
    using std::exp;
    using std::tanh;
    y.resize(z.rows(), z.cols());
    if (dy) dy->resize(z.rows(), z.cols());
    const long n = z.size();
    const T* zp = z.data();
    T* yp = y.data();
    T* dp = dy ? dy->data() : nullptr;
    if (kind == "tanh") {
      for (long i = 0; i < n; ++i) {
        const T t = tanh(zp[i]);
        yp[i] = t;
        if (dp) dp[i] = T(1) - t * t;
      }
    } else if (kind == "silu") {
      for (long i = 0; i < n; ++i) {
        const T s = T(1) / (T(1) + T(exp(-zp[i])));
        yp[i] = zp[i] * s;
        if (dp) dp[i] = s * (T(1) + zp[i] * (T(1) - s));
      }
    } else {  // gelu (tanh approximation)
      using std::sqrt;
      const T c = T(sqrt(T(2) / boost::math::constants::pi<T>()));
      const T a = from_decimal<T>("0.044715");
      for (long i = 0; i < n; ++i) {
        const T x = zp[i];
        const T t = tanh(c * (x + a * x * x * x));
        yp[i] = x * (T(1) + t) / T(2);
        if (dp) dp[i] = (T(1) + t) / T(2) + x * (T(1) - t * t) * c * (T(1) + T(3) * a * x * x) / T(2);
      }
    }
  }
};

// ---- [E, m, n] stacks ----------------------------------------------------------------------------
// A stack is stored (E*m) x n, slice e in rows e*m .. e*m+m-1 (harness/core/params.hpp). `wide` lays
// the slices side by side, m x (E*n): [S_0 S_1 ... S_{E-1}], the left factor of sum_e S_e H_e
// with H stacked (E*n) x p. `unwide` is its inverse.
template <class T>
Mat<T> stack_to_wide(const Mat<T>& s, long E) {
  const long m = s.rows() / E, n = s.cols();
  Mat<T> w(m, E * n);
  for (long e = 0; e < E; ++e) w.middleCols(e * n, n) = s.middleRows(e * m, m);
  return w;
}
template <class T>
Mat<T> wide_to_stack(const Mat<T>& w, long E) {
  const long m = w.rows(), n = w.cols() / E;
  Mat<T> s(E * m, n);
  for (long e = 0; e < E; ++e) s.middleRows(e * m, m) = w.middleCols(e * n, n);
  return s;
}

// ---- Hessians with gauge directions ------------------------------------------------------------
// Local constants at a minimizer from the eigenvalues of the Hessian H (Gauss-Newton J^T J at a
// zero-residual minimizer, where it is the exact Hessian). Near a minimizer manifold of
// dimension k (gauge symmetries, underdetermination) H has k zero eigenvalues and
//     lambda+_min(H) <= ||grad f||^2 / (2 (f - f*)) <= lambda_max(H)  + O(distance),
// so mu = lambda+_min and L = lambda_max, both local (docs/theory.md section 3 items 5, 9, 10).
// Eigenvalues below lambda_max * u^(3/4) count as zero: the computed zeros of an explicitly
// formed J^T J are O(u lambda_max) (about 1e-14 lambda_max in double with dozens of parameters),
// a factor u^(-1/4) (1e4 in double, 1e12 in mp50) below the threshold.
template <class T>
struct SpectrumSummary {
  T mu, L;
  long zeros = 0;
  std::vector<T> eigenvalues;  // ascending
};
template <class T>
SpectrumSummary<T> summarize_hessian(const Mat<T>& H) {
  using std::pow;
  const Vec<T> ev = linalg::sym_eigenvalues<T>(H);
  SpectrumSummary<T> s;
  s.L = ev(ev.size() - 1);
  const T u = T(std::numeric_limits<T>::epsilon()) / T(2);
  const T zero = s.L * T(pow(u, T(3) / T(4)));
  s.mu = s.L;
  for (long i = 0; i < ev.size(); ++i) {
    s.eigenvalues.push_back(ev(i));
    if (ev(i) <= zero)
      ++s.zeros;
    else if (ev(i) < s.mu)
      s.mu = ev(i);
  }
  return s;
}

}  // namespace mb
