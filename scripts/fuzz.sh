#!/usr/bin/env bash
# Builds the libFuzzer targets with every library instrumented (coverage, ASan, UBSan) into
# build-fuzz/ and runs each on its seed corpus for a bounded time, printing per target the
# inputs run, the coverage reached (libFuzzer's edge count "cov" and feature count "ft") and
# any crash. Exit 0 only when no target crashed.
# Usage: scripts/fuzz.sh [--seconds N] [--targets a,b,...]
#   targets: model_loader board_xml scenario_xml wav flexbuffer (default: all)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds=60
targets="model_loader board_xml scenario_xml wav flexbuffer recording ethosu"
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --targets) targets="${2//,/ }"; shift 2 ;;
    *) echo "usage: scripts/fuzz.sh [--seconds N] [--targets a,b,...]" >&2; exit 2 ;;
  esac
done
build="${CHORUS_FUZZ_BUILD_DIR:-$here/build-fuzz}"
shared="$here/../shared"
names=()
for t in $targets; do names+=("chorus_fuzz_$t"); done
CC=clang CXX=clang++ CHORUS_TARGETS="${names[*]}" CHORUS_BUILD_DIR="$build" "$here/scripts/setup.sh" \
  -DCHORUS_BUILD_FUZZERS=ON -DCHORUS_FUZZ_HARNESS_ONLY=OFF -DCHORUS_BUILD_TESTS=ON -DCHORUS_BUILD_BENCH=OFF \
  -DCHORUS_BUILD_TOOLS=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
status=0
for t in $targets; do
  corpus="$(mktemp -d)"
  # Seed corpora: files of the kind the target reads, from this repository and ../shared.
  case "$t" in
    model_loader) cp "$shared"/models/*.tflite "$corpus"/ 2>/dev/null || true; max_len=600000 ;;
    board_xml) cp "$here"/dts/boards/*.xml "$corpus"/; max_len=65536 ;;
    scenario_xml) cp "$here"/samples/multi_model/scenario.xml "$here"/tests/fuzz/corpus/scenario/*.xml "$corpus"/; max_len=65536 ;;
    wav) cp "$shared"/data/*.wav "$corpus"/ 2>/dev/null || true; max_len=65536 ;;
    ethosu)
      # The command-stream payload of the shared Vela-compiled model, cut out at its "COP1".
      /usr/bin/python3 - "$shared"/models/person_detect_vela.tflite "$corpus"/person_detect.cop1 <<'PY'
import struct, sys
b = open(sys.argv[1], "rb").read()
at = b.find(b"COP1")
i = at + 4
while True:
    tag = struct.unpack_from("<I", b, i)[0]
    if tag & 0xFF == 1: i += 12
    elif tag & 0xFF == 5: i += 4
    else: break
n = ((tag >> 16) & 0xFFFF) | (((tag >> 8) & 0xFF) << 16)
open(sys.argv[2], "wb").write(b[at:i + 4 + 4 * n])
PY
      # And whole small Vela-compiled models, whose streams the functional model runs.
      for c in ethos-u55-32 ethos-u55-256 ethos-u65-512; do
        for m in hello_world_int8 kws_ref_model micro_speech_quantized keyword_scrambled; do
          cp "$here/tests/data/vela/$c/${m}_vela.tflite" "$corpus/${c}_$m.tflite"
        done
      done
      max_len=65536 ;;
    recording)
      # WAVs of every layout, NumPy arrays and CSV tables.
      cp "$shared"/data/yes_30ms.wav "$shared"/data/no_30ms.wav "$here"/tests/fuzz/corpus/recording/* "$corpus"/ 2>/dev/null || true
      max_len=16384 ;;
    flexbuffer)
      # The custom operators' options of the shared audio front ends, cut out with flatc.
      json="$(mktemp -d)"
      for m in "$shared"/models/audio_preprocessor_*.tflite; do
        flatc --json --raw-binary --strict-json -o "$json" "$here/runtime/schema/tflite_subset.fbs" -- "$m"
      done
      /usr/bin/python3 - "$json" "$corpus" <<'PY'
import glob, json, os, sys
n = 0
for f in glob.glob(os.path.join(sys.argv[1], "*.json")):
    for sg in json.load(open(f)).get("subgraphs", []):
        for op in sg.get("operators", []):
            if op.get("custom_options"):
                open(os.path.join(sys.argv[2], "options%d" % n), "wb").write(bytes(op["custom_options"]))
                n += 1
PY
      rm -rf "$json"; max_len=4096 ;;
  esac
  log="$corpus.log"
  if "$build/tests/chorus_fuzz_$t" -max_total_time="$seconds" -rss_limit_mb=2048 -max_len="$max_len" -print_final_stats=1 \
       "$corpus" > "$log" 2>&1; then
    done_line=$(grep -E '^#[0-9]+.*DONE' "$log" | tail -1)
    runs=$(grep -E 'stat::number_of_executed_units' "$log" | awk '{print $2}')
    cov=$(echo "$done_line" | sed -E 's/.*cov: ([0-9]+).*/\1/')
    ft=$(echo "$done_line" | sed -E 's/.*ft: ([0-9]+).*/\1/')
    echo "fuzz $t: $runs inputs in ${seconds}s, coverage $cov edges, $ft features, no crash"
  else
    tail -30 "$log"
    echo "fuzz $t: crash or sanitizer report (above)"
    status=1
  fi
  rm -rf "$corpus" "$log"
done
exit "$status"
