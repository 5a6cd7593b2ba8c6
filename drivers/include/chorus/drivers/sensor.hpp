// The sensor device API, shaped like Zephyr's (include/zephyr/drivers/sensor.h): a device is
// a name, a table of operations and the driver's state. Polled sensors answer
// sample_fetch/channel_get with fixed-point SensorValues; high-rate sensors (microphones,
// radars, accelerometer FIFOs) stream into a RingBuffer and hand out a SampleSource.
// Hardware and simulated drivers fill the same table, so an application cannot tell them
// apart. An operation a driver leaves null answers kUnsupported with the device's name.
#pragma once

#include <cstddef>
#include <cstdint>

#include "chorus/module/sample_source.hpp"
#include "chorus/module/status.hpp"

namespace chorus::drivers {

// Zephyr's struct sensor_value: the value is val1 + val2 * 1e-6, both parts carrying the
// value's sign (-1.5 is {-1, -500000}).
struct SensorValue {
  int32_t val1 = 0;
  int32_t val2 = 0;
};

constexpr SensorValue sensor_value_from_micro(int64_t micro) {
  return SensorValue{static_cast<int32_t>(micro / 1000000), static_cast<int32_t>(micro % 1000000)};
}
constexpr int64_t sensor_value_to_micro(SensorValue v) {
  return static_cast<int64_t>(v.val1) * 1000000 + v.val2;
}
constexpr SensorValue sensor_value_from_int(int64_t whole) { return sensor_value_from_micro(whole * 1000000); }

// Standard gravity in micro-m/s^2 (Zephyr's SENSOR_G); accelerations are reported in m/s^2.
constexpr int64_t kStandardGravityMicro = 9806650;
constexpr SensorValue sensor_value_from_milli_g(int32_t milli_g) {
  return sensor_value_from_micro(static_cast<int64_t>(milli_g) * kStandardGravityMicro / 1000);
}
// Rounded to the nearest milli-g.
constexpr int32_t sensor_value_to_milli_g(SensorValue v) {
  const int64_t scaled = sensor_value_to_micro(v) * 1000;
  const int64_t half = kStandardGravityMicro / 2;
  return static_cast<int32_t>((scaled + (scaled < 0 ? -half : half)) / kStandardGravityMicro);
}

// Units follow Zephyr: acceleration in m/s^2, temperature in degrees Celsius.
enum class SensorChannel : uint8_t {
  kAccelX,
  kAccelY,
  kAccelZ,
  kAccelXyz,  // three values: x, y, z
  kDieTemp,
  kAll,  // sample_fetch only: every channel the device has
};

// Units follow Zephyr where it has the attribute: sampling frequency in Hz, full scale in
// the channel's unit (m/s^2 for acceleration). The rest are Chorus's own.
enum class SensorAttribute : uint8_t {
  kSamplingFrequency,
  kFullScale,
  kFifoWatermark,  // samples per FIFO interrupt
  kSelfTest,       // set with val1 = 1 to run the device's self-test
  kGainShift,      // microphones: bits of digital gain before truncation to 16 bits
};

const char* sensor_channel_name(SensorChannel channel);
const char* sensor_attribute_name(SensorAttribute attribute);

struct SensorDevice;

// The operations table (Zephyr's struct sensor_driver_api plus the streaming calls). A
// driver fills it by field name, as Zephyr's DEVICE_API(sensor, ...) does with designated
// initialisers (C++17 has none: a lambda sets the fields it offers, the rest stay null):
//   const SensorDriverApi Mine::kApi = [] { SensorDriverApi api{}; api.attr_get = get; return api; }();
struct SensorDriverApi {
  Status (*sample_fetch)(const SensorDevice& dev, SensorChannel channel);
  // Writes `count` values (3 for kAccelXyz, else 1).
  Status (*channel_get)(const SensorDevice& dev, SensorChannel channel, SensorValue* values, size_t count);
  Status (*attr_set)(const SensorDevice& dev, SensorChannel channel, SensorAttribute attribute, const SensorValue& value);
  Status (*attr_get)(const SensorDevice& dev, SensorChannel channel, SensorAttribute attribute, SensorValue* value);
  Status (*stream_start)(const SensorDevice& dev);
  Status (*stream_stop)(const SensorDevice& dev);
  SampleSource* (*stream_source)(const SensorDevice& dev);
};

// Zephyr's struct device, reduced to what a sensor needs.
struct SensorDevice {
  const char* name = "";
  const SensorDriverApi* api = nullptr;
  void* data = nullptr;  // the driver instance

  template <class Driver>
  Driver& driver() const {
    return *static_cast<Driver*>(data);
  }
};

Status sensor_sample_fetch(const SensorDevice& dev, SensorChannel channel = SensorChannel::kAll);
Status sensor_channel_get(const SensorDevice& dev, SensorChannel channel, SensorValue* values, size_t count);
Status sensor_attr_set(const SensorDevice& dev, SensorChannel channel, SensorAttribute attribute, const SensorValue& value);
Status sensor_attr_get(const SensorDevice& dev, SensorChannel channel, SensorAttribute attribute, SensorValue* value);
Status sensor_stream_start(const SensorDevice& dev);
Status sensor_stream_stop(const SensorDevice& dev);
// Null when the device does not stream.
SampleSource* sensor_stream_source(const SensorDevice& dev);

// Values needed for a channel_get of `channel` (3 for kAccelXyz).
constexpr size_t sensor_channel_values(SensorChannel channel) { return channel == SensorChannel::kAccelXyz ? 3 : 1; }

}  // namespace chorus::drivers
