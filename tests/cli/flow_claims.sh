#!/usr/bin/env bash
# The flow claims (docs/theory.md 2c-2e: flow-dissipation, flow-h-monotone, flow-exponential-rate,
# flow-sharp-rates, flow-particles, flow-blockwise): `muonbench check --decoys` in double and mp50
# exits 0 (every true part holds, or is inconclusive in double and holds in mp50; every decoy is
# violated), and every declared part and decoy appears with a tolerance source. About 20 s on 2 cores.
set -u
mb=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
claims=flow-dissipation,flow-h-monotone,flow-exponential-rate,flow-sharp-rates,flow-particles,flow-blockwise
"$mb" check --claim "$claims" --precision double,mp50 --decoys --threads 2 --quiet --out "$tmp/c.json"
rc=$?
if [[ $rc -ne 0 ]]; then
  echo "FAIL: muonbench check exited $rc (a verdict differs from the expected one)"
  "$mb" check --claim "$claims" --precision double --decoys --out "$tmp/d.json"
  exit 1
fi
/usr/bin/python3 - "$tmp/c.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
cs = d["results"]["claims"]
assert d["results"]["as_expected"] == d["results"]["total"] == len(cs), d["results"]["as_expected"]
decoys = [c for c in cs if c["decoy"]]
assert len(decoys) == 2 * 13, len(decoys)  # 13 decoys, in both precisions
assert all(c["verdict"] == "violated" for c in decoys)
assert all(c["tolerance_source"] for c in cs)
lim = [c for c in cs if c["claim"] == "flow-dissipation" and c["variant"] == "richardson-limit" and c["precision"] == "mp50"][0]
for scheme, m in lim["measured"].items():
    assert abs(float(m["extrapolated_residual"])) < 1e-28, (scheme, m["extrapolated_residual"])
print("ok: %d outcomes as expected" % len(cs))
PY
