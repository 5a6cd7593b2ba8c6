// Hand gestures for the radar simulator: kinds, their parameters, the hand's whole motion, and
// the parameter ranges models are trained and evaluated on (SIMULATORS.md). Coordinates are
// the radar's: x to the right of the boresight (from RX3 towards RX1), y up (RX3 towards
// RX2), z along the boresight away from the sensor, metres.
//
// The classes are those of the public BGT60TR13C gesture set (Infineon's 60 GHz FMCW radar
// gesture dataset: push, swipe left/right/up/down, and background). A gesture is the motion a
// person makes, not only its stroke: the hand comes into view (approach), makes the stroke,
// holds, and goes back out (return) -- for a push, the hand shoots towards the sensor and then
// withdraws more slowly, as in the dataset's recordings. `nothing` with a hand is the same
// without a stroke: a hand raised, held and lowered.
#pragma once

#include <cstdint>

namespace chorus::drivers::sim {

enum class Gesture : uint8_t { kNothing, kPush, kSwipeLeft, kSwipeRight, kSwipeUp, kSwipeDown };
constexpr int kGestureCount = 6;
const char* gesture_name(Gesture gesture);

struct Vec3 {
  double x = 0.0, y = 0.0, z = 0.0;
};

struct GestureParams {
  double distance_m = 0.30;   // the hand's distance where the stroke starts (a push's far end)
  double azimuth_deg = 0.0;   // direction of that position
  double elevation_deg = 0.0;
  double duration_s = 0.4;    // the stroke
  double extent_m = 0.30;     // push depth (at most the distance less 6 cm), swipe travel
  double snr_db = 20.0;       // palm echo amplitude over the noise sigma, at distance_m
  double approach_s = 0.3;    // coming into view before the stroke
  double hold_s = 0.2;        // still at the stroke's end
  double return_s = 0.6;      // going back out of view after the hold
  bool hand_present = false;  // kNothing: a hand raised, held and lowered, or no hand
};

// Nominal extent per gesture (m); GestureRanges scale it.
double nominal_extent_m(Gesture gesture);

// The stroke: the hand centre's displacement from its start position at progress u in [0, 1].
Vec3 gesture_offset(Gesture gesture, const GestureParams& params, double u);

// The whole motion: the displacement from the start position at t seconds after the stroke
// starts (negative during the approach); false when the hand is out of view then.
bool hand_offset(Gesture gesture, const GestureParams& params, double t_s, Vec3* offset);
// How long before the stroke the hand comes into view, and how long after the stroke's start it leaves.
inline double hand_in_view_before_s(const GestureParams& p) { return p.approach_s; }
inline double hand_in_view_after_s(const GestureParams& p) { return p.duration_s + p.hold_s + p.return_s; }

// Uniform sampling bounds for GestureParams.
struct GestureRanges {
  double distance_m[2];    // swipes and a raised hand; a push starts farther (push_distance_m)
  double push_distance_m[2];
  double push_end_m[2];    // where a push stops (its extent is the difference)
  double azimuth_deg[2];
  double elevation_deg[2];
  double duration_s[2];
  double extent_scale[2];  // times nominal_extent_m (swipes)
  double snr_db[2];
  double approach_s[2];
  double hold_s[2];
  double return_s[2];

  // The bands models are trained on, and the disjoint bands held out for evaluation.
  static GestureRanges training();
  static GestureRanges held_out();
};

// Deterministic draw `index` from `ranges` for `gesture` under `seed`.
GestureParams sample_gesture_params(Gesture gesture, const GestureRanges& ranges, uint64_t seed, uint64_t index);

}  // namespace chorus::drivers::sim
