#!/usr/bin/env python3
"""CPU kernels judged by TFLM: random one-operator models of the operators Vela leaves on the
CPU that Chorus's kernels were added for -- TRANSPOSE_CONV (int8, and 16x8 with int64, int16
or no bias), PAD / PADV2 (int8, int16, int32; ranks 1 to 5) and PACK -- written with
tools/train/tflite_writer.py and run by TFLM's reference kernels (tools/oracles/tflm_infer,
built by tflm_infer.sh outside the repository) on a seeded input. The pack keeps each model,
its input and TFLM's output bytes, so the test (tests/runtime/cpu_tflm_vectors_test.cpp)
needs no TFLM. Run with Debian's python3 (python3-numpy, python3-flatbuffers):

    /usr/bin/python3 tools/oracles/cpu_tflm_vectors.py TFLM_INFER OUT.pack [COUNT]

Pack: "CHCV" u32 version=1 u32 records; per record: kind, model, input and expected output
bytes, each as u32 length + bytes.
"""
import os
import random
import struct
import sys
import tempfile

import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
sys.path.insert(0, os.path.join(here, "..", "train"))
import tflite_writer as tw  # noqa: E402
from tflm_run import run_tflm  # noqa: E402

PAD, PADV2, TRANSPOSE_CONV = 34, 60, 67
OPT_PAD, OPT_PADV2, OPT_TRANSPOSE_CONV = 22, 43, 49
ACTIVATIONS = {"NONE": 0, "RELU": 1, "RELU_N1_TO_1": 2, "RELU6": 3}
tw.INT8_VERSION.setdefault(PAD, 2)
tw.INT8_VERSION.setdefault(PADV2, 2)
tw.INT8_VERSION.setdefault(TRANSPOSE_CONV, 3)
KINDS = ["transpose_conv_int8", "transpose_conv_int16", "pad", "padv2"]
# From 240 on: PACK (1 to 4 inputs of int8, int16 or int32, any axis), appended so that the
# first 240 models stay what they were.
PACK_FROM = 240
PACK = 83
OPT_PACK = 59
tw.INT8_VERSION.setdefault(PACK, 2)


def quant(scale, zp, axis=None, count=1):
    q = {"scale": [float(s) for s in (scale if isinstance(scale, list) else [scale] * count)], "zero_point": [int(zp)] * count}
    if axis is not None:
        q["quantized_dimension"] = axis
    return q


def out_size(r, size, k, s, same):
    """An output size whose transpose convolution has `size` input rows: TensorFlow accepts
    every o with ceil(o / s) == size (SAME) or (o - k) // s + 1 == size (VALID)."""
    if same:
        return r.randint((size - 1) * s + 1, size * s)
    return r.randint((size - 1) * s + k, (size - 1) * s + k + s - 1)


def transpose_conv(r, m, int16):
    n, h, w, c = r.choice([1, 1, 1, 2]), r.randint(1, 7), r.randint(1, 7), r.randint(1, 12)
    k_h, k_w = r.randint(1, 5), r.randint(1, 5)
    s_h, s_w = r.choice([1, 2, 2, 3]), r.choice([1, 2, 2, 3])
    same = r.random() < 0.5
    oh, ow = out_size(r, h, k_h, s_h, same), out_size(r, w, k_w, s_w, same)
    if not same and r.random() < 0.15:
        # TFLM does not tie the output size to the input's: an output smaller than a large,
        # strided filter, where TFLM's VALID padding formula leaves a positive padding.
        k_h, s_h = r.randint(5, 8), r.choice([3, 4])
        oh = r.randint(1, k_h - 1)
    elif not same and r.random() < 0.25:
        # A filter at least the output plus two strides: TFLM's checked output-size formula
        # fails on that axis, and it then keeps the padding of both axes at 0 (where the
        # unchecked formula would give this axis a padding of 1 for |out + s - k| mod s = 2).
        s_w, k_w, ow = 3, r.choice([8, 9]), r.choice([1, 2])
    oc = r.randint(1, 12)
    in_scale = r.uniform(1e-4, 1e-3) if int16 else r.uniform(0.01, 0.1)
    in_zp = 0 if int16 else r.randint(-100, 100)
    x = m.activation("input", [n, h, w, c], tw.INT16 if int16 else tw.INT8, quant(in_scale, in_zp))
    per_channel = r.random() < 0.6
    wscale = [r.uniform(0.002, 0.03) for _ in range(oc)] if per_channel else [r.uniform(0.002, 0.03)] * oc
    wv = np.array([[[[r.randint(-127, 127) for _ in range(c)] for _ in range(k_w)] for _ in range(k_h)] for _ in range(oc)])
    weights = m.constant("weights", wv, tw.INT8, quant(wscale if per_channel else wscale[0], 0, 0, oc if per_channel else 1))
    inputs = [m.constant("output_shape", [n, oh, ow, oc], tw.INT32), weights, x]
    bias_kind = r.choice(["int64", "int16", "none"] if int16 else ["int32", "int32", "none"])
    if bias_kind != "none":
        span = 30000 if bias_kind == "int16" else (3_000_000 if bias_kind == "int64" else 3000)
        btype = {"int64": tw.INT64, "int16": tw.INT16, "int32": tw.INT32}[bias_kind]
        inputs.append(m.constant("bias", [r.randint(-span, span) for _ in range(oc)], btype,
                                 quant([ws * in_scale for ws in wscale], 0, 0, oc)))
    out_scale = r.uniform(2e-4, 3e-3) if int16 else r.uniform(0.02, 0.3)
    y = m.activation("output", [n, oh, ow, oc], tw.INT16 if int16 else tw.INT8, quant(out_scale, 0 if int16 else r.randint(-50, 50)))
    act = r.choice(["NONE", "NONE", "RELU", "RELU6", "RELU_N1_TO_1"])
    m.operator(TRANSPOSE_CONV, inputs, [y],
               (OPT_TRANSPOSE_CONV, [(0, "int8", tw.SAME if same else tw.VALID), (1, "int32", s_w), (2, "int32", s_h),
                                     (3, "int8", ACTIVATIONS[act])]))
    kind = "transpose_conv_%s %dx%d s%d,%d %s %s bias %s %s out %dx%d" % (
        "int16" if int16 else "int8", k_h, k_w, s_h, s_w, "SAME" if same else "VALID", "per-channel" if per_channel else "per-tensor",
        bias_kind, act, oh, ow)
    return kind, x, y, n * h * w * c


