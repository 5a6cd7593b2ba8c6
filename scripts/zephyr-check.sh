#!/usr/bin/env bash
# Builds Chorus as a Zephyr module for real and runs its samples in QEMU:
#   zephyr/samples/kws          on qemu_cortex_m3: one inference, output checked byte for byte
#   zephyr/samples/multi_model  on mps3_an547 (Cortex-M55, Helium, FPU): the default scenario
#                               on chorus::System in real time (k_timer releases, one scheduler
#                               thread), QEMU -icount shift=3: 0 deadline misses and every
#                               response within its analysis bound
#   zephyr/samples/mic_kws, radar_gesture, accel_anomaly
#                               on mps3_an547: one sample per sensor, each reading the
#                               devicetree's sensor (a chorus,replay-sensor on QEMU: real
#                               Speech Commands clips, the radar and vibration simulators):
#                               what was played is what is reported, 0 misses, every response
#                               within its bound
# Checks per sample: it configures, builds, leaves >= 20 % of its board's flash free, prints
# its expected console line in QEMU; the M55 image also holds Helium (MVE) instructions.
# Needs a Zephyr tree (sdk-zephyr 3.4, see ../shared/ZEPHYR-BUILD.md) and the CMSIS module. No
# west, no SDK: the Debian cross compiler through ZEPHYR_TOOLCHAIN_VARIANT=cross-compile.
# Usage: scripts/zephyr-check.sh ZEPHYR_BASE CMSIS_DIR
#   CHORUS_ZEPHYR_BUILD_DIR  where to build (default: a temporary directory)
#   CHORUS_SHARED_DIR        models and golden vectors (default: ../shared beside this checkout)
#   CHORUS_HOST_CLI          the host's chorus CLI (default: built in build/ here)
#   CHORUS_ZEPHYR_SAMPLES    only these samples (space-separated); the others print "skipped"
# Prints one line per sample starting in column 1: "ok <sample> <board>", "failed <sample>
# <board>: <step>" (with the last lines of that step's log) or "skipped <sample> <board>:
# <reason>"; every sample is attempted. Exit 0 only if every sample is ok; 2 on bad usage.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ $# -ne 2 ]; then
  echo "usage: scripts/zephyr-check.sh ZEPHYR_BASE CMSIS_DIR" >&2
  exit 2
fi
zephyr_base="$1"
cmsis="$2"
if [ ! -f "$zephyr_base/VERSION" ]; then
  echo "zephyr-check: $zephyr_base is not a Zephyr tree (no VERSION file)" >&2
  exit 2
fi
if [ ! -d "$cmsis/CMSIS" ]; then
  echo "zephyr-check: $cmsis holds no CMSIS/ (fetch zephyrproject-rtos/cmsis)" >&2
  exit 2
fi
for tool in cmake ninja arm-none-eabi-gcc llvm-objdump qemu-system-arm dtc /usr/bin/python3; do
  command -v "$tool" >/dev/null || { echo "zephyr-check: $tool is missing (scripts/setup.sh installs it)" >&2; exit 2; }
done
shared="${CHORUS_SHARED_DIR:-$here/../shared}"
work="${CHORUS_ZEPHYR_BUILD_DIR:-$(mktemp -d)}"
mkdir -p "$work"
export ZEPHYR_BASE="$zephyr_base" ZEPHYR_TOOLCHAIN_VARIANT=cross-compile CROSS_COMPILE=/usr/bin/arm-none-eabi-

# The host CLI plans the multi-model scenario at build time.
cli="${CHORUS_HOST_CLI:-}"
if [ -z "$cli" ]; then
  cli="$here/build/tools/chorus"
  if ! { [ -f "$here/build/CMakeCache.txt" ] || cmake -S "$here" -B "$here/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
           -DCHORUS_SHARED_DIR="$shared" > "$work/host-cli.log" 2>&1; } ||
     ! ninja -C "$here/build" -j"${CHORUS_JOBS:-2}" chorus >> "$work/host-cli.log" 2>&1; then
    tail -20 "$work/host-cli.log" >&2
    echo "zephyr-check: the host chorus CLI did not build (log: $work/host-cli.log)" >&2
    exit 1
  fi
fi

failed=0
fail() {  # sample board step log
  echo "failed $1 $2: $3"
  [ -n "${4:-}" ] && [ -f "$4" ] && tail -25 "$4" | sed 's/^/    /'
  failed=1
}

