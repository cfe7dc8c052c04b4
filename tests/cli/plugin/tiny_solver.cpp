// A minimal plugin solver (W -= 0.1 g) named TINY_NAME, for tests/cli/plugin.sh.
#include <muonbench/plugin.hpp>

namespace mb {

template <class T>
class TinySolver final : public BlockSolver<T> {
 public:
  static constexpr const char* kName = TINY_NAME;
  static constexpr const char* kSummary = "test plugin";
  static constexpr const char* kUpdate = "W -= 0.1 g";
  static constexpr const char* kReference = "tests/cli/plugin/tiny_solver.cpp";
  explicit TinySolver(const json& hyper) : opts_(hyper, solver_context(kName)) { opts_.finish(); }
  json config() const override { return opts_.used(); }
  void update_block(size_t, Mat<T>& W, const Mat<T>& G) override { W -= T(1) / T(10) * G; }

 protected:
  void init_state(const Params<T>&) override {}

 private:
  Options opts_;
};

MB_REGISTER_SOLVER(TinySolver);

}  // namespace mb
