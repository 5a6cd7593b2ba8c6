#include "chorus/tools/recording.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "chorus/tools/file.hpp"

namespace chorus::tools {
namespace {

uint16_t le16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
uint32_t le32(const uint8_t* p) { return uint32_t{p[0]} | (uint32_t{p[1]} << 8) | (uint32_t{p[2]} << 16) | (uint32_t{p[3]} << 24); }

bool fail(std::string* error, const std::string& path, const std::string& what) {
  *error = path + ": " + what;
  return false;
}

// WAVE format tags (Microsoft RIFF/WAVE: WAVE_FORMAT_PCM, _IEEE_FLOAT, _EXTENSIBLE).
constexpr uint16_t kPcm = 1, kFloat = 3, kExtensible = 0xFFFE;

float pcm_value(const uint8_t* p, uint16_t bits) {
  switch (bits) {
    case 8: return (static_cast<float>(p[0]) - 128.0f) / 128.0f;  // 8-bit WAV is unsigned
    case 16: return static_cast<float>(static_cast<int16_t>(le16(p))) / 32768.0f;
    case 24: {
      int32_t v = static_cast<int32_t>(uint32_t{p[0]} << 8 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 24) >> 8;
      return static_cast<float>(v) / 8388608.0f;
    }
    default: return static_cast<float>(static_cast<double>(static_cast<int32_t>(le32(p))) / 2147483648.0);
  }
}

}  // namespace

bool read_wav_recording(const std::string& path, Recording* out, std::string* error) {
  std::vector<uint8_t> bytes;
  if (!read_file(path, &bytes, error)) return false;
  return parse_wav_recording(path, bytes, out, error);
}

bool parse_wav_recording(const std::string& path, const std::vector<uint8_t>& bytes, Recording* out, std::string* error) {
  if (bytes.size() < 12 || std::memcmp(bytes.data(), "RIFF", 4) != 0 || std::memcmp(bytes.data() + 8, "WAVE", 4) != 0)
    return fail(error, path, "not a RIFF/WAVE file");
  uint16_t tag = 0, channels = 0, bits = 0, block = 0;
  uint32_t rate = 0;
  bool have_format = false;
  size_t at = 12;
  while (at + 8 <= bytes.size()) {
    const uint8_t* c = bytes.data() + at;
    const size_t declared = le32(c + 4);
    const size_t remain = bytes.size() - at - 8;
    // A streaming writer that never came back leaves 0xFFFFFFFF in the data size: the data
    // then run to the end of the file. Any other size past the end is a cut file.
    const bool open_size = std::memcmp(c, "data", 4) == 0 && declared == 0xFFFFFFFFu;
    if (!open_size && declared > remain) {
      return fail(error, path, "'" + std::string(reinterpret_cast<const char*>(c), 4) + "' chunk at byte " + std::to_string(at) +
                                   " declares " + std::to_string(declared) + " bytes but only " + std::to_string(remain) +
                                   " remain (file truncated)");
    }
    const size_t size = open_size ? remain : declared;
    if (std::memcmp(c, "fmt ", 4) == 0) {
      if (size < 16) return fail(error, path, "'fmt ' chunk of " + std::to_string(size) + " bytes (needs 16)");
      tag = le16(c + 8);
      channels = le16(c + 10);
      rate = le32(c + 12);
      block = le16(c + 20);
      bits = le16(c + 22);
      if (tag == kExtensible) {
        if (size < 40) return fail(error, path, "extensible 'fmt ' chunk of " + std::to_string(size) + " bytes (needs 40)");
        tag = le16(c + 8 + 24);  // the sub-format GUID begins with the tag it stands for
      }
      have_format = true;
    } else if (std::memcmp(c, "data", 4) == 0) {
      if (!have_format) return fail(error, path, "'data' chunk before the 'fmt ' chunk");
      const bool pcm = tag == kPcm && (bits == 8 || bits == 16 || bits == 24 || bits == 32);
      const bool flt = tag == kFloat && (bits == 32 || bits == 64);
      if (!pcm && !flt)
        return fail(error, path, "format tag " + std::to_string(tag) + " with " + std::to_string(bits) +
                                     "-bit samples (integer PCM of 8, 16, 24 or 32 bits, or 32/64-bit float)");
      if (channels == 0) return fail(error, path, "0 channels");
      if (rate == 0 || rate > 1000000) return fail(error, path, "sample rate " + std::to_string(rate) + " Hz (1 Hz to 1 MHz)");
      const size_t width = bits / 8u;
      if (block != channels * width)
        return fail(error, path, "block align " + std::to_string(block) + " for " + std::to_string(channels) + " channels of " +
                                     std::to_string(bits) + " bits");
      const size_t n = size / width / channels * channels;
      if (n == 0) return fail(error, path, "the 'data' chunk holds no samples");
      out->samples.resize(n);
      const uint8_t* d = c + 8;
      for (size_t i = 0; i < n; ++i, d += width) {
        if (flt && bits == 32) {
          float f;
          std::memcpy(&f, d, 4);
          out->samples[i] = f;
        } else if (flt) {
          double f;
          std::memcpy(&f, d, 8);
          out->samples[i] = static_cast<float>(f);
        } else {
          out->samples[i] = pcm_value(d, bits);
        }
      }
      for (float v : out->samples)
        if (!std::isfinite(v)) return fail(error, path, "a sample is not a finite number");
      out->rate_hz = rate;
      out->channels = channels;
      out->shape = {n / channels, channels};
      out->type = flt ? (bits == 32 ? "float32" : "float64") : "pcm" + std::to_string(bits);
      return true;
    }
    at += 8 + size + (size & 1);  // chunks are padded to an even size
  }
  return fail(error, path, have_format ? "no 'data' chunk" : "no 'fmt ' chunk");
}

bool read_npy_recording(const std::string& path, Recording* out, std::string* error) {
  std::vector<uint8_t> bytes;
  if (!read_file(path, &bytes, error)) return false;
  return parse_npy_recording(path, bytes, out, error);
}

bool parse_npy_recording(const std::string& path, const std::vector<uint8_t>& bytes, Recording* out, std::string* error) {
  // NumPy's format: "\x93NUMPY", major, minor, header length (2 bytes in 1.0, 4 in 2.0
  // and 3.0), then a Python dict literal with 'descr', 'fortran_order' and 'shape'.
  if (bytes.size() < 10 || std::memcmp(bytes.data(), "\x93NUMPY", 6) != 0) return fail(error, path, "not a NumPy .npy file");
  const uint8_t major = bytes[6];
  if (major < 1 || major > 3) return fail(error, path, ".npy format version " + std::to_string(major) + " (1 to 3 supported)");
  const size_t len_bytes = major == 1 ? 2 : 4;
  if (bytes.size() < 8 + len_bytes) return fail(error, path, "truncated header");
  const size_t header_len = major == 1 ? le16(bytes.data() + 8) : le32(bytes.data() + 8);
  const size_t data_at = 8 + len_bytes + header_len;
  if (data_at > bytes.size()) return fail(error, path, "header of " + std::to_string(header_len) + " bytes runs past the file");
  const std::string header(reinterpret_cast<const char*>(bytes.data() + 8 + len_bytes), header_len);
  auto value_of = [&](const std::string& key) -> std::string {
    const size_t k = header.find("'" + key + "'");
    if (k == std::string::npos) return "";
    size_t v = header.find(':', k);
    if (v == std::string::npos) return "";
    ++v;
    while (v < header.size() && header[v] == ' ') ++v;
    if (v < header.size() && header[v] == '(') return header.substr(v, header.find(')', v) - v + 1);
    size_t e = v;
    if (v < header.size() && header[v] == '\'') e = header.find('\'', v + 1) + 1;
    else
      while (e < header.size() && header[e] != ',' && header[e] != '}') ++e;
    return header.substr(v, e - v);
  };
  const std::string descr = value_of("descr"), fortran = value_of("fortran_order"), shape_text = value_of("shape");
  if (descr.empty() || fortran.empty() || shape_text.empty()) return fail(error, path, "header lacks descr, fortran_order or shape");
  if (fortran != "False") return fail(error, path, "Fortran-ordered array (save it in C order)");
  std::vector<size_t> shape;
  for (size_t i = 1; i < shape_text.size();) {
    while (i < shape_text.size() && (shape_text[i] == ' ' || shape_text[i] == ',')) ++i;
    if (i >= shape_text.size() || shape_text[i] == ')') break;
    char* end = nullptr;
    const unsigned long long d = std::strtoull(shape_text.c_str() + i, &end, 10);
    if (end == shape_text.c_str() + i) return fail(error, path, "shape " + shape_text + " is not a tuple of integers");
    shape.push_back(static_cast<size_t>(d));
    i = static_cast<size_t>(end - shape_text.c_str());
  }
  size_t count = 1;
  for (size_t d : shape) {
    if (d != 0 && count > SIZE_MAX / 16 / d) return fail(error, path, "shape " + shape_text + " is too large");
    count *= d;
  }
  const std::string type = descr.size() >= 3 ? descr.substr(1, descr.size() - 2) : descr;  // strip the quotes
  size_t width = 0;
  if (type == "<f8") width = 8;
  else if (type == "<f4" || type == "<i4") width = 4;
  else if (type == "<i2") width = 2;
  else if (type == "|i1") width = 1;
  else
    return fail(error, path, "dtype " + type + " (float64, float32, int32, int16 or int8, little-endian, supported)");
  if (bytes.size() - data_at < count * width)
    return fail(error, path, "shape " + shape_text + " needs " + std::to_string(count * width) + " data bytes, the file has " +
                                 std::to_string(bytes.size() - data_at));
  out->samples.resize(count);
  const uint8_t* d = bytes.data() + data_at;
  for (size_t i = 0; i < count; ++i, d += width) {
    float v;
    if (type == "<f8") {
      double f;
      std::memcpy(&f, d, 8);
      v = static_cast<float>(f);
    } else if (type == "<f4") {
      std::memcpy(&v, d, 4);
    } else if (type == "<i4") {
      v = static_cast<float>(static_cast<int32_t>(le32(d)));
    } else if (type == "<i2") {
      v = static_cast<float>(static_cast<int16_t>(le16(d)));
    } else {
      v = static_cast<float>(static_cast<int8_t>(d[0]));
    }
    if (!std::isfinite(v)) return fail(error, path, "element " + std::to_string(i) + " is not a finite number");
    out->samples[i] = v;
  }
  out->shape = shape;
  out->channels = shape.size() == 2 ? shape[1] : 1;
  out->rate_hz = 0.0;
  static const char* const kNames[][2] = {{"<f8", "float64"}, {"<f4", "float32"}, {"<i4", "int32"}, {"<i2", "int16"}, {"|i1", "int8"}};
  for (const auto& n : kNames)
    if (type == n[0]) out->type = n[1];
  if (shape.size() == 2 && shape[1] == 0) return fail(error, path, "an array of 0 columns");
  return true;
}

bool read_csv_recording(const std::string& path, const std::vector<std::string>& columns, bool positions, Recording* out,
                        std::string* error) {
  std::vector<uint8_t> bytes;
  if (!read_file(path, &bytes, error)) return false;
  return parse_csv_recording(path, std::string(bytes.begin(), bytes.end()), columns, positions, out, error);
}

bool parse_csv_recording(const std::string& path, const std::string& text, const std::vector<std::string>& columns, bool positions,
                         Recording* out, std::string* error) {
  std::istringstream in(text);
  auto split = [](const std::string& line) {
    std::vector<std::string> cells;
    std::string cell;
    for (char ch : line) {
      if (ch == ',' || ch == ';' || ch == '\t' || ch == ' ' || ch == '\r') {
        if (!cell.empty() || ch == ',' || ch == ';' || ch == '\t') cells.push_back(cell);
        cell.clear();
      } else {
        cell += ch;
      }
    }
    if (!cell.empty()) cells.push_back(cell);
    return cells;
  };
  auto number = [](const std::string& s, double* v) {
    if (s.empty()) return false;
    char* end = nullptr;
    *v = std::strtod(s.c_str(), &end);
    return end == s.c_str() + s.size() && std::isfinite(*v);
  };
  auto lower = [](std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  std::vector<size_t> pick;
  bool first = true;
  size_t width = 0, line_no = 0;
  std::string line;
  out->samples.clear();
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty() || line[0] == '#' || line.find_first_not_of(" \t\r") == std::string::npos) continue;
    std::vector<std::string> cells = split(line);
    std::vector<double> values(cells.size());
    bool numeric = true;
    for (size_t i = 0; i < cells.size() && numeric; ++i) numeric = number(cells[i], &values[i]);
    if (first) {
      first = false;
      width = cells.size();
      if (!numeric) {  // a header: pick the named columns
        if (positions) return fail(error, path, "line 1 names the columns; pick them by name, not position");
        for (const std::string& want : columns) {
          size_t found = cells.size();
          for (size_t i = 0; i < cells.size(); ++i)
            if (lower(cells[i]) == lower(want)) found = i;
          if (found == cells.size()) return fail(error, path, "no column named '" + want + "' in line 1");
          pick.push_back(found);
        }
        if (columns.empty())
          for (size_t i = 0; i < cells.size(); ++i) pick.push_back(i);
        continue;
      }
      if (!columns.empty() && !positions) {
        // No header: the columns are the named axes, in order (a leading time or index
        // column, one more than the axes, is skipped).
        if (cells.size() != columns.size() && cells.size() != columns.size() + 1)
          return fail(error, path, "line " + std::to_string(line_no) + " has " + std::to_string(cells.size()) +
                                       " columns and no header; expected " + std::to_string(columns.size()) + " (the axes)");
        const size_t skip = cells.size() - columns.size();
        for (size_t i = 0; i < columns.size(); ++i) pick.push_back(skip + i);
      } else if (positions) {
        for (const std::string& p : columns) {
          double v;
          if (!number(p, &v) || v < 0 || v >= static_cast<double>(cells.size()))
            return fail(error, path, "column " + p + " is not one of the " + std::to_string(cells.size()) + " columns");
          pick.push_back(static_cast<size_t>(v));
        }
      } else {
        for (size_t i = 0; i < cells.size(); ++i) pick.push_back(i);
      }
    }
    if (!numeric) return fail(error, path, "line " + std::to_string(line_no) + ": '" + line.substr(0, 60) + "' is not numbers");
    if (cells.size() != width)
      return fail(error, path, "line " + std::to_string(line_no) + " has " + std::to_string(cells.size()) + " columns, line 1 has " +
                                   std::to_string(width));
    for (size_t p : pick) {
      const float v = static_cast<float>(values[p]);
      if (!std::isfinite(v))
        return fail(error, path, "line " + std::to_string(line_no) + ": " + cells[p] + " is beyond the range of a float");
      out->samples.push_back(v);
    }
  }
  if (pick.empty() || out->samples.empty()) return fail(error, path, "no samples");
  out->channels = pick.size();
  out->shape = {out->samples.size() / out->channels, out->channels};
  out->rate_hz = 0.0;
  out->type = "csv";
  return true;
}

