// `chorus listen --pipeline kws_ref` on real Speech Commands v0.02 test clips
// (tests/data/speech_commands, CC BY 4.0): every score equals what TFLM's reference kernels
// give on the same features (tools/oracles/kws_ref_scores.sh), the features equal the NumPy
// transcription of MLPerf Tiny's front end to within one step, and the summary's accuracy
// and confusion follow from the folders and TFLM's labels.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "support/cli_runner.hpp"
#include "support/golden.hpp"

namespace chorus::test {
namespace {

const char* const kLabels[] = {"down", "go", "left", "no", "off", "on", "right", "stop", "up", "yes", "silence", "unknown"};
std::string clips_dir() { return std::string(CHORUS_SOURCE_DIR) + "/tests/data/speech_commands/clips"; }

struct OracleRow {
  std::vector<int> scores;
  std::string truth;  // from the folder
};

// tests/data/speech_commands/kws_ref_tflm.csv: relative path -> TFLM's scores.
std::map<std::string, OracleRow> read_oracle() {
  std::map<std::string, OracleRow> rows;
  std::ifstream in(std::string(CHORUS_SOURCE_DIR) + "/tests/data/speech_commands/kws_ref_tflm.csv");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#' || line.rfind("file,", 0) == 0) continue;
    std::stringstream ss(line);
    std::string file, cell;
    std::getline(ss, file, ',');
    OracleRow row;
    while (std::getline(ss, cell, ',')) row.scores.push_back(std::stoi(cell));
    std::string folder = file.substr(0, file.find('/'));
    if (folder.front() == '_') folder = folder.substr(1, folder.size() - 2);
    row.truth = folder;
    rows[file] = row;
  }
  return rows;
}

// The value of "key":... in a compact JSON line (strings without escapes, arrays of ints).
std::string json_field(const std::string& line, const std::string& key) {
  const size_t k = line.find("\"" + key + "\":");
  if (k == std::string::npos) return "";
  size_t v = k + key.size() + 3;
  if (line[v] == '"') return line.substr(v + 1, line.find('"', v + 1) - v - 1);
  if (line[v] == '[') return line.substr(v + 1, line.find(']', v) - v - 1);
  return line.substr(v, line.find_first_of(",}", v) - v);
}

TEST(ListenKwsRef, ScoresOnRealClipsEqualTflmsAndTheSummaryFollowsFromTheFolders) {
  const std::map<std::string, OracleRow> oracle = read_oracle();
  ASSERT_EQ(oracle.size(), 24u) << "tests/data/speech_commands/kws_ref_tflm.csv";
  CliRun r = run_cli_split(CHORUS_CLI, "listen --pipeline kws_ref --json " + clips_dir(), ::testing::TempDir() + "kws_ref.err");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::stringstream out(r.out);
  std::string line;
  size_t files = 0, scores = 0, right = 0;
  std::map<std::string, std::map<std::string, int>> confusion;
  while (std::getline(out, line)) {
    const std::string file = json_field(line, "file");
    ASSERT_EQ(file.rfind(clips_dir() + "/", 0), 0u) << line;
    const std::string rel = file.substr(clips_dir().size() + 1);
    auto row = oracle.find(rel);
    ASSERT_NE(row, oracle.end()) << rel;
    std::vector<int> got;
    std::stringstream cells(json_field(line, "scores"));
    std::string cell;
    while (std::getline(cells, cell, ',')) got.push_back(std::stoi(cell));
    EXPECT_EQ(got, row->second.scores) << rel;
    scores += got.size();
    // The label is the first of the highest scores.
    size_t best = 0;
    for (size_t i = 1; i < row->second.scores.size(); ++i)
      if (row->second.scores[i] > row->second.scores[best]) best = i;
    EXPECT_EQ(json_field(line, "label"), kLabels[best]) << rel;
    ++confusion[row->second.truth][kLabels[best]];
    right += row->second.truth == kLabels[best];
    ++files;
  }
  EXPECT_EQ(files, 24u);
  EXPECT_EQ(scores, 24u * 12);
  std::printf("[ oracle   ] kws_ref on %zu real clips: %zu scores equal TFLM's\n", files, scores);
  char accuracy[96];
  std::snprintf(accuracy, sizeof accuracy, "accuracy: %.2f%% (%zu of 24 labelled files)\n", 100.0 * static_cast<double>(right) / 24.0,
                right);
  EXPECT_NE(r.err.find(accuracy), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("chorus listen: kws_ref: 24 files heard, 0 could not be\n"), std::string::npos) << r.err;
  // The confusion row of "on", for one: its two cells as the oracle's labels give them.
  std::string on_row = "on       ";  // the label, padded to 9
  for (const char* heard : kLabels) {
    char cell[16];
    std::snprintf(cell, sizeof cell, " %7d", confusion["on"][heard]);
    on_row += cell;
  }
  EXPECT_NE(r.err.find(on_row), std::string::npos) << on_row << "\n" << r.err;
}

TEST(ListenKwsRef, FeaturesEqualTheNumpyTranscriptionWithinOneStep) {
  const std::string dir = ::testing::TempDir() + "kws_ref_features";
  CliRun r = run_cli(CHORUS_CLI, "listen --pipeline kws_ref --features-out " + dir + " " + clips_dir());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  // kws_ref_model's input quantisation: scale 0.584702909, zero point 83 (`chorus info`).
  CliRun cmp = run_command(std::string(CHORUS_PYTHON) + " " + CHORUS_SOURCE_DIR + "/tools/reference/mfcc_compare.py 0.584702909 83 " +
                           clips_dir() + " " + dir + " 2>&1");
  ASSERT_EQ(cmp.exit_code, 0) << cmp.out;
  EXPECT_NE(cmp.out.find("clips: 24 (0 missing)"), std::string::npos) << cmp.out;
  EXPECT_NE(cmp.out.find("int8 features compared: 11760"), std::string::npos) << cmp.out;
  // Float32 in a different order of operations may land a value on the other side of a
  // truncation boundary: at most one step (on the 4,890 clips of the whole set, 4 of
  // 2,396,100 features differ, by one).
  const size_t largest = cmp.out.find("largest difference: ");
  ASSERT_NE(largest, std::string::npos) << cmp.out;
  EXPECT_LE(std::stoi(cmp.out.substr(largest + 20)), 1) << cmp.out;
  std::printf("[ MFCC     ] %s", cmp.out.c_str());
}

}  // namespace
}  // namespace chorus::test
