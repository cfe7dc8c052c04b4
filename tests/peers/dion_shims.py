"""Shims that let microsoft/dion's single-device code run under Debian's python3-torch 1.13.1,
shared by tests/peers/record_dion.py and tests/peers/record_dion2.py (muonbench's own code; no
reference code is copied here). Exactly what is stubbed (SHIMS below is written into the traces):

  * torch.compile: a no-op decorator (torch 1.13 has none); the decorated functions run eagerly.
  * torch.optim.optimizer.ParamsT: a typing alias (added after torch 1.13).
  * torch.distributed.tensor (DeviceMesh, DTensor, Placement, Replicate, Shard, randn) and
    torch.distributed._functional_collectives: empty placeholder modules/classes; no DTensor is
    ever created (plain CPU tensors, no process group), so isinstance(x, DTensor) is False as on
    a single device.
  * torch._inductor.config.patch (dion2.py's `_inductor_workaround` decorator): a no-op in a
    placeholder module torch._inductor (absent in this build).
  * the package `dion` is registered without running dion/__init__.py (which imports every
    optimizer and the triton kernels); each needed module is then imported from the exported
    reference folder with its relative imports intact.
  * precision: torch.set_default_dtype(float64) so that the reference's torch.tensor(lr) etc. are
    float64; and `float64_dtypes(module)` replaces the module's global `torch` with a proxy whose
    float32 and bfloat16 attributes are float64, so its internal casts (QR and column norm in
    float32, dion2's bfloat16 Newton-Schulz input) stay in float64; for dion2 also
    Tensor.bfloat16() (polar_express.py's cast) returns float64. Nothing else is changed.
"""
import importlib
import sys
import types
import typing

import torch

SHIMS = ("torch.compile -> no-op decorator; torch.optim.optimizer.ParamsT -> typing alias; "
         "torch.distributed.tensor (DeviceMesh, DTensor, Placement, Replicate, Shard, randn) and "
         "torch.distributed._functional_collectives -> empty placeholders (no DTensor is ever made); "
         "torch._inductor (absent) -> placeholder with config.patch a no-op; dion/__init__.py not run (modules imported one by one); "
         "the module's `torch` replaced by a proxy mapping torch.float32 and torch.bfloat16 to torch.float64 "
         "(float64 recording); torch default dtype float64")


def _compile(*args, **kwargs):
    if len(args) == 1 and callable(args[0]) and not kwargs:
        return args[0]
    return lambda fn: fn


class _Placeholder:
    def __init__(self, *a, **k):
        raise RuntimeError("DTensor placeholder: not available in this recording")


def install(reference):
    torch.set_default_dtype(torch.float64)
    torch.compile = _compile
    import torch.optim.optimizer as optmod
    if not hasattr(optmod, "ParamsT"):
        optmod.ParamsT = typing.Any
    dt = types.ModuleType("torch.distributed.tensor")
    for name in ("DeviceMesh", "DTensor", "Placement", "Replicate", "Shard"):
        setattr(dt, name, type(name, (_Placeholder,), {}))
    dt.randn = lambda *a, **k: (_ for _ in ()).throw(RuntimeError("DTensor randn placeholder"))
    sys.modules["torch.distributed.tensor"] = dt
    sys.modules["torch.distributed._functional_collectives"] = types.ModuleType("torch.distributed._functional_collectives")
    ind, ic = types.ModuleType("torch._inductor"), types.ModuleType("torch._inductor.config")
    ic.patch = lambda *a, **k: (lambda fn: fn)
    ind.config = ic
    sys.modules["torch._inductor"], sys.modules["torch._inductor.config"] = ind, ic
    torch._inductor = ind
    pkg = types.ModuleType("dion")
    pkg.__path__ = [reference.rstrip("/") + "/dion"]
    sys.modules["dion"] = pkg


class _Float64Torch:
    """torch, except that float32 and bfloat16 name float64."""

    def __getattr__(self, name):
        if name in ("float32", "bfloat16"):
            return torch.float64
        return getattr(torch, name)


def load(name):
    mod = importlib.import_module("dion." + name)
    mod.torch = _Float64Torch()
    return mod


def load_all(names):
    """Imports dion.<name> for each name, then gives every loaded dion module the float64 proxy."""
    mods = [importlib.import_module("dion." + n) for n in names]
    for key, mod in list(sys.modules.items()):
        if key.startswith("dion.") and hasattr(mod, "torch"):
            mod.torch = _Float64Torch()
    return mods


def tensor_bfloat16_to_float64():
    """Tensor.bfloat16() (polar_express.py's input cast) returns a float64 copy instead."""
    torch.Tensor.bfloat16 = lambda self, *a, **k: self.to(torch.float64)
