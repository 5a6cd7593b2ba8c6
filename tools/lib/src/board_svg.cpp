// The SVG memory map: one row per region, a bar from base to end with every placed area,
// the reserved head and the free tail, and a list of the areas under it. Regions whose
// contents are tiny next to their size get a broken axis so the contents stay readable.
#include <algorithm>
#include <cstdio>
#include <sstream>

#include "chorus/tools/board_report.hpp"

namespace chorus::tools {
namespace {

using board::ItemKind;

constexpr int kWidth = 1180;
constexpr int kBarX = 250;
constexpr int kBarWidth = 900;
constexpr int kBarHeight = 28;
constexpr int kListLine = 16;

struct Style {
  const char* fill;
  const char* name;
};

Style style_of(ItemKind kind) {
  switch (kind) {
    case ItemKind::kPartition:
      return {"#4e79a7", "level partition"};
    case ItemKind::kPersistent:
      return {"#f28e2b", "persistent (per model)"};
    case ItemKind::kScratch:
      return {"#e15759", "shared scratch"};
    case ItemKind::kWeights:
      return {"#59a14f", "weights"};
    case ItemKind::kSensorBuffer:
      return {"#b07aa1", "sensor buffer"};
  }
  return {"#999999", "?"};
}

std::string esc(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '&')
      o += "&amp;";
    else if (c == '<')
      o += "&lt;";
    else if (c == '>')
      o += "&gt;";
    else if (c == '"')
      o += "&quot;";
    else if ((c >= 0 && c < 0x20) || c == 0x7F)  // not allowed in XML 1.0 (newline, escape): a visible '?'
      o += '?';
    else
      o += c;
  }
  return o;
}

std::string kib(uint64_t bytes) {
  const double b = static_cast<double>(bytes);
  const char* unit = "B";
  double v = b;
  if (bytes >= 1024ull * 1024 * 1024)
    v = b / 1073741824.0, unit = "GiB";
  else if (bytes >= 1024 * 1024)
    v = b / 1048576.0, unit = "MiB";
  else if (bytes >= 1024)
    v = b / 1024.0, unit = "KiB";
  char buf[32];
  if (v == static_cast<double>(static_cast<uint64_t>(v)))
    std::snprintf(buf, sizeof buf, "%llu %s", static_cast<unsigned long long>(v), unit);
  else
    std::snprintf(buf, sizeof buf, "%.1f %s", v, unit);
  return buf;
}

// Maps a byte offset in the region to an x position, piecewise: [0, reserved), [reserved,
// used) and [used, size) each get a share of the bar. Linear when the contents are large
// enough to read; otherwise the contents get most of the bar, the reserved head and the free
// tail are squeezed, and each squeezed joint is drawn as a break.
struct Axis {
  double bounds[4] = {0, 0, 0, 1};  // byte offsets: 0, reserved, used, size
  double xs[4] = {kBarX, kBarX, kBarX, kBarX + kBarWidth};
  bool broken = false;

  Axis(double size, double reserved, double used) {
    bounds[1] = reserved;
    bounds[2] = used;
    bounds[3] = size;
    const double contents = (used - reserved) / size;
    broken = used > reserved && contents * kBarWidth < 150;  // under 150 px the areas are unreadable
    double share[3] = {reserved / size, contents, (size - used) / size};
    if (broken) {
      share[0] = reserved > 0 ? std::min(share[0], 0.12) : 0;
      share[2] = std::max(0.2, std::min(share[2], 0.35));
      share[1] = 1 - share[0] - share[2];
    }
    for (int i = 0; i < 3; ++i) xs[i + 1] = xs[i] + kBarWidth * share[i];
    xs[3] = kBarX + kBarWidth;
  }
  double x(double offset) const {
    for (int i = 0; i < 3; ++i) {
      if (offset <= bounds[i + 1] && bounds[i + 1] > bounds[i]) {
        return xs[i] + (xs[i + 1] - xs[i]) * (offset - bounds[i]) / (bounds[i + 1] - bounds[i]);
      }
    }
    return xs[3];
  }
};

}  // namespace

