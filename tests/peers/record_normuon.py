#!/usr/bin/env python3
"""Records NorMuon peer traces (tests/data/peers/normuon.json, normuon_dion.json) from the peers'
own code, in float64, for `muonbench replay` (tests/peers/replay_case.sh).

  --peer normuon  zichongli5/NorMuon normuon.py, class SingleDeviceNorMuon (the default convention)
  --peer dion     microsoft/dion dion/normuon.py, class NorMuon (convention "dion")

usage: record_normuon.py --reference PATH --commit HEX [--peer normuon|dion] [--out FILE]
  PATH: the exported repository (git archive of the mirror), HEX its commit.
"""
SHIMS = """float64 only; the rule is the reference's own code: Tensor.bfloat16() and Tensor.to(dtype=torch.bfloat16) return the tensor
  unchanged (the peers run Newton-Schulz in bf16; muonbench replays with ns_dtype "working");
  torch's default dtype float64 (so dion's torch.tensor(mu), torch.tensor(muon_beta2), ... are
  float64). dion only, for torch 1.13: a no-op torch.compile, a stub torch.distributed.tensor
  module (DTensor / DeviceMesh classes never instantiated), torch.optim.optimizer.ParamsT,
  torch._foreach_copy_, torch._foreach_sign and torch._foreach_minimum(list, scalar) (cautious_wd)
  as loops of copy_, torch.sign and torch.clamp(max=), the package imported without dion/__init__.py (which
  imports every optimizer), and dion/megabatch_base.py's persistent lr tensor allocated float64
  instead of float32 (its module-level `torch.float32` read as float64).
"""
import argparse
import json
import os
import sys
import types

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
STEPS = 5


def shim_bf16():
    torch.set_default_dtype(torch.float64)
    torch.Tensor.bfloat16 = lambda self, *a, **k: self
    to = torch.Tensor.to

    def to_no_bf16(self, *a, **k):
        if k.get("dtype") is torch.bfloat16 or (a and a[0] is torch.bfloat16):
            return self
        return to(self, *a, **k)

    torch.Tensor.to = to_no_bf16


def load_normuon(ref):
    sys.path.insert(0, ref)
    import normuon

    return lambda params, **kw: normuon.SingleDeviceNorMuon(params, **kw)


def load_dion(ref):
    m = types.ModuleType("torch.distributed.tensor")

    class DTensor(torch.Tensor):
        pass

    class DeviceMesh:
        pass

    m.DTensor, m.DeviceMesh = DTensor, DeviceMesh
    sys.modules["torch.distributed.tensor"] = m
    torch.distributed.tensor = m
    torch.compile = lambda fn=None, **kw: (lambda f: f) if fn is None else fn
    import torch.optim.optimizer as oo

    oo.ParamsT = object
    if not hasattr(torch, "_foreach_copy_"):
        def foreach_copy_(dst, src):
            for d, s in zip(dst, src):
                d.copy_(s)
        torch._foreach_copy_ = foreach_copy_
    if not hasattr(torch, "_foreach_sign"):  # cautious_wd
        torch._foreach_sign = lambda xs: [torch.sign(x) for x in xs]
    try:
        torch._foreach_minimum([torch.zeros(1)], 1)
    except (TypeError, RuntimeError):
        torch._foreach_minimum = lambda xs, s: [torch.clamp(x, max=s) for x in xs]
    pkg = types.ModuleType("dion")
    pkg.__path__ = [os.path.join(ref, "dion")]
    sys.modules["dion"] = pkg
    import dion.megabatch_base as mbb
    from dion.normuon import NorMuon

    class TorchF64:  # megabatch_base allocates the live lr tensor as float32
        def __getattr__(self, n):
            return torch.float64 if n == "float32" else getattr(torch, n)

    mbb.torch = TorchF64()
    return lambda params, **kw: NorMuon(params, **kw)


def rows(a):
    a = np.asarray(a)
    if a.ndim == 1:
        return [float(x) for x in a]
    return [rows(x) for x in a]


def run(make, shape, kw, seed):
    rng = np.random.default_rng(seed)
    w0 = rng.uniform(-1, 1, size=shape)
    grads = [rng.uniform(-1, 1, size=shape) for _ in range(STEPS)]
    p = torch.nn.Parameter(torch.tensor(w0, dtype=torch.float64))
    opt = make([p], **kw)
    traj = []
    for g in grads:
        p.grad = torch.tensor(g, dtype=torch.float64)  # a fresh tensor: normuon_update lerps grad in place
        opt.step()
        traj.append(p.detach().numpy().copy())
    return w0, grads, traj


