# Hostile inputs to `muonbench compare A B`: missing, malformed or foreign documents, runs that share
# no cell, bad flag values and unwritable outputs. Each is refused with exit 2, a message naming the
# file or flag and field, and no output (run_case.sh checks all three).
# report SEED STEPS SECONDS [SOLVER]: a minimal report of one cell (primary target 0.01).
report() {
  printf '{"schema": "muonbench.report", "results": {"suite": {"primary_target": "0.01"}, "records": [{"id": "c%s", "cell": {"problem_label": "p", "precision": "double", "solver_label": "%s", "setting": "", "seed": %s}, "steps_to_target": {"0.01": %s}}], "summary": [{"workload": "p [double]", "solver": "%s", "setting": "", "selected": true}]}, "run": {"cells": {"c%s": {"seconds_to_target": {"0.01": %s}}}}}' \
    "$1" "${4:-gd}" "$1" "$2" "${4:-gd}" "$1" "$3"
}
good() { input a.json "$(report 0 5 0.5)"; input b.json "$(report 0 6 0.6)"; }

case_one_argument() { good; expect 2 "compare: give exactly two runs" -- compare in/a.json; }
case_three_arguments() { good; expect 2 "compare: give exactly two runs.*got 3" -- compare in/a.json in/b.json in/b.json; }
case_missing_file() { good; expect 2 "compare: no such file or directory 'in/nope.json'" -- compare in/a.json in/nope.json; }
case_empty_directory() { good; mkdir -p in/run; expect 2 "directory 'in/run' holds neither report.json nor leaderboard.json" -- compare in/a.json in/run; }
case_malformed_json() { good; input c.json '{"schema": "muonbench.report", '; expect 2 "in/c.json.*malformed JSON" -- compare in/a.json in/c.json; }
case_not_an_object() { good; input c.json '[1, 2]'; expect 2 "in/c.json: document: expected an object" -- compare in/c.json in/a.json; }
case_foreign_schema() { good; input c.json '{"schema": "muonbench.shard"}'; expect 2 "in/c.json: schema: 'muonbench.shard' is neither" -- compare in/a.json in/c.json; }
case_no_records() { good; input c.json '{"schema": "muonbench.report", "results": {"suite": {"primary_target": "0.01"}}, "run": {"cells": {}}}'; expect 2 "in/c.json: results: missing 'records'" -- compare in/a.json in/c.json; }
case_negative_seed() { good; input c.json "$(report -1 5 0.5)"; expect 2 "in/c.json: results.records\[0\].cell.seed: expected a non-negative integer" -- compare in/a.json in/c.json; }
case_steps_string() { good; input c.json "$(report 0 '"5"' 0.5)"; expect 2 "in/c.json: results.records\[0\].steps_to_target.0.01: expected a number or null" -- compare in/a.json in/c.json; }
case_seconds_negative() { good; input c.json "$(report 0 5 -0.5)"; expect 2 "in/c.json: run.cells.c0.seconds_to_target.0.01: expected a non-negative number" -- compare in/a.json in/c.json; }
case_nothing_matches() { good; input c.json "$(report 0 5 0.5 adamw)"; expect 2 "compare: no cell of A \(in/a.json.*matches a cell of B" -- compare in/a.json in/c.json; }
case_other_seed_only() { good; input c.json "$(report 1 5 0.5)"; expect 2 "compare: no cell of A" -- compare in/a.json in/c.json; }
case_leaderboard_without_values() {
  good
  input l.json '{"schema": "muonbench.leaderboard", "results": {"primary_target": "0.01", "rankings_by_steps": [{"workload": "p [double]", "ranking": [{"solver": "gd", "setting": ""}]}]}, "run": {"rankings_by_seconds": []}}'
  expect 2 "in/l.json: results.rankings_by_steps\[0\].ranking\[0\]: no per-seed 'values'.*report.json" -- compare in/a.json in/l.json
}
case_leaderboard_values_mismatch() {
  good
  input l.json '{"schema": "muonbench.leaderboard", "results": {"primary_target": "0.01", "rankings_by_steps": [{"workload": "p [double]", "ranking": [{"solver": "gd", "setting": "", "seeds_used": [0, 1], "values": [5]}]}]}, "run": {"rankings_by_seconds": []}}'
  expect 2 "in/l.json: results.rankings_by_steps\[0\].ranking\[0\].values: 1 values for 2 seeds" -- compare in/a.json in/l.json
}
case_leaderboard_no_seconds() {
  good
  input l.json '{"schema": "muonbench.leaderboard", "results": {"primary_target": "0.01", "rankings_by_steps": [{"workload": "p [double]", "ranking": [{"solver": "gd", "setting": "", "seeds_used": [0], "values": [5]}]}]}, "run": {"rankings_by_seconds": []}}'
  expect 2 "in/l.json: run.rankings_by_seconds: no entry for p \[double\] \| gd" -- compare in/a.json in/l.json
}
case_regression_negative() { good; expect 2 "compare: --fail-on-regression must be a finite percentage >= 0, got '-5'" -- compare in/a.json in/b.json --fail-on-regression -5; }
case_regression_nan() { good; expect 2 "--fail-on-regression .*got 'nan'" -- compare in/a.json in/b.json --fail-on-regression nan; }
case_regression_word() { good; expect 2 "--fail-on-regression .*got 'ten'" -- compare in/a.json in/b.json --fail-on-regression ten; }
case_regression_percent_sign() { good; expect 2 "--fail-on-regression .*got '10%'" -- compare in/a.json in/b.json --fail-on-regression 10%; }
case_regression_no_value() { good; expect 2 "compare: option --fail-on-regression needs a value" -- compare in/a.json in/b.json --fail-on-regression; }
case_alpha_one() { good; expect 2 "compare: --alpha must be a number between 0 and 1" -- compare in/a.json in/b.json --alpha 1; }
case_alpha_word() { good; expect 2 "compare: --alpha must be .*got 'five'" -- compare in/a.json in/b.json --alpha five; }
case_unknown_option() { good; expect 2 "compare: unknown option '--fail'; valid options: .*--fail-on-regression VALUE" -- compare in/a.json in/b.json --fail 5; }
case_json_into_missing_directory() { good; expect 2 "compare: --json" -- compare in/a.json in/b.json --json nowhere/out.json; }
case_json_is_a_directory() { good; mkdir -p out.json; expect 2 "compare: --json" -- compare in/a.json in/b.json --json out.json; }
case_one_cell_each() {
  # A correct (if statistically empty) comparison: one seed each side, p = 1, verdict same, exit 0.
  good
  expect_result out.json "c = doc['cells'][0]
assert doc['exit_status'] == 0 and doc['a']['kind'] == 'report', doc
assert c['steps']['median_a'] == 5 and c['steps']['median_b'] == 6 and c['steps']['test']['p'] == 1, c
assert c['seconds']['verdict'] == 'same' and doc['solvers'][0]['solver'] == 'gd', doc" -- compare in/a.json in/b.json --json out.json --fail-on-regression 0
}
