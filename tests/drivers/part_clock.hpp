// The time of a part model (its now_ns), as the os::Clock a driver measures services by.
#pragma once

#include <cstdint>

#include "chorus/module/os/clock.hpp"

namespace chorus::drivers {

class PartClock final : public os::Clock {
 public:
  explicit PartClock(const uint64_t& now_ns) : now_ns_(now_ns) {}
  os::TimeNs now() const override { return now_ns_; }

 private:
  const uint64_t& now_ns_;
};

}  // namespace chorus::drivers
