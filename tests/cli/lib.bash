# Helpers for the command-line tests (sourced): same_results A B compares the deterministic part
# ("results") of two documents, byte for byte as written and as parsed JSON.
same_results() {
  /usr/bin/python3 - "$1" "$2" <<'PY'
import json, sys
a, b = sys.argv[1:3]
ta, tb = open(a).read(), open(b).read()
ja, jb = json.loads(ta), json.loads(tb)
assert set(ja) == {"schema", "schema_version", "muonbench_version", "results", "run"}, sorted(ja)
assert json.dumps(ja["results"]) == json.dumps(jb["results"]), "results differ: %s vs %s" % (a, b)
# Byte-identical as written: the text between "results" and "run" (keys are written in order).
cut = lambda t: t[t.index('\n "results":'):t.index('\n "run":')]
assert cut(ta) == cut(tb), "results bytes differ: %s vs %s" % (a, b)
PY
}
