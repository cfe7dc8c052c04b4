#!/usr/bin/env bash
# One peer-conformance case: case K of a tests/data/peers/*.json file (recorded from the peer's own
# reference code by the tests/peers/record_*.py script the file names), replayed through
# `muonbench replay --solver S --config C --precision P`, must reproduce the peer's trajectory:
# at every step max|W_ours - W_peer| <= rtol * max(1, max|W_peer|) with the case's recorded rtol
# (1e-12 for float64 references; the documented bound for float32/bf16/fp16 ones).
# usage: replay_case.sh MUONBENCH TRACE.json K
set -euo pipefail
mb=$1
file=$2
k=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

/usr/bin/python3 - "$file" "$k" "$tmp" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
case = doc["cases"][int(sys.argv[2])]
for key in ("name", "solver", "config", "precision", "rtol", "w0", "grads", "trajectory"):
    assert key in case, f"{sys.argv[1]}: case {sys.argv[2]} lacks '{key}'"
json.dump({"w0": case["w0"], "grads": case["grads"]}, open(sys.argv[3] + "/trace.json", "w"))
json.dump(case["config"], open(sys.argv[3] + "/config.json", "w"))
json.dump(case, open(sys.argv[3] + "/case.json", "w"))
open(sys.argv[3] + "/args", "w").write(f"{case['solver']} {case['precision']}\n")
PY
read -r solver precision <"$tmp/args"
"$mb" replay --solver "$solver" --config "$tmp/config.json" --precision "$precision" --in "$tmp/trace.json" \
  --out "$tmp/out.json"
/usr/bin/python3 - "$tmp/out.json" "$tmp/case.json" <<'PY'
import json, sys
out, case = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))

def flat(x):
    if isinstance(x, list):
        for y in x:
            yield from flat(y)
    else:
        yield float(x)

traj, ref = out["trajectory"], case["trajectory"]
assert len(traj) == len(ref), (len(traj), len(ref))
worst = 0.0
for k, (a, b) in enumerate(zip(traj, ref)):
    fa, fb = list(flat(a)), list(flat(b))
    assert len(fa) == len(fb), f"step {k + 1}: {len(fa)} entries, the peer has {len(fb)}"
    err = max(abs(x - y) for x, y in zip(fa, fb))
    scale = max(1.0, max(abs(y) for y in fb))
    worst = max(worst, err / scale)
    assert err <= case["rtol"] * scale, f"{case['name']}: step {k + 1}: max error {err:.3e} > {case['rtol']:.1e} x {scale:.3g}"
print(f"{case['name']}: {len(ref)} steps, worst relative error {worst:.2e} (rtol {case['rtol']:.0e})")
PY
