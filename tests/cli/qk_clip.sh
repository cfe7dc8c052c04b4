#!/usr/bin/env bash
# QK-clip (MuonClip, problems/qk_clip.cpp) from the command line: a suite whose solvers carry
# "qk_clip" runs on the attention problems (double and mp50) and reports, per cell, the clipped
# heads per step and the largest max logit; bad settings are refused at validation naming the
# field (exit 2, nothing run); qk_clip on a problem without attention fails its cells saying so
# (exit 1); `muonbench replay` with qk_clip is refused (a trace has no data to measure logits on).
set -u
mb=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
check() {  # check NAME WANT_RC PATTERN -- command...
  local name=$1 want=$2 pattern=$3
  shift 4
  local out rc
  out=$("$@" 2>&1)
  rc=$?
  if [[ $rc -ne $want ]]; then echo "FAIL $name: exit $rc (want $want): $out"; fail=1; return; fi
  if [[ -n $pattern ]] && ! grep -qE -- "$pattern" <<<"$out"; then echo "FAIL $name: output lacks /$pattern/: $out"; fail=1; return; fi
  echo "ok   $name"
}
suite() {  # suite FILE PROBLEMS QK_CLIP_OF_FIRST_SOLVER
  cat > "$1" <<JSON
{"name": "qk", "precisions": ["double", "mp50"], "budget": {"max_steps": 12, "by_precision": {"mp50": {"max_steps": 3}}},
 "problems": $2,
 "solvers": [{"name": "muon", "label": "muon-clip", "hyper": {"lr": 0.05, "qk_clip": $3}},
             {"name": "adamw", "label": "adamw-clip", "hyper": {"lr": 0.01, "qk_clip": {"tau": "2", "logits_at": "updated", "alpha": 0.25}}}]}
JSON
}
att='[{"name": "attention", "label": "att", "params": {"d": 4, "heads": 2, "seq_len": 4, "sequences": 4, "init_scale": 3}},
      {"name": "transformer-block", "label": "blk", "params": {"d": 4, "heads": 2, "seq_len": 3, "sequences": 4, "d_ff": 4, "init_scale": 3}}]'

suite "$tmp/good.json" "$att" '{"tau": 2}'
check run-ok 0 "" -- "$mb" run --suite "$tmp/good.json" --out "$tmp/good" --quiet --threads 1
if [[ -f $tmp/good/report.json ]]; then
  /usr/bin/python3 - "$tmp/good/report.json" <<'PY' && echo "ok   diagnostics" || fail=1
import json, sys
recs = json.load(open(sys.argv[1]))["results"]["records"]
assert len(recs) == 8, len(recs)
for r in recs:
    assert r["status"] != "failed", (r["cell"], r.get("reason"))
    d = r["diagnostics"]["qk_clip"]
    per = d["clipped_heads_per_step"]
    assert len(per) == r["steps"], (per, r["steps"])
    assert per[0] == 2, per                         # init_scale 3: both heads start far above tau = 2
    assert float(d["max_logit"]) > 2 and d["max_logit_step"] == 1, d
PY
fi

suite "$tmp/bad_tau.json" "$att" '{"tau": 0}'
check bad-tau 2 "suite.solvers\[0\]: solver 'muon': qk_clip: tau must be > 0, got 0" -- "$mb" run --suite "$tmp/bad_tau.json" --out "$tmp/bad_tau" --quiet
suite "$tmp/bad_key.json" "$att" '{"threshold": 3}'
check bad-key 2 "qk_clip: unknown key 'threshold'; valid keys: tau, alpha, logits_at" -- "$mb" run --suite "$tmp/bad_key.json" --out "$tmp/bad_key" --quiet
for d in bad_tau bad_key; do [[ -e $tmp/$d ]] && { echo "FAIL $d: output written"; fail=1; }; done

suite "$tmp/noatt.json" '[{"name": "quadratic-ls", "label": "ls", "params": {"m": 4, "n": 3}}]' '{}'
check no-attention 1 "cell\(s\) failed" -- "$mb" run --suite "$tmp/noatt.json" --out "$tmp/noatt" --quiet --threads 1
grep -q "qk_clip: the problem has no attention layers" "$tmp/noatt/report.json" && echo "ok   no-attention reason" ||
  { echo "FAIL no-attention: the report does not say why"; fail=1; }

echo '{"w0": [[1, 2], [3, 4]], "grads": [[[0.1, 0.2], [0.3, 0.4]]]}' > "$tmp/trace.json"
check replay 2 "qk_clip: needs the problem's attention logits, but the oracle has no problem" -- \
  "$mb" replay --solver muon --config '{"qk_clip": {"tau": 5}}' --in "$tmp/trace.json" --out "$tmp/replay.json"
[[ -e $tmp/replay.json ]] && { echo "FAIL replay: output written"; fail=1; }
exit $fail
