#!/usr/bin/env bash
# The main job: keyword spotting, gesture recognition (a stand-in CNN for now) and
# anomaly detection at once on the Corstone-300 board (Cortex-M55 + Ethos-U55), in
# deterministic virtual time. The scheduler runs EDF at the lowest CPU clock its
# schedulability analysis accepts, after searching the preemption levels that need the
# least arena; then the same set as a plain run-to-completion superloop at that clock;
# then with the NPU. Last, micro_speech on the four bundled 1 s clips. Installs what is
# missing and builds first.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
shared="$here/../shared"
"$here/scripts/setup.sh"
chorus="$here/build/tools/chorus"
board="$here/dts/boards/mps3_an547.xml"
scenario="$here/samples/multi_model/scenario.xml"
trace="$here/build/multi_model_trace.json"

echo
echo "== 0. The multi-model sample: microphone, radar and vibration simulators, real front ends and models, one shared arena"
"$here/build/samples/chorus_multi_model" --duration 30
echo
# Step costs are the boards' measured cost coefficients (dts/boards/SCHEMA.md).
fast_board="$here/dts/boards/alif_e7_hp.xml"
echo "== 1. Scenario: cooperative EDF scheduler, the Ethos-U55 taking the convolutions, lowest accepted clock"
"$chorus" sim --board "$board" --scenario "$scenario" --npu on --trace "$trace" 2>/dev/null
echo
echo "== 1b. The same board with Vela-compiled models (Ethos-U55-128): every NPU job's command stream runs in Chorus's"
echo "       functional model of the Ethos-U, and its NPU time is Vela's own per-pass estimate at the board's NPU clock"
"$chorus" sim --board "$board" --scenario "$here/samples/multi_model/scenario_vela.xml" --npu on 2>/dev/null
echo
echo "== 2. The same on the Cortex-M55 alone at the board's 32 MHz: the analysis refuses it, and it misses"
"$chorus" sim --board "$board" --scenario "$scenario" --npu off --allow-misses 2>/dev/null
echo
echo "== 3. CPU only on a faster Cortex-M55 board (Alif E7 HP): EDF at the lowest accepted clock"
"$chorus" sim --board "$fast_board" --scenario "$scenario" --npu off 2>/dev/null
echo
echo "== 4. The same pipelines as a run-to-completion superloop (what a plain TFLM application does), same clock"
"$chorus" sim --board "$fast_board" --scenario "$scenario" --npu off --policy run-to-completion --allow-misses 2>/dev/null

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
labels=(silence unknown yes no)
echo
echo "== 5. Keyword spotting: micro_speech_quantized on 1 s clips (int8 scores: silence unknown yes no)"
printf '  %-18s %-8s %s\n' clip heard scores
for clip in yes_1000ms no_1000ms silence_1000ms noise_1000ms; do
  json=$("$chorus" infer --json --model "$shared/models/micro_speech_quantized.tflite" \
         --input "$shared/golden/audio_preprocessor_int8/$clip.features.bin" --output "$tmp/$clip.out")
  scores=$(echo "$json" | sed -E 's/.*"output":\[([^]]*)\].*/\1/')
  best=0; i=0; max=-999
  for s in ${scores//,/ }; do
    if [ "$s" -gt "$max" ]; then max=$s; best=$i; fi
    i=$((i + 1))
  done
  printf '  %-18s %-8s %s\n' "$clip.wav" "${labels[$best]}" "${scores//,/ }"
done
echo
echo "trace of run 1 (open in https://ui.perfetto.dev or chrome://tracing): $trace"
