#!/usr/bin/env python3
"""PyTorch's CUDA kernels timed beside ours (scripts/gpu-check.sh): F.relu, F.mish, F.silu and
F.hardswish forward, their backward kernels (torch.ops.aten.*_backward; relu's is
threshold_backward), and Tensor.copy_ as a bandwidth cross-check, at the bench's GPU sizes.
Each time is CUDA events around back-to-back calls after a warm-up, the median of three runs,
as the addon's cudaTimeKernel does for ours. The inputs are the same spread of values in
[-12, 12] as ours (cuda/kernels.cu fill). Writes a JSON of `peers` entries:
  { name: 'torch', version, backend: 'cuda', activation, pass, n, ms, threads: 1, how }
(the bench's Peer shape; threads is 1 as in the bench's GPU rows)
and `samples`: each call's values at fixed points, which scripts/gpu/check.js checks against the
library's double references before it shows a time.

  python3 scripts/gpu/torch_peers.py --out torch.json [--sizes 24,26,28] [--device 0]
Exit status: 0 done, 2 bad arguments, 3 no torch or no CUDA device (the JSON says why).
"""

import argparse
import json
import sys
import time

# (activation as this library names it, pass, how, the call on (x, dy, out))
def calls(torch):
    F = torch.nn.functional
    aten = torch.ops.aten
    return [
        ("relu", "forward", "torch.nn.functional.relu(x)", lambda x, dy, out: F.relu(x)),
        ("relu", "backward", "torch.ops.aten.threshold_backward(dy, x, 0)",
         lambda x, dy, out: aten.threshold_backward(dy, x, 0)),
        ("mish", "forward", "torch.nn.functional.mish(x)", lambda x, dy, out: F.mish(x)),
        ("mish", "backward", "torch.ops.aten.mish_backward(dy, x)", lambda x, dy, out: aten.mish_backward(dy, x)),
        ("silu", "forward", "torch.nn.functional.silu(x)", lambda x, dy, out: F.silu(x)),
        ("silu", "backward", "torch.ops.aten.silu_backward(dy, x)", lambda x, dy, out: aten.silu_backward(dy, x)),
        ("hardSwish", "forward", "torch.nn.functional.hardswish(x)", lambda x, dy, out: F.hardswish(x)),
        ("hardSwish", "backward", "torch.ops.aten.hardswish_backward(dy, x)",
         lambda x, dy, out: aten.hardswish_backward(dy, x)),
        ("copy", "forward", "out.copy_(x)", lambda x, dy, out: out.copy_(x)),
    ]


def parse_sizes(text):
    sizes = []
    for part in text.split(","):
        part = part.strip()
        if part.startswith("2^"):
            part = part[2:]
        if not part.isdigit():
            raise ValueError(f'Expected a size like 24 or 2^24 for --sizes but received "{part}"')
        p = int(part)
        if not 10 <= p <= 30:
            raise ValueError(f'Expected a power of two in [2^10, 2^30] for --sizes but received "{part}"')
        sizes.append(2**p)
    return sorted(set(sizes))


def parse_args(argv):
    ap = argparse.ArgumentParser(description="PyTorch's CUDA activation kernels timed with CUDA events")
    ap.add_argument("--out", required=True, help="the JSON file to write")
    ap.add_argument("--sizes", default="24,26,28", help="powers of two (default 24,26,28)")
    ap.add_argument("--device", type=int, default=0, help="CUDA device index (default 0)")
    ap.add_argument("--target-ms", type=float, default=50.0, help="time per run (default 50 ms)")
    args = ap.parse_args(argv)
    try:
        args.sizes = parse_sizes(args.sizes)
    except ValueError as e:
        ap.error(str(e))
    if args.device < 0:
        ap.error(f"Expected a non-negative device index for --device but received {args.device}")
    return args


def write(path, doc):
    with open(path, "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")


def fill(torch, n, device):
    i = torch.arange(n, dtype=torch.int64, device=device)
    return (((i * 2654435761) % 24001) - 12000).to(torch.float32) * 1e-3


def time_call(torch, call, x, dy, out, target_ms):
    """ms per call: CUDA events around back-to-back calls, the median of three runs."""
    start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)

    def run(iterations):
        start.record()
        for _ in range(iterations):
            call(x, dy, out)
        stop.record()
        stop.synchronize()
        return start.elapsed_time(stop) / iterations

    call(x, dy, out)  # warm-up: kernel load, the caching allocator's first block
    probe = run(3)
    iterations = min(2000, max(5, int(target_ms / max(probe, 1e-6)) + 1))
    return sorted(run(iterations) for _ in range(3))[1]


SAMPLE_POINTS = 97


def samples(torch, device):
    """Every call's values at fixed points in [-8, 8] (dy = 1: backward gives f'(x)), so that the
    report can check them against the library's double references before it shows a time. The
    points miss the kinks (0, -3, 3), where PyTorch's gradient conventions differ from ours
    (hardswish_backward is -0.5 at -3 and 1.5 at 3; this library gives 0 and 1)."""
    x = torch.linspace(-7.95, 8.05, SAMPLE_POINTS, dtype=torch.float32, device=device)
    dy = torch.ones_like(x)
    out = torch.empty_like(x)
    values = {}
    for activation, pass_, _how, call in calls(torch):
        if activation != "copy":
            values[f"{activation} {pass_}"] = [float(v) for v in call(x, dy, out).cpu()]
    return {"x": [float(v) for v in x.cpu()], "values": values}


def main(argv):
    args = parse_args(argv)
    doc = {"date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "peers": [], "reason": None}
    try:
        import torch
    except Exception as e:  # no torch here: say so, the rest of the check goes on
        doc["reason"] = f"torch not importable: {e}"
        write(args.out, doc)
        print(f"torch_peers: {doc['reason']}", file=sys.stderr)
        return 3
    doc["torch"] = torch.__version__
    doc["torchCuda"] = torch.version.cuda
    if not torch.cuda.is_available() or args.device >= torch.cuda.device_count():
        doc["reason"] = f"torch {torch.__version__} sees no CUDA device {args.device}"
        write(args.out, doc)
        print(f"torch_peers: {doc['reason']}", file=sys.stderr)
        return 3
    device = torch.device("cuda", args.device)
    torch.cuda.set_device(device)
    doc["device"] = torch.cuda.get_device_name(device)
    table = calls(torch)
    with torch.no_grad():
        doc["samples"] = samples(torch, device)
        for n in args.sizes:
            x = fill(torch, n, device)
            dy = torch.roll(x, 7)
            out = torch.empty_like(x)
            for activation, pass_, how, call in table:
                ms = time_call(torch, call, x, dy, out, args.target_ms)
                doc["peers"].append({"name": "torch", "version": torch.__version__, "backend": "cuda",
                                     "activation": activation, "pass": pass_, "n": n, "ms": ms,
                                     "threads": 1, "how": how})
                print(f"  torch {activation:<10} {pass_:<8} 2^{n.bit_length() - 1}: {ms:.4f} ms", flush=True)
                write(args.out, doc)  # after every timing: a time-out keeps what was done
            del x, dy, out
            torch.cuda.empty_cache()
    write(args.out, doc)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
