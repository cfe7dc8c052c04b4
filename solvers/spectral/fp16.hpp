// float16 emulation for Newton-Schulz in the compute dtype of Dao-AILab/gram-newton-schulz
// (gram_newton_schulz.py: `X = X.to(torch.float32)`, `X /= X.norm(...) + eps`, `X = X.to(torch.float16)`,
// then every product a torch.baddbmm / matmul on float16 tensors). Values are held in float
// matrices whose entries are all binary16 numbers. What is emulated, exactly:
//   * casts: T -> float (round to nearest even); the normalisation X / (||X||_F + eps) in float32
//     (norm accumulated in float32, rounded once), then float -> fp16 (round to nearest even,
//     subnormals down to 2^-24, overflow to inf), as c10::Half does;
//   * every matmul and every baddbmm beta C + alpha A B: products of fp16 numbers are exact in
//     float32, accumulated in float32 and the result rounded once to fp16 (cuBLAS with float32
//     compute, as PyTorch runs half GEMMs); coefficients float32;
//   * `Z + a * I`: a * I rounded to fp16 (a itself rounded), then the sum rounded.
// Not emulated: the float32 summation order of a given GEMM.
#pragma once

#include <array>
#include <vector>

#include "harness/core/scalar.hpp"

namespace mb::spectral::fp16 {

// Nearest binary16 value of x (ties to even), returned as a float; +-inf beyond 65520; NaN stays.
float round(float x);
void round_all(Mat<float>& m);

// X (wide: rows <= cols, float32 values of the input) -> Newton-Schulz in emulated fp16, with the
// reference's normalisation X / (safety ||X||_F + eps) in float32. gram: the Gram variant with
// restarts at the 0-based steps `restarts` (a square X runs the plain step, as the reference does).
void newton_schulz(Mat<float>& X, const std::vector<std::array<float, 3>>& coeffs, float eps, float safety, bool gram,
                   const std::vector<int>& restarts);

}  // namespace mb::spectral::fp16
