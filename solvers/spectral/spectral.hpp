// Spectral maps: the one library every Muon variant and every claim uses (never re-implemented
// inside a solver). Definitions in docs/theory.md section 2; schedules and conventions in docs/spectral.md.
// One map family per file pair, each compiled once per scalar type (float, double, mp50):
//
//   polar.hpp          polar(M) = U_r V_r^T (exact, SVD), rank threshold, op_norm
//   newton_schulz.hpp  NewtonSchulz<T>: named schedules, pre-normalisations, bf16 emulation
//   regularized.hpp    reg_polar (grad psi_eps), huber_polar, psi, psi*, grad psi*
//   power.hpp          SpectralPower<T>: U Sigma^p V^T by SVD or coupled Newton
//   roots.hpp          coupled Newton-Schulz sqrt / inverse sqrt, Guo-Higham inverse k-th root
//   products.hpp       symmetric products at half a GEMM (the kernels under the iterations)
//   map_command.hpp    the per-precision worker of `muonbench spectral`
// docs/spectral.md describes them, how they are tested and what they cost.
#pragma once

#include "solvers/spectral/newton_schulz.hpp"
#include "solvers/spectral/polar.hpp"
#include "solvers/spectral/power.hpp"
#include "solvers/spectral/products.hpp"
#include "solvers/spectral/regularized.hpp"
#include "solvers/spectral/roots.hpp"
