// flow-blockwise: the blockwise inertial flow on `moe` satisfies the blockwise dissipation identity
// (docs/theory.md 2c, "Blockwise version" (derivation of this project)): with one kinetic energy per expert slice and per gate
// matrix, K(p) = sum_e psi_eps(p_{A,e}) + psi_eps(p_C) (minus q eps each), the maps are blockwise
// regularized polar maps and
//     H(T) + gamma int_0^T sum_b <p_b, grad K_b(p_b)> dt = H(0),   H = f + K.
// Instance: moe (form gate, E = 3, d = 3, d_o = 2, 12 samples, seed 0): blocks A [3, 2, 3] (three
// expert slices) and C [3, 3]; muon-flow with kinetic "slice", gamma = 1/2, eps = 1/2, p(0) = 0,
// T = 1, rk4 at dt = 1/4 ... 1/4 2^-(levels-1) (6 levels double, 9 mp50).
// Parts: slope 4 of the residual over the 5 finest step sizes (atom: fitted = 4), and the identity
// in the limit dt -> 0: Romberg lim (H(0) - H(T)) = lim D(T), the dissipated energy the predicted
// side (the same checks and tolerance models as flow-dissipation; claims/flow_support.hpp).
// Decoy gamma-x1.1 (edge): the identity with the dissipated energy (gamma) x 11/10.
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
          {{"whole-block-K", "H with one psi_eps per whole block (the expert stack as one matrix) for a blockwise run"},
           {"gamma-x1.1", "the identity with the dissipated energy (the dissipation coefficient gamma) x 1.1"}},
          {{"order-rk4", "residual slope 4 in dt"},
           {"richardson-limit", "Romberg limits: H(0) - H(T) = gamma int sum_b <p_b, grad K_b(p_b)> dt"}}};
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
  std::vector<T> dt, res, rnd, lhs, rhs, dlhs, drhs;
  for (int k = 0; k < (mp ? 9 : 6); ++k) {
    const auto r = claims::run_flow<T>(*prob, cfg, T(1), 4L << k, decoys);
    dt.push_back(r.dt), res.push_back(r.residual), rnd.push_back(r.rounding);
    lhs.push_back(r.drop), rhs.push_back(r.dissipated);
    dlhs.push_back(r.decoy_drops[0]), drhs.push_back(r.decoy_integrals[0]);
  }
  const size_t a = dt.size() - 5;
  auto tail = [a](const std::vector<T>& v) { return std::vector<T>(v.begin() + a, v.end()); };
  const json instance = {{"problem", "moe"}, {"params", params}, {"kinetic", "slice"}, {"gamma", "1/2"},
                         {"eps", "1/2"}, {"T", 1}, {"scheme", "rk4"}, {"dt", "1/4, 1/8, ..."}, {"p0", 0}};
  const std::string lim_src = "Romberg a-posteriori estimate + tableau amplification x rounding model";
  claims::Outcomes<T> out(ctx, flow_blockwise_info(), instance);
  out.of("order-rk4", "fit_slope spread + rounding model n stages (d+4) u (|H0| + D)")
      .push_back(claims::residual_slope_check<T>("rk4", tail(dt), tail(res), tail(rnd), T(4)));
  out.of("richardson-limit", lim_src).push_back(claims::limit_check<T>("rk4", lhs, rhs, rnd, 4));
  out.of("whole-block-K", lim_src).push_back(claims::limit_check<T>("rk4", dlhs, drhs, rnd, 4));
  out.edge("gamma-x1.1", "richardson-limit", T(11) / T(10));
  return out.outcomes();
}

}  // namespace

MB_REGISTER_CLAIM(flow_blockwise_info, flow_blockwise);

}  // namespace mb
