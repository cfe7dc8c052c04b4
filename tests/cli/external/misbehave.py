#!/usr/bin/env python3
"""A deliberately broken external-solver client for tests/cli/external_failures.sh: it speaks the
protocol correctly (plain gradient descent, lr 0.1) until the step named by hyper "at", then
misbehaves as hyper "mode" says:
  crash        writes a traceback-like line to stderr and exits with status 3
  hang         stops answering (sleeps; muonbench must kill it at the cell's time budget)
  garbage      answers with a line that is not JSON
  wrong_shape  announces 8 bytes more than the parameters hold
  long_line    sends 1 MiB without a newline where a line is expected
  error        answers {"error": ...}
  bad_version  answers the header with protocol version 2 (at is ignored)
  exit_early   exits with status 0 before answering
  env          checks its environment and working directory, then behaves (at is ignored)
"""
import json
import os
import sys
import time

import numpy as np

stdin, stdout = sys.stdin.buffer, sys.stdout.buffer


def send(obj, payload=b""):
    stdout.write((json.dumps(obj) + "\n").encode() + payload)
    stdout.flush()


header = json.loads(stdin.readline())
mode, at = header["hyper"]["mode"], int(header["hyper"].get("at", 0))
if mode == "bad_version":
    send({"protocol": "muonbench-external", "version": 2, "ok": True})
    sys.exit(0)
if mode == "env":
    allowed = {"PATH", "HOME", "MUONBENCH_PROTOCOL", "MUONBENCH_DTYPE", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
               "LC_CTYPE"}  # LC_CTYPE: Python's own locale coercion (PEP 538)
    extra = sorted(set(os.environ) - allowed)
    cwd = os.getcwd()
    problems = []
    if extra:
        problems.append("unexpected environment variables %s" % extra)
    if os.environ.get("MUONBENCH_PROTOCOL") != "muonbench-external/1":
        problems.append("MUONBENCH_PROTOCOL is %r" % os.environ.get("MUONBENCH_PROTOCOL"))
    if not os.path.basename(cwd).startswith("muonbench-external-") or os.listdir(cwd):
        problems.append("working directory %s is not a fresh empty muonbench-external-* directory" % cwd)
    if problems:
        send({"error": "; ".join(problems)})
        sys.exit(1)
    print("env ok: cwd %s" % cwd, file=sys.stderr)
    open("scratch.txt", "w").write("files written here are removed with the directory\n")
send({"protocol": "muonbench-external", "version": 1, "ok": True, "name": "misbehave-" + mode})
dtype = np.dtype("<f8" if header["dtype"] == "float64" else "<f4")
total = sum(r * c for r, c in (b["storage"] for b in header["blocks"])) * dtype.itemsize
while True:
    line = stdin.readline()
    if not line:
        sys.exit(1)
    msg = json.loads(line)
    if msg.get("done"):
        sys.exit(0)
    data = stdin.read(msg["bytes"])
    k = msg["step"]
    if mode != "env" and k == at:
        if mode == "crash":
            print("Traceback (most recent call last):\nZeroDivisionError: deliberate crash at step %d" % k, file=sys.stderr)
            sys.exit(3)
        if mode == "hang":
            print("hanging at step %d" % k, file=sys.stderr)
            sys.stderr.flush()
            time.sleep(3600)
        if mode == "garbage":
            stdout.write(b"hello, this is not JSON\n")
            stdout.flush()
            continue
        if mode == "wrong_shape":
            send({"step": k, "bytes": total + 8}, b"\0" * (total + 8))
            continue
        if mode == "long_line":
            stdout.write(b"x" * (1 << 20))
            stdout.flush()
            time.sleep(60)
        if mode == "error":
            send({"error": "deliberate error at step %d" % k})
            continue
        if mode == "exit_early":
            sys.exit(0)
    flat = np.frombuffer(data, dtype=dtype)
    w, g = flat[: total // dtype.itemsize], flat[total // dtype.itemsize:]
    send({"step": k, "bytes": total}, (w - dtype.type(0.1) * g).tobytes())
