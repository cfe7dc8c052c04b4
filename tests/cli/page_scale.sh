#!/usr/bin/env bash
# The leaderboard page at a realistic suite's scale (issue 18): a synthetic leaderboard.json with
# 8 workloads x 8 solvers x 6 settings x 7 seeds (5 held out), three targets each, every pairwise
# U test and the runtime ECDFs (tests/cli/synthetic_leaderboard.py), rendered by `muonbench html`:
#   * index.html is under 2 MB;
#   * headless Chromium runs the page's script to the end within 2 s of navigation start (the
#     script writes performance.now() into <body data-render-ms>);
#   * every statistic shows: median, 95 % interval and "r/n seeds" (greyed exactly when fewer than
#     k seeds reach the target), only the pairs with p < 0.05 as "A faster than B, p = ...", the
#     held-out, k-of-n and tuning texts, the flagged grid, the targets, one ECDF curve per solver;
#   * #workload=SLUG&solver=NAME hides (never removes) every row, section and curve of the other
#     workloads and solvers, and a sort in the same fragment still applies.
set -eu
mb=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
browser=$(command -v chromium || command -v chromium-browser || true)
[[ -n $browser ]] || { echo "SKIP: chromium missing (scripts/setup installs it)"; exit 77; }

/usr/bin/python3 "$src/tests/cli/synthetic_leaderboard.py" "$tmp/run" --workloads 8 --solvers 8 --settings 6 \
  --seeds 7 --held-out 5 --targets 3
"$mb" html --in "$tmp/run" --quiet
size=$(stat -c %s "$tmp/run/index.html")
echo "index.html: $size bytes"
(( size < 2 * 1024 * 1024 )) || { echo "FAIL: index.html is $size bytes (limit 2 MB)"; exit 1; }

dump() {  # dump URL-FRAGMENT OUT
  local profile
  profile=$(mktemp -d)
  timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run --user-data-dir="$profile" \
    --dump-dom "file://$tmp/run/index.html$1" > "$2" 2> "$tmp/chromium.log" || { tail -5 "$tmp/chromium.log"; exit 1; }
  rm -rf "$profile"
}
slug=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"]["workloads"][1]["slug"])' \
  "$tmp/run/leaderboard.json")
dump "" "$tmp/dom.html"
dump "#workload=$slug&solver=muon&sort=rank-$slug:3:desc" "$tmp/dom-filtered.html"
/usr/bin/python3 - "$tmp/dom.html" "$tmp/dom-filtered.html" "$tmp/run/leaderboard.json" "$slug" <<'PY'
import json, re, sys
from html.parser import HTMLParser

class Dom(HTMLParser):
    """Rows of every table by id (cells, tr attributes, hidden by itself or by its <section>), the
    ECDF curve groups per svg, <body>'s attributes, and the page's text."""
    def __init__(self):
        super().__init__()
        self.tables, self.attrs, self.body, self.curves, self.text = {}, {}, {}, {}, []
        self.cur = self.row = self.cell = self.svg = None
        self.section_hidden = False
    def handle_starttag(self, tag, a):
        a = dict(a)
        if tag == "body": self.body = a
        if tag == "section": self.section_hidden = "hidden" in a
        if tag == "table": self.cur = a.get("id"); self.tables[self.cur] = []; self.attrs[self.cur] = a
        if tag == "tr" and self.cur: self.row = {"cells": [], "attrs": a, "classes": [],
                                                 "hidden": "hidden" in a or self.section_hidden}
        if tag in ("td", "th") and self.row is not None: self.cell = ""; self.row["classes"].append(a.get("class", ""))
        if tag == "svg": self.svg = a.get("id"); self.curves[self.svg] = []
        if tag == "g" and self.svg and "data-solver" in a: self.curves[self.svg].append((a["data-solver"], "hidden" in a))
    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None: self.row["cells"].append(self.cell.strip()); self.cell = None
        if tag == "tr" and self.row is not None: self.tables[self.cur].append(self.row); self.row = None
        if tag == "table": self.cur = None
        if tag == "section": self.section_hidden = False
        if tag == "svg": self.svg = None
    def handle_data(self, d):
        if self.cell is not None: self.cell += d
        self.text.append(d)

def parse(path):
    d = Dom(); d.feed(open(path).read()); d.text = " ".join(" ".join(d.text).split()); return d

plain, filt = parse(sys.argv[1]), parse(sys.argv[2])
lb, slug = json.load(open(sys.argv[3])), sys.argv[4]
r, run = lb["results"], lb["run"]
solvers, workloads = r["solvers"], r["workloads"]
name_of = {w["slug"]: w["name"] for w in workloads}

# The script ran to its end, fast.
for d in (plain, filt):
    assert d.body.get("data-ready") == "1", "the page's script did not run"
    ms = float(d.body["data-render-ms"])
    assert 0 < ms < 2000, "rendering took %.0f ms from navigation start (limit 2000)" % ms
print("render: %s ms, filtered %s ms" % (plain.body["data-render-ms"], filt.body["data-render-ms"]))

# Rules, targets, tuning budget.
for text in (r["held_out"]["text"], r["k_of_n"]["text"], r["tuning"]["text"]):
    assert text in plain.text, text
