#!/usr/bin/env bash
# Builds Chorus's Ethos-U driver adapter (runtime/src/ethosu_driver_backend.cpp) for the
# Cortex-M55 against Arm's real Ethos-U core driver, fetched outside the repository
# (zephyrproject-rtos/hal_ethos_u), and links it with that driver and the M55 runtime into a
# probe image (firmware/ethosu/driver_link_main.cpp). Nothing runs: QEMU has no Ethos-U.
#   scripts/ethosu-driver-check.sh HAL_ETHOS_U_DIR CMSIS_DIR [NPU_CONFIG]
# NPU_CONFIG: ethos-u55-128 (default), any ethos-u55-N or ethos-u65-N the driver knows.
# Environment: CHORUS_FW_BUILD_DIR (default build-fw-m55; its runtime library is built here).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[ $# -ge 2 ] || { echo "usage: scripts/ethosu-driver-check.sh HAL_ETHOS_U_DIR CMSIS_DIR [ethos-u55-128]" >&2; exit 2; }
hal="$(cd "$1" && pwd)"; cmsis="$(cd "$2" && pwd)"; config="${3:-ethos-u55-128}"
[ -f "$hal/include/ethosu_driver.h" ] || { echo "ethosu-driver-check: $hal/include/ethosu_driver.h not found" >&2; exit 2; }
[ -f "$cmsis/CMSIS/Core/Include/cmsis_compiler.h" ] || { echo "ethosu-driver-check: no CMSIS core headers under $cmsis" >&2; exit 2; }
[[ "$config" =~ ^ethos-(u55|u65)-([0-9]+)$ ]] || { echo "ethosu-driver-check: bad NPU configuration '$config'" >&2; exit 2; }
arch="${BASH_REMATCH[1]}"; macs="${BASH_REMATCH[2]}"; ARCH="${arch^^}"
build="${CHORUS_FW_BUILD_DIR:-$here/build-fw-m55}"
out="$build/ethosu-driver"
mkdir -p "$out"
cmake -S "$here" -B "$build" -G Ninja -DCMAKE_TOOLCHAIN_FILE="$here/cmake/cortex-m55.cmake" -DCMAKE_BUILD_TYPE=Release >/dev/null
ninja -C "$build" -j"${CHORUS_JOBS:-2}" chorus_runtime chorus_module > "$out/runtime.log" 2>&1 || { tail -30 "$out/runtime.log" >&2; exit 1; }
cpu=(-mcpu=cortex-m55 -mthumb -mfloat-abi=hard -O2 -ffunction-sections -fdata-sections)
defs=(-DETHOSU -DETHOSU_ARCH="$arch" -DETHOSU_MACS="$macs" -DETHOS"$ARCH" -DETHOSU_LOG_SEVERITY=1 -DETHOSU_LOG_ENABLE=1)
inc=(-I"$hal/include" -I"$hal/src" -I"$cmsis/CMSIS/Core/Include")
objs=()
for src in ethosu_driver.c ethosu_pmu.c ethosu_device_u55_u65.c; do
  arm-none-eabi-gcc "${cpu[@]}" "${defs[@]}" "${inc[@]}" -std=gnu11 -Werror -c "$hal/src/$src" -o "$out/${src%.c}.o"
  objs+=("$out/${src%.c}.o")
done
cxx=(-std=c++17 -fno-exceptions -fno-rtti -fno-threadsafe-statics -Wall -Wextra -Werror
     -I"$here/runtime/include" -I"$here/module/include" -I"$build/runtime/generated" -I"$hal/include")
arm-none-eabi-g++ "${cpu[@]}" "${cxx[@]}" -c "$here/runtime/src/ethosu_driver_backend.cpp" -o "$out/ethosu_driver_backend.o"
arm-none-eabi-g++ "${cpu[@]}" "${cxx[@]}" -c "$here/firmware/ethosu/driver_link_main.cpp" -o "$out/driver_link_main.o"
# The bare-metal OS port (cache maintenance, critical sections) the firmware images use.
arm-none-eabi-g++ "${cpu[@]}" "${cxx[@]}" -c "$here/module/src/os/port_baremetal.cpp" -o "$out/port_baremetal.o"
arm-none-eabi-g++ "${cpu[@]}" -specs=nosys.specs -Wl,--gc-sections -o "$out/ethosu_driver_probe.elf" \
  "$out/driver_link_main.o" "$out/ethosu_driver_backend.o" "$out/port_baremetal.o" "${objs[@]}" \
  "$build/runtime/libchorus_runtime.a" "$build/module/libchorus_module.a"
arm-none-eabi-size "$out/ethosu_driver_probe.elf"
for sym in ethosu_reserve_driver ethosu_invoke_async ethosu_wait ethosu_release_driver ethosu_irq_handler; do
  arm-none-eabi-nm "$out/ethosu_driver_probe.elf" | grep -Eq " [TW] $sym$" || { echo "ethosu-driver-check: $sym not linked" >&2; exit 1; }
done
echo "ethosu-driver-check: the adapter builds and links with hal_ethos_u ($config, $(git -C "$hal" rev-parse --short HEAD 2>/dev/null || echo 'no git'))"
