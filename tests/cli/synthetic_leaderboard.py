#!/usr/bin/python3
"""A synthetic leaderboard.json at a realistic suite's scale, for tests/cli/page_scale.sh.

usage: synthetic_leaderboard.py OUT_DIR [--workloads W] [--solvers S] [--settings G] [--seeds N]
                                [--held-out H] [--targets T]

Writes OUT_DIR/leaderboard.json with every field `muonbench html` reads, including issue 18's
statistics (docs/reports.md): per-row "values", "seeds_used", "median", "ci95", "k_of_n"; the
pairwise U-test lists; held_out, k_of_n and tuning blocks; per-workload targets; runtime ECDFs.
The numbers are made up (deterministic: random.Random(18)) but shaped like a run's: steps grow with
the target's depth, some seeds miss, one solver has a larger grid than the budget.
"""
import argparse
import json
import math
import os
import random


def spread(vals):
    fin = sorted(v for v in vals if v is not None)
    allv = sorted(vals, key=lambda v: math.inf if v is None else v)
    med = allv[len(allv) // 2] if allv else None
    return {"median": med, "q20": fin[0] if fin else None, "q80": fin[-1] if fin else None,
            "min": fin[0] if fin else None, "max": fin[-1] if fin else None, "n": len(vals),
            "reached": len(fin)}


def median(vals):
    s = sorted(math.inf if v is None else v for v in vals)
    n = len(s)
    m = s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2
    return None if math.isinf(m) else m


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--workloads", type=int, default=8)
    ap.add_argument("--solvers", type=int, default=8)
    ap.add_argument("--settings", type=int, default=6)
    ap.add_argument("--seeds", type=int, default=7)
    ap.add_argument("--held-out", type=int, default=5)
    ap.add_argument("--targets", type=int, default=3)
    a = ap.parse_args()
    rng = random.Random(18)
    base = ["adamw", "muon", "muon-moonlight", "muon-exact", "normuon", "dion", "gd", "sgd-nesterov", "adam",
            "soap", "shampoo-adam-graft", "polargrad"]
    solvers = [base[i] if i < len(base) else "solver-%d" % i for i in range(a.solvers)]
    kinds = ["digits-mlp", "char-lm", "transformer-block", "moe", "ls", "softmax", "attn", "sensing"]
    tuning_seeds = list(range(a.seeds - a.held_out))
    ranking_seeds = list(range(a.seeds - a.held_out, a.seeds))
    n = len(ranking_seeds)
    k = math.ceil(3 * n / 5)
    targets_all = ["0.1", "0.01", "0.001", "1e-4", "1e-6"][: a.targets]
    workloads = []
    for wi in range(a.workloads):
        prec = "float" if wi % 2 else "double"
        prob = "%s-%d" % (kinds[wi % len(kinds)], 64 * (wi + 1))
        workloads.append({"name": "%s [%s]" % (prob, prec), "precision": prec, "problem": prob,
                          "slug": "%s-%s" % (prob, prec), "targets": targets_all,
                          "primary_target": targets_all[min(1, len(targets_all) - 1)]})
    speed = {s: rng.uniform(0.6, 2.0) for s in solvers}
    rank_steps, rank_secs, pairs_steps, pairs_secs, sweeps = [], [], [], [], []
    ecdf = {"steps": {s: [] for s in solvers}, "seconds": {s: [] for s in solvers}}
    for w in workloads:
        rows = {"steps": [], "seconds": []}
        for s in solvers:
            steps_vals, secs_vals = [], []
            for _ in ranking_seeds:
                miss = rng.random() < (0.5 if s == solvers[-1] else 0.12)
                st = None if miss else float(int(200 * speed[s] * rng.uniform(0.8, 1.25)))
                steps_vals.append(st)
                secs_vals.append(None if st is None else st * 0.004 * rng.uniform(0.9, 1.1))
            setting = "lr=%g" % (0.01 * 2 ** rng.randrange(a.settings))
            for kind, vals in (("steps", steps_vals), ("seconds", secs_vals)):
                reached = sum(v is not None for v in vals)
                fin = sorted(v for v in vals if v is not None)
                med = median(vals)
                lo = fin[0] if fin else None
                hi = fin[-1] if len(fin) == len(vals) else None
                row = {"solver": s, "setting": setting, "values": vals, "seeds_used": ranking_seeds,
                       "median": med, "ci95": [lo, hi],
                       "k_of_n": {"reached": reached, "n": n, "k": k, "counts": reached >= k}}
                if kind == "steps":
                    row.update({"steps_to_target": spread(vals), "reached": reached, "seeds": n, "diverged": 0,
                                "status": {"target_reached": reached, "max_steps": n - reached},
                                "final_relative_gap": {"median": 10 ** rng.uniform(-8, -2)},
                                "rate_per_step": {"median": rng.uniform(0.9, 0.999)}})
                else:
                    row["seconds_to_target"] = spread(vals)
                rows[kind].append(row)
                for ti in range(len(w["targets"])):
                    if med is not None and reached >= k:
                        ecdf[kind][s].append(med * (ti + 1) ** 1.5)
            sweeps.append({"workload": w["name"], "solver": s, "settings": [
                {"setting": "lr=%g" % (0.01 * 2 ** g), "steps_to_target": float(rng.randrange(50, 2000)),
                 "final_relative_gap": 10 ** rng.uniform(-8, -1), "selected": "lr=%g" % (0.01 * 2 ** g) == setting}
                for g in range(a.settings + (2 if s == solvers[1] else 0))]})
        for kind, out, plist in (("steps", rank_steps, pairs_steps), ("seconds", rank_secs, pairs_secs)):
            ordered = sorted(rows[kind], key=lambda r: (not r["k_of_n"]["counts"],
                                                       math.inf if r["median"] is None else r["median"]))
            for i, r in enumerate(ordered):
                r["rank"] = i + 1
            out.append({"workload": w["name"], "slug": w["slug"], "ranking": ordered})
            for i in range(len(solvers)):
                for j in range(i + 1, len(solvers)):
                    ra, rb = rows[kind][i], rows[kind][j]
                    ma = math.inf if ra["median"] is None else ra["median"]
                    mb = math.inf if rb["median"] is None else rb["median"]
                    p = min(1.0, 10 ** rng.uniform(-3, 0))
                    sig = p < 0.05 and ma != mb
                    # The faster solver by name, or (every other pair) as "a"/"b": the page reads both.
                    faster = ("a" if ma < mb else "b") if len(plist) % 2 else (ra["solver"] if ma < mb else rb["solver"])
                    plist.append({"workload": w["name"], "a": solvers[i], "b": solvers[j], "p": p,
                                  "effect": rng.uniform(0, 1), "method": "exact",
                                  "faster": faster if sig else None, "significant": sig})
    pairs_total = len(workloads) * len(targets_all)

    def ecdf_json(kind):
        out = {}
        for s in solvers:
            xs = sorted(ecdf[kind][s])
            out[s] = {"x": xs, "y": [(i + 1) / pairs_total for i in range(len(xs))]}
        return {"pairs": pairs_total, "solvers": out}

    def profile(scores):
        return {"tau_max": 4, "solvers": {s: {"ratios": [1.0] * len(workloads), "score": scores[s]}
                                          for s in solvers}}

    sc = {s: rng.uniform(0, 1) for s in solvers}
    scores = [{"rank": i + 1, "solver": s, "score": sc[s]} for i, s in enumerate(sorted(solvers, key=lambda s: -sc[s]))]
    budget = a.settings
    lb = {
        "schema": "muonbench.leaderboard", "schema_version": 1, "muonbench_version": "synthetic",
        "results": {
            "suite": "synthetic-realistic", "suite_hash": "0" * 16,
            "description": "A synthetic leaderboard at a realistic suite's scale (tests/cli/page_scale.sh).",
            "primary_target": targets_all[min(1, len(targets_all) - 1)], "targets": targets_all,
            "selection": {"rule": "min-median-steps", "target": targets_all[0],
                          "text": "the setting with the fewest median steps on the tuning seeds"},
            "solvers": solvers, "workloads": workloads,
            "held_out": {"tuning_seeds": tuning_seeds, "ranking_seeds": ranking_seeds,
                         "text": "tuned on seeds %s; ranked on held-out seeds %s that the tuner never saw"
                                 % (", ".join(map(str, tuning_seeds)), ", ".join(map(str, ranking_seeds)))},
            "k_of_n": {"k": k, "n": n, "text": "a solver reaches a target only if at least %d of its %d seeds "
                                               "reach it (AlgoPerf)" % (k, n)},
            "tuning": {"budget": budget, "declared": {},
                       "per_solver": [{"solver": s, "settings": budget + (2 if s == solvers[1] else 0),
                                       "flag": "larger grid than the budget" if s == solvers[1] else None}
                                      for s in solvers],
                       "text": "every solver gets a grid of %d settings" % budget},
            "rankings_by_steps": rank_steps, "pairwise_steps": pairs_steps, "ecdf_steps": ecdf_json("steps"),
            "performance_profile_steps": profile(sc), "scores_by_steps": scores, "sweeps": sweeps,
            "claims": [{"claim": "claim-%d" % i, "precision": "double", "variant": "reference", "expected": "holds",
                        "verdict": "holds", "margin": 0.5, "tolerance": 0.1, "as_expected": True} for i in range(6)],
            "claims_as_expected": 6, "claims_total": 6,
        },
        "run": {
            "date": "2026-12-04T00:00:00Z", "wall_seconds": 1500.0,
            "environment": {"muonbench_version": "synthetic", "git_commit": "0" * 40, "threads_used": 2},
            "rankings_by_seconds": rank_secs, "pairwise_seconds": pairs_secs, "ecdf_seconds": ecdf_json("seconds"),
            "performance_profile_seconds": profile(sc), "scores_by_seconds": scores,
        },
    }
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "leaderboard.json"), "w") as f:
        json.dump(lb, f, indent=1)


if __name__ == "__main__":
    main()
