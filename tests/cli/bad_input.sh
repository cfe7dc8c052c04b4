#!/usr/bin/env bash
# Bad input gives a clear error naming the field, exit status 2, and nothing run or written: no
# output directory, no cache, no half-written file.
# ctest-labels: sanitize
set -u
mb=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
expect_error() {  # expect_error NAME PATTERN -- command...
  local name=$1 pattern=$2
  shift 3
  local out rc
  out=$("$@" 2>&1)
  rc=$?
  if [[ $rc -ne 2 ]]; then echo "FAIL $name: exit $rc (expected 2)"; fail=1; return; fi
  if ! grep -qE -e "$pattern" <<<"$out"; then echo "FAIL $name: message lacks /$pattern/: $out"; fail=1; return; fi
  if [[ -e $tmp/out || -e $tmp/out.json ]]; then
    echo "FAIL $name: an output file was written"; fail=1; return
  fi
  echo "ok   $name: $out"
}
suite() { echo "$1" > "$tmp/s.json"; }

expect_error unknown-suite "unknown suite 'nope'.*smoke" -- "$mb" run --suite nope --out "$tmp/out"
suite '{"name": "x", "problems": [{"name": "quadratic-lsq"}], "solvers": [{"name": "sgd"}]}'
expect_error unknown-problem "suite.problems\[0\].*unknown problem 'quadratic-lsq'.*quadratic-ls" -- "$mb" run --suite "$tmp/s.json" --out "$tmp/out"
suite '{"name": "x", "problems": [{"name": "quadratic-ls"}], "solvers": [{"name": "sgd"}, {"name": "mun"}]}'
expect_error unknown-solver "suite.solvers\[1\].*unknown solver 'mun'.*muon-exact" -- "$mb" run --suite "$tmp/s.json" --out "$tmp/out"
suite '{"name": "x", "problems": [{"name": "quadratic-ls"}], "solvers": [{"name": "sgd", "hyper": {"lr": 0}}]}'
expect_error zero-lr "suite.solvers\[0\].*lr must be > 0" -- "$mb" run --suite "$tmp/s.json" --out "$tmp/out"
suite '{"name": "x", "problems": [{"name": "quadratic-ls"}], "solvers": [{"name": "muon", "hyper": {"lr": -0.02}}]}'
expect_error negative-lr "lr must be > 0, got -0.02" -- "$mb" run --suite "$tmp/s.json" --out "$tmp/out"
suite '{"name": "x", "problems": [{"name": "quadratic-ls"}], "solvers": [{"name": "sgd"}], "targets": ["abc"]}'
expect_error target-not-number "suite.targets\[0\].*not a decimal number" -- "$mb" run --suite "$tmp/s.json" --out "$tmp/out"
suite '{"name": "x", "problems": [{"name": "quadratic-ls"}], "solvers": [{"name": "sgd"}], "targets": [0.1, null]}'
expect_error target-null "suite.targets\[1\]: expected a number" -- "$mb" run --suite "$tmp/s.json" --out "$tmp/out"
suite '{"name": "x", "problems": [{"name": "quadratic-ls"}], "solvers": [{"name": "sgd", "hyper": {"lrr": 0.1}}]}'
expect_error unknown-hyperparameter "suite.solvers\[0\].*unknown key 'lrr'; valid keys: lr, momentum" -- "$mb" run --suite "$tmp/s.json" --out "$tmp/out"
suite '{"name": "x", "problems": [{"name": "quadratic-ls"}], "solvers": [{"name": "sgd"}, {"name": "adam", "grid": {"beta1": [0.9]}}]}'
expect_error unknown-grid-hyperparameter "suite.solvers\[1\] \(grid point beta1=0.9\).*unknown key 'beta1'" -- "$mb" run --suite "$tmp/s.json" --out "$tmp/out"
suite '{"name": "x", "problems": [{"name": "quadratic-ls"}], "solvers": [{"name": "sgd", "grid": {"lr": []}}]}'
expect_error empty-grid "suite.solvers\[0\].grid.lr: the grid is empty" -- "$mb" run --suite "$tmp/s.json" --out "$tmp/out"
suite '{"name": "x", "problems": [{"name": "quadratic-ls"}], "solvers": [{"name": "sgd", "grid": {"lr": [0.1, "fast"]}}]}'
expect_error grid-not-number "grid point lr=fast.*'fast' is not a decimal number" -- "$mb" run --suite "$tmp/s.json" --out "$tmp/out"
suite '{"name": "x", "problems": [{"name": "quadratic-ls"}], "solvers": [{"name": "sgd", "hyper": {"lr": 0.1}, "grid": {"lr": [0.2]}}]}'
expect_error grid-and-hyper "given both in hyper and in grid" -- "$mb" run --suite "$tmp/s.json" --out "$tmp/out"
suite '{"name": "x", "problems": [{"name": "quadratic-ls"}], "solvers": [{"name": "sgd"}], "selection": {"rule": "fastest"}}'
expect_error selection-rule "suite.selection.rule: must be one of steps-to-target, final-gap" -- "$mb" run --suite "$tmp/s.json" --out "$tmp/out"
expect_error bad-shard "--shard: expected 1 <= k <= N, got '3/2'" -- "$mb" run --suite smoke --shard 3/2 --out "$tmp/out"
expect_error merge-not-a-shard "not a muonbench shard file" -- "$mb" merge --out "$tmp/out" "$tmp/s.json"
suite '{"name": "x", "problems": [{"name": "quadratic-ls", "params": {"m": -3}}], "solvers": [{"name": "sgd"}]}'
expect_error negative-size "suite.problems\[0\].*m must be in" -- "$mb" run --suite "$tmp/s.json" --out "$tmp/out"
suite '{"name": "x", "problems": [{"name": "quadratic-ls"}], "solvers": [{"name": "sgd"}],'
expect_error malformed-json "malformed JSON.*line" -- "$mb" run --suite "$tmp/s.json" --out "$tmp/out"
suite '{"name": "x", "problemz": []}'
expect_error unknown-key "unknown key 'problemz'" -- "$mb" run --suite "$tmp/s.json" --out "$tmp/out"
echo '{"w0": [[1, 2], [3, 4]], "grads": [[[0.1, 0.2], [0.3, 0.4]], [[0.1, "nan"], [0.3, 0.4]]]}' > "$tmp/trace.json"
expect_error non-finite-gradient "trace.grads\[1\]\[0\]\[1\]" -- "$mb" replay --solver sgd --config '{"lr": 0.1}' --in "$tmp/trace.json" --out "$tmp/out.json"
echo '{"w0": [[1, 2], [3, 4]], "grads": [[[0.1, 0.2], [0.3, 0.4]], [["-inf", 0], [0, 0]]]}' > "$tmp/trace.json"
expect_error infinite-gradient "trace.grads\[1\]\[0\]\[0\]" -- "$mb" replay --solver sgd --config '{"lr": 0.1}' --in "$tmp/trace.json" --out "$tmp/out.json"
echo '{"w0": [[1, 2], [3, 4]], "grads": [[[1e999, 0], [0, 0]]]}' > "$tmp/overflow.json"
expect_error overflowing-gradient "malformed JSON.*overflow" -- "$mb" replay --solver sgd --config '{"lr": 0.1}' --in "$tmp/overflow.json" --out "$tmp/out.json"
expect_error unknown-precision "unknown precision 'quad'.*mp50" -- "$mb" replay --solver sgd --precision quad --in "$tmp/trace.json" --out "$tmp/out.json"
expect_error unknown-option "unknown option '--suit'" -- "$mb" run --suit smoke
exit $fail
