#include "chorus/runtime/ethosu/weights.hpp"

namespace chorus::runtime::ethosu {
namespace {

// The stream format, as Arm Vela 3.10.0's ethosu/mlw_codec (mlw_common.h, mlw_decode.c)
// defines it. Bits are read least significant first.
constexpr uint32_t kZdivDisable = 6;  // no zero runs in this slice
constexpr uint32_t kZdivEndOfStream = 7;
constexpr uint32_t kWdivUncompressed = 7;
constexpr uint32_t kMaxValue = 512;   // the NPU's weights are 9-bit
constexpr size_t kRing = 128;         // values decoded ahead of those written

class BitReader {
 public:
  explicit BitReader(Span<const uint8_t> bytes) : bytes_(bytes) {}
  // Reads `count` bits (count <= 32); false when the stream ends first.
  bool read(uint32_t count, uint32_t* value) {
    if (count == 0) {
      *value = 0;
      return true;
    }
    if (pos_ + count > bytes_.size() * 8) return false;
    // Up to 5 bytes hold any 32 bits at any bit offset.
    const size_t first = pos_ >> 3;
    uint64_t window = 0;
    for (size_t i = 0; i < 5 && first + i < bytes_.size(); ++i) window |= uint64_t{bytes_[first + i]} << (8 * i);
    window >>= (pos_ & 7);
    *value = static_cast<uint32_t>(window & ((uint64_t{1} << count) - 1));
    pos_ += count;
    return true;
  }
  void align() { pos_ = (pos_ + 7) & ~size_t{7}; }
  bool at_end() const { return (pos_ >> 3) >= bytes_.size(); }
  size_t byte() const { return pos_ >> 3; }

 private:
  Span<const uint8_t> bytes_;
  size_t pos_ = 0;
};

// The palette and direct-mode parameters a slice sets and later slices may keep.
struct Palette {
  int16_t entries[32] = {};
  uint32_t size = 0;
  uint32_t bits = 0;
  uint32_t direct_offset = 0;
};

// Golomb-Rice quotients of one chunk: unary codes, one symbol per 0 bit (weights: up to
// two unary bits per symbol, see parse_weight_unary), a run of 1s carried into the next chunk.
struct Quotients {
  uint32_t q[12] = {};
  uint32_t count = 0;
  uint64_t carry = 0;
};

// Writes the slice's values in order: [zeros], value 0, zeros, value 1, zeros, ...
class SliceWriter {
 public:
  SliceWriter(int16_t* out, size_t capacity, size_t* written) : out_(out), capacity_(capacity), written_(written) {}
  void start(bool zero_runs, bool leading_zeros) {
    zero_runs_ = zero_runs;
    want_zeros_ = zero_runs && leading_zeros;
    next_w_ = next_z_ = 0;
  }
  uint64_t w[kRing] = {};
  uint64_t z[kRing] = {};
  // Writes what has been decoded: weights [0, w_ready) and zero runs [0, z_ready).
  Status flush(size_t w_ready, size_t z_ready, const Palette& pal, size_t at) {
    for (;;) {
      if (want_zeros_) {
        if (next_z_ >= z_ready) return Status::ok();
        const uint64_t n = z[next_z_ % kRing];
        if (n > capacity_ - *written_)
          return Status::error(StatusCode::kMalformedModel, "weight stream: a run of %llu zeros at byte %zu overflows the %zu values expected",
                               static_cast<unsigned long long>(n), at, capacity_);
        for (uint64_t k = 0; k < n; ++k) out_[(*written_)++] = 0;
        ++next_z_;
        want_zeros_ = false;
      } else {
        if (next_w_ >= w_ready) return Status::ok();
        const uint64_t index = w[next_w_ % kRing];
        if (index >= kMaxValue)
          return Status::error(StatusCode::kMalformedModel, "weight stream: value index %llu at byte %zu is past the 9-bit range",
                               static_cast<unsigned long long>(index), at);
        const uint32_t code = index < pal.size ? static_cast<uint16_t>(pal.entries[index])
                                               : static_cast<uint32_t>(index) - pal.size + pal.direct_offset;
        // Sign in bit 0, magnitude above it (mlw_decode.c).
        const int16_t magnitude = static_cast<int16_t>(code >> 1);
        if (*written_ >= capacity_)
          return Status::error(StatusCode::kMalformedModel, "weight stream: more than the %zu values expected (byte %zu)", capacity_, at);
        out_[(*written_)++] = (code & 1u) ? static_cast<int16_t>(-magnitude) : magnitude;
        ++next_w_;
        want_zeros_ = zero_runs_;
      }
    }
  }
  size_t weights_written() const { return next_w_; }
  size_t zeros_written() const { return next_z_; }

