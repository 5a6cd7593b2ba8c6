// The OS port: the few services the firmware core needs from whatever it runs on. The three
// ports are in module/src/os/: port_posix.cpp (the host simulation, tests and tools),
// port_zephyr.cpp (the Zephyr module, cmake/zephyr.cmake) and port_baremetal.cpp (bare-metal
// Cortex-M, firmware/CMakeLists.txt). Each provides these functions.
#pragma once

#include <cstddef>
#include <cstdint>

namespace chorus::os {

// Interrupt-safe critical section (nesting allowed). Returns the state to restore.
uint32_t critical_enter();
void critical_exit(uint32_t state);

class CriticalSection {
 public:
  CriticalSection() : state_(critical_enter()) {}
  ~CriticalSection() { critical_exit(state_); }
  CriticalSection(const CriticalSection&) = delete;
  CriticalSection& operator=(const CriticalSection&) = delete;

 private:
  uint32_t state_;
};

// Data-cache maintenance around buffers a DMA engine or the NPU touches (no-ops on cores
// without a data cache, and on the host). Clean before a device reads memory the CPU
// wrote; invalidate before the CPU reads memory a device wrote.
void cache_clean(const void* addr, size_t bytes);
void cache_invalidate(void* addr, size_t bytes);

// Lets the core sleep until the next interrupt (WFI on Cortex-M; a no-op on the host).
void idle();

// A log line (level 0 error .. 3 debug) to the port's console.
void log(int level, const char* message);

}  // namespace chorus::os
