#!/usr/bin/env bash
# Builds the firmware images for one Cortex-M core and runs them under QEMU (semihosting):
# the golden models bit for bit, the planner and the scheduler on the target. Installs
# nothing (scripts/setup.sh does). Exit status: 0 when every firmware test passed.
#   scripts/firmware-test.sh m3|m4|m7|m33|m55 [--bench]
# --bench also runs each shared model's benchmark image with the instruction-count plugin
# (firmware/plugin/insn_count.c) and prints one JSON line per model:
#   {"core":..,"model":..,"instructions":..,"arena_bytes":..,"code_bytes":..}
# and, per policy, the scheduler's own instructions per step (firmware/test/sched_bench_main.cpp):
#   {"core":..,"scheduler":"edf"|"fp","steps":..,"instructions":..,"instructions_per_step":..}
# instructions: one inference (seed 1, the first after init); code_bytes: code and constants
# without models and vectors (.text + .ARM.exidx + .data initialisers) of the model's
# footprint image (only its kernels, built when CHORUS_HOST_CLI is set, see
# scripts/firmware-footprint.sh), else of the benchmark image (every kernel).
# Environment: CHORUS_FW_BUILD_DIR (default build-fw-<core>), CHORUS_JOBS (default 2),
# CHORUS_SHARED_DIR (default ../shared), CHORUS_BENCH_OPS=FILE (per-operator counts, TSV:
# core, model, op index, op name, MACs, instructions, bytes read and written; the input of
# build/tools/chorus_calibrate_costs, tools/calibrate_costs.cpp).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
usage() { echo "usage: scripts/firmware-test.sh m3|m4|m7|m33|m55 [--bench]" >&2; exit 2; }
[ $# -ge 1 ] || usage
core="$1"
case "$core" in m3|m4|m7|m33|m55) ;; *) usage ;; esac
bench=0
[ "${2:-}" = "--bench" ] && bench=1
[ $# -le 2 ] || usage

for tool in arm-none-eabi-g++ qemu-system-arm cmake ninja; do
  command -v "$tool" >/dev/null || { echo "firmware-test: $tool is missing (scripts/setup.sh installs it)" >&2; exit 2; }
done

build="${CHORUS_FW_BUILD_DIR:-$here/build-fw-$core}"
shared="${CHORUS_SHARED_DIR:-$here/../shared}"
cmake -S "$here" -B "$build" -G Ninja -DCMAKE_TOOLCHAIN_FILE="$here/cmake/cortex-$core.cmake" \
      -DCMAKE_BUILD_TYPE=Release -DCHORUS_SHARED_DIR="$shared" >/dev/null
# The build's output goes to a log (the cross compiler's warnings are many and long).
if ! ninja -C "$build" -j"${CHORUS_JOBS:-2}" chorus_firmware > "$build/firmware-build.log" 2>&1; then
  grep -E -A12 'FAILED|error' "$build/firmware-build.log" | head -80 >&2
  echo "firmware-test: the $core build failed (log: $build/firmware-build.log)" >&2
  exit 1
fi
echo "firmware-test: $core images built ($(grep -c 'warning:' "$build/firmware-build.log" || true) compiler warnings, log: $build/firmware-build.log)"

status=0
ctest --test-dir "$build" -L firmware --output-on-failure -j2 || status=1

if [ "$bench" -eq 1 ]; then
  fw="$build/firmware"
  plugin="$fw/insn_count.so"
  [ -f "$plugin" ] || { echo "firmware-test: $plugin was not built (no host C compiler?)" >&2; exit 2; }
  case "$core" in  # as firmware/CMakeLists.txt
    m3) machine=mps2-an385 ;; m4) machine=mps2-an386 ;; m7) machine=mps2-an500 ;;
    m33) machine=mps2-an505 ;; m55) machine=mps3-an547 ;;
  esac
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  [ -n "${CHORUS_BENCH_OPS:-}" ] && : > "$CHORUS_BENCH_OPS"
  for elf in "$fw"/chorus_fw_bench_*.elf; do
    model=$(basename "$elf" .elf)
    model=${model#chorus_fw_bench_}
    begin=$(arm-none-eabi-nm "$elf" | awk '$3 == "chorus_bench_begin" {print "0x" $1}')
    end=$(arm-none-eabi-nm "$elf" | awk '$3 == "chorus_bench_end" {print "0x" $1}')
    if ! qemu-system-arm -M "$machine" -display none -monitor none -serial null -nodefaults \
         -semihosting-config enable=on,target=native -plugin "$plugin,begin=$begin,end=$end,out=$tmp/insns" \
         -kernel "$elf" > "$tmp/out" 2>&1; then
      cat "$tmp/out" >&2
      echo "firmware-test: benchmark image $model failed" >&2
      status=1
      continue
    fi
    instructions=$(awk '$1 == "chorus-insns" && $2 == 0 {print $3}' "$tmp/insns")
    arena=$(sed -n 's/.* arena_bytes=\([0-9]*\).*/\1/p' "$tmp/out")
    # The footprint image (only the model's kernels, `chorus embed`) when the build has one.
    sized="$elf"
    [ -f "$fw/chorus_fw_footprint_$model.elf" ] && sized="$fw/chorus_fw_footprint_$model.elf"
    code=$(arm-none-eabi-size -A "$sized" | awk '$1 == ".text" || $1 == ".ARM.exidx" || $1 == ".data" {n += $2} END {print n}')
    printf '{"core":"%s","model":"%s","instructions":%s,"arena_bytes":%s,"code_bytes":%s}\n' \
      "$core" "$model" "$instructions" "$arena" "$code"
    if [ -n "${CHORUS_BENCH_OPS:-}" ]; then
      # core model op_index op_name macs instructions bytes
      awk -v core="$core" -v model="$model" 'NR == FNR { if ($1 == "chorus-insns" && $2 > 0) insns[$2 - 1] = $3; next }
        $1 == "bench-op" { printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", core, model, $2, $3, $4, insns[$2], $5 }' \
        "$tmp/insns" "$tmp/out" >> "$CHORUS_BENCH_OPS"
    fi
  done
  # The scheduler's own work per step (firmware/test/sched_bench_main.cpp): the board XML's
  # <cost step="..."> (dts/boards/SCHEMA.md).
  elf="$fw/chorus_fw_schedbench.elf"
  begin=$(arm-none-eabi-nm "$elf" | awk '$3 == "chorus_bench_begin" {print "0x" $1}')
  end=$(arm-none-eabi-nm "$elf" | awk '$3 == "chorus_bench_end" {print "0x" $1}')
  if qemu-system-arm -M "$machine" -display none -monitor none -serial null -nodefaults \
       -semihosting-config enable=on,target=native -plugin "$plugin,begin=$begin,end=$end,out=$tmp/sched" \
       -kernel "$elf" > "$tmp/sched.out" 2>&1; then
    awk -v core="$core" 'NR == FNR { if ($1 == "chorus-insns") insns[$2] = $3; next }
      $1 == "bench-sched" { split($3, s, "="); printf "{\"core\":\"%s\",\"scheduler\":\"%s\",\"steps\":%s,\"instructions\":%s,\"instructions_per_step\":%.0f}\n", core, $2, s[2], insns[n + 0], insns[n + 0] / s[2]; n++ }' \
      "$tmp/sched" "$tmp/sched.out"
  else
    cat "$tmp/sched.out" >&2
    echo "firmware-test: the scheduler benchmark image failed" >&2
    status=1
  fi
fi
exit "$status"
