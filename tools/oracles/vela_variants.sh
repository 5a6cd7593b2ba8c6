#!/usr/bin/env bash
# Compiles the shared models with golden outputs under Vela options beyond
# --accelerator-config -- Arm's system configurations and memory modes (vela.ini) and
# --optimise Size -- and checks that `chorus infer` on each Vela output gives the golden bytes
# for every seed. A measurement (CI has no Vela); prints one line per variant and model and
# a total.
# Usage: tools/oracles/vela_variants.sh VELA VELA_INI SHARED_DIR CHORUS OUT_DIR
#   VELA_INI: Vela's Arm/vela.ini (in its installation: ethosu/config_files/Arm/vela.ini)
set -euo pipefail
[ $# -eq 5 ] || { echo "usage: tools/oracles/vela_variants.sh VELA VELA_INI SHARED_DIR CHORUS OUT_DIR" >&2; exit 2; }
vela="$1"; ini="$2"; shared="$3"; chorus="$4"; out="$5"
variants=(
  "u55-64 size|--accelerator-config ethos-u55-64 --optimise Size"
  "u55-128 deep-embedded shared-sram|--accelerator-config ethos-u55-128 --system-config Ethos_U55_Deep_Embedded --memory-mode Shared_Sram"
  "u55-256 high-end-embedded sram-only|--accelerator-config ethos-u55-256 --system-config Ethos_U55_High_End_Embedded --memory-mode Sram_Only"
  "u55-32 high-end-embedded sram-only size|--accelerator-config ethos-u55-32 --system-config Ethos_U55_High_End_Embedded --memory-mode Sram_Only --optimise Size"
  "u65-256 embedded shared-sram|--accelerator-config ethos-u65-256 --system-config Ethos_U65_Embedded --memory-mode Shared_Sram"
  "u65-256 high-end dedicated-sram-512kb|--accelerator-config ethos-u65-256 --system-config Ethos_U65_High_End --memory-mode Dedicated_Sram_512KB"
  "u65-512 client-server dedicated-sram size|--accelerator-config ethos-u65-512 --system-config Ethos_U65_Client_Server --memory-mode Dedicated_Sram --optimise Size"
)
total=0; equal=0
for v in "${variants[@]}"; do
  name="${v%%|*}"; read -r -a args <<< "${v#*|}"
  dir="$out/${name// /_}"; mkdir -p "$dir"
  for g in "$shared"/golden/*/; do
    m="$(basename "$g")"
    [ -f "$shared/models/$m.tflite" ] && [ -f "$g/seed1.input.bin" ] || continue
    case "$m" in audio_preprocessor_*) continue ;; esac  # no NPU operators
    if ! "$vela" --config "$ini" "${args[@]}" --output-dir "$dir" "$shared/models/$m.tflite" > "$dir/$m.vela.log" 2>&1; then
      echo "$name $m: vela failed: $(tail -1 "$dir/$m.vela.log")"; continue
    fi
    ok=0; n=0; why=""
    for input in "$g"/seed*.input.bin; do
      s="$(basename "$input" .input.bin)"; n=$((n + 1))
      if r="$("$chorus" infer --model "$dir/${m}_vela.tflite" --input "$input" --output "$dir/$m.$s.out" 2>&1)"; then
        if cmp -s "$dir/$m.$s.out" "$g/$s.output.bin"; then ok=$((ok + 1)); else why=" ($s differs)"; fi
      else why=" ($r)"; fi
    done
    total=$((total + n)); equal=$((equal + ok))
    echo "$name $m: $ok of $n seeds give the golden bytes$why"
  done
done
echo "vela variants: $equal of $total outputs equal the goldens"
[ "$equal" -eq "$total" ]
