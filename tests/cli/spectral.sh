#!/usr/bin/env bash
# `muonbench spectral`: bad input gives a clear error naming the field (exit 2, no file written);
# good input gives every digit, the zero matrix maps to zero (never NaN), mp50 agrees with the
# 60-digit mpmath reference to 1e-40, and --bf16 results are bfloat16 numbers.
# ctest-labels: sanitize
set -u
mb=$1
src=$2
data=$src/tests/data
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
expect_error() {  # expect_error NAME PATTERN -- command...
  local name=$1 pattern=$2
  shift 3
  local out rc
  out=$("$@" 2>&1)
  rc=$?
  local want=${WANT:-2}
  if [[ $rc -ne $want ]]; then echo "FAIL $name: exit $rc (want $want): $out"; fail=1; return; fi
  if ! grep -qE -- "$pattern" <<<"$out"; then echo "FAIL $name: message lacks /$pattern/: $out"; fail=1; return; fi
  if [[ -e $tmp/out.json ]]; then echo "FAIL $name: an output file was written"; fail=1; rm -f "$tmp/out.json"; return; fi
  echo "ok   $name: $out"
}
expect_ok() {  # expect_ok NAME -- command...
  local name=$1
  shift 2
  local out
  if ! out=$("$@" 2>&1); then echo "FAIL $name: $out"; fail=1; return 1; fi
  echo "ok   $name"
}
input() { echo "$1" > "$tmp/in.json"; }
run() { "$mb" spectral --precision "${P:-double}" --in "$tmp/in.json" --out "$tmp/out.json" "$@"; }

# ---- bad input -------------------------------------------------------------------------------
input '{"matrices": []}'
expect_error no-matrices "in.matrices: expected a non-empty list" -- run --map polar
input '{"matrices": [[]]}'
expect_error empty-matrix "in.matrices\[0\]: the matrix is empty" -- run --map polar
input '{"matrices": [[[1, 2], [3, 4]], [[1, 2], [3]]]}'
expect_error ragged "in.matrices\[1\]\[1\]: ragged matrix" -- run --map ns
input '{"matrices": [[[1, "nan"], [3, 4]]]}'
expect_error nan "in.matrices\[0\]\[0\]\[1\]" -- run --map reg --eps 0.1
input '{"matrices": [[[1, 2], ["-inf", 4]]]}'
expect_error inf "in.matrices\[0\]\[1\]\[0\]" -- run --map power --p 0.5
input '{"matrix": [[1]]}'
expect_error unknown-key "unknown key 'matrix'; valid keys: matrices" -- run --map polar
input '{"matrices": [[[1, 2], [3, 4]]]}'
expect_error p-above-one "p must be in \[0, 1\], got \"1.5\"" -- run --map power --p 1.5
expect_error p-negative "p must be in \[0, 1\]" -- run --map power --p -0.25
expect_error p-missing "--p P is required" -- run --map power
expect_error eps-zero "eps must be > 0, got \"0\"" -- run --map reg --eps 0
expect_error eps-negative "eps must be > 0" -- run --map ns --eps -1e-7
expect_error eps-missing "--eps E is required" -- run --map reg
expect_error delta-negative "delta must be >= 0" -- run --map power --p 0.5 --delta -1
expect_error unknown-schedule "schedule must be one of jordan, you, polar-express, .*, cubic, got 'jordon'" -- run --map ns --schedule jordon
expect_error bad-user-schedule "--schedule entry 2: a user schedule is" -- run --map ns --schedule '3,-3.2,1.2;2,-1.5'
expect_error unknown-norm "norm must be one of frobenius, frobenius-additive" -- run --map ns --norm fro
expect_error unknown-map "unknown map 'svd'.*polar, ns, reg, power" -- run --map svd
expect_error wrong-option "option --p does not apply to --map polar" -- run --map polar --p 0.5
expect_error wrong-method "method must be one of svd, newton, got 'eig'" -- run --map power --p 0.5 --method eig
expect_error root-order "root of order above 1000" -- run --map power --p 0.123456789 --method newton
expect_error bad-steps "--steps must be a non-negative integer" -- run --map ns --steps 2.5
expect_error unknown-precision "unknown precision 'quad'" -- "$mb" spectral --map polar --precision quad --in "$tmp/in.json" --out "$tmp/out.json"
input '{"matrices": [[[1, 2, 3], [2, 4, 6]]]}'
WANT=1 expect_error singular-gram "singular.*delta > 0 or method svd" -- run --map power --p 0.5 --method newton

