#!/usr/bin/env bash
# scripts/plot draws the convergence curves, performance profiles and claims table (PNG and SVG);
# `muonbench html` renders the leaderboard page; headless Chromium (Debian's chromium) loads it:
# the tables render with one row per solver / workload / claim, the script runs, a sort asked for
# in the address reorders the rows, and a solver filter in the address hides the other solvers' rows.
# The runtime ECDFs are drawn (plots/ecdf.*, and inline SVGs on the page);
# tests/cli/page_scale.sh checks every statistic at a realistic suite's scale.
set -eu
mb=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
/usr/bin/python3 -c "import matplotlib" 2>/dev/null || { echo "SKIP: python3-matplotlib missing (scripts/setup)"; exit 77; }
browser=$(command -v chromium || command -v chromium-browser || true)
[[ -n $browser ]] || { echo "SKIP: chromium missing (scripts/setup installs it)"; exit 77; }

"$mb" run --suite smoke --out "$tmp/run" --threads 2 --quiet
"$src/scripts/plot" "$tmp/run" 2> "$tmp/plot.log" || { cat "$tmp/plot.log"; exit 1; }
for f in profile claims convergence-ls-6x4-double convergence-ls-6x4-mp50; do
  for ext in png svg; do test -s "$tmp/run/plots/$f.$ext" || { echo "FAIL: no plots/$f.$ext"; exit 1; }; done
done
for ext in png svg; do test -s "$tmp/run/plots/ecdf.$ext" || { echo "FAIL: no plots/ecdf.$ext"; exit 1; }; done
"$mb" html --in "$tmp/run" --quiet
test -s "$tmp/run/index.html"

dump() {  # dump URL-FRAGMENT OUT
  local profile
  profile=$(mktemp -d)
  timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run --user-data-dir="$profile" \
    --dump-dom "file://$tmp/run/index.html$1" > "$2" 2> "$tmp/chromium.log" || { tail -5 "$tmp/chromium.log"; exit 1; }
  rm -rf "$profile"
}
dump "" "$tmp/dom.html"
dump "#sort=scores-table:1:desc" "$tmp/dom-sorted.html"
dump "#solver=gd" "$tmp/dom-filtered.html"
/usr/bin/python3 - "$tmp/dom.html" "$tmp/dom-sorted.html" "$tmp/run/leaderboard.json" "$tmp/dom-filtered.html" <<'PY'
import json, sys
from html.parser import HTMLParser

class Tables(HTMLParser):
    """Rows of every table by id, and the attributes of <body> and of each table, as rendered."""
    def __init__(self):
        super().__init__()
        self.tables, self.attrs, self.body, self.cur, self.row, self.cell = {}, {}, {}, None, None, None
        self.hidden, self.svgs = {}, []
    def handle_starttag(self, tag, a):
        a = dict(a)
        if tag == "body": self.body = a
        if tag == "table": self.cur = a.get("id"); self.tables[self.cur] = []; self.attrs[self.cur] = a
        if tag == "tr" and self.cur: self.row = []; self.hidden.setdefault(self.cur, []).append("hidden" in a)
        if tag == "svg": self.svgs.append(a.get("id"))
        if tag in ("td", "th") and self.row is not None: self.cell = ""
    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None: self.row.append(self.cell.strip()); self.cell = None
        if tag == "tr" and self.row is not None: self.tables[self.cur].append(self.row); self.row = None
        if tag == "table": self.cur = None
    def handle_data(self, d):
        if self.cell is not None: self.cell += d

def parse(path):
    t = Tables(); t.feed(open(path).read()); return t

plain, srt = parse(sys.argv[1]), parse(sys.argv[2])
lb = json.load(open(sys.argv[3]))["results"]
assert plain.body.get("data-ready") == "1", "the page's script did not run"
solvers = lb["solvers"]
scores = plain.tables["scores-table"][1:]
assert [r[1] for r in scores] == [s["solver"] for s in lb["scores_by_steps"]], scores
for w in lb["rankings_by_steps"]:
    rows = plain.tables["rank-" + w["slug"]][1:]
    assert len(rows) == len(w["ranking"]) == len(solvers), (w["slug"], rows)
assert len(plain.tables["claims-table"]) - 1 == len(lb["claims"]) > 0
assert len(plain.tables["sweeps-table"]) - 1 == sum(len(s["settings"]) for s in lb["sweeps"]) > 0
# Sorted by the solver column, descending, by the page's script.
assert srt.attrs["scores-table"].get("data-sorted") == "1:desc", srt.attrs["scores-table"]
names = [r[1] for r in srt.tables["scores-table"][1:]]
assert names == sorted(solvers, reverse=True) and names != [r[1] for r in scores], names
assert float(plain.body["data-render-ms"]) > 0, plain.body
assert "ecdf_steps" in lb and "ecdf-steps" in plain.svgs and "ecdf-seconds" in plain.svgs, plain.svgs
# Filtered to one solver: the other solvers' rows are hidden, not removed.
filt = parse(sys.argv[4])
assert "gd" in solvers and filt.body.get("data-filter") == "solver=gd", filt.body
shown = [r[1] for r, h in zip(filt.tables["scores-table"][1:], filt.hidden["scores-table"][1:]) if not h]
assert shown == ["gd"] and len(filt.tables["scores-table"]) == len(plain.tables["scores-table"]), shown
for w in lb["rankings_by_steps"]:
    t = "rank-" + w["slug"]
    assert [r[1] for r, h in zip(filt.tables[t][1:], filt.hidden[t][1:]) if not h] == ["gd"], t
print("page: %d tables render; sorted solvers: %s; filtered: %s" % (len(plain.tables), names, shown))
PY
echo "plots and page: ok"
