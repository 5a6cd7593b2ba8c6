#!/usr/bin/env bash
# Regenerates tests/data/div_tflm/*.bin from TFLM's reference DIV (tools/oracles/div_tflm.cpp).
# Usage: tools/oracles/div_tflm.sh TFLITE_MICRO_TREE GEMMLOWP_TREE
# Both trees stay outside the repository (fetch tensorflow/tflite-micro and google/gemmlowp);
# nothing of them is copied in, only the bytes TFLM computes.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
[ $# -eq 2 ] || { echo "usage: tools/oracles/div_tflm.sh TFLITE_MICRO_TREE GEMMLOWP_TREE" >&2; exit 2; }
tflm="$1"
gemmlowp="$2"
[ -f "$tflm/tensorflow/lite/kernels/internal/reference/div.h" ] || { echo "div_tflm: $tflm is not a tflite-micro tree" >&2; exit 2; }
[ -f "$gemmlowp/fixedpoint/fixedpoint.h" ] || { echo "div_tflm: $gemmlowp is not a gemmlowp tree" >&2; exit 2; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
g++ -std=c++17 -O1 -DTF_LITE_STATIC_MEMORY -I"$tflm" -I"$gemmlowp" "$here/tools/oracles/div_tflm.cpp" \
    "$tflm/tensorflow/lite/kernels/internal/quantization_util.cc" -o "$work/div_tflm"
mkdir -p "$here/tests/data/div_tflm"
"$work/div_tflm" "$here/tests/data/div_tflm"
(cd "$here/tests/data/div_tflm" && sha256sum *.bin)
