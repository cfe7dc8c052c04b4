// placeholder (issue 17): QK-clip wrapper, filled by its own commit
#include "harness/core/per_scalar.hpp"
#include "harness/solver.hpp"

namespace mb {
template <class T>
std::unique_ptr<Solver<T>> wrap_qk_clip(std::unique_ptr<Solver<T>>, const json&, const std::string& context) {
  throw Error(context + ": qk_clip is not available yet");
}
template std::unique_ptr<Solver<MB_SCALAR>> wrap_qk_clip<MB_SCALAR>(std::unique_ptr<Solver<MB_SCALAR>>, const json&,
                                                                    const std::string&);
}  // namespace mb
