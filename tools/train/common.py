"""Shared helpers of the training scripts: datasets exported by chorus_export_dataset,
the chorus_evaluate runner, and reproducible torch settings."""

import json
import os
import subprocess

import numpy as np


def load_dataset(directory):
    """features (int8), labels (uint8), params (float32) and the manifest of one export."""
    with open(os.path.join(directory, "manifest.json")) as f:
        manifest = json.load(f)
    return (np.load(os.path.join(directory, "features.npy")), np.load(os.path.join(directory, "labels.npy")),
            np.load(os.path.join(directory, "params.npy")), manifest)


def dequantize(q, manifest):
    """The features' real values (log2 power) from their int8 codes."""
    f = manifest["features"]
    return (q.astype(np.float32) - f["zero_point"]) * f["scale"]


def export(binary, kind, band, seed, per_class, out, faults=None):
    """Runs chorus_export_dataset unless `out` already holds that export.

    Reused only when band, seed and size match and the exporter is older than the export (a
    rebuilt exporter may draw different examples: changed ranges or simulator)."""
    manifest = os.path.join(out, "manifest.json")
    if os.path.exists(manifest) and os.path.getmtime(manifest) > os.path.getmtime(binary):
        with open(manifest) as f:
            m = json.load(f)
        if m["band"] == band and m["seed"] == seed and m["count"] == per_class * len(m["classes"]):
            return out
    cmd = [binary, kind, "--band", band, "--seed", str(seed), "--per-class", str(per_class), "--out", out]
    if faults:
        cmd += ["--faults", faults]
    subprocess.run(cmd, check=True)
    return out


def set_determinism(torch, seed):
    torch.manual_seed(seed)
    np.random.seed(seed)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
