/*
 * Reset and exception entry for Chorus firmware images on Cortex-M (bare metal; ARMv7-M and
 * ARMv8-M Architecture Reference Manuals, "The vector table" and "Reset behavior").
 * Reset: enable the FPU/MVE coprocessors, copy .data, zero .bss, paint the unused stack so
 * its high-water mark can be read later, run the static constructors, call main() and hand
 * its return value to the debugger (semihosting) as the exit status.
 */
#include <stddef.h>
#include <stdint.h>

#include "firmware_support.h"

extern uint32_t __stack_top[];
extern uint32_t __stack_limit[];
extern uint32_t __data_start[];
extern uint32_t __data_end[];
extern uint32_t __data_load[];
extern uint32_t __bss_start[];
extern uint32_t __bss_end[];
extern void (*__preinit_array_start[])(void);
extern void (*__preinit_array_end[])(void);
extern void (*__init_array_start[])(void);
extern void (*__init_array_end[])(void);

int main(void);
void Reset_Handler(void);
void chorus_fault_entry(void);
/* An image that uses SysTick (firmware/realtime) defines its handler; elsewhere it faults. */
void SysTick_Handler(void) __attribute__((weak, alias("chorus_fault_entry")));

#define SCB_CPACR (*(volatile uint32_t*)0xE000ED88u)
#define SCB_SHCSR (*(volatile uint32_t*)0xE000ED24u)
#define SCB_CCR (*(volatile uint32_t*)0xE000ED14u)

typedef void (*vector_t)(void);

/* The 16 architectural entries; no external interrupt is ever enabled, so no IRQ entries
   follow (SysTick is one of the 16). */
__attribute__((section(".isr_vector"), used)) const vector_t chorus_vectors[16] = {
    (vector_t)__stack_top, /* initial MSP */
    Reset_Handler,
    chorus_fault_entry, /* NMI */
    chorus_fault_entry, /* HardFault */
    chorus_fault_entry, /* MemManage */
    chorus_fault_entry, /* BusFault */
    chorus_fault_entry, /* UsageFault */
    chorus_fault_entry, /* SecureFault (ARMv8-M) */
    0, 0, 0,
    chorus_fault_entry, /* SVCall */
    chorus_fault_entry, /* DebugMonitor */
    0,
    chorus_fault_entry, /* PendSV */
    SysTick_Handler,    /* SysTick */
};

/* Passes the stacked exception frame (MSP or PSP per EXC_RETURN bit 2) to the reporter. */
__attribute__((naked)) void chorus_fault_entry(void) {
  __asm volatile(
      "tst lr, #4\n"
      "ite eq\n"
      "mrseq r0, msp\n"
      "mrsne r0, psp\n"
      "mov r1, lr\n"
      "b chorus_fault_report\n");
}

static void paint_stack(void) {
  uint32_t sp;
  __asm volatile("mov %0, sp" : "=r"(sp));
  /* Leave the frame this function runs in alone. */
  for (uint32_t* p = __stack_limit; (uint32_t)p < sp - 64u; ++p) *p = CHORUS_STACK_PAINT;
}

__attribute__((noreturn, used)) void Reset_Handler(void) {
#if defined(__ARM_FP) || defined(__ARM_FEATURE_MVE)
  /* CP10 and CP11 full access: the FPU and, on ARMv8.1-M, the MVE (Helium) unit. */
  SCB_CPACR |= 0xFu << 20;
  __asm volatile("dsb\nisb" ::: "memory");
#endif
#if defined(__ARM_ARCH_8M_MAIN__) || defined(__ARM_ARCH_8_1M_MAIN__)
  /* A stack overflow faults (UsageFault STKOF) instead of corrupting .bss. */
  __asm volatile("msr msplim, %0" ::"r"(__stack_limit));
#endif
  /* MemManage, BusFault, UsageFault (and SecureFault on v8-M) report as themselves; an
     integer division by zero traps instead of returning 0. */
  SCB_SHCSR |= (1u << 16) | (1u << 17) | (1u << 18) | (1u << 19);
  SCB_CCR |= 1u << 4;
  for (uint32_t *src = __data_load, *dst = __data_start; dst < __data_end;) *dst++ = *src++;
  for (uint32_t* dst = __bss_start; dst < __bss_end;) *dst++ = 0;
  paint_stack();
  for (void (**f)(void) = __preinit_array_start; f < __preinit_array_end; ++f) (*f)();
  for (void (**f)(void) = __init_array_start; f < __init_array_end; ++f) (*f)();
  chorus_exit(main());
}

size_t chorus_stack_used(void) {
  const uint32_t* p = __stack_limit;
  while (p < __stack_top && *p == CHORUS_STACK_PAINT) ++p;
  return (size_t)((const uint8_t*)__stack_top - (const uint8_t*)p);
}

size_t chorus_stack_size(void) { return (size_t)((const uint8_t*)__stack_top - (const uint8_t*)__stack_limit); }
