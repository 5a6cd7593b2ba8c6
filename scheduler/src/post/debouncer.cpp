#include "chorus/scheduler/post/debouncer.hpp"

namespace chorus::sched {

int32_t Debouncer::add(const int8_t* scores, uint32_t classes) {
  int32_t best = -1, best_score = -1;
  for (uint32_t c = 0; c < classes; ++c) {
    const int32_t s = scores[c] + 128;
    if (s > best_score) {
      best_score = s;
      best = static_cast<int32_t>(c);
    }
  }
  if (waiting_) {
    quiet_ = best >= 0 && best == config_.background ? quiet_ + 1 : 0;
    if (quiet_ < config_.rearm) return -1;
    waiting_ = false;
  }
  if (best < 0 || best == config_.background || best_score < config_.threshold) {
    candidate_ = -1;
    run_ = 0;
    reported_ = -1;  // a pause re-arms every class
    return -1;
  }
  if (best == candidate_) {
    ++run_;
  } else {
    candidate_ = best;
    run_ = 1;
  }
  if (run_ >= config_.hold && reported_ != best) {
    reported_ = best;
    if (config_.rearm > 0 && config_.background >= 0) {
      waiting_ = true;
      quiet_ = 0;
      candidate_ = -1;
      run_ = 0;
    }
    return best;
  }
  return -1;
}

}  // namespace chorus::sched
