#!/usr/bin/env python3
"""Records the AdaMuon peer trace (tests/data/peers/adamuon.json) from Chongjie-Si/AdaMuon's own
gpt2/models/optimizers/adamuon.py (class AdaMuon), in float64, for `muonbench replay`
(tests/peers/replay_case.sh).

usage: record_adamuon.py --reference PATH --commit HEX [--out FILE]
  PATH: the exported repository (git archive of the mirror), HEX its commit.
"""
SHIMS = """float64 only; the rule is the reference's own code: Tensor.bfloat16() returns the tensor unchanged
  (zeropower_via_newtonschulz5 casts to bf16; muonbench replays with ns_dtype "working"); the
  module's torch.empty allocates the all-gather update_buffer on the CPU in float64 instead of
  device="cuda", bfloat16 (the reference rounds each update to bf16 for communication); the
  module's dist.all_gather_into_tensor is a copy (world_size 1, rank 0) returning a handle whose
  wait() does nothing. The MoE case: the reference takes a 3-D parameter but then normalises with
  the whole tensor's norm and 0.2 sqrt(min(shape) max(shape)) of the 3-D shape (not a per-expert
  rule), so it was run on each expert slice [6, 4] separately (one AdaMuon per slice).
"""
import argparse
import json
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
STEPS = 5


def load(ref):
    torch.set_default_dtype(torch.float64)
    torch.Tensor.bfloat16 = lambda self, *a, **k: self
    sys.path.insert(0, os.path.join(ref, "gpt2", "models", "optimizers"))
    import adamuon

    class TorchProxy:  # the update buffer: CPU float64 instead of cuda bfloat16
        def __getattr__(self, n):
            if n == "empty":
                def empty(*shape, dtype=None, device=None):
                    return torch.empty(*shape, dtype=torch.float64 if dtype is torch.bfloat16 else dtype)
                return empty
            return getattr(torch, n)

    class Handle:
        def wait(self):
            pass

    class Dist:  # one process: the all-gather is a copy
        @staticmethod
        def all_gather_into_tensor(out, inp, async_op=False):
            out.copy_(inp.reshape(out.shape))
            return Handle()

    adamuon.torch = TorchProxy()
    adamuon.dist = Dist()
    return lambda params, **kw: adamuon.AdaMuon(params, rank=0, world_size=1, **kw)


def rows(a):
    a = np.asarray(a)
    if a.ndim == 1:
        return [float(x) for x in a]
    return [rows(x) for x in a]


def run2d(make, w0, grads, kw):
    p = torch.nn.Parameter(torch.tensor(w0, dtype=torch.float64))
    opt = make([p], **kw)
    traj = []
    for g in grads:
        p.grad = torch.tensor(g, dtype=torch.float64)  # fresh: the Nesterov lerp_ writes into grad
        opt.step()
        traj.append(p.detach().numpy().copy())
    return traj


def case(name, cfg, make, shape, kw, seed):
    rng = np.random.default_rng(seed)
    w0 = rng.uniform(-1, 1, size=shape)
    grads = [rng.uniform(-1, 1, size=shape) for _ in range(STEPS)]
    if len(shape) == 2:
        traj = run2d(make, w0, grads, kw)
    else:  # per expert: one optimizer per slice (see SHIMS)
        per = [run2d(make, w0[e], [g[e] for g in grads], kw) for e in range(shape[0])]
        traj = [np.stack([per[e][k] for e in range(shape[0])]) for k in range(STEPS)]
    return {"name": name, "solver": "adamuon", "config": cfg, "precision": "double", "rtol": 1e-12,
            "reference_kwargs": kw, "w0": rows(w0), "grads": [rows(g) for g in grads], "trajectory": [rows(w) for w in traj]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reference", required=True)
    ap.add_argument("--commit", required=True, help="40-hex commit of the exported reference")
    ap.add_argument("--out", default=os.path.join(ROOT, "tests/data/peers/adamuon.json"))
    a = ap.parse_args()
    make = load(os.path.abspath(a.reference))
    base = {"ns_dtype": "working"}
    other_kw = {"lr": 0.05, "weight_decay": 0.1, "momentum": 0.9, "nesterov": False, "eps": 1e-6}
    other = dict(base, **other_kw)
    steps_kw = {"ns_steps": 3, "weight_decay": 0.0}
    cases = [case("tall-default", base, make, (8, 5), {}, 21), case("wide-default", base, make, (5, 8), {}, 22),
             case("tall-plain", other, make, (8, 5), other_kw, 23), case("wide-plain", other, make, (5, 8), other_kw, 24),
             case("wide-ns3", dict(base, **steps_kw), make, (5, 8), steps_kw, 26),
             case("moe-default", base, make, (3, 6, 4), {}, 25)]
    doc = {"peer": "Chongjie-Si/AdaMuon gpt2/models/optimizers/adamuon.py (class AdaMuon)",
           "repository": "https://github.com/Chongjie-Si/AdaMuon", "commit": a.commit,
           "recorded_with": f"python3-torch {torch.__version__} (Debian bookworm), float64",
           "recorder": "tests/peers/record_adamuon.py", "shims": " ".join(SHIMS.split()),
           "how": ("AdaMuon([p], rank=0, world_size=1, **reference_kwargs) on one float64 parameter (8x5 or 5x8; "
                   "the 3x6x4 MoE case one AdaMuon per expert slice), 5 steps, p.grad set to the recorded gradient "
                   "before each step(); trajectory = p after each step"),
           "cases": cases}
    with open(a.out, "w") as f:
        json.dump(doc, f, indent=None, separators=(",", ":"))
        f.write("\n")
    print(a.out, len(cases), "cases")


if __name__ == "__main__":
    main()
