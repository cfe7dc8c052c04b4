#!/usr/bin/env python3
"""Records tests/data/gram_fp16_torch.json: Dao-AILab/gram-newton-schulz's own GramNewtonSchulz and
StandardNewtonSchulz in real float16 arithmetic, on CPU and on CUDA, for 4 float32 input matrices.

usage: record_gram_fp16.py --reference PATH --commit HEX [--inputs FILE] [--out FILE]
  PATH: the reference exported outside this repository (git archive of the repository at HEX).
  Needs a PyTorch with float16 matmuls (Debian's torch 1.13 has none on CPU): it was run once on a
  GPU machine with PyTorch 2.11 (the `device` tool); the test (tests/test_spectral_gram.cpp,
  SpectralGramFp16.MatchesTorchFloat16AsCloseAsTorchCpuMatchesCuda) needs only the recorded file.
No shim: ns_use_kernels=False selects the reference's own torch backend, compile_kwargs=None skips
torch.compile.
"""
import argparse, json, os, sys

import numpy as np
import torch


def inputs():
    """Two 8x32 / 32x8 normal matrices and two 16x64 / 64x16 with singular values 1 .. 1e-4, rounded to
    float32 (the reference converts its input to float32 first)."""
    rng = np.random.default_rng(7)
    mats = []
    for (m, n, kind) in [(8, 32, "normal"), (32, 8, "normal"), (64, 256, "normal"), (256, 64, "normal"),
                         (16, 64, "illcond"), (64, 16, "illcond")]:
        A = rng.standard_normal((m, n))
        if kind == "illcond":
            U, s, Vt = np.linalg.svd(A, full_matrices=False)
            A = U @ np.diag(np.logspace(0, -4, len(s))) @ Vt
        mats.append(A.astype(np.float32).astype(np.float64).tolist())
    return [mats[k] for k in (0, 1, 4, 5)]  # the small ones (the file stays under 250 KB)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reference", required=True)
    ap.add_argument("--commit", required=True, help="the 40-hex commit of the reference exported at --reference")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "data", "gram_fp16_torch.json"))
    a = ap.parse_args()
    sys.path.insert(0, os.path.abspath(a.reference))
    from gram_newton_schulz.gram_newton_schulz import GramNewtonSchulz, StandardNewtonSchulz
    mats = inputs()
    doc = {
        "peer": "Dao-AILab/gram-newton-schulz gram_newton_schulz/gram_newton_schulz.py (GramNewtonSchulz, "
                "StandardNewtonSchulz), float16 compute",
        "repository": "https://github.com/Dao-AILab/gram-newton-schulz",
        "commit": a.commit,
        "recorded_with": f"PyTorch {torch.__version__} on "
                         f"{torch.cuda.get_device_name(0) if torch.cuda.is_available() else 'no GPU'} (CUDA) and its CPU",
        "recorder": "tests/peers/record_gram_fp16.py",
        "shims": "none: ns_use_kernels=False (the reference's own torch backend), compile_kwargs=None",
        "how": "for each input M (float32 values): GramNewtonSchulz(ns_use_kernels=False, compile_kwargs=None, "
               "gram_newton_schulz_reset_iterations=[2])(torch.tensor(M, dtype=float32, device=d)) and "
               "StandardNewtonSchulz(...) alike, d in cpu, cuda; default coefficients POLAR_EXPRESS_COEFFICIENTS "
               "(paper list / 1.05), X/(||X||_F + 1e-7) in float32, then float16",
        "inputs": mats,
    }
    for name, cls, kw in [("gram", GramNewtonSchulz, dict(gram_newton_schulz_reset_iterations=[2])),
                          ("plain", StandardNewtonSchulz, {})]:
        for dev in ["cpu", "cuda"]:
            ns = cls(ns_use_kernels=False, compile_kwargs=None, **kw)
            doc[f"{name}_{dev}"] = [ns(torch.tensor(M, dtype=torch.float32, device=dev)).double().cpu().tolist()
                                    for M in mats]
    with open(a.out, "w") as f:
        f.write(json.dumps(doc, separators=(",", ":")) + "\n")
    print("wrote", a.out)


if __name__ == "__main__":
    main()
