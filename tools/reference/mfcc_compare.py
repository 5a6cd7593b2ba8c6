#!/usr/bin/python3
"""Compares the int8 MFCC features `chorus listen --pipeline kws_ref --features-out DIR` wrote
for every clip under ROOT with the NumPy transcription of MLPerf Tiny's front end
(mfcc_reference.py, written independently of the C++).

Usage: mfcc_compare.py SCALE ZERO_POINT ROOT FEATURES_DIR
  SCALE, ZERO_POINT: kws_ref_model's input quantisation (`chorus info` shows it)
Prints how many features were compared, how many are equal, the largest difference, and
how many clips have any difference. Exit 1 when a clip's features are missing.
"""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mfcc_reference as ref  # noqa: E402


def main(argv):
    if len(argv) != 5:
        raise SystemExit(__doc__)
    scale, zero_point, root, features_dir = float(argv[1]), int(argv[2]), argv[3], argv[4]
    clips = []
    for folder, _, names in os.walk(root):
        for name in names:
            if name.lower().endswith(".wav"):
                clips.append(os.path.relpath(os.path.join(folder, name), root))
    clips.sort()
    compared = equal = clips_differing = missing = 0
    largest = 0
    histogram = {}
    for i, rel in enumerate(clips):
        path = os.path.join(features_dir, os.path.splitext(rel)[0] + ".features.bin")
        if not os.path.exists(path):
            print("missing: %s" % path, file=sys.stderr)
            missing += 1
            continue
        ours = np.fromfile(path, dtype=np.int8).astype(np.int32)
        theirs = ref.quantize(ref.mfcc(ref.read_wav_int16(os.path.join(root, rel))), scale, zero_point).reshape(-1).astype(np.int32)
        if ours.size != theirs.size:
            raise SystemExit("%s: %d features, the reference has %d" % (path, ours.size, theirs.size))
        diff = np.abs(ours - theirs)
        compared += diff.size
        equal += int((diff == 0).sum())
        largest = max(largest, int(diff.max()))
        clips_differing += int(diff.max() > 0)
        for d, n in zip(*np.unique(diff, return_counts=True)):
            histogram[int(d)] = histogram.get(int(d), 0) + int(n)
        if (i + 1) % 500 == 0:
            print("%d/%d clips" % (i + 1, len(clips)), file=sys.stderr)
    print("clips: %d (%d missing)" % (len(clips), missing))
    print("int8 features compared: %d" % compared)
    print("equal: %d (%.4f%%)" % (equal, 100.0 * equal / max(compared, 1)))
    print("largest difference: %d" % largest)
    print("differences: %s" % ", ".join("%d: %d" % (d, n) for d, n in sorted(histogram.items())))
    print("clips with any difference: %d" % clips_differing)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