def pad(r, m, v2):
    rank = r.randint(1, 5)
    dims = [r.randint(1, 5) for _ in range(rank)]
    pads = [[r.randint(0, 3), r.randint(0, 3)] for _ in range(rank)]
    dtype = r.choice([tw.INT8, tw.INT8, tw.INT16, tw.INT32])
    q = None
    if dtype == tw.INT8:
        q = quant(r.uniform(0.01, 0.1), r.randint(-100, 100))
    elif dtype == tw.INT16:
        q = quant(r.uniform(1e-4, 1e-3), 0)
    x = m.activation("input", dims, dtype, q)
    p = m.constant("paddings", pads, tw.INT32)
    y = m.activation("output", [d + a + b for d, (a, b) in zip(dims, pads)], dtype, q)
    inputs = [x, p]
    if v2:
        lo, hi = {tw.INT8: (-128, 127), tw.INT16: (-32768, 32767), tw.INT32: (-2**31, 2**31 - 1)}[dtype]
        inputs.append(m.constant("constant_values", [r.randint(lo, hi)], dtype, q))
    m.operator(PADV2 if v2 else PAD, inputs, [y], (OPT_PADV2 if v2 else OPT_PAD, []))
    name = {tw.INT8: "int8", tw.INT16: "int16", tw.INT32: "int32"}[dtype]
    return "%s %s rank %d" % ("padv2" if v2 else "pad", name, rank), x, y, int(np.prod(dims))


def pack(r, m):
    n = r.randint(1, 4)
    rank = r.randint(1, 4)
    dims = [r.randint(1, 4) for _ in range(rank)]
    axis = r.randint(-(rank + 1), rank)
    dtype = r.choice([tw.INT8, tw.INT16, tw.INT32])
    q = {tw.INT8: quant(0.05, -3), tw.INT16: quant(1e-3, 0), tw.INT32: None}[dtype]
    xs = [m.activation("input%d" % i, dims, dtype, q) for i in range(n)]
    out = list(dims)
    out.insert(axis if axis >= 0 else axis + rank + 1, n)
    y = m.activation("output", out, dtype, q)
    m.operator(PACK, xs, [y], (OPT_PACK, [(0, "int32", n), (1, "int32", axis)]))
    name = {tw.INT8: "int8", tw.INT16: "int16", tw.INT32: "int32"}[dtype]
    return "pack %s %d inputs rank %d axis %d" % (name, n, rank, axis), xs, y, int(np.prod(dims))


def build(index):
    """One-operator model `index`: (kind, model bytes, input bytes)."""
    r = random.Random(index * 6151 + 29)
    kind = KINDS[index % len(KINDS)] if index < PACK_FROM else "pack"
    m = tw.ModelBuilder("chorus cpu tflm vectors %d" % index)
    if kind.startswith("transpose_conv"):
        kind, x, y, count = transpose_conv(r, m, kind.endswith("int16"))
        xs = [x]
    elif kind == "pack":
        kind, xs, y, count = pack(r, m)
    else:
        kind, x, y, count = pad(r, m, kind == "padv2")
        xs = [x]
    m.inputs, m.outputs = xs, [y]
    rng = np.random.default_rng(index)
    t = m.tensors[xs[0]]["type"]
    if t == tw.INT8:
        data = rng.integers(-128, 128, size=count * len(xs), dtype=np.int8).tobytes()
    elif t == tw.INT16:
        data = rng.integers(-32768, 32768, size=count * len(xs), dtype=np.int16).astype("<i2").tobytes()
    else:
        data = rng.integers(-2**31, 2**31, size=count * len(xs), dtype=np.int64).astype("<i4").tobytes()
    return kind, m.to_bytes(), data


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    tflm, pack_path = sys.argv[1:3]
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 280
    records, kinds, failed = [], {}, []
    with tempfile.TemporaryDirectory() as tmp:
        for index in range(count):
            kind, model, data = build(index)
            _, expected, error = run_tflm(tflm, tmp, index, model, data)
            if expected is None:
                failed.append((index, kind, error))
                continue
            fields = [kind.encode(), model, data, expected]
            records.append(b"".join(struct.pack("<I", len(x)) + x for x in fields))
            kinds[kind.split()[0]] = kinds.get(kind.split()[0], 0) + 1
    with open(pack_path, "wb") as f:
        f.write(b"CHCV" + struct.pack("<II", 1, len(records)) + b"".join(records))
    for index, kind, reason in failed:
        print("TFLM refused %d (%s): %s" % (index, kind, reason))
    print(f"{count} operators: {len(records)} run by TFLM {kinds}, {len(failed)} refused -> {pack_path} "
          f"({os.path.getsize(pack_path)} bytes)")


if __name__ == "__main__":
    main()
