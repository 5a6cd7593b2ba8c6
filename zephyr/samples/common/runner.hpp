// What every Chorus sample on Zephyr shares: chorus::System assembled from the header
// `chorus board --scenario` generated (pipelines, levels, placed arena) and the devicetree
// overlay it generated (the memory regions and the arena's areas), run in real time:
//  - pipelines the sample gives ReleaseRule::kPeriodic are released by one k_timer each at
//    their nominal instants (absolute ticks from time 0, so no drift);
//  - kInterrupt pipelines are the sample's to release (a sensor's block callback calls
//    release_from_isr); kWindowReady ones the scheduler releases when their source holds a
//    window (a sensor callback calls wake());
//  - the calling thread runs the scheduler and sleeps on a semaphore when idle;
//  - every job's response is measured from its nominal release with the cycle counter.
// Compiled into each sample (it includes the sample's chorus_board.hpp). No heap.
#pragma once

#include <zephyr/kernel.h>

#include <cstdint>

#include "chorus/module/span.hpp"
#include "chorus/module/status.hpp"
#include "chorus/scheduler/system.hpp"
#include "chorus/zephyr/sensor_stream.hpp"

namespace chorus::zsample {

// Large objects go to the board's SRAM (a zephyr,memory-region of the generated overlay,
// a NOLOAD linker section): nothing placed there may rely on zero-initialisation.
#define CHORUS_SAMPLE_BIG __attribute__((section(LINKER_DT_NODE_REGION_NAME(DT_NODELABEL(chorus_sram)))))

// The header's board and pipelines.
const board::Board& board_description();
Span<const board::PipelineEntry> pipeline_entries();
Span<const board::Buffer> sensor_buffers();
uint32_t clock_hz();

// Where board address `address` (`bytes` long) of region `region` is (a placed sensor
// buffer): nullptr when outside the devicetree's regions.
uint8_t* memory_at(uint8_t region, uint32_t address, uint32_t bytes);

// The pipeline entry named `name`, or nullptr.
const board::PipelineEntry* entry(const char* name);

// A spec with entry `e`'s timing, level, priority and model (the image's linked model of
// that name); the sample adds the source, the stages and the release rule.
Status spec_for(const board::PipelineEntry& e, PipelineSpec* out);

// What a replay played (its ground truth, `chorus replay --truth`) and what the sample
// reported.
struct Played {
  os::TimeNs start, end;
  const char* name;
};
struct Reported {
  os::TimeNs time;
  const char* name;
};
// Whether every played event (but those named `ignore`) was reported exactly once, with
// its name, between its start and `late` after its end, and nothing else was reported;
// prints each one missing or extra as "chorus <sample>: ...".
bool reported_as_played(const char* sample, Span<const Played> played, Span<const Reported> reported, os::TimeNs late,
                        const char* ignore);

// The instruction rate this run gives (QEMU -icount: fixed), in instructions per us.
uint32_t measured_mips();

// Builds the System from `specs` (the sample's, in the header's pipeline order: levels
// and priorities come from the header) on the devicetree's memory.
Status build(Span<const PipelineSpec> specs);
System& system();

// Time 0: waits for a tick and returns it; releases the periodic pipelines due at 0 and
// starts their timers. The sample starts its sensors at the returned tick.
int64_t start();
// A sensor's release (interrupt context): pipeline `index`'s job nominally at `nominal`.
void release_from_isr(uint32_t index, os::TimeNs nominal);
// Wakes the scheduler thread (interrupt context): a window-ready source got data.
void wake();
// Runs the scheduler until `until` (ns from time 0), then stops the timers.
Status run(os::TimeNs until);
os::TimeNs now();

// The sample's sensor: checks it is ready and prints the banner line "chorus <sample>:
// <board> on <BOARD>, <device> (<type>, <rate> Hz, <n>-frame blocks); this core runs N
// instructions per us". nullptr (with the reason printed) when it is not ready.
const zephyr::StreamInfo* open_sensor(const char* sample, const struct device* dev);
// build(specs), then start() with `dev` streaming into `ring` from time 0 (each block calls
// `on_block`), run(until), and the sensor stopped again. Errors name the step.
Status run_with_sensor(Span<const PipelineSpec> specs, const struct device* dev, RingBuffer* ring,
                       zephyr::BlockCallback on_block, os::TimeNs until);

// One line per pipeline (releases, completions, misses, p50 and max response, bound) and
// the sample's summary line "chorus <sample>: N pipelines, J jobs, M deadline misses, every
// response within its bound" (or what went wrong). Returns the misses plus the responses
// above their bounds.
uint32_t report(const char* sample, os::TimeNs until);

}  // namespace chorus::zsample
