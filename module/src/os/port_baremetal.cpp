// The bare-metal Cortex-M OS port (chorus/module/os/port.hpp): PRIMASK critical sections,
// data-cache maintenance by address when the core has a D-cache and it is on (ARMv7-M/ARMv8-M
// ARM, "Cache maintenance operations": DCCMVAC 0xE000EF68, DCIMVAC 0xE000EF5C, CCR.DC bit 16),
// WFI when idle, log lines to the application's console: it defines
//   extern "C" void chorus_write(const char* text);
// (the bare-metal firmware's writes over semihosting, firmware/support/semihosting.cpp).
#include <cstdint>

#include "chorus/module/format.hpp"
#include "chorus/module/os/port.hpp"

extern "C" void chorus_write(const char* text);

namespace chorus::os {

namespace {

volatile uint32_t& reg(uint32_t address) { return *reinterpret_cast<volatile uint32_t*>(address); }

#if defined(__ARM_ARCH_7EM__) || defined(__ARM_ARCH_8_1M_MAIN__)
constexpr bool kMayHaveDcache = true;  // Cortex-M7 and Cortex-M55
#else
constexpr bool kMayHaveDcache = false;
#endif
constexpr uintptr_t kCacheLine = 32;

bool dcache_on() { return kMayHaveDcache && (reg(0xE000ED14u) & (1u << 16)) != 0; }

template <uint32_t kRegister>
void by_line(const void* addr, size_t bytes) {
  if (bytes == 0 || !dcache_on()) return;
  uintptr_t line = reinterpret_cast<uintptr_t>(addr) & ~(kCacheLine - 1);
  const uintptr_t end = reinterpret_cast<uintptr_t>(addr) + bytes;
  __asm__ volatile("dsb" ::: "memory");
  for (; line < end; line += kCacheLine) reg(kRegister) = static_cast<uint32_t>(line);
  __asm__ volatile("dsb\nisb" ::: "memory");
}

}  // namespace

uint32_t critical_enter() {
  uint32_t primask;
  __asm__ volatile("mrs %0, primask\ncpsid i" : "=r"(primask)::"memory");
  return primask;
}

void critical_exit(uint32_t state) { __asm__ volatile("msr primask, %0" ::"r"(state) : "memory"); }

void cache_clean(const void* addr, size_t bytes) { by_line<0xE000EF68u>(addr, bytes); }
void cache_invalidate(void* addr, size_t bytes) { by_line<0xE000EF5Cu>(addr, bytes); }

void idle() { __asm__ volatile("wfi"); }

void log(int level, const char* message) {
  static const char* const kLevels[] = {"error", "warning", "info", "debug"};
  char line[256];
  format_to(line, sizeof(line), "chorus %s: %s\n", kLevels[level < 0 ? 0 : (level > 3 ? 3 : level)], message);
  chorus_write(line);
}

}  // namespace chorus::os
