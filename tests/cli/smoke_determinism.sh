#!/usr/bin/env bash
# `muonbench run --suite smoke` exits 0, writes both files, and two runs give byte-identical
# results apart from the timing fields (the "run" block of each document).
set -eu
mb=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$mb" run --suite smoke --out "$tmp/a" --quiet
"$mb" run --suite smoke --out "$tmp/b" --quiet --threads 1
for f in report leaderboard; do
  test -s "$tmp/a/$f.json" && test -s "$tmp/b/$f.json"
  python3 - "$tmp/a/$f.json" "$tmp/b/$f.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert set(a) == {"schema", "schema_version", "muonbench_version", "results", "run"}, sorted(a)
ra, rb = (json.dumps(x["results"], sort_keys=True) for x in (a, b))
assert ra == rb, "results differ between two runs"
PY
done
# Smoke covers double and mp50 and includes a claim verdict.
python3 - "$tmp/a/report.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
precs = {rec["cell"]["precision"] for rec in r["records"]}
assert {"double", "mp50"} <= precs, precs
assert r["claims"] and all(c["verdict"] == c["expected"] for c in r["claims"]), r["claims"]
PY
echo "smoke determinism: ok"
