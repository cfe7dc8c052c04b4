#!/usr/bin/env python3
"""Records tests/data/peers/polargrad.json from timlautk/polargrad's own PolarGrad (polar_grad.py).

usage: record_polargrad.py --reference /tmp/ref_polargrad --commit HEX [--out tests/data/peers/polargrad.json]

The reference is imported from the exported folder and run in float64 on fixed seeded w0 and
gradients. Shims (torch 1.13 lacks torch.compile; the trace must be float64):
  * torch.compile is replaced by a no-op decorator (newton_schulz.py decorates with it);
  * Tensor.bfloat16 is replaced by the identity while newton_schulz.zeropower_via_newtonschulz5
    runs (its only cast, `X = G.bfloat16()`), so the Newton-Schulz runs in float64.
method 'qdwh' is run with inner_steps=10 (converged: the QDWH polar equals the exact polar to
~1e-15), the counterpart of muonbench's method 'svd'. A 3-D MoE block [3, 6, 4] is recorded as
three 2-D parameters (polar.py takes 2-D tensors only): muonbench's per-expert rule.
"""
import json, os, sys
import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peer_common  # noqa: E402

args = peer_common.recorder_args("polargrad")
torch.compile = lambda f=None, **kw: (f if f is not None else (lambda g: g))
sys.path.insert(0, args.reference)
import newton_schulz  # noqa: E402
from polar_grad import PolarGrad  # noqa: E402

newton_schulz.zeropower_via_newtonschulz5 = peer_common.without_bf16(newton_schulz.zeropower_via_newtonschulz5)
torch.set_default_dtype(torch.float64)
commit = args.commit


def run(shape, ref_kw, steps, seed):
    rng = np.random.RandomState(seed)
    w0 = rng.uniform(-1, 1, size=shape)
    grads = [rng.standard_normal(shape) * 0.5 for _ in range(steps)]
    slices = [w0] if len(shape) == 2 else [w0[e] for e in range(shape[0])]
    ps = [torch.nn.Parameter(torch.tensor(s.copy(), dtype=torch.float64)) for s in slices]
    opt = PolarGrad(ps, **ref_kw)
    traj = []
    for g in grads:
        gs = [g] if len(shape) == 2 else [g[e] for e in range(shape[0])]
        for p, s in zip(ps, gs):
            p.grad = torch.tensor(s.copy(), dtype=torch.float64)
        opt.step()
        w = [p.detach().numpy().copy() for p in ps]
        traj.append(w[0] if len(shape) == 2 else np.stack(w))
    return w0, grads, traj


def L(a):
    return a.tolist()


QDWH = dict(method="qdwh", inner_steps=10)
cases = []
specs = [
    ("tall-default", (8, 5), dict(QDWH), {}),
    ("wide-default", (5, 8), dict(QDWH), {}),
    ("tall-ns-wd", (8, 5), dict(lr=0.05, momentum=0.9, weight_decay=0.1, method="ns", inner_steps=5),
     {"lr": "0.05", "momentum": "0.9", "weight_decay": "0.1", "method": "ns", "inner_steps": 5, "bf16": False}),
    ("wide-ns-polar-first", (5, 8), dict(polar_first=True, method="ns"),
     {"polar_first": True, "method": "ns", "bf16": False}),
    ("tall-svd-polar-first-wd", (8, 5), dict(QDWH, lr=0.03, weight_decay=0.2, polar_first=True, momentum=0.8),
     {"lr": "0.03", "weight_decay": "0.2", "polar_first": True, "momentum": "0.8"}),
    ("wide-ns-coeffs", (5, 8), dict(method="ns", inner_steps=4, a=1.875, b=-1.25, c=0.375, momentum=0.5),
     {"method": "ns", "inner_steps": 4, "a": "1.875", "b": "-1.25", "c": "0.375", "momentum": "0.5", "bf16": False}),
    ("moe-3x6x4", (3, 6, 4), dict(QDWH, weight_decay=0.05), {"weight_decay": "0.05"}),
]
for k, (name, shape, ref_kw, cfg) in enumerate(specs):
    w0, grads, traj = run(shape, ref_kw, 5, 1700 + k)
    cases.append({"name": name, "solver": "polargrad", "config": cfg, "precision": "double", "rtol": 1e-12,
                  "reference_call": "PolarGrad(params, " + ", ".join(f"{a}={v!r}" for a, v in ref_kw.items()) + ")",
                  "w0": L(w0), "grads": [L(g) for g in grads], "trajectory": [L(t) for t in traj]})

doc = {
    "peer": "timlautk/polargrad polar_grad.py (class PolarGrad)",
    "repository": "https://github.com/timlautk/polargrad",
    "commit": commit,
    "recorded_with": "python3-torch 1.13.1 (Debian bookworm), float64",
    "recorder": "tests/peers/record_polargrad.py",
    "shims": "torch.compile -> no-op decorator (newton_schulz.py); Tensor.bfloat16 -> identity during "
             "zeropower_via_newtonschulz5 only (its G.bfloat16() cast), so method 'ns' runs in float64",
    "how": "python3 tests/peers/record_polargrad.py --reference <git archive of timlautk/polargrad HEAD>; "
           "w0 ~ U(-1,1), grads ~ 0.5 N(0,1) (numpy RandomState(1700+k)), 5 steps of PolarGrad.step(); "
           "method 'qdwh' with inner_steps=10 (converged) for muonbench's exact 'svd'; the 3-D case as 3 "
           "separate 2-D parameters (polar.py is 2-D only)",
    "cases": cases,
}
with open(args.out, "w") as f:
    json.dump(doc, f)
print(args.out, os.path.getsize(args.out), "bytes")
