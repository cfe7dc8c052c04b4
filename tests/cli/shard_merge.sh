#!/usr/bin/env bash
# `run --shard 1/2` and `run --shard 2/2` merged by `muonbench merge` equal the unsharded run
# (report and leaderboard "results", byte for byte); merge refuses incomplete or mixed shards.
# ctest-labels: sanitize
set -eu
mb=$1
src=$2
source "$src/tests/cli/lib.bash"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$mb" run --suite smoke --out "$tmp/all" --threads 2 --quiet
"$mb" run --suite smoke --out "$tmp/s1" --shard 1/2 --threads 1 --quiet
"$mb" run --suite smoke --out "$tmp/s2" --shard 2/2 --threads 1 --quiet
test -s "$tmp/s1/shard-1-of-2.json" && test -s "$tmp/s2/shard-2-of-2.json"
[[ ! -e $tmp/s1/report.json ]] || { echo "FAIL: a shard wrote a report"; exit 1; }
"$mb" merge --out "$tmp/merged" "$tmp/s1" "$tmp/s2/shard-2-of-2.json" --quiet
same_results "$tmp/all/report.json" "$tmp/merged/report.json"
same_results "$tmp/all/leaderboard.json" "$tmp/merged/leaderboard.json"
# The two shards did disjoint work that covers the suite.
/usr/bin/python3 - "$tmp/s1/shard-1-of-2.json" "$tmp/s2/shard-2-of-2.json" "$tmp/all/report.json" <<'PY'
import json, sys
a, b, r = (json.load(open(p)) for p in sys.argv[1:4])
ia, ib = {c["id"] for c in a["cells"]}, {c["id"] for c in b["cells"]}
assert ia and ib and not (ia & ib), "shards overlap"
assert ia | ib == {x["id"] for x in r["results"]["records"]}, "shards do not cover the suite"
PY
# Incomplete or duplicated shards are refused, naming the problem.
out=$("$mb" merge --out "$tmp/bad" "$tmp/s1" 2>&1) && { echo "FAIL: merged one shard of two"; exit 1; }
grep -q "missing shard(s) 2/2" <<<"$out" || { echo "FAIL: $out"; exit 1; }
out=$("$mb" merge --out "$tmp/bad" "$tmp/s1" "$tmp/s1" 2>&1) && { echo "FAIL: merged a shard twice"; exit 1; }
grep -q "given twice" <<<"$out" || { echo "FAIL: $out"; exit 1; }
[[ ! -e $tmp/bad ]] || { echo "FAIL: a refused merge wrote output"; exit 1; }
echo "shard + merge = unsharded: ok"
