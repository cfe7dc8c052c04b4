#!/usr/bin/env python3
"""SGD with momentum (torch.optim.SGD semantics) as a muonbench external solver, in NumPy.

A complete client of muonbench's external-solver protocol, version 1 (docs/plugins.md): copy it and
replace `Sgd` with your method. muonbench starts this program once per cell, in a fresh working
directory, and speaks to it on stdin/stdout:

    header  (one JSON line)  -> answer {"protocol": "muonbench-external", "version": 1, "ok": true, ...}
    step k  {"step": k, "bytes": B} + W_k blocks + g_k blocks -> {"step": k, "bytes": P} + W_{k+1} blocks
    {"done": true}           -> exit 0

Blocks are little-endian float64 (or float32, header "dtype"), each the block's storage matrix
(header "blocks"[i]["storage"] = [rows, cols]) in column-major order. With hyper "transport":
"shm" the blocks are not in the messages but in a shared memory block, our file descriptor 3. Anything on stdout that is
not the protocol breaks it: print diagnostics to stderr (muonbench quotes its tail on failure).
Hyperparameters (header "hyper"): lr, momentum, dampening, weight_decay, nesterov, as built-in sgd.
"""
import json
import mmap
import sys

import numpy as np

PROTOCOL = "muonbench-external"


class Sgd:
    """d = g + wd W; buf = d (first step) or mu buf + (1 - dampening) d; d = d + mu buf (Nesterov)
    or buf; W -= lr d.  Exactly muonbench's solvers/sgd.cpp and torch.optim.SGD."""

    KEYS = {"lr": 0.001, "momentum": 0.0, "dampening": 0.0, "weight_decay": 0.0, "nesterov": False}

    def __init__(self, hyper, shapes, dtype):
        unknown = sorted(set(hyper) - set(self.KEYS))
        if unknown:
            raise ValueError("unknown hyperparameter(s) %s; valid keys: %s" % (unknown, sorted(self.KEYS)))
        h = dict(self.KEYS, **hyper)
        # Decimal strings (mp50-exact suites write "0.9") are numbers here.
        self.lr, self.mu = float(h["lr"]), float(h["momentum"])
        self.dampening, self.wd, self.nesterov = float(h["dampening"]), float(h["weight_decay"]), bool(h["nesterov"])
        if not self.lr > 0:
            raise ValueError("lr: expected a positive number, got %r" % h["lr"])
        self.buf = [None] * len(shapes)
        self.config = {k: h[k] for k in self.KEYS}

    def step(self, params, grads):
        for i, (w, g) in enumerate(zip(params, grads)):
            d = g + self.wd * w if self.wd != 0 else g
            if self.mu != 0:
                if self.buf[i] is None:
                    self.buf[i] = d.copy()  # g is a view of the message buffer, reused next step
                else:
                    self.buf[i] = self.mu * self.buf[i] + (1 - self.dampening) * d
                d = d + self.mu * self.buf[i] if self.nesterov else self.buf[i]
            w -= self.lr * d  # in place: params are the arrays sent back


def serve(make_solver, name):
    """The protocol loop: header, then one answer per step until {"done": true}."""
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
    dtype = np.dtype("<f8" if header["dtype"] == "float64" else "<f4")
    shapes = [tuple(b["storage"]) for b in header["blocks"]]
    sizes = [r * c for r, c in shapes]
    try:
        solver = make_solver(header["hyper"], shapes, dtype)
    except (ValueError, TypeError, KeyError) as e:
        send({"error": str(e)})
        return 1
    send({"protocol": PROTOCOL, "version": 1, "ok": True, "name": name, "config": solver.config})
    total = sum(sizes) * dtype.itemsize
    transport = header.get("transport", {"kind": "pipe"})
    if transport["kind"] == "shm":
        # W_k at offset 0 and g_k at offset P of the shared block (our fd 3); W_{k+1} goes back at 0.
        region = mmap.mmap(transport["fd"], transport["bytes"])
        buf, reply_bytes = region, 0
    else:
        buf, reply_bytes = bytearray(), total
    while True:
        line = stdin.readline()
        if not line:
            return 1  # muonbench went away
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
        # W_k and g_k as column-major views of the message (or of the shared block): the update
        # happens in place, and the first `total` bytes are then W_{k+1}, sent back without a copy.
        flat = np.frombuffer(buf, dtype=dtype, count=2 * sum(sizes))
        blocks, at = [], 0
        for (r, c), n in zip(shapes + shapes, sizes + sizes):
            blocks.append(flat[at:at + n].reshape((r, c), order="F"))
            at += n
        params, grads = blocks[:len(shapes)], blocks[len(shapes):]
        solver.step(params, grads)
        del flat, blocks, params, grads  # no view of the block outlives the step
        send({"step": msg["step"], "bytes": reply_bytes}, [memoryview(buf)[:total]] if reply_bytes else [])

if __name__ == "__main__":
    sys.exit(serve(Sgd, "numpy-sgd"))
