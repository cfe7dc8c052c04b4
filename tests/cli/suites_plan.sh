#!/usr/bin/env bash
# Every suite file in suites/ is valid (`run --plan` validates it completely and runs nothing), and
# the default suite's budgets bound its cells by 16 minutes on 2 threads (12 before the 8 solvers
# of issue 17 joined; the budgets hold: tests/test_runner.cpp), leaving 4 of the 20 minutes
# scripts/run may take for claims, plots and the page. The measured time is far lower
# (docs/suites.md).
# ctest-labels: sanitize
set -eu
mb=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for f in "$src"/suites/*.json; do
  "$mb" run --suite "$f" --out "$tmp/x" --plan > "$tmp/plan.json"
  echo "$(basename "$f"): $(/usr/bin/python3 -c "import json,sys; p=json.load(open(sys.argv[1])); print(p['cells'], 'cells,', len(p['claim_tasks']), 'claim tasks')" "$tmp/plan.json")"
done
[[ ! -e $tmp/x ]] || { echo "FAIL: --plan wrote something"; exit 1; }
"$mb" run --suite default --threads 2 --plan > "$tmp/default.json"
/usr/bin/python3 - "$tmp/default.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
bound = p["worst_case_cell_seconds"]
print("default suite: %d cells; worst case on 2 threads %.0f s (bound 960 s)" % (p["cells"], bound))
assert bound <= 960, "the default suite's budgets allow %.0f s on 2 threads" % bound
PY
echo "suites plan: ok"
