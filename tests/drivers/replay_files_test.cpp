// CSV accelerometer replay and radar recordings: good files stream exactly the samples
// due; a bad CSV line, a truncated or oversized recording, a wrong magic or an ADC code out
// of range is refused with the file, line or frame, and byte offset.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "chorus/drivers/sim/csv_accel_replay.hpp"
#include "chorus/drivers/sim/radar_recording.hpp"
#include "chorus/drivers/sim/radar_simulator.hpp"
#include "chorus/drivers/sim/wav_microphone.hpp"

namespace chorus::drivers::sim {
namespace {

using ::testing::HasSubstr;
constexpr os::TimeNs kMs = 1000000;

std::string write_temp(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + name;
  FILE* f = std::fopen(path.c_str(), "wb");
  std::fwrite(text.data(), 1, text.size(), f);
  std::fclose(f);
  return path;
}

struct AccelRing {
  int16_t storage[3 * 64];
  RingBuffer ring{Span<uint8_t>(reinterpret_cast<uint8_t*>(storage), sizeof(storage)), 6};
};

TEST(CsvAccelReplay, StreamsMilliGExactlyAsDue) {
  AccelRing r;
  CsvAccelReplayConfig c;
  c.path = write_temp("good.csv", "x,y,z\r\n0.0, 0.0, 1.0\n# a comment\n\n0.5,-0.25,1.0\n-1e-3,2,0\n");
  c.sample_rate_hz = 100;
  CsvAccelReplay replay(r.ring, c);
  const Status s = replay.open();
  ASSERT_TRUE(s.is_ok()) << s.message();
  ASSERT_TRUE(replay.advance_to(19 * kMs).is_ok());
  EXPECT_EQ(replay.source().available(), 1u);
  ASSERT_TRUE(replay.advance_to(1000 * kMs).is_ok());
  ASSERT_EQ(replay.source().available(), 3u);
  EXPECT_TRUE(replay.finished());
  int16_t out[9];
  replay.source().peek(0, out, 3);
  EXPECT_EQ(std::vector<int16_t>(out, out + 9), (std::vector<int16_t>{0, 0, 1000, 500, -250, 1000, -1, 2000, 0}));
}

TEST(CsvAccelReplay, BadLinesNameTheFileLineAndColumn) {
  const struct {
    const char* name;
    const char* text;
    const char* message;
  } cases[] = {
      {"word.csv", "0,0,1\n0.1,abc,1\n", "word.csv:2: column 2 ('abc') is not a number"},
      {"short.csv", "x,y,z\n0,0,1\n0,0\n", "short.csv:3: expected 3 values, got 2"},
      {"empty_field.csv", "0,0,1\n0,,1\n", "empty_field.csv:2: column 2 ('') is not a number"},
      {"wide.csv", "1,2,3,4\n", "wide.csv:1: 4 columns"},
      {"big.csv", "0,0,40\n", "big.csv:1: column 3 (40) is beyond"},
      {"none.csv", "# nothing\n\n", "none.csv: no data lines"},
  };
  for (const auto& c : cases) {
    AccelRing r;
    CsvAccelReplayConfig config;
    config.path = write_temp(c.name, c.text);
    const Status s = CsvAccelReplay(r.ring, config).open();
    ASSERT_FALSE(s.is_ok()) << c.name;
    EXPECT_THAT(s.message(), HasSubstr(c.message));
  }
  Result<AccelTable> mg = parse_accel_csv("m.csv", "12,-7\n", AccelUnit::kMilliG);
  ASSERT_TRUE(mg.is_ok());
  EXPECT_EQ(mg->channels, 2);
  EXPECT_EQ(mg->samples, (std::vector<int16_t>{12, -7}));
}

RadarRecording small_recording(size_t frames) {
  RadarSimConfig c;
  c.format.samples_per_chirp = 16;
  c.format.chirps_per_frame = 4;
  c.format.rx_antennas = 2;
  c.format.frame_period_ns = 50 * kMs;
  std::vector<int16_t> storage(c.format.samples());
  RingBuffer ring(Span<uint8_t>(reinterpret_cast<uint8_t*>(storage.data()), storage.size() * 2), c.format.bytes());
  RadarSimulator sim(ring, c);
  RadarRecording rec;
  rec.format = c.format;
  rec.samples.resize(frames * c.format.samples());
  for (size_t i = 0; i < frames; ++i) {
    sim.render_frame(i, Span<int16_t>(rec.samples.data() + i * c.format.samples(), c.format.samples()));
  }
  return rec;
}

TEST(RadarRecording, RoundTripsAndReplaysExactlyTheFramesDue) {
  const RadarRecording rec = small_recording(5);
  const std::string path = ::testing::TempDir() + "session.crf";
  ASSERT_TRUE(write_radar_recording(path, rec).is_ok());
  std::vector<int16_t> storage(8 * rec.format.samples());
  RingBuffer ring(Span<uint8_t>(reinterpret_cast<uint8_t*>(storage.data()), storage.size() * 2), rec.format.bytes());
  RadarRecordingReplay replay(ring, path);
  ASSERT_TRUE(replay.open().is_ok());
  ASSERT_TRUE(replay.advance_to(149 * kMs).is_ok());
  EXPECT_EQ(replay.source().available(), 2u);
  ASSERT_TRUE(replay.advance_to(10000 * kMs).is_ok());
  ASSERT_EQ(replay.source().available(), 5u);
  std::vector<int16_t> got(5 * rec.format.samples());
  replay.source().peek(0, got.data(), 5);
  EXPECT_EQ(got, rec.samples);
}

TEST(RadarRecording, WrongSizedFramesNameTheFrameAndByte) {
  const RadarRecording rec = small_recording(3);
  const std::vector<uint8_t> good = encode_radar_recording(rec);
  const size_t frame_bytes = rec.format.bytes();  // 256
  std::vector<uint8_t> cut(good.begin(), good.end() - 10);
  EXPECT_THAT(parse_radar_recording("cut.crf", cut.data(), cut.size()).status().message(),
              HasSubstr("cut.crf: frame 2 at byte 544 has 246 of 256 bytes"));
  std::vector<uint8_t> extra = good;
  extra.push_back(0);
  extra.push_back(0);
  EXPECT_THAT(parse_radar_recording("extra.crf", extra.data(), extra.size()).status().message(),
              HasSubstr("extra.crf: 2 bytes after the last of 3 frames at byte 800"));
  std::vector<uint8_t> magic = good;
  magic[0] = 'X';
  EXPECT_THAT(parse_radar_recording("m.crf", magic.data(), magic.size()).status().message(), HasSubstr("m.crf: not a radar recording"));
  std::vector<uint8_t> code = good;
  code[32 + frame_bytes + 2 * 5 + 1] = 0x10;  // frame 1, sample 5: 0x10xx > 4095
  EXPECT_THAT(parse_radar_recording("c.crf", code.data(), code.size()).status().message(),
              HasSubstr("c.crf: frame 1 sample 5 at byte 298"));
  std::vector<uint8_t> zero = good;
  zero[6] = 0;
  zero[7] = 0;
  EXPECT_THAT(parse_radar_recording("z.crf", zero.data(), zero.size()).status().message(), HasSubstr("z.crf: header: radar frame"));
  std::vector<int16_t> storage(16 * 4 * 3);
  RingBuffer wrong(Span<uint8_t>(reinterpret_cast<uint8_t*>(storage.data()), storage.size() * 2), 16 * 4 * 3 * 2);
  const std::string path = ::testing::TempDir() + "three.crf";
  ASSERT_TRUE(write_radar_recording(path, rec).is_ok());
  EXPECT_THAT(RadarRecordingReplay(wrong, path).open().message(), HasSubstr("frames are 256 bytes, the ring's are 384"));
}

}  // namespace
}  // namespace chorus::drivers::sim

