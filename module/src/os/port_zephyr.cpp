// The Zephyr OS port (chorus/module/os/port.hpp): irq_lock critical sections, the cache API
// for DMA/NPU buffers, k_cpu_idle, logs through Zephyr's logging (CONFIG_CHORUS_LOG_LEVEL).
#include <zephyr/cache.h>
#include <zephyr/irq.h>
#include <zephyr/kernel.h>
#include <zephyr/logging/log.h>

#include "chorus/module/os/port.hpp"

LOG_MODULE_REGISTER(chorus, CONFIG_CHORUS_LOG_LEVEL);

namespace chorus::os {

uint32_t critical_enter() { return irq_lock(); }
void critical_exit(uint32_t state) { irq_unlock(state); }

void cache_clean(const void* addr, size_t bytes) { sys_cache_data_flush_range(const_cast<void*>(addr), bytes); }
void cache_invalidate(void* addr, size_t bytes) { sys_cache_data_invd_range(addr, bytes); }

void idle() { k_cpu_idle(); }

void log(int level, const char* message) {
  switch (level) {
    case 0: LOG_ERR("%s", message); break;
    case 1: LOG_WRN("%s", message); break;
    case 2: LOG_INF("%s", message); break;
    default: LOG_DBG("%s", message); break;
  }
}

}  // namespace chorus::os
