"""What the recorders share: their command line and the float64 stand-in for a bf16 cast."""
import argparse
import os

import torch


def recorder_args(name):
    """--reference PATH (the reference exported outside this repository), --commit HEX (its commit),
    --out FILE (default tests/data/peers/NAME.json)."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--reference", required=True)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "data", "peers", name + ".json"))
    ap.add_argument("--commit", required=True, help="the 40-hex commit of the reference exported at --reference")
    return ap.parse_args()


def without_bf16(fn):
    """fn with Tensor.bfloat16 the identity while it runs (a reference's Newton-Schulz whose only cast is
    `X = G.bfloat16()` then runs in the input's float64)."""
    def wrapped(G, *a, **kw):
        saved = torch.Tensor.bfloat16
        torch.Tensor.bfloat16 = lambda self, *x, **y: self
        try:
            return fn(G, *a, **kw)
        finally:
            torch.Tensor.bfloat16 = saved
    return wrapped
