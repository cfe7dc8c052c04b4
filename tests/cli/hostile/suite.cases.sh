# Hostile suites: every field of a suite given the wrong type, empty, negative, zero, huge,
# NaN/Infinity, or an unknown name. Each is refused before anything runs (exit 2, the field named,
# no output directory). See run_case.sh for what is checked.
P='"problems": [{"name": "quadratic-ls"}]'
S='"solvers": [{"name": "sgd"}]'
bad() {  # bad PATTERN JSON-FIELDS: a suite {"name": "x", FIELDS} refused with PATTERN
  input s.json "{\"name\": \"x\", $2}"
  expect 2 "$1" -- run --suite in/s.json --out out
}

case_name_number() { input s.json "{\"name\": 7, $P, $S}"; expect 2 "suite.name: expected a non-empty string" -- run --suite in/s.json --out out; }
case_name_empty() { input s.json "{\"name\": \"\", $P, $S}"; expect 2 "suite.name: expected a non-empty string" -- run --suite in/s.json --out out; }
case_name_missing() { input s.json "{$P, $S}"; expect 2 "suite: missing required key 'name'" -- run --suite in/s.json --out out; }
case_description_number() { bad "suite.description: expected a .*string" "$P, $S, \"description\": 3"; }
case_unknown_top_key() { bad "suite: unknown key 'problem'; valid keys: .*problems" "\"problem\": [], $S"; }

case_precisions_string() { bad "suite.precisions: expected a non-empty list" "$P, $S, \"precisions\": \"double\""; }
case_precisions_empty() { bad "suite.precisions: expected a non-empty list" "$P, $S, \"precisions\": []"; }
case_precisions_unknown() { bad "unknown precision 'quad' in suite.precisions\[0\].*mp50" "$P, $S, \"precisions\": [\"quad\"]"; }
case_precisions_number() { bad "suite.precisions\[0\]: expected a precision name" "$P, $S, \"precisions\": [64]"; }
case_precisions_duplicate() { bad "suite.precisions\[1\]: duplicate precision 'double'" "$P, $S, \"precisions\": [\"double\", \"double\"]"; }

case_seeds_string() { bad "suite.seeds: expected a non-empty list" "$P, $S, \"seeds\": \"0\""; }
case_seeds_empty() { bad "suite.seeds: expected a non-empty list" "$P, $S, \"seeds\": []"; }
case_seeds_negative() { bad "suite.seeds\[0\]: expected an integer >= 0, got -1" "$P, $S, \"seeds\": [-1]"; }
case_seeds_fraction() { bad "suite.seeds\[0\]: expected an integer >= 0, got 1.5" "$P, $S, \"seeds\": [1.5]"; }
case_seeds_huge() { bad "suite.seeds\[0\]: expected an integer" "$P, $S, \"seeds\": [1e30]"; }
case_seeds_too_many() {
  input_py s.json "'{\"name\": \"x\", $P, $S, \"seeds\": [' + ','.join(str(i) for i in range(200001)) + ']}'"
  expect 2 "suite.seeds: more than 200000 seeds" -- run --suite in/s.json --out out
}
case_cells_too_many() {
  input_py s.json "'{\"name\": \"x\", $P, \"solvers\": [{\"name\": \"sgd\", \"grid\": {\"lr\": [' + ','.join(str(i + 1) + 'e-9' for i in range(1000)) + ']}}], \"seeds\": [' + ','.join(str(i) for i in range(1000)) + ']}'"
  expect 2 "suite: more than 200000 cells" -- run --suite in/s.json --out out
}

case_budget_string() { bad "suite.budget: expected a JSON object" "$P, $S, \"budget\": \"fast\""; }
case_budget_steps_zero() { bad "suite.budget.max_steps: expected an integer >= 1 and at most 1000000000, got 0" "$P, $S, \"budget\": {\"max_steps\": 0}"; }
case_budget_steps_negative() { bad "suite.budget.max_steps: expected an integer >= 1 and at most 1000000000, got -5" "$P, $S, \"budget\": {\"max_steps\": -5}"; }
case_budget_steps_fraction() { bad "suite.budget.max_steps: expected an integer >= 1" "$P, $S, \"budget\": {\"max_steps\": 2.5}"; }
case_budget_steps_huge() { bad "suite.budget.max_steps: expected an integer .*at most" "$P, $S, \"budget\": {\"max_steps\": 1000000000000000}"; }
case_budget_seconds_zero() { bad "suite.budget.max_seconds: expected a number > 0 and at most 1e7, got 0" "$P, $S, \"budget\": {\"max_seconds\": 0}"; }
case_budget_seconds_negative() { bad "suite.budget.max_seconds: expected a number > 0" "$P, $S, \"budget\": {\"max_seconds\": -1}"; }
case_budget_seconds_nan_string() { bad "suite.budget.max_seconds: expected a number > 0" "$P, $S, \"budget\": {\"max_seconds\": \"NaN\"}"; }
case_budget_seconds_huge() { bad "suite.budget.max_seconds: expected a number .*at most" "$P, $S, \"budget\": {\"max_seconds\": 1e300}"; }
case_budget_unknown_key() { bad "suite.budget: unknown key 'steps'; valid keys: .*max_steps" "$P, $S, \"budget\": {\"steps\": 10}"; }
case_budget_by_unknown_precision() { bad "unknown precision 'quad' in suite.budget.by_precision" "$P, $S, \"budget\": {\"by_precision\": {\"quad\": {\"max_steps\": 5}}}"; }

