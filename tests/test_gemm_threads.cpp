// Threads inside one product (harness/core/threads.hpp): one by default, so that parallel cells
// never oversubscribe the cores; more only when asked, and then the product is still the product.
#include <gtest/gtest.h>

#include "harness/core/scalar.hpp"
#include "harness/core/threads.hpp"

namespace mb {
namespace {

TEST(GemmThreads, OneThreadPerProductUnlessAsked) { EXPECT_EQ(gemm_threads(), 1); }

TEST(GemmThreads, ParallelProductAgreesWithTheSerialOneToRounding) {
  if (!gemm_threads_available()) GTEST_SKIP() << "built without OpenMP";
  const Mat<double> a = Mat<double>::Random(300, 256), b = Mat<double>::Random(256, 280);
  const Mat<double> serial = a * b;
  set_gemm_threads(2);
  EXPECT_EQ(gemm_threads(), 2);
  const Mat<double> parallel = a * b;
  set_gemm_threads(1);
  EXPECT_EQ(gemm_threads(), 1);
  // Eigen's blocking may change with the thread count: equal to rounding, not necessarily bit for bit.
  EXPECT_LT((parallel - serial).cwiseAbs().maxCoeff(), 1e-12 * serial.cwiseAbs().maxCoeff());
}

}  // namespace
}  // namespace mb
