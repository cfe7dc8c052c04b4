#!/usr/bin/env bash
# `muonbench check`: runs the named claims with --decoys in double and mp50, exits 0 when every
# outcome is as expected (true parts hold, decoys violated), writes the claims report, and rejects
# bad input with exit 2 naming the field; scripts/claims-doc turns the report into docs/claims.md.
# ctest-labels: sanitize
set -u
mb=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

out=$("$mb" check --claim gd-pl-rate,reg-polar-gradient --precision double,mp50 --decoys --require-resolution --threads 2 --out "$tmp/c.json" 2>&1)
rc=$?
if [[ $rc -ne 0 ]]; then echo "FAIL check: exit $rc: $out"; fail=1; else echo "ok   check exit 0"; fi
grep -q "outcomes as expected; wrote" <<<"$out" || { echo "FAIL check: no summary line: $out"; fail=1; }
/usr/bin/python3 - "$tmp/c.json" <<'PY' || fail=1
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == "muonbench.claims", d["schema"]
cl = d["results"]["claims"]
assert d["results"]["as_expected"] == d["results"]["total"] == len(cl), d["results"]
names = {(c["claim"], c["precision"]) for c in cl}
assert names == {(n, p) for n in ("gd-pl-rate", "reg-polar-gradient") for p in ("double", "mp50")}, names
decoys = [c for c in cl if c["decoy"]]
# Each precision reports the same decoys, each violated with its reason; among them an edge decoy.
per = {p: sorted((c["claim"], c["variant"]) for c in decoys if c["precision"] == p) for p in ("double", "mp50")}
assert per["double"] == per["mp50"] and len(per["double"]) >= 2 * 2, per
assert all(c["verdict"] == "violated" and c["reason"] for c in decoys), decoys
assert {c["claim"] for c in decoys if "edge_factor" in c["extra"]} == {"gd-pl-rate", "reg-polar-gradient"}, decoys
assert all("resolution" in c and "kind" in c for c in cl)
for c in cl:
    assert c["tolerance_source"], c
    assert c["verdict"] == "holds" or c["reason"], c
assert set(d["run"]["claims"]) == {n + "/" + p for n, p in names}, d["run"]["claims"]
print("ok   report: %d outcomes, %d decoys violated" % (len(cl), len(decoys)))
PY

# Without --decoys no decoy is reported.
"$mb" check --claim gd-pl-rate --precision double --quiet --out "$tmp/n.json" || { echo "FAIL no-decoys run"; fail=1; }
/usr/bin/python3 -c "
import json,sys; d=json.load(open('$tmp/n.json')); assert not any(c['decoy'] for c in d['results']['claims'])" \
  && echo "ok   no decoys without --decoys" || { echo "FAIL decoys reported without --decoys"; fail=1; }

# Bad input: exit 2, the field named, nothing written.
for args in "--claim nope" "--precision float" "--claim gd-pl-rate --precision double,quad"; do
  o=$("$mb" check $args --out "$tmp/bad.json" 2>&1)
  rc=$?
  if [[ $rc -ne 2 || -e $tmp/bad.json ]]; then echo "FAIL bad input '$args': exit $rc: $o"; fail=1
  elif ! grep -qE -- "--claim|--precision" <<<"$o"; then echo "FAIL bad input '$args': field not named: $o"; fail=1
  else echo "ok   bad input '$args': $o"; fi
done

# docs generator: every claim of the report gets its section and verdict rows.
if /usr/bin/python3 "$src/scripts/claims-doc" "$tmp/c.json" --out "$tmp/claims.md"; then
  for n in gd-pl-rate reg-polar-gradient first-order eps-not-squared "| mp50 |"; do
    grep -qF -- "$n" "$tmp/claims.md" || { echo "FAIL claims-doc: '$n' missing"; fail=1; }
  done
  echo "ok   claims-doc"
else
  echo "FAIL claims-doc"; fail=1
fi
exit $fail