namespace chorus::drivers::sim {
namespace {

// A consumer that falls behind: it drains the ring, then stops reading for `stall` frames'
// time (1, 2, 3 and many ring-fulls beyond what fits), then drains again. Every frame the
// source produced is either delivered or counted, exactly: the ring keeps the first
// `capacity` frames of the stall and counts the rest.
void expect_every_dropped_frame_counted(SimulatedSensor& sensor, SampleSource& source, size_t capacity, os::TimeNs period,
                                        const char* what) {
  for (uint64_t extra_rings : {1u, 2u, 3u, 25u}) {
    const uint64_t lost_before = source.overrun_frames();
    const uint64_t produced_before = sensor.frames_produced();
    source.consume(source.available());
    const uint64_t stall = (extra_rings + 1) * capacity;
    const os::TimeNs start = static_cast<os::TimeNs>(produced_before) * period;
    for (uint64_t f = 1; f <= stall; f += 7) ASSERT_TRUE(sensor.advance_to(start + f * period + period / 2).is_ok());
    ASSERT_TRUE(sensor.advance_to(start + stall * period + period / 2).is_ok());
    const uint64_t produced = sensor.frames_produced() - produced_before;
    EXPECT_EQ(produced, stall) << what;
    EXPECT_EQ(source.available(), capacity) << what;
    EXPECT_EQ(source.overrun_frames() - lost_before, extra_rings * capacity) << what << " " << extra_rings;
  }
}

TEST(ReplaySources, EveryFrameAConsumerMissesIsCounted) {
  {
    int16_t storage[3 * 16];
    RingBuffer ring{Span<uint8_t>(reinterpret_cast<uint8_t*>(storage), sizeof(storage)), 6};
    CsvAccelReplayConfig c;
    c.path = write_temp("loop.csv", "0,0,1\n0.5,0,1\n0,0.5,1\n");
    c.sample_rate_hz = 100;
    c.loop = true;
    CsvAccelReplay replay(ring, c);
    ASSERT_TRUE(replay.open().is_ok());
    expect_every_dropped_frame_counted(replay, replay.source(), 16, 10 * kMs, "csv");
  }
  {
    const RadarRecording rec = small_recording(3);
    const std::string path = ::testing::TempDir() + "loop.crf";
    ASSERT_TRUE(write_radar_recording(path, rec).is_ok());
    std::vector<int16_t> storage(4 * rec.format.samples());
    RingBuffer ring(Span<uint8_t>(reinterpret_cast<uint8_t*>(storage.data()), storage.size() * 2), rec.format.bytes());
    RadarRecordingReplay replay(ring, path, true);
    ASSERT_TRUE(replay.open().is_ok());
    expect_every_dropped_frame_counted(replay, replay.source(), 4, rec.format.frame_period_ns, "radar recording");
  }
  {
    int16_t storage[256];
    RingBuffer ring{Span<uint8_t>(reinterpret_cast<uint8_t*>(storage), sizeof(storage)), 2};
    WavMicrophoneConfig c;
    c.path = std::string(CHORUS_SHARED_DIR) + "/data/yes_1000ms.wav";
    c.loop = true;
    WavMicrophone mic(ring, c);
    ASSERT_TRUE(mic.open().is_ok()) << c.path << " (../shared/data)";
    expect_every_dropped_frame_counted(mic, mic.source(), 256, 62500, "wav");
  }
}

}  // namespace
}  // namespace chorus::drivers::sim
