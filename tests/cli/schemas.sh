#!/usr/bin/env bash
# The documents muonbench writes (report, leaderboard, shard, claims report) and the suite files
# validate against results/schema/*.json with a real validator (Debian's python3-jsonschema,
# draft 2020-12); documents broken on purpose do not.
set -eu
mb=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
/usr/bin/python3 -c "import jsonschema" 2>/dev/null || { echo "SKIP: python3-jsonschema missing (scripts/setup installs it)"; exit 77; }
validate=$src/scripts/validate
"$mb" run --suite smoke --out "$tmp/run" --threads 2 --quiet
"$mb" run --suite smoke --out "$tmp/shard" --shard 1/2 --threads 2 --quiet
"$mb" check --out "$tmp/claims.json" --decoys --quiet
"$validate" "$tmp/run/report.json" "$tmp/run/leaderboard.json" "$tmp/shard/shard-1-of-2.json" "$tmp/claims.json" \
  "$src"/suites/*.json "$src"/tests/cli/suites/*.json
# The published results, when present, are valid too.
if [[ -e $src/results/report.json ]]; then "$validate" "$src/results/report.json" "$src/results/leaderboard.json"; fi
if [[ -e $src/results/variants/report.json ]]; then "$validate" "$src/results/variants/report.json" "$src/results/variants/leaderboard.json"; fi
if [[ -e $src/results/realistic/report.json ]]; then "$validate" "$src/results/realistic/report.json" "$src/results/realistic/leaderboard.json"; fi

# The schemas' precision names are the precision table's (harness/core/precision.hpp), as
# `muonbench list --json` prints it: all of them where any precision goes, the claims' where claims go.
"$mb" list --json > "$tmp/list.json"
/usr/bin/python3 - "$tmp/list.json" "$src/results/schema" <<'PY'
import json, sys
listed = json.load(open(sys.argv[1]))
every, claims = set(listed["precisions"]), set(listed["claim_precisions"])
schema = sys.argv[2]
def enums(node, out):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "enum" and isinstance(v, list) and set(v) & every:
                out.append(set(v))
            enums(v, out)
    elif isinstance(node, list):
        for v in node:
            enums(v, out)
for name in ("common", "suite", "leaderboard"):
    found = []
    enums(json.load(open("%s/%s.schema.json" % (schema, name))), found)
    for e in found:
        if e != every and e != claims:
            sys.exit("FAIL: %s.schema.json lists precisions %s; the table has %s (claims: %s)"
                     % (name, sorted(e), sorted(every), sorted(claims)))
print("ok   schema precision names match the precision table")
PY

# Decoys: each edit must make validation fail (the validator really checks).
decoy() {  # decoy NAME FILE PYTHON-EDIT
  local name=$1 file=$2 edit=$3
  /usr/bin/python3 - "$file" "$tmp/decoy.json" "$edit" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
exec(sys.argv[3])
json.dump(d, open(sys.argv[2], "w"))
PY
  if "$validate" "$tmp/decoy.json" > "$tmp/decoy.out"; then echo "FAIL: decoy '$name' validated"; exit 1; fi
  echo "ok   decoy $name rejected: $(head -1 "$tmp/decoy.out")"
}
decoy record-status "$tmp/run/report.json" 'd["results"]["records"][0]["status"] = "exploded"'
decoy record-missing-curve "$tmp/run/report.json" 'del d["results"]["records"][0]["curve"]'
decoy timing-in-results "$tmp/run/report.json" 'd["results"]["wall_seconds"] = 1.0'
decoy bad-id "$tmp/run/report.json" 'd["results"]["records"][0]["id"] = "xyz"'
decoy mp50-not-decimal "$tmp/run/report.json" 'd["results"]["records"][-1]["final"]["gap"] = "1.2.3"'
decoy score-above-1 "$tmp/run/leaderboard.json" 'd["results"]["scores_by_steps"][0]["score"] = 1.5'
decoy rank-zero "$tmp/run/leaderboard.json" 'd["results"]["rankings_by_steps"][0]["ranking"][0]["rank"] = 0'
decoy shard-bad-pair "$tmp/shard/shard-1-of-2.json" 'd["shard"] = [1]'
decoy claim-verdict "$tmp/claims.json" 'd["results"]["claims"][0]["verdict"] = "maybe"'
decoy suite-empty-grid "$src/suites/smoke.json" 'd["solvers"][0]["grid"] = {"lr": []}'
echo "schemas: ok"
