#!/usr/bin/env bash
# Link test for Cortex-M0+ (ARMv6-M: no LDREX/STREX): the ISR-facing code — the ring
# buffer's producer and consumer and Scheduler::release_from_isr — and Status's text pool
# (module/src/status.cpp), compiled for the M0+, must need no __atomic_* or __sync_*
# function (newlib ships no libatomic for it).
# Usage: m0plus_atomics.sh SOURCE_DIR GENERATED_DIR
set -euo pipefail
src="$1"; gen="$2"
command -v arm-none-eabi-g++ >/dev/null || { echo "m0plus_atomics: arm-none-eabi-g++ is missing (scripts/setup.sh installs it)"; exit 1; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/isr.cpp" <<'CPP'
#include "chorus/module/ring_buffer.hpp"
#include "chorus/scheduler/scheduler.hpp"
alignas(4) uint8_t storage[256];
chorus::RingBuffer ring(chorus::Span<uint8_t>(storage, sizeof(storage)), 4);
extern chorus::sched::Scheduler* scheduler;
extern "C" void sensor_isr(uint32_t sample, uint64_t now) {
  if (ring.write(&sample, 1) == 0) ring.count_overrun(1);
  scheduler->release_from_isr(0, now);
}
extern "C" uint32_t consumer() {
  uint32_t f = 0;
  ring.peek(0, &f, 1);
  ring.consume(1);
  return f + ring.overrun_frames() + static_cast<uint32_t>(ring.available());
}
CPP
flags=(-mcpu=cortex-m0plus -mthumb -O2 -std=c++17 -fno-exceptions -fno-rtti -ffunction-sections
       -I"$src/module/include" -I"$src/runtime/include" -I"$src/scheduler/include" -I"$gen")
arm-none-eabi-g++ "${flags[@]}" -c "$tmp/isr.cpp" -o "$tmp/isr.o"
arm-none-eabi-g++ "${flags[@]}" -c "$src/scheduler/src/scheduler.cpp" -o "$tmp/scheduler.o"
arm-none-eabi-g++ "${flags[@]}" -c "$src/module/src/status.cpp" -o "$tmp/status.o"
bad=$(arm-none-eabi-nm -u "$tmp/isr.o" "$tmp/scheduler.o" "$tmp/status.o" | grep -E '__atomic_|__sync_' || true)
if [ -n "$bad" ]; then
  echo "m0plus_atomics: the Cortex-M0+ build needs atomic library calls:"
  echo "$bad"
  echo "0 passed, 1 failed"
  exit 1
fi
echo "m0plus_atomics: ring buffer, ISR release, scheduler and Status need no __atomic_/__sync_ call on Cortex-M0+"
