#!/usr/bin/env bash
# Instructions per inference, counted by valgrind's callgrind (repeatable under any load):
# (instructions of `chorus infer --repeat 3` - those of `--repeat 1`) / 2, so loading and
# planning cancel out. Also prints each model's arena bytes from `chorus plan --json`.
# Usage: bench/instructions.sh [MODEL_STEM ...]   (default: the README's table)
# With CHORUS_VELA_CONFIG=ethos-u55-128 (or another configuration), the models are the
# Vela-compiled ones of tests/data/vela/<config>: the host instructions of Chorus's Ethos-U
# functional model running their command streams (with the golden inputs of the originals).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
shared="$here/../shared"
chorus="${CHORUS_BIN:-$here/build/tools/chorus}"
[ -x "$chorus" ] || { echo "instructions: build first (scripts/setup.sh); $chorus is missing" >&2; exit 1; }
command -v valgrind >/dev/null || { echo "instructions: valgrind is not installed" >&2; exit 1; }
models=("$@")
[ ${#models[@]} -gt 0 ] || models=(kws_ref_model micro_speech_quantized ad01_int8 person_detect vww_96_int8 pretrainedResnet_quant keyword_scrambled_8bit)
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
model_path() {
  if [ -n "${CHORUS_VELA_CONFIG:-}" ]; then echo "$here/tests/data/vela/$CHORUS_VELA_CONFIG/${1}_vela.tflite"; else echo "$shared/models/$1.tflite"; fi
}
count() {  # model repeat
  valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" "$chorus" infer --model "$(model_path "$1")" \
    --input "$shared/golden/$1/seed1.input.bin" --output "$tmp/out.bin" --repeat "$2" >/dev/null 2>"$tmp/vg.log"
  grep -E '^summary:' "$tmp/cg.out" | awk '{print $2}'
}
printf '%-24s %16s %12s %12s %12s\n' model insn/inference arena_B activ_B lower_bound
for m in "${models[@]}"; do
  one=$(count "$m" 1)
  three=$(count "$m" 3)
  per=$(( (three - one) / 2 ))
  plan=$("$chorus" plan --json "$(model_path "$m")")
  get() { echo "$plan" | sed -E "s/.*\"$1\":([0-9]+).*/\1/"; }
  printf '%-24s %16d %12s %12s %12s\n' "$m" "$per" "$(get arena_bytes)" "$(get activation_bytes)" "$(get lower_bound_bytes)"
done