tuning = plain.tables["tuning-table"][1:]
assert [(t["cells"][0], t["cells"][1], t["cells"][3]) for t in tuning] == \
       [(t["solver"], str(t["settings"]), t["flag"] or "") for t in r["tuning"]["per_solver"]], tuning
assert sum(1 for t in tuning if t["classes"][3] == "bad") == 1
wt = plain.tables["workloads-table"][1:]
assert [(x["cells"][0], x["cells"][2], x["cells"][3]) for x in wt] == \
       [(w["name"], ", ".join(w["targets"]), w["primary_target"]) for w in workloads], wt

# Rankings: median, interval, k of n (greyed exactly when it does not count), per workload.
fmt = lambda v: "∞" if v is None else "%.4g" % v
secs = {(w["workload"], x["solver"]): x for w in run["rankings_by_seconds"] for x in w["ranking"]}
greyed = 0
for w in r["rankings_by_steps"]:
    rows = plain.tables["rank-" + w["slug"]]
    head, rows = rows[0]["cells"], rows[1:]
    assert head[4] == "steps 95 % CI" and head[5] == "seeds reaching", head
    assert len(rows) == len(w["ranking"]) == len(solvers)
    for row, x in zip(rows, w["ranking"]):
        c, kn = row["cells"], x["k_of_n"]
        assert c[1] == x["solver"] and c[3] == ("–" if x["median"] is None else "%.0f" % x["median"]), (c, x)
        assert c[4] == "[%s, %s]" % tuple(fmt(v) for v in x["ci95"]), (c[4], x["ci95"])
        assert c[5] == "%d/%d seeds" % (kn["reached"], kn["n"]), c[5]
        assert ("nc" in row["classes"][5]) == (not kn["counts"]), (row["classes"], kn)
        greyed += not kn["counts"]
        s = secs[(w["workload"], x["solver"])]
        assert c[7] == "[%s, %s]" % tuple(fmt(v) for v in s["ci95"]), (c[7], s["ci95"])
    # Only the significant pairs, worded "A faster than B, p = ...".
    fast = lambda p: p["a"] if p["faster"] in ("a", p["a"]) else p["b"]
    slow = lambda p: p["b"] if p["faster"] in ("a", p["a"]) else p["a"]
    want = sorted("%s faster than %s, p = %.2g" % (fast(p), slow(p), p["p"])
                  for p in r["pairwise_steps"] + run["pairwise_seconds"]
                  if p["workload"] == w["workload"] and p["p"] < 0.05 and p["faster"])
    got = sorted(x["cells"][1] for x in plain.tables.get("pairs-" + w["slug"], [])[1:])
    assert want and got == want, (w["slug"], got[:3], want[:3])
assert greyed > 0, "the synthetic leaderboard should have rows that do not count"
for svg in ("ecdf-steps", "ecdf-seconds"):
    assert [s for s, _ in plain.curves[svg]] == solvers, plain.curves.get(svg)
hidden = [t for t, rows in plain.tables.items() for x in rows if x["hidden"]]
assert not hidden, "rows hidden without a filter: %s" % hidden[:3]

# Filter: workload `slug` and solver muon, rows hidden, not removed; the sort applied too.
assert filt.body.get("data-filter") == "workload=%s solver=muon" % slug, filt.body
for w in r["rankings_by_steps"]:
    rows = filt.tables["rank-" + w["slug"]][1:]
    assert len(rows) == len(solvers), "rows removed"
    shown = [x["cells"][1] for x in rows if not x["hidden"]]
    assert shown == (["muon"] if w["slug"] == slug else []), (w["slug"], shown)
assert filt.attrs["rank-" + slug].get("data-sorted") == "3:desc", filt.attrs["rank-" + slug]
sweeps = filt.tables["sweeps-table"][1:]
assert len(sweeps) == len(plain.tables["sweeps-table"]) - 1
shown = [(x["cells"][0], x["cells"][1]) for x in sweeps if not x["hidden"]]
want = [(s["workload"], s["solver"]) for s in r["sweeps"] if s["workload"] == name_of[slug] and s["solver"] == "muon"
        for _ in s["settings"]]
assert shown == want and want, (shown, want)
assert [x["cells"][1] for x in filt.tables["scores-table"][1:] if not x["hidden"]] == ["muon"]
assert [x["cells"][0] for x in filt.tables["workloads-table"][1:] if not x["hidden"]] == [name_of[slug]]
pairs = [x for x in filt.tables.get("pairs-" + slug, [])[1:] if not x["hidden"]]
assert pairs and all(re.search(r"\bmuon faster|than muon,", x["cells"][1]) for x in pairs), pairs[:3]
for svg in ("ecdf-steps", "ecdf-seconds"):
    assert [s for s, h in filt.curves[svg] if not h] == ["muon"], filt.curves[svg]
print("page at scale: %d workloads x %d solvers, %d sweep rows; filter %s/muon shows %d sweep rows, %d pairs"
      % (len(workloads), len(solvers), len(sweeps), slug, len(shown), len(pairs)))
PY
echo "page at scale: ok"
