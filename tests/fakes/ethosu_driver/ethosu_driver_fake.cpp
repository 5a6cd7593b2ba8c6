// The fake Ethos-U core driver (include/ethosu_driver.h): one driver, one job at a time, the
// NPU's work done by Chorus's functional model when the job's interrupt fires.
#include "ethosu_driver.h"

#include <cstring>
#include <string>
#include <vector>

#include "chorus/runtime/ethosu/command_stream.hpp"
#include "chorus/runtime/ethosu/functional_npu.hpp"

struct ethosu_driver {
  bool reserved = false;
  bool running = false;
  bool done = false;
  int result = 0;
  const void* data = nullptr;
  int size = 0;
  uint64_t base[8] = {};
  size_t base_size[8] = {};
  int num_base = 0;
};

namespace {

ethosu_driver g_driver;
int g_auto_after = 0, g_polls = 0, g_jobs = 0;
void* g_fast = nullptr;
size_t g_fast_size = 0;
bool g_fail_invoke = false, g_fail_job = false;
std::string g_error;

void run_job(ethosu_driver* d) {
  using namespace chorus::runtime::ethosu;
  d->running = false;
  d->done = true;
  if (g_fail_job) {
    g_fail_job = false;
    d->result = -1;
    return;
  }
  chorus::Result<DriverPayload> p =
      parse_driver_payload(chorus::Span<const uint8_t>(static_cast<const uint8_t*>(d->data), static_cast<size_t>(d->size)));
  if (!p.is_ok()) {
    g_error = p.status().message();
    d->result = -1;
    return;
  }
  chorus::Result<FunctionalNpuNeeds> needs = FunctionalNpu::measure(*p);
  if (!needs.is_ok()) {
    g_error = needs.status().message();
    d->result = -1;
    return;
  }
  std::vector<int16_t> stream(needs->stream + 1), weights(needs->weights + 1);
  std::vector<int32_t> ifm(needs->ifm + 1);
  NpuMemory memory;
  for (int r = 0; r < d->num_base && r < static_cast<int>(kNpuRegions); ++r)
    memory.region[r] = NpuRegion{reinterpret_cast<uint8_t*>(static_cast<uintptr_t>(d->base[r])), d->base_size[r]};
  FunctionalNpu npu(FunctionalNpuBuffers{stream.data(), stream.size(), weights.data(), weights.size(), ifm.data(), ifm.size()});
  const chorus::Status s = npu.run(*p, memory);
  ++g_jobs;
  g_error = s.is_ok() ? "" : s.message();
  d->result = s.is_ok() ? 0 : -1;
}

}  // namespace

extern "C" {

struct ethosu_driver* ethosu_reserve_driver(void) {
  if (g_driver.reserved) return nullptr;  // the real one blocks; one job at a time here
  g_driver.reserved = true;
  return &g_driver;
}

void ethosu_release_driver(struct ethosu_driver* drv) {
  if (drv != nullptr) drv->reserved = false;
}

int ethosu_invoke_async(struct ethosu_driver* drv, const void* custom_data_ptr, const int custom_data_size, uint64_t* const base_addr,
                        const size_t* base_addr_size, const int num_base_addr, void* user_arg) {
  (void)user_arg;
  if (drv == nullptr || !drv->reserved || drv->running) return -1;
  if (g_fail_invoke) {
    g_fail_invoke = false;
    return -1;
  }
  // hal_ethos_u ethosu_driver.c: "Adjust base address to fast memory area".
  if (g_fast != nullptr && num_base_addr > 2) {
    if (base_addr_size[2] > g_fast_size) return -1;
    base_addr[2] = static_cast<uint64_t>(reinterpret_cast<uintptr_t>(g_fast));
  }
  drv->data = custom_data_ptr;
  drv->size = custom_data_size;
  drv->num_base = num_base_addr < 8 ? num_base_addr : 8;
  for (int i = 0; i < drv->num_base; ++i) {
    drv->base[i] = base_addr[i];
    drv->base_size[i] = base_addr_size[i];
  }
  drv->running = true;
  drv->done = false;
  g_polls = 0;
  return 0;
}

void ethosu_irq_handler(struct ethosu_driver* drv) {
  if (drv != nullptr && drv->running) run_job(drv);
}

int ethosu_wait(struct ethosu_driver* drv, bool block) {
  if (drv == nullptr || (!drv->running && !drv->done)) return -2;
  if (drv->running) {
    ++g_polls;
    if (block || (g_auto_after > 0 && g_polls >= g_auto_after)) run_job(drv);
  }
  if (drv->running) return 1;
  drv->done = false;
  return drv->result;
}

int ethosu_invoke_v3(struct ethosu_driver* drv, const void* custom_data_ptr, const int custom_data_size, uint64_t* const base_addr,
                     const size_t* base_addr_size, const int num_base_addr, void* user_arg) {
  const int rc = ethosu_invoke_async(drv, custom_data_ptr, custom_data_size, base_addr, base_addr_size, num_base_addr, user_arg);
  return rc != 0 ? rc : ethosu_wait(drv, true);
}

void fake_ethosu_reset(void) {
  g_driver = ethosu_driver{};
  g_auto_after = g_polls = g_jobs = 0;
  g_fail_invoke = g_fail_job = false;
  g_fast = nullptr;
  g_fast_size = 0;
  g_error.clear();
}
void fake_ethosu_set_fast_memory(void* memory, size_t size) {
  g_fast = memory;
  g_fast_size = size;
}
void fake_ethosu_set_auto_irq_after(int polls) { g_auto_after = polls; }
void fake_ethosu_raise_irq(void) { ethosu_irq_handler(&g_driver); }
void fake_ethosu_fail_next_invoke(void) { g_fail_invoke = true; }
void fake_ethosu_fail_next_job(void) { g_fail_job = true; }
int fake_ethosu_reserved(void) { return g_driver.reserved ? 1 : 0; }
int fake_ethosu_jobs_run(void) { return g_jobs; }
const char* fake_ethosu_last_error(void) { return g_error.c_str(); }

}  // extern "C"