# ---- good input ------------------------------------------------------------------------------
input '{"matrices": [[[0, 0, 0], [0, 0, 0]], [[0, 0], [0, 0], [0, 0]]]}'
for args in "--map polar" "--map ns" "--map ns --bf16" "--map ns --norm aol --schedule polar-express" \
            "--map reg --eps 0.1" "--map reg --eps 0.1 --method newton" "--map reg --eps 0.1 --smoothing huber" \
            "--map power --p 0" "--map power --p 0.25 --method newton"; do
  for P in double mp50 float; do
    export P
    expect_ok "zero-$P ${args// /_}" -- run $args || continue
    /usr/bin/python3 - "$tmp/out.json" <<'PY' || { echo "FAIL zero matrix: $args $P"; fail=1; }
import json, sys
out = json.load(open(sys.argv[1]))
vals = [float(x) for r in out["results"] for row in r for x in row]
assert len(vals) == 12 and all(v == 0.0 for v in vals), vals
PY
    rm -f "$tmp/out.json"
  done
done
unset P

# mp50 against the 60-digit reference, and every digit printed.
/usr/bin/python3 - "$data/spectral_mp60.json" "$tmp/in.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
json.dump({"matrices": [c["input"] for c in d["cases"]]}, open(sys.argv[2], "w"))
PY
check_ref() {  # check_ref KEY TOL -- args...
  local key=$1 tol=$2
  shift 3
  P=mp50 expect_ok "mp50-$key" -- run "$@" || return
  /usr/bin/python3 - "$data/spectral_mp60.json" "$tmp/out.json" "$key" "$tol" <<'PY' || { echo "FAIL reference $key"; fail=1; }
import json, sys
from decimal import Decimal, getcontext
getcontext().prec = 80
ref, out, key, tol = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), sys.argv[3], Decimal(sys.argv[4])
assert out["precision"] == "mp50"
err = max(abs(Decimal(x) - Decimal(y)) for c, r in zip(ref["cases"], out["results"])
          for rr, cr in zip(r, c[key]) for x, y in zip(rr, cr))
digits = {len(x.split("e")[0].replace("-", "").replace(".", "")) for r in out["results"] for row in r for x in row}
assert len(digits) == 1 and min(digits) >= 50, digits  # every digit of mp50 (max_digits10)
assert err < tol, (key, err)
print(f"     {key}: max error {err:.2e}")
PY
  rm -f "$tmp/out.json"
}
check_ref polar 1e-40 -- --map polar
check_ref power_0.25 1e-40 -- --map power --p 0.25
check_ref power_0.5 1e-30 -- --map power --p 0.5 --method newton
check_ref reg_eps_0.001 1e-40 -- --map reg --eps 0.001
check_ref reg_eps_0.1 1e-30 -- --map reg --eps 0.1 --method newton