case_targets_empty() { bad "suite.targets: expected a non-empty list" "$P, $S, \"targets\": []"; }
case_targets_zero() { bad "suite.targets\[0\]: a relative target must be in \(0, 1\), got 0" "$P, $S, \"targets\": [0]"; }
case_targets_one() { bad "suite.targets\[0\]: a relative target must be in \(0, 1\)" "$P, $S, \"targets\": [1]"; }
case_targets_negative() { bad "suite.targets\[0\]: a relative target must be in \(0, 1\)" "$P, $S, \"targets\": [-0.1]"; }
case_targets_nan_string() { bad "suite.targets\[0\]: .*(not a decimal number|not finite|must be in)" "$P, $S, \"targets\": [\"NaN\"]"; }
case_targets_infinity_string() { bad "suite.targets\[0\]: .*(not a decimal number|not finite|must be in)" "$P, $S, \"targets\": [\"Infinity\"]"; }
case_targets_string() { bad "suite.targets: expected a non-empty list" "$P, $S, \"targets\": \"0.1\""; }
case_targets_duplicate() { bad "suite.targets\[1\]: duplicate target" "$P, $S, \"targets\": [0.1, 0.1]"; }
case_primary_not_a_target() { bad "suite.primary_target: 0.5 is not one of the targets" "$P, $S, \"targets\": [0.1], \"primary_target\": 0.5"; }
case_selection_string() { bad "suite.selection: expected a JSON object" "$P, $S, \"selection\": \"fast\""; }
case_selection_rule_unknown() { bad "suite.selection.rule: must be one of steps-to-target, final-gap" "$P, $S, \"selection\": {\"rule\": \"fastest\"}"; }
case_stop_at_target_string() { bad "suite.stop_at_target: expected true or false" "$P, $S, \"stop_at_target\": \"yes\""; }

case_problems_empty() { bad "suite.problems: expected a non-empty list" "\"problems\": [], $S"; }
case_problems_object() { bad "suite.problems: expected a non-empty list" "\"problems\": {\"name\": \"quadratic-ls\"}, $S"; }
case_problem_unknown() { bad "suite.problems\[0\].*unknown problem 'quadratic'.*quadratic-ls" "\"problems\": [{\"name\": \"quadratic\"}], $S"; }
case_problem_name_number() { bad "suite.problems\[0\].name: expected a non-empty string" "\"problems\": [{\"name\": 3}], $S"; }
case_problem_params_string() { bad "suite.problems\[0\]: problem 'quadratic-ls': expected a JSON object of settings" "\"problems\": [{\"name\": \"quadratic-ls\", \"params\": \"m=3\"}], $S"; }
case_problem_size_zero() { bad "suite.problems\[0\].*m must be in \[1, " "\"problems\": [{\"name\": \"quadratic-ls\", \"params\": {\"m\": 0}}], $S"; }
case_problem_size_negative() { bad "suite.problems\[0\].*n must be in \[1, " "\"problems\": [{\"name\": \"quadratic-ls\", \"params\": {\"n\": -4}}], $S"; }
case_problem_size_fraction() { bad "suite.problems\[0\].*m.*integer" "\"problems\": [{\"name\": \"quadratic-ls\", \"params\": {\"m\": 2.5}}], $S"; }
case_problem_rows_1e9() { bad "suite.problems\[0\].*m must be in \[1, .*got 1000000000" "\"problems\": [{\"name\": \"isotropic\", \"params\": {\"m\": 1000000000}}], $S"; }
case_problem_total_size_huge() {
  bad "suite.problems\[0\]: problem 'isotropic': W is 100000 x 100000 = 1e\+10 entries.*past the limit" "\"problems\": [{\"name\": \"isotropic\", \"params\": {\"m\": 100000, \"n\": 100000}}], $S"
}
case_problem_samples_huge() {
  bad "suite.problems\[0\].*entries.*limit" "\"problems\": [{\"name\": \"matrix-sensing\", \"params\": {\"m\": 100, \"n\": 100, \"measurements\": 100000000}}], $S"
}
case_problem_particles_huge() {
  bad "suite.problems\[0\].*entries.*limit" "\"problems\": [{\"name\": \"mean-field-2layer\", \"params\": {\"N\": 100000000}}], $S"
}
case_problem_param_nan_string() { bad "suite.problems\[0\].*kappa.*(not finite|not a decimal|NaN)" "\"problems\": [{\"name\": \"quadratic-ls\", \"params\": {\"kappa\": \"NaN\"}}], $S"; }
case_problem_param_infinity_string() { bad "suite.problems\[0\].*kappa.*(not finite|not a decimal|Infinity)" "\"problems\": [{\"name\": \"quadratic-ls\", \"params\": {\"kappa\": \"Infinity\"}}], $S"; }
case_problem_param_unknown() { bad "suite.problems\[0\].*unknown key 'size'" "\"problems\": [{\"name\": \"quadratic-ls\", \"params\": {\"size\": 3}}], $S"; }
case_problem_label_duplicate() { bad "suite.problems\[1\].label: duplicate problem label" "\"problems\": [{\"name\": \"quadratic-ls\"}, {\"name\": \"quadratic-ls\"}], $S"; }

