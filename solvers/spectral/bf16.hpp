// bfloat16 emulation for Newton-Schulz, so that results of torch.optim.Muon (which always runs
// its iteration in bf16) can be reproduced. Values are held in float matrices whose entries are
// all bf16 numbers. What is emulated, exactly:
//   * casts: T -> float (round to nearest even) -> bf16 (round to nearest even), as c10 converts a
//     double tensor (c10::BFloat16 is constructed from float);
//   * matmuls: products of bf16 numbers are exact in float32; they are accumulated in float32
//     (Eigen's float GEMM, summation order Eigen's own, with fused multiply-add, which is exact
//     here) and the result is rounded once to bf16, as CPU bf16 GEMMs do;
//   * elementwise operations (scalar times matrix, sums, divisions, norms): computed in float32
//     from bf16 operands with float32 scalars (PyTorch's "opmath" for bf16), then rounded to bf16;
//     reductions (norms, row sums) accumulate in float32 and round the final value;
//   * two forms of a step (A = X @ X.T rounded in both):
//       "addmm"   torch.optim.Muon (PyTorch 2.11, as recorded in tests/data/torch_optim.json):
//                 B = torch.addmm(A, A, A, beta=b, alpha=c), X = torch.addmm(X, B, X, beta=a): each
//                 a float32 result rounded once;
//       "unfused" the written-out form of KellerJordan/Muon and modded-nanogpt,
//                 B = b*A + c*A @ A (Python evaluates (c*A) @ A), X = a*X + B @ X: every product,
//                 scalar multiple and sum rounded.
// Not emulated: the exact float32 summation order of a given BLAS (it can move a result across a
// bf16 rounding boundary, rarely). bf16 Newton-Schulz amplifies any one-ulp difference in its
// early steps to ~1e-2 in the output, so the form matters: "addmm" reproduces torch bit for bit
// (tests/test_spectral_bf16.cpp); "unfused" differs from it by up to 5e-2.
#pragma once

#include <array>
#include <string>
#include <vector>

#include "harness/core/scalar.hpp"
#include "solvers/spectral/common.hpp"

namespace mb::spectral::bf16 {

// Nearest bfloat16 to x, ties to even (c10::BFloat16's round_to_nearest_even); NaN stays NaN.
float round(float x);
void round_all(Mat<float>& m);

// Newton-Schulz on X (wide: rows <= cols; entries bf16 values) in emulated bf16 arithmetic, with
// the pre-normalisation of newton_schulz.hpp by name.
void newton_schulz(Mat<float>& X, const std::vector<std::array<float, 3>>& coeffs, Normalization normalization,
                   float eps, float safety, Bf16Form form);

}  // namespace mb::spectral::bf16