# Newton-Schulz reports, a user schedule, and bf16 results that are bfloat16 numbers.
P=double expect_ok ns-report -- run --map ns --schedule '3.4445,-4.7750,2.0315;3,-3.2,1.2' --steps 3 --bf16 --report-error
/usr/bin/python3 - "$tmp/out.json" <<'PY' || { echo "FAIL ns report / bf16"; fail=1; }
import json, math, sys
out = json.load(open(sys.argv[1]))
assert out["config"]["schedule"] == "custom" and out["config"]["bf16"] is True, out["config"]
assert [r["iterations"] for r in out["reports"]] == [3, 3], out["reports"]
assert all(0 < r["error_vs_exact"] < 2 for r in out["reports"]), out["reports"]
for r in out["results"]:
    for row in r:
        for x in row:
            assert len(x.split("e")[0].replace("-", "").replace(".", "")) == 17, x
            m, _ = math.frexp(float(x))  # a bfloat16 number has 8 significant bits
            assert (m * 256).is_integer(), (x, "not a bfloat16 number")
PY
rm -f "$tmp/out.json"
# Gram Newton-Schulz (Dao-AILab/gram-newton-schulz) equals plain Newton-Schulz in mp50 to 1e-40.
input '{"matrices": [[["0.3", "-1.2", "0.7", "2.1", "-0.4", "0.9"], ["1.1", "0.2", "-0.8", "0.5", "1.3", "-0.6"], ["-0.9", "0.6", "0.4", "-1.5", "0.8", "0.1"]], [[1.5, -0.3], [0.2, 0.9], [-0.7, 1.1], [0.4, 0.6], [1.2, -1.0]]]}'
P=mp50 expect_ok ns-plain-mp50 -- run --map ns --schedule polar-express
mv "$tmp/out.json" "$tmp/plain.json"
expect_ok ns-gram-mp50 -- "$mb" spectral --map ns --schedule polar-express --variant gram --precision mp50 --in "$tmp/in.json" --out "$tmp/out.json"
/usr/bin/python3 - "$tmp/plain.json" "$tmp/out.json" <<'PY' || { echo "FAIL gram vs plain"; fail=1; }
import json, sys
from decimal import Decimal, getcontext
getcontext().prec = 60
p, g = (json.load(open(f)) for f in sys.argv[1:3])
assert g["config"]["variant"] == "gram" and p["config"]["variant"] == "plain", (g["config"], p["config"])
err = max(abs(Decimal(a) - Decimal(b)) for rp, rg in zip(p["results"], g["results"])
          for xp, xg in zip(rp, rg) for a, b in zip(xp, xg))
assert err < Decimal("1e-40"), err
print(f"     gram vs plain, mp50: max difference {err:.2e}")
PY
rm -f "$tmp/out.json" "$tmp/plain.json"
expect_error bad-variant "variant.*grm|grm.*variant" -- run --map ns --variant grm
expect_error fp16-needs-additive "frobenius-additive" -- run --map ns --fp16 --norm frobenius
expect_error variant-not-for-polar "--variant does not apply" -- run --map polar --variant gram
# --describe-schedule: every schedule's computed band; jordan x 5 over [1e-3, 1] is [0.4705, ...].
if out=$("$mb" spectral --describe-schedule all --out "$tmp/bands.json" 2>&1); then
  echo "$out" | head -20
  /usr/bin/python3 - "$tmp/bands.json" <<'PY' || { echo "FAIL describe-schedule"; fail=1; }
import json, sys
bands = {b["schedule"]: b for b in json.load(open(sys.argv[1]))}
j = bands["jordan"]
assert abs(j["band"][0] - 0.4705) < 5e-5 and j["steps"] == 5 and j["matmuls"] == 15, j
assert bands["aol"]["steps"] == 4 and bands["deepseek-v4"]["steps"] == 10, bands
assert all(b["band"][0] <= b["band"][1] for b in bands.values()), bands
assert abs(j["band"][1] - 1.2024) < 5e-5, j  # the one-step maximum p(x*) is attained
assert bands["aol-nemo"]["band"][0] < 0, bands["aol-nemo"]  # p1(1) = 4.0098 - 7.0585 + 2.4635 < 0
PY
else
  echo "FAIL describe-schedule: $out"; fail=1
fi
rm -f "$tmp/bands.json"
exit $fail
