// Lock-free single-producer/single-consumer ring buffer of fixed-size frames in
// caller-provided storage. The producer may run in interrupt context. When full, new
// frames are dropped and counted (a lock-free producer cannot move the consumer's index),
// so loss is never silent: overrun_frames() says how many were lost.
//
// Every index and counter has one writer, so only atomic loads and stores are needed: no
// read-modify-write, hence no LDREX/STREX and no libatomic call on any Cortex-M, ARMv6-M
// (Cortex-M0+) included (tests/support/m0plus_atomics.sh checks the link). The producer's
// release store of head_ publishes the frames it wrote; the consumer's acquire load sees them.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "chorus/module/span.hpp"

namespace chorus {

class RingBuffer {
 public:
  RingBuffer() = default;
  // Capacity is the largest power of two of frames that fits `storage`, so the free-running
  // 32-bit indices stay consistent when they wrap.
  RingBuffer(Span<uint8_t> storage, size_t frame_bytes)
      : storage_(storage.data()), frame_bytes_(frame_bytes), capacity_(power_of_two_floor(frame_bytes == 0 ? 0 : storage.size() / frame_bytes)) {}

  size_t frame_bytes() const { return frame_bytes_; }
  size_t capacity() const { return capacity_; }

  // Producer side. Writes up to `frames` frames; returns how many fit; the rest are
  // counted as overrun.
  size_t write(const void* frames, size_t count) {
    const uint32_t head = head_.load(std::memory_order_relaxed);
    const uint32_t tail = tail_.load(std::memory_order_acquire);
    const size_t free_frames = capacity_ - (head - tail);
    const size_t n = count < free_frames ? count : free_frames;
    const uint8_t* src = static_cast<const uint8_t*>(frames);
    for (size_t done = 0; done < n;) {
      const size_t at = (head + done) % capacity_;
      const size_t run = (capacity_ - at) < (n - done) ? (capacity_ - at) : (n - done);
      std::memcpy(storage_ + at * frame_bytes_, src + done * frame_bytes_, run * frame_bytes_);
      done += run;
    }
    head_.store(head + static_cast<uint32_t>(n), std::memory_order_release);
    if (n < count) count_overrun(count - n);
    return n;
  }
  // Producer side, zero-copy: the contiguous free space at the head (may be shorter than
  // all free space when it wraps). Fill it, then commit().
  Span<uint8_t> write_area() {
    const uint32_t head = head_.load(std::memory_order_relaxed);
    const uint32_t tail = tail_.load(std::memory_order_acquire);
    const size_t free_frames = capacity_ - (head - tail);
    const size_t at = capacity_ == 0 ? 0 : head % capacity_;
    const size_t run = (capacity_ - at) < free_frames ? (capacity_ - at) : free_frames;
    return Span<uint8_t>(storage_ + at * frame_bytes_, run * frame_bytes_);
  }
  void commit(size_t frames) { head_.store(head_.load(std::memory_order_relaxed) + static_cast<uint32_t>(frames), std::memory_order_release); }
  // Producer side: frames lost before they reached the buffer (the producer is the only
  // writer of the counter, so a load and a store suffice).
  void count_overrun(size_t frames) {
    overrun_.store(overrun_.load(std::memory_order_relaxed) + static_cast<uint32_t>(frames), std::memory_order_release);
  }

  // Consumer side.
  size_t available() const {
    return head_.load(std::memory_order_acquire) - tail_.load(std::memory_order_relaxed);
  }
  // Copies `count` frames starting `offset` frames after the oldest, without consuming.
  // Returns the frames copied (fewer when not that many are available).
  size_t peek(size_t offset, void* dst, size_t count) const {
    const size_t avail = available();
    if (offset >= avail) return 0;
    const size_t n = count < avail - offset ? count : avail - offset;
    const uint32_t tail = tail_.load(std::memory_order_relaxed);
    uint8_t* out = static_cast<uint8_t*>(dst);
    for (size_t done = 0; done < n;) {
      const size_t at = (tail + offset + done) % capacity_;
      const size_t run = (capacity_ - at) < (n - done) ? (capacity_ - at) : (n - done);
      std::memcpy(out + done * frame_bytes_, storage_ + at * frame_bytes_, run * frame_bytes_);
      done += run;
    }
    return n;
  }
  // Drops the oldest `count` frames (at most what is available).
  void consume(size_t count) {
    const size_t avail = available();
    const size_t n = count < avail ? count : avail;
    tail_.store(tail_.load(std::memory_order_relaxed) + static_cast<uint32_t>(n), std::memory_order_release);
  }
  // Frames dropped because the buffer was full, since construction.
  uint32_t overrun_frames() const { return overrun_.load(std::memory_order_acquire); }

 private:
  static uint32_t power_of_two_floor(size_t n) {
    uint32_t p = 1;
    if (n == 0) return 0;
    while (static_cast<size_t>(p) * 2 <= n && p < (1u << 30)) p *= 2;
    return p;
  }
  uint8_t* storage_ = nullptr;
  size_t frame_bytes_ = 0;
  uint32_t capacity_ = 0;
  std::atomic<uint32_t> head_{0};  // written by the producer only
  std::atomic<uint32_t> tail_{0};  // written by the consumer only
  std::atomic<uint32_t> overrun_{0};  // written by the producer only
};

}  // namespace chorus
