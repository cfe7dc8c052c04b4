#!/usr/bin/env bash
# External solvers that misbehave (tests/cli/external/misbehave.py): a process that crashes, hangs,
# prints garbage, answers with the wrong shape, sends an endless line, reports an error, speaks
# another protocol version or exits early gives a failed cell whose reason names what happened
# (with the tail of its stderr), the rest of the suite completes (the built-in cells and a
# well-behaved external one), the run exits 1 with its report written, and it never hangs: the
# hanging process is killed at its cell's 3 s budget. The process's environment holds only what
# the protocol documents (a variable set here does not reach it), it starts in a fresh empty
# directory, and no such directory is left behind. An interrupted run (SIGTERM) kills a hung
# process at once instead of waiting for its budget.
# ctest-labels: sanitize
set -euo pipefail
mb=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
/usr/bin/python3 -c 'import numpy' 2>/dev/null || { echo "skipped: python3-numpy is missing (scripts/setup installs it)"; exit 77; }
cp "$src/tests/cli/external/misbehave.py" "$tmp/"
modes="crash hang garbage wrong_shape long_line error bad_version exit_early"
{
  echo '{"name": "external-failures", "precisions": ["double"], "seeds": [0],'
  echo ' "budget": {"max_steps": 6, "max_seconds": 3}, "stop_at_target": false,'
  echo ' "problems": [{"name": "quadratic-ls", "params": {"m": 4, "n": 3, "p": 5, "q": 4}}],'
  echo ' "solvers": [{"name": "sgd", "hyper": {"lr": 0.1}},'
  echo '   {"name": "external", "label": "env", "hyper": {"command": ["/usr/bin/python3", "misbehave.py"], "mode": "env"}}'
  for m in $modes; do
    echo "  ,{\"name\": \"external\", \"label\": \"$m\", \"hyper\": {\"command\": [\"/usr/bin/python3\", \"misbehave.py\"], \"mode\": \"$m\", \"at\": 2}}"
  done
  echo ']}'
} >"$tmp/suite.json"
mkdir "$tmp/scratch"
start=$(date +%s)
set +e
TMPDIR="$tmp/scratch" MB_TEST_SECRET=leak "$mb" run --suite "$tmp/suite.json" --allow-external --out "$tmp/out" \
  --threads 2 --no-cache --quiet 2>"$tmp/stderr"
rc=$?
set -e
elapsed=$(( $(date +%s) - start ))
[[ $rc == 1 ]] || { echo "FAIL: expected exit 1 (failed cells), got $rc"; cat "$tmp/stderr"; exit 1; }
(( elapsed < 60 )) || { echo "FAIL: the run took $elapsed s: something waited past its budget"; exit 1; }
left=$(ls -A "$tmp/scratch")
[[ -z $left ]] || { echo "FAIL: working directories left behind in TMPDIR: $left"; exit 1; }
/usr/bin/python3 - "$tmp/out/report.json" <<'PY'
import json, sys
cells = {c["cell"]["solver_label"]: c for c in json.load(open(sys.argv[1]))["results"]["records"]}
expect = {
    "crash": ["exit status 3", "deliberate crash at step 2"],
    "hang": ["time budget of 3", "killed", "hanging at step 2"],
    "garbage": ["malformed reply", "hello, this is not JSON"],
    "wrong_shape": ["wrong shape", "announces 104 bytes", "96 bytes"],
    "long_line": ["more than 4096 bytes without a newline"],
    "error": ["reported an error", "deliberate error at step 2"],
    "bad_version": ["protocol version 2", "muonbench speaks version 1"],
    "exit_early": ["closed its stdout", "exit status 0"],
}
bad = []
for label, parts in expect.items():
    c = cells[label]
    if c["status"] != "failed":
        bad.append("%s: status %s, expected failed" % (label, c["status"]))
    for p in parts:
        if p not in c["reason"]:
            bad.append("%s: reason lacks %r: %s" % (label, p, c["reason"]))
for label in ("sgd", "env"):
    if cells[label]["status"] != "max_steps":
        bad.append("%s: status %s (%s), expected max_steps" % (label, cells[label]["status"], cells[label]["reason"]))
if cells["env"]["hyper"].get("client", {}).get("name") != "misbehave-env":
    bad.append("env: the client's name is not recorded: %s" % cells["env"]["hyper"])
if bad:
    print("FAIL:\n  " + "\n  ".join(bad))
    sys.exit(1)
print("external failures: %d misbehaving processes -> failed cells with their reasons; sgd and env ran" % len(expect))
PY
grep -q "cell(s) failed" "$tmp/stderr" || { echo "FAIL: no failed-cells message"; cat "$tmp/stderr"; exit 1; }

# An interrupted run (SIGTERM, as Ctrl-C) does not wait for a hung process's budget (here 120 s):
# the process is killed at once, the run exits 130, and no working directory is left.
cat >"$tmp/hang.json" <<'JSON'
{"name": "external-hang", "precisions": ["double"], "seeds": [0], "budget": {"max_steps": 6, "max_seconds": 120},
 "problems": [{"name": "quadratic-ls", "params": {"m": 4, "n": 3, "p": 5, "q": 4}}],
 "solvers": [{"name": "external", "hyper": {"command": ["/usr/bin/python3", "misbehave.py"], "mode": "hang", "at": 1}}]}
JSON
start=$(date +%s)
TMPDIR="$tmp/scratch" "$mb" run --suite "$tmp/hang.json" --allow-external --out "$tmp/out2" --quiet 2>"$tmp/stderr2" &
pid=$!
for _ in $(seq 50); do  # until the process hangs (its stderr says so; at most 5 s)
  sleep 0.1
  [[ -n $(ls -A "$tmp/scratch") ]] && break
done
sleep 1
kill -TERM $pid
set +e
wait $pid
rc=$?
set -e
elapsed=$(( $(date +%s) - start ))
[[ $rc == 130 ]] || { echo "FAIL: interrupted run: exit $rc, expected 130"; cat "$tmp/stderr2"; exit 1; }
(( elapsed < 30 )) || { echo "FAIL: the interrupted run took $elapsed s (the hung process's budget is 120 s)"; exit 1; }
left=$(ls -A "$tmp/scratch")
[[ -z $left ]] || { echo "FAIL: working directories left after the interrupt: $left"; exit 1; }
! pgrep -f "$tmp/misbehave.py" >/dev/null || { echo "FAIL: the hung process outlived the interrupt"; exit 1; }
echo "external_failures: ok (interrupt: exit 130 after $elapsed s, process killed)"
