#!/usr/bin/env python3
"""Ethos-U conformance for operators Chorus's own kernels lack, judged by TFLM.

Run with the Python of a Vela installation (../shared/VELA.md). Random one-operator int8
models of the kinds Vela maps to NPU features the main suite (ethosu_conformance_vectors.py,
whose reference is Chorus's kernels) cannot reach -- RESIZE_NEAREST_NEIGHBOR and
TRANSPOSE_CONV (the IFM upscale modes), LOGISTIC, TANH, HARD_SWISH, LEAKY_RELU and RSQRT
(lookup tables), PAD, SUB, PRELU, STRIDED_SLICE, ABS and RELU6 (which the main suite does
not generate), a convolution followed by the activation Vela fuses into it, and int16
LEAKY_RELU, LOGISTIC and TANH (the NPU's LRELU mode and built-in SIGMOID and TANH) -- are written with tools/train/tflite_writer.py, run by TFLM's reference kernels
(tools/oracles/tflm_infer, built by tflm_infer.sh outside the repository) on a seeded input,
and compiled by the vela CLI for the six configurations. The pack keeps, per offloaded
operator and configuration, the driver payload, the constant area, the offline-plan offsets,
the input bytes and TFLM's output bytes, so the test needs neither Vela nor TFLM.

    <vela-venv>/bin/python tools/oracles/ethosu_tflm_vectors.py [--from N] TFLM_INFER OUT.pack REFUSED.csv [COUNT]

--from N keeps operators 0..N-1 of the existing pack and refusal list and generates N..COUNT-1.

Pack: "CHTF" u32 version=1 u32 records; per record: u32 op index, u32 configuration, u32
scratch bytes, u32 fast scratch bytes, u32 inputs + their offsets, u32 outputs + their
offsets, then payload, constants, input bytes and expected output bytes (each u32 length +
bytes), and the kind as u32 length + ASCII.
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
import ethosu_conformance_vectors as conf  # noqa: E402  (compile_one, extract, CONFIGS)
import tflite_writer as tw  # noqa: E402
from tflm_run import run_tflm  # noqa: E402

RESIZE_BILINEAR, TRANSPOSE_CONV, LOGISTIC, TANH, PAD = 23, 67, 14, 28, 34
RESIZE_NEAREST_NEIGHBOR, LEAKY_RELU, HARD_SWISH = 97, 98, 117
SUB, PRELU, STRIDED_SLICE, ABS, RSQRT, RELU6 = 41, 54, 45, 101, 76, 21
for code in (RESIZE_BILINEAR, TRANSPOSE_CONV, LOGISTIC, TANH, PAD, RESIZE_NEAREST_NEIGHBOR, LEAKY_RELU, HARD_SWISH,
             SUB, PRELU, STRIDED_SLICE, ABS, RSQRT, RELU6):
    tw.INT8_VERSION.setdefault(code, 2)
# Operators 0..63 are the first kinds (the committed pack was made with COUNT 64); from 64 on,
# the kinds added later, so the first 64 stay what they were.
FIRST_KINDS = ["resize_nearest", "resize_bilinear", "transpose_conv", "logistic", "tanh", "hard_swish", "leaky_relu", "pad"]
LATER_KINDS = ["sub", "prelu", "strided_slice", "abs", "rsqrt", "relu6"]
LATER_FROM = 64
# From 112 on: a convolution with the activation Vela fuses into it as a lookup table.
FUSED_KINDS = ["conv_hard_swish", "conv_logistic", "conv_tanh", "depthwise_hard_swish", "conv_leaky_relu"]
FUSED_FROM = 112
# From 142 on: int16 LEAKY_RELU with the input's quantisation, which Vela runs as the NPU's
# LRELU elementwise mode (alpha below and above one).
INT16_FROM = 142
# From 148 on: int16 LOGISTIC and TANH, which Vela runs with the NPU's built-in SIGMOID and
# TANH activations (a 1x1 average pool whose OFM scale is TFLite's input rescale); input scales
# that are powers of two (TFLite's and Vela's special case) and others.
INT16_ACT_FROM = 148
OPT_RESIZE_BILINEAR, OPT_PAD, OPT_TRANSPOSE_CONV, OPT_RESIZE_NEAREST, OPT_LEAKY_RELU = 15, 22, 49, 74, 75
OPT_SUB, OPT_STRIDED_SLICE = 28, 32
# From 172 on: what Vela rewrites into other NPU operations -- ARG_MAX (a depthwise convolution,
# a max pool with a 16-bit lookup table and a cast), SPLIT, SPLIT_V, SLICE, UNPACK and TRANSPOSE
# (strided reads and writes), SQUARED_DIFFERENCE (32-bit casts, MULs and a SUB) -- small, for
# the size budget of tests/data/ethosu.
REWRITE_FROM = 172
REWRITE_KINDS = ["arg_max", "split", "slice", "arg_max", "unpack", "split_v", "arg_max", "transpose", "squared_difference"]
ARG_MAX, SPLIT, SPLIT_V, SLICE, UNPACK, SQUARED_DIFFERENCE, TRANSPOSE = 56, 49, 102, 65, 88, 99, 39
for code in (ARG_MAX, SPLIT, SPLIT_V, SLICE, UNPACK, SQUARED_DIFFERENCE, TRANSPOSE):
    tw.INT8_VERSION.setdefault(code, 2)
OPT_TRANSPOSE, OPT_SPLIT, OPT_ARG_MAX, OPT_SLICE, OPT_UNPACK, OPT_SQUARED_DIFFERENCE, OPT_SPLIT_V = 26, 35, 40, 48, 64, 76, 79


def quant(scale, zp):
    return {"scale": [float(scale)], "zero_point": [int(zp)]}


def build(index):
    """One-operator model `index`: (kind, model bytes, input bytes) or None."""
    r = random.Random(index * 7919 + 17)
    if index < LATER_FROM:
        kind = FIRST_KINDS[index % len(FIRST_KINDS)]
    elif index < FUSED_FROM:
        kind = LATER_KINDS[(index - LATER_FROM) % len(LATER_KINDS)]
    elif index < INT16_FROM:
        kind = FUSED_KINDS[(index - FUSED_FROM) % len(FUSED_KINDS)]
    elif index < INT16_ACT_FROM:
        kind = "leaky_relu_int16"
    elif index < REWRITE_FROM:
        kind = ["logistic_int16", "tanh_int16"][(index - INT16_ACT_FROM) % 2]
    else:
        kind = REWRITE_KINDS[(index - REWRITE_FROM) % len(REWRITE_KINDS)]
    m = tw.ModelBuilder("chorus ethos-u tflm conformance %d" % index)
    h, w, c = r.randint(1, 10), r.randint(1, 10), r.randint(1, 24)
    in_scale, in_zp = r.uniform(0.01, 0.1), r.randint(-100, 100)
    x = m.activation("input", [1, h, w, c], tw.INT8, quant(in_scale, in_zp))
    if kind in ("resize_nearest", "resize_bilinear"):
        f = 2
        size = m.constant("size", [h * f, w * f], tw.INT32)
        y = m.activation("output", [1, h * f, w * f, c], tw.INT8, quant(in_scale, in_zp))
        if kind == "resize_nearest":
            m.operator(RESIZE_NEAREST_NEIGHBOR, [x, size], [y], (OPT_RESIZE_NEAREST, [(0, "bool", False), (1, "bool", r.random() < 0.5)]))
        else:
            m.operator(RESIZE_BILINEAR, [x, size], [y], (OPT_RESIZE_BILINEAR, [(2, "bool", False), (3, "bool", r.random() < 0.5)]))
    elif kind == "transpose_conv":
        k, s = r.choice([(2, 2), (3, 2), (4, 2), (3, 1)])
        same = r.random() < 0.5
        oc = r.randint(1, 16)
        oh, ow = (h * s, w * s) if same else ((h - 1) * s + k, (w - 1) * s + k)
        wscale = r.uniform(0.002, 0.03)
        weights = m.constant("weights", np.array([[[[r.randint(-127, 127) for _ in range(c)] for _ in range(k)] for _ in range(k)] for _ in range(oc)]),
                             tw.INT8, {"scale": [wscale] * oc, "zero_point": [0] * oc, "quantized_dimension": 0})
        bias = m.constant("bias", [r.randint(-3000, 3000) for _ in range(oc)], tw.INT32,
                          {"scale": [wscale * in_scale] * oc, "zero_point": [0] * oc, "quantized_dimension": 0})
        shape = m.constant("output_shape", [1, oh, ow, oc], tw.INT32)
        y = m.activation("output", [1, oh, ow, oc], tw.INT8, quant(r.uniform(0.02, 0.3), r.randint(-50, 50)))
        m.operator(TRANSPOSE_CONV, [shape, weights, x, bias], [y],
                   (OPT_TRANSPOSE_CONV, [(0, "int8", tw.SAME if same else tw.VALID), (1, "int32", s), (2, "int32", s)]))
        kind = "transpose_conv %dx%d s%d %s" % (k, k, s, "SAME" if same else "VALID")
    elif kind in ("logistic", "tanh"):
        y = m.activation("output", [1, h, w, c], tw.INT8, quant(1 / 256, -128) if kind == "logistic" else quant(1 / 128, 0))
        m.operator(LOGISTIC if kind == "logistic" else TANH, [x], [y])
    elif kind == "hard_swish":
        y = m.activation("output", [1, h, w, c], tw.INT8, quant(r.uniform(0.01, 0.1), r.randint(-100, 100)))
        m.operator(HARD_SWISH, [x], [y])
    elif kind == "leaky_relu":
        y = m.activation("output", [1, h, w, c], tw.INT8, quant(r.uniform(0.01, 0.1), r.randint(-100, 100)))
        m.operator(LEAKY_RELU, [x], [y], (OPT_LEAKY_RELU, [(0, "float32", r.choice([0.1, 0.2, 0.01, 0.3]))]))
    elif kind == "leaky_relu_int16":
        # int16: symmetric, zero point 0, the output quantised as the input.
        q = quant(r.uniform(1e-4, 1e-3), 0)
        m.tensors[x].update({"type": tw.INT16, "quant": q})
        y = m.activation("output", [1, h, w, c], tw.INT16, q)
        alpha = r.choice([0.1, 0.2, 0.3, 0.5, 0.9, 1.5, 3.0])
        m.operator(LEAKY_RELU, [x], [y], (OPT_LEAKY_RELU, [(0, "float32", alpha)]))
        kind = "leaky_relu_int16 alpha %g" % alpha
    elif kind in REWRITE_KINDS:
        h, w, c = r.randint(1, 4), r.randint(1, 4), r.randint(2, 10)
        m.tensors[x]["shape"] = [1, h, w, c]
        q = quant(in_scale, in_zp)
        if kind == "arg_max":
            y = m.activation("output", [1, h, w], tw.INT32)
            m.operator(ARG_MAX, [x, m.constant("axis", [3], tw.INT32)], [y], (OPT_ARG_MAX, [(0, "int8", tw.INT32)]))
        elif kind in ("split", "unpack"):
            # One of the outputs is the graph's; the others are left unread.
            axis = r.choice([1, 2, 3])
            shape = [1, h, w, c]
            if kind == "split":
                n = 2
                shape[axis] *= n
                m.tensors[x]["shape"] = list(shape)
                part = list(shape)
                part[axis] //= n
                outs = [m.activation("out%d" % i, part, tw.INT8, q) for i in range(n)]
                m.operator(SPLIT, [m.constant("axis", [axis], tw.INT32), x], outs, (OPT_SPLIT, [(0, "int32", n)]))
            else:
                n = shape[axis]
                outs = [m.activation("out%d" % i, shape[:axis] + shape[axis + 1:], tw.INT8, q) for i in range(n)]
                m.operator(UNPACK, [x], outs, (OPT_UNPACK, [(0, "int32", n), (1, "int32", axis)]))
            y = outs[r.randrange(n)]
            kind = "%s axis %d" % (kind, axis)
        elif kind == "split_v":
            c = r.randint(3, 10)
            m.tensors[x]["shape"] = [1, h, w, c]
            a = r.randint(1, c - 2)
            b = r.randint(1, c - a - 1)
            sizes = [a, b, c - a - b]
            outs = [m.activation("out%d" % i, [1, h, w, n], tw.INT8, q) for i, n in enumerate(sizes)]
            m.operator(SPLIT_V, [x, m.constant("sizes", sizes, tw.INT32), m.constant("axis", [3], tw.INT32)], outs,
                       (OPT_SPLIT_V, [(0, "int32", 3)]))
            y = outs[r.randrange(3)]
        elif kind == "slice":
            begin = [0, r.randint(0, h - 1), r.randint(0, w - 1), r.randint(0, c - 1)]
            size = [1, r.randint(1, h - begin[1]), r.randint(1, w - begin[2]), r.randint(1, c - begin[3])]
            y = m.activation("output", size, tw.INT8, q)
            m.operator(SLICE, [x, m.constant("begin", begin, tw.INT32), m.constant("size", size, tw.INT32)], [y], (OPT_SLICE, []))
        elif kind == "transpose":
            perm = r.choice([[0, 2, 1, 3], [0, 1, 3, 2], [0, 2, 3, 1]])
            shape = [1, h, w, c]
            y = m.activation("output", [shape[i] for i in perm], tw.INT8, q)
            m.operator(TRANSPOSE, [x, m.constant("perm", perm, tw.INT32)], [y], (OPT_TRANSPOSE, []))
            kind = "transpose perm %s" % "".join(map(str, perm))
        else:  # squared_difference, with a constant second operand
            other = m.constant("other", np.array([r.randint(-128, 127) for _ in range(c)]).reshape(1, 1, 1, c), tw.INT8,
                               quant(r.uniform(0.01, 0.1), r.randint(-100, 100)))
            y = m.activation("output", [1, h, w, c], tw.INT8, quant(r.uniform(0.05, 0.5), r.randint(-128, -60)))
            m.operator(SQUARED_DIFFERENCE, [x, other], [y], (OPT_SQUARED_DIFFERENCE, []))
    elif kind in ("logistic_int16", "tanh_int16"):
        # TFLite requires zero points 0 and the output scale 1/32768 here.
        in_scale = r.choice([1 / 4096, 1 / 2048, 1 / 1024, r.uniform(1e-4, 1e-3), r.uniform(1e-3, 4e-3)])
        # Small tensors: the committed vectors have a size budget; the values span the curve.
        h, w, c = r.randint(1, 3), r.randint(1, 3), r.randint(1, 16)
        m.tensors[x].update({"type": tw.INT16, "quant": quant(in_scale, 0), "shape": [1, h, w, c]})
        y = m.activation("output", [1, h, w, c], tw.INT16, quant(1 / 32768, 0))
        m.operator(LOGISTIC if kind == "logistic_int16" else TANH, [x], [y])
        kind = "%s scale %.6g" % (kind, in_scale)
    elif kind in FUSED_KINDS:
        depthwise = kind.startswith("depthwise")
        k, stride = r.choice([(1, 1), (3, 1), (3, 2), (2, 2)])
        same = r.random() < 0.5
        oc = c if depthwise else r.randint(1, 16)
        oh, ow = ((h + stride - 1) // stride, (w + stride - 1) // stride) if same else ((h - k) // stride + 1, (w - k) // stride + 1)
        if oh < 1 or ow < 1:
            same, oh, ow = True, (h + stride - 1) // stride, (w + stride - 1) // stride
        wscale = [r.uniform(0.002, 0.03) for _ in range(oc)]
        if depthwise:
            wv = np.array([[[[r.randint(-127, 127) for _ in range(oc)] for _ in range(k)] for _ in range(k)]])
        else:
            wv = np.array([[[[r.randint(-127, 127) for _ in range(c)] for _ in range(k)] for _ in range(k)] for _ in range(oc)])
        weights = m.constant("weights", wv, tw.INT8, {"scale": wscale, "zero_point": [0] * oc, "quantized_dimension": 3 if depthwise else 0})
        bias = m.constant("bias", [r.randint(-3000, 3000) for _ in range(oc)], tw.INT32,
                          {"scale": [ws * in_scale for ws in wscale], "zero_point": [0] * oc, "quantized_dimension": 0})
        mid = m.activation("conv_out", [1, oh, ow, oc], tw.INT8, quant(r.uniform(0.02, 0.3), r.randint(-50, 50)))
        pad = tw.SAME if same else tw.VALID
        if depthwise:
            # DepthwiseConv2DOptions: padding 0, stride_w 1, stride_h 2, depth_multiplier 3,
            # fused_activation_function 4, dilation_w_factor 5, dilation_h_factor 6.
            m.operator(tw.DEPTHWISE_CONV_2D, [x, weights, bias], [mid],
                       (tw.OPT_DEPTHWISE, [(0, "int8", pad), (1, "int32", stride), (2, "int32", stride), (3, "int32", 1),
                                           (4, "int8", tw.ACT_NONE), (5, "int32", 1), (6, "int32", 1)]))
        else:
            m.operator(tw.CONV_2D, [x, weights, bias], [mid], tw.conv2d_options(pad, stride, stride, tw.ACT_NONE))
        act = kind.split("_", 1)[1]
        if act == "logistic":
            y = m.activation("output", [1, oh, ow, oc], tw.INT8, quant(1 / 256, -128))
            m.operator(LOGISTIC, [mid], [y])
        elif act == "tanh":
            y = m.activation("output", [1, oh, ow, oc], tw.INT8, quant(1 / 128, 0))
            m.operator(TANH, [mid], [y])
        elif act == "hard_swish":
            y = m.activation("output", [1, oh, ow, oc], tw.INT8, quant(r.uniform(0.02, 0.3), r.randint(-100, 0)))
            m.operator(HARD_SWISH, [mid], [y])
        else:
            y = m.activation("output", [1, oh, ow, oc], tw.INT8, quant(r.uniform(0.02, 0.3), r.randint(-50, 50)))
            m.operator(LEAKY_RELU, [mid], [y], (OPT_LEAKY_RELU, [(0, "float32", r.choice([0.1, 0.2, 0.01, 0.3]))]))
        kind = "%s %dx%d s%d %s" % (kind, k, k, stride, "SAME" if same else "VALID")
    elif kind == "sub":
        # x minus a constant of the same shape (its own quantisation), rescaled to another output.
        k_scale, k_zp = r.uniform(0.01, 0.1), r.randint(-100, 100)
        k = m.constant("subtrahend", np.array([r.randint(-128, 127) for _ in range(h * w * c)]).reshape(1, h, w, c), tw.INT8,
                       quant(k_scale, k_zp))
        y = m.activation("output", [1, h, w, c], tw.INT8, quant(r.uniform(0.02, 0.2), r.randint(-50, 50)))
        m.operator(SUB, [x, k], [y], (OPT_SUB, [(0, "int8", 0), (1, "bool", True)]))  # no activation; pot_scale_int16
    elif kind == "prelu":
        a_scale = r.uniform(0.002, 0.01)
        alpha = m.constant("alpha", np.array([r.randint(-127, 127) for _ in range(c)]).reshape(1, 1, c), tw.INT8, quant(a_scale, 0))
        y = m.activation("output", [1, h, w, c], tw.INT8, quant(r.uniform(0.01, 0.1), r.randint(-100, 100)))
        m.operator(PRELU, [x, alpha], [y])
    elif kind == "strided_slice":
        b = [0, r.randint(0, h - 1), r.randint(0, w - 1), r.randint(0, c - 1)]
        e = [1, r.randint(b[1] + 1, h), r.randint(b[2] + 1, w), r.randint(b[3] + 1, c)]
        begin = m.constant("begin", b, tw.INT32)
        end = m.constant("end", e, tw.INT32)
        strides = m.constant("strides", [1, 1, 1, 1], tw.INT32)
        y = m.activation("output", [1, e[1] - b[1], e[2] - b[2], e[3] - b[3]], tw.INT8, quant(in_scale, in_zp))
        m.operator(STRIDED_SLICE, [x, begin, end, strides], [y], (OPT_STRIDED_SLICE, [(i, "int32", 0) for i in range(5)] + [(5, "bool", False)]))
    elif kind == "abs":
        y = m.activation("output", [1, h, w, c], tw.INT8, quant(r.uniform(0.01, 0.1), r.randint(-128, -60)))
        m.operator(ABS, [x], [y])
    elif kind == "rsqrt":
        # Positive inputs only (zero point -128, data above it): the output covers 1/sqrt of them.
        m.tensors[x]["quant"] = quant(in_scale, -128)
        y = m.activation("output", [1, h, w, c], tw.INT8, quant((1 / np.sqrt(in_scale)) / 255, -128))
        m.operator(RSQRT, [x], [y])
    elif kind == "relu6":
        y = m.activation("output", [1, h, w, c], tw.INT8, quant(in_scale, in_zp))
        m.operator(RELU6, [x], [y])
    else:  # pad
        pads = [[0, 0], [r.randint(0, 2), r.randint(0, 2)], [r.randint(0, 2), r.randint(0, 2)], [0, 0]]
        p = m.constant("paddings", pads, tw.INT32)
        y = m.activation("output", [1, h + sum(pads[1]), w + sum(pads[2]), c], tw.INT8, quant(in_scale, in_zp))
        m.operator(PAD, [x, p], [y])
    m.inputs, m.outputs = [x], [y]
    rng = np.random.default_rng(index)
    count = int(np.prod(m.tensors[x]["shape"]))
    if "int16" in kind:
        data = rng.integers(-32768, 32768, size=count, dtype=np.int16).astype("<i2").tobytes()
    else:
        data = rng.integers(-127 if kind == "rsqrt" else -128, 128, size=count, dtype=np.int8).tobytes()
    return kind, m.to_bytes(), data


def read_pack(path):
    """The records of an existing pack, and the refusals beside it, for --from."""
    with open(path, "rb") as f:
        blob = f.read()
    assert blob[:4] == b"CHTF", path
    n = struct.unpack_from("<I", blob, 8)[0]
    records, at = [], 12
    for _ in range(n):
        start = at
        at += 8  # op index, configuration
        scratch, fast, n_in = struct.unpack_from("<III", blob, at)
        at += 12 + 4 * n_in
        n_out = struct.unpack_from("<I", blob, at)[0]
        at += 4 + 4 * n_out
        for _ in range(5):  # payload, constants, input, expected output, kind
            at += 4 + struct.unpack_from("<I", blob, at)[0]
        records.append(blob[start:at])
    return records


def main():
    args = sys.argv[1:]
    first = 0
    if len(args) > 1 and args[0] == "--from":
        first = int(args[1])
        args = args[2:]
    tflm, pack_path, refused_path = args[:3]
    count = int(args[3]) if len(args) > 3 else 240
    records, refused, kinds = [], [], {}
    if first > 0:
        # Keep the operators below `first` from the existing pack and refusal list.
        records = [rec for rec in read_pack(pack_path) if struct.unpack_from("<I", rec, 0)[0] < first]
        with open(refused_path) as f:
            for line in f:
                if line[:1].isdigit() and int(line.split(",")[0]) < first:
                    i, config, reason = line.rstrip("\n").split(",", 2)
                    refused.append((int(i), config, reason.strip('"')))
    with tempfile.TemporaryDirectory() as tmp:
        for index in range(first, count):
            built = build(index)
            if built is None:
                continue
            kind, model, data = built
            path, expected, error = run_tflm(tflm, tmp, index, model, data)
            if expected is None:
                refused.append((index, "-", "TFLM: " + error[:120]))
                continue
            for ci, config in enumerate(conf.CONFIGS):
                out_dir = os.path.join(tmp, "%d_%d" % (index, ci))
                code, text = conf.compile_one(path, config, out_dir)
                out = os.path.join(out_dir, "op_%05d_vela.tflite" % index)
                if code != 0 or not os.path.exists(out):
                    last = [l for l in text.splitlines() if l.strip()]
                    refused.append((index, config, "vela exit %d: %s" % (code, last[-1][:120] if last else "")))
                    continue
                rec, reason = conf.extract(out)
                if rec is None:
                    refused.append((index, config, kind + ": " + reason))
                    continue
                k = kind.encode()
                records.append(struct.pack("<II", index, ci) + rec + struct.pack("<I", len(data)) + data +
                               struct.pack("<I", len(expected)) + expected + struct.pack("<I", len(k)) + k)
                kinds[kind.split()[0]] = kinds.get(kind.split()[0], 0) + 1
    conf.write_pack(pack_path, b"CHTF", records)
    conf.write_refused(refused_path, "Vela 3.10.0 / TFLM on the operators Chorus's kernels lack: not offloaded whole, and why", refused)
    print(f"{count} operators: {len(records)} operator/configuration pairs offloaded whole {kinds}, {len(refused)} not "
          f"-> {pack_path} ({os.path.getsize(pack_path)} bytes)")


if __name__ == "__main__":
    main()
