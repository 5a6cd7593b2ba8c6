#include "chorus/drivers/sim/gesture.hpp"

#include <cmath>

#include "chorus/drivers/sim/random.hpp"

namespace chorus::drivers::sim {

namespace {

constexpr double kTwoPi = 6.283185307179586;

// Minimum-jerk-like ease from 0 to 1 with zero velocity at both ends.
double ease(double u) {
  u = u < 0.0 ? 0.0 : (u > 1.0 ? 1.0 : u);
  return u - std::sin(kTwoPi * u) / kTwoPi;
}

Vec3 lerp(const Vec3& a, const Vec3& b, double s) { return Vec3{a.x + (b.x - a.x) * s, a.y + (b.y - a.y) * s, a.z + (b.z - a.z) * s}; }

// Where the hand rests out of the stroke: lowered and drawn back (arm down by the body).
const Vec3 kRest{0.0, -0.18, 0.15};

}  // namespace

const char* gesture_name(Gesture gesture) {
  switch (gesture) {
    case Gesture::kNothing: return "nothing";
    case Gesture::kPush: return "push";
    case Gesture::kSwipeLeft: return "swipe_left";
    case Gesture::kSwipeRight: return "swipe_right";
    case Gesture::kSwipeUp: return "swipe_up";
    case Gesture::kSwipeDown: return "swipe_down";
  }
  return "unknown";
}

double nominal_extent_m(Gesture gesture) {
  switch (gesture) {
    case Gesture::kPush: return 0.30;
    case Gesture::kSwipeLeft:
    case Gesture::kSwipeRight:
    case Gesture::kSwipeUp:
    case Gesture::kSwipeDown: return 0.35;
    case Gesture::kNothing: return 0.0;
  }
  return 0.0;
}

Vec3 gesture_offset(Gesture gesture, const GestureParams& p, double u) {
  const double s = ease(u);
  double e = p.extent_m;
  Vec3 o;
  switch (gesture) {
    case Gesture::kNothing: break;
    case Gesture::kPush:
      if (e > p.distance_m - 0.06) e = p.distance_m - 0.06;
      o.z = -(e > 0.0 ? e : 0.0) * s;
      break;
    case Gesture::kSwipeLeft: o.x = e * (0.5 - s); break;
    case Gesture::kSwipeRight: o.x = e * (s - 0.5); break;
    case Gesture::kSwipeUp: o.y = e * (s - 0.5); break;
    case Gesture::kSwipeDown: o.y = e * (0.5 - s); break;
  }
  return o;
}

bool hand_offset(Gesture gesture, const GestureParams& p, double t, Vec3* offset) {
  if (gesture == Gesture::kNothing && !p.hand_present) return false;
  const double stroke_end = p.duration_s, hold_end = stroke_end + p.hold_s, gone = hold_end + p.return_s;
  if (t < -p.approach_s || t > gone) return false;
  const Vec3 start = gesture_offset(gesture, p, 0.0), end = gesture_offset(gesture, p, 1.0);
  if (t < 0.0) {
    // Raised from rest to the stroke's start.
    *offset = lerp(Vec3{start.x + kRest.x, start.y + kRest.y, start.z + kRest.z}, start, ease((t + p.approach_s) / p.approach_s));
  } else if (t < stroke_end) {
    *offset = gesture_offset(gesture, p, t / p.duration_s);
  } else if (t < hold_end) {
    *offset = end;
  } else {
    // Lowered back to rest from where the stroke ended (a push withdraws along the boresight first).
    const double u = p.return_s > 0.0 ? ease((t - hold_end) / p.return_s) : 1.0;
    const Vec3 back = gesture == Gesture::kPush ? Vec3{start.x + kRest.x, start.y + kRest.y, start.z + kRest.z}
                                                 : Vec3{end.x + kRest.x, end.y + kRest.y, end.z + kRest.z};
    *offset = lerp(end, back, u);
  }
  return true;
}

GestureRanges GestureRanges::training() {
  GestureRanges r{};
  r = GestureRanges{{0.15, 0.50}, {0.30, 0.65}, {0.06, 0.20}, {-30.0, 30.0}, {-25.0, 25.0}, {0.15, 0.60},
                    {0.7, 1.3},   {10.0, 30.0}, {0.15, 0.50}, {0.00, 0.50},  {0.30, 0.90}};
  return r;
}

GestureRanges GestureRanges::held_out() {
  return GestureRanges{{0.50, 0.65}, {0.65, 0.80}, {0.20, 0.30}, {30.0, 40.0}, {25.0, 30.0}, {0.08, 0.15},
                       {1.3, 1.5},   {3.0, 10.0},  {0.50, 0.70}, {0.50, 0.80}, {0.90, 1.20}};
}

GestureParams sample_gesture_params(Gesture gesture, const GestureRanges& r, uint64_t seed, uint64_t index) {
  const uint64_t base = 0x6765737475726500ull + static_cast<uint64_t>(gesture) * 16;
  GestureParams p;
  if (gesture == Gesture::kPush) {
    p.distance_m = random_between(seed, base + 0, index, r.push_distance_m[0], r.push_distance_m[1]);
    const double end = random_between(seed, base + 4, index, r.push_end_m[0], r.push_end_m[1]);
    p.extent_m = p.distance_m - end > 0.05 ? p.distance_m - end : 0.05;
  } else {
    p.distance_m = random_between(seed, base + 0, index, r.distance_m[0], r.distance_m[1]);
    p.extent_m = nominal_extent_m(gesture) * random_between(seed, base + 4, index, r.extent_scale[0], r.extent_scale[1]);
  }
  p.azimuth_deg = random_between(seed, base + 1, index, r.azimuth_deg[0], r.azimuth_deg[1]);
  p.elevation_deg = random_between(seed, base + 2, index, r.elevation_deg[0], r.elevation_deg[1]);
  p.duration_s = random_between(seed, base + 3, index, r.duration_s[0], r.duration_s[1]);
  p.snr_db = random_between(seed, base + 5, index, r.snr_db[0], r.snr_db[1]);
  p.approach_s = random_between(seed, base + 6, index, r.approach_s[0], r.approach_s[1]);
  p.hold_s = random_between(seed, base + 8, index, r.hold_s[0], r.hold_s[1]);
  p.return_s = random_between(seed, base + 9, index, r.return_s[0], r.return_s[1]);
  p.hand_present = random_uniform(seed, base + 7, index) < 0.6;
  return p;
}

}  // namespace chorus::drivers::sim
