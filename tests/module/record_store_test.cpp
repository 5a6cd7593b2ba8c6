// FlashRecordStore against a model of NOR flash (erase to 0xFF, programming only clears
// bits, aligned write units) that can lose power after any number of bytes: every cut
// leaves the previous record readable; saves spread erases over every page.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "chorus/module/record_store.hpp"

namespace chorus {
namespace {

class NorFlash final : public FlashPages {
 public:
  NorFlash(size_t page_size, size_t pages, size_t unit) : page_size_(page_size), unit_(unit), bytes_(page_size * pages, 0xFF), erases(pages) {}
  size_t page_size() const override { return page_size_; }
  size_t page_count() const override { return bytes_.size() / page_size_; }
  size_t write_unit() const override { return unit_; }
  Status erase(size_t page) override {
    if (page >= page_count()) return Status::error(StatusCode::kOutOfRange, "page %zu", page);
    // An erase cut short leaves part of the page erased and the rest as it was.
    for (size_t i = 0; i < page_size_; ++i) {
      if (!spend()) return Status::error(StatusCode::kInternal, "power lost");
      bytes_[page * page_size_ + i] = 0xFF;
    }
    ++erases[page];
    return Status::ok();
  }
  Status program(size_t page, size_t offset, Span<const uint8_t> data) override {
    if (offset % unit_ != 0 || data.size() % unit_ != 0 || offset + data.size() > page_size_)
      return Status::error(StatusCode::kInvalidArgument, "unaligned program");
    for (size_t i = 0; i < data.size(); ++i) {
      uint8_t& b = bytes_[page * page_size_ + offset + i];
      if (b != 0xFF && (b & data[i]) != data[i]) ++reprograms;  // a bit 0 -> 1: not possible without an erase
      if (!spend()) return Status::error(StatusCode::kInternal, "power lost");
      b &= data[i];
    }
    return Status::ok();
  }
  Status read(size_t page, size_t offset, Span<uint8_t> out) const override {
    if (offset + out.size() > page_size_) return Status::error(StatusCode::kOutOfRange, "read past the page");
    std::memcpy(out.data(), bytes_.data() + page * page_size_ + offset, out.size());
    return Status::ok();
  }
  // Power fails after `bytes` more erased or programmed bytes (-1: never).
  void cut_after(long bytes) { budget_ = bytes; }
  std::vector<uint32_t> erases;
  uint32_t reprograms = 0;

