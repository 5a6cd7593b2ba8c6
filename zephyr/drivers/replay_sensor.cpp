// "chorus,replay-sensor": a Chorus sensor stream (chorus/zephyr/sensor_stream.hpp) that
// plays a recording linked into the image. A one-shot k_timer, re-armed at each block's
// absolute tick, stands for the sensor's interrupt: its handler copies the block into the
// ring (as a DMA or FIFO drain would), then calls the application. The block times are
// computed from the start tick, so they do not drift with the tick rounding of earlier
// blocks (a 30 frames/s radar's 33.3 ms period is not a whole number of ticks).
#define DT_DRV_COMPAT chorus_replay_sensor

#include <zephyr/device.h>
#include <zephyr/devicetree.h>
#include <zephyr/kernel.h>

#include <cerrno>

#include "chorus/zephyr/sensor_stream.hpp"

namespace chorus::zephyr {
namespace {

struct ReplayConfig {
  const int16_t* begin;
  const int16_t* end;
  StreamInfo info;
  bool loop;  // else: nothing after the end
};

struct ReplayData {
  struct k_timer timer;
  const struct device* dev;
  RingBuffer* ring;
  BlockCallback callback;
  void* user;
  int64_t start_tick;
  uint64_t block;
  size_t position;  // int16 values played
  uint64_t past_end;
  bool running;
};

const ReplayConfig& config_of(const struct device* dev) {
  return *static_cast<const ReplayConfig*>(dev->config);
}
ReplayData& data_of(const struct device* dev) {
  return *static_cast<ReplayData*>(dev->data);
}

// Block k is complete at start + (k + 1) x block_frames / rate: its due instant in ns and
// the first tick at or after it.
uint64_t due_ns(const StreamInfo& info, uint64_t block) {
  return (block + 1) * info.block_frames * 1000000000ull / info.rate_hz;
}
int64_t due_tick(const ReplayData& d, const StreamInfo& info, uint64_t block) {
  return d.start_tick + static_cast<int64_t>(k_ns_to_ticks_ceil64(due_ns(info, block)));
}

void on_block(struct k_timer* timer) {
  ReplayData& d = *CONTAINER_OF(timer, ReplayData, timer);
  const ReplayConfig& c = config_of(d.dev);
  if (!d.running) return;
  const size_t per_frame = c.info.values_per_frame;
  const size_t total = static_cast<size_t>(c.end - c.begin);
  // The recording holds whole frames: copied in runs up to its end, as one DMA transfer
  // would. Past the end: the start again when looping, else nothing (a stopped sensor),
  // counted.
  const size_t frames_total = total / per_frame;
  for (size_t left = c.info.block_frames; left > 0;) {
    size_t at = d.position / per_frame;
    if (at == frames_total && c.loop) {
      d.position = 0;
      at = 0;
    }
    if (at == frames_total) {
      d.past_end += left;
      break;
    }
    const size_t run = frames_total - at < left ? frames_total - at : left;
    (void)d.ring->write(c.begin + d.position, run);
    d.position += run * per_frame;
    left -= run;
  }
  const uint64_t block = d.block++;
  if (d.callback != nullptr) d.callback(d.user, block, due_ns(c.info, block));
  k_timer_start(&d.timer, K_TIMEOUT_ABS_TICKS(due_tick(d, c.info, d.block)), K_NO_WAIT);
}

const StreamInfo* replay_info(const struct device* dev) {
  return &config_of(dev).info;
}

int replay_start(const struct device* dev, RingBuffer* ring, int64_t start_tick, BlockCallback callback, void* user) {
  const ReplayConfig& c = config_of(dev);
  ReplayData& d = data_of(dev);
  if (ring == nullptr || ring->frame_bytes() != c.info.values_per_frame * sizeof(int16_t)) return -EINVAL;
  if (d.running) return -EBUSY;
  d.ring = ring;
  d.callback = callback;
  d.user = user;
  d.start_tick = start_tick;
  d.block = 0;
  d.position = 0;
  d.past_end = 0;
  d.running = true;
  k_timer_start(&d.timer, K_TIMEOUT_ABS_TICKS(due_tick(d, c.info, 0)), K_NO_WAIT);
  return 0;
}

int replay_stop(const struct device* dev) {
  ReplayData& d = data_of(dev);
  d.running = false;
  k_timer_stop(&d.timer);
  return 0;
}

uint64_t replay_frames_past_end(const struct device* dev) {
  return data_of(dev).past_end;
}

int replay_init(const struct device* dev) {
  const ReplayConfig& c = config_of(dev);
  ReplayData& d = data_of(dev);
  d.dev = dev;
  k_timer_init(&d.timer, &on_block, nullptr);
  // A recording of whole frames, and blocks a ring can take.
  if (c.info.rate_hz == 0 || c.info.values_per_frame == 0 || c.info.block_frames == 0) return -EINVAL;
  if (static_cast<size_t>(c.end - c.begin) % c.info.values_per_frame != 0) return -EINVAL;
  return 0;
}

const SensorStreamApi kReplayApi = {&replay_info, &replay_start, &replay_stop, &replay_frames_past_end};

}  // namespace
}  // namespace chorus::zephyr

#define CHORUS_REPLAY_SYMBOL(n) DT_INST_STRING_TOKEN(n, data_symbol)
#define CHORUS_REPLAY_DEFINE(n)                                                                                          \
  extern "C" const int16_t CHORUS_REPLAY_SYMBOL(n)[];                                                                    \
  extern "C" const int16_t UTIL_CAT(CHORUS_REPLAY_SYMBOL(n), _end)[];                                                    \
  static const chorus::zephyr::ReplayConfig chorus_replay_config_##n = {                                                 \
      CHORUS_REPLAY_SYMBOL(n),                                                                                           \
      UTIL_CAT(CHORUS_REPLAY_SYMBOL(n), _end),                                                                           \
      {DT_INST_PROP(n, sensor_type), DT_INST_PROP(n, sample_rate), DT_INST_PROP(n, values_per_frame),                   \
       DT_INST_PROP(n, block_frames)},                                                                                   \
      DT_INST_PROP(n, loop)};                                                                                            \
  static chorus::zephyr::ReplayData chorus_replay_data_##n;                                                              \
  DEVICE_DT_INST_DEFINE(n, &chorus::zephyr::replay_init, nullptr, &chorus_replay_data_##n, &chorus_replay_config_##n,     \
                        POST_KERNEL, CONFIG_KERNEL_INIT_PRIORITY_DEVICE, &chorus::zephyr::kReplayApi);

DT_INST_FOREACH_STATUS_OKAY(CHORUS_REPLAY_DEFINE)
