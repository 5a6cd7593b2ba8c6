#!/usr/bin/python3
"""Board cost coefficients from measured instruction counts.

Reads the per-operator TSV files that `CHORUS_BENCH_OPS=FILE scripts/firmware-test.sh CORE --bench`
writes (core, model, op index, op name, MACs, instructions, bytes read and written: one
inference of every shared golden model under QEMU, counted by firmware/plugin/insn_count.c)
and fits the simulator's cost model (scheduler/src/cost_model.cpp):

    cycles(op) = op + MACs x kind coefficient + bytes x byte

with cycles = instructions x CPI. CPI is taken as 1 on every core (documented in
dts/boards/SCHEMA.md, "Cost coefficients"): QEMU counts instructions, not cycles.

The fit, per core:
  op          the median count of RESHAPE (an operator that only dispatches);
  byte        sum(instructions - op) / sum(bytes) over the operators that only move data
              (CONCATENATION, STRIDED_SLICE, CAST);
  conv, depthwise, fully-connected, elementwise
              sum(instructions - op - byte x bytes) / sum(MACs) over that kind's operators
              with MACs (SVDF counts as fully connected, as in the scheduler; elementwise:
              pooling and the binary ops ADD, MUL, DIV, MINIMUM, MAXIMUM, whose MACs are
              their output elements).
SOFTMAX, QUANTIZE and the other MAC-less operators are charged op + byte x bytes. Custom
operators (the audio front end's signal ops) are left out: the simulator charges the front
end its own measured cost.

Usage: tools/calibrate_costs.py TSV [TSV ...]   (one line per core: the <cost> attributes)
"""
import statistics
import sys

KINDS = {"CONV_2D": "conv", "DEPTHWISE_CONV_2D": "depthwise", "FULLY_CONNECTED": "fully-connected",
         "SVDF": "fully-connected"}
BUILTIN_ELEMENTWISE = {"ADD", "AVERAGE_POOL_2D", "MAX_POOL_2D", "SOFTMAX", "RESHAPE", "MUL", "MEAN", "QUANTIZE",
                       "DEQUANTIZE", "CONCATENATION", "STRIDED_SLICE", "LOGISTIC", "TANH", "PAD", "DIV", "CAST",
                       "MINIMUM", "MAXIMUM", "SUB", "RELU", "RELU6"}
DATA_MOVES = {"CONCATENATION", "STRIDED_SLICE", "CAST"}


def read(paths):
    rows = {}
    for path in paths:
        with open(path) as f:
            for line in f:
                parts = line.rstrip("\n").split("\t")
                if len(parts) < 7 or not parts[5]:
                    continue
                core, model, _, name, macs, insns, nbytes = parts[:7]
                rows.setdefault(core, []).append((model, name, int(macs), int(insns), int(nbytes)))
    return rows


def fit(rows):
    reshapes = [insns for _, name, _, insns, _ in rows if name == "RESHAPE"]
    op = statistics.median(reshapes) if reshapes else min(insns for *_, insns, _ in rows)
    moves = [(insns - op, nbytes) for _, name, _, insns, nbytes in rows if name in DATA_MOVES]
    per_byte = max(0.0, sum(i for i, _ in moves) / sum(b for _, b in moves)) if moves else 0.0
    out = {"byte": per_byte, "op": op}
    for kind in ("conv", "depthwise", "fully-connected", "elementwise"):
        ops = [(macs, insns, nbytes) for _, name, macs, insns, nbytes in rows
               if KINDS.get(name, "elementwise" if name in BUILTIN_ELEMENTWISE else None) == kind and macs > 0]
        total_macs = sum(m for m, _, _ in ops)
        rest = sum(insns - op - per_byte * nbytes for _, insns, nbytes in ops)
        out[kind] = max(0.0, rest / total_macs) if total_macs else float("nan")
    return out, len(rows)


def main():
    if len(sys.argv) < 2:
        print(__doc__.strip().splitlines()[-1].strip(), file=sys.stderr)
        return 2
    for core, rows in sorted(read(sys.argv[1:]).items()):
        c, n = fit(rows)
        print(f'{core}: <cost conv="{c["conv"]:.3f}" depthwise="{c["depthwise"]:.3f}" '
              f'fully-connected="{c["fully-connected"]:.3f}" elementwise="{c["elementwise"]:.3f}" '
              f'byte="{c["byte"]:.3f}" op="{int(round(c["op"]))}"/>  ({n} operators)')
    return 0


if __name__ == "__main__":
    sys.exit(main())