def case(name, solver_cfg, make, shape, kw, seed):
    w0, grads, traj = run(make, shape, kw, seed)
    return {"name": name, "solver": "normuon", "config": solver_cfg, "precision": "double", "rtol": 1e-12,
            "reference_kwargs": kw, "w0": rows(w0), "grads": [rows(g) for g in grads], "trajectory": [rows(w) for w in traj]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reference", required=True)
    ap.add_argument("--peer", choices=["normuon", "dion"], default="normuon")
    ap.add_argument("--commit", required=True, help="40-hex commit of the exported reference")
    ap.add_argument("--out")
    a = ap.parse_args()
    ref = os.path.abspath(a.reference)
    shim_bf16()
    cases = []
    if a.peer == "normuon":
        make = load_normuon(ref)
        base = {"ns_dtype": "working"}
        other_kw = {"lr": 0.05, "weight_decay": 0.1, "momentum": 0.9, "beta2": 0.99}
        other = dict(base, **other_kw)
        cases += [case("tall-default", base, make, (8, 5), {}, 1), case("wide-default", base, make, (5, 8), {}, 2),
                  case("tall-wd", other, make, (8, 5), other_kw, 3), case("wide-wd", other, make, (5, 8), other_kw, 4),
                  case("moe-default", base, make, (3, 6, 4), {}, 5)]
        peer = "zichongli5/NorMuon normuon.py (class SingleDeviceNorMuon, normuon_update)"
        repo = "https://github.com/zichongli5/NorMuon"
        out = a.out or os.path.join(ROOT, "tests/data/peers/normuon.json")
        how = ("SingleDeviceNorMuon([p], **reference_kwargs) on one float64 parameter (8x5, 5x8, or 3x6x4: the "
               "reference batches NS and its row statistics over the leading axis), 5 steps, p.grad set to the "
               "recorded gradient before each step(); trajectory = p after each step")
    else:
        make = load_dion(ref)
        base = {"convention": "dion", "ns_dtype": "working"}
        other_kw = {"lr": 0.02, "mu": 0.9, "muon_beta2": 0.9, "weight_decay": 0.05, "nesterov": True,
                    "cautious_wd": True, "adjust_lr": "rms_norm", "epsilon": 1e-7}
        other = dict(base, **other_kw)
        nope_kw = {"use_polar_express": False, "adjust_lr": None, "weight_decay": 0.0}
        nope = dict(base, **nope_kw)
        cases += [case("tall-dion", base, make, (8, 5), {}, 11), case("wide-dion", base, make, (5, 8), {}, 12),
                  case("tall-dion-cautious", other, make, (8, 5), other_kw, 13),
                  case("wide-dion-cautious", other, make, (5, 8), other_kw, 14),
                  case("wide-dion-you", nope, make, (5, 8), nope_kw, 16),
                  case("moe-dion", base, make, (3, 6, 4), {}, 15)]
        peer = "microsoft/dion dion/normuon.py (class NorMuon, normuon_update_megabatch_async)"
        repo = "https://github.com/microsoft/dion"
        out = a.out or os.path.join(ROOT, "tests/data/peers/normuon_dion.json")
        how = ("NorMuon([p], **reference_kwargs) (distributed_mesh None: single process) on one float64 parameter "
               "(8x5, 5x8, or 3x6x4 with flatten=False: a batch of 3 matrices), 5 steps, p.grad set before each "
               "step(); trajectory = p after each step")
    doc = {"peer": peer, "repository": repo, "commit": a.commit,
           "recorded_with": f"python3-torch {torch.__version__} (Debian bookworm), float64",
           "recorder": "tests/peers/record_normuon.py --peer " + a.peer,
           "shims": " ".join(SHIMS.split()) if a.peer == "dion" else " ".join(SHIMS.split(" dion only")[0].split()),
           "how": how, "cases": cases}
    with open(out, "w") as f:
        json.dump(doc, f, indent=None, separators=(",", ":"))
        f.write("\n")
    print(out, len(cases), "cases")


if __name__ == "__main__":
    main()
