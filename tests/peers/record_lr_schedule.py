#!/usr/bin/python3
"""Records torch.optim optimizers driven by torch.optim.lr_scheduler schedulers, for muonbench's
learning-rate schedules (solvers/lr_schedule.cpp): tests/data/peers/lr_schedule.json.

The peer is PyTorch itself (Debian's python3-torch), so there is no --reference to export: the
schedulers used are torch's own classes (LinearLR, CosineAnnealingLR, SequentialLR-free
compositions through LambdaLR where torch has no single class: WSD, warmup + cosine). Each case:
one float64 parameter, T steps, p.grad set to the recorded gradient, optimizer.step() then
scheduler.step(); trajectory = p after each step.
usage: tests/peers/record_lr_schedule.py [--out FILE]
"""
import argparse
import json
import math
import os

import torch

torch.set_default_dtype(torch.float64)
ap = argparse.ArgumentParser()
ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "data", "peers", "lr_schedule.json"))
args = ap.parse_args()

T = 12  # steps; the horizon H below is T so every phase is visited


def warmup_cosine(W, H, m):
    def f(k):
        if k < W:
            return (k + 1) / W
        p = min(1.0, (k - W) / max(1, H - W))
        return m + (1 - m) * (1 + math.cos(math.pi * p)) / 2
    return f


def wsd(W, H, D, m):
    def f(k):
        if k < W:
            return (k + 1) / W
        start = H - D
        if k < start:
            return 1.0
        return m + (1 - m) * (1 - min(1.0, (k - start) / D))
    return f


def case(name, opt_cls, opt_kwargs, sched, solver, config, shape, seed):
    g = torch.Generator().manual_seed(seed)
    w0 = torch.randn(*shape, generator=g)
    grads = [torch.randn(*shape, generator=g) for _ in range(T)]
    p = torch.nn.Parameter(w0.clone())
    opt = opt_cls([p], **opt_kwargs)
    s = sched(opt)
    traj = []
    for k in range(T):
        p.grad = grads[k].clone()
        opt.step()
        s.step()
        traj.append(p.detach().clone().tolist())
    return {"name": name, "solver": solver, "config": config, "precision": "double", "rtol": 1e-12,
            "torch": f"{opt_cls.__name__}({opt_kwargs}) with {sched.__doc__}",
            "w0": w0.tolist(), "grads": [x.tolist() for x in grads], "trajectory": traj}


def sched(doc, fn):
    fn.__doc__ = doc
    return fn


H = T
cases = [
    case("adamw-cosine", torch.optim.AdamW, {"lr": 0.01, "weight_decay": 0.1},
         sched("CosineAnnealingLR(T_max=12)", lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=H)),
         "adamw", {"lr": 0.01, "weight_decay": 0.1, "lr_schedule": "cosine", "lr_horizon": H}, (6, 4), 1),
    case("adamw-cosine-min", torch.optim.AdamW, {"lr": 0.01, "weight_decay": 0.1},
         sched("CosineAnnealingLR(T_max=12, eta_min=0.001)",
               lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=H, eta_min=0.001)),
         "adamw", {"lr": 0.01, "weight_decay": 0.1, "lr_schedule": "cosine", "lr_min": 0.1, "lr_horizon": H}, (6, 4), 2),
    case("sgd-nesterov-linear", torch.optim.SGD, {"lr": 0.1, "momentum": 0.9, "nesterov": True},
         sched("LinearLR(start_factor=1, end_factor=0, total_iters=12)",
               lambda o: torch.optim.lr_scheduler.LinearLR(o, start_factor=1.0, end_factor=0.0, total_iters=H)),
         "sgd", {"lr": 0.1, "momentum": 0.9, "nesterov": True, "lr_schedule": "linear", "lr_horizon": H,
                 "lr_min": 0}, (5, 3), 3),
    case("sgd-warmup", torch.optim.SGD, {"lr": 0.1, "momentum": 0.9},
         sched("LinearLR(start_factor=1/4, end_factor=1, total_iters=3)",
               lambda o: torch.optim.lr_scheduler.LinearLR(o, start_factor=0.25, end_factor=1.0, total_iters=3)),
         "sgd", {"lr": 0.1, "momentum": 0.9, "lr_schedule": "warmup", "lr_warmup": 0.34, "lr_horizon": H}, (5, 3), 4),
    case("adam-warmup-cosine", torch.optim.Adam, {"lr": 0.003},
         sched("LambdaLR(warmup 3 steps (k+1)/3, then cosine to 0 over the remaining 9)",
               lambda o: torch.optim.lr_scheduler.LambdaLR(o, warmup_cosine(3, H, 0.0))),
         "adam", {"lr": 0.003, "lr_schedule": "cosine", "lr_warmup": 0.25, "lr_horizon": H}, (4, 6), 5),
    case("adamw-wsd", torch.optim.AdamW, {"lr": 0.003, "weight_decay": 0.01},
         sched("LambdaLR(WSD: warmup 2 steps, stable, linear decay to 0.1 over the last 4 of 12)",
               lambda o: torch.optim.lr_scheduler.LambdaLR(o, wsd(2, H, 4, 0.1))),
         "adamw", {"lr": 0.003, "weight_decay": 0.01, "lr_schedule": "wsd", "lr_warmup": 0.17, "lr_decay": 0.34,
                   "lr_min": 0.1, "lr_horizon": H}, (4, 6), 6),
]
doc = {"peer": "torch.optim.lr_scheduler (LinearLR, CosineAnnealingLR, LambdaLR) driving torch.optim.SGD/Adam/AdamW",
       "repository": "https://github.com/pytorch/pytorch",
       "commit": "v" + torch.__version__,
       "recorded_with": f"python3-torch {torch.__version__} (Debian bookworm), float64",
       "recorder": "tests/peers/record_lr_schedule.py", "shims": "none",
       "how": "one float64 parameter, 12 steps: p.grad = recorded gradient; optimizer.step(); scheduler.step(); "
              "trajectory = p after each step. LinearLR's warmup from 1/4 over 3 iterations is muonbench's "
              "warmup floor(0.34 * 12) = 4 steps: factors 1/4, 2/4, 3/4, 1.",
       "cases": cases}
with open(args.out, "w") as f:
    json.dump(doc, f)
print(f"wrote {args.out}: {len(cases)} cases")
