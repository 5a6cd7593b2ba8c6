/* A fake of Arm's Ethos-U core driver API (zephyrproject-rtos/hal_ethos_u, include/ethosu_driver.h):
 * the functions Chorus's EthosuDriverBackend calls, with the same names and signatures, for host
 * tests. Behind them an "NPU" that runs the command stream with Chorus's functional model when
 * its interrupt fires. The fake_ethosu_* functions control and observe it. */
#ifndef CHORUS_FAKE_ETHOSU_DRIVER_H
#define CHORUS_FAKE_ETHOSU_DRIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ethosu_driver;

struct ethosu_driver *ethosu_reserve_driver(void);
void ethosu_release_driver(struct ethosu_driver *drv);
int ethosu_invoke_async(struct ethosu_driver *drv, const void *custom_data_ptr, const int custom_data_size, uint64_t *const base_addr,
                        const size_t *base_addr_size, const int num_base_addr, void *user_arg);
int ethosu_wait(struct ethosu_driver *drv, bool block);
int ethosu_invoke_v3(struct ethosu_driver *drv, const void *custom_data_ptr, const int custom_data_size, uint64_t *const base_addr,
                     const size_t *base_addr_size, const int num_base_addr, void *user_arg);
void ethosu_irq_handler(struct ethosu_driver *drv);

/* Fake control. */
void fake_ethosu_reset(void);
/* The job in flight finishes when its interrupt is raised (fake_ethosu_raise_irq), or, with
 * auto_irq_after > 0, on that many'th ethosu_wait poll. */
void fake_ethosu_set_auto_irq_after(int polls);
void fake_ethosu_raise_irq(void);
/* The fast memory ethosu_init would be given: replaces base address 2 as the real driver does. */
void fake_ethosu_set_fast_memory(void *memory, size_t size);
void fake_ethosu_fail_next_invoke(void);   /* ethosu_invoke_async returns -1 */
void fake_ethosu_fail_next_job(void);      /* the job ends with an error (ethosu_wait -1), writing nothing */
int fake_ethosu_reserved(void);            /* drivers currently reserved */
int fake_ethosu_jobs_run(void);            /* command streams the fake NPU ran */
const char *fake_ethosu_last_error(void);  /* the functional model's error, "" if none */

#ifdef __cplusplus
}
#endif

#endif
