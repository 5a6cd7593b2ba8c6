// Link probe for the Ethos-U driver adapter on a Cortex-M55 (scripts/ethosu-driver-check.sh):
// Chorus's EthosuDriverBackend with Arm's real Ethos-U core driver (hal_ethos_u), no fakes.
// It is linked, not run: QEMU has no Ethos-U. main() wires a driver the way an application
// does (ethosu_init with the NPU's base address, the IRQ handler) and drives the backend's
// whole interface, so every driver entry point the adapter needs must resolve.
#include "chorus/runtime/ethosu/driver_backend.hpp"

extern "C" {
#include "ethosu_driver.h"
}

namespace {
struct ethosu_driver g_npu;
chorus::runtime::ethosu::EthosuDriverBackend g_backend;
}  // namespace

// The application's NPU interrupt handler (Corstone-300: the Ethos-U55 IRQ, 56).
extern "C" void NPU_IRQHandler(void) { ethosu_irq_handler(&g_npu); }

// Kept the way a vector table keeps it (this probe has none).
void (*volatile g_irq_vector)(void) = NPU_IRQHandler;

int main() {
  // Corstone-300's Ethos-U55 register base (Arm Corstone-300 TRM, SSE-300 memory map).
  if (ethosu_init(&g_npu, reinterpret_cast<void*>(0x48102000u), nullptr, 0, 1, 1) != 0) return 1;
  chorus::runtime::NpuJob job;
  const chorus::Status s = g_backend.submit(job, chorus::runtime::NpuCompletion{});
  (void)s;
  (void)g_backend.poll();
  g_backend.cancel();
  if (g_irq_vector == nullptr) return 3;
  return g_backend.busy() ? 2 : 0;
}
