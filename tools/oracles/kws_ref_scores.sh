#!/usr/bin/env bash
# The scores TFLM's reference kernels give kws_ref_model on the features `chorus listen
# --pipeline kws_ref` makes for every clip under CLIPS_DIR, as CSV (relative path, then the
# 12 int8 scores in the model's output order), so a test can check Chorus's model stage on
# real clips against an implementation it did not write. TFLM_INFER is the binary
# tools/oracles/tflm_infer.sh builds.
# Usage: tools/oracles/kws_ref_scores.sh TFLM_INFER CHORUS_CLI MODEL CLIPS_DIR > OUT.csv
set -euo pipefail
[ $# -eq 4 ] || { echo "usage: tools/oracles/kws_ref_scores.sh TFLM_INFER CHORUS_CLI MODEL CLIPS_DIR" >&2; exit 2; }
tflm="$1"; chorus="$2"; model="$3"; clips="$4"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
"$chorus" listen --pipeline kws_ref --model "$model" --features-out "$work/features" "$clips" > /dev/null
echo "# kws_ref_model scores from TFLM's reference kernels (tools/oracles/kws_ref_scores.sh) on Chorus's MFCC features"
echo "file,down,go,left,no,off,on,right,stop,up,yes,silence,unknown"
(cd "$work/features" && find . -name "*.features.bin" | sed 's|^\./||' | LC_ALL=C sort) | while read -r rel; do
  "$tflm" "$model" "$work/features/$rel" "$work/out.bin" > /dev/null
  scores="$(od -An -v -t d1 "$work/out.bin" | tr -s ' \n' ',' | sed 's/^,//; s/,$//')"
  echo "${rel%.features.bin}.wav,$scores"
done
