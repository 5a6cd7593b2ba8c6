#!/usr/bin/env bash
# Runs every Chorus test: installs what is missing, builds, runs the GoogleTest suites
# (ctest), the same suites under AddressSanitizer + UndefinedBehaviorSanitizer, the
# fuzzers for a bounded time each, and the Cortex-M4/M55 firmware images under QEMU
# (scripts/firmware-test.sh and the real-time firmware, scripts/firmware-realtime.sh; with
# --quick too when CI=true). Tests read ../shared (models,
# golden vectors).
# Usage: scripts/test.sh [--quick]   (--quick: the plain ctest run only)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
quick=0
[ "${1:-}" = "--quick" ] && quick=1
fuzz_seconds="${CHORUS_FUZZ_SECONDS:-30}"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT

if [ ! -d "$here/../shared/golden" ]; then
  echo "test: ../shared is missing next to this checkout ($here/../shared): the golden tests need it" >&2
fi

scripts/setup.sh
echo "== ctest (Release)"
ctest --test-dir build --output-on-failure -j2 2>&1 | tee -a "$log"

if [ "$quick" -eq 0 ]; then
  echo "== ctest under ASan + UBSan"
  CHORUS_BUILD_DIR="$here/build-asan" scripts/setup.sh -DCHORUS_SANITIZE=ON -DCHORUS_BUILD_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build-asan --output-on-failure -j2 2>&1 | tee -a "$log"

  echo "== ring buffer and driver threads under ThreadSanitizer"
  if scripts/tsan.sh > "$log.tsan" 2>&1; then
    n=0
    for k in $(grep -E '^\[  PASSED  \] [0-9]+ tests?\.' "$log.tsan" | sed -E 's/.* ([0-9]+) tests?\./\1/'); do n=$((n + k)); done
    echo "tsan: $n tests passed, no data race"
    echo "100% tests passed, 0 tests failed out of $n" >> "$log"
  else
    tail -40 "$log.tsan"
    echo "tsan: failed (above)"
    echo "0% tests passed, 1 tests failed out of 1" >> "$log"
  fi
  rm -f "$log.tsan"

  echo "== fuzzers, every library instrumented (scripts/fuzz.sh), ${fuzz_seconds}s each"
  if scripts/fuzz.sh --seconds "$fuzz_seconds" --targets model_loader,board_xml,scenario_xml,wav,flexbuffer,recording,ethosu > "$log.fuzz" 2>&1; then
    grep -E '^fuzz ' "$log.fuzz"
    echo "100% tests passed, 0 tests failed out of 5" >> "$log"
  else
    tail -40 "$log.fuzz"
    echo "0% tests passed, 1 tests failed out of 1" >> "$log"
  fi
  rm -f "$log.fuzz"
fi

if [ "$quick" -eq 0 ] || [ "${CI:-}" = "true" ]; then
  # Cortex-M4 and Cortex-M55 firmware images under QEMU (golden models, planner, scheduler).
  for core in m4 m55; do
    echo "== firmware tests on $core (QEMU)"
    fw_log="$(mktemp)"
    if scripts/firmware-test.sh "$core" 2>&1 | tee "$fw_log" | tee -a "$log"; [ "${PIPESTATUS[0]}" -ne 0 ] &&
       ! grep -q 'tests failed out of' "$fw_log"; then
      echo "0% tests passed, 1 tests failed out of 1" >> "$log"  # the build failed before ctest ran
    fi
    rm -f "$fw_log"
  done
  # The real-time firmware: SysTick releases, the simulated microphone's DMA halves, WFI idle;
  # every target (0 misses, responses within the analysis bound, chorus sim's prediction
  # within 10 %, the ELF's areas where chorus board reports them) or it fails.
  # And a set the analysis rejects: its misses show on the target too.
  for run in "m4" "m55" "m4 --scenario samples/multi_model/overload.xml"; do
    echo "== real-time firmware: $run (QEMU -icount)"
    # shellcheck disable=SC2086
    if CHORUS_HOST_BUILD="$here/build" scripts/firmware-realtime.sh $run 2>&1 | tee -a "$log.rt"; [ "${PIPESTATUS[0]}" -eq 0 ]; then
      echo "100% tests passed, 0 tests failed out of 1" >> "$log"
    else
      echo "0% tests passed, 1 tests failed out of 1" >> "$log"
    fi
  done
  rm -f "$log.rt"
fi

passed=0; failed=0
while read -r line; do
  t=$(echo "$line" | sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\2/')
  f=$(echo "$line" | sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1/')
  passed=$((passed + t - f)); failed=$((failed + f))
done < <(grep -E 'tests failed out of' "$log")
echo "total: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
