// `chorus listen --pipeline vibration`: learn a machine's normal running from its first
// seconds, then score and alarm. The machine here is written down in closed form -- a
// shaft line and broadband noise; the fault adds the impacts of an outer-race defect (a
// decaying 3 kHz ring at 107 per second, Randall, "Vibration-based Condition Monitoring",
// ch. 5) -- so what must alarm and what must not is known without running Chorus. The
// figures on real bearing recordings are in the closing notes and the model card.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "chorus/tools/file.hpp"
#include "support/cli_runner.hpp"
#include "support/npy_writer.hpp"

namespace chorus::test {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kRate = 12000.0;

std::string dir(const std::string& name) {
  const std::string d = ::testing::TempDir() + "chorus_vibration/" + name;
  EXPECT_EQ(std::system(("mkdir -p " + d).c_str()), 0);
  return d;
}

// A float32 .npy of shape (n) or (n, axes).
void write_npy(const std::string& path, const std::vector<float>& v, size_t axes) {
  std::string error;
  const std::vector<size_t> shape = axes == 1 ? std::vector<size_t>{v.size()} : std::vector<size_t>{v.size() / axes, axes};
  ASSERT_TRUE(test::write_npy(path, "<f4", shape, v.data(), v.size() * 4, &error)) << error;
}

// `seconds` of the machine in g from `start_s`; `fault` adds the outer-race impacts.
std::vector<float> machine(double start_s, double seconds, bool fault, uint32_t seed, size_t axes = 1) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> noise(0.0, 0.02);
  const size_t n = static_cast<size_t>(seconds * kRate);
  std::vector<float> v(n * axes);
  for (size_t i = 0; i < n; ++i) {
    const double t = start_s + static_cast<double>(i) / kRate;
    for (size_t a = 0; a < axes; ++a) {
      double x = 0.05 * std::sin(2.0 * kPi * 29.95 * t + static_cast<double>(a)) + noise(rng);
      if (fault) {
        const double since = std::fmod(t, 1.0 / 107.4);  // time since the last impact
        x += 0.3 * std::exp(-since * 800.0) * std::sin(2.0 * kPi * 3000.0 * since);
      }
      v[i * axes + a] = static_cast<float>(x);
    }
  }
  return v;
}

struct Line {
  std::string file;
  double score = 0.0;
  bool alarm = false;
};

std::vector<Line> parse(const std::string& out) {
  std::vector<Line> lines;
  std::stringstream ss(out);
  std::string l;
  while (std::getline(ss, l)) {
    Line x;
    const size_t f = l.find("\"file\":\"");
    if (f == std::string::npos) continue;
    x.file = l.substr(f + 8, l.find('"', f + 8) - f - 8);
    const size_t s = l.find("\"score\":");
    if (s != std::string::npos) x.score = std::stod(l.substr(s + 8));
    x.alarm = l.find("\"alarm\":true") != std::string::npos;
    lines.push_back(x);
  }
  return lines;
}

