#!/usr/bin/env bash
# Vela's own timing estimates for the Vela-compiled shared models in tests/data/vela: compiles
# each model again with --verbose-performance, checks that Vela writes the very same
# .tflite (so the estimates belong to the stored file), and keeps Vela's per-layer CSV next to
# it as <config>/<model>_per-layer.csv -- one section per NPU command stream, "Op Cycles" per
# pass, in NPU cycles -- which Chorus's scheduler charges for each ethos-u operator
# (tools/lib vela_performance.cpp).
# Usage: tools/oracles/vela_performance.sh VELA SHARED_DIR VELA_DATA_DIR
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: tools/oracles/vela_performance.sh VELA SHARED_DIR VELA_DATA_DIR" >&2; exit 2; }
vela="$1"; shared="$2"; out="$3"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
for dir in "$out"/ethos-u*; do
  cfg="$(basename "$dir")"
  for stored in "$dir"/*_vela.tflite; do
    b="$(basename "$stored" _vela.tflite)"
    [ -f "$shared/models/$b.tflite" ] || continue
    "$vela" --accelerator-config "$cfg" --output-dir "$work" --verbose-performance "$shared/models/$b.tflite" > "$work/log" 2>&1
    cmp -s "$work/${b}_vela.tflite" "$stored" || { echo "vela_performance: $cfg/$b: Vela wrote a different file" >&2; exit 1; }
    cp "$work/${b}_per-layer.csv" "$dir/${b}_per-layer.csv"
    rm -f "$work"/*
  done
done
echo "per-layer estimates written for $(ls "$out"/ethos-u*/*_per-layer.csv | wc -l) models"