std::vector<float> resample(const std::vector<float>& samples, size_t channels, double from_hz, double to_hz) {
  if (channels == 0 || from_hz <= 0.0 || to_hz <= 0.0 || from_hz == to_hz) return samples;
  const size_t in_frames = samples.size() / channels;
  const size_t out_frames = static_cast<size_t>(std::floor(static_cast<double>(in_frames) * to_hz / from_hz));
  std::vector<float> out(out_frames * channels, 0.0f);
  // Cut-off as a fraction of the input rate; the kernel spans 32 zero crossings of the
  // cut-off each side.
  const double cutoff = 0.9 * 0.5 * std::min(1.0, to_hz / from_hz);  // cycles per input sample
  const double half_width = 32.0 / (2.0 * cutoff);                   // input samples each side
  const double beta = 8.6;
  auto bessel_i0 = [](double x) {
    double sum = 1.0, term = 1.0;
    for (int k = 1; k < 50; ++k) {
      term *= (x / (2.0 * k)) * (x / (2.0 * k));
      sum += term;
      if (term < 1e-12 * sum) break;
    }
    return sum;
  };
  // The Kaiser window sampled at 4096 points of |r| in [0, 1], interpolated linearly.
  constexpr size_t kTable = 4096;
  std::vector<double> kaiser(kTable + 1);
  const double i0_beta = bessel_i0(beta);
  for (size_t i = 0; i <= kTable; ++i) {
    const double r = static_cast<double>(i) / kTable;
    kaiser[i] = bessel_i0(beta * std::sqrt(std::max(0.0, 1.0 - r * r))) / i0_beta;
  }
  const double pi = 3.14159265358979323846;
  std::vector<double> acc(channels);
  for (size_t n = 0; n < out_frames; ++n) {
    const double t = static_cast<double>(n) * from_hz / to_hz;  // the output instant in input samples
    const long lo = static_cast<long>(std::ceil(t - half_width)), hi = static_cast<long>(std::floor(t + half_width));
    std::fill(acc.begin(), acc.end(), 0.0);
    double gain = 0.0;
    for (long k = lo; k <= hi; ++k) {
      const double x = static_cast<double>(k) - t;
      const double r = x / half_width;
      if (r <= -1.0 || r >= 1.0) continue;
      const double arg = 2.0 * pi * cutoff * x;
      const double sinc = x == 0.0 ? 2.0 * cutoff : std::sin(arg) / (pi * x);
      const double pos = std::fabs(r) * kTable;
      const size_t i = static_cast<size_t>(pos);
      const double frac = pos - static_cast<double>(i);
      const double w = sinc * (i >= kTable ? kaiser[kTable] : kaiser[i] + frac * (kaiser[i + 1] - kaiser[i]));
      gain += w;
      if (k < 0 || k >= static_cast<long>(in_frames)) continue;  // zeros beyond the ends
      const float* s = samples.data() + static_cast<size_t>(k) * channels;
      for (size_t c = 0; c < channels; ++c) acc[c] += w * static_cast<double>(s[c]);
    }
    for (size_t c = 0; c < channels; ++c) out[n * channels + c] = static_cast<float>(gain != 0.0 ? acc[c] / gain : 0.0);
  }
  return out;
}

std::vector<float> mix_down(const std::vector<float>& samples, size_t channels) {
  if (channels <= 1) return samples;
  const size_t frames = samples.size() / channels;
  std::vector<float> out(frames);
  for (size_t f = 0; f < frames; ++f) {
    double sum = 0.0;
    for (size_t c = 0; c < channels; ++c) sum += samples[f * channels + c];
    out[f] = static_cast<float>(sum / static_cast<double>(channels));
  }
  return out;
}

}  // namespace chorus::tools
