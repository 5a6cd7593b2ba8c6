#include "chorus/module/record_store.hpp"

#include <cstring>

namespace chorus {
namespace {

void put_u32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
uint32_t get_u32(const uint8_t* p) { return uint32_t{p[0]} | (uint32_t{p[1]} << 8) | (uint32_t{p[2]} << 16) | (uint32_t{p[3]} << 24); }

// Serial-number order (RFC 1982 style): a is newer than b.
bool newer(uint32_t a, uint32_t b) { return static_cast<int32_t>(a - b) > 0; }

constexpr size_t kMaxUnit = 16;

}  // namespace

uint32_t crc32(Span<const uint8_t> bytes, uint32_t crc) {
  crc = ~crc;
  for (size_t i = 0; i < bytes.size(); ++i) {
    crc ^= bytes[i];
    for (int b = 0; b < 8; ++b) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

FlashRecordStore::FlashRecordStore(FlashPages& flash, size_t first_page, size_t pages)
    : flash_(flash), first_(first_page), pages_(pages) {}

size_t FlashRecordStore::padded(size_t bytes) const {
  const size_t unit = flash_.write_unit();
  return (bytes + unit - 1) / unit * unit;
}

size_t FlashRecordStore::max_record() const {
  const size_t unit = flash_.write_unit();
  if (flash_.page_size() < kHeaderBytes + 2 * unit) return 0;
  return (flash_.page_size() - kHeaderBytes - unit) / unit * unit;
}

Status FlashRecordStore::check_geometry() const {
  const size_t unit = flash_.write_unit();
  if (unit == 0 || unit > kMaxUnit || kHeaderBytes % unit != 0)
    return Status::error(StatusCode::kInvalidArgument, "record store: write unit of %zu bytes (1, 2, 4, 8 or 16)", unit);
  if (pages_ < 2 || first_ + pages_ > flash_.page_count())
    return Status::error(StatusCode::kInvalidArgument, "record store: pages %zu..%zu of a flash of %zu (needs at least 2)", first_,
                         first_ + pages_, flash_.page_count());
  if (max_record() == 0) return Status::error(StatusCode::kInvalidArgument, "record store: %zu-byte pages hold no record", flash_.page_size());
  return Status::ok();
}

FlashRecordStore::Slot FlashRecordStore::inspect(size_t page) const {
  Slot slot;
  uint8_t header[kHeaderBytes];
  if (!flash_.read(first_ + page, 0, Span<uint8_t>(header, kHeaderBytes)).is_ok()) return slot;
  const uint32_t length = get_u32(header + 8);
  if (get_u32(header) != kMagic || length == 0 || length > max_record()) return slot;
  const size_t unit = flash_.write_unit();
  uint8_t commit[kMaxUnit];
  if (!flash_.read(first_ + page, kHeaderBytes + padded(length), Span<uint8_t>(commit, unit)).is_ok()) return slot;
  for (size_t i = 0; i < unit; ++i)
    if (commit[i] != 0x00) return slot;
  // The payload's CRC, read in small pieces (no buffer the size of a record).
  uint32_t crc = 0;
  uint8_t chunk[32];
  for (size_t at = 0; at < length; at += sizeof(chunk)) {
    const size_t n = length - at < sizeof(chunk) ? length - at : sizeof(chunk);
    if (!flash_.read(first_ + page, kHeaderBytes + at, Span<uint8_t>(chunk, n)).is_ok()) return slot;
    crc = crc32(Span<const uint8_t>(chunk, n), crc);
  }
  if (crc != get_u32(header + 12)) return slot;
  slot.valid = true;
  slot.sequence = get_u32(header + 4);
  slot.length = length;
  return slot;
}

long FlashRecordStore::newest(Slot* slot) const {
  long best = -1;
  for (size_t p = 0; p < pages_; ++p) {
    const Slot s = inspect(p);
    if (s.valid && (best < 0 || newer(s.sequence, slot->sequence))) {
      best = static_cast<long>(p);
      *slot = s;
    }
  }
  return best;
}

Status FlashRecordStore::save(Span<const uint8_t> record) {
  CHORUS_RETURN_IF_ERROR(check_geometry());
  if (record.empty() || record.size() > max_record())
    return Status::error(StatusCode::kOutOfRange, "record store: a record of %zu bytes (1 to %zu fit a %zu-byte page)", record.size(),
                         max_record(), flash_.page_size());
  Slot current;
  const long at = newest(&current);
  const size_t page = at < 0 ? 0 : (static_cast<size_t>(at) + 1) % pages_;
  const uint32_t sequence = at < 0 ? 1 : current.sequence + 1;
  CHORUS_RETURN_IF_ERROR(flash_.erase(first_ + page));
  // Header, then payload (its tail padded with 0xFF to a whole unit), then the commit unit.
  uint8_t header[kHeaderBytes];
  put_u32(header, kMagic);
  put_u32(header + 4, sequence);
  put_u32(header + 8, static_cast<uint32_t>(record.size()));
  put_u32(header + 12, crc32(record));
  CHORUS_RETURN_IF_ERROR(flash_.program(first_ + page, 0, Span<const uint8_t>(header, kHeaderBytes)));
  const size_t unit = flash_.write_unit();
  const size_t whole = record.size() / unit * unit;
  if (whole > 0) CHORUS_RETURN_IF_ERROR(flash_.program(first_ + page, kHeaderBytes, record.subspan(0, whole)));
  if (whole < record.size()) {
    uint8_t tail[kMaxUnit];
    std::memset(tail, 0xFF, sizeof(tail));
    std::memcpy(tail, record.data() + whole, record.size() - whole);
    CHORUS_RETURN_IF_ERROR(flash_.program(first_ + page, kHeaderBytes + whole, Span<const uint8_t>(tail, unit)));
  }
  uint8_t commit[kMaxUnit] = {};
  CHORUS_RETURN_IF_ERROR(flash_.program(first_ + page, kHeaderBytes + padded(record.size()), Span<const uint8_t>(commit, unit)));
  // Read back: a page that does not check out is reported, and the previous record stays.
  const Slot written = inspect(page);
  if (!written.valid || written.sequence != sequence)
    return Status::error(StatusCode::kDataLoss, "record store: page %zu did not verify after programming", first_ + page);
  return Status::ok();
}

Result<size_t> FlashRecordStore::load(Span<uint8_t> out) {
  CHORUS_RETURN_IF_ERROR(check_geometry());
  Slot slot;
  const long at = newest(&slot);
  if (at < 0) return Status::error(StatusCode::kNotFound, "record store: no record saved");
  if (out.size() < slot.length)
    return Status::error(StatusCode::kOutOfRange, "record store: the record has %u bytes, the buffer %zu", static_cast<unsigned>(slot.length), out.size());
  CHORUS_RETURN_IF_ERROR(flash_.read(first_ + static_cast<size_t>(at), kHeaderBytes, out.subspan(0, slot.length)));
  return static_cast<size_t>(slot.length);
}

}  // namespace chorus
