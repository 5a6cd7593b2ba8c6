#!/usr/bin/env python3
"""Command streams from Vela's external API, with the OFMs a plain Python transcription expects.

Run with the Python of a Vela installation (../shared/VELA.md). Each case builds one NPU
operation with Vela's external API (ethosu.vela.api: NpuConv2DOperation,
NpuConvDepthWiseOperation, NpuPoolingOperation, NpuElementWiseOperation, NpuDmaOperation),
choosing what TFLite models cannot express: TRUNCATE and NATURAL rounding, NHCWB16 layouts,
IFMs split into two or four tiles at separate addresses, DMA transfers (the IFM and the
weights arrive by DMA from region 0), 8-bit lookup tables DMA'd into SHRAM, 32-bit
elementwise operations (SHL, SHR, CLZ, MUL), explicit biases and scales. Vela's API generates
the command stream and the driver payload; tools/reference/ethosu_semantics.py computes the
expected OFM from the operation's description (and the scale registers Vela chose), knowing
nothing of layouts, tiles, weight streams or DMA.

    <vela-venv>/bin/python tools/oracles/ethosu_api_vectors.py OUT.bin [CASES]

File: "CHAV" u32 version=1, u32 cases; per case: u32 seed, u32 configuration index, a
description (u32 length, ASCII), payload, region 0, region 1, region 2 initial bytes, region 1
expected bytes (each u32 length + bytes), then u32 OFM offset and u32 OFM length in region 1
(the bytes compared).
"""
import os
import random
import struct
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reference"))
import ethosu_semantics as sem  # noqa: E402
from ethosu.vela import api  # noqa: E402

CONFIGS = [
    api.NpuAccelerator.Ethos_U55_32,
    api.NpuAccelerator.Ethos_U55_64,
    api.NpuAccelerator.Ethos_U55_128,
    api.NpuAccelerator.Ethos_U55_256,
    api.NpuAccelerator.Ethos_U65_256,
    api.NpuAccelerator.Ethos_U65_512,
]
SHRAM_BYTES = [16384, 16384, 24576, 49152, 49152, 49152]  # per core (architecture_features.py shram_banks x 1 KB)
ROUNDINGS = [api.NpuRoundingMode.TFL, api.NpuRoundingMode.TRUNCATE, api.NpuRoundingMode.NATURAL]


def align(n, a=16):
    return (n + a - 1) // a * a


class Memory:
    """A region being laid out: blocks appended at 16-byte boundaries."""

    def __init__(self):
        self.data = bytearray()

    def put(self, b):
        at = align(len(self.data))
        self.data.extend(bytes(at - len(self.data)))
        self.data.extend(b)
        return at

    def reserve(self, n):
        return self.put(bytes(n))


def strides_of(layout, h, w, c, elem):
    if layout == api.NpuLayout.NHWC:
        return api.NpuShape3D(height=w * c * elem, width=c * elem, depth=elem)
    cb = align(c, 16)
    return api.NpuShape3D(height=w * cb * elem, width=16 * elem, depth=16 * w * elem)


