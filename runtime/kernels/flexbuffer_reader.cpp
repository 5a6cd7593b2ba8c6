#include "flexbuffer_reader.hpp"

#include <cstring>
#include "chorus/module/strings.hpp"

namespace chorus::runtime::flexbuffer {
namespace {

bool valid_width(uint64_t w) { return w == 1 || w == 2 || w == 4 || w == 8; }

// Little-endian unsigned of `width` bytes at p (the caller has checked the range).
uint64_t read_unsigned(const uint8_t* p, size_t width) {
  uint64_t v = 0;
  for (size_t i = 0; i < width; ++i) v |= static_cast<uint64_t>(p[i]) << (8 * i);
  return v;
}

int64_t read_signed(const uint8_t* p, size_t width) {
  const uint64_t u = read_unsigned(p, width);
  if (width == 8) return static_cast<int64_t>(u);
  const uint64_t sign = uint64_t{1} << (8 * width - 1);
  return static_cast<int64_t>((u ^ sign) - sign);
}

// Errors about the buffer's structure; both numbers print as %zu.
template <class A, class B>
Status malformed(const char* fmt, A a, B b) {
  return Status::error(StatusCode::kMalformedModel, fmt, static_cast<size_t>(a), static_cast<size_t>(b));
}

}  // namespace

const char* type_name(uint8_t type) {
  switch (static_cast<Type>(type)) {
    case Type::kNull: return "null";
    case Type::kInt: return "int";
    case Type::kUInt: return "uint";
    case Type::kFloat: return "float";
    case Type::kKey: return "key";
    case Type::kString: return "string";
    case Type::kIndirectInt: return "indirect int";
    case Type::kIndirectUInt: return "indirect uint";
    case Type::kIndirectFloat: return "indirect float";
    case Type::kMap: return "map";
    case Type::kVector: return "vector";
    case Type::kBool: return "bool";
  }
  return type < 36 ? "typed vector or blob" : "unknown type";
}

Status Map::parse(Span<const uint8_t> bytes, Map* out) {
  const uint8_t* b = bytes.data();
  const size_t n = bytes.size();
  if (b == nullptr || n < 3)
    return Status::error(StatusCode::kMalformedModel, "FlexBuffer of %zu bytes; at least 3 needed", n);
  const size_t root_width = b[n - 1];
  const uint8_t packed = b[n - 2];
  if (!valid_width(root_width)) return malformed("FlexBuffer root width %zu at byte %zu is not 1, 2, 4 or 8", root_width, n - 1);
  if (n - 2 < root_width) return malformed("FlexBuffer root of %zu bytes does not fit in %zu bytes", root_width, n);
  if ((packed >> 2) != static_cast<uint8_t>(Type::kMap))
    return Status::error(StatusCode::kMalformedModel, "FlexBuffer root is a %s, expected a map", type_name(packed >> 2));
  const size_t root = n - 2 - root_width;
  const size_t width = size_t{1} << (packed & 3);
  const uint64_t root_offset = read_unsigned(b + root, root_width);
  if (root_offset > root) return malformed("FlexBuffer root offset %zu at byte %zu points before the buffer", root_offset, root);
  const size_t data = root - static_cast<size_t>(root_offset);
  if (data < 3 * width) return malformed("FlexBuffer map at byte %zu needs a %zu-byte header before it", data, 3 * width);
  const uint64_t stored_size = read_unsigned(b + data - width, width);
  if (stored_size > (n - data) / (width + 1))
    return malformed("FlexBuffer map of %zu entries at byte %zu runs past the buffer end", stored_size, data);
  const size_t size = static_cast<size_t>(stored_size);

  const size_t keys_field = data - 3 * width;
  const uint64_t keys_offset = read_unsigned(b + keys_field, width);
  if (keys_offset > keys_field) return malformed("FlexBuffer keys offset %zu at byte %zu points before the buffer", keys_offset, keys_field);
  const size_t keys = keys_field - static_cast<size_t>(keys_offset);
  const uint64_t stored_keys_width = read_unsigned(b + data - 2 * width, width);
  if (!valid_width(stored_keys_width))
    return malformed("FlexBuffer keys width %zu at byte %zu is not 1, 2, 4 or 8", stored_keys_width, data - 2 * width);
  const size_t keys_width = static_cast<size_t>(stored_keys_width);
  if (keys < keys_width) return malformed("FlexBuffer keys vector at byte %zu has no room for its %zu-byte size", keys, keys_width);
  const uint64_t key_count = read_unsigned(b + keys - keys_width, keys_width);
  if (key_count != size) return malformed("FlexBuffer map has %zu keys for %zu values", static_cast<size_t>(key_count), size);
  if (size > (n - keys) / keys_width) return malformed("FlexBuffer keys vector of %zu entries at byte %zu runs past the buffer end", size, keys);
  for (size_t i = 0; i < size; ++i) {
    const size_t at = keys + i * keys_width;
    const uint64_t off = read_unsigned(b + at, keys_width);
    if (off > at) return malformed("FlexBuffer key %zu offset at byte %zu points before the buffer", i, at);
    const size_t k = at - static_cast<size_t>(off);
    if (std::memchr(b + k, 0, n - k) == nullptr) return malformed("FlexBuffer key %zu at byte %zu is not NUL-terminated", i, k);
  }

  out->bytes_ = b;
  out->length_ = n;
  out->data_ = data;
  out->width_ = width;
  out->size_ = size;
  out->keys_ = keys;
  out->keys_width_ = keys_width;
  return Status::ok();
}

const char* Map::key(size_t i) const {
  if (i >= size_) return nullptr;
  const size_t at = keys_ + i * keys_width_;
  return reinterpret_cast<const char*>(bytes_ + at - read_unsigned(bytes_ + at, keys_width_));
}

size_t Map::find(const char* key_name) const {
  for (size_t i = 0; i < size_; ++i)
    if (equal_strings(key(i), key_name)) return i;
  return size_;
}

Status Map::value_as_int(size_t index, const char* name, int64_t* out, bool* is_unsigned_big) const {
  const size_t at = data_ + index * width_;
  const uint8_t packed = bytes_[data_ + size_ * width_ + index];
  const uint8_t type = packed >> 2;
  *is_unsigned_big = false;
  uint64_t u = 0;
  switch (static_cast<Type>(type)) {
    case Type::kInt:
      *out = read_signed(bytes_ + at, width_);
      return Status::ok();
    case Type::kUInt:
      u = read_unsigned(bytes_ + at, width_);
      break;
    case Type::kBool:
      u = read_unsigned(bytes_ + at, width_) != 0 ? 1 : 0;
      break;
    case Type::kIndirectInt:
    case Type::kIndirectUInt: {
      const uint64_t off = read_unsigned(bytes_ + at, width_);
      const size_t target_width = size_t{1} << (packed & 3);
      if (off > at || length_ - (at - static_cast<size_t>(off)) < target_width)
        return Status::error(StatusCode::kMalformedModel, "option '%s': indirect value offset %llu at byte %zu is out of range", name,
                             static_cast<unsigned long long>(off), at);
      const uint8_t* p = bytes_ + at - static_cast<size_t>(off);
      if (static_cast<Type>(type) == Type::kIndirectInt) {
        *out = read_signed(p, target_width);
        return Status::ok();
      }
      u = read_unsigned(p, target_width);
      break;
    }
    default:
      return Status::error(StatusCode::kMalformedModel, "option '%s' is a %s, expected an integer", name, type_name(type));
  }
  if (u > static_cast<uint64_t>(INT64_MAX)) {
    *is_unsigned_big = true;
    *out = INT64_MAX;
  } else {
    *out = static_cast<int64_t>(u);
  }
  return Status::ok();
}

Status Map::get_int(const char* name, int64_t min, int64_t max, int64_t* out) const {
  const size_t i = find(name);
  if (i == size_) return Status::error(StatusCode::kMalformedModel, "option '%s' is missing", name);
  int64_t v = 0;
  bool big = false;
  CHORUS_RETURN_IF_ERROR(value_as_int(i, name, &v, &big));
  if (big || v < min || v > max)
    return Status::error(StatusCode::kInvalidArgument, "option '%s' = %lld%s is outside [%lld, %lld]", name, static_cast<long long>(v),
                         big ? " (or more)" : "", static_cast<long long>(min), static_cast<long long>(max));
  *out = v;
  return Status::ok();
}

Status Map::get_bool(const char* name, bool* out) const {
  int64_t v = 0;
  CHORUS_RETURN_IF_ERROR(get_int(name, 0, 1, &v));
  *out = v != 0;
  return Status::ok();
}

}  // namespace chorus::runtime::flexbuffer
