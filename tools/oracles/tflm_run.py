"""Running one model through TFLM's reference kernels (tools/oracles/tflm_infer, built by
tflm_infer.sh outside the repository), shared by the generators that record TFLM's outputs."""
import os
import subprocess


def run_tflm(tflm, directory, index, model, data):
    """Writes model `index` and its input into `directory` and runs tflm_infer on them.
    Returns (model path, output bytes, None) or (model path, None, TFLM's last error line)."""
    path = os.path.join(directory, "op_%05d.tflite" % index)
    with open(path, "wb") as f:
        f.write(model)
    with open(path + ".in", "wb") as f:
        f.write(data)
    run = subprocess.run([tflm, path, path + ".in", path + ".out"], capture_output=True, text=True)
    if run.returncode != 0:
        return path, None, (run.stderr.strip().splitlines() or ["?"])[-1][:160]
    with open(path + ".out", "rb") as f:
        return path, f.read(), None
