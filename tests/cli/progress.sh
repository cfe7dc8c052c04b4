#!/usr/bin/env bash
# The progress line (jobs done/total, elapsed, estimate) is drawn on a terminal and nowhere else:
# under `script` (a pseudo-terminal) stderr carries it; redirected to a file it stays quiet unless
# --progress always is given.
# ctest-labels: sanitize
set -eu
mb=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
command -v script >/dev/null || { echo "SKIP: script (util-linux) missing"; exit 77; }
suite=$src/tests/cli/suites/resume.json
script -qec "$mb run --suite $suite --out $tmp/tty --threads 2 --no-cache" /dev/null > "$tmp/tty.log"
grep -q $'\r' "$tmp/tty.log" || { echo "FAIL: no progress line on a terminal"; cat -v "$tmp/tty.log"; exit 1; }
grep -qE "[0-9]+/13 jobs" "$tmp/tty.log" && grep -q "elapsed" "$tmp/tty.log" && grep -q "left" "$tmp/tty.log" \
  || { echo "FAIL: progress line lacks done/total, elapsed or estimate"; cat -v "$tmp/tty.log"; exit 1; }
grep -q "13/13 jobs" "$tmp/tty.log" || { echo "FAIL: the last progress line is not 13/13"; cat -v "$tmp/tty.log"; exit 1; }
"$mb" run --suite "$suite" --out "$tmp/file" --threads 2 2> "$tmp/file.log"
if grep -q $'\r\|elapsed' "$tmp/file.log"; then echo "FAIL: progress drawn into a file"; cat -v "$tmp/file.log"; exit 1; fi
grep -q "wrote" "$tmp/file.log" || { echo "FAIL: no summary line"; exit 1; }
"$mb" run --suite "$suite" --out "$tmp/file" --threads 2 --progress always 2> "$tmp/always.log"
grep -q "13/13 jobs (13 cached)" "$tmp/always.log" || { echo "FAIL: --progress always"; cat -v "$tmp/always.log"; exit 1; }
echo "progress: ok"
