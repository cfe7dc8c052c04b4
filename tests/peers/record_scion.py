#!/usr/bin/env python3
"""Records tests/data/peers/scion.json from LIONS-EPFL/scion's own Scion (scion.py, the package file).

usage: record_scion.py --reference /tmp/ref_scion --commit HEX [--out tests/data/peers/scion.json]

The reference is imported from the exported folder and run in float64 on fixed seeded w0 and
gradients. Shims (torch 1.13 lacks torch.compile; the trace must be float64):
  * torch.compile is replaced by a no-op decorator (scion.py decorates zeropower_via_newtonschulz5);
  * Tensor.bfloat16 is replaced by the identity while zeropower_via_newtonschulz5 runs (its only
    cast, `X = G.bfloat16()`), so the Spectral LMO runs in float64 (muonbench: "bf16": false).
The 3-D case [3, 6, 4] is recorded as three 2-D parameters with norm 'Spectral' (scion's 'Auto'
would take a 3-D tensor for a Conv1d weight): muonbench's per-expert rule for MoE blocks.
"""
import json, os, sys
import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peer_common  # noqa: E402

args = peer_common.recorder_args("scion")
torch.compile = lambda f=None, **kw: (f if f is not None else (lambda g: g))
sys.path.insert(0, args.reference)
import scion  # noqa: E402

scion.zeropower_via_newtonschulz5 = peer_common.without_bf16(scion.zeropower_via_newtonschulz5)
torch.set_default_dtype(torch.float64)
commit = args.commit


def run(shape, ref_kw, steps, seed):
    rng = np.random.RandomState(seed)
    w0 = rng.uniform(-1, 1, size=shape) * 0.3
    grads = [rng.standard_normal(shape) * 0.5 for _ in range(steps)]
    slices = [w0] if len(shape) == 2 else [w0[e] for e in range(shape[0])]
    ps = [torch.nn.Parameter(torch.tensor(s.copy(), dtype=torch.float64)) for s in slices]
    opt = scion.Scion(ps, **ref_kw)
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


NO_BF16 = {"bf16": False}
specs = [
    ("tall-default", (8, 5), {}, dict(NO_BF16)),
    ("wide-default", (5, 8), {}, dict(NO_BF16)),
    ("tall-unconstrained-momentum", (8, 5), dict(lr=0.05, momentum=0.1, scale=2.0, unconstrained=True),
     dict(NO_BF16, lr="0.05", momentum="0.1", scale="2", unconstrained=True)),
    ("wide-spectral-max-steps3", (5, 8), dict(lr=0.1, momentum=0.5, norm="Spectral", norm_kwargs=dict(max=True, normalized=False, steps=3), scale=0.5),
     dict(NO_BF16, lr="0.1", momentum="0.5", norm="Spectral", norm_kwargs={"max": True, "normalized": False, "steps": 3}, scale="0.5")),
    ("tall-sign", (8, 5), dict(lr=0.02, momentum=0.5, norm="Sign", scale=3.0),
     dict(lr="0.02", momentum="0.5", norm="Sign", scale="3")),
    ("wide-colnorm-transpose", (5, 8), dict(lr=0.05, momentum=0.2, norm="ColNorm", norm_kwargs=dict(normalized=True, transpose=True), unconstrained=True),
     dict(lr="0.05", momentum="0.2", norm="ColNorm", norm_kwargs={"normalized": True, "transpose": True}, unconstrained=True)),
    ("tall-rownorm", (8, 5), dict(lr=0.05, norm="RowNorm", scale=1.5),
     dict(lr="0.05", norm="RowNorm", scale="1.5")),
    ("wide-colnorm-default", (5, 8), dict(lr=0.03, momentum=0.3, norm="ColNorm"),
     dict(lr="0.03", momentum="0.3", norm="ColNorm")),
    ("moe-3x6x4-spectral", (3, 6, 4), dict(lr=0.05, momentum=0.5, norm="Spectral", scale=2.0),
     dict(NO_BF16, lr="0.05", momentum="0.5", norm="Spectral", scale="2")),
]
cases = []
for k, (name, shape, ref_kw, cfg) in enumerate(specs):
    w0, grads, traj = run(shape, ref_kw, 5, 2300 + k)
    cases.append({"name": name, "solver": "scion", "config": cfg, "precision": "double", "rtol": 1e-12,
                  "reference_call": "Scion(params, " + ", ".join(f"{a}={v!r}" for a, v in ref_kw.items()) + ")",
                  "w0": L(w0), "grads": [L(g) for g in grads], "trajectory": [L(t) for t in traj]})

doc = {
    "peer": "LIONS-EPFL/scion scion.py (class Scion)",
    "repository": "https://github.com/LIONS-EPFL/scion",
    "commit": commit,
    "recorded_with": "python3-torch 1.13.1 (Debian bookworm), float64",
    "recorder": "tests/peers/record_scion.py",
    "shims": "torch.compile -> no-op decorator; Tensor.bfloat16 -> identity during zeropower_via_newtonschulz5 "
             "only (its G.bfloat16() cast), so the Spectral LMO runs in float64 (muonbench bf16: false)",
    "how": "python3 tests/peers/record_scion.py --reference <git archive of LIONS-EPFL/scion HEAD>; w0 ~ 0.3 U(-1,1), "
           "grads ~ 0.5 N(0,1) (numpy RandomState(2300+k)), 5 steps of Scion.step() on one parameter; the 3-D "
           "case as 3 separate 2-D parameters with norm 'Spectral'",
    "cases": cases,
}
with open(args.out, "w") as f:
    json.dump(doc, f)
print(args.out, os.path.getsize(args.out), "bytes")
