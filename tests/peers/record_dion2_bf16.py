#!/usr/bin/env python3
"""Records tests/data/peers/dion2_bf16.json: microsoft/dion's own Dion2 (dion/dion2.py, default
newton_schulz_func polar_express with its own bfloat16 casts) on float32 parameters, as PyTorch runs
it eagerly on CPU (TORCHDYNAMO_DISABLE=1: torch.compile does nothing, so every op rounds on its own).

usage: record_dion2_bf16.py --reference PATH --commit HEX [--out FILE]
  PATH: microsoft/dion exported outside this repository, at HEX. Needs a PyTorch with DTensor and CPU
  bfloat16 matmuls (Debian's torch 1.13 has neither): it was run with PyTorch 2.11 on a GPU machine's
  CPU (the `device` tool). No shim: dion/__init__.py is skipped (the package's modules are loaded one by
  one), nothing else is replaced. Entries are written as the shortest decimal that reads back to the same
  float32 (muonbench replays them with --precision float).
"""
import argparse, json, os, sys, types

os.environ.setdefault("TORCHDYNAMO_DISABLE", "1")
import numpy as np
import torch

CASES = [("tall-default", (8, 5), {}, 11), ("wide-default", (5, 8), {}, 12),
         ("tall-half", (8, 5), {"lr": 0.1, "fraction": 0.5, "ef_decay": 0.8, "weight_decay": 0.05}, 13),
         ("wide-half", (5, 8), {"lr": 0.1, "fraction": 0.5, "ef_decay": 0.8, "weight_decay": 0.05}, 14),
         ("tall-64x32", (64, 32), {}, 17)]
STEPS = 5
RTOL = 2e-7
RTOL_REASON = ("muonbench's float32 trajectory equals torch's bit for bit in every entry of every step (checked on the "
               "recorder's full float32 values); what the comparison sees is the storage here of each float32 as its "
               "shortest decimal (under 2^-24 relative) and muonbench's 9 printed digits: 4.2e-8 at worst, times 4")


def f32(t):
    """A float32 tensor as nested lists of the shortest decimals that read back to the same float32."""
    a = t.detach().cpu().float().numpy()
    return [[float(str(np.float32(v))) for v in row] for row in a]  # str: the shortest round-trip decimal


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reference", required=True)
    ap.add_argument("--commit", required=True, help="the 40-hex commit of the reference exported at --reference")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "data", "peers", "dion2_bf16.json"))
    a = ap.parse_args()
    pkg = types.ModuleType("dion")
    pkg.__path__ = [os.path.join(os.path.abspath(a.reference), "dion")]
    sys.modules["dion"] = pkg
    import importlib
    Dion2 = importlib.import_module("dion.dion2").Dion2
    cases = []
    for name, shape, kw, seed in CASES:
        g = torch.Generator().manual_seed(seed)
        w0 = (torch.randn(*shape, generator=g, dtype=torch.float64) * 0.5).float()
        grads = [torch.randn(*shape, generator=g, dtype=torch.float64).float() for _ in range(STEPS)]
        p = torch.nn.Parameter(w0.clone())
        opt = Dion2([p], **kw)
        traj = []
        for gr in grads:
            p.grad = gr.clone()
            opt.step()
            traj.append(f32(p))
        cases.append({"name": name, "solver": "dion2", "config": dict(kw, ns_dtype="bf16"), "precision": "float",
                      "rtol": RTOL, "rtol_reason": RTOL_REASON, "w0": f32(w0), "grads": [f32(x) for x in grads],
                      "trajectory": traj})
    doc = {
        "peer": "microsoft/dion dion/dion2.py (class Dion2; dion/polar_express.py polar_express), bf16 as PyTorch "
                f"{torch.__version__.split('+')[0]} runs it eagerly on CPU",
        "repository": "https://github.com/microsoft/dion",
        "commit": a.commit,
        "recorded_with": f"PyTorch {torch.__version__} CPU, eager (TORCHDYNAMO_DISABLE=1), float32 parameters",
        "recorder": "tests/peers/record_dion2_bf16.py",
        "shims": "none (dion/__init__.py skipped: the modules are loaded one by one)",
        "how": ("dion2.Dion2([param], **kwargs) on a CPU float32 tensor, distributed_mesh None, default newton_schulz_func "
                "(polar_express, its own bfloat16 casts), run with TORCHDYNAMO_DISABLE=1 so torch.compile is eager; "
                f"{STEPS} steps per case; w0 = 0.5 randn and grads = randn drawn in float64 from torch.Generator seeded per "
                "case, then float32; entries written as the shortest decimal that reads back to the same float32"),
        "cases": cases,
    }
    with open(a.out, "w") as f:
        json.dump(doc, f)
    print("wrote", a.out, os.path.getsize(a.out), "bytes")


if __name__ == "__main__":
    main()
