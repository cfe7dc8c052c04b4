#!/usr/bin/env python3
"""Records tests/data/peers/shampoo.json from facebookresearch/optimizers' DistributedShampoo
(distributed_shampoo/distributed_shampoo.py, class DistributedShampoo) on python3-torch 1.13.1, float64.

usage: record_shampoo.py --reference /tmp/ref_ds --commit HEX [--out tests/data/peers/shampoo.json]

DistributedShampoo targets torch >= 2.x; on torch 1.13 (single process, CPU) only imports it never
calls in this setting are stubbed (SHIMS below). Every case uses
  distributed_config = SingleDeviceDistributedConfig(target_parameter_dimensionality=2)
so that a matrix is preconditioned as a matrix (L^{-1/4} G R^{-1/4}); DS's default (1) would merge
an 8x5 matrix into a 40-vector (full-matrix Adagrad), and
  preconditioner_config = RootInvShampooPreconditionerConfig(factor_matrix_dtype=float64,
                                                             inv_factor_matrix_dtype=float64)
(DS keeps its factors in float32 by default; the rest of the config is DS's default: EigenConfig,
eigh with epsilon added before the decomposition).
The 3-D MoE case [3, 6, 4] is recorded as three separate 6x4 parameters of one optimizer
(muonbench's shampoo is per expert).
"""
import argparse, json, math, subprocess, sys, types

import torch

SHIMS = ("torch 1.13 lacks what DS imports for its distributed paths: fake empty modules "
         "torch.distributed.{device_mesh,tensor,_tensor,fsdp,fsdp._fully_shard,_composable.fsdp,"
         "tensor.placement_types,fsdp.fully_sharded_data_parallel} (torch 1.13's own fsdp does not import "
         "under Python 3.11); torch.compile = identity with torch 2's signature (DS builds its "
         "ShampooPT2CompileConfig from it; PT2 is not used); torch.compiler.disable = identity; "
         "torch.optim.optimizer.StateDict = dict and ParamsT = object (type aliases only); torch.optim.Optimizer.register_{state_dict_post,load_state_dict_pre,load_state_dict_post}_hook = no-ops (checkpoint hooks, never triggered); torch._foreach_lerp / _foreach_lerp_ = torch.lerp per tensor and torch._foreach_copy_ = Tensor.copy_ per tensor (absent in 1.13)")


def install_shims():
    class _Meta(type):
        def __getattr__(cls, n):
            if n.startswith("__"):
                raise AttributeError(n)
            return cls

    def fake(name):
        m = types.ModuleType(name)

        def ga(n):
            if n.startswith("__"):
                raise AttributeError(n)
            return _Meta(n, (), {"__init__": lambda self, *a, **k: None})

        m.__getattr__ = ga
        m.__path__ = []
        sys.modules[name] = m

    for n in ["torch.distributed.device_mesh", "torch.distributed.tensor", "torch.distributed._tensor",
              "torch.distributed.fsdp", "torch.distributed.fsdp._fully_shard", "torch.distributed._composable.fsdp",
              "torch.distributed.tensor.placement_types", "torch.distributed.fsdp.fully_sharded_data_parallel"]:
        fake(n)
    import torch.distributed as dist
    dist.tensor = sys.modules["torch.distributed.tensor"]

    def _compile(model=None, *, fullgraph=False, dynamic=None, backend="inductor", mode=None, options=None,
                 disable=False):
        return model if model is not None else (lambda f: f)

    torch.compile = _compile
    torch.compiler = types.SimpleNamespace(disable=lambda f=None, **k: f if f is not None else (lambda g: g),
                                           is_compiling=lambda: False)
    import torch.optim.optimizer as oo
    oo.StateDict = dict
    oo.ParamsT = object
    # torch 1.13 lacks the foreach lerp: the same torch.lerp per tensor (foreach ops are loops on CPU).
    if not hasattr(torch, "_foreach_lerp"):
        torch._foreach_lerp = lambda xs, ys, weight: [torch.lerp(x, y, weight) for x, y in zip(xs, ys)]

        def lerp_(xs, ys, weight):
            for x, y in zip(xs, ys):
                x.lerp_(y, weight)

        torch._foreach_lerp_ = lerp_
    if not hasattr(torch, "_foreach_copy_"):
        def copy_(xs, ys):
            for x, y in zip(xs, ys):
                x.copy_(y)

        torch._foreach_copy_ = copy_
    for hook in ("register_state_dict_post_hook", "register_load_state_dict_pre_hook",
                 "register_load_state_dict_post_hook"):
        if not hasattr(torch.optim.Optimizer, hook):
            setattr(torch.optim.Optimizer, hook, lambda self, fn: None)


