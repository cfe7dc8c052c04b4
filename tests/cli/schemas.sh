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
