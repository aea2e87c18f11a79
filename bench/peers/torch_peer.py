# PyTorch's CPU kernels as a peer of `npm run bench`, on one thread (torch.set_num_threads(1)):
# torch.ops.aten.<op>.out (forward) and <op>_backward.grad_input (backward) into preallocated
# tensors, on float32 tensors and, where this PyTorch has the kernel, on bfloat16 ones (ids
# "PyTorch/<activation>/<pass>/bfloat16": the float32 inputs rounded to bfloat16 before any
# timing, the results widened to float32 for --check). The protocol is bench/peers/native.cpp's
# (one JSON object per line on stdout):
#
#   torch_peer.py --info
#   torch_peer.py --check DIR IDS
#   torch_peer.py --time DIR SIZES IDS MIN_TIME MAX_TIME MIN_SAMPLES
import json
import sys
import time

import numpy as np
import torch

torch.set_num_threads(1)
A = torch.ops.aten
SELU_ALPHA = 1.6732632423543772
SELU_SCALE = 1.0507009873554805
SLOPE = 0.01


def forward(call):
    # call(x, out) writes f(x) into out
    return lambda x, dy, out: (lambda: call(x, out))


def backward(call):
    # call(x, dy, out) writes f'(x) * dy into out
    return lambda x, dy, out: (lambda: call(x, dy, out))


def from_output(f, call):
    # a backward that PyTorch computes from the forward's output y (y is computed once, untimed)
    def make(x, dy, out):
        y = f(x)
        return lambda: call(y, dy, out)

    return make


def allocating(call):
    # a backward with no out= form in this PyTorch: it allocates its result on every call
    def make(x, dy, out):
        def run():
            out.copy_(call(x, dy))

        return run

    return make


OPS = [
    ("relu", "forward", "aten.relu.out", forward(lambda x, o: A.relu.out(x, out=o))),
    ("relu", "backward", "aten.threshold_backward.grad_input(dy, x, 0)",
     backward(lambda x, d, o: A.threshold_backward.grad_input(d, x, 0, grad_input=o))),
    ("silu", "forward", "aten.silu.out", forward(lambda x, o: A.silu.out(x, out=o))),
    ("silu", "backward", "aten.silu_backward.grad_input",
     backward(lambda x, d, o: A.silu_backward.grad_input(d, x, grad_input=o))),
    ("mish", "forward", "aten.mish.out", forward(lambda x, o: A.mish.out(x, out=o))),
    ("mish", "backward", "aten.mish_backward (no out= form: allocates, then copied into out)",
     allocating(lambda x, d: A.mish_backward(d, x))),
    ("hardSwish", "forward", "aten.hardswish.out", forward(lambda x, o: A.hardswish.out(x, out=o))),
    ("hardSwish", "backward", "aten.hardswish_backward.out",
     backward(lambda x, d, o: A.hardswish_backward.out(d, x, out=o))),
    ("gelu", "forward", "aten.gelu.out approximate='none'",
     forward(lambda x, o: A.gelu.out(x, approximate="none", out=o))),
    ("gelu", "backward", "aten.gelu_backward.grad_input approximate='none'",
     backward(lambda x, d, o: A.gelu_backward.grad_input(d, x, approximate="none", grad_input=o))),
    ("geluTanh", "forward", "aten.gelu.out approximate='tanh'",
     forward(lambda x, o: A.gelu.out(x, approximate="tanh", out=o))),
    ("geluTanh", "backward", "aten.gelu_backward.grad_input approximate='tanh'",
     backward(lambda x, d, o: A.gelu_backward.grad_input(d, x, approximate="tanh", grad_input=o))),
    ("sigmoid", "forward", "aten.sigmoid.out", forward(lambda x, o: A.sigmoid.out(x, out=o))),
    ("sigmoid", "backward", "aten.sigmoid_backward.grad_input(dy, y): from the output y",
     from_output(torch.sigmoid, lambda y, d, o: A.sigmoid_backward.grad_input(d, y, grad_input=o))),
    ("tanh", "forward", "aten.tanh.out", forward(lambda x, o: A.tanh.out(x, out=o))),
    ("tanh", "backward", "aten.tanh_backward.grad_input(dy, y): from the output y",
     from_output(torch.tanh, lambda y, d, o: A.tanh_backward.grad_input(d, y, grad_input=o))),
    ("softplus", "forward", "aten.softplus.out beta 1, threshold 20",
     forward(lambda x, o: A.softplus.out(x, 1, 20, out=o))),
    ("softplus", "backward", "aten.softplus_backward.grad_input beta 1, threshold 20",
     backward(lambda x, d, o: A.softplus_backward.grad_input(d, x, 1, 20, grad_input=o))),
    ("elu", "forward", "aten.elu.out alpha 1", forward(lambda x, o: A.elu.out(x, 1, 1, 1, out=o))),
    ("elu", "backward", "aten.elu_backward.grad_input alpha 1, from x",
     backward(lambda x, d, o: A.elu_backward.grad_input(d, 1, 1, 1, False, x, grad_input=o))),
    ("selu", "forward", "aten.elu.out with selu's alpha and scale (what torch.selu computes)",
     forward(lambda x, o: A.elu.out(x, SELU_ALPHA, SELU_SCALE, 1, out=o))),
    ("selu", "backward", "aten.elu_backward.grad_input with selu's alpha and scale, from x",
     backward(lambda x, d, o: A.elu_backward.grad_input(d, SELU_ALPHA, SELU_SCALE, 1, False, x,
                                                        grad_input=o))),
    ("leakyRelu", "forward", "aten.leaky_relu.out slope 0.01",
     forward(lambda x, o: A.leaky_relu.out(x, SLOPE, out=o))),
    ("leakyRelu", "backward", "aten.leaky_relu_backward.grad_input slope 0.01",
     backward(lambda x, d, o: A.leaky_relu_backward.grad_input(d, x, SLOPE, False, grad_input=o))),
]
# The 16-bit formats timed beside float32 where PyTorch's CPU kernel takes them (float16 has
# almost no CPU activation kernels in PyTorch 1.13, so only bfloat16).
HALF = {"bfloat16": torch.bfloat16}