 private:
  bool spend() {
    if (budget_ < 0) return true;
    if (budget_ == 0) return false;
    --budget_;
    return true;
  }
  size_t page_size_, unit_;
  std::vector<uint8_t> bytes_;
  long budget_ = -1;
};

std::vector<uint8_t> record(size_t n, uint8_t seed) {
  std::vector<uint8_t> r(n);
  for (size_t i = 0; i < n; ++i) r[i] = static_cast<uint8_t>(seed * 31 + i * 7);
  return r;
}

std::vector<uint8_t> load(FlashRecordStore& store, StatusCode* code = nullptr) {
  std::vector<uint8_t> out(4096);
  Result<size_t> n = store.load(Span<uint8_t>(out.data(), out.size()));
  if (code) *code = n.is_ok() ? StatusCode::kOk : n.status().code();
  if (!n.is_ok()) return {};
  out.resize(*n);
  return out;
}

TEST(FlashRecordStore, SavesAndLoadsTheNewestRecord) {
  NorFlash flash(256, 4, 8);
  FlashRecordStore store(flash, 0, 4);
  StatusCode code;
  EXPECT_TRUE(load(store, &code).empty());
  EXPECT_EQ(code, StatusCode::kNotFound);
  for (uint8_t k = 1; k <= 6; ++k) {
    const std::vector<uint8_t> r = record(100 + k, k);  // lengths not a multiple of the write unit
    ASSERT_TRUE(store.save(Span<const uint8_t>(r.data(), r.size())).is_ok());
    EXPECT_EQ(load(store), r) << "save " << int{k};
  }
  EXPECT_EQ(flash.reprograms, 0u);
  // 256-byte pages: 16 header + 8 commit leave 232.
  EXPECT_EQ(store.max_record(), 232u);
  const std::vector<uint8_t> big = record(233, 9);
  const Status s = store.save(Span<const uint8_t>(big.data(), big.size()));
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.code(), StatusCode::kOutOfRange);
  std::vector<uint8_t> small(10);
  Result<size_t> n = store.load(Span<uint8_t>(small.data(), small.size()));
  EXPECT_EQ(n.status().code(), StatusCode::kOutOfRange);
}

// Every save goes to the next page: 100 saves over 4 pages erase each 25 times.
TEST(FlashRecordStore, ErasesSpreadEvenlyOverThePages) {
  NorFlash flash(128, 6, 4);
  FlashRecordStore store(flash, 2, 4);  // pages 2..5 of the flash
  for (int k = 0; k < 100; ++k) {
    const std::vector<uint8_t> r = record(40, static_cast<uint8_t>(k));
    ASSERT_TRUE(store.save(Span<const uint8_t>(r.data(), r.size())).is_ok());
  }
  EXPECT_EQ(flash.erases, (std::vector<uint32_t>{0, 0, 25, 25, 25, 25}));
  EXPECT_EQ(load(store), record(40, 99));
}

// Power lost after each possible number of bytes of a save (through the erase, header,
// payload and commit): load() gives the old record, or the new one once the commit unit is
// whole -- never anything else, never an error.
TEST(FlashRecordStore, APowerCutAnywhereInASaveLeavesTheOldRecord) {
  const std::vector<uint8_t> old_record = record(61, 1), new_record = record(77, 2);
  size_t cuts = 0, old_seen = 0, new_seen = 0;
  for (long budget = 0;; ++budget) {
    NorFlash flash(128, 3, 4);
    FlashRecordStore store(flash, 0, 3);
    ASSERT_TRUE(store.save(Span<const uint8_t>(old_record.data(), old_record.size())).is_ok());
    flash.cut_after(budget);
    const bool completed = store.save(Span<const uint8_t>(new_record.data(), new_record.size())).is_ok();
    flash.cut_after(-1);
    const std::vector<uint8_t> got = load(store);
    if (completed) {
      EXPECT_EQ(got, new_record);
      break;
    }
    ++cuts;
    ASSERT_TRUE(got == old_record || got == new_record) << "cut after " << budget << " bytes";
    (got == old_record ? old_seen : new_seen)++;
    // And the store still works afterwards.
    ASSERT_TRUE(store.save(Span<const uint8_t>(new_record.data(), new_record.size())).is_ok());
    EXPECT_EQ(load(store), new_record);
  }
  // The erase (128) + header (16) + payload (80 padded) + commit (4): 228 cut points.
  EXPECT_EQ(cuts, 228u);
  EXPECT_EQ(new_seen, 0u);  // the new record counts only once its commit unit is whole
  EXPECT_EQ(old_seen, cuts);
}

// A page whose payload was damaged after the fact (a bit flipped by wear) is skipped.
TEST(FlashRecordStore, ACorruptedNewestPageFallsBackToTheOneBefore) {
  NorFlash flash(128, 2, 1);
  FlashRecordStore store(flash, 0, 2);
  const std::vector<uint8_t> a = record(30, 1), b = record(30, 2);
  ASSERT_TRUE(store.save(Span<const uint8_t>(a.data(), a.size())).is_ok());
  ASSERT_TRUE(store.save(Span<const uint8_t>(b.data(), b.size())).is_ok());
  uint8_t zero = 0x00;
  ASSERT_TRUE(flash.program(1, FlashRecordStore::kHeaderBytes + 3, Span<const uint8_t>(&zero, 1)).is_ok());
  EXPECT_EQ(load(store), a);
}

TEST(FlashRecordStore, BadGeometryIsRefused) {
  NorFlash flash(64, 4, 4);
  FlashRecordStore one(flash, 0, 1), past(flash, 3, 2);
  std::vector<uint8_t> r = record(8, 1);
  EXPECT_NE(std::string(one.save(Span<const uint8_t>(r.data(), r.size())).message()).find("needs at least 2"), std::string::npos);
  EXPECT_NE(std::string(past.save(Span<const uint8_t>(r.data(), r.size())).message()).find("pages 3..5 of a flash of 4"),
            std::string::npos);
}

TEST(Crc32, MatchesTheStandardCheckValue) {
  // The CRC-32/ISO-HDLC check value of "123456789" (Williams, "A painless guide to CRC
  // error detection algorithms"; the catalogue's check = 0xCBF43926).
  const char* s = "123456789";
  EXPECT_EQ(crc32(Span<const uint8_t>(reinterpret_cast<const uint8_t*>(s), 9)), 0xCBF43926u);
  // Continuing over two parts equals one pass.
  const uint32_t part = crc32(Span<const uint8_t>(reinterpret_cast<const uint8_t*>(s), 4));
  EXPECT_EQ(crc32(Span<const uint8_t>(reinterpret_cast<const uint8_t*>(s) + 4, 5), part), 0xCBF43926u);
}

}  // namespace
}  // namespace chorus
