#!/usr/bin/env python3
"""Record Dao-AILab/gram-newton-schulz's own Muon (gram_newton_schulz/muon/muon.py, class Muon, with
its GramNewtonSchulz) as a muonbench peer trace: tests/data/peers/gram_ns.json.

    python3 tests/peers/record_gram_ns.py --reference /tmp/ref_gns [--out tests/data/peers/gram_ns.json]

The reference needs PyTorch >= 2.7 and CUDA; Debian's torch 1.13.1 (CPU) runs it with these stubs,
installed before the reference is imported (nothing of the reference is edited or copied):
  * torch.compile: a no-op decorator (torch 1.13 has none); torch._dynamo.disable and
    torch.compiler.disable: no-op decorators; torch.optim.optimizer.ParamsT: typing.Any;
  * dtype shim, so that the whole recording is float64: inside the reference's modules
    gram_newton_schulz.gram_newton_schulz and gram_newton_schulz.muon.muon_utils.muon_opt_utils
    the name `torch` is a proxy of torch whose float16, float32 and bfloat16 are torch.float64
    (the reference casts U to bfloat16, normalises in float32 and iterates in float16);
  * ns_use_kernels=False (the reference's own switch: its torch backend, no quack/CuTeDSL).
The restart positions are the Muon's own: auto-tuned by its restart_autotune.find_best_restarts
(num_restarts=1) for the first config, given explicitly (gram_newton_schulz_restart_iterations) for
the second. Each case's muonbench config states the same rule for solver `muon`.
"""
import argparse
import functools
import importlib
import json
import os
import subprocess
import sys
import types
import typing


def install_stubs():
    import torch

    def compile_stub(fn=None, **kw):
        if fn is None:
            return lambda f: f
        return fn

    torch.compile = compile_stub
    dyn = types.ModuleType("torch._dynamo")
    dyn.disable = lambda f=None, **kw: f if f is not None else (lambda g: g)
    sys.modules["torch._dynamo"] = dyn
    torch._dynamo = dyn
    comp = types.SimpleNamespace(disable=lambda f=None, **kw: f if f is not None else (lambda g: g))
    torch.compiler = comp
    import torch.optim.optimizer as oo
    if not hasattr(oo, "ParamsT"):
        oo.ParamsT = typing.Any
    return torch


class Float64Torch(types.ModuleType):
    """torch, with the reduced-precision dtypes the reference names replaced by float64."""

    def __init__(self, torch):
        super().__init__("torch")
        self._torch = torch
        self.float16 = self.float32 = self.bfloat16 = torch.float64

    def __getattr__(self, name):
        return getattr(self._torch, name)


def rows(t):
    return [[float(v) for v in r] for r in t.tolist()]


def matrix(t):
    return rows(t) if t.ndim == 2 else [rows(m) for m in t]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reference", required=True)
    ap.add_argument("--commit", required=True, help="the 40-hex commit of the reference exported at --reference")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "data", "peers", "gram_ns.json"))
    args = ap.parse_args()
    torch = install_stubs()
    torch.set_default_dtype(torch.float64)
    sys.path.insert(0, os.path.abspath(args.reference))
    gns = importlib.import_module("gram_newton_schulz")
    shim = Float64Torch(torch)
    importlib.import_module("gram_newton_schulz.gram_newton_schulz").torch = shim
    importlib.import_module("gram_newton_schulz.muon.muon_utils.muon_opt_utils").torch = shim
    Muon = gns.Muon
    commit = args.commit

    configs = {
        # defaults (POLAR_EXPRESS_COEFFICIENTS = paper list / 1.05, gram, 1 auto-tuned restart,
        # momentum 0.95 Nesterov, weight decay 0.1, adjust_lr rms_norm), lr 0.02
        "default": (dict(lr=0.02),
                    {"convention": "dion", "lr": 0.02, "mu": 0.95, "nesterov": True, "weight_decay": 0.1,
                     "adjust_lr": "rms_norm", "ns_schedule": "polar-express-1.05", "epsilon": 1e-7,
                     "ns_dtype": "working", "ns_algorithm": "gram_newton_schulz"}),
        # YOU coefficients, restarts [1, 3], no Nesterov, spectral_norm, no weight decay
        "you": (dict(lr=0.05, momentum=0.9, nesterov=False, weight_decay=0.0, adjust_lr="spectral_norm",
                     ns_coefficients_preset="YOU_COEFFICIENTS", gram_newton_schulz_restart_iterations=[1, 3]),
                {"convention": "dion", "lr": 0.05, "mu": 0.9, "nesterov": False, "weight_decay": 0.0,
                 "adjust_lr": "spectral_norm", "ns_schedule": "you", "epsilon": 1e-7, "ns_dtype": "working",
                 "ns_variant": "gram", "gram_newton_schulz_restart_iterations": [1, 3]}),
    }
    shapes = {"tall": (8, 5), "wide": (5, 8), "moe": (3, 6, 4)}
    cases = []
    restarts_chosen = {}
    for cname, (kw, mb_config) in configs.items():
        for sname, shape in shapes.items():
            if sname == "moe" and cname != "default":
                continue
            g = torch.Generator().manual_seed(1000 + 17 * len(cases))
            w0 = 0.5 * torch.randn(*shape, generator=g)
            grads = [torch.randn(*shape, generator=g) * (0.3 + 0.2 * t) for t in range(5)]
            p = torch.nn.Parameter(w0.clone())
            opt = Muon([p], ns_use_kernels=False, **kw)
            restarts_chosen[cname] = list(opt.gram_newton_schulz_reset_iterations)
            traj = []
            for gt in grads:
                p.grad = gt.clone()
                opt.step()
                traj.append(matrix(p.detach()))
            cfg = dict(mb_config)
            if cname == "default":
                cfg["gram_newton_schulz_restart_iterations"] = restarts_chosen[cname]
            # The reference orthogonalises each expert of a 3-D parameter on its own: muonbench's
            # `blockwise` runs muon per slice (muon itself sees a 3-D block as its (E m) x n storage).
            solver = "muon"
            if sname == "moe":
                solver, cfg = "blockwise", dict(cfg, solver="muon")
            cases.append({"name": f"{sname}-{cname}", "solver": solver, "config": cfg, "precision": "double",
                          "rtol": 1e-12, "w0": matrix(w0), "grads": [matrix(x) for x in grads], "trajectory": traj})
    out = {
        "peer": "Dao-AILab/gram-newton-schulz gram_newton_schulz/muon/muon.py (class Muon, ns_algorithm "
                "gram_newton_schulz: GramNewtonSchulz in gram_newton_schulz/gram_newton_schulz.py)",
        "repository": "https://github.com/Dao-AILab/gram-newton-schulz",
        "commit": commit,
        "recorded_with": f"python3-torch {torch.__version__} (Debian bookworm), float64",
        "recorder": "tests/peers/record_gram_ns.py",
        "shims": "torch.compile, torch._dynamo.disable, torch.compiler.disable: no-op decorators; "
                 "torch.optim.optimizer.ParamsT = typing.Any; in the reference modules gram_newton_schulz.py and "
                 "muon_opt_utils.py `torch` is a proxy whose float16/float32/bfloat16 are float64 (all float64); "
                 "ns_use_kernels=False (its torch backend)",
        "how": "Muon([p], ns_use_kernels=False, **kw) per case, p.grad = G_t, opt.step() for 5 steps; restart "
               f"positions chosen by its auto-tuning: {restarts_chosen}",
        "cases": cases,
    }
    with open(args.out, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print("wrote", args.out, len(cases), "cases; restarts", restarts_chosen)


if __name__ == "__main__":
    main()