# sample board qemu-machine qemu-cpu icount-shift expected-regexes [cmake args...]
# (expected-regexes: one or more, separated by " && ", each a console line the run must
# print; the console is read until the last one appears)
check() {
  local sample="$1" board="$2" machine="$3" cpu="$4" shift_n="$5" expect="$6"
  shift 6
  local build="$work/$sample-$board"
  if [ -n "${CHORUS_ZEPHYR_SAMPLES:-}" ] && [[ " $CHORUS_ZEPHYR_SAMPLES " != *" $sample "* ]]; then
    echo "skipped $sample $board: not in CHORUS_ZEPHYR_SAMPLES"
    failed=1
    return
  fi
  echo "== zephyr: $sample for $board"
  if ! cmake -GNinja -S "$here/zephyr/samples/$sample" -B "$build" -DBOARD="$board" -DPython3_EXECUTABLE=/usr/bin/python3 \
         -DSYSROOT_DIR=/usr/lib/arm-none-eabi/newlib -DTOOLCHAIN_HAS_NEWLIB=ON -DEXTRA_CPPFLAGS=-D_RETARGETABLE_LOCKING=1 \
         -DZEPHYR_MODULES="$cmsis;$here" -DCHORUS_SHARED_DIR="$shared" "$@" > "$build.configure.log" 2>&1; then
    fail "$sample" "$board" configure "$build.configure.log"
    return
  fi
  if ! ninja -C "$build" > "$build.build.log" 2>&1; then
    fail "$sample" "$board" build "$build.build.log"
    return
  fi
  grep -E '^ +(FLASH|RAM|SRAM|ISRAM|QSPI):' "$build.build.log" | sed 's/^/   /'
  # Flash headroom: at least 20 % free.
  local used
  used=$(awk '$1 == "FLASH:" { gsub("%", "", $6); print $6 }' "$build.build.log")
  if [ -z "$used" ] || awk -v u="$used" 'BEGIN { exit !(u > 80) }'; then
    fail "$sample" "$board" "flash headroom (${used:-?} % used, at most 80 % allowed)" "$build.build.log"
    return
  fi
  local elf="$build/zephyr/zephyr.elf"
  if [ "$board" = "mps3_an547" ]; then
    # Helium for real: MVE instructions in the image (binutils 2.40's objdump does not decode
    # MVE; LLVM's does): those on Q registers, and the VMLADAVA/VMLAVA dot products among them.
    local mve dots
    mve=$(llvm-objdump -d --triple=thumbv8.1m.main-none-eabi --mattr=+mve.fp "$elf" | grep -cE '(\s|\{|, )q[0-7]\b')
    dots=$(llvm-objdump -d --triple=thumbv8.1m.main-none-eabi --mattr=+mve.fp "$elf" | grep -cE '\s(vmlava|vmladav)')
    echo "   MVE instructions: $mve (of them VMLADAVA/VMLAVA: $dots)"
    if [ "$mve" -eq 0 ] || [ "$dots" -eq 0 ]; then
      fail "$sample" "$board" "no Helium (MVE) instructions in the image"
      return
    fi
  fi
  local cpu_args=() icount_args=()
  [ -n "$cpu" ] && cpu_args=(-cpu "$cpu")
  [ -n "$shift_n" ] && icount_args=(-icount "shift=$shift_n,align=off,sleep=off")
  # Zephyr never exits: read the console until the expected line (at most 120 s), then stop QEMU.
  timeout 120 qemu-system-arm "${cpu_args[@]}" "${icount_args[@]}" -machine "$machine" -nographic -vga none -net none \
    -chardev stdio,id=con,mux=on -serial chardev:con -mon chardev=con,mode=readline -rtc clock=vm \
    -kernel "$elf" < /dev/null > "$build.console.log" 2>&1 &
  local qemu=$!
  local expects=() last
  while [[ "$expect" == *" && "* ]]; do expects+=("${expect%% && *}"); expect="${expect#* && }"; done
  expects+=("$expect")
  last="${expects[${#expects[@]}-1]}"
  for _ in $(seq 1200); do
    grep -qE "$last" "$build.console.log" 2>/dev/null && break
    grep -qE '^chorus [a-z_]+: .*(misses, the analysis|above their bounds|error|differ)' "$build.console.log" 2>/dev/null && break
    kill -0 "$qemu" 2>/dev/null || break
    sleep 0.1
  done
  kill "$qemu" 2>/dev/null || true
  wait "$qemu" 2>/dev/null || true
  grep -E '^chorus ' "$build.console.log" | sed 's/^/   /'
  local e
  for e in "${expects[@]}"; do
    if ! grep -qE "$e" "$build.console.log"; then
      fail "$sample" "$board" "run: no console line matching '$e'" "$build.console.log"
      return
    fi
  done
  echo "ok $sample $board"
}

check kws qemu_cortex_m3 lm3s6965evb cortex-m3 '' 'chorus kws: .* output bit-exact'
# QEMU's mps3-an547 SysTick counts 32 MHz where Zephyr's devicetree says 25 MHz: with
# -icount shift=3 (125 instructions per virtual us) Zephyr's microsecond holds 125 x 25 / 32
# = 97.65625 instructions; the sample prints the rate it measures next to the planned one.
check multi_model mps3_an547 mps3-an547 '' 3 \
  'chorus multi_model: [0-9]+ pipelines, [0-9]+ jobs, 0 deadline misses, every response within its bound' \
  -DCHORUS_HOST_CLI="$cli" -DCHORUS_CLOCK_MHZ=97.65625
# One sample per sensor, each reading the devicetree's sensor device (a replay sensor on QEMU).
check mic_kws mps3_an547 mps3-an547 '' 3 \
  'chorus mic_kws: heard every keyword played && chorus mic_kws: [0-9]+ pipelines, [0-9]+ jobs, 0 deadline misses, every response within its bound' \
  -DCHORUS_HOST_CLI="$cli" -DCHORUS_CLOCK_MHZ=97.65625
check radar_gesture mps3_an547 mps3-an547 '' 3 \
  'chorus radar_gesture: reported every gesture played && chorus radar_gesture: [0-9]+ pipelines, [0-9]+ jobs, 0 deadline misses, every response within its bound' \
  -DCHORUS_HOST_CLI="$cli" -DCHORUS_CLOCK_MHZ=97.65625
check accel_anomaly mps3_an547 mps3-an547 '' 3 \
  'chorus accel_anomaly: no false alarm, the fault alarmed after [0-9]+ ms && chorus accel_anomaly: [0-9]+ pipelines, [0-9]+ jobs, 0 deadline misses, every response within its bound' \
  -DCHORUS_HOST_CLI="$cli" -DCHORUS_CLOCK_MHZ=97.65625
exit "$failed"
