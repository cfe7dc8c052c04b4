#!/usr/bin/env bash
# `muonbench run --suite smoke` exits 0, writes both files, and two independent runs (different
# thread counts, separate caches) give byte-identical results apart from the timing fields (the
# "run" block of each document); a third run from the first one's cache gives the same bytes.
# ctest-labels: sanitize
set -eu
mb=$1
src=$2
source "$src/tests/cli/lib.bash"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$mb" run --suite smoke --out "$tmp/a" --quiet --threads 2
"$mb" run --suite smoke --out "$tmp/b" --quiet --threads 1
cp -r "$tmp/a" "$tmp/c"
"$mb" run --suite smoke --out "$tmp/c" --quiet
for f in report leaderboard; do
  test -s "$tmp/a/$f.json" && test -s "$tmp/b/$f.json"
  same_results "$tmp/a/$f.json" "$tmp/b/$f.json"
  same_results "$tmp/a/$f.json" "$tmp/c/$f.json"
done
# Smoke covers double and mp50, a grid with its selection, and a claim verdict.
/usr/bin/python3 - "$tmp/a/report.json" "$tmp/c/report.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
precs = {rec["cell"]["precision"] for rec in r["records"]}
assert {"double", "mp50"} <= precs, precs
assert r["claims"] and all(c["verdict"] == c["expected"] for c in r["claims"]), r["claims"]
assert any(c["settings_tried"] > 1 for c in r["selection"]["chosen"]), r["selection"]
c = json.load(open(sys.argv[2]))["run"]["jobs"]
assert c["cells_run"] == 0 and c["cells_cached"] == len(r["records"]), c
PY
echo "smoke determinism: ok"
