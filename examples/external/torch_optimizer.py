#!/usr/bin/env python3
"""Any torch.optim optimizer as a muonbench external solver (protocol version 1, docs/plugins.md).

The header's "hyper" names the class, {"optimizer": "torch.optim.AdamW"} (or just "AdamW"), and
every other key is passed to its constructor: {"optimizer": "AdamW", "lr": 0.01, "betas": [0.9,
0.999], "weight_decay": 0.01} is torch.optim.AdamW(params, lr=0.01, betas=(0.9, 0.999),
weight_decay=0.01). Decimal strings ("0.9") are read as numbers. Each parameter block is a tensor
of its storage shape [rows, cols] in the header's dtype (float64 or float32); every step the
parameters muonbench sends are copied in (muonbench owns them: a schedule or QK-clip may change
them between steps), the gradient is set, and optimizer.step() runs. One thread, as a muonbench
cell (OMP_NUM_THREADS=1 is in the environment muonbench gives).
"""
import json
import mmap
import sys

import numpy as np
import torch

PROTOCOL = "muonbench-external"


def number(v):
    if isinstance(v, str):
        try:
            return float(v)
        except ValueError:
            return v
    if isinstance(v, list):
        return tuple(number(x) for x in v)
    return v


def make_optimizer(hyper, params):
    hyper = dict(hyper)
    name = hyper.pop("optimizer", None)
    if not isinstance(name, str):
        raise ValueError('hyper.optimizer: required, the class name, e.g. "torch.optim.AdamW"')
    short = name[len("torch.optim."):] if name.startswith("torch.optim.") else name
    cls = getattr(torch.optim, short, None)
    if not (isinstance(cls, type) and issubclass(cls, torch.optim.Optimizer)):
        known = sorted(n for n in dir(torch.optim)
                       if isinstance(getattr(torch.optim, n), type) and issubclass(getattr(torch.optim, n), torch.optim.Optimizer)
                       and n != "Optimizer")
        raise ValueError("hyper.optimizer: %r is not a torch.optim optimizer; known: %s" % (name, ", ".join(known)))
    kwargs = {k: number(v) for k, v in hyper.items()}
    return cls(params, **kwargs), "torch.optim." + short, kwargs


def main():
    torch.set_num_threads(1)
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer

    def send(obj, payload=()):
        stdout.write((json.dumps(obj) + "\n").encode())
        for block in payload:
            stdout.write(block)
        stdout.flush()

    header = json.loads(stdin.readline())
    if header.get("protocol") != PROTOCOL or header.get("version") != 1:
        send({"error": "this client speaks %s version 1, got %r" % (PROTOCOL, header.get("version"))})
        return 1
    np_dtype = np.dtype("<f8" if header["dtype"] == "float64" else "<f4")
    torch_dtype = torch.float64 if header["dtype"] == "float64" else torch.float32
    shapes = [tuple(b["storage"]) for b in header["blocks"]]
    sizes = [r * c for r, c in shapes]
    params = [torch.zeros(s, dtype=torch_dtype) for s in shapes]
    try:
        optimizer, cls_name, kwargs = make_optimizer(header["hyper"], params)
    except (ValueError, TypeError) as e:
        send({"error": str(e)})
        return 1
    config = {"optimizer": cls_name, "torch": torch.__version__,
              "defaults": {k: (list(v) if isinstance(v, tuple) else v) for k, v in optimizer.defaults.items()
                           if isinstance(v, (int, float, bool, str, tuple, type(None)))}}
    send({"protocol": PROTOCOL, "version": 1, "ok": True, "name": cls_name, "config": config})
    total = sum(sizes) * np_dtype.itemsize
    transport = header.get("transport", {"kind": "pipe"})
    if transport["kind"] == "shm":  # W_k at 0 and g_k at P in our fd 3; W_{k+1} goes back at 0
        buf = mmap.mmap(transport["fd"], transport["bytes"])
    else:
        buf = bytearray()
    while True:
        line = stdin.readline()
        if not line:
            return 1
        msg = json.loads(line)
        if msg.get("done"):
            return 0
        if transport["kind"] == "pipe":
            if len(buf) != msg["bytes"]:  # one buffer for every step: no allocation, no page faults
                buf = bytearray(msg["bytes"])
            view, got = memoryview(buf), 0
            while got < len(buf):
                n = stdin.readinto(view[got:])
                if not n:
                    return 1
                got += n
        flat = np.frombuffer(buf, dtype=np_dtype, count=2 * sum(sizes))
        at = 0
        with torch.no_grad():
            for p, (r, c), n in zip(params, shapes, sizes):  # W_k
                p.copy_(torch.from_numpy(flat[at:at + n].reshape((r, c), order="F")))
                at += n
            for p, (r, c), n in zip(params, shapes, sizes):  # g_k
                p.grad = torch.from_numpy(flat[at:at + n].reshape((r, c), order="F")).clone()
                at += n
        optimizer.step()
        if transport["kind"] == "shm":
            at = 0
            for p, (r, c), n in zip(params, shapes, sizes):
                flat[at:at + n].reshape((r, c), order="F")[...] = p.numpy()
                at += n
            del flat
            send({"step": msg["step"], "bytes": 0})
        else:
            del flat
            send({"step": msg["step"], "bytes": total}, [p.numpy().tobytes(order="F") for p in params])

if __name__ == "__main__":
    sys.exit(main())
