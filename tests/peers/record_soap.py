#!/usr/bin/env python3
"""Records tests/data/peers/soap.json from NVIDIA-NeMo/Emerging-Optimizers'
emerging_optimizers/legacy_soap/soap.py (class SOAP) on python3-torch 1.13.1, float64.

usage: record_soap.py --reference /tmp/ref_eo [--out tests/data/peers/soap.json]

Shims (torch 1.13 / Python 3.11 / no absl, see SHIMS): only imports and the optimizer's float32 casts.
The optimizer casts every gradient to float32 and keeps its Adam moments in float32; the recording
runs it in float64 by giving soap.py a `torch` whose `float32` is float64 (nothing else changes).

Case choice. SOAP's eigenbasis at step 1 is eigh(G G^T), and for a non-square G one factor is
rank-deficient: its null-space eigenvectors are any orthonormal basis of that space (LAPACK's and
Eigen's differ). With use_eigh = True (the reference's exact path, every step) the next factor is
full rank and the basis unique up to signs, to which the update is invariant: the 8x5, 5x8 and MoE
cases use it. The default QR power-iteration path (use_eigh = False) carries step 1's arbitrary
null-space basis into every later step, so it is only reproducible where step 1's factors are full
rank: the square 6x6 cases use the defaults. Step 1's null-space directions still enter the
update as roundoff (~1e-16 |G|) / (roundoff + eps); each case's rtol is the bound that leaves
(recorded with the case, and stated in `rtol_reason`).
"""
import argparse, json, subprocess, sys, types

import torch

SHIMS = ("emerging_optimizers.registry = a stand-in whose register_optimizer(name) returns the class unchanged (registry.py uses Python 3.12 syntax); emerging_optimizers/legacy_soap/__init__.py not executed (it imports the package\'s other optimizers; soap.py is loaded from the package directory); torch.optim.optimizer.ParamsT = object (a type alias); absl: fake module (absl.logging no-ops); typing.override = identity (Python 3.12); torch.compile = "
         "identity decorator (calculate_adam_update, _clip_update_rms_in_place); in emerging_optimizers.legacy_soap.soap "
         "the global `torch` is a proxy of torch whose float32 is float64 (the optimizer casts gradients with "
         "p.grad.to(torch.float32) and allocates exp_avg/exp_avg_sq as float32; everything else is torch itself)")


def install_shims():
    import typing
    if not hasattr(typing, "override"):
        typing.override = lambda f: f
    absl = types.ModuleType("absl")
    absl.logging = types.SimpleNamespace(warning=lambda *a, **k: None, debug=lambda *a, **k: None,
                                         info=lambda *a, **k: None, error=lambda *a, **k: None)
    sys.modules["absl"] = absl
    sys.modules["absl.logging"] = absl.logging
    import torch.optim.optimizer as oo
    if not hasattr(oo, "ParamsT"):
        oo.ParamsT = object
    if not hasattr(torch, "compile"):
        torch.compile = lambda f=None, **k: f if f is not None else (lambda g: g)


class _TorchF64(types.ModuleType):
    float32 = torch.float64

    def __getattr__(self, n):
        return getattr(torch, n)


