#!/usr/bin/python3
"""Extracts, from Vela's --verbose-register-command-stream output, the operations it
describes (its "Register-Level Command Stream: Input" listings: every NPU operation but the
DMAs), as CSV rows, so tests can check the register state Chorus decodes from the command
stream against what Vela says it encoded.

Usage: vela_operations.py CONFIG MODEL LOG >> vela_operations.csv
Columns: config, model, op (the model's NPU operations in stream order), ofm_h, ofm_w, ofm_c,
ofm_layout, ifm_zero, ofm_zero, then kernel_w, kernel_h, stride_x, stride_y, dilation_x,
dilation_y, pad_top, pad_left, pad_bottom, pad_right (empty where Vela prints no kernel).
"""
import re
import sys


def main(argv):
    config, model, log = argv[1:4]
    ops = []
    inside = False
    current = None
    for line in open(log):
        if line.startswith("Register-Level Command Stream: Input"):
            inside = True
            continue
        if line.startswith("Register-Level Command Stream: Output"):
            inside = False
            continue
        if not inside:
            continue
        head = re.match(r"^(\d+) (\S+)", line)
        if head:
            current = None
            if head.group(2) != "Dma":
                current = {}
                ops.append(current)
            continue
        if current is None:
            continue
        m = re.search(r"^\s+IFM: .* zero: (-?\d+)", line)
        if m and "ifm_zero" not in current:
            current["ifm_zero"] = m.group(1)
        m = re.search(r"^\s+OFM: h=(\d+),w=(\d+),c=(\d+), region=\d+, (NHWC|NHCWB16), .* zero: (-?\d+)", line)
        if m:
            current.update(ofm_h=m.group(1), ofm_w=m.group(2), ofm_c=m.group(3), ofm_layout=m.group(4), ofm_zero=m.group(5))
        m = re.search(r"Kernel: w=(\d+), h=(\d+), stride=\((\d+), (\d+)\), dilation=\((\d+), (\d+)\)", line)
        if m:
            current.update(kernel=m.groups())
        m = re.search(r"NpuPadding\(top=(\d+), left=(\d+), bottom=(\d+), right=(\d+)\)", line)
        if m:
            current.update(padding=m.groups())
    for i, op in enumerate(ops):
        kernel = list(op.get("kernel", [""] * 6))
        padding = list(op.get("padding", [""] * 4))
        row = [config, model, str(i), op.get("ofm_h", ""), op.get("ofm_w", ""), op.get("ofm_c", ""), op.get("ofm_layout", ""),
               op.get("ifm_zero", ""), op.get("ofm_zero", "")] + kernel + padding
        print(",".join(row))


if __name__ == "__main__":
    main(sys.argv)