 private:
  int16_t* out_;
  size_t capacity_;
  size_t* written_;
  bool zero_runs_ = false, want_zeros_ = false;
  size_t next_w_ = 0, next_z_ = 0;
};

Status truncated(const BitReader& bits) {
  return Status::error(StatusCode::kMalformedModel, "weight stream: ends inside a slice (byte %zu)", bits.byte());
}

// Weight quotients: each of the chunk's (up to 12) symbol slots has a first unary bit in
// WUNARY0; a set bit adds one and reads a second bit from WUNARY1. A symbol ends at a slot
// that adds less than 2 (or at every slot when the slice truncates the unary code).
bool parse_weight_unary(BitReader& bits, uint32_t unary0, uint32_t slots, bool truncate, Quotients* q) {
  uint32_t ones = 0;
  for (uint32_t i = 0; i < slots; ++i) ones += (unary0 >> i) & 1u;
  uint32_t unary1 = 0;
  if (!bits.read(ones, &unary1)) return false;
  q->count = 0;
  uint64_t run = q->carry;
  for (uint32_t i = 0; i < slots; ++i) {
    uint32_t code = 0;
    if ((unary0 >> i) & 1u) {
      code = 1 + (unary1 & 1u);
      unary1 >>= 1;
    }
    run += code;
    if (code < 2 || truncate) {
      q->q[q->count++] = static_cast<uint32_t>(run > 0xFFFFFFu ? 0xFFFFFFu : run);
      run = 0;
    }
  }
  q->carry = run;
  return true;
}

// Zero-run quotients: plain unary, a 0 bit ends a symbol.
void parse_zero_unary(uint32_t unary, uint32_t length, Quotients* q) {
  q->count = 0;
  uint64_t run = q->carry;
  for (uint32_t i = 0; i < length; ++i) {
    if ((unary >> i) & 1u) {
      ++run;
    } else {
      q->q[q->count++] = static_cast<uint32_t>(run > 0xFFFFFFu ? 0xFFFFFFu : run);
      run = 0;
    }
  }
  q->carry = run;
}

}  // namespace

Result<size_t> decode_weight_stream(Span<const uint8_t> stream, int16_t* out, size_t capacity) {
  BitReader bits(stream);
  Palette pal;
  size_t written = 0;
  bool need_palette = true;  // the first slice, and the first after an end-of-stream marker
  bool prev_zero_runs = false;
  SliceWriter writer(out, capacity, &written);
  for (;;) {
    uint32_t zdiv = 0;
    if (!bits.read(3, &zdiv)) return written;  // padding ends exactly on a byte
    if (zdiv == kZdivEndOfStream) {
      bits.align();
      need_palette = true;
      if (bits.at_end()) return written;
      continue;
    }
    const size_t slice_at = bits.byte();
    if (zdiv > 3 && zdiv != kZdivDisable)
      return Status::error(StatusCode::kMalformedModel, "weight stream: zero-run divisor %u at byte %zu (0-3 or 6)", static_cast<unsigned>(zdiv), slice_at);
    const bool zero_runs = zdiv != kZdivDisable;
    uint32_t length = 0, wdiv = 0, truncate = 0, new_palette = 0;
    if (!bits.read(15, &length) || !bits.read(3, &wdiv) || !bits.read(1, &truncate) || !bits.read(1, &new_palette)) return truncated(bits);
    const size_t values = size_t{length} + 1;
    if (need_palette && !new_palette)
      return Status::error(StatusCode::kMalformedModel, "weight stream: the slice at byte %zu keeps a palette no slice has set", slice_at);
    if (!new_palette && zero_runs != prev_zero_runs)
      return Status::error(StatusCode::kMalformedModel, "weight stream: the slice at byte %zu changes zero-run mode without a new palette",
                           slice_at);
    need_palette = false;
    prev_zero_runs = zero_runs;
    if (new_palette) {
      uint32_t offset = 0, size = 0, pbits = 0;
      if (!bits.read(5, &offset) || !bits.read(5, &size) || !bits.read(3, &pbits)) return truncated(bits);
      pal.direct_offset = offset;
      pal.size = size > 0 ? size + 1 : 0;
      pal.bits = pbits + 2;
      for (uint32_t i = 0; i < pal.size; ++i) {
        uint32_t e = 0;
        if (!bits.read(pal.bits, &e)) return truncated(bits);
        pal.entries[i] = static_cast<int16_t>(e);
      }
    }
    const bool uncompressed = wdiv == kWdivUncompressed;
    if (uncompressed) {
      // Only remainders: as wide as a palette index, or PALBITS without a palette.
      uint32_t width = 0;
      if (pal.size > 0) {
        while ((1u << width) < pal.size) ++width;
      } else {
        width = pal.bits;
      }
      wdiv = width;
    } else if (wdiv > 5) {
      return Status::error(StatusCode::kMalformedModel, "weight stream: weight divisor %u at byte %zu (0-5 or 7)", static_cast<unsigned>(wdiv), slice_at);
    }

    // Chunks: each reads the unary parts of its symbols, then the remainders of the
    // previous chunk's symbols; zero runs are throttled to stay near the weights.
    const size_t zero_values = values + (new_palette ? 1 : 0);
    const uint32_t zero_unary_bits = zdiv < 3 ? 12 : 8;
    const uint32_t weight_slots = uncompressed && wdiv > 5 ? 8 : 12;
    writer.start(zero_runs, new_palette != 0);
    Quotients wq, zq, wq_prev, zq_prev;
    bool w_prev = false, z_prev = false;
    size_t w_pos = 0, z_pos = 0, w_done = 0, z_done = 0;
    do {
      const long long balance = zero_runs ? static_cast<long long>(w_pos) - static_cast<long long>(z_pos) : 0;
      const bool w_on = (balance < 8 || !zero_runs) && w_pos < values;
      const bool z_on = balance >= 0 && zero_runs && z_pos < zero_values;
      uint32_t unary0 = 0;
      if (w_on && !uncompressed && !bits.read(12, &unary0)) return truncated(bits);
      if (z_on) {
        uint32_t unary = 0;
        if (!bits.read(zero_unary_bits, &unary)) return truncated(bits);
        parse_zero_unary(unary, zero_unary_bits, &zq);
        z_pos += zq.count;
      }
      if (w_on) {
        if (!parse_weight_unary(bits, unary0, weight_slots, truncate != 0, &wq)) return truncated(bits);
        w_pos += wq.count;
      }
      if (w_prev) {
        for (uint32_t i = 0; i < wq_prev.count && w_done < values; ++i, ++w_done) {
          uint32_t rem = 0;
          if (!bits.read(wdiv, &rem)) return truncated(bits);
          if (w_done - writer.weights_written() >= kRing)
            return Status::error(StatusCode::kMalformedModel, "weight stream: values run ahead of zero runs at byte %zu", bits.byte());
          writer.w[w_done % kRing] = (uint64_t{wq_prev.q[i]} << wdiv) + rem;
        }
      }
      if (z_prev) {
        for (uint32_t i = 0; i < zq_prev.count && z_done < zero_values; ++i, ++z_done) {
          uint32_t rem = 0;
          if (!bits.read(zdiv, &rem)) return truncated(bits);
          if (z_done - writer.zeros_written() >= kRing)
            return Status::error(StatusCode::kMalformedModel, "weight stream: zero runs run ahead of values at byte %zu", bits.byte());
          writer.z[z_done % kRing] = (uint64_t{zq_prev.q[i]} << zdiv) + rem;
        }
      }
      CHORUS_RETURN_IF_ERROR(writer.flush(w_done, z_done, pal, bits.byte()));
      w_prev = w_on;
      z_prev = z_on;
      if (w_on) wq_prev = wq;
      if (z_on) zq_prev = zq;
    } while (w_prev || z_prev);
    if (writer.weights_written() != values || (zero_runs && writer.zeros_written() != zero_values))
      return Status::error(StatusCode::kMalformedModel, "weight stream: the slice at byte %zu declares %zu values and holds %zu", slice_at,
                           values, writer.weights_written());
  }
}

uint32_t ofm_ublock_depth(uint32_t macs_per_cycle_per_core) { return macs_per_cycle_per_core <= 32 ? 4 : 8; }

size_t for_each_weight_position(const WeightLayout& l, void (*fn)(void* user, int64_t index), void* user) {
  // The brick order of mlw_encode.c reorder(), loop for loop: OFM blocks; IFM blocks (32
  // deep, 16 for part-kernel-first or 16-bit IFMs, one for depthwise); sub-kernels of at
  // most 8x8 (halved per dilation); then micro-blocks. Part-kernel-first walks the
  // kernel elements inside each IFM micro-block, depth-first the other way round; both pad
  // the element count (depthwise and 8-bit part-kernel-first to a multiple of 4).
  const int64_t od = l.ofm_depth, kh = l.kernel_height, kw = l.kernel_width, id = l.ifm_depth;
  const int64_t obd = l.ofm_block_depth, iub = l.ifm_ublock_depth, oub = l.ofm_ublock_depth;
  const bool dw = l.depthwise, pkf = l.part_kernel_first;
  const int64_t ifm_block_depth = pkf || l.ifm_bits == 16 ? 16 : 32;
  const int64_t decomp_h = 8 / l.dilation_y, decomp_w = 8 / l.dilation_x;
  auto round_up = [](int64_t v, int64_t m) { return (v + m - 1) / m * m; };
  size_t n = 0;
  for (int64_t ofm_block = 0; ofm_block < od; ofm_block += obd) {
    const int64_t ofm_block_len = obd < od - ofm_block ? obd : od - ofm_block;
    for (int64_t ifm_block = 0; ifm_block < (dw ? 1 : id); ifm_block += ifm_block_depth) {
      const int64_t ifm_block_len = dw ? iub : (pkf ? (ifm_block_depth < id - ifm_block ? ifm_block_depth : id - ifm_block) : ifm_block_depth);
      for (int64_t sub_y = 0; sub_y < kh; sub_y += decomp_h) {
        const int64_t sub_h = decomp_h < kh - sub_y ? decomp_h : kh - sub_y;
        for (int64_t sub_x = 0; sub_x < kw; sub_x += decomp_w) {
          const int64_t sub_w = decomp_w < kw - sub_x ? decomp_w : kw - sub_x;
          int64_t elements = sub_w * sub_h;
          if (pkf)
            elements = round_up(elements, l.ifm_bits == 16 ? 2 : 4);
          else if (dw)
            elements = round_up(elements, 4);
          const int64_t outer_len = pkf ? ifm_block_len : 1, inner_len = pkf ? 1 : ifm_block_len;
          for (int64_t ifm_outer = 0; ifm_outer < outer_len; ifm_outer += iub) {
            for (int64_t ofm_ublock = 0; ofm_ublock < ofm_block_len; ofm_ublock += oub) {
              for (int64_t e = 0; e < elements; ++e) {
                const int64_t kx = e % sub_w, ky = e / sub_w;
                for (int64_t ifm_inner = 0; ifm_inner < inner_len; ifm_inner += iub) {
                  for (int64_t oz = 0; oz < oub; ++oz) {
                    for (int64_t iz = 0; iz < (dw ? 1 : iub); ++iz) {
                      const int64_t i = ifm_block + ifm_inner + ifm_outer + iz;
                      const int64_t o = ofm_block + ofm_ublock + oz;
                      const bool real = i < (dw ? 1 : id) && o < od && ky < sub_h;
                      fn(user, real ? ((o * kh + sub_y + ky) * kw + sub_x + kx) * (dw ? 1 : id) + i : -1);
                      ++n;
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
  }
  return n;
}

uint64_t weight_stream_values(const WeightLayout& l) {
  // The loops of for_each_weight_position, counted: blocks and sub-kernels come in at most
  // two sizes per axis (full ones and the last), so the sum has a handful of terms.
  const uint64_t od = l.ofm_depth, kh = l.kernel_height, kw = l.kernel_width, id = l.ifm_depth;
  const uint64_t obd = l.ofm_block_depth, iub = l.ifm_ublock_depth, oub = l.ofm_ublock_depth;
  if (od == 0 || kh == 0 || kw == 0 || id == 0 || obd == 0 || iub == 0 || oub == 0 || l.dilation_x == 0 || l.dilation_y == 0) return 0;
  const bool dw = l.depthwise, pkf = l.part_kernel_first;
  const uint64_t ibd = pkf || l.ifm_bits == 16 ? 16 : 32;
  const uint64_t dh = 8 / l.dilation_y, dwid = 8 / l.dilation_x;
  if (dh == 0 || dwid == 0) return 0;
  auto ceil_div = [](uint64_t a, uint64_t b) { return (a + b - 1) / b; };
  auto round_up = [&](uint64_t v, uint64_t m) { return ceil_div(v, m) * m; };
  // Sum over sub-kernels of the (padded) element count.
  auto elements = [&](uint64_t w, uint64_t h) {
    uint64_t e = w * h;
    if (pkf)
      e = round_up(e, l.ifm_bits == 16 ? 2 : 4);
    else if (dw)
      e = round_up(e, 4);
    return e;
  };
  const uint64_t full_y = kh / dh, last_h = kh % dh, full_x = kw / dwid, last_w = kw % dwid;
  uint64_t sub_elements = full_y * full_x * elements(dwid, dh);
  if (last_w) sub_elements += full_y * elements(last_w, dh);
  if (last_h) sub_elements += full_x * elements(dwid, last_h);
  if (last_h && last_w) sub_elements += elements(last_w, last_h);
  // Per IFM block of length L: outer and inner micro-block counts.
  auto per_ifm_block = [&](uint64_t len) {
    const uint64_t outer = pkf ? ceil_div(len, iub) : 1, inner = pkf ? 1 : ceil_div(len, iub);
    return outer * inner * oub * (dw ? 1 : iub);
  };
  uint64_t ifm_sum;
  if (dw) {
    ifm_sum = per_ifm_block(iub);
  } else if (pkf) {
    ifm_sum = (id / ibd) * per_ifm_block(ibd) + (id % ibd ? per_ifm_block(id % ibd) : 0);
  } else {
    ifm_sum = ceil_div(id, ibd) * per_ifm_block(ibd);
  }
  const uint64_t ofm_sum = (od / obd) * ceil_div(obd, oub) + (od % obd ? ceil_div(od % obd, oub) : 0);
  return ofm_sum * ifm_sum * sub_elements;
}

Status decode_weights(Span<const uint8_t> stream, const WeightLayout& layout, int16_t* scratch, size_t scratch_capacity, int16_t* ohwi,
                      size_t ohwi_capacity) {
  const size_t need = size_t{layout.ofm_depth} * layout.kernel_height * layout.kernel_width * (layout.depthwise ? 1 : layout.ifm_depth);
  if (need > ohwi_capacity)
    return Status::error(StatusCode::kOutOfMemory, "weights: %zu values need more than the %zu-value buffer", need, ohwi_capacity);
  const uint64_t values = weight_stream_values(layout);
  if (values > scratch_capacity)
    return Status::error(StatusCode::kOutOfMemory, "weights: the stream holds %llu values, the scratch %zu",
                         static_cast<unsigned long long>(values), scratch_capacity);
  const size_t expected = static_cast<size_t>(values);
  if (expected > scratch_capacity)
    return Status::error(StatusCode::kOutOfMemory, "weights: the stream holds %zu values, the scratch %zu", expected,
                         scratch_capacity);
  Result<size_t> decoded = decode_weight_stream(stream, scratch, expected);
  if (!decoded.is_ok()) return decoded.status();
  if (*decoded != expected)
    return Status::error(StatusCode::kMalformedModel, "weights: the stream holds %zu values; %zu expected for %ux%ux%ux%u in brick order",
                         *decoded, expected, static_cast<unsigned>(layout.ofm_depth), static_cast<unsigned>(layout.kernel_height),
                         static_cast<unsigned>(layout.kernel_width), static_cast<unsigned>(layout.ifm_depth));
  struct Scatter {
    const int16_t* from;
    int16_t* to;
    size_t n;
  } s{scratch, ohwi, 0};
  for_each_weight_position(
      layout,
      [](void* u, int64_t index) {
        Scatter* sc = static_cast<Scatter*>(u);
        const int16_t v = sc->from[sc->n++];
        if (index >= 0) sc->to[index] = v;
      },
      &s);
  return Status::ok();
}

ChannelScale read_channel_scale(const uint8_t* r) {
  ChannelScale c;
  uint64_t bias = 0;
  for (int i = 0; i < 5; ++i) bias |= uint64_t{r[i]} << (8 * i);
  // Sign-extend 40 bits.
  c.bias = static_cast<int64_t>(bias << 24) >> 24;
  c.scale = uint32_t{r[5]} | (uint32_t{r[6]} << 8) | (uint32_t{r[7]} << 16) | (uint32_t{r[8]} << 24);
  c.shift = r[9] & 0x3Fu;
  return c;
}

}  // namespace chorus::runtime::ethosu
