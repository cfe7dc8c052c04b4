#!/usr/bin/python3
"""Summarises a Google Benchmark JSON of build/muonbench_bench (bench_spectral.cpp):
ratios to BM_Gemm/<n> of the same run, fitted exponents of time ~ n^k, SVD-polar vs Newton-Schulz.
usage: build/muonbench_bench --benchmark_repetitions=5 --benchmark_format=json > b.json
       bench/summarize_spectral.py b.json
Uses the "min" aggregate when repetitions were run (robust on a shared machine), else the first run,
of the CPU time of the benchmark thread (every map here is single-threaded; on a machine shared with
other jobs CPU time excludes the time spent waiting for a core). --real uses wall time instead."""
import json
import math
import sys
from collections import defaultdict


def times(doc):
    """run name -> (seconds, allocs_per_call): the "min" aggregate if present, else the first run."""
    unit = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}
    mins, firsts = {}, {}
    for b in doc["benchmarks"]:
        name = b.get("run_name", b["name"])
        value = (b[TIME_KEY] * unit[b["time_unit"]], b.get("allocs_per_call"))
        if b.get("aggregate_name") == "min":
            mins[name] = value
        elif b.get("run_type", "iteration") == "iteration":
            firsts.setdefault(name, value)
    for name, (sec, allocs) in mins.items():
        mins[name] = (sec, firsts.get(name, (0, allocs))[1])
    return {**firsts, **mins}


def fit(ns, ts):
    xs = [math.log(n) for n in ns]
    ys = [math.log(t) for t in ts]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)


TIME_KEY = "cpu_time"


def main():
    global TIME_KEY
    args = [a for a in sys.argv[1:] if a != "--real"]
    if "--real" in sys.argv:
        TIME_KEY = "real_time"
    doc = json.load(open(args[0]))
    t = times(doc)
    fam = defaultdict(dict)
    for name, (sec, allocs) in t.items():
        head, n = name.rsplit("/", 1)
        fam[head][int(n)] = (sec, allocs)
    print(f"{'benchmark':42s} {'n':>5s} {'time':>10s} {'/ GEMM':>8s} {'allocs':>7s}")
    for head in sorted(fam):
        gemm = fam["BM_Gemm_mp50" if "mp50" in head else "BM_Gemm"]
        for n in sorted(fam[head]):
            sec, allocs = fam[head][n]
            ratio = sec / gemm[n][0] if n in gemm else float("nan")
            a = "" if allocs is None else f"{allocs:.0f}"
            print(f"{head:42s} {n:5d} {sec * 1e3:9.3f}ms {ratio:8.2f} {a:>7s}")
    print("\nfitted exponent k of time ~ n^k (least squares over the sizes run):")
    for head in sorted(fam):
        ns = sorted(fam[head])
        if len(ns) >= 2:
            print(f"  {head:42s} k = {fit(ns, [fam[head][n][0] for n in ns]):.2f}")
    print("\nSVD polar / Newton-Schulz (jordan x 5):")
    for svd, ns in (("BM_PolarSVD", "BM_NewtonSchulz/jordan"), ("BM_PolarSVD_mp50", "BM_NewtonSchulz_mp50/jordan")):
        for n in sorted(fam.get(svd, {})):
            if n in fam.get(ns, {}):
                print(f"  {svd}/{n}: {fam[svd][n][0] / fam[ns][n][0]:.1f}x slower")


if __name__ == "__main__":
    main()