def mat(t):
    return [[float(x) for x in row] for row in t.tolist()]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reference", required=True)
    ap.add_argument("--out", default="tests/data/peers/shampoo.json")
    ap.add_argument("--commit", required=True, help="the 40-hex commit of the reference exported at --reference")
    a = ap.parse_args()
    install_shims()
    sys.path.insert(0, a.reference)
    import logging
    logging.disable(logging.WARNING)
    import distributed_shampoo as ds
    commit = a.commit
    torch.set_default_dtype(torch.float64)

    def make_opt(params, cfg):
        kw = dict(lr=cfg["lr"], betas=tuple(cfg["betas"]), epsilon=cfg["epsilon"],
                  weight_decay=cfg["weight_decay"], precondition_frequency=cfg["precondition_frequency"],
                  start_preconditioning_step=cfg["start_preconditioning_step"],
                  use_bias_correction=cfg["use_bias_correction"],
                  max_preconditioner_dim=cfg["max_preconditioner_dim"],
                  distributed_config=ds.SingleDeviceDistributedConfig(target_parameter_dimensionality=2),
                  preconditioner_config=ds.RootInvShampooPreconditionerConfig(
                      factor_matrix_dtype=torch.float64, inv_factor_matrix_dtype=torch.float64,
                      use_symmetric_packing=False))
        if "beta3" in cfg:
            kw["beta3"] = cfg["beta3"]
        if cfg.get("weight_decay_type") == "l2":
            kw["weight_decay_type"] = ds.WeightDecayType.L2
        if cfg.get("grafting") == "adam":
            kw["grafting_config"] = ds.AdamPreconditionerConfig(beta2=cfg["grafting_beta2"],
                                                                epsilon=cfg["grafting_epsilon"])
        elif cfg.get("grafting") == "rmsprop":
            kw["grafting_config"] = ds.RMSpropPreconditionerConfig(beta2=cfg["grafting_beta2"],
                                                                   epsilon=cfg["grafting_epsilon"])
        elif cfg.get("grafting") == "adagrad":
            kw["grafting_config"] = ds.AdaGradPreconditionerConfig(epsilon=cfg["grafting_epsilon"])
        if cfg.get("momentum", 0) > 0:
            from distributed_shampoo.shampoo_types import ClassicMomentumConfig
            kw["iterate_averaging_config"] = ClassicMomentumConfig(
                momentum=cfg["momentum"], dampening=cfg.get("dampening", 0.0),
                use_nesterov=cfg.get("use_nesterov", False))
        return ds.DistributedShampoo(params, **kw)

    defaults = {"lr": 0.01, "betas": [0.9, 1.0], "epsilon": 1e-12, "weight_decay": 0.0,
                "precondition_frequency": 1, "start_preconditioning_step": -1, "use_bias_correction": True,
                "max_preconditioner_dim": 1024}
    algoperf = dict(defaults, lr=0.02, betas=[0.95, 0.995], epsilon=1e-8, weight_decay=0.1,
                    precondition_frequency=2, start_preconditioning_step=2, grafting="adam",
                    grafting_beta2=0.99, grafting_epsilon=1e-8, momentum=0.5, use_nesterov=True)
    other = dict(defaults, lr=0.03, betas=[0.9, 0.99], beta3=0.8, epsilon=1e-6, weight_decay=0.05,
                 weight_decay_type="l2", precondition_frequency=3, start_preconditioning_step=3, grafting="adam",
                 grafting_beta2=0.999, grafting_epsilon=1e-10, max_preconditioner_dim=4)
    rmsprop = dict(defaults, lr=0.01, betas=[0.8, 0.95], epsilon=1e-7, use_bias_correction=False,
                   precondition_frequency=2, start_preconditioning_step=4, grafting="rmsprop", grafting_beta2=0.9,
                   grafting_epsilon=1e-6, momentum=0.3, dampening=0.1)
    adagrad = dict(defaults, lr=0.05, betas=[0.0, 1.0], epsilon=1e-9, start_preconditioning_step=3,
                   grafting="adagrad", grafting_epsilon=1e-8, weight_decay=0.01)
    runs = [("tall-defaults", (8, 5), defaults, None), ("wide-defaults", (5, 8), defaults, None),
            ("tall-algoperf-adam-grafting-nesterov", (8, 5), algoperf, None),
            ("wide-algoperf-adam-grafting-nesterov", (5, 8), algoperf, None),
            ("tall-beta3-l2-blocks4", (8, 5), other, None), ("wide-beta3-l2-blocks4", (5, 8), other, None),
            ("moe-3x6x4-algoperf-per-slice", (6, 4), algoperf, 3),
            ("tall-rmsprop-grafting-momentum-dampening-no-bias-correction", (8, 5), rmsprop, None),
            ("wide-adagrad-grafting-beta1-0-start3", (5, 8), adagrad, None)]
    cases = []
    for k, (name, shape, cfg, experts) in enumerate(runs):
        gen = torch.Generator().manual_seed(1000 + k)
        E = experts or 1
        steps = 6
        w0 = [0.5 * torch.randn(*shape, generator=gen) for _ in range(E)]
        grads = [[torch.randn(*shape, generator=gen) * 0.5 for _ in range(E)] for _ in range(steps)]
        params = [torch.nn.Parameter(w.clone()) for w in w0]
        opt = make_opt(params, cfg)
        traj = []
        for t in range(steps):
            for p, g in zip(params, grads[t]):
                p.grad = g.clone()
            opt.step()
            traj.append([p.detach().clone() for p in params])
        pack = (lambda ms: [mat(m) for m in ms]) if experts else (lambda ms: mat(ms[0]))
        # DS holds lr in a float32 tensor (LR_TENSOR, torch.float): the step is -lr32 * P in float64.
        ours = {"lr": float(torch.tensor(cfg["lr"], dtype=torch.float32).item()), "betas": cfg["betas"], "epsilon": cfg["epsilon"],
                "weight_decay": cfg["weight_decay"], "precondition_frequency": cfg["precondition_frequency"],
                "start_preconditioning_step": cfg["start_preconditioning_step"],
                "max_preconditioner_dim": cfg["max_preconditioner_dim"]}
        if not cfg["use_bias_correction"]:
            ours["use_bias_correction"] = False
        for key in ("beta3", "weight_decay_type", "grafting", "grafting_beta2", "grafting_epsilon", "momentum",
                    "dampening", "use_nesterov"):
            if key in cfg:
                ours[key] = cfg[key]
        cases.append({"name": name, "solver": "shampoo", "config": ours, "precision": "double", "rtol": 1e-12,
                      "w0": pack(w0), "grads": [pack(g) for g in grads], "trajectory": [pack(w) for w in traj]})
    doc = {"peer": "facebookresearch/optimizers distributed_shampoo/distributed_shampoo.py (class DistributedShampoo)",
           "repository": "https://github.com/facebookresearch/optimizers", "commit": commit,
           "recorded_with": f"python3-torch {torch.__version__} (Debian bookworm), float64",
           "recorder": "tests/peers/record_shampoo.py", "shims": SHIMS,
           "how": "DistributedShampoo(params, lr, betas, [beta3], epsilon, weight_decay, [weight_decay_type=L2], "
                  "precondition_frequency, start_preconditioning_step, max_preconditioner_dim, "
                  "[grafting_config=AdamPreconditionerConfig(beta2, epsilon) | RMSpropPreconditionerConfig(beta2, "
                  "epsilon) | AdaGradPreconditionerConfig(epsilon)], [use_bias_correction=False], "
                  "[iterate_averaging_config=ClassicMomentumConfig(momentum, dampening, use_nesterov)], "
                  "distributed_config=SingleDeviceDistributedConfig(target_parameter_dimensionality=2), "
                  "preconditioner_config=RootInvShampooPreconditionerConfig(factor_matrix_dtype=float64, "
                  "inv_factor_matrix_dtype=float64, use_symmetric_packing=False)); torch.set_default_dtype(float64); p.grad = G_t; opt.step() "
                  "6 times; config lr is float32(lr), the value DS multiplies by (its LR_TENSOR is float32); the MoE case is three 6x4 parameters in one optimizer (per slice)",
           "cases": cases}
    with open(a.out, "w") as f:
        json.dump(doc, f, indent=None)
        f.write("\n")
    print(f"wrote {a.out}: {len(cases)} cases")


if __name__ == "__main__":
    main()