def element_offset(layout, strides, y, x, c, elem):
    if layout == api.NpuLayout.NHWC:
        return y * strides.height + x * strides.width + c * elem
    return y * strides.height + x * 16 * elem + (c // 16) * strides.depth + (c % 16) * elem


def pack_value(v, bits):
    return (v & ((1 << bits) - 1)).to_bytes(bits // 8, "little")


def unpack_value(b, bits, signed):
    v = int.from_bytes(b, "little")
    if signed and v >= 1 << (bits - 1):
        v -= 1 << bits
    return v


def dtype_of(bits, signed):
    return {
        (8, True): api.NpuDataType.INT8,
        (8, False): api.NpuDataType.UINT8,
        (16, True): api.NpuDataType.INT16,
        (32, True): api.NpuDataType.INT32,
    }[(bits, signed)]


def lay_out_fm(rnd, mem, values, bits, layout, tiles_wanted):
    """Stores values[y][x][c] in `mem` as tiles; returns (NpuTileBox, strides, [(tile base, y0, x0, th, tw)])."""
    h, w, c = len(values), len(values[0]), len(values[0][0])
    elem = bits // 8
    strides = strides_of(layout, h, w, c, elem)
    h0 = h1 = h
    w0 = w
    if tiles_wanted >= 2 and h > 1:
        h0 = rnd.randint(1, h - 1)
        h1 = h0
    if tiles_wanted == 4 and w > 1 and h > 1:
        w0 = rnd.randint(1, w - 1)
        h1 = rnd.randint(1, h - 1)
    boxes = [(0, 0, h0, w0), (0, w0, h1, w - w0), (h0, 0, h - h0, w0), (h1, w0, h - h1, w - w0)]
    addresses, placed = [], []
    for t, (y0, x0, th, tw) in enumerate(boxes):
        if th <= 0 or tw <= 0:
            addresses.append(0)
            continue
        size = (th - 1) * strides.height + element_offset(layout, strides, 0, tw - 1, c - 1, elem) + elem
        block = bytearray(align(size))
        for y in range(th):
            for x in range(tw):
                for ch in range(c):
                    o = element_offset(layout, strides, y, x, ch, elem)
                    block[o:o + elem] = pack_value(values[y0 + y][x0 + x][ch], bits)
        base = mem.put(bytes(block))
        addresses.append(base)
        placed.append((base, y0, x0, th, tw))
    tilebox = api.NpuTileBox(height_0=h0, height_1=h1 if w0 < w else 0, width_0=w0, addresses=addresses)
    return tilebox, strides, placed


def feature_map(shape, bits, signed, region, tiles, layout, strides, zp, scale=None):
    fm = api.NpuFeatureMap()
    fm.data_type = dtype_of(bits, signed)
    fm.region = region
    fm.shape = api.NpuShape3D(*shape)
    fm.tiles = tiles
    fm.layout = layout
    fm.strides = strides
    fm.quantization = api.NpuQuantization(scale_f32=scale, zero_point=zp)
    return fm


def random_fm(rnd, h, w, c, bits, signed):
    lo, hi = sem.type_range(bits, signed)
    if bits == 32:
        lo, hi = -(1 << 20), 1 << 20
    return [[[rnd.randint(lo, hi) for _ in range(c)] for _ in range(w)] for _ in range(h)]


def read_registers(words):
    """The scale and clamp registers as the stream leaves them before its block operation."""
    regs = {"ofm": (1, 0), "opa": (0, 0), "opb": 0, "act": (0, 0), "op_to_scale": 0, "global_scale": False, "ifm2_scalar": 0}
    i = 0
    while i < len(words):
        w = words[i]
        code, param = w & 0x3FF, (w >> 16) & 0xFFFF
        if (w >> 14) & 3 == 1:  # cmd1: a payload word follows
            payload = words[i + 1]
            if code == 0x024:
                regs["ofm"] = (payload, param & 0x3F)
            elif code == 0x025:
                regs["opa"] = (payload, param & 0x3F)
            elif code == 0x026:
                regs["opb"] = payload
            i += 2
            continue
        s16 = param - 0x10000 if param >= 0x8000 else param
        if code == 0x126:
            regs["act"] = (s16, regs["act"][1])
        elif code == 0x127:
            regs["act"] = (regs["act"][0], s16)
        elif code == 0x105:
            regs["op_to_scale"] = (param >> 8) & 3
        elif code == 0x114:
            regs["global_scale"] = bool((param >> 8) & 1)
        elif code == 0x181:
            regs["ifm2_scalar"] = s16
        i += 1
    return regs


def padded_extent(rnd, size, k_eff, stride):
    """Padding (before, after) and output size for one axis, consistent with the NPU's implied IFM extent."""
    before = rnd.randint(0, min(k_eff - 1, 3))
    out = max(1, -(-(size + before - k_eff) // stride) + 1)
    after = (out - 1) * stride + k_eff - before - size
    while after > min(k_eff - 1, 3) and out > 1:
        out -= 1
        after = (out - 1) * stride + k_eff - before - size
    if after < 0 or after > 3:
        return None
    return before, after, out


def make_case(seed):
    rnd = random.Random(seed)
    ci = seed % 6
    accel = CONFIGS[ci]
    kind = rnd.choice(["conv", "conv", "depthwise", "depthwise", "max", "average", "elementwise", "elementwise", "elementwise"])
    if kind in ("conv", "depthwise") and ci == 5:
        ci, accel = 4, CONFIGS[4]  # the API's weight encoder writes one stream; the dual-core U65-512 needs two
    rounding_i = rnd.randrange(3)
    rounding = ROUNDINGS[rounding_i]
    region0, region1, region2 = Memory(), Memory(), Memory()
    ops = []
    notes = [kind, ["TFL", "TRUNCATE", "NATURAL"][rounding_i]]
    ifm_layout = rnd.choice([api.NpuLayout.NHWC, api.NpuLayout.NHCWB16])
    ofm_layout = rnd.choice([api.NpuLayout.NHWC, api.NpuLayout.NHCWB16])
    tiles_wanted = rnd.choice([1, 1, 2, 4])
    notes += [ifm_layout.name, ofm_layout.name, "%d tiles" % tiles_wanted]

    ifm_bits, ifm_signed = 8, rnd.random() < 0.8
    ofm_bits, ofm_signed = 8, rnd.random() < 0.8
    op_kind = None
    if kind == "elementwise":
        op_kind = rnd.choice(["add", "sub", "mul", "min", "max", "abs", "shl", "shr", "clz", "mul32"])
        notes.append(op_kind)
        if op_kind in ("shl", "shr", "clz", "mul32"):
            ifm_bits, ifm_signed, ofm_signed = 32, True, True
            ofm_bits = 32 if op_kind != "shr" or rnd.random() < 0.5 else 8
    h, w = rnd.randint(1, 9), rnd.randint(1, 9)
    c = rnd.randint(1, 40)
    ifm_zp = 0 if ifm_bits == 32 else rnd.randint(*sem.type_range(8, ifm_signed))
    ofm_zp = 0 if ofm_bits == 32 else rnd.randint(*sem.type_range(8, ofm_signed))
    ifm_vals = random_fm(rnd, h, w, c, ifm_bits, ifm_signed)

    # The IFM: in region 1 directly, or in region 0 and copied to region 1 by DMA.
    by_dma = rnd.random() < 0.4
    target = Memory() if by_dma else region1
    tiles, strides, _ = lay_out_fm(rnd, target, ifm_vals, ifm_bits, ifm_layout, tiles_wanted)
    if by_dma:
        notes.append("IFM by DMA")
        src = region0.put(bytes(target.data))
        dst = region1.reserve(len(target.data))
        tiles = api.NpuTileBox(tiles.height_0, tiles.height_1, tiles.width_0, [a + dst if a or i == 0 else 0 for i, a in enumerate(tiles.addresses)])
        ops.append(api.NpuDmaOperation(api.NpuAddressRange(0, src, len(target.data)), api.NpuAddressRange(1, dst, len(target.data))))
    ifm = feature_map((h, w, c), ifm_bits, ifm_signed, 1, tiles, ifm_layout, strides, ifm_zp, scale=rnd.uniform(0.01, 0.1))

    lut = None
    if ofm_bits == 8 and rnd.random() < 0.3:
        lut = [rnd.randrange(256) for _ in range(256)]
        slot = rnd.randrange(8)
        notes.append("LUT slot %d" % slot)
        src = region0.put(bytes(lut))
        shram = SHRAM_BYTES[ci] - 2048 + slot * 256
        ops.append(api.NpuDmaOperation(api.NpuAddressRange(0, src, 256), api.NpuAddressRange((1 << 8) | 3, shram, 256)))

    act = api.NpuActivation(api.NpuActivationOp.TABLE_LOOKUP if lut else api.NpuActivationOp.NONE_OR_RELU)
    if lut:
        act.lookup_table_index = slot
    elif ofm_bits == 8 and rnd.random() < 0.5:
        act.min, act.max = rnd.uniform(-1.0, 0.2), rnd.uniform(0.3, 1.5)

    if kind in ("conv", "depthwise", "max", "average"):
        kh, kw = rnd.randint(1, 4), rnd.randint(1, 4)
        sy, sx = rnd.randint(1, 3), rnd.randint(1, 3)
        dy = dx = 1
        if kind in ("conv", "depthwise") and rnd.random() < 0.3:
            dy, dx = rnd.choice([1, 2]), rnd.choice([1, 2])
        ey, ex = padded_extent(rnd, h, (kh - 1) * dy + 1, sy), padded_extent(rnd, w, (kw - 1) * dx + 1, sx)
        if ey is None or ex is None:
            return None
        (pt, pb, oh), (pl, pr, ow) = ey, ex
        oc = c if kind != "conv" else rnd.randint(1, 40)
        if kind == "average" and (pt or pb or pl or pr) == 0 and rnd.random() < 0.5:
            pass
        ofm_mem_at = region1.reserve(0)
        ofm_strides = strides_of(ofm_layout, oh, ow, oc, ofm_bits // 8)
        ofm_size = (oh - 1) * ofm_strides.height + element_offset(ofm_layout, ofm_strides, 0, ow - 1, oc - 1, ofm_bits // 8) + ofm_bits // 8
        ofm_at = region1.reserve(ofm_size)
        ofm = feature_map((oh, ow, oc), ofm_bits, ofm_signed, 1, api.NpuTileBox(oh, 0, ow, [ofm_at, 0, 0, 0]), ofm_layout, ofm_strides,
                          ofm_zp, scale=rnd.uniform(0.01, 0.2))
        kernel = api.NpuKernel(kw, kh, sx, sy, dx, dy)
        padding = api.NpuPadding(top=pt, left=pl, bottom=pb, right=pr)
        notes.append("%dx%dx%d k%dx%d s%d,%d d%d,%d pad %d,%d,%d,%d -> %dx%dx%d" % (h, w, c, kh, kw, sy, sx, dy, dx, pt, pl, pb, pr, oh, ow, oc))
        if kind in ("conv", "depthwise"):
            op = api.NpuConv2DOperation() if kind == "conv" else api.NpuConvDepthWiseOperation()
            if kind == "conv":
                op.block_traversal = rnd.choice([api.NpuBlockTraversal.DEPTH_FIRST, api.NpuBlockTraversal.PART_KERNEL_FIRST])
        else:
            op = api.NpuPoolingOperation(api.NpuPoolingOp.MAX if kind == "max" else api.NpuPoolingOp.AVERAGE)
        op.ifm, op.ofm, op.kernel, op.padding, op.activation, op.rounding_mode = ifm, ofm, kernel, padding, act, rounding
        op.block_config = rnd.choice(api.npu_find_block_configs(op, accel))
        channels = None
        weights = None
        if kind in ("conv", "depthwise"):
            wi = 1 if kind == "depthwise" else c
            weights = np.array([[[[rnd.randint(-255, 255) if rnd.random() < 0.8 else 0 for _ in range(wi)] for _ in range(kw)] for _ in range(kh)]
                                for _ in range(oc)], dtype=np.int16)
            enc = api.npu_encode_weights(accel, weights, (dx, dy), ifm_bits, op.block_config.depth, kind == "depthwise",
                                         op.block_traversal if kind == "conv" else api.NpuBlockTraversal.DEPTH_FIRST)
            channels = [(rnd.randint(-(1 << 20), 1 << 20), rnd.randint(1 << 29, (1 << 31) - 1), rnd.randint(28, 40)) for _ in range(oc)]
            bias_bytes = b"".join(api.npu_encode_bias(np.int64(b), s, k) for b, s, k in channels)
            bias_at = region0.put(bias_bytes)
            op.biases = [api.NpuAddressRange(0, bias_at, align(len(bias_bytes)))]
            w_src = region0.put(bytes(enc))
            if rnd.random() < 0.4:  # the weights arrive in region 2 by DMA
                notes.append("weights by DMA")
                w_at = region2.reserve(len(enc))
                ops.append(api.NpuDmaOperation(api.NpuAddressRange(0, w_src, len(enc)), api.NpuAddressRange(2, w_at, len(enc))))
                op.weights = [api.NpuAddressRange(2, w_at, len(enc))]
            else:
                op.weights = [api.NpuAddressRange(0, w_src, len(enc))]
        ops.append(op)
        words = api.npu_generate_register_command_stream(ops, accel)
        regs = read_registers(words)
        ofm_d = {"bits": ofm_bits, "signed": ofm_signed, "zero_point": ofm_zp}
        if kind in ("conv", "depthwise"):
            expected = sem.convolution(ifm_vals, ifm_zp, weights.tolist(), channels, (kh, kw), (sy, sx), (dy, dx), (pt, pl), (oh, ow, oc), ofm_d,
                                       regs["act"], rounding_i, lut, kind == "depthwise")
        else:
            expected = sem.pooling(kind, ifm_vals, ifm_zp, (kh, kw), (sy, sx), (pt, pl), (oh, ow, oc), ofm_d, regs["act"], rounding_i, lut,
                                   regs["ofm"] if regs["global_scale"] else None)
    else:
        # Elementwise: IFM2 full, broadcast along H/W/C, or a scalar.
        unary = op_kind in ("abs", "clz")
        ew = {"add": api.NpuElementWiseOp.ADD, "sub": api.NpuElementWiseOp.SUB, "mul": api.NpuElementWiseOp.MUL, "mul32": api.NpuElementWiseOp.MUL,
              "min": api.NpuElementWiseOp.MIN, "max": api.NpuElementWiseOp.MAX, "abs": api.NpuElementWiseOp.ABS, "shl": api.NpuElementWiseOp.SHL,
              "shr": api.NpuElementWiseOp.SHR, "clz": api.NpuElementWiseOp.CLZ}[op_kind]
        op = api.NpuElementWiseOperation(ew)
        op.ifm, op.activation, op.rounding_mode = ifm, act, rounding
        ifm2_vals, scalar = None, None
        shape2 = (h, w, c)
        if not unary:
            mode = rnd.choice(["full", "full", "broadcast", "scalar"])
            if op_kind in ("shl", "shr"):
                ifm2_vals = [[[rnd.randint(0, 31) for _ in range(c)] for _ in range(w)] for _ in range(h)]
                mode = "full" if mode == "scalar" else mode
            if mode == "broadcast":
                shape2 = (1 if rnd.random() < 0.5 else h, 1 if rnd.random() < 0.5 else w, 1 if rnd.random() < 0.4 else c)
            notes.append("ifm2 " + mode)
            if mode == "scalar":
                lo, hi = sem.type_range(8, ifm_signed) if ifm_bits == 8 else (-(1 << 14), 1 << 14)
                scalar = rnd.randint(lo, hi)
                op.ifm2_scalar = float(scalar)
                ifm2_zp = 0
                op.ifm2 = feature_map((1, 1, 1), ifm_bits, ifm_signed, 1, api.NpuTileBox(1, 0, 1, [0, 0, 0, 0]), api.NpuLayout.NHWC, None, 0,
                                      scale=1.0)
            else:
                if ifm2_vals is None or shape2 != (h, w, c):
                    ifm2_vals = random_fm(rnd, *shape2, ifm_bits, ifm_signed) if op_kind not in ("shl", "shr") else \
                        [[[rnd.randint(0, 31) for _ in range(shape2[2])] for _ in range(shape2[1])] for _ in range(shape2[0])]
                ifm2_zp = 0 if ifm_bits == 32 else rnd.randint(*sem.type_range(8, ifm_signed))
                l2 = rnd.choice([api.NpuLayout.NHWC, api.NpuLayout.NHCWB16])
                t2, s2, _ = lay_out_fm(rnd, region1, ifm2_vals, ifm_bits, l2, 1)
                op.ifm2 = feature_map(shape2, ifm_bits, ifm_signed, 1, t2, l2, s2, ifm2_zp, scale=rnd.uniform(0.01, 0.1))
            op.reversed_operands = rnd.random() < 0.3
        if op_kind in ("min", "max"):
            # Vela's MIN/MAX carry no scaling: one quantisation throughout.
            for fm in [op.ifm] + ([op.ifm2] if op.ifm2 else []):
                fm.quantization = api.NpuQuantization(scale_f32=ifm.quantization.scale_f32, zero_point=fm.quantization.zero_point)
        if op_kind == "mul32":
            op.rescale = rnd.choice([(1, 0), (1 << 30, 31), (1 << 30, rnd.randint(31, 40)), (1, rnd.randint(1, 20))])
        ofm_strides = strides_of(ofm_layout, h, w, c, ofm_bits // 8)
        ofm_size = (h - 1) * ofm_strides.height + element_offset(ofm_layout, ofm_strides, 0, w - 1, c - 1, ofm_bits // 8) + ofm_bits // 8
        ofm_at = region1.reserve(ofm_size)
        oscale = ifm.quantization.scale_f32 if op_kind in ("min", "max") else rnd.uniform(0.01, 0.2)
        op.ofm = feature_map((h, w, c), ofm_bits, ofm_signed, 1, api.NpuTileBox(h, 0, w, [ofm_at, 0, 0, 0]), ofm_layout, ofm_strides, ofm_zp,
                             scale=None if ofm_bits == 32 or ifm_bits == 32 else oscale)
        if ifm_bits == 32:
            for fm in [op.ifm] + ([op.ifm2] if op.ifm2 else []):
                fm.quantization = api.NpuQuantization(scale_f32=None, zero_point=0)
        op.block_config = rnd.choice(api.npu_find_block_configs(op, accel))
        ops.append(op)
        words = api.npu_generate_register_command_stream(ops, accel)
        regs = read_registers(words)
        ofm_d = {"bits": ofm_bits, "signed": ofm_signed, "zero_point": ofm_zp}
        expected = [[[0] * c for _ in range(w)] for _ in range(h)]
        zp2 = op.ifm2.quantization.zero_point if (op.ifm2 and scalar is None) else 0
        for y in range(h):
            for x in range(w):
                for ch in range(c):
                    a = ifm_vals[y][x][ch] - ifm_zp
                    b = None
                    if not unary:
                        if scalar is not None:
                            b = regs["ifm2_scalar"]
                        else:
                            b = ifm2_vals[0 if shape2[0] == 1 else y][0 if shape2[1] == 1 else x][0 if shape2[2] == 1 else ch] - zp2
                        if op.reversed_operands:
                            a, b = b, a
                    expected[y][x][ch] = sem.elementwise("mul" if op_kind == "mul32" else op_kind, a, b, ifm_bits, ofm_d, regs["act"],
                                                         rounding_i, lut, regs)
        oh, ow, oc = h, w, c
        notes.append("%dx%dx%d" % (h, w, c))
    payload = api.npu_create_driver_payload(words, accel)
    # The expected region 1: the initial bytes with the OFM written.
    before = bytes(region1.data)
    after = bytearray(before)
    elem = ofm_bits // 8
    for y in range(oh):
        for x in range(ow):
            for ch in range(oc):
                o = ofm_at + element_offset(ofm_layout, op.ofm.strides, y, x, ch, elem)
                after[o:o + elem] = pack_value(expected[y][x][ch], ofm_bits)
    # DMA destinations start zeroed; the functional model fills them. Region 1 expected also holds the DMA'd IFM.
    for d in ops:
        if isinstance(d, api.NpuDmaOperation) and d.dest.region == 1:
            after[d.dest.address:d.dest.address + d.dest.length] = region0.data[d.src.address:d.src.address + d.src.length]
    return {
        "seed": seed,
        "config": ci,
        "text": " ".join(notes),
        "payload": bytes(payload),
        "r0": bytes(region0.data),
        "r1": before,
        "r2": bytes(region2.data),
        "want": bytes(after),
        "ofm": (ofm_at, ofm_size),
    }


def main():
    out = sys.argv[1]
    wanted = int(sys.argv[2]) if len(sys.argv) > 2 else 600
    cases, seed, failures = [], 1, {}
    while len(cases) < wanted:
        try:
            c = make_case(seed)
        except Exception as e:  # Vela's API refusing a combination: counted, never stored
            key = type(e).__name__ + ": " + str(e).split("\n")[0][:80]
            failures[key] = failures.get(key, 0) + 1
            c = None
        seed += 1
        if c is not None:
            cases.append(c)
    with open(out, "wb") as f:
        f.write(b"CHAV" + struct.pack("<II", 1, len(cases)))
        for c in cases:
            text = c["text"].encode()
            f.write(struct.pack("<III", c["seed"], c["config"], len(text)) + text)
            for k in ("payload", "r0", "r1", "r2", "want"):
                f.write(struct.pack("<I", len(c[k])) + c[k])
            f.write(struct.pack("<II", *c["ofm"]))
    kinds = {}
    for c in cases:
        k = c["text"].split()[0]
        kinds[k] = kinds.get(k, 0) + 1
    print(f"{len(cases)} streams from {seed - 1} seeds -> {out} ({os.path.getsize(out)} bytes); kinds {kinds}")
    for k, n in sorted(failures.items(), key=lambda kv: -kv[1]):
        print(f"  not generated x{n}: {k}")


if __name__ == "__main__":
    main()
