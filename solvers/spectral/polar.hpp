// The exact polar factor (docs/theory.md section 2 notation): polar(M) = U_r V_r^T from the thin SVD,
// restricted to the singular values above rank_threshold() (common.hpp). The zero matrix maps to
// the zero matrix. Any shape m x n; float, double, mp50.
#pragma once

#include "solvers/spectral/common.hpp"

namespace mb::spectral {

template <class T>
Mat<T> polar(const Mat<T>& M);

// polar() and the numerical rank r it used.
template <class T>
Mat<T> polar(const Mat<T>& M, long& rank);

}  // namespace mb::spectral
