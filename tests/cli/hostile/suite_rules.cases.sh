# Hostile suites for issue 18's ranking rules: per-problem targets, held-out seeds, trials (k of
# n) and tuning budgets. Each bad value is refused before anything runs (exit 2, the field named,
# no output directory). See run_case.sh for what is checked.
P='"problems": [{"name": "quadratic-ls"}]'
S='"solvers": [{"name": "sgd"}]'
SEEDS='"seeds": [0, 1, 2, 3, 4]'
bad() {  # bad PATTERN JSON-FIELDS: a suite {"name": "x", FIELDS} refused with PATTERN
  input s.json "{\"name\": \"x\", $2}"
  expect 2 "$1" -- run --suite in/s.json --out out
}
problem() {  # problem JSON-FIELDS: the one problem with extra fields
  echo "\"problems\": [{\"name\": \"quadratic-ls\", $1}]"
}

case_problem_targets_string() { bad "suite.problems\[0\].targets: expected a non-empty list" "$(problem '"targets": "0.1"'), $S"; }
case_problem_targets_empty() { bad "suite.problems\[0\].targets: expected a non-empty list" "$(problem '"targets": []'), $S"; }
case_problem_targets_one() { bad "suite.problems\[0\].targets\[0\]: a relative target must be in \(0, 1\)" "$(problem '"targets": [1]'), $S"; }
case_problem_targets_nan() { bad "suite.problems\[0\].targets\[0\]: " "$(problem '"targets": ["NaN"]'), $S"; }
case_problem_targets_duplicate() { bad "suite.problems\[0\].targets\[1\]: duplicate target" "$(problem '"targets": [0.1, 0.1]'), $S"; }
case_problem_primary_not_a_target() { bad "suite.problems\[0\].primary_target: 0.5 is not one of the targets" "$(problem '"targets": [0.1], "primary_target": 0.5'), $S"; }
case_problem_primary_not_suite_target() { bad "suite.problems\[0\].primary_target: 0.3 is not one of the targets" "$(problem '"primary_target": 0.3'), $S"; }
case_problem_primary_string() { bad "suite.problems\[0\].primary_target: " "$(problem '"primary_target": "tiny"'), $S"; }

case_held_out_string() { bad "suite.held_out: expected a JSON object" "$P, $S, $SEEDS, \"held_out\": \"2\""; }
case_held_out_unknown_key() { bad "suite.held_out: unknown key 'seed'; valid keys: seeds" "$P, $S, $SEEDS, \"held_out\": {\"seed\": [1]}"; }
case_held_out_missing_seeds() { bad "suite.held_out: missing required key 'seeds'" "$P, $S, $SEEDS, \"held_out\": {}"; }
case_held_out_seeds_empty() { bad "suite.held_out.seeds: expected a non-empty list" "$P, $S, $SEEDS, \"held_out\": {\"seeds\": []}"; }
case_held_out_seed_unknown() { bad "suite.held_out.seeds\[1\]: seed 9 is not one of suite.seeds \(0, 1, 2, 3, 4\)" "$P, $S, $SEEDS, \"held_out\": {\"seeds\": [2, 9]}"; }
case_held_out_seed_negative() { bad "suite.held_out.seeds\[0\]: expected an integer >= 0, got -1" "$P, $S, $SEEDS, \"held_out\": {\"seeds\": [-1]}"; }
case_held_out_seed_fraction() { bad "suite.held_out.seeds\[0\]: expected an integer >= 0, got 1.5" "$P, $S, $SEEDS, \"held_out\": {\"seeds\": [1.5]}"; }
case_held_out_seed_duplicate() { bad "suite.held_out.seeds\[1\]: duplicate seed 3" "$P, $S, $SEEDS, \"held_out\": {\"seeds\": [3, 3]}"; }
case_held_out_every_seed() { bad "suite.held_out.seeds: every seed is held out" "$P, $S, $SEEDS, \"held_out\": {\"seeds\": [4, 3, 2, 1, 0]}"; }

case_trials_string() { bad "suite.trials: expected a JSON object" "$P, $S, $SEEDS, \"trials\": 3"; }
case_trials_unknown_key() { bad "suite.trials: unknown key 'n'; valid keys: k" "$P, $S, $SEEDS, \"trials\": {\"n\": 3}"; }
case_trials_missing_k() { bad "suite.trials: missing required key 'k'" "$P, $S, $SEEDS, \"trials\": {}"; }
case_trials_k_zero() { bad "suite.trials.k: expected an integer from 1 to 5" "$P, $S, $SEEDS, \"trials\": {\"k\": 0}"; }
case_trials_k_above_seeds() { bad "suite.trials.k: expected an integer from 1 to 5" "$P, $S, $SEEDS, \"trials\": {\"k\": 6}"; }
case_trials_k_above_held_out() { bad "suite.trials.k: expected an integer from 1 to 2 \(the number of held-out seeds\)" "$P, $S, $SEEDS, \"held_out\": {\"seeds\": [3, 4]}, \"trials\": {\"k\": 3}"; }
case_trials_k_huge() { bad "suite.trials.k: expected an integer from 1 to 5" "$P, $S, $SEEDS, \"trials\": {\"k\": 100000000000000000000}"; }
case_trials_k_fraction() { bad "suite.trials.k: expected an integer" "$P, $S, $SEEDS, \"trials\": {\"k\": 2.5}"; }

G='"solvers": [{"name": "sgd", "grid": {"lr": [0.1, 0.2, 0.3]}}, {"name": "adam", "grid": {"lr": [0.01]}}]'
case_tuning_string() { bad "suite.tuning: expected a JSON object" "$P, $G, \"tuning\": 3"; }
case_tuning_unknown_key() { bad "suite.tuning: unknown key 'grid'; valid keys: budget, declared" "$P, $G, \"tuning\": {\"grid\": 3}"; }
case_tuning_missing_budget() { bad "suite.tuning: missing required key 'budget'" "$P, $G, \"tuning\": {\"declared\": {}}"; }
case_tuning_budget_zero() { bad "suite.tuning.budget: expected an integer from 1" "$P, $G, \"tuning\": {\"budget\": 0}"; }
case_tuning_budget_string() { bad "suite.tuning.budget: expected an integer from 1" "$P, $G, \"tuning\": {\"budget\": \"3\"}"; }
case_tuning_grid_over_budget() { bad "suite.solvers\[0\].grid: 3 settings exceed suite.tuning.budget \(1\)" "$P, $G, \"tuning\": {\"budget\": 1}"; }
case_tuning_declared_unknown_solver() { bad "suite.tuning.declared.muon: 'muon' is not a solver label of the suite \(sgd, adam\)" "$P, $G, \"tuning\": {\"budget\": 1, \"declared\": {\"muon\": 3}}"; }
case_tuning_declared_too_small() { bad "suite.tuning.declared.sgd: declares 2 settings but the grid of 'sgd' has 3" "$P, $G, \"tuning\": {\"budget\": 1, \"declared\": {\"sgd\": 2}}"; }
case_tuning_declared_not_object() { bad "suite.tuning.declared: expected an object" "$P, $G, \"tuning\": {\"budget\": 1, \"declared\": [\"sgd\"]}"; }
case_tuning_declared_negative() { bad "suite.tuning.declared.sgd: expected an integer from 1" "$P, $G, \"tuning\": {\"budget\": 1, \"declared\": {\"sgd\": -3}}"; }
