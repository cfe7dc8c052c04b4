#!/usr/bin/env bash
# External solvers end to end (docs/plugins.md): examples/external/suite.json runs the NumPy client
# (examples/external/numpy_sgd.py) and PyTorch's own torch.optim.AdamW (torch_optimizer.py) over
# the protocol, each beside the built-in solver with the same hyperparameters, on two problems
# and two seeds. Shown:
#   * without --allow-external the suite is refused (exit 2) naming both programs and the flag,
#     and nothing is written;
#   * with it, every value and gradient norm on every curve of numpy-sgd equals built-in sgd's,
#     and torch-adamw equals built-in adamw's, to 1e-12 relative in float64, through the pipe and
#     through the shared memory block (transport shm); the clients' names and configs are in the
#     report;
#   * a rerun reuses the cache; an edited program (its content digest) is a new cell, run again;
#   * claims on an external solver: `check --claim gd-pl-rate --solver external` with the NumPy
#     client (gradient descent at the claim's lr = 1/L) holds with every decoy violated; the same
#     client given momentum 0.5 (not gradient descent) is caught (exit 3, descent lemma violated).
set -euo pipefail
mb=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
/usr/bin/python3 -c 'import numpy, torch' 2>/dev/null ||
  { echo "skipped: python3-numpy or python3-torch is missing (scripts/setup installs them)"; exit 77; }
cp -r "$src/examples/external" "$tmp/ex"

set +e
"$mb" run --suite "$tmp/ex/suite.json" --out "$tmp/refused" --quiet 2>"$tmp/err"
rc=$?
set -e
[[ $rc == 2 ]] || { echo "FAIL: without --allow-external: exit $rc, expected 2"; exit 1; }
for want in numpy_sgd.py torch_optimizer.py --allow-external; do
  grep -q -- "$want" "$tmp/err" || { echo "FAIL: the refusal does not name $want:"; cat "$tmp/err"; exit 1; }
done
[[ ! -e $tmp/refused ]] || { echo "FAIL: a refused run wrote $tmp/refused"; exit 1; }

"$mb" run --suite "$tmp/ex/suite.json" --allow-external --out "$tmp/run" --threads 2 --quiet
/usr/bin/python3 - "$tmp/run/report.json" <<'PY'
import json, sys
recs = json.load(open(sys.argv[1]))["results"]["records"]
by = {(c["cell"]["problem_label"], c["cell"]["solver_label"], c["cell"]["seed"]): c for c in recs}
bad, pairs, worst = [], 0, 0.0
for (p, s, seed), c in sorted(by.items()):
    for ref, ext, client in (("sgd", "numpy-sgd", "numpy-sgd"), ("adamw", "torch-adamw", "torch.optim.AdamW"),
                             ("sgd", "numpy-sgd-shm", "numpy-sgd"), ("adamw", "torch-adamw-shm", "torch.optim.AdamW")):
        if s != ext:
            continue
        if c["hyper"]["transport"] != ("shm" if ext.endswith("-shm") else "pipe"):
            bad.append("%s/%s/%d: transport %r" % (p, ext, seed, c["hyper"]["transport"]))
        a = by[(p, ref, seed)]
        pairs += 1
        if c["status"] != a["status"] or c["steps"] != a["steps"]:
            bad.append("%s/%s/%d: status %s after %d steps vs %s after %d" % (p, ext, seed, c["status"], c["steps"], a["status"], a["steps"]))
            continue
        if c["hyper"].get("client", {}).get("name") != client:
            bad.append("%s/%s/%d: client %r not recorded" % (p, ext, seed, client))
        for key in ("value", "grad_norm"):
            if a["curve"]["step"] != c["curve"]["step"]:
                bad.append("%s/%s/%d: curve steps differ" % (p, ext, seed))
            for x, y in zip(a["curve"][key], c["curve"][key]):
                rel = abs(x - y) / max(abs(x), 1e-300)
                worst = max(worst, rel)
                if rel > 1e-12:
                    bad.append("%s/%s/%d: %s %r vs %r (relative %.3g)" % (p, ext, seed, key, y, x, rel))
if pairs != 16:
    bad.append("expected 16 external cells, found %d" % pairs)
if bad:
    print("FAIL:\n  " + "\n  ".join(bad[:20]))
    sys.exit(1)
print("external vs built-in: %d cell pairs agree, largest relative difference %.2g (bound 1e-12)" % (pairs, worst))
PY

# The cache: a rerun runs nothing; an edited client is a new cell (its digest), run again.
"$mb" run --suite "$tmp/ex/suite.json" --allow-external --out "$tmp/run" --threads 2 2>"$tmp/rerun"
grep -q "24 cells (24 cached" "$tmp/rerun" || { echo "FAIL: the rerun did not use the cache:"; cat "$tmp/rerun"; exit 1; }
echo "# edited" >>"$tmp/ex/numpy_sgd.py"
"$mb" run --suite "$tmp/ex/suite.json" --allow-external --out "$tmp/run" --threads 2 2>"$tmp/rerun2"
grep -q "24 cells (16 cached" "$tmp/rerun2" || { echo "FAIL: the edited client was not rerun:"; cat "$tmp/rerun2"; exit 1; }

# Claims on an external solver.
hyper="{\"command\": [\"/usr/bin/python3\", \"$tmp/ex/numpy_sgd.py\"]}"
"$mb" check --claim gd-pl-rate --solver external --solver-hyper "$hyper" --decoys --quiet --out "$tmp/claims.json"
/usr/bin/python3 - "$tmp/claims.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
outs = d["results"]["claims"]
assert d["results"]["as_expected"] == d["results"]["total"] == 8, d["results"]["total"]
for o in outs:
    assert o["instance"]["solver_checked"] == {"name": "external", "in_place_of": "sgd"}, o["instance"]
print("gd-pl-rate on the external NumPy client: 8 of 8 outcomes as expected (4 parts hold, 4 decoys violated)")
PY
hyper="{\"command\": [\"/usr/bin/python3\", \"$tmp/ex/numpy_sgd.py\"], \"momentum\": 0.5}"
set +e
"$mb" check --claim gd-pl-rate --solver external --solver-hyper "$hyper" --out "$tmp/claims2.json" >"$tmp/check2" 2>&1
rc=$?
set -e
[[ $rc == 3 ]] || { echo "FAIL: heavy ball checked as gradient descent: exit $rc, expected 3"; cat "$tmp/check2"; exit 1; }
grep -q "descent-lemma .*got violated" "$tmp/check2" || { echo "FAIL: the descent lemma was not violated:"; cat "$tmp/check2"; exit 1; }
echo "external: ok"
