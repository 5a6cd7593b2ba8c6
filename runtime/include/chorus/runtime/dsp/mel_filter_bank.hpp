// Triangular mel filters stored sparsely: each band keeps only its run of non-zero
// weights over the spectrum bins. A triangle is convex, so its non-zero weights are one
// contiguous run, and since neighbouring triangles overlap by half a bin belongs to at
// most two bands: the weights fit in 2 x bins floats where a dense matrix needs
// bands x bins (40 x 257 for MFCC, 128 x 513 for the anomaly log-mel). How the weights
// are defined (HTK or Slaney mel scale, normalisation) is the caller's; this holds and
// applies them. Storage is the owner's; no heap.
#pragma once

#include <cstddef>
#include <cstdint>

#include "chorus/module/span.hpp"
#include "chorus/module/status.hpp"

namespace chorus::runtime::dsp {

struct MelBand {
  uint32_t first_bin = 0;
  uint32_t bins = 0;           // non-zero weights
  uint32_t weight_offset = 0;  // into the weight storage
};

class MelFilterBank {
 public:
  // Weights two overlapping triangle families need at most, for `bins` spectrum bins.
  static constexpr size_t max_weights(size_t bins) { return 2 * bins; }

  // Builds `bands` filters over `bins` bins from `weight(band, bin)` (zero outside the
  // triangle). Fails when a band has no non-zero weight (a filter narrower than a bin,
  // which would output a constant) or a band's weights are not one run.
  template <class WeightFn>
  Status build(size_t bands, size_t bins, WeightFn weight, Span<MelBand> band_storage, Span<float> weight_storage);

  size_t bands() const { return bands_; }
  const float* weights() const { return weights_; }

  // out[b] = sum over band b's bins of weight * spectrum[bin].
  void apply(const float* spectrum, float* out) const {
    for (size_t b = 0; b < bands_; ++b) {
      const MelBand& band = band_[b];
      const float* w = weights_ + band.weight_offset;
      const float* s = spectrum + band.first_bin;
      float sum = 0.0f;
      for (uint32_t i = 0; i < band.bins; ++i) sum += w[i] * s[i];
      out[b] = sum;
    }
  }

 private:
  const MelBand* band_ = nullptr;
  const float* weights_ = nullptr;
  size_t bands_ = 0;
};

template <class WeightFn>
Status MelFilterBank::build(size_t bands, size_t bins, WeightFn weight, Span<MelBand> band_storage, Span<float> weight_storage) {
  if (band_storage.size() < bands) {
    return Status::error(StatusCode::kOutOfMemory, "mel filter bank: %zu bands, storage for %zu", bands, band_storage.size());
  }
  size_t used = 0;
  for (size_t b = 0; b < bands; ++b) {
    size_t first = bins;
    size_t last = 0;
    for (size_t k = 0; k < bins; ++k) {
      if (weight(b, k) > 0.0f) {
        if (first == bins) first = k;
        last = k;
      }
    }
    if (first == bins) {
      return Status::error(StatusCode::kInvalidArgument,
                           "mel band %zu of %zu covers no spectrum bin of %zu (too many bands for the resolution)", b, bands,
                           bins);
    }
    const size_t count = last - first + 1;
    if (used + count > weight_storage.size()) {
      return Status::error(StatusCode::kOutOfMemory, "mel filter bank: band %zu needs %zu weights, %zu of %zu left", b, count,
                           weight_storage.size() - used, weight_storage.size());
    }
    for (size_t i = 0; i < count; ++i) {
      const float w = weight(b, first + i);
      if (!(w > 0.0f)) {
        return Status::error(StatusCode::kInvalidArgument, "mel band %zu: bin %zu inside the triangle has weight 0", b,
                             first + i);
      }
      weight_storage[used + i] = w;
    }
    band_storage[b].first_bin = static_cast<uint32_t>(first);
    band_storage[b].bins = static_cast<uint32_t>(count);
    band_storage[b].weight_offset = static_cast<uint32_t>(used);
    used += count;
  }
  band_ = band_storage.data();
  weights_ = weight_storage.data();
  bands_ = bands;
  return Status::ok();
}

}  // namespace chorus::runtime::dsp
