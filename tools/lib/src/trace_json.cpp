#include "chorus/tools/trace_json.hpp"

#include <cinttypes>

#include "chorus/tools/file.hpp"
#include "chorus/tools/json.hpp"

namespace chorus::tools {
namespace {

// Track ids: pipelines 1..n, the CPU 100, the NPU 101 (one process).
constexpr int kCpuTrack = 100;
constexpr int kNpuTrack = 101;

std::string us(os::TimeNs ns) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%" PRIu64 ".%03u", ns / 1000, static_cast<unsigned>(ns % 1000));
  return buf;
}

std::string complete(const std::string& name, const std::string& cat, int track, os::TimeNs start, os::TimeNs end) {
  return "{\"name\":\"" + json_escape(name) + "\",\"cat\":\"" + cat + "\",\"ph\":\"X\",\"pid\":1,\"tid\":" +
         std::to_string(track) + ",\"ts\":" + us(start) + ",\"dur\":" + us(end - start) + "}";
}

std::string instant(const std::string& name, int track, os::TimeNs at) {
  return "{\"name\":\"" + json_escape(name) + "\",\"ph\":\"i\",\"s\":\"t\",\"pid\":1,\"tid\":" + std::to_string(track) +
         ",\"ts\":" + us(at) + "}";
}

}  // namespace

void ChromeTrace::release(uint32_t p, os::TimeNs at) { add(instant("release", static_cast<int>(p) + 1, at)); }
void ChromeTrace::skip(uint32_t p, os::TimeNs at) { add(instant("skipped", static_cast<int>(p) + 1, at)); }

void ChromeTrace::step(uint32_t p, int32_t op, const char* name, os::TimeNs start, os::TimeNs end, bool npu) {
  const std::string label = op >= 0 ? std::string(name) + " #" + std::to_string(op) : std::string(name);
  const std::string who = p < names_.size() ? names_[p] : std::to_string(p);
  add(complete(label, npu ? "npu" : "cpu", npu ? kNpuTrack : kCpuTrack, start, end));
  add(complete(label, who, static_cast<int>(p) + 1, start, end));
  (void)who;
}

void ChromeTrace::job_done(uint32_t p, os::TimeNs release, os::TimeNs end, bool missed) {
  const std::string who = p < names_.size() ? names_[p] : std::to_string(p);
  add("{\"name\":\"" + json_escape(who + (missed ? " job (deadline missed)" : " job")) + "\",\"cat\":\"job\",\"ph\":\"X\",\"pid\":2,\"tid\":" +
      std::to_string(p + 1) + ",\"ts\":" + us(release) + ",\"dur\":" + us(end - release) + "}");
  if (missed) add(instant("deadline miss", static_cast<int>(p) + 1, end));
}

bool ChromeTrace::write(const std::string& path, std::string* error) const {
  std::FILE* f = open_output(path, error);
  if (f == nullptr) return false;
  std::fputs("{\"displayTimeUnit\":\"ms\",\"traceEvents\":[\n", f);
  // Track names.
  std::fprintf(f, "{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":1,\"args\":{\"name\":\"steps\"}},\n");
  std::fprintf(f, "{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":2,\"args\":{\"name\":\"jobs (release to completion)\"}},\n");
  std::fprintf(f, "{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":%d,\"args\":{\"name\":\"CPU\"}},\n", kCpuTrack);
  std::fprintf(f, "{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":%d,\"args\":{\"name\":\"NPU\"}},\n", kNpuTrack);
  for (size_t i = 0; i < names_.size(); ++i) {
    std::fprintf(f, "{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":%zu,\"args\":{\"name\":\"%s\"}},\n", i + 1,
                 json_escape(names_[i]).c_str());
    std::fprintf(f, "{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":2,\"tid\":%zu,\"args\":{\"name\":\"%s\"}},\n", i + 1,
                 json_escape(names_[i]).c_str());
  }
  for (size_t i = 0; i < events_.size(); ++i) std::fprintf(f, "%s%s\n", events_[i].c_str(), i + 1 < events_.size() ? "," : "");
  std::fputs("]}\n", f);
  const bool ok = std::fclose(f) == 0;
  if (!ok) *error = path + ": write failed";
  return ok;
}

}  // namespace chorus::tools
