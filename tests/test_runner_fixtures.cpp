#include "tests/test_runner_fixtures.hpp"

#include <atomic>
#include <stdexcept>
#include <unistd.h>

#include "harness/problem.hpp"

namespace mb::test {

json small_suite() {
  return json::parse(R"({
    "name": "t", "precisions": ["double", "mp50"], "seeds": [0, 1],
    "budget": {"max_steps": 200, "max_seconds": 60, "by_precision": {"mp50": {"max_steps": 60}}},
    "targets": ["1e-1", "1e-2"], "primary_target": "1e-2",
    "problems": [{"name": "quadratic-ls", "label": "ls", "params": {"m": 4, "n": 3, "p": 5, "q": 4, "kappa": 10}}],
    "solvers": [{"name": "sgd", "label": "gd", "grid": {"lr": [0.5, 0.9]}},
                {"name": "muon", "hyper": {"lr": 0.05, "weight_decay": 0}}],
    "claims": ["gd-pl-rate"]})");
}

TempDir::TempDir() {
  static std::atomic<int> counter{0};
  path = (std::filesystem::temp_directory_path() /
          ("muonbench-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++)))
             .string();
  std::filesystem::remove_all(path);
  std::filesystem::create_directories(path);
}
TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
}

namespace {
// f = 1/2 ||W||^2 on one 2 x 2 block, f* = 0; `fail(evaluation)` decides when to misbehave.
class Misbehaving final : public Problem<double> {
 public:
  enum Kind { nan_at_3, numerical_error_at_2, throws };
  explicit Misbehaving(Kind k) : kind_(k) {}
  const std::vector<BlockSpec>& blocks() const override { return specs_; }
  Params<double> initial_point(std::uint64_t) const override { return {Mat<double>::Constant(2, 2, 1.0)}; }
  double value(const Params<double>& w) const override { return w[0].squaredNorm() / 2; }
  double value_and_gradient(const Params<double>& w, Params<double>& g) const override {
    const int e = evaluations_++;
    if (kind_ == throws) throw std::runtime_error("test problem failure");
    if (kind_ == numerical_error_at_2 && e == 2) throw NumericalError("singular system");
    g = w;
    return kind_ == nan_at_3 && e == 3 ? std::nan("") : value(w);
  }
  Known<double> known() const override {
    Known<double> k;
    k.f_star = 0.0;
    k.f_star_source = "closed form";
    return k;
  }

 private:
  Kind kind_;
  std::vector<BlockSpec> specs_{BlockSpec{"W", {2, 2}}};
  mutable int evaluations_ = 0;
};

StaticRegistration register_test_problems([] {
  auto add = [](const char* name, Misbehaving::Kind k) {
    Registry<ProblemFactory<double>>::instance().add(name, [k](const json& p) {
      Options o(p, "problem");
      o.finish();
      return std::unique_ptr<Problem<double>>(new Misbehaving(k));
    });
  };
  add("test-nan-at-step-3", Misbehaving::nan_at_3);
  add("test-numerical-error", Misbehaving::numerical_error_at_2);
  add("test-throws", Misbehaving::throws);
});
}  // namespace

}  // namespace mb::test
