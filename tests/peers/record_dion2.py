#!/usr/bin/env python3
"""Records tests/data/peers/dion2.json from microsoft/dion's own dion/dion2.py (class Dion2, with its
default Newton-Schulz function dion/polar_express.py polar_express, or zeropower_via_newtonschulz5
when use_polar_express=False) in float64 (muonbench's code; shims in tests/peers/dion_shims.py:
the bfloat16 casts become float64, so muonbench replays with ns_dtype = "working").

usage: /usr/bin/python3 tests/peers/record_dion2.py --reference /tmp/ref_dion \
           --commit HEX [--out tests/data/peers/dion2.json]

Single device (distributed_mesh None). The MoE case [3, 6, 4] is one 3-D parameter, which Dion2
takes as a batch of 2-D matrices (flatten = False), selection and scaling per matrix.
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dion_shims  # noqa: E402


def run_case(ref, name, shape, kwargs, config, steps, seed):
    import torch
    gen = torch.Generator().manual_seed(seed)
    w0 = torch.randn(*shape, generator=gen, dtype=torch.float64) * 0.5
    grads = [torch.randn(*shape, generator=gen, dtype=torch.float64) for _ in range(steps)]
    p = torch.nn.Parameter(w0.clone())
    opt = ref.Dion2([p], **kwargs)
    traj = []
    for g in grads:
        p.grad = g.clone()
        opt.step()
        traj.append(p.detach().clone())
    cfg = dict(config)
    cfg["ns_dtype"] = "working"
    return {"name": name, "solver": "dion2", "config": cfg, "precision": "double", "rtol": 1e-12,
            "w0": w0.tolist(), "grads": [g.tolist() for g in grads], "trajectory": [w.tolist() for w in traj]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reference", required=True)
    ap.add_argument("--commit", required=True, help="the 40-hex commit of the reference exported at --reference")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "data", "peers", "dion2.json"))
    a = ap.parse_args()
    dion_shims.install(a.reference)
    dion_shims.tensor_bfloat16_to_float64()
    (ref,) = dion_shims.load_all(["dion2"])

    other = {"lr": 0.1, "fraction": 0.5, "ef_decay": 0.8, "weight_decay": 0.05}
    nopx = {"lr": 0.2, "fraction": 1.0, "ef_decay": 0.0, "weight_decay": 0.0, "use_polar_express": False}
    cases = [
        run_case(ref, "tall-default", (8, 5), {}, {}, 5, 11),
        run_case(ref, "wide-default", (5, 8), {}, {}, 5, 12),
        run_case(ref, "tall-half", (8, 5), other, other, 5, 13),
        run_case(ref, "wide-half", (5, 8), other, other, 5, 14),
        run_case(ref, "square-full-newtonschulz5", (6, 6), nopx, nopx, 4, 15),
        run_case(ref, "moe-3x6x4", (3, 6, 4), other, other, 4, 16),
    ]
    doc = {
        "peer": "microsoft/dion dion/dion2.py (class Dion2; dion/polar_express.py polar_express)",
        "repository": "https://github.com/microsoft/dion",
        "commit": a.commit,
        "recorded_with": "python3-torch 1.13.1 (Debian bookworm), float64",
        "recorder": "tests/peers/record_dion2.py",
        "shims": dion_shims.SHIMS + "; Tensor.bfloat16() -> float64 copy",
        "how": ("dion2.Dion2([param], **kwargs) on a CPU float64 tensor, distributed_mesh None, default "
                "newton_schulz_func (polar_express; zeropower_via_newtonschulz5 with use_polar_express False); "
                "its bfloat16 casts made float64 by the shims, hence ns_dtype working; w0 = 0.5 randn, grads = randn "
                "(torch.Generator seeded per case); the MoE case is one 3-D parameter [3, 6, 4] (flatten False)"),
        "cases": cases,
    }
    with open(a.out, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    print("wrote", a.out, os.path.getsize(a.out), "bytes")


if __name__ == "__main__":
    main()
