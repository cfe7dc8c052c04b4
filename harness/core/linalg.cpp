// The one place Eigen's decompositions are instantiated, once per scalar type.
#include <Eigen/Cholesky>
#include <Eigen/Eigenvalues>
#include <Eigen/QR>
#include <Eigen/SVD>

#include "harness/core/linalg.hpp"
#include "harness/core/registry.hpp"

namespace mb::linalg {

template <class T>
Svd<T> thin_svd(const Mat<T>& M) {
  Eigen::BDCSVD<Mat<T>> svd(M, Eigen::ComputeThinU | Eigen::ComputeThinV);
  return Svd<T>{svd.matrixU(), svd.matrixV(), svd.singularValues()};
}

template <class T>
Vec<T> singular_values(const Mat<T>& M) {
  Eigen::BDCSVD<Mat<T>> svd(M);
  return svd.singularValues();
}

template <class T>
SymEig<T> sym_eig(const Mat<T>& S) {
  Eigen::SelfAdjointEigenSolver<Mat<T>> es(S);
  return SymEig<T>{es.eigenvalues(), es.eigenvectors()};
}

template <class T>
Vec<T> sym_eigenvalues(const Mat<T>& S) {
  Eigen::SelfAdjointEigenSolver<Mat<T>> es(S, Eigen::EigenvaluesOnly);
  return es.eigenvalues();
}

template <class T>
Mat<T> orthonormal_q(const Mat<T>& G) {
  const long n = G.rows(), r = G.cols();
  Eigen::HouseholderQR<Mat<T>> qr(G);
  Mat<T> q = qr.householderQ() * Mat<T>::Identity(n, r);
  const Mat<T>& R = qr.matrixQR();
  for (long j = 0; j < r; ++j)
    if (R(j, j) < T(0)) q.col(j) = -q.col(j);
  return q;
}

template <class T>
Mat<T> solve_spd(const Mat<T>& A, const Mat<T>& B) {
  return Eigen::LDLT<Mat<T>>(A).solve(B);
}

template <class T>
void gemm(MutRef<T> C, const ConstRef<T>& A, bool ta, const ConstRef<T>& B, bool tb, const T& alpha, const T& beta) {
  if (beta == T(0))
    C.setZero();
  else if (beta != T(1))
    C *= beta;
  if (!ta && !tb)
    C.noalias() += alpha * A * B;
  else if (ta && !tb)
    C.noalias() += alpha * A.transpose() * B;
  else if (!ta && tb)
    C.noalias() += alpha * A * B.transpose();
  else
    C.noalias() += alpha * A.transpose() * B.transpose();
}

template struct Svd<MB_SCALAR>;
template Svd<MB_SCALAR> thin_svd<MB_SCALAR>(const Mat<MB_SCALAR>&);
template Vec<MB_SCALAR> singular_values<MB_SCALAR>(const Mat<MB_SCALAR>&);
template SymEig<MB_SCALAR> sym_eig<MB_SCALAR>(const Mat<MB_SCALAR>&);
template Vec<MB_SCALAR> sym_eigenvalues<MB_SCALAR>(const Mat<MB_SCALAR>&);
template Mat<MB_SCALAR> orthonormal_q<MB_SCALAR>(const Mat<MB_SCALAR>&);
template void gemm<MB_SCALAR>(MutRef<MB_SCALAR>, const ConstRef<MB_SCALAR>&, bool, const ConstRef<MB_SCALAR>&, bool,
                              const MB_SCALAR&, const MB_SCALAR&);
template Mat<MB_SCALAR> solve_spd<MB_SCALAR>(const Mat<MB_SCALAR>&, const Mat<MB_SCALAR>&);

}  // namespace mb::linalg
