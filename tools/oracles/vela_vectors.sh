#!/usr/bin/env bash
# Compiles every shared model Vela takes for the six Ethos-U configurations and records what
# Vela's own disassembly (--verbose-register-command-stream) says each command stream holds,
# so tests can check Chorus's reading of Vela output against Vela without Vela (CI has none).
# and the operations its listing describes (vela_operations.csv).
# Usage: tools/oracles/vela_vectors.sh VELA SHARED_DIR OUT_DIR
#   VELA: the vela executable (../shared/VELA.md, ../shared/tools/install-vela.sh), 3.10.0
#   OUT_DIR: gets <config>/<model>_vela.tflite and vela_commands.csv
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: tools/oracles/vela_vectors.sh VELA SHARED_DIR OUT_DIR" >&2; exit 2; }
vela="$1"; shared="$2"; out="$3"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
configs="ethos-u55-32 ethos-u55-64 ethos-u55-128 ethos-u55-256 ethos-u65-256 ethos-u65-512"
csv="$out/vela_commands.csv"
ops="$out/vela_operations.csv"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
mkdir -p "$out"
echo "# Vela $("$vela" --version) (Arm defaults; --accelerator-config only), counted from its --verbose-register-command-stream output" > "$csv"
echo "config,model,streams,commands,conv,depthwise,pool,elementwise,dma,stop" >> "$csv"
echo "# Vela $("$vela" --version): the operations its --verbose-register-command-stream listing describes (tools/oracles/vela_operations.py)" > "$ops"
echo "config,model,op,ofm_h,ofm_w,ofm_c,ofm_layout,ifm_zero,ofm_zero,kernel_w,kernel_h,stride_x,stride_y,dilation_x,dilation_y,pad_top,pad_left,pad_bottom,pad_right" >> "$ops"
for cfg in $configs; do
  mkdir -p "$out/$cfg"
  for m in "$shared"/models/*.tflite; do
    b="$(basename "$m" .tflite)"
    case "$b" in *_vela|audio_preprocessor_*) continue ;; esac  # already compiled / CPU only
    "$vela" --accelerator-config "$cfg" --output-dir "$work" --verbose-register-command-stream "$m" > "$work/log" 2>&1
    mv "$work/${b}_vela.tflite" "$out/$cfg/${b}_vela.tflite"
    count() { grep -cE "^0x[0-9a-f]+: .* cmd0\.$1 " "$work/log" || true; }
    streams="$(grep -c '^Register-Level Command Stream: Output' "$work/log" || true)"
    commands="$(grep -cE '^0x[0-9a-f]+: ' "$work/log" || true)"
    /usr/bin/python3 "$here/vela_operations.py" "$cfg" "$b" "$work/log" >> "$ops"
    echo "$cfg,$b,$streams,$commands,$(count NPU_OP_CONV),$(count NPU_OP_DEPTHWISE),$(count NPU_OP_POOL),$(count NPU_OP_ELEMENTWISE),$(count NPU_OP_DMA_START),$(count NPU_OP_STOP)" >> "$csv"
  done
done
