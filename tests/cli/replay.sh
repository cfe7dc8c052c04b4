#!/usr/bin/env bash
# muonbench replay end to end: optax's recorded muon run (tests/data/optax_muon.json)
# replayed through the command line reproduces optax's trajectory to 1e-12 relative, in double
# and in mp50; a bad convention key fails with exit 2, naming the valid keys, and writes nothing.
# ctest-labels: sanitize
set -euo pipefail
mb=$1
src=$2
data=$src/tests/data
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

/usr/bin/python3 - "$data/optax_muon.json" "$tmp" <<'PY'
import json, sys
case = json.load(open(sys.argv[1]))["cases"][0]
json.dump({"w0": case["w0"], "grads": case["grads"]}, open(sys.argv[2] + "/trace.json", "w"))
cfg = dict(case["kwargs"], convention="optax")
json.dump(cfg, open(sys.argv[2] + "/config.json", "w"))
json.dump(case["trajectory"], open(sys.argv[2] + "/expected.json", "w"))
PY

for p in double mp50; do
  "$mb" replay --solver muon --config "$tmp/config.json" --precision $p --in "$tmp/trace.json" --out "$tmp/out_$p.json"
  /usr/bin/python3 - "$tmp/out_$p.json" "$tmp/expected.json" <<'PY'
import json, sys
out, ref = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert out["config"]["resolved"]["convention"] == "optax", out["config"]
traj = out["trajectory"]
assert len(traj) == len(ref)
for k, (a, b) in enumerate(zip(traj, ref)):
    err = max(abs(float(x) - y) for ra, rb in zip(a, b) for x, y in zip(ra, rb))
    scale = max(abs(y) for rb in b for y in rb)
    assert err <= 1e-12 * scale, (sys.argv[1], k, err)
PY
done

set +e
"$mb" replay --solver muon --config '{"convention": "optax", "lr_typo": 1}' --in "$tmp/trace.json" --out "$tmp/bad.json" 2>"$tmp/err"
rc=$?
set -e
[ $rc -eq 2 ] || { echo "expected exit 2, got $rc"; cat "$tmp/err"; exit 1; }
grep -q "unknown key 'lr_typo'" "$tmp/err" && grep -q "learning_rate" "$tmp/err" || { cat "$tmp/err"; exit 1; }
[ ! -e "$tmp/bad.json" ] || { echo "an output was written"; exit 1; }
echo "replay: ok"
