// `chorus listen --pipeline gesture` on radar cubes in the Infineon 60 GHz gesture set's
// layout (NPY frames x rx x chirps x samples of 12-bit counts): the cube is reordered into
// the front end's frame layout, the events come with their times, and the folder or file
// name gives the truth for the summary. The cubes are rendered by Chorus's radar simulator
// (a push 1 s in, then a still scene), whose frames reach the front end unchanged through a
// ring in the multi-model sample: the same gesture must come out once, at the same time, from
// the file as from that path (samples' GestureRecognition reports it there). Real-recording
// figures are in the gesture model card.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "chorus/drivers/sim/radar_simulator.hpp"
#include "chorus/runtime/dsp/radar_gesture_features.hpp"
#include "chorus/tools/file.hpp"
#include "support/cli_runner.hpp"
#include "support/npy_writer.hpp"

namespace chorus::test {
namespace {

namespace sim = drivers::sim;

// A cube of `frames` frames with `gesture` starting at `start_s`, in NPY order
// (frame, rx, chirp, sample), int16.
std::vector<int16_t> cube(sim::Gesture gesture, double start_s, size_t frames, std::vector<size_t>* shape) {
  sim::RadarSimConfig c;  // the BGT60TR13C default: 64 samples, 32 chirps, 3 RX, 30 frames a second
  c.seed = 5;
  std::vector<uint8_t> ring_storage(c.format.bytes() * 2);
  RingBuffer ring(Span<uint8_t>(ring_storage.data(), ring_storage.size()), c.format.bytes());
  sim::RadarSimulator radar(ring, c);
  sim::GestureEvent e;
  e.gesture = gesture;
  e.start_ns = static_cast<os::TimeNs>(start_s * 1e9);
  e.params.distance_m = 0.30;
  e.params.duration_s = 0.6;
  e.params.hand_present = true;
  EXPECT_TRUE(radar.schedule(e).is_ok());
  const size_t rx = c.format.rx_antennas, chirps = c.format.chirps_per_frame, samples = c.format.samples_per_chirp;
  std::vector<int16_t> frame(c.format.samples()), out(frames * frame.size());
  for (size_t f = 0; f < frames; ++f) {
    radar.render_frame(f, Span<int16_t>(frame.data(), frame.size()));
    for (size_t a = 0; a < rx; ++a)
      for (size_t ch = 0; ch < chirps; ++ch)
        for (size_t k = 0; k < samples; ++k) out[f * frame.size() + (a * chirps + ch) * samples + k] = frame[c.format.index(ch, k, a)];
  }
  *shape = {frames, rx, chirps, samples};
  return out;
}

void write_npy_i16(const std::string& path, const std::vector<int16_t>& v, const std::vector<size_t>& shape) {
  std::string error;
  ASSERT_TRUE(write_npy(path, "<i2", shape, v.data(), v.size() * 2, &error)) << error;
}

TEST(ListenGesture, APushInARadarCubeIsReportedOnceWithItsTime) {
  const std::string dir = ::testing::TempDir() + "chorus_gesture";
  ASSERT_EQ(std::system(("mkdir -p " + dir).c_str()), 0);
  std::vector<size_t> shape;
  write_npy_i16(dir + "/Push_e1_u1_s1.npy", cube(sim::Gesture::kPush, 1.0, 90, &shape), shape);
  write_npy_i16(dir + "/still.npy", cube(sim::Gesture::kNothing, 1.0, 90, &shape), shape);
  CliRun r = run_cli_split(CHORUS_CLI, "listen --pipeline gesture --json " + dir, ::testing::TempDir() + "gesture.err");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const size_t push = r.out.find("Push_e1_u1_s1.npy\",\"events\":[{\"t_s\":");
  ASSERT_NE(push, std::string::npos) << r.out;
  EXPECT_NE(r.out.find(",\"gesture\":\"push\"}]}", push), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("still.npy\",\"events\":[]}"), std::string::npos) << r.out;
  // The push starts at 1 s and lasts 0.6 s; it is reported while it lasts or just after
  // (4 windows of 50 ms must lead), never before it starts.
  const double t = std::stod(r.out.substr(push + std::string("Push_e1_u1_s1.npy\",\"events\":[{\"t_s\":").size()));
  EXPECT_GT(t, 1.0);
  EXPECT_LT(t, 2.2);
  EXPECT_NE(r.err.find("gestures: 1 of 1 labelled recordings reported exactly once as their gesture; 0 with none, 0 with another"),
            std::string::npos)
      << r.err;
}

TEST(ListenGesture, FeaturesOutWritesEveryFramesRowAsTheFrontEndComputesIt) {
  const std::string dir = ::testing::TempDir() + "chorus_gesture_features";
  const std::string out = ::testing::TempDir() + "chorus_gesture_features_out";
  ASSERT_EQ(std::system(("rm -rf " + dir + " " + out + " && mkdir -p " + dir + "/push").c_str()), 0);
  std::vector<size_t> shape;
  const std::vector<int16_t> frames = cube(sim::Gesture::kSwipeUp, 0.8, 60, &shape);
  write_npy_i16(dir + "/push/up.npy", frames, shape);
  CliRun r = run_cli_split(CHORUS_CLI, "listen --pipeline gesture --features-out " + out + " " + dir, ::testing::TempDir() + "gf.err");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<uint8_t> written;
  std::string error;
  ASSERT_TRUE(tools::read_file(out + "/push/up.features.bin", &written, &error)) << error;

  // The same rows from the front end directly, frame by frame (NPY order back to chirp, sample, rx).
  runtime::dsp::RadarGestureFeatures features;
  ASSERT_TRUE(features.init(runtime::dsp::RadarGestureFeatureConfig{}).is_ok());
  const size_t rx = shape[1], chirps = shape[2], samples = shape[3], per_frame = rx * chirps * samples;
  std::vector<runtime::dsp::ComplexF> work(features.cube_size());
  std::vector<int16_t> frame(per_frame);
  std::vector<int8_t> row(features.row_size()), expected;
  for (size_t f = 0; f < shape[0]; ++f) {
    for (size_t a = 0; a < rx; ++a)
      for (size_t c = 0; c < chirps; ++c)
        for (size_t k = 0; k < samples; ++k) frame[(c * samples + k) * rx + a] = frames[f * per_frame + (a * chirps + c) * samples + k];
    ASSERT_TRUE(features.compute(Span<const int16_t>(frame.data(), frame.size()), Span<runtime::dsp::ComplexF>(work.data(), work.size()),
                                 Span<int8_t>(row.data(), row.size()))
                    .is_ok());
    expected.insert(expected.end(), row.begin(), row.end());
  }
  ASSERT_EQ(expected.size(), 60u * 80u);
  ASSERT_EQ(written.size(), expected.size());
  EXPECT_EQ(std::memcmp(written.data(), expected.data(), expected.size()), 0);
  std::printf("gesture --features-out: %zu frames x %zu bytes compared\n", shape[0], features.row_size());
}

TEST(ListenGesture, CubesOfAnotherShapeAreRefused) {
  const std::string dir = ::testing::TempDir() + "chorus_gesture_bad";
  ASSERT_EQ(std::system(("mkdir -p " + dir).c_str()), 0);
  write_npy_i16(dir + "/flat.npy", std::vector<int16_t>(100, 0), {100});
  write_npy_i16(dir + "/small.npy", std::vector<int16_t>(40 * 3 * 16 * 64, 2048), {40, 3, 16, 64});
  CliRun r = run_cli(CHORUS_CLI, "listen --pipeline gesture " + dir);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("flat.npy: a radar cube is frames x rx x chirps x samples; this array has 1 dimensions"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("small.npy: the model takes"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace chorus::test
