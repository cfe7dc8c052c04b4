#include "harness/core/params.hpp"

#include "harness/core/error.hpp"

namespace mb {

std::string BlockSpec::shape_text() const {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

long total_size(const std::vector<BlockSpec>& specs) {
  long n = 0;
  for (const auto& s : specs) n += s.size();
  return n;
}

template <class T>
void require_finite(const Params<T>& p, const std::vector<BlockSpec>& specs, const std::string& what) {
  for (size_t b = 0; b < p.size(); ++b)
    for (Eigen::Index j = 0; j < p[b].cols(); ++j)
      for (Eigen::Index i = 0; i < p[b].rows(); ++i)
        if (!is_finite(p[b](i, j)))
          throw NumericalError(what + " is not finite in block '" + (b < specs.size() ? specs[b].name : "?") +
                               "' at entry (" + std::to_string(i) + ", " + std::to_string(j) + ")");
}

template <class T>
void require_shapes(const Params<T>& p, const std::vector<BlockSpec>& specs, const std::string& field) {
  if (p.size() != specs.size())
    throw Error(field + ": expected " + std::to_string(specs.size()) + " blocks, got " + std::to_string(p.size()));
  for (size_t b = 0; b < p.size(); ++b)
    if (p[b].rows() != specs[b].storage_rows() || p[b].cols() != specs[b].cols())
      throw Error(field + ": block '" + specs[b].name + "' must be " + std::to_string(specs[b].storage_rows()) +
                  " x " + std::to_string(specs[b].cols()) + ", got " + std::to_string(p[b].rows()) + " x " +
                  std::to_string(p[b].cols()));
}

#define MB_INSTANTIATE_PARAMS(T)                                                              \
  template void require_finite<T>(const Params<T>&, const std::vector<BlockSpec>&, const std::string&); \
  template void require_shapes<T>(const Params<T>&, const std::vector<BlockSpec>&, const std::string&);
MB_INSTANTIATE_PARAMS(float)
MB_INSTANTIATE_PARAMS(double)
MB_INSTANTIATE_PARAMS(mp50)

}  // namespace mb
