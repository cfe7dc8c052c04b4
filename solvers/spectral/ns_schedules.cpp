// Newton-Schulz schedules and pre-normalisations by name (docs/spectral.md; optax
// optax/contrib/_muon.py; modded-nanogpt's Polar Express list). Plain code: the tables are the
// same for every scalar type; generic code parses the decimal strings exactly into its own type.
#include "harness/core/error.hpp"
#include "harness/core/scalar.hpp"
#include "solvers/spectral/newton_schulz.hpp"

namespace mb::spectral {
namespace {

using Abc = std::array<std::string, 3>;

const std::vector<Abc>& you_list() {  // optax _DION_NS_COEFFS
  static const std::vector<Abc> l{{"4.0848", "-6.8946", "2.9270"},
                                  {"3.9505", "-6.3029", "2.6377"},
                                  {"3.7418", "-5.5913", "2.3037"},
                                  {"2.8769", "-3.1427", "1.2046"},
                                  {"2.8366", "-3.0525", "1.2012"}};
  return l;
}

const std::vector<Abc>& polar_express_list() {  // Amsel et al. 2505.16932, 5 steps, safety 1.02
  static const std::vector<Abc> l{
      {"8.156554524902461", "-22.48329292557795", "15.878769915207462"},
      {"4.042929935166739", "-2.808917465908714", "0.5000178451051316"},
      {"3.8916678022926607", "-2.772484153217685", "0.5060648178503393"},
      {"3.285753657755655", "-2.3681294933425376", "0.46449024233003106"},
      {"2.3465413258596377", "-1.7097828382687081", "0.42323551169305323"}};
  return l;
}

// The first `steps` entries of `l`, its last entry repeated when `steps` is longer.
std::vector<Abc> run_list(const std::vector<Abc>& l, int steps) {
  std::vector<Abc> out;
  for (int k = 0; k < steps; ++k) out.push_back(l[std::min<size_t>(static_cast<size_t>(k), l.size() - 1)]);
  return out;
}

}  // namespace

const std::vector<std::string>& schedule_names() {
  static const std::vector<std::string> names{"jordan", "you", "polar-express", "classic", "cubic", "custom"};
  return names;
}

const std::vector<std::string>& normalization_names() {
  static const std::vector<std::string> names{"frobenius", "frobenius-additive", "spectral", "schatten", "aol", "none"};
  return names;
}

Normalization normalization_of(const std::string& name) {
  const auto& n = normalization_names();
  for (size_t i = 0; i < n.size(); ++i)
    if (n[i] == name) return static_cast<Normalization>(i);
  throw_unknown("Newton-Schulz normalization", name, "norm", n);
}

Bf16Form bf16_form_of(const std::string& name) {
  if (name == "addmm") return Bf16Form::addmm;
  if (name == "unfused") return Bf16Form::unfused;
  throw Error("newton-schulz: bf16_form must be one of addmm, unfused, got '" + name + "'");
}

std::vector<Abc> schedule_coefficients(const NewtonSchulzConfig& cfg) {
  if (cfg.steps < 0) throw Error("newton-schulz: steps must be >= 0, got " + std::to_string(cfg.steps));
  const std::string& s = cfg.schedule;
  if (s == "jordan") return run_list({{"3.4445", "-4.7750", "2.0315"}}, cfg.steps);
  if (s == "you") return run_list(you_list(), cfg.steps);
  if (s == "polar-express") return run_list(polar_express_list(), cfg.steps);
  if (s == "classic") return run_list({{"1.875", "-1.25", "0.375"}}, cfg.steps);  // (15, -10, 3)/8
  if (s == "cubic") return run_list({{"1.5", "-0.5", "0"}}, cfg.steps);           // X(3I - X^T X)/2
  if (s == "custom") {
    if (cfg.coefficients.empty())
      throw Error("newton-schulz: schedule 'custom' needs a non-empty list of (a, b, c) coefficients");
    return run_list(cfg.coefficients, cfg.steps);
  }
  throw_unknown("Newton-Schulz schedule", s, "schedule", schedule_names());
}

std::string schedule_safety(const NewtonSchulzConfig& cfg) {
  if (!cfg.safety.empty()) return cfg.safety;
  return cfg.schedule == "polar-express" ? "1.02" : "1";
}

void validate(const NewtonSchulzConfig& cfg) {
  const auto coeffs = schedule_coefficients(cfg);  // schedule name, steps, custom list
  for (size_t k = 0; k < cfg.coefficients.size(); ++k)
    for (int i = 0; i < 3; ++i)
      parse_decimal<mp50>(cfg.coefficients[k][static_cast<size_t>(i)],
                          "coefficients[" + std::to_string(k) + "][" + std::to_string(i) + "]");
  bool known = false;
  for (const auto& n : normalization_names()) known = known || n == cfg.normalization;
  if (!known) throw_unknown("Newton-Schulz normalization", cfg.normalization, "norm", normalization_names());
  if (cfg.bf16_form != "addmm" && cfg.bf16_form != "unfused")
    throw Error("newton-schulz: bf16_form must be one of addmm, unfused, got '" + cfg.bf16_form + "'");
  if (!(parse_decimal<mp50>(cfg.eps, "eps") > 0)) throw Error("newton-schulz: eps must be > 0, got " + cfg.eps);
  if (!(parse_decimal<mp50>(schedule_safety(cfg), "safety") > 0))
    throw Error("newton-schulz: safety must be > 0, got " + cfg.safety);
}

}  // namespace mb::spectral