def mat(t):
    return [[float(x) for x in row] for row in t.tolist()]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reference", required=True)
    ap.add_argument("--out", default="tests/data/peers/soap.json")
    ap.add_argument("--commit", required=True, help="the 40-hex commit of the reference exported at --reference")
    a = ap.parse_args()
    install_shims()
    sys.path.insert(0, a.reference)
    import importlib
    import os
    # registry.py uses Python 3.12 generics syntax: a stand-in whose register_optimizer returns the class;
    # legacy_soap/__init__.py imports the package's other optimizers: soap.py is loaded without it.
    reg = types.ModuleType("emerging_optimizers.registry")
    reg.register_optimizer = lambda name: (lambda cls: cls)
    sys.modules["emerging_optimizers.registry"] = reg
    importlib.import_module("emerging_optimizers").registry = reg
    pkg = types.ModuleType("emerging_optimizers.legacy_soap")
    pkg.__path__ = [os.path.join(a.reference, "emerging_optimizers", "legacy_soap")]
    sys.modules["emerging_optimizers.legacy_soap"] = pkg
    soap = importlib.import_module("emerging_optimizers.legacy_soap.soap")
    soap.torch = _TorchF64("torch")
    commit = a.commit
    torch.set_default_dtype(torch.float64)

    defaults = {"lr": 0.003, "betas": [0.9, 0.95], "shampoo_beta": 0.95, "eps": 1e-8, "weight_decay": 0.01}
    other = {"lr": 0.01, "betas": [0.95, 0.99], "shampoo_beta": 0.9, "eps": 1e-6, "weight_decay": 0.1,
             "weight_decay_method": "l2", "nesterov": True, "power_iter_steps": 2, "max_update_rms": 0.5}
    eigh = dict(defaults, use_eigh=True)
    # l2 adds wd W to the gradient after the factor update: its component in step 1's null space is
    # then O(1), and Adam in an arbitrary basis of that space is not reproducible: eigh cases use
    # the decoupled decay.
    eigh_other = dict(other, use_eigh=True, weight_decay_method="decoupled")
    runs = [("square-defaults-qr", (6, 6), defaults, None), ("square-nesterov-l2-power2-clip-qr", (6, 6), other, None),
            ("tall-eigh", (8, 5), eigh, None), ("wide-eigh", (5, 8), eigh, None),
            ("tall-eigh-nesterov-clip", (8, 5), eigh_other, None),
            ("wide-eigh-nesterov-clip", (5, 8), eigh_other, None),
            ("moe-3x6x4-eigh-per-slice", (6, 4), eigh, 3)]
    cases = []
    for k, (name, shape, cfg, experts) in enumerate(runs):
        gen = torch.Generator().manual_seed(2000 + k)
        E = experts or 1
        steps = 6
        w0 = [0.5 * torch.randn(*shape, generator=gen) for _ in range(E)]
        grads = [[torch.randn(*shape, generator=gen) * 0.5 for _ in range(E)] for _ in range(steps)]
        params = [torch.nn.Parameter(w.clone()) for w in w0]
        kw = {k2: v for k2, v in cfg.items() if k2 not in ("lr", "betas")}
        opt = soap.SOAP(params, lr=cfg["lr"], betas=tuple(cfg["betas"]), **kw)
        traj = []
        for t in range(steps):
            for p, g in zip(params, grads[t]):
                p.grad = g.clone()
            opt.step()
            traj.append([p.detach().clone() for p in params])
        pack = (lambda ms: [mat(m) for m in ms]) if experts else (lambda ms: mat(ms[0]))
        # At step 1, g = QL^T G QR is diagonal in exact arithmetic (QL, QR: eigenvectors of G G^T, G^T G);
        # its off-diagonal entries are roundoff (~1e-15), which Adam turns into steps
        # lr * roundoff / (roundoff + eps), ~lr 1e-7 for eps 1e-8, whose values depend on the
        # eigensolver (muonbench's differ from LAPACK's). Measured against muonbench: <= 6.0e-10
        # (eps 1e-8) and <= 3.4e-11 (eps 1e-6); rtol is about 10x that. With l2 decay the projected
        # gradient has no structural zeros and the square QR case is exact to rounding.
        if cfg.get("weight_decay_method") == "l2":
            rtol, reason = 1e-12, "no structurally zero entries in the projected gradient: float64 rounding"
        else:
            rtol = 5e-9 if cfg["eps"] < 1e-7 else 5e-10
            reason = ("step 1's projected gradient is diagonal in exact arithmetic; its roundoff entries become "
                      "Adam steps lr*roundoff/(roundoff+eps) that depend on the eigensolver (measured <= "
                      + ("6.0e-10 at eps 1e-8" if rtol == 5e-9 else "3.4e-11 at eps 1e-6") + ")")
        cases.append({"name": name, "solver": "soap", "config": dict(cfg), "precision": "double", "rtol": rtol,
                      "rtol_reason": reason,
                      "w0": pack(w0), "grads": [pack(g) for g in grads], "trajectory": [pack(w) for w in traj]})
    doc = {"peer": "NVIDIA-NeMo/Emerging-Optimizers emerging_optimizers/legacy_soap/soap.py (class SOAP)",
           "repository": "https://github.com/NVIDIA-NeMo/Emerging-Optimizers", "commit": commit,
           "recorded_with": f"python3-torch {torch.__version__} (Debian bookworm), float64",
           "recorder": "tests/peers/record_soap.py", "shims": SHIMS,
           "how": "SOAP(params, lr, betas, shampoo_beta, eps, weight_decay, [weight_decay_method, nesterov, "
                  "power_iter_steps, max_update_rms, use_eigh]) with torch.set_default_dtype(float64); p.grad = G_t; "
                  "opt.step() 6 times; the MoE case is three 6x4 parameters in one optimizer (per slice). "
                  "8x5/5x8/MoE cases use use_eigh=True (see the recorder: the QR path is only reproducible with "
                  "full-rank factors at step 1, so the default QR path is recorded on 6x6 matrices)",
           "cases": cases}
    with open(a.out, "w") as f:
        json.dump(doc, f)
        f.write("\n")
    print(f"wrote {a.out}: {len(cases)} cases")


if __name__ == "__main__":
    main()
