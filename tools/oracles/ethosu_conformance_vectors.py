#!/usr/bin/env python3
"""Compiles the conformance suite's one-operator models with the vela CLI and packs its output.

Run with the Python of a Vela installation (../shared/VELA.md). For every model file in
MODELS_DIR (op_NNNNN.tflite, written by the ethosu_conformance_models test tool) and every
Ethos-U configuration, Vela's command-line entry point (ethosu.vela.vela.main, what the
`vela` script calls) compiles the model in a forked process. Where Vela offloads the whole
operator -- its output graph is a single ethos-u operator -- the pack keeps what the NPU needs:
the driver payload, the constant area, the scratch sizes and where the offline plan puts the
operator's inputs and outputs. Everything else is listed in the refusals CSV with Vela's reason.

    <vela-venv>/bin/python tools/oracles/ethosu_conformance_vectors.py MODELS_DIR PACK REFUSED_CSV [--jobs N]

Pack: "CHCF" u32 version=1 u32 records; per record (little-endian): u32 op index, u32
configuration (index into CONFIGS), u32 scratch bytes, u32 fast scratch bytes, u32 inputs,
u32 input offsets..., u32 outputs, u32 output offsets..., u32 payload bytes, payload,
u32 constant bytes, constants.
"""
import glob
import multiprocessing
import os
import struct
import sys
import tempfile

from ethosu.vela import vela
from ethosu.vela.tflite.Model import Model

CONFIGS = ["ethos-u55-32", "ethos-u55-64", "ethos-u55-128", "ethos-u55-256", "ethos-u65-256", "ethos-u65-512"]


def compile_one(model, config, out_dir):
    """Runs the vela CLI entry point in a child; returns (exit code, captured output)."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        os.dup2(w, 1)
        os.dup2(w, 2)
        try:
            code = vela.main(["--accelerator-config", config, "--output-dir", out_dir, model])
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else 1
        except BaseException as e:  # Vela's own failures: report, never crash the driver
            print(f"{type(e).__name__}: {e}")
            code = 3
        sys.stdout.flush()
        os._exit(code or 0)
    os.close(w)
    with os.fdopen(r, "rb") as f:
        text = f.read().decode(errors="replace")
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), text


def offline_offsets(m):
    for i in range(m.MetadataLength()):
        md = m.Metadata(i)
        if md.Name().decode() == "OfflineMemoryAllocation":
            b = m.Buffers(md.Buffer()).DataAsNumpy().tobytes()
            return struct.unpack("<%di" % (len(b) // 4), b)[3:]
    return None


def tensor_bytes(sg, t):
    tt = sg.Tensors(t)
    n = 1
    for k in range(tt.ShapeLength()):
        n *= tt.Shape(k)
    size = {0: 4, 2: 4, 3: 1, 7: 2, 9: 1}.get(tt.Type(), 1)
    return n * size


def buffer_bytes(m, sg, t):
    b = m.Buffers(sg.Tensors(t).Buffer())
    return b.DataAsNumpy().tobytes() if b.DataLength() else b""


def extract(path):
    """The ethos-u operator of a wholly offloaded model, or the reason it is not."""
    buf = open(path, "rb").read()
    m = Model.GetRootAsModel(buf, 0)
    sg = m.Subgraphs(0)
    names = []
    for i in range(sg.OperatorsLength()):
        op = sg.Operators(i)
        code = m.OperatorCodes(op.OpcodeIndex())
        names.append(code.CustomCode().decode() if code.CustomCode() else "builtin %d" % max(code.BuiltinCode(), code.DeprecatedBuiltinCode()))
    if names != ["ethos-u"]:
        return None, "not wholly offloaded: " + " + ".join(names)
    op = sg.Operators(0)
    ins = [op.Inputs(j) for j in range(op.InputsLength())]
    outs = [op.Outputs(j) for j in range(op.OutputsLength())]
    offs = offline_offsets(m)
    if offs is None:
        return None, "no offline plan"
    graph_in = [sg.Inputs(j) for j in range(sg.InputsLength())]
    graph_out = [sg.Outputs(j) for j in range(sg.OutputsLength())]
    payload = buffer_bytes(m, sg, ins[0])
    flash = buffer_bytes(m, sg, ins[1])
    scratch = tensor_bytes(sg, ins[2])
    fast = tensor_bytes(sg, ins[3]) if len(ins) > 3 else 0
    rec = struct.pack("<II", scratch, fast)
    rec += struct.pack("<I", len(graph_in)) + b"".join(struct.pack("<I", offs[t]) for t in graph_in)
    rec += struct.pack("<I", len(graph_out)) + b"".join(struct.pack("<I", offs[t]) for t in graph_out)
    rec += struct.pack("<I", len(payload)) + payload + struct.pack("<I", len(flash)) + flash
    return rec, None


def one(item):
    mdl, ci, tmp = item
    index = int(os.path.basename(mdl)[3:8])
    out_dir = os.path.join(tmp, "%d_%d" % (index, ci))
    code, text = compile_one(mdl, CONFIGS[ci], out_dir)
    out = os.path.join(out_dir, os.path.basename(mdl)[:-7] + "_vela.tflite")
    if code != 0 or not os.path.exists(out):
        last = [l for l in text.splitlines() if l.strip()]
        return index, ci, None, "vela exit %d: %s" % (code, last[-1][:160] if last else "")
    rec, reason = extract(out)
    for f in os.listdir(out_dir):
        os.remove(os.path.join(out_dir, f))
    return index, ci, rec, reason


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    jobs = 2
    if "--jobs" in sys.argv:
        jobs = int(sys.argv[sys.argv.index("--jobs") + 1])
        args = [a for a in args if a != str(jobs)]
    models_dir, pack_path, refused_path = args[:3]
    models = sorted(glob.glob(os.path.join(models_dir, "op_*.tflite")))
    records, refused = [], []
    with tempfile.TemporaryDirectory() as tmp:
        work = [(mdl, ci, tmp) for mdl in models for ci in range(len(CONFIGS))]
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            for n, (index, ci, rec, reason) in enumerate(pool.imap(one, work, chunksize=6)):
                if rec is None:
                    refused.append((index, CONFIGS[ci], reason))
                else:
                    records.append(struct.pack("<II", index, ci) + rec)
                if (n + 1) % 500 == 0:
                    print(f"{n + 1}/{len(work)} compiled, {len(records)} offloaded", file=sys.stderr, flush=True)
    write_pack(pack_path, b"CHCF", records)
    write_refused(refused_path, "Vela 3.10.0 on the conformance suite: operator and configuration Vela did not offload whole, and why",
                  refused)
    print(f"{len(models)} models x {len(CONFIGS)} configurations: {len(records)} offloaded whole, {len(refused)} not "
          f"-> {pack_path} ({os.path.getsize(pack_path)} bytes), {refused_path}")


def write_pack(path, magic, records):
    """A vector pack: 4-byte magic, version 1, record count (little-endian u32s), the records."""
    with open(path, "wb") as f:
        f.write(magic + struct.pack("<II", 1, len(records)))
        for r in records:
            f.write(r)


def write_refused(path, title, refused):
    """The (operator index, configuration, reason) triples Vela did not offload whole, as CSV."""
    with open(path, "w") as f:
        f.write("# " + title + "\n")
        f.write("op,config,reason\n")
        for index, config, reason in refused:
            f.write('%d,%s,"%s"\n' % (index, config, reason.replace('"', "'")))

if __name__ == "__main__":
    main()