TEST(ListenVibration, LearnsNormalThenAlarmsOnTheFaultAndNeverOnNormal) {
  const std::string learn = dir("learn"), test = dir("test");
  ASSERT_EQ(std::system(("mkdir -p " + test + "/normal " + test + "/fault").c_str()), 0);
  write_npy(learn + "/first.npy", machine(0.0, 4.0, false, 1), 1);
  for (int k = 0; k < 3; ++k) {
    write_npy(test + "/normal/n" + std::to_string(k) + ".npy", machine(10.0 + 3.0 * k, 3.0, false, 10 + k), 1);
    write_npy(test + "/fault/f" + std::to_string(k) + ".npy", machine(20.0 + 3.0 * k, 3.0, true, 20 + k), 1);
  }
  const std::string profile = ::testing::TempDir() + "chorus_vibration/machine.profile";
  std::remove(profile.c_str());
  CliRun r = run_cli_split(CHORUS_CLI,
                           "listen --pipeline vibration --json --rate 12000 --learn " + learn + " --learn-seconds 4 --profile " +
                               profile + " " + test,
                           ::testing::TempDir() + "vibration.err");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<Line> lines = parse(r.out);
  ASSERT_EQ(lines.size(), 6u) << r.out;
  double worst_normal = 0.0, mildest_fault = 1e30;
  for (const Line& l : lines) {
    const bool fault = l.file.find("/fault/") != std::string::npos;
    EXPECT_EQ(l.alarm, fault) << l.file;
    (fault ? mildest_fault : worst_normal) = fault ? std::min(mildest_fault, l.score) : std::max(worst_normal, l.score);
  }
  EXPECT_LT(worst_normal, mildest_fault);
  // 4 s at 12 kHz: 2 s of 640-sample windows for the statistics (37), 2 s of 0.5 s
  // decisions for the threshold (4); summary from the folders.
  EXPECT_NE(r.err.find("learnt 4.0 s of normal running at 12000 Hz, 1 axes: 37 windows, 4 decisions"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("ROC AUC: 1.0000 (3 normal, 3 anomalous files)"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("alarms: 0 of 3 normal files (false alarms), 3 of 3 anomalous files"), std::string::npos) << r.err;

  // The saved profile gives the same results without learning again.
  CliRun again = run_cli_split(CHORUS_CLI, "listen --pipeline vibration --json --rate 12000 --profile " + profile + " " + test,
                               ::testing::TempDir() + "vibration2.err");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.out, r.out);
}

// Three axes in a CSV in milli-g with a header, columns in another order and a time
// column: learnt and heard through --axes and --units.
TEST(ListenVibration, ThreeAxisCsvInMilliG) {
  const std::string d = dir("csv");
  auto write_csv = [&](const std::string& name, const std::vector<float>& v) {
    std::string text = "time,z,x,y\n";
    char row[128];
    for (size_t i = 0; i < v.size() / 3; ++i) {
      std::snprintf(row, sizeof row, "%.6f,%.4f,%.4f,%.4f\n", static_cast<double>(i) / kRate, 1000.0 * v[3 * i + 2], 1000.0 * v[3 * i],
                    1000.0 * v[3 * i + 1]);
      text += row;
    }
    std::string error;
    ASSERT_TRUE(tools::write_file(d + "/" + name, reinterpret_cast<const uint8_t*>(text.data()), text.size(), &error)) << error;
  };
  write_csv("learn.csv", machine(0.0, 2.0, false, 3, 3));
  write_csv("normal.csv", machine(5.0, 2.0, false, 4, 3));
  write_csv("fault.csv", machine(9.0, 2.0, true, 5, 3));
  CliRun r = run_cli_split(CHORUS_CLI,
                           "listen --pipeline vibration --json --rate 12000 --units mg --axes x,y,z --learn " + d +
                               "/learn.csv --learn-seconds 2 " + d + "/normal.csv " + d + "/fault.csv",
                           ::testing::TempDir() + "vibration_csv.err");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("at 12000 Hz, 3 axes"), std::string::npos) << r.err;
  const std::vector<Line> lines = parse(r.out);
  ASSERT_EQ(lines.size(), 2u) << r.out;
  EXPECT_FALSE(lines[0].alarm) << r.out;
  EXPECT_TRUE(lines[1].alarm) << r.out;
}

TEST(ListenVibration, ClearErrors) {
  const std::string d = dir("errors");
  write_npy(d + "/one.npy", machine(0.0, 3.0, false, 1), 1);
  write_npy(d + "/short.npy", machine(0.0, 0.3, false, 1), 1);
  CliRun none = run_cli(CHORUS_CLI, "listen --pipeline vibration --rate 12000 " + d + "/one.npy");
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_NE(none.out.find("learns this machine's normal first: give --learn PATH"), std::string::npos) << none.out;
  CliRun seconds = run_cli(CHORUS_CLI, "listen --pipeline vibration --rate 12000 --learn-seconds 1 --learn " + d + "/one.npy x.npy");
  EXPECT_EQ(seconds.exit_code, 2);
  EXPECT_NE(seconds.out.find("--learn-seconds 1: from 2 to 60"), std::string::npos) << seconds.out;
  CliRun too_little = run_cli(CHORUS_CLI, "listen --pipeline vibration --rate 12000 --learn-seconds 10 --learn " + d + "/one.npy x.npy");
  EXPECT_EQ(too_little.exit_code, 1);
  EXPECT_NE(too_little.out.find("--learn: 3.000000 s of recordings, --learn-seconds asks for 10"), std::string::npos) << too_little.out;
  CliRun no_rate = run_cli(CHORUS_CLI, "listen --pipeline vibration --learn " + d + "/one.npy x.npy");
  EXPECT_NE(no_rate.out.find("no sample rate: give --rate HZ"), std::string::npos) << no_rate.out;
  // Learnt at 12 kHz, heard at 8 kHz: refused, not upsampled. A file under 0.5 s: refused.
  CliRun slower = run_cli(CHORUS_CLI, "listen --pipeline vibration --rate 12000 --learn-seconds 2 --learn " + d + "/one.npy " + d +
                                          "/short.npy");
  EXPECT_EQ(slower.exit_code, 1);
  EXPECT_NE(slower.out.find("short.npy: shorter than one decision (0.5 s)"), std::string::npos) << slower.out;
  CliRun wrong = run_cli(CHORUS_CLI, "listen --learn " + d + "/one.npy " + d + "/one.npy");
  EXPECT_EQ(wrong.exit_code, 2);
  EXPECT_NE(wrong.out.find("--learn, --learn-seconds and --profile are for --pipeline vibration"), std::string::npos) << wrong.out;
}

}  // namespace
}  // namespace chorus::test
