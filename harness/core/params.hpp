// Parameters: a problem's variables are a list of named blocks (matrices, vectors, scalars, or
// stacks of matrices such as an MoE expert tensor [E, m, n]).
//
// Storage: every block is an Eigen matrix. shape [m, n] -> m x n; [E, m, n] -> (E*m) x n with
// slice e in rows e*m .. e*m+m-1; [n] -> n x 1; [] -> 1 x 1.
#pragma once

#include <string>
#include <vector>

#include "harness/core/scalar.hpp"

namespace mb {

struct BlockSpec {
  std::string name;
  std::vector<long> shape;
  // How a blockwise solver may split each m x n slice further: into `parts` equal row blocks
  // (attention heads, the Q/K/V parts of a fused projection). Ordinary solvers ignore it.
  long parts = 1;
  // A matrix that matrix solvers nevertheless hand to their per-entry fallback (AdamW), as every
  // peer does with token and position embeddings and with output (classifier, unembedding) heads:
  // Keller Jordan's Muon README, "Muon should only be used for hidden weight layers".
  bool to_fallback = false;

  bool is_matrix() const { return shape.size() >= 2; }
  // What a matrix solver orthogonalizes: a matrix not marked to_fallback.
  bool takes_matrix_rule() const { return is_matrix() && !to_fallback; }
  long slices() const { return shape.size() == 3 ? shape[0] : 1; }
  long rows() const {  // rows of one slice
    if (shape.empty()) return 1;
    return shape.size() == 1 ? shape[0] : shape[shape.size() - 2];
  }
  long cols() const { return shape.size() >= 2 ? shape.back() : 1; }
  long storage_rows() const { return slices() * rows(); }
  long size() const { return storage_rows() * cols(); }
  std::string shape_text() const;
};

template <class T>
using Params = std::vector<Mat<T>>;

template <class T>
Params<T> zeros_like(const std::vector<BlockSpec>& specs) {
  Params<T> p;
  p.reserve(specs.size());
  for (const auto& s : specs) p.push_back(Mat<T>::Zero(s.storage_rows(), s.cols()));
  return p;
}
// Zero matrices shaped like `w` (solver state such as momentum buffers).
template <class T>
Params<T> zeros_like(const Params<T>& w) {
  Params<T> p;
  p.reserve(w.size());
  for (const auto& m : w) p.push_back(Mat<T>::Zero(m.rows(), m.cols()));
  return p;
}

template <class T>
T squared_norm(const Params<T>& p) {
  T s(0);
  for (const auto& b : p) s += b.squaredNorm();
  return s;
}

template <class T>
T dot(const Params<T>& a, const Params<T>& b) {
  T s(0);
  for (size_t i = 0; i < a.size(); ++i) s += a[i].cwiseProduct(b[i]).sum();
  return s;
}

long total_size(const std::vector<BlockSpec>& specs);

// Throws NumericalError naming the block and entry if any entry is NaN/Inf.
template <class T>
void require_finite(const Params<T>& p, const std::vector<BlockSpec>& specs, const std::string& what);

// Throws Error if shapes differ from specs ("<field>: block 'W' must be 4 x 3, got 3 x 4").
template <class T>
void require_shapes(const Params<T>& p, const std::vector<BlockSpec>& specs, const std::string& field);

}  // namespace mb
