#!/usr/bin/env bash
# One case of the hostile-input corpus (tests/cli/hostile/*.cases.sh; each `case_NAME()` there is
# a CTest test `hostile.GROUP.NAME`, registered by tests/CMakeLists.txt).
#
# usage: run_case.sh MUONBENCH SOURCE_DIR GROUP_FILE CASE_NAME
#
# A case writes its inputs with `input FILE TEXT` (or any command writing under $T/in/), then
# calls `expect CODE PATTERN -- muonbench-arguments...`, which runs `muonbench ARGS` and requires:
#   * exit status CODE (2: bad input; 1: the run itself failed), never a signal (crash) and never
#     the 5 s limit (hang: killed, exit 124 or 137);
#   * a message matching the extended regex PATTERN (it names the field or file);
#   * no sanitizer report;
#   * no output: nothing new anywhere under $T except $T/in (no partial file, no directory).
# The last line printed is "hostile GROUP.NAME: <verdict>: exit N: <first line of the message>".
set -u
export LC_ALL=C
mb=$1
src=$2
group_file=$3
name=$4
group=$(basename "$group_file" .cases.sh)
T=$(mktemp -d)
trap 'chmod -R u+w "$T" 2>/dev/null; rm -rf "$T"' EXIT
mkdir -p "$T/in"
cd "$T" || exit 1
limit=${HOSTILE_TIME_LIMIT:-5}
verdicts=0

input() {  # input FILE TEXT: FILE under $T/in (printf %s: no trailing newline unless given)
  printf '%s' "$2" > "$T/in/$1"
}
input_py() {  # input_py FILE PYTHON: the file is written by a Python expression's bytes/str value
  /usr/bin/python3 - "$T/in/$1" "$2" <<'PY'
import json, sys
value = eval(sys.argv[2])
mode = "wb" if isinstance(value, bytes) else "w"
with open(sys.argv[1], mode) as f:
    f.write(value)
PY
}
snapshot() { (cd "$T" && find . -path ./in -prune -o -print | LC_ALL=C sort); }

# Runs `muonbench ARGS` under the time limit: sets out, rc, and verdict ("ok", or the hang, crash
# or sanitizer report that fails any case).
run_muonbench() {
  out=$(timeout -k 1 "$limit" "$mb" "$@" 2>&1 </dev/null)
  rc=$?
  verdict=ok
  if [[ $rc -eq 124 || $rc -eq 137 ]]; then
    verdict="HANG (killed after ${limit} s)"
  elif ((rc >= 128)); then
    verdict="CRASH (signal $((rc - 128)))"
  elif grep -qE 'Sanitizer|runtime error:' <<<"$out"; then
    verdict="SANITIZER REPORT"
  fi
}
# Prints the case's line ("hostile GROUP.NAME: VERDICT..."); on a failed verdict, the output, and exit 1.
conclude() {  # conclude TEXT-AFTER-VERDICT
  verdicts=$((verdicts + 1))
  echo "hostile $group.$name: $verdict$1"
  if [[ $verdict != ok ]]; then
    echo "--- full output ---"
    echo "$out" | head -40
    exit 1
  fi
}

expect() {  # expect CODE PATTERN -- ARGS...
  local code=$1 pattern=$2 before out rc verdict
  shift 3
  before=$(snapshot)
  run_muonbench "$@"
  if [[ $verdict != ok ]]; then
    :
  elif [[ $rc -ne $code ]]; then
    verdict="WRONG EXIT (want $code)"
  elif ! grep -qE -- "$pattern" <<<"$out"; then
    verdict="MESSAGE LACKS /$pattern/"
  elif [[ $(snapshot) != "$before" ]]; then
    verdict="PARTIAL OUTPUT: $(diff <(echo "$before") <(snapshot) | grep '^>' | head -3 | tr '\n' ' ')"
  fi
  conclude ": exit $rc: $(head -n 1 <<<"$out")"
}

expect_result() {  # expect_result FILE PYTHON-CHECK -- ARGS...: exit 0, FILE written, the check passes
  local file=$1 check=$2 out rc verdict check_out
  shift 3
  run_muonbench "$@"
  if [[ $verdict != ok ]]; then
    :
  elif [[ $rc -ne 0 ]]; then
    verdict="WRONG EXIT (want 0)"
  elif [[ ! -f $file ]]; then
    verdict="NO OUTPUT FILE $file"
  elif ! check_out=$(/usr/bin/python3 -c "import json, sys
doc = json.load(open(sys.argv[1]))
$check" "$file" 2>&1); then
    verdict="WRONG RESULT: $check_out"
  fi
  conclude " (a correct result): exit $rc"
}

# shellcheck source=/dev/null
source "$group_file"
declare -F "case_$name" >/dev/null || { echo "no case '$name' in $group_file"; exit 1; }
"case_$name"
((verdicts > 0)) || { echo "case $name checked nothing"; exit 1; }
exit 0
