// flow-blockwise: the blockwise inertial flow on `moe` satisfies the blockwise dissipation identity
// (docs/theory.md 2c, "Blockwise version" (derivation of this project)): with one kinetic energy per expert slice and per gate
// matrix, K(p) = sum_e psi_eps(p_{A,e}) + psi_eps(p_C) (minus q eps each), the maps are blockwise
// regularized polar maps and
//     H(T) + gamma int_0^T sum_b <p_b, grad K_b(p_b)> dt = H(0),   H = f + K.
// Instance: moe (form gate, E = 3, d = 3, d_o = 2, 12 samples, seed 0): blocks A [3, 2, 3] (three
// expert slices) and C [3, 3]; muon-flow with kinetic "slice", gamma = 1/2, eps = 1/2, p(0) = 0,
// T = 1, rk4 at dt = 1/4 ... 1/4 2^-(levels-1) (6 levels double, 9 mp50).
// Parts: slope 4 of the residual over the 5 finest step sizes, and its Romberg limit 0 (the same
// checks and tolerance models as flow-dissipation; claims/flow_support.hpp).
// Decoy whole-block-K: the same blockwise run, but H evaluated with one psi_eps over each whole
// block (the A stack as one 9 x 3 matrix): that energy is not dissipated at the blockwise rate, so
// its residual has a nonzero limit.
#include "claims/flow_support.hpp"

namespace mb {
namespace {

ClaimInfo flow_blockwise_info() {
  return {"flow-blockwise",
          "The blockwise inertial flow (one smoothed nuclear norm per block/expert slice) on a mixture of experts "
          "satisfies the blockwise dissipation identity H(T) + gamma int sum_b <p_b, grad K_b(p_b)> dt = H(0).",
          "K = sum_b psi_eps(p_b) - q_b eps;  H(T) + gamma int_0^T sum_b <p_b, grad K_b(p_b)> dt - H(0) = 0",
          "docs/theory.md 2c (Particles and mean field: blockwise version) (derivation of this project); instance docs/theory.md 3 item 10",
          "as flow-dissipation: slope by fit_slope with rounding n stages (d + 4) u (|H0| + D); limit by the Romberg "
          "a-posteriori estimate + amplification x rounding",
          {{"whole-block-K", "H with one psi_eps per whole block (the expert stack as one matrix) for a blockwise run"}},
          {{"order-rk4", "residual slope 4 in dt"}, {"richardson-limit", "Romberg-extrapolated residual is 0"}}};
}

template <class T>
std::vector<ClaimOutcome> flow_blockwise(const ClaimContext& ctx) {
  const json params = {{"E", 3}, {"d", 3}, {"d_o", 2}, {"samples", 12}};
  auto prob = make_problem<T>("moe", params);
  flow::FlowConfig<T> cfg;
  cfg.gamma = T(1) / T(2), cfg.eps = T(1) / T(2), cfg.scheme = "rk4", cfg.per_slice = true;
  flow::FlowConfig<T> whole = cfg;
  whole.per_slice = false;
  auto whole_flow = std::make_shared<flow::Flow<T>>(whole, prob->blocks());
  std::vector<claims::FlowDecoy<T>> decoys = {
      {[whole_flow](const flow::Flow<T>& fl, const Params<T>&, const Params<T>& p) { return fl.f() + whole_flow->kinetic(p); },
       [whole_flow](const Params<T>&, const Params<T>& p) { return whole_flow->dissipation_rate(p); }}};
  constexpr bool mp = is_mp50<T>;
  std::vector<T> dt, res, rnd, dec;
  for (int k = 0; k < (mp ? 9 : 6); ++k) {
    const auto r = claims::run_flow<T>(*prob, cfg, T(1), 4L << k, decoys);
    dt.push_back(r.dt), res.push_back(r.residual), rnd.push_back(r.rounding), dec.push_back(r.decoy_residuals[0]);
  }
  const size_t a = dt.size() - 5;
  auto tail = [a](const std::vector<T>& v) { return std::vector<T>(v.begin() + a, v.end()); };
  const json instance = {{"problem", "moe"}, {"params", params}, {"kinetic", "slice"}, {"gamma", "1/2"},
                         {"eps", "1/2"}, {"T", 1}, {"scheme", "rk4"}, {"dt", "1/4, 1/8, ..."}, {"p0", 0}};
  std::vector<ClaimOutcome> out{
      claims::combine<T>("order-rk4", false, {claims::residual_slope_check<T>("rk4", tail(dt), tail(res), tail(rnd), T(4))},
                         instance, "fit_slope spread + rounding model n stages (d+4) u (|H0| + D)"),
      claims::combine<T>("richardson-limit", false, {claims::limit_check<T>("rk4", res, rnd, 4)}, instance,
                         "Romberg a-posteriori estimate + tableau amplification x rounding model")};
  if (ctx.decoys)
    out.push_back(claims::combine<T>("whole-block-K", true, {claims::limit_check<T>("rk4", dec, rnd, 4)}, instance,
                                     "Romberg a-posteriori estimate + tableau amplification x rounding model"));
  return out;
}

}  // namespace

MB_REGISTER_CLAIM(flow_blockwise_info, flow_blockwise);

}  // namespace mb
