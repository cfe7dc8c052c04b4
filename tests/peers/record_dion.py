#!/usr/bin/env python3
"""Records tests/data/peers/dion.json from microsoft/dion's own dion/dion_reference.py (class Dion)
in float64 (muonbench's code; shims in tests/peers/dion_shims.py).

usage: /usr/bin/python3 tests/peers/record_dion.py --reference /tmp/ref_dion \
           --commit HEX [--out tests/data/peers/dion.json]

The reference draws its initial Q with torch.randn, which muonbench cannot reproduce; so the
state is initialised by the reference's own _init_opt_state_dion and then its Q is replaced by the
first r columns of the identity (shape checked), which muonbench builds with q_init = "identity".
The reference's default qr_method "rcqr" (randomised Cholesky QR, sketch from its own generator
seeded 0) is used as is: it gives muonbench's Householder basis up to column signs, to which the
update is invariant. A 3-D MoE tensor [E, m, n] is not accepted by dion_reference.py (2-D only),
so each expert slice is a separate 2-D parameter of one optimizer (per-matrix state, as muonbench's
per-expert units).
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dion_shims  # noqa: E402


def matrices(gen, shape, scale):
    import torch
    return torch.randn(*shape, generator=gen, dtype=torch.float64) * scale



def run_case(ref, name, shape, kwargs, config, steps, seed, zero_first=False):
    import torch
    gen = torch.Generator().manual_seed(seed)
    w0 = matrices(gen, shape, 0.5)
    grads = [matrices(gen, shape, 1.0) for _ in range(steps)]
    if zero_first:
        grads[0].zero_()
    slices = [w0.clone()] if len(shape) == 2 else [w0[e].clone() for e in range(shape[0])]
    params = [torch.nn.Parameter(s) for s in slices]
    opt = ref.Dion(params, **kwargs)
    group = opt.param_groups[0]
    for p in params:  # the reference's own state init, then Q0 = first r columns of I
        st = opt.state[p]
        opt._init_opt_state_dion(p, st, group["rank_fraction"], group["rank_multiple_of"])
        q = st["Q"]
        s, r = q.shape
        assert s == min(p.shape), (s, p.shape)
        st["Q"] = torch.eye(s, r, dtype=q.dtype)
    traj = []
    for g in grads:
        gs = [g] if len(shape) == 2 else [g[e] for e in range(shape[0])]
        for p, gi in zip(params, gs):
            p.grad = gi.clone()
        opt.step()
        w = params[0].detach().clone() if len(shape) == 2 else torch.stack([p.detach().clone() for p in params])
        traj.append(w)
    cfg = dict(config)
    cfg["q_init"] = "identity"
    return {"name": name, "solver": "dion", "config": cfg, "precision": "double", "rtol": 1e-12,
            "w0": w0.tolist(), "grads": [g.tolist() for g in grads], "trajectory": [w.tolist() for w in traj]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reference", required=True)
    ap.add_argument("--commit", required=True, help="the 40-hex commit of the reference exported at --reference")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "data", "peers", "dion.json"))
    a = ap.parse_args()
    dion_shims.install(a.reference)
    ref = dion_shims.load("dion_reference")

    other = {"lr": 0.1, "mu": 0.9, "weight_decay": 0.05, "rank_fraction": 0.5}
    other_cfg = {"lr": 0.1, "mu": 0.9, "weight_decay": 0.05, "rank_fraction": 0.5}
    cases = [
        run_case(ref, "tall-default", (8, 5), {}, {}, 5, 1),
        run_case(ref, "wide-default", (5, 8), {}, {}, 5, 2),
        run_case(ref, "tall-rank-half", (8, 5), other, other_cfg, 5, 3),
        run_case(ref, "wide-rank-half", (5, 8), other, other_cfg, 5, 4),
        run_case(ref, "tall-power2-multiple2-zero-first", (8, 5),
                 {"lr": 0.2, "mu": 0.5, "rank_fraction": 0.3, "rank_multiple_of": 2, "power_iters": 2, "weight_decay": 0.0},
                 {"lr": 0.2, "mu": 0.5, "rank_fraction": 0.3, "rank_multiple_of": 2, "power_iters": 2, "weight_decay": 0},
                 5, 5, zero_first=True),
        run_case(ref, "moe-3x6x4", (3, 6, 4), other, other_cfg, 4, 6),
    ]
    doc = {
        "peer": "microsoft/dion dion/dion_reference.py (class Dion)",
        "repository": "https://github.com/microsoft/dion",
        "commit": a.commit,
        "recorded_with": "python3-torch 1.13.1 (Debian bookworm), float64",
        "recorder": "tests/peers/record_dion.py",
        "shims": dion_shims.SHIMS,
        "how": ("dion_reference.Dion(params, **kwargs) on CPU float64 tensors, no meshes; state made by its "
                "_init_opt_state_dion, then Q replaced by eye(min(m,n), r) (muonbench q_init identity); "
                "qr_method rcqr (default) with the reference's generator seeded 0; w0 = 0.5 randn, "
                "grads = randn (torch.Generator seeded per case); the MoE case [3, 6, 4] as 3 separate 2-D "
                "parameters (dion_reference.py accepts 2-D only); the zero-first case starts with G = 0 "
                "(fix_all_zero_or_nan)"),
        "cases": cases,
    }
    with open(a.out, "w") as f:
        json.dump(doc, f, indent=None, separators=(",", ":"))
        f.write("\n")
    print("wrote", a.out, os.path.getsize(a.out), "bytes")


if __name__ == "__main__":
    main()
