#!/usr/bin/env bash
# Plugins end to end (docs/plugins.md), from a clean install prefix as a user builds one:
#   * `cmake --install BUILD --prefix P` installs the program, <muonbench/plugin.hpp> and the CMake
#     package; examples/plugin configures with -DCMAKE_PREFIX_PATH=P and builds
#     libmuonbench_example.so (a solver and a problem, each in float, double and mp50);
#   * `muonbench --plugin LIB list` shows plugin-signum and plugin-quartic with the library they
#     came from (and list --json); MUONBENCH_PLUGINS loads it too;
#   * a run of examples/plugin/suite.json (the plugin's problem and solver beside built-in ones, in
#     double and mp50) writes a report in which every cell ran;
#   * `check --solver plugin-signum` runs a claim on the plugin's solver;
#   * a plugin built for another plugin ABI (999) is refused, exit 2, naming both versions, and a
#     plugin that reuses a built-in name ("sgd") is an error naming it, not an abort.
set -euo pipefail
mb=$1
src=$2
build=$(dirname "$mb")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
jobs=${MUONBENCH_TEST_JOBS:-2}

cmake --install "$build" --prefix "$tmp/P" >"$tmp/install.log"
[[ -f $tmp/P/include/muonbench/plugin.hpp ]] || { echo "FAIL: plugin.hpp not installed"; exit 1; }
P_mb=$tmp/P/bin/muonbench
cmake -S "$src/examples/plugin" -B "$tmp/pb" -DCMAKE_PREFIX_PATH="$tmp/P" -DCMAKE_BUILD_TYPE=Release >"$tmp/configure.log" ||
  { cat "$tmp/configure.log"; exit 1; }
cmake --build "$tmp/pb" -j "$jobs" >"$tmp/build.log" 2>&1 || { tail -40 "$tmp/build.log"; exit 1; }
lib=$tmp/pb/libmuonbench_example.so
[[ -f $lib ]] || { echo "FAIL: no $lib"; exit 1; }

"$P_mb" --plugin "$lib" list >"$tmp/list"
for name in plugin-signum plugin-quartic; do
  grep -E "^  $name .*\[plugin $lib\]" "$tmp/list" >/dev/null || { echo "FAIL: list does not show $name from $lib"; cat "$tmp/list"; exit 1; }
done
MUONBENCH_PLUGINS=$lib "$P_mb" list --json >"$tmp/list.json"
/usr/bin/python3 - "$tmp/list.json" "$lib" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
assert j["plugins"] == [{"path": sys.argv[2], "problems": ["plugin-quartic"], "solvers": ["plugin-signum"], "claims": []}], j["plugins"]
assert "plugin-signum" in j["solvers"] and "plugin-quartic" in j["problems"]
PY

"$P_mb" --plugin "$lib" run --suite "$src/examples/plugin/suite.json" --out "$tmp/run" --threads 2 --quiet
/usr/bin/python3 - "$tmp/run/report.json" <<'PY'
import json, sys
recs = json.load(open(sys.argv[1]))["results"]["records"]
assert len(recs) == 24, len(recs)  # 2 problems x 3 settings x 2 precisions x 2 seeds
bad = [(c["cell"]["problem"], c["cell"]["solver_label"], c["status"], c["reason"]) for c in recs
       if c["status"] not in ("target_reached", "max_steps")]
assert not bad, bad
quartic = [c for c in recs if c["cell"]["problem"] == "plugin-quartic" and c["cell"]["precision"] == "mp50"]
assert quartic and all(isinstance(c["final"]["value"], str) for c in quartic), "mp50 values are decimal strings"
print("plugin run: %d cells, every one ran (plugin problem and solver in double and mp50)" % len(recs))
PY
"$P_mb" --plugin "$lib" check --claim gd-pl-rate --solver plugin-signum --precision double --quiet --out "$tmp/claims.json" || true
/usr/bin/python3 -c "
import json, sys
d = json.load(open('$tmp/claims.json'))
assert all(o['instance']['solver_checked']['name'] == 'plugin-signum' for o in d['results']['claims'])
print('check --solver plugin-signum: %d outcomes on the plugin solver' % d['results']['total'])"

# Refusals: another ABI, a name that is taken.
cmake -S "$src/tests/cli/plugin" -B "$tmp/tb" -DCMAKE_PREFIX_PATH="$tmp/P" -DCMAKE_BUILD_TYPE=Release >"$tmp/configure2.log" ||
  { cat "$tmp/configure2.log"; exit 1; }
cmake --build "$tmp/tb" -j "$jobs" >"$tmp/build2.log" 2>&1 || { tail -40 "$tmp/build2.log"; exit 1; }
set +e
"$P_mb" --plugin "$tmp/tb/libbad_abi.so" list >"$tmp/out" 2>"$tmp/err"
rc=$?
set -e
[[ $rc == 2 ]] || { echo "FAIL: a plugin for ABI 999 gave exit $rc, expected 2"; exit 1; }
grep -q "refused, not loaded: it was built for plugin ABI version 999" "$tmp/err" &&
  grep -q "this muonbench has plugin ABI version 1" "$tmp/err" || { echo "FAIL: the ABI refusal does not name both versions:"; cat "$tmp/err"; exit 1; }
[[ ! -s $tmp/out ]] || { echo "FAIL: list ran after a refused plugin"; exit 1; }
set +e
"$P_mb" --plugin "$tmp/tb/libduplicate.so" list >/dev/null 2>"$tmp/err"
rc=$?
set -e
[[ $rc == 2 ]] && grep -q "registers 'sgd', a name that is already registered" "$tmp/err" ||
  { echo "FAIL: duplicate name: exit $rc"; cat "$tmp/err"; exit 1; }
echo "plugin: ok"
