# Hostile gradient traces and configurations for `muonbench replay`: ragged and mismatched
# matrices, empty gradients, values near the top of the double range, bad configurations.
replay() {  # replay CODE PATTERN SOLVER CONFIG [extra args]
  expect "$1" "$2" -- replay --solver "$3" --config "$4" --precision "${PREC:-double}" --in in/t.json --out out.json "${@:5}"
}
W='"w0": [[1, 2], [3, 4]]'

case_trace_not_object() { input t.json '[[1, 2]]'; replay 2 "trace: expected an object" sgd '{"lr": 0.1}'; }
case_trace_unknown_key() { input t.json "{$W, \"grads\": [], \"grad\": []}"; replay 2 "trace: unknown key 'grad'; valid keys: w0, grads" sgd '{"lr": 0.1}'; }
case_w0_missing() { input t.json '{"grads": [[[1]]]}'; replay 2 "trace: missing 'w0'" sgd '{"lr": 0.1}'; }
case_w0_scalar() { input t.json '{"w0": 3, "grads": [[[1]]]}'; replay 2 "trace.w0: expected a matrix" sgd '{"lr": 0.1}'; }
case_w0_ragged() { input t.json '{"w0": [[1, 2], [3]], "grads": [[[1, 2], [3, 4]]]}'; replay 2 "trace.w0\[1\]: ragged matrix" sgd '{"lr": 0.1}'; }
case_grads_missing() { input t.json "{$W}"; replay 2 "trace.grads: expected a (non-empty )?list" sgd '{"lr": 0.1}'; }
case_grads_empty() { input t.json "{$W, \"grads\": []}"; replay 2 "trace.grads: expected a non-empty list" sgd '{"lr": 0.1}'; }
case_grad_empty_matrix() { input t.json "{$W, \"grads\": [[]]}"; replay 2 "trace.grads\[0\]: the matrix is empty" sgd '{"lr": 0.1}'; }
case_grad_ragged() { input t.json "{$W, \"grads\": [[[1, 2], [3, 4]], [[1, 2], [3, 4, 5]]]}"; replay 2 "trace.grads\[1\]\[1\]: ragged matrix" sgd '{"lr": 0.1}'; }
case_grad_shape_mismatch() { input t.json "{$W, \"grads\": [[[1, 2, 3], [4, 5, 6]]]}"; replay 2 "trace.grads\[0\]: block 'W' must be 2 x 2, got 2 x 3" sgd '{"lr": 0.1}'; }
case_grad_transposed() { input t.json '{"w0": [[1, 2, 3]], "grads": [[[1], [2], [3]]]}'; replay 2 "trace.grads\[0\]: block 'W' must be 1 x 3, got 3 x 1" muon '{"lr": 0.1}'; }
case_grad_nan_string() { input t.json "{$W, \"grads\": [[[1, 2], [\"nan\", 4]]]}"; replay 2 "trace.grads\[0\]\[1\]\[0\]" adam '{"lr": 0.1}'; }
case_grad_nan_token() { input t.json "{$W, \"grads\": [[[1, 2], [NaN, 4]]]}"; replay 2 "in/t.json.*malformed JSON" adam '{"lr": 0.1}'; }
case_grad_infinity_mp50() { input t.json "{$W, \"grads\": [[[1, 2], [3, \"Infinity\"]]]}"; PREC=mp50 replay 2 "trace.grads\[0\]\[1\]\[1\]" sgd '{"lr": 0.1}'; }
case_grad_too_large() {
  input_py t.json "json.dumps({'w0': [[0.0] * 2000] * 2000, 'grads': [[[0.0] * 2000] * 2000]})"
  replay 2 "trace.w0: 2000 x 2000 = 4000000 entries, more than --max-entries" sgd '{"lr": 0.1}'
}
case_momentum_overflow() {
  # Finite data whose update overflows: the replay fails at the step that overflowed, naming it.
  input t.json '{"w0": [[1e308, 0]], "grads": [[[1e308, 0]], [[1e308, 0]], [[1e308, 0]]]}'
  replay 1 "step 2: .*non-finite" sgd '{"lr": 1, "momentum": 0.9}'
}
case_adam_second_moment_overflow() {
  # g^2 overflows in Adam's second moment: refused at that step, never a silent zero update.
  input t.json '{"w0": [[1, 2]], "grads": [[[1e300, 1]]]}'
  replay 1 "step 1: .*(second moment|non-finite)" adam '{"lr": 0.001}'
}
case_muon_near_overflow() {
  # The orthogonalized momentum of a huge gradient is computed correctly (scale invariance), so the
  # step is exactly lr * polar(G) as for a small gradient.
  input t.json '{"w0": [[0, 0], [0, 0]], "grads": [[[1e308, 1e308], [1e308, 1e308]]]}'
  expect_result out.json "got = [[float(x) for x in r] for r in doc['trajectory'][0]]
assert all(abs(x + 0.05) < 1e-15 for r in got for x in r), got" \
    -- replay --solver muon-exact --config '{"lr": 0.1, "nesterov": false, "weight_decay": 0}' --precision double --in in/t.json --out out.json
}
case_config_not_object() { input t.json "{$W, \"grads\": [[[1, 2], [3, 4]]]}"; replay 2 "--config.*(expected an object|JSON object)" sgd '[0.1]'; }
case_config_lr_negative() { input t.json "{$W, \"grads\": [[[1, 2], [3, 4]]]}"; replay 2 "lr must be > 0, got -1" muon '{"lr": -1}'; }
case_config_unknown_key() { input t.json "{$W, \"grads\": [[[1, 2], [3, 4]]]}"; replay 2 "unknown key 'learning_rat'" adamw '{"learning_rat": 0.1}'; }
case_config_missing_file() { input t.json "{$W, \"grads\": [[[1, 2], [3, 4]]]}"; replay 2 "--config: cannot open 'in/nope.json'" sgd in/nope.json; }
case_unknown_solver() { input t.json "{$W, \"grads\": [[[1, 2], [3, 4]]]}"; replay 2 "unknown solver 'sdg'.*sgd" sdg '{}'; }
case_unknown_precision() { input t.json "{$W, \"grads\": [[[1, 2], [3, 4]]]}"; PREC=quad replay 2 "unknown precision 'quad'.*mp50" sgd '{"lr": 0.1}'; }
case_in_missing() { replay 2 "--in: cannot open 'in/t.json'" sgd '{"lr": 0.1}'; }
# 3-D traces [E][m][n] (MoE experts): every expert slice has slice 0's shape, and a gradient with
# the same storage but another expert split is refused.
case_w0_experts_unequal() { input t.json '{"w0": [[[1, 2], [3, 4]], [[1, 2, 3], [4, 5, 6]]], "grads": [[[[1, 2], [3, 4]], [[1, 2], [3, 4]]]]}'; replay 2 "trace.w0\[1\]: every expert slice must have the shape of slice 0 \(2 x 2\)" sgd '{"lr": 0.1}'; }
case_grad_expert_split() { input t.json '{"w0": [[[1, 2], [3, 4]], [[5, 6], [7, 8]]], "grads": [[[[1, 2]], [[3, 4]], [[5, 6]], [[7, 8]]]]}'; replay 2 "trace.grads\[0\]: shape \[4, 1, 2\], expected \[2, 2, 2\]" sgd '{"lr": 0.1}'; }
# The solvers of issue 17 refuse bad settings before any step, naming the key and the valid values.
case_normuon_unknown_convention() { input t.json "{$W, \"grads\": [[[1, 2], [3, 4]]]}"; replay 2 "solver 'normuon'.*convention must be one of normuon, dion, got 'keller'" normuon '{"convention": "keller"}'; }
case_dion_rank_fraction_above_one() { input t.json "{$W, \"grads\": [[[1, 2], [3, 4]]]}"; replay 2 "solver 'dion': rank_fraction must be in \(0, 1\], got 1.5" dion '{"rank_fraction": 1.5}'; }
case_dion2_fraction_zero() { input t.json "{$W, \"grads\": [[[1, 2], [3, 4]]]}"; replay 2 "solver 'dion2': fraction must be in \(0, 1\], got 0" dion2 '{"fraction": 0}'; }
case_scion_unknown_block() { input t.json "{$W, \"grads\": [[[1, 2], [3, 4]]]}"; replay 2 "unknown block 'nope' in solver 'scion'.*known blocks: W" scion '{"blocks": {"nope": "Sign"}}'; }
case_shampoo_negative_epsilon() { input t.json "{$W, \"grads\": [[[1, 2], [3, 4]]]}"; replay 2 "solver 'shampoo': epsilon must be > 0, got -1" shampoo '{"epsilon": -1}'; }
case_soap_one_beta() { input t.json "{$W, \"grads\": [[[1, 2], [3, 4]]]}"; replay 2 "solver 'soap': betas must have exactly two entries" soap '{"betas": [0.9]}'; }
case_polargrad_qdwh() { input t.json "{$W, \"grads\": [[[1, 2], [3, 4]]]}"; replay 2 "solver 'polargrad': method must be one of svd, ns, got 'qdwh'" polargrad '{"method": "qdwh"}'; }
case_adamuon_negative_lr() { input t.json "{$W, \"grads\": [[[1, 2], [3, 4]]]}"; replay 2 "solver 'adamuon': lr must be > 0, got -0.1" adamuon '{"lr": -0.1}'; }
case_adjust_lr_typo() { input t.json "{$W, \"grads\": [[[1, 2], [3, 4]]]}"; replay 2 "unknown adjust_lr mode 'spectrl'.*known adjust_lr modes: original, match_rms_adamw, spectral, none" muon '{"adjust_lr": "spectrl"}'; }
case_qk_clip_without_problem() { input t.json "{$W, \"grads\": [[[1, 2], [3, 4]]]}"; replay 2 "qk_clip: needs the problem's attention logits, but the oracle has no problem" muon '{"qk_clip": {"tau": 100}}'; }
