// muon-exact's step is exactly W <- W - lr * scale * U V^T of the Nesterov momentum:
// 1e-12 in double, 1e-40 in mp50, on a hand-built case whose polar factor is known in closed
// form (rotations with cos = 3/5, sin = 4/5), then on a second step checked against an
// independent polar factor u (u^T u)^(-1/2) from a symmetric eigendecomposition.
#include <gtest/gtest.h>

#include "harness/oracles.hpp"
#include "harness/core/linalg.hpp"
#include "harness/solver.hpp"

namespace {

using mb::Mat;

// Givens rotation in the (i, j) plane of R^n with cos = 3/5, sin = 4/5 (exact rationals).
template <class T>
Mat<T> rotation(long n, long i, long j) {
  Mat<T> g = Mat<T>::Identity(n, n);
  const T c = T(3) / T(5), s = T(4) / T(5);
  g(i, i) = c, g(j, j) = c, g(i, j) = -s, g(j, i) = s;
  return g;
}

template <class T>
Mat<T> polar_by_eig(const Mat<T>& u) {  // u (u^T u)^(-1/2), u of full column rank
  const auto es = mb::linalg::sym_eig<T>(u.transpose() * u);
  Mat<T> d = es.values.unaryExpr([](const T& x) { using std::sqrt; return T(T(1) / sqrt(x)); }).asDiagonal();
  return u * es.vectors * d * es.vectors.transpose();
}

template <class T>
void check(double tol) {
  // W is 4 x 3 (tall): scale = sqrt(max(1, 4/3)).
  const Mat<T> U = (rotation<T>(4, 0, 1) * rotation<T>(4, 1, 3) * rotation<T>(4, 2, 3)).leftCols(3);
  const Mat<T> V = rotation<T>(3, 0, 2) * rotation<T>(3, 1, 2);
  mb::Vec<T> s(3);
  s << T(5), T(2), T(1) / T(4);
  const Mat<T> G1 = U * s.asDiagonal() * V.transpose();
  Mat<T> W0(4, 3);
  for (long i = 0; i < 4; ++i)
    for (long j = 0; j < 3; ++j) W0(i, j) = T(i - 2 * j) / T(7);

  const mb::json hyper = {{"lr", "0.02"}, {"momentum", "0.95"}, {"weight_decay", "0.1"}, {"nesterov", true}};
  auto solver = mb::make_solver<T>("muon-exact", hyper);
  const std::vector<mb::BlockSpec> specs{{"W", {4, 3}}};
  mb::Params<T> w{W0};
  solver->init(specs, w);
  mb::NoOracle<T> oracle;
  solver->step(w, {G1}, oracle);

  using std::sqrt;
  const T lr = mb::from_decimal<T>("0.02"), mu = mb::from_decimal<T>("0.95"), wd = mb::from_decimal<T>("0.1");
  const T scale = sqrt(T(4) / T(3));
  // Step 1: buf = (1 - mu) G1, u = (1 - mu) G1 + mu buf is a positive multiple of G1: polar = U V^T.
  Mat<T> expected = W0 * (T(1) - lr * wd) - lr * scale * U * V.transpose();
  EXPECT_LT(mb::to_double(T((w[0] - expected).cwiseAbs().maxCoeff())), tol);

  // Step 2 with a different gradient: Nesterov momentum formed by hand, independent polar.
  Mat<T> G2(4, 3);
  for (long i = 0; i < 4; ++i)
    for (long j = 0; j < 3; ++j) G2(i, j) = T((i + 1) * (j + 2) % 5) / T(3) - T(j) / T(2);
  const Mat<T> buf1 = (T(1) - mu) * G1;
  const Mat<T> buf2 = mu * buf1 + (T(1) - mu) * G2;
  const Mat<T> u = (T(1) - mu) * G2 + mu * buf2;
  const Mat<T> W1 = w[0];
  solver->step(w, {G2}, oracle);
  expected = W1 * (T(1) - lr * wd) - lr * scale * polar_by_eig<T>(u);
  EXPECT_LT(mb::to_double(T((w[0] - expected).cwiseAbs().maxCoeff())), tol);
}

TEST(MuonExact, StepIsExactPolarOfNesterovMomentumDouble) { check<double>(1e-12); }
TEST(MuonExact, StepIsExactPolarOfNesterovMomentumMp50) { check<mb::mp50>(1e-40); }

}  // namespace
