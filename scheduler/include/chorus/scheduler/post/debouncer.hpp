// Gesture post-processing: a class is reported once it has been the top class, above a
// confidence threshold, for `hold` consecutive windows; the same class is not reported
// again until another class (or the background class) has been seen. Fixed size.
#pragma once

#include <cstdint>

namespace chorus::sched {

struct DebounceConfig {
  uint32_t hold = 2;           // consecutive windows
  int32_t threshold = 160;     // on the 0..255 scale (int8 score + 128)
  int32_t background = -1;     // the "nothing" class, never reported (-1: none)
  // After a report, nothing more is reported until the background class has led for `rearm`
  // consecutive windows: the hand's return after a gesture (a push withdrawn, a swipe's arm
  // lowered) is not a gesture of its own. 0: off. Needs a background class.
  uint32_t rearm = 0;
};

class Debouncer {
 public:
  Debouncer() = default;
  explicit Debouncer(const DebounceConfig& config) : config_(config) {}
  // Returns the class to report for this window's scores, or -1.
  int32_t add(const int8_t* scores, uint32_t classes);
  void reset() {
    candidate_ = reported_ = -1;
    run_ = quiet_ = 0;
    waiting_ = false;
  }
  // True between a report and the re-arming (DebounceConfig::rearm).
  bool waiting() const { return waiting_; }

 private:
  DebounceConfig config_;
  int32_t candidate_ = -1;
  uint32_t run_ = 0;
  int32_t reported_ = -1;
  uint32_t quiet_ = 0;
  bool waiting_ = false;
};

}  // namespace chorus::sched
