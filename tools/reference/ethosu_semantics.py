"""What an Ethos-U NPU operation computes, written out plainly (plain Python integers).

A second, separately written statement of the arithmetic Chorus's functional model
(runtime/src/ethosu_functional_npu.cpp, runtime/src/ethosu_arithmetic.cpp) implements, for
tools/oracles/ethosu_api_vectors.py: it computes an operation's OFM from the operation as
Vela's external API describes it (feature maps as nested lists, weights in OHWI, bias and
scale per channel) and the scale registers of the command stream. Nothing here reads
memory layouts, tiles, strides, weight streams or DMA: those are what the C++ model must get
right to agree with this file.

Rounding modes (OFM_PRECISION bits 15..14): TFL is TensorFlow Lite's requantisation
(MultiplyByQuantizedMultiplier: a doubling high multiply then a rounding right shift, ties
away from zero; for shifts below 31 one rounding, ties up), TRUNCATE rounds towards zero,
NATURAL rounds ties up, once.
"""

TFL, TRUNCATE, NATURAL = 0, 1, 2


def floor_div_pow2(v, n):
    return v >> n  # Python's >> on ints is floor division by 2^n


def rounding_divide_by_pot(v, n):
    """gemmlowp RoundingDivideByPOT: ties away from zero."""
    if n == 0:
        return v
    q = abs(v) >> n
    rem = abs(v) - (q << n)
    if rem * 2 >= (1 << n):  # a tie or more goes away from zero
        q += 1
    return q if v >= 0 else -q


def doubling_high_mul(a, b):
    """gemmlowp SaturatingRoundingDoublingHighMul without the saturation: (a*b + 2^30) >> 31, floor."""
    return floor_div_pow2(a * b + (1 << 30), 31)


def apply_scale(v, scale, shift, rounding):
    """v * scale / 2^shift in the NPU's rounding mode."""
    p = v * scale
    if rounding == TFL:
        if shift >= 31:
            return rounding_divide_by_pot(doubling_high_mul(v, scale), shift - 31)
        return p if shift == 0 else floor_div_pow2(p + (1 << (shift - 1)), shift)
    if rounding == TRUNCATE:
        q = abs(p) >> shift
        return q if p >= 0 else -q
    return p if shift == 0 else floor_div_pow2(p + (1 << (shift - 1)), shift)


def type_range(bits, signed):
    if signed:
        return -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    return 0, (1 << bits) - 1


def finish(v, ofm, act_min, act_max, lut):
    """Zero point, clamp, lookup table, saturation. `ofm` is a dict: bits, signed, zero_point."""
    lo, hi = type_range(ofm["bits"], ofm["signed"])
    if lut is None:
        if ofm["bits"] == 32:
            return max(lo, min(hi, v))
        v = max(act_min, min(act_max, v + ofm["zero_point"]))
        return max(lo, min(hi, v))
    # An 8-bit table indexed by the value as a byte (signed values from -128 at index 0).
    v = max(act_min, min(act_max, v + ofm["zero_point"]))
    v = max(-128, min(127, v)) if ofm["signed"] else max(0, min(255, v))
    e = lut[v + 128 if ofm["signed"] else v]
    if ofm["signed"] and e > 127:
        e -= 256
    return max(lo, min(hi, e))


def convolution(ifm, ifm_zp, weights, channels, kernel, stride, dilation, padding, ofm_shape, ofm, act, rounding, lut, depthwise):
    """ifm[y][x][c]; weights[o][ky][kx][i] (i = 0 for depthwise); channels[o] = (bias, scale, shift)."""
    ih, iw = len(ifm), len(ifm[0])
    kh, kw = kernel
    sy, sx = stride
    dy, dx = dilation
    top, left = padding
    oh, ow, oc_n = ofm_shape
    out = [[[0] * oc_n for _ in range(ow)] for _ in range(oh)]
    for oy in range(oh):
        for ox in range(ow):
            for oc in range(oc_n):
                bias, scale, shift = channels[oc]
                acc = bias
                for ky in range(kh):
                    iy = oy * sy - top + ky * dy
                    if iy < 0 or iy >= ih:
                        continue  # padding: the zero point
                    for kx in range(kw):
                        ix = ox * sx - left + kx * dx
                        if ix < 0 or ix >= iw:
                            continue
                        if depthwise:
                            acc += (ifm[iy][ix][oc] - ifm_zp) * weights[oc][ky][kx][0]
                        else:
                            for ic in range(len(ifm[0][0])):
                                acc += (ifm[iy][ix][ic] - ifm_zp) * weights[oc][ky][kx][ic]
                out[oy][ox][oc] = finish(apply_scale(acc, scale, shift, rounding), ofm, act[0], act[1], lut)
    return out


