// Matrix roots of a symmetric positive definite A by coupled Newton iterations, with no SVD and
// no eigendecomposition (docs/theory.md section 2g). Both are "coupled" forms, which are stable; the
// uncoupled Newton iterations for roots are not (Higham 1986, Guo & Higham 2006).
//
//   newton_schulz_sqrt   BeyondMuon's coupled Newton-Schulz (optimizers/spectral_ns.py):
//                        s = ||A||_F, Y0 = A/s, Z0 = I; T = (3I - Z Y)/2, Y <- Y T, Z <- T Z
//                        (optionally Y, Z <- (Y + Y^T)/2, (Z + Z^T)/2 every few steps, as BeyondMuon
//                        does every 5). Three full GEMMs per step: re-symmetrising Y, Z at every
//                        step (or computing only their lower triangles) breaks the coupling; it
//                        stalled or diverged on Gaussian Gram matrices with cond ~1e5..1e6
//                        (n = 60, 256; docs/spectral.md).
//                        Y -> (A/s)^(1/2), Z -> (A/s)^(-1/2). Per eigenvalue x = lambda/s the
//                        product Z Y evolves by x -> x (3 - x)^2 / 4: convergent for x in (0, 3),
//                        quadratic near 1, about x0 * 9/4 per step while small.
//   inverse_root_newton  Guo & Higham's coupled Newton for A^(-1/k): X0 = I/c, M0 = A/c^k,
//                        T = ((k+1) I - M)/k, X <- X T, M <- T^k M; invariant M = X^k A, M -> I.
//                        Per eigenvalue m -> m ((k+1-m)/k)^k: convergent for m in (0, k+1),
//                        quadratic near 1 (derivative 0 at m = 1), growth factor (1+1/k)^k <= e
//                        while small. We take c^k = ||A||_F, so m0 in (0, 1].
//
// Every product in Guo-Higham's iteration is a product of commuting symmetric matrices
// (polynomials in A), computed by sym_mul at half the cost of a GEMM and exactly symmetric: its
// iterate M stays near I, and forcing symmetry there is harmless (checked up to cond 1e6).
//
// Stopping rule (unless a fixed iteration count is asked for): with r_k = ||M_k - I||_F (Z Y - I
// for Newton-Schulz), stop when r_k <= tol (default 4 q u, u the unit roundoff of T); or, once
// in the quadratic regime (r_{k-1} < 1/4, where r_k <= r_{k-1}^2 in exact arithmetic), when r_k no
// longer halves: that is the rounding floor (about u q^(3/2) sqrt(cond A)), reported in
// `at_rounding_floor` (and accepted only if r_k <= sqrt(tol): a stall far above tol is a failure).
// Reaching max_iterations first leaves `converged = false`.
#pragma once

#include "solvers/spectral/common.hpp"

namespace mb::spectral {

struct NewtonOptions {
  double tol = 0;             // <= 0: 4 q u(T)
  int max_iterations = 100;
  int fixed_iterations = 0;   // > 0: exactly this many iterations, no stopping rule (BeyondMuon: 15)
  int symmetrize_every = 0;   // newton_schulz_sqrt: average Y, Z with their transposes every k steps (BeyondMuon: 5)
};

// A^(1/2) and/or A^(-1/2) (either pointer may be null). Throws NumericalError for A = 0.
template <class T>
void newton_schulz_sqrt(const Mat<T>& A, Mat<T>* sqrt_A, Mat<T>* inv_sqrt_A, const NewtonOptions& opt,
                        IterationReport& report);

// X = A^(-1/k), k >= 1. Throws NumericalError for A = 0.
template <class T>
void inverse_root_newton(const Mat<T>& A, int k, Mat<T>& X, const NewtonOptions& opt, IterationReport& report);

// P = S^j for symmetric S, j >= 0, by binary powering with sym_mul.
template <class T>
void sym_power(const Mat<T>& S, long j, Mat<T>& P);

}  // namespace mb::spectral
