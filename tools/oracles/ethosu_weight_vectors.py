#!/usr/bin/env python3
"""Weight-stream vectors for Chorus's Ethos-U weight decoder, made by Arm Vela's own encoder.

Runs with the Python of a Vela installation (../shared/VELA.md), whose `ethosu.mlw_codec`
is Arm's C encoder: for random weight volumes and every brick-order parameter Vela uses
(depth-first, part-kernel-first, depthwise; 8- and 16-bit IFMs; dilation 1 and 2; kernels
wider than the 8x8 sub-kernel; Ethos-U55-32's 4-deep and the others' 8-deep OFM
micro-blocks; OFM block depths including a dual-core share), it calls
mlw_codec.reorder_encode() and writes the encoded stream. The weights themselves are not
stored: the test regenerates them from the seed with the same xorshift32 generator.

    <vela-venv>/bin/python tools/oracles/ethosu_weight_vectors.py tests/data/ethosu/weight_streams.bin [COUNT]

COUNT (default 256) cases; the cases are drawn in sequence, so a smaller COUNT gives a prefix
of a larger one. (It was 400 until the int16 TANH/LOGISTIC, ARG_MAX and split vectors needed room in the 20 MB
that tests/data/ethosu may take.)

File: "CHWS" u32 version=1, u32 cases; per case 16 little-endian int32
(seed, mode, span, ofm_depth, kernel_h, kernel_w, ifm_depth, ofm_block_depth,
ifm_ublock_depth, ofm_ublock_depth, depthwise, part_kernel_first, ifm_bits, dilation_x,
dilation_y, encoded_bytes) then the encoded bytes.
"""
import random
import struct
import sys

import numpy as np
from ethosu import mlw_codec


def xorshift32(seed):
    x = seed & 0xFFFFFFFF or 1
    while True:
        x ^= (x << 13) & 0xFFFFFFFF
        x ^= x >> 17
        x ^= (x << 5) & 0xFFFFFFFF
        yield x


def weights(seed, mode, span, shape):
    """The values the test regenerates (tests/runtime/ethosu_weights_test.cpp, same rule)."""
    g = xorshift32(seed)
    n = int(np.prod(shape))
    out = np.empty(n, dtype=np.int16)
    width = 2 * span + 1
    for k in range(n):
        r1, r2 = next(g), next(g)
        if mode == 0:  # uniform
            v = r1 % width - span
        elif mode == 1:  # sparse: three in four are zero
            v = 0 if r1 % 4 else r2 % width - span
        else:  # five distinct values
            v = (-span, -1, 0, 3, span)[r1 % 5]
        out[k] = v
    return out.reshape(shape)


def main():
    path = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 256
    rnd = random.Random(20261206)
    cases = []
    while len(cases) < count:
        kind = rnd.choice(["depth", "part", "dw"])
        ifm_bits = 16 if rnd.random() < 0.2 else 8
        dx, dy = rnd.choice([1, 1, 1, 2]), rnd.choice([1, 1, 1, 2])
        kh, kw = rnd.randint(1, 11), rnd.randint(1, 11)
        od = rnd.randint(1, 48)
        idp = 1 if kind == "dw" else rnd.randint(1, 70)
        if od * kh * kw * idp > 6000:
            continue
        oub = rnd.choice([4, 8])
        obd = rnd.choice([1, 3, 4, 8, 16, 32, 64, 128]) if rnd.random() < 0.3 else rnd.choice([8, 16, 32, 64])
        obd = max(obd, 1)
        mode, span = rnd.randint(0, 2), rnd.choice([1, 7, 60, 255])
        seed = rnd.randint(1, 2**31 - 1)
        w = weights(seed, mode, span, (od, kh, kw, idp))
        enc, _ = mlw_codec.reorder_encode(8, oub, w, obd, kind == "dw", kind == "part", ifm_bits, 8 // dy, 8 // dx)
        cases.append((seed, mode, span, od, kh, kw, idp, obd, 8, oub, int(kind == "dw"), int(kind == "part"), ifm_bits, dx, dy, bytes(enc)))
    with open(path, "wb") as f:
        f.write(b"CHWS" + struct.pack("<II", 1, len(cases)))
        for c in cases:
            f.write(struct.pack("<16i", *c[:15], len(c[15])))
            f.write(c[15])
    print(f"{len(cases)} cases, {sum(len(c[15]) for c in cases)} encoded bytes -> {path}")


if __name__ == "__main__":
    main()