std::string board_report_svg(const BoardLayout& layout) {
  const board::host::BoardDescription& d = *layout.board;
  std::ostringstream body;
  int y = 118;

  for (size_t i = 0; i < d.regions.size(); ++i) {
    const board::MemoryRegion& r = d.regions[i];
    std::vector<const LayoutItem*> items;
    for (const LayoutItem& item : layout.items) {
      if (item.placed.region == i) items.push_back(&item);
    }
    std::sort(items.begin(), items.end(),
              [](const LayoutItem* a, const LayoutItem* b) { return a->placed.address < b->placed.address; });
    const uint64_t used = layout.summary.region_used[i];
    const Axis axis(r.size, r.reserved, static_cast<double>(used));

    // Region title on the left.
    const bool arena = std::find(d.arena_regions.begin(), d.arena_regions.end(), i) != d.arena_regions.end();
    body << "<text x=\"20\" y=\"" << y + 12 << "\" class=\"region\">" << esc(r.name) << (arena ? " \u2022 arena" : "")
         << "</text>\n";
    body << "<text x=\"20\" y=\"" << y + 27 << "\" class=\"meta\">" << board::memory_kind_name(r.kind) << ", " << hex32(r.base)
         << ", " << kib(r.size) << ", speed " << r.speed << "</text>\n";

    // The bar: free background, reserved head, items.
    body << "<rect x=\"" << kBarX << "\" y=\"" << y << "\" width=\"" << kBarWidth << "\" height=\"" << kBarHeight
         << "\" class=\"free\"/>\n";
    if (r.reserved > 0) {
      const double x1 = axis.x(r.reserved);
      body << "<rect x=\"" << kBarX << "\" y=\"" << y << "\" width=\"" << std::max(2.0, x1 - kBarX) << "\" height=\""
           << kBarHeight << "\" class=\"reserved\"/>\n";
    }
    for (const LayoutItem* item : items) {
      const double x0 = axis.x(item->placed.address - r.base);
      const double x1 = axis.x(item->placed.address - r.base + item->bytes);
      const double w = std::max(2.0, x1 - x0);
      body << "<rect x=\"" << x0 << "\" y=\"" << y << "\" width=\"" << w << "\" height=\"" << kBarHeight << "\" fill=\""
           << style_of(item->kind).fill << "\" class=\"item\"><title>" << esc(item->label) << ": " << item->bytes << " B at "
           << hex32(item->placed.address) << "</title></rect>\n";
      if (w > 7.0 * static_cast<double>(item->symbol.size()) + 8) {
        body << "<text x=\"" << x0 + w / 2 << "\" y=\"" << y + 18 << "\" class=\"inbar\">" << esc(item->symbol) << "</text>\n";
      }
    }
    if (axis.broken) {
      // A break mark at each joint whose scale is not the true one.
      for (int j = 1; j <= 2; ++j) {
        if (j == 1 && r.reserved == 0) continue;
        const double xb = axis.xs[j];
        body << "<path d=\"M" << xb - 3 << " " << y - 4 << " l5 " << kBarHeight / 2 + 4 << " l-5 " << kBarHeight / 2 + 4
             << "\" class=\"break\"/>\n";
      }
      body << "<text x=\"" << axis.xs[2] + 10 << "\" y=\"" << y + 18
           << "\" class=\"axis\">not to scale: " << kib(used - r.reserved) << " placed, " << kib(r.size - used)
           << " free</text>\n";
    }
    body << "<rect x=\"" << kBarX << "\" y=\"" << y << "\" width=\"" << kBarWidth << "\" height=\"" << kBarHeight
         << "\" class=\"outline\"/>\n";
    body << "<text x=\"" << kBarX << "\" y=\"" << y + kBarHeight + 13 << "\" class=\"axis\">" << hex32(r.base) << "</text>\n";
    body << "<text x=\"" << kBarX + kBarWidth << "\" y=\"" << y + kBarHeight + 13 << "\" class=\"axis end\">"
         << hex32(board::region_end(r)) << "  (" << kib(r.size - used) << " free)</text>\n";
    y += kBarHeight + 30;

    // The list of what lives here.
    if (r.reserved > 0) {
      body << "<rect x=\"" << kBarX << "\" y=\"" << y - 10 << "\" width=\"10\" height=\"10\" class=\"reserved\"/>"
           << "<text x=\"" << kBarX + 16 << "\" y=\"" << y << "\" class=\"list\">reserved for the application: " << r.reserved
           << " B at " << hex32(r.base) << "</text>\n";
      y += kListLine;
    }
    for (const LayoutItem* item : items) {
      std::string serves;
      for (const std::string& m : item->models) serves += (serves.empty() ? "" : ", ") + m;
      if (item->kind == ItemKind::kWeights || item->kind == ItemKind::kPersistent) serves.clear();
      body << "<rect x=\"" << kBarX << "\" y=\"" << y - 10 << "\" width=\"10\" height=\"10\" fill=\"" << style_of(item->kind).fill
           << "\"/><text x=\"" << kBarX + 16 << "\" y=\"" << y << "\" class=\"list\">" << esc(item->label)
           << (item->npu ? " [npu]" : "") << ": " << item->bytes << " B at " << hex32(item->placed.address)
           << (serves.empty() ? "" : " \u2014 " + esc(serves)) << "</text>\n";
      y += kListLine;
    }
    y += 14;
  }

  const int height = y + 10;
  std::ostringstream o;
  o << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << kWidth << "\" height=\"" << height << "\" viewBox=\"0 0 " << kWidth
    << " " << height << "\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n"
    << "<style>\n"
    << "  .title { font-size: 20px; font-weight: bold; fill: #222; }\n"
    << "  .subtitle { font-size: 13px; fill: #444; }\n"
    << "  .region { font-size: 15px; font-weight: bold; fill: #222; }\n"
    << "  .meta { font-size: 11px; fill: #555; }\n"
    << "  .axis { font-size: 10px; fill: #666; }\n"
    << "  .end { text-anchor: end; }\n"
    << "  .list { font-size: 12px; fill: #333; }\n"
    << "  .inbar { font-size: 11px; fill: #fff; text-anchor: middle; font-weight: bold; }\n"
    << "  .free { fill: #f4f4f4; }\n"
    << "  .reserved { fill: url(#hatch); }\n"
    << "  .item { stroke: #fff; stroke-width: 0.5; }\n"
    << "  .outline { fill: none; stroke: #777; stroke-width: 1; }\n"
    << "  .break { fill: none; stroke: #777; stroke-width: 1.5; }\n"
    << "</style>\n"
    << "<defs><pattern id=\"hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
    << "<rect width=\"6\" height=\"6\" fill=\"#d9d4d0\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#a39a94\" "
       "stroke-width=\"2\"/></pattern></defs>\n"
    << "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n";
  o << "<text x=\"20\" y=\"32\" class=\"title\">" << esc(d.name) << " memory map</text>\n";
  std::string sub = d.description + (d.description.empty() ? "" : " \u2022 ") + board::core_name(d.cpu.core) + " @ " +
                    std::to_string(d.cpu.clock_hz / 1000000) + " MHz";
  if (d.has_npu) {
    sub += std::string(" \u2022 ") + board::npu_type_name(d.npu.type) + ", " + std::to_string(d.npu.macs_per_cycle) +
           " MACs/cycle @ " + std::to_string(d.npu.clock_hz / 1000000) + " MHz";
  }
  o << "<text x=\"20\" y=\"52\" class=\"subtitle\">" << esc(sub) << "</text>\n";
  char totals[256];
  const double pct = layout.per_model_bytes
                         ? 100.0 * static_cast<double>(layout.saved_bytes()) / static_cast<double>(layout.per_model_bytes)
                         : 0.0;
  if (layout.models.empty()) {
    std::snprintf(totals, sizeof totals, "arena as placed: %llu B (no models given)",
                  static_cast<unsigned long long>(layout.arena_bytes));
  } else {
    std::snprintf(totals, sizeof totals,
                  "arena as placed: %llu B \u2022 one arena per model: %llu B \u2022 saved: %llu B (%.1f %%)",
                  static_cast<unsigned long long>(layout.arena_bytes), static_cast<unsigned long long>(layout.per_model_bytes),
                  static_cast<unsigned long long>(layout.saved_bytes()), pct);
  }
  o << "<text x=\"20\" y=\"72\" class=\"subtitle\">" << esc(totals) << "</text>\n";
  // Legend.
  int lx = 20;
  const ItemKind kinds[] = {ItemKind::kPartition, ItemKind::kPersistent, ItemKind::kScratch, ItemKind::kWeights,
                            ItemKind::kSensorBuffer};
  for (ItemKind k : kinds) {
    o << "<rect x=\"" << lx << "\" y=\"84\" width=\"14\" height=\"14\" fill=\"" << style_of(k).fill << "\"/>"
      << "<text x=\"" << lx + 20 << "\" y=\"96\" class=\"list\">" << style_of(k).name << "</text>\n";
    lx += 40 + 7 * static_cast<int>(std::string(style_of(k).name).size());
  }
  o << "<rect x=\"" << lx << "\" y=\"84\" width=\"14\" height=\"14\" class=\"reserved\"/><text x=\"" << lx + 20
    << "\" y=\"96\" class=\"list\">reserved (application)</text>\n";
  lx += 190;
  o << "<rect x=\"" << lx << "\" y=\"84\" width=\"14\" height=\"14\" class=\"free\" stroke=\"#777\"/><text x=\"" << lx + 20
    << "\" y=\"96\" class=\"list\">free</text>\n";
  o << body.str() << "</svg>\n";
  return o.str();
}

}  // namespace chorus::tools
