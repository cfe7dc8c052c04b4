#!/usr/bin/env bash
# ctest-labels: sanitize
# muonbench compare A B --tolerance rounding (docs/reproducibility.md, level 2): a run against its
# own copy is identical everywhere (exit 0); a final gap moved by less than the cell's rounding floor
# is "within rounding", by more (or a changed step to target) "beyond rounding", which is reported
# but does not change the exit status; two solvers swapped in a workload's ranking fail the strict
# rule (exit 1) and pass --rankings significant unless the pair is significantly ordered in both
# runs; a changed claim verdict fails (exit 1). Bad input: exit 2 with the option or file named.
set -euo pipefail
mb=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$mb" run --suite smoke --out "$tmp/a" --threads 2 --no-cache --quiet --reproducible
mkdir "$tmp/b"
cp "$tmp/a/report.json" "$tmp/a/leaderboard.json" "$tmp/b/"

expect() {  # expect RC DESCRIPTION ARGS...
  local want=$1 what=$2 rc=0
  shift 2
  "$mb" compare "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
  [[ $rc == "$want" ]] || { cat "$tmp/out" "$tmp/err" >&2; fail "$what: exit $rc, expected $want"; }
}

# 1. Identical runs.
expect 0 "identical runs" "$tmp/a" "$tmp/b" --tolerance rounding --json "$tmp/same.json"
/usr/bin/python3 - "$tmp/same.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
n = c["counts"]
assert n["cells"] > 0 and n["identical"] == n["cells"] and n["beyond_rounding"] == 0, n
assert all(r["identical"] for r in c["rankings"]) and c["rankings"], c["rankings"]
assert n["claims"] > 0 and n["claims_differ"] == 0, n
assert c["exit_status"] == 0
PY
grep -q "SAME STORY" "$tmp/out" || fail "no verdict line"

# 2. Cells: nudge one final gap by a tenth of its floor, another by ten floors, and change a step
#    to target of a third; the exit status stays 0 (rankings and verdicts are untouched).
/usr/bin/python3 - "$tmp/b/report.json" <<'PY'
import json, sys
p = sys.argv[1]
doc = json.load(open(p))
recs = [r for r in doc["results"]["records"] if r["cell"]["precision"] == "double" and r.get("rounding_floor_relative")
        and r["status"] != "diverged"]
floor = lambda r: r["rounding_floor_relative"] * r["gap0"]
recs[0]["final"]["gap"] += 0.1 * floor(recs[0])
recs[1]["final"]["gap"] += 10 * floor(recs[1])
t = next(k for k, v in recs[2]["steps_to_target"].items() if v is not None)
recs[2]["steps_to_target"][t] += 1
json.dump(doc, open(p, "w"))
PY
expect 0 "cells moved" "$tmp/a" "$tmp/b" --tolerance rounding --json "$tmp/cells.json"
/usr/bin/python3 - "$tmp/cells.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
n = c["counts"]
assert n["within_rounding"] == 1 and n["beyond_rounding"] == 2, n
details = [x["detail"] for x in c["cells"] if x["verdict"] == "beyond_rounding"]
assert any("> floor" in d for d in details) and any(d.startswith("steps") for d in details), details
assert all(x["solver"] == x["cell"].split(" | ")[1] for x in c["cells"]), "a cell's solver is not its key's"
beyond = sorted(x["solver"] for x in c["cells"] if x["verdict"] == "beyond_rounding")
open(sys.argv[1] + ".beyond", "w").write("\n".join(beyond))
PY
grep -q "2 beyond rounding" "$tmp/out" || fail "table does not count the cells beyond rounding"
while read -r s; do
  grep -Eq "by solver:.* $s [12];" "$tmp/out" || fail "table's per-solver count misses $s"
done < "$tmp/cells.json.beyond"

# 3. Rankings: swap the first two solvers of the first workload in B.
/usr/bin/python3 - "$tmp/b/leaderboard.json" <<'PY'
import json, sys
p = sys.argv[1]
doc = json.load(open(p))
r = doc["results"]["rankings_by_steps"][0]["ranking"]
r[0], r[1] = r[1], r[0]
json.dump(doc, open(p, "w"))
PY
expect 1 "swapped ranking, strict" "$tmp/a" "$tmp/b" --tolerance rounding
grep -q "before" "$tmp/out" || fail "the reversed pair is not listed"
expect 0 "swapped ranking of a tied pair, --rankings significant" "$tmp/a" "$tmp/b" --tolerance rounding --rankings significant
# The same pair significantly ordered in both runs: a real disagreement under either rule.
for side in a b; do
  /usr/bin/python3 - "$tmp/$side/leaderboard.json" "$tmp/a/leaderboard.json" <<'PY'
import json, sys
p, ref = sys.argv[1], sys.argv[2]
doc = json.load(open(p))
first = json.load(open(ref))["results"]["rankings_by_steps"][0]
w, x, y = first["workload"], first["ranking"][0]["solver"], first["ranking"][1]["solver"]
pairs = [e for e in doc["results"]["pairwise_steps"] if e["workload"] == w and {e["a"], e["b"]} == {x, y}]
if pairs:
    pairs[0]["p"], pairs[0]["significant"] = 0.001, True
else:
    doc["results"]["pairwise_steps"].append({"workload": w, "a": x, "b": y, "p": 0.001, "significant": True})
json.dump(doc, open(p, "w"))
PY
done
expect 1 "swapped ranking of a significant pair, --rankings significant" "$tmp/a" "$tmp/b" --tolerance rounding --rankings significant
grep -q "significantly ordered both ways" "$tmp/out" || fail "a significant reversal is not called out"

# 4. Claims: a changed verdict fails even when rankings agree.
cp "$tmp/a/leaderboard.json" "$tmp/b/leaderboard.json"
expect 0 "rankings restored" "$tmp/a" "$tmp/b" --tolerance rounding
/usr/bin/python3 - "$tmp/b/report.json" <<'PY'
import json, sys
p = sys.argv[1]
doc = json.load(open(p))
c = doc["results"]["claims"][0]
c["verdict"] = "fails" if c["verdict"] != "fails" else "holds"
json.dump(doc, open(p, "w"))
PY
expect 1 "changed claim verdict" "$tmp/a" "$tmp/b" --tolerance rounding
grep -q "verdicts identical" "$tmp/out" || fail "no claims line"

# 5. Bad input.
expect 2 "unknown tolerance" "$tmp/a" "$tmp/b" --tolerance ulp
grep -q -- "--tolerance" "$tmp/err" || fail "unknown tolerance not named"
expect 2 "unknown ranking rule" "$tmp/a" "$tmp/b" --tolerance rounding --rankings loose
grep -q -- "--rankings" "$tmp/err" || fail "bad --rankings not named"
expect 2 "--rankings without --tolerance" "$tmp/a" "$tmp/b" --rankings strict
expect 2 "with --fail-on-regression" "$tmp/a" "$tmp/b" --tolerance rounding --fail-on-regression 10
rm "$tmp/b/leaderboard.json"
expect 2 "missing leaderboard" "$tmp/a" "$tmp/b" --tolerance rounding
grep -q "leaderboard.json" "$tmp/err" || fail "missing leaderboard not named"
echo "compare --tolerance rounding: ok"