case_solvers_empty() { bad "suite.solvers: expected a non-empty list" "$P, \"solvers\": []"; }
case_solver_unknown() { bad "suite.solvers\[0\].*unknown solver 'adamw2'.*adamw" "$P, \"solvers\": [{\"name\": \"adamw2\"}]"; }
case_solver_hyper_string() { bad "suite.solvers\[0\].hyper: expected an object" "$P, \"solvers\": [{\"name\": \"sgd\", \"hyper\": \"lr=1\"}]"; }
case_solver_lr_negative() { bad "suite.solvers\[0\].*lr must be > 0, got -0.1" "$P, \"solvers\": [{\"name\": \"adam\", \"hyper\": {\"lr\": -0.1}}]"; }
case_solver_lr_zero() { bad "suite.solvers\[0\].*lr must be > 0" "$P, \"solvers\": [{\"name\": \"muon\", \"hyper\": {\"lr\": 0}}]"; }
case_solver_lr_nan_string() { bad "suite.solvers\[0\].*lr.*(not finite|not a decimal|NaN)" "$P, \"solvers\": [{\"name\": \"sgd\", \"hyper\": {\"lr\": \"NaN\"}}]"; }
case_solver_lr_infinity_string() { bad "suite.solvers\[0\].*lr.*(not finite|not a decimal|Infinity)" "$P, \"solvers\": [{\"name\": \"sgd\", \"hyper\": {\"lr\": \"inf\"}}]"; }
case_solver_lr_huge() {
  # Legal but absurd: the cell runs and ends as diverged, naming the step; the run completes.
  input s.json "{\"name\": \"x\", $P, \"solvers\": [{\"name\": \"sgd\", \"hyper\": {\"lr\": 1e300}}], \"precisions\": [\"double\"]}"
  expect_result out/report.json "rec = doc['results']['records'][0]
assert rec['status'] == 'diverged' and 'at step' in rec['reason'], (rec['status'], rec['reason'])" \
    -- run --suite in/s.json --out out --no-cache --quiet
}
case_solver_lr_bool() { bad "suite.solvers\[0\].*lr.*(expected a number|not a decimal)" "$P, \"solvers\": [{\"name\": \"sgd\", \"hyper\": {\"lr\": true}}]"; }
case_solver_momentum_one() { bad "suite.solvers\[0\].*momentum must be in \[0, 1\)" "$P, \"solvers\": [{\"name\": \"sgd\", \"hyper\": {\"momentum\": 1}}]"; }
case_solver_convention_unknown() { bad "suite.solvers\[0\].*convention must be one of torch, .*got 'pytorch'" "$P, \"solvers\": [{\"name\": \"muon\", \"hyper\": {\"convention\": \"pytorch\"}}]"; }
case_solver_steps_huge() { bad "suite.solvers\[0\].*ns_steps.*must be in" "$P, \"solvers\": [{\"name\": \"muon\", \"hyper\": {\"ns_steps\": 1000000000}}]"; }
case_solver_grid_huge() {
  input_py s.json "'{\"name\": \"x\", $P, \"solvers\": [{\"name\": \"sgd\", \"grid\": {\"lr\": [' + ','.join(str(1 + i) + 'e-7' for i in range(300000)) + ']}}]}'"
  expect 2 "suite.solvers\[0\].grid: more than [0-9]+ settings" -- run --suite in/s.json --out out
}
case_solver_label_duplicate() { bad "suite.solvers\[1\].label: duplicate solver label 'sgd'" "$P, \"solvers\": [{\"name\": \"sgd\"}, {\"name\": \"sgd\"}]"; }

case_claims_string() { bad "suite.claims: expected a list of claim names" "$P, $S, \"claims\": \"gd-pl-rate\""; }
case_claim_unknown() { bad "unknown claim 'gd-rate' in suite.claims\[0\].*gd-pl-rate" "$P, $S, \"claims\": [\"gd-rate\"]"; }
case_claim_number() { bad "suite.claims\[0\]: expected a claim name" "$P, $S, \"claims\": [7]"; }