def pooling(mode, ifm, ifm_zp, kernel, stride, padding, ofm_shape, ofm, act, rounding, lut, ofm_scale):
    """mode "max" or "average"; ofm_scale (scale, shift) from OFM_SCALE, or None when the op
    has no global scale (padded average: divide by the elements the window covered)."""
    ih, iw = len(ifm), len(ifm[0])
    kh, kw = kernel
    sy, sx = stride
    top, left = padding
    oh, ow, c_n = ofm_shape
    out = [[[0] * c_n for _ in range(ow)] for _ in range(oh)]
    for oy in range(oh):
        for ox in range(ow):
            for c in range(c_n):
                vals = []
                for ky in range(kh):
                    iy = oy * sy - top + ky
                    for kx in range(kw):
                        ix = ox * sx - left + kx
                        if 0 <= iy < ih and 0 <= ix < iw:
                            vals.append(ifm[iy][ix][c] - ifm_zp)
                if mode == "max":
                    v = max(vals)
                elif ofm_scale is not None:
                    v = apply_scale(sum(vals), ofm_scale[0], ofm_scale[1], rounding)
                else:
                    s, n = sum(vals), len(vals)
                    v = (s + n // 2) // n if s >= 0 else -((-s + n // 2) // n)
                out[oy][ox][c] = finish(v, ofm, act[0], act[1], lut)
    return out


def count_leading_zeros32(v):
    u = v & 0xFFFFFFFF
    n = 0
    while n < 32 and not (u >> (31 - n)) & 1:
        n += 1
    return n


def wrap32(v):
    v &= 0xFFFFFFFF
    return v - (1 << 32) if v >= 1 << 31 else v


def elementwise(op, a, b, ifm_bits, ofm, act, rounding, lut, regs):
    """One element. a, b: the operands with their zero points removed (b None for unary ops),
    already in operand order. regs: OFM_SCALE (scale, shift), OPA_SCALE (scale, shift),
    OPB_SCALE scale, op_to_scale (IFM_PRECISION scale mode), global_scale."""
    scaled = False
    if op in ("add", "sub"):
        if regs["op_to_scale"] == 0:
            a, b = a * (regs["opa"][0] & 0xFFFF), b * (regs["opb"] & 0xFFFF)
        else:
            # One operand by the 32-bit OPA scale, measured from the input shifted left by 20
            # (8-bit) or 15; the other shifted by one bit less (TFLite's multiplier of 1/2).
            k = 20 if ifm_bits == 8 else 15
            if regs["op_to_scale"] == 1:
                a = apply_scale(a << k, regs["opa"][0], regs["opa"][1] + k, rounding)
                b = b << (k - 1)
            else:
                b = apply_scale(b << k, regs["opa"][0], regs["opa"][1] + k, rounding)
                a = a << (k - 1)
        r = a + b if op == "add" else a - b
    elif op == "mul":
        r = a * b
        if ifm_bits == 32 and regs["global_scale"]:
            # 32-bit operands: b is the scale, only the OFM shift applies.
            k = regs["ofm"][1]
            if rounding == TFL and k >= 31:
                r = rounding_divide_by_pot(doubling_high_mul(a, b), k - 31)
            elif rounding == TRUNCATE:
                r = (abs(r) >> k) * (1 if r >= 0 else -1)
            else:
                r = r if k == 0 else floor_div_pow2(r + (1 << (k - 1)), k)
            scaled = True
    elif op == "min":
        r = min(a, b)
    elif op == "max":
        r = max(a, b)
    elif op == "abs":
        r = abs(a)
    elif op == "clz":
        r, scaled = count_leading_zeros32(a), True
    elif op == "shl":
        r, scaled = wrap32(a << (b & 31)), True
    elif op == "shr":
        n = b & 31
        if rounding == TFL:
            r = rounding_divide_by_pot(a, n)
        elif rounding == NATURAL:
            r = a if n == 0 else floor_div_pow2(a + (1 << (n - 1)), n)
        else:
            r = (abs(a) >> n) * (1 if a >= 0 else -1)
        scaled = True
    else:
        raise ValueError(op)
    if regs["global_scale"] and not scaled:
        r = apply_scale(r, regs["ofm"][0], regs["ofm"][1], rounding)
    return finish(r, ofm, act[0], act[1], lut)
