#!/usr/bin/env bash
# The deterministic portable mode across CPUs (docs/reproducibility.md): the portable build
# (build-portable/muonbench, scripts/build --portable; scripts/test builds it) runs two small
# suites that cover every solver family (float, double, mp50) and every problem family (float,
# double) with --reproducible, natively and under `qemu-x86_64 -cpu qemu64` (an x86-64 without
# SSE4, AVX or FMA), and the two `results` parts must be byte-identical. Their SHA-256 must also
# equal the hash committed in tests/data/cross_cpu_results.sha256: a change that alters results
# without meaning to fails here (update the file with scripts/update-results-hash when it does mean to).
set -euo pipefail
mb=$1
src=$2
portable=${MUONBENCH_PORTABLE_BIN:-$src/build-portable/muonbench}
[[ -x $portable ]] || { echo "skipped: no portable build at $portable (scripts/build --portable)"; exit 77; }
command -v qemu-x86_64 >/dev/null || { echo "skipped: qemu-x86_64 is missing (scripts/setup installs qemu-user)"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
hashes=""
for s in solvers problems; do
  suite=$src/tests/cli/suites/cross_cpu_$s.json
  "$portable" run --suite "$suite" --reproducible --no-cache --quiet --threads 2 --out "$tmp/native-$s"
  start=$(date +%s)
  qemu-x86_64 -cpu qemu64 "$portable" run --suite "$suite" --reproducible --no-cache --quiet --threads 2 --out "$tmp/qemu-$s"
  echo "cross_cpu: suite $s under qemu64 in $(( $(date +%s) - start )) s"
  h=$(/usr/bin/python3 "$src/scripts/results-hash" "$tmp/native-$s/report.json" "$tmp/qemu-$s/report.json" \
      "$tmp/native-$s/leaderboard.json" "$tmp/qemu-$s/leaderboard.json") || exit 1
  hashes+="cross_cpu_$s $h"$'\n'
done
/usr/bin/python3 - "$tmp" <<'PY'
import json, sys
for s in ("solvers", "problems"):
    for where in ("native", "qemu"):
        b = json.load(open("%s/%s-%s/report.json" % (sys.argv[1], where, s)))["run"]["environment"]["build"]
        assert b["mode"] == "portable" and b["cpu_independent"] is True, (where, s, b)
PY
committed=$(grep -v '^#' "$src/tests/data/cross_cpu_results.sha256")
if [[ $committed != "${hashes%$'\n'}" ]]; then
  echo "FAIL: the results differ from the committed hash (tests/data/cross_cpu_results.sha256):"
  echo "committed:"; echo "$committed"; echo "now:"; echo "${hashes%$'\n'}"
  echo "If the change means to alter results: scripts/update-results-hash"
  exit 1
fi
echo "cross_cpu: native and qemu64 results byte-identical, and equal to the committed hash"
