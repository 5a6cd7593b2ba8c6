// Somewhere to keep one record across resets -- a learnt normal profile, a calibration --
// replaced whole on each save. The host keeps it in a file (tools/file_record_store.hpp);
// firmware in flash pages (FlashRecordStore below). No heap.
#pragma once

#include <cstddef>
#include <cstdint>

#include "chorus/module/span.hpp"
#include "chorus/module/status.hpp"

namespace chorus {

class RecordStore {
 public:
  virtual ~RecordStore() = default;
  // Replaces the record. On an error the previous record is still the one load() gives.
  virtual Status save(Span<const uint8_t> record) = 0;
  // The record into `out`; its size. kNotFound when none was ever saved; kOutOfRange when
  // `out` is too small.
  virtual Result<size_t> load(Span<uint8_t> out) = 0;
};

// NOR-style flash as the store sees it: pages erased whole (every byte 0xFF), programmed in
// aligned units of write_unit() bytes that were erased since (programming only clears bits).
class FlashPages {
 public:
  virtual ~FlashPages() = default;
  virtual size_t page_size() const = 0;
  virtual size_t page_count() const = 0;
  virtual size_t write_unit() const = 0;  // 1, 4, 8 or 16
  virtual Status erase(size_t page) = 0;
  virtual Status program(size_t page, size_t offset, Span<const uint8_t> bytes) = 0;
  virtual Status read(size_t page, size_t offset, Span<uint8_t> out) const = 0;
};

// IEEE 802.3 CRC-32 (reflected polynomial 0xEDB88320, initial and final XOR 0xFFFFFFFF),
// continued from `crc` (0 to start).
uint32_t crc32(Span<const uint8_t> bytes, uint32_t crc = 0);

// One record in a ring of flash pages. Each save goes to the page after the newest record's
// (so erases spread evenly over all pages: wear levelling), written as
//   header (magic, sequence number, length, CRC-32 of the payload) | payload | commit unit
// where the commit unit (write_unit() bytes of 0x00) is programmed last. load() takes the
// valid record with the highest sequence number; a page is valid only with its magic, a
// length that fits, its commit unit all 0x00 and its CRC matching. A power cut at any point
// of a save -- during the erase, the header, the payload or the commit -- leaves the page
// invalid and the previous record (on another page, untouched) the one load() returns.
// Needs at least 2 pages; records up to max_record() bytes.
class FlashRecordStore final : public RecordStore {
 public:
  static constexpr uint32_t kMagic = 0x31535243;  // "CRS1"
  static constexpr size_t kHeaderBytes = 16;

  FlashRecordStore(FlashPages& flash, size_t first_page, size_t pages);
  Status save(Span<const uint8_t> record) override;
  Result<size_t> load(Span<uint8_t> out) override;
  size_t max_record() const;

 private:
  struct Slot {
    bool valid = false;
    uint32_t sequence = 0;
    uint32_t length = 0;
  };
  Status check_geometry() const;
  Slot inspect(size_t page) const;
  // The valid slot with the highest sequence number (serial-number order), or -1.
  long newest(Slot* slot) const;
  size_t padded(size_t bytes) const;

  FlashPages& flash_;
  size_t first_, pages_;
};

}  // namespace chorus