def runs_in(make, dtype):
    # whether this PyTorch computes the op in dtype: one call on a few elements
    x = torch.linspace(-4, 4, 16).to(dtype)
    try:
        make(x, x.clone(), torch.empty_like(x))()
        return True
    except RuntimeError:
        return False


def table():
    # (id, activation, pass, how, make, dtype name), float32 first
    rows = [(f"PyTorch/{a}/{p}", a, p, how, make, "float32") for a, p, how, make in OPS]
    for name, dtype in HALF.items():
        rows += [(f"PyTorch/{a}/{p}/{name}", a, p, f"{how}, {name} tensors", make, name)
                 for a, p, how, make in OPS if runs_in(make, dtype)]
    return rows


def dtype_of(name):
    return HALF.get(name, torch.float32)


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def read(path):
    return torch.from_numpy(np.fromfile(path, dtype=np.float32))


def seconds(call, count):
    t0 = time.perf_counter()
    for _ in range(count):
        call()
    return time.perf_counter() - t0


# The benchmark package's method, as in native.cpp: samples of >= min_time, the median per call.
def time_call(call, min_time, max_time, min_samples):
    call()
    count = 1
    t = seconds(call, count)
    while t < min_time:
        count = max(count * 2, int(count * min_time / t * 1.1) + 1) if t > 0 else count * 16
        t = seconds(call, count)
    samples = []
    start = time.perf_counter()
    while len(samples) < min_samples or time.perf_counter() - start < max_time:
        samples.append(seconds(call, count) / count)
    samples.sort()
    m = len(samples) // 2
    median = samples[m] if len(samples) % 2 else (samples[m - 1] + samples[m]) / 2
    return median * 1e3, len(samples)


def main(argv):
    ops = table()
    by_id = {op_id: (make, dtype) for op_id, _, _, _, make, dtype in ops}
    if argv[:1] == ["--info"]:
        listed = [{"activation": a, "pass": p, "how": how, **({} if d == "float32" else {"dtype": d})}
                  for _, a, p, how, _, d in ops]
        emit({"peer": {"name": "PyTorch", "version": torch.__version__, "ops": listed}})
        return 0
    if argv[:1] == ["--check"] and len(argv) == 3:
        folder, ids = argv[1], [i for i in argv[2].split(",") if i]
        x32, dy32 = read(f"{folder}/check-x.f32"), read(f"{folder}/check-dy.f32")
        for k, op in enumerate(ids):
            if op not in by_id:
                emit({"error": {"id": op, "message": "no such op"}})
                continue
            make, dtype = by_id[op]
            x, dy = x32.to(dtype_of(dtype)), dy32.to(dtype_of(dtype))
            out = torch.full_like(x, float("nan"))
            make(x, dy, out)()
            path = f"{folder}/out-torch-{k}.f32"
            out.float().numpy().tofile(path)
            emit({"check": {"id": op, "file": path}})
        return 0
    if argv[:1] == ["--time"] and len(argv) == 7:
        folder, sizes, ids = argv[1], argv[2].split(","), [i for i in argv[3].split(",") if i]
        budget = float(argv[4]), float(argv[5]), int(argv[6])
        for n in sizes:
            x32, dy32 = read(f"{folder}/x-{n}.f32"), read(f"{folder}/dy-{n}.f32")
            arrays = {}  # per dtype: x, dy and out, converted once (untimed)
            for op in ids:
                if op not in by_id:
                    continue
                make, dtype = by_id[op]
                if dtype not in arrays:
                    x, dy = x32.to(dtype_of(dtype)), dy32.to(dtype_of(dtype))
                    arrays[dtype] = (x, dy, torch.empty_like(x))
                ms, samples = time_call(make(*arrays[dtype]), *budget)
                emit({"time": {"id": op, "n": int(n), "ms": ms, "samples": samples}})
            del arrays
        return 0
    sys.stderr.write("usage: torch_peer.py --info | --check DIR IDS | --time DIR SIZES IDS T0 T1 S\n")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
