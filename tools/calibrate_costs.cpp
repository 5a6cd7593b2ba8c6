// chorus_calibrate_costs: a board's <cost> coefficients from per-operator instruction counts.
//
//   chorus_calibrate_costs [--models DIR] [--lanes 1,4,16] [--ops] TSV [TSV ...]
//
// TSV: what `CHORUS_BENCH_OPS=FILE scripts/firmware-test.sh CORE --bench` writes (the
// measured counts of the shared golden models on that core under QEMU). Prints, per core,
// the <kind> elements of the board's <cost> (tools/lib/include/chorus/tools/cost_fit.hpp
// explains the fit) and each model's measured and predicted instructions. The `step`
// attribute is measured separately (the same run's "instructions_per_step" lines). --ops
// also prints every operator's measured and predicted instructions.
// Exit status: 0 when every core was fitted, 1 on a read or fit error, 2 on bad usage.
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "chorus/module/board.hpp"
#include "chorus/tools/cost_fit.hpp"

namespace {

int usage() {
  std::fprintf(stderr, "usage: chorus_calibrate_costs [--models DIR] [--lanes 1,4,16] [--ops] TSV [TSV ...]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string models = CHORUS_SHARED_DIR "/models";
  std::vector<uint32_t> lanes = {1, 4, 16};
  std::vector<std::string> files;
  bool per_op = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--ops") {
      per_op = true;
    } else if (a == "--models" && i + 1 < argc) {
      models = argv[++i];
    } else if (a == "--lanes" && i + 1 < argc) {
      lanes.clear();
      for (const char* p = argv[++i]; *p != '\0';) {
        char* end = nullptr;
        const unsigned long v = std::strtoul(p, &end, 10);
        if (end == p || v == 0 || v > 64) return usage();
        lanes.push_back(static_cast<uint32_t>(v));
        p = *end == ',' ? end + 1 : end;
        if (*end != ',' && *end != '\0') return usage();
      }
    } else if (!a.empty() && a[0] == '-') {
      return usage();
    } else {
      files.push_back(a);
    }
  }
  if (files.empty()) return usage();
  std::map<std::string, std::vector<chorus::tools::MeasuredOp>> by_core;
  for (const std::string& f : files) {
    std::vector<chorus::tools::MeasuredOp> rows;
    std::string error;
    if (!chorus::tools::read_measured_ops(f, &rows, &error)) {
      std::fprintf(stderr, "chorus_calibrate_costs: %s\n", error.c_str());
      return 1;
    }
    for (auto& r : rows) by_core[r.core].push_back(r);
  }
  int status = 0;
  for (const auto& [core, rows] : by_core) {
    chorus::tools::CostFit fit;
    std::string error;
    if (!chorus::tools::fit_costs(rows, models, lanes, &fit, &error)) {
      std::fprintf(stderr, "chorus_calibrate_costs: %s: %s\n", core.c_str(), error.c_str());
      status = 1;
      continue;
    }
    std::printf("%s: %zu operators, lanes %u, worst model %.1f %% (%s)\n", core.c_str(), fit.ops,
                static_cast<unsigned>(fit.cost.lanes), 100.0 * fit.worst_error, fit.worst_model.c_str());
    std::printf("    <cost lanes=\"%u\" margin=\"%u.%03u\" step=\"...\">\n", static_cast<unsigned>(fit.cost.lanes),
                fit.cost.margin_permille / 1000, fit.cost.margin_permille % 1000);
    for (size_t k = 0; k < chorus::board::kOpKinds; ++k) {
      const auto kind = static_cast<chorus::board::OpKind>(k);
      std::printf("      <kind name=\"%s\"", chorus::board::op_kind_name(kind));
      for (size_t f = 0; f < chorus::board::kOpFeatures; ++f) {
        const auto feature = static_cast<chorus::board::OpFeature>(f);
        if (!chorus::tools::fitted_feature(kind, feature)) continue;
        const int32_t m = fit.cost.millicycles[k][f];
        std::printf(" %s=\"%s%d.%03d\"", chorus::board::op_feature_name(feature), m < 0 ? "-" : "", std::abs(m) / 1000,
                    std::abs(m) % 1000);
      }
      std::printf("/>\n");
    }
    std::printf("    </cost>\n");
    if (per_op) {
      std::vector<chorus::tools::ModelFit> unused;
      std::vector<chorus::tools::OpFit> ops;
      if (!chorus::tools::predict_models(rows, models, fit.cost, &unused, &error, &ops)) {
        std::fprintf(stderr, "chorus_calibrate_costs: %s: %s\n", core.c_str(), error.c_str());
        status = 1;
      }
      for (const chorus::tools::OpFit& o : ops)
        std::printf("    %-26s %3u %-20s measured %10llu  predicted %10llu  %+.1f %%\n", o.model.c_str(), o.op_index,
                    o.op_name.c_str(), static_cast<unsigned long long>(o.measured), static_cast<unsigned long long>(o.predicted),
                    100.0 * (static_cast<double>(o.predicted) / static_cast<double>(o.measured) - 1.0));
    }
    for (const chorus::tools::ModelFit& m : fit.models) {
      std::printf("  %-28s %3zu ops  measured %10llu  predicted %10llu  %+.1f %%\n", m.model.c_str(), m.ops,
                  static_cast<unsigned long long>(m.measured), static_cast<unsigned long long>(m.predicted),
                  100.0 * (static_cast<double>(m.predicted) / static_cast<double>(m.measured) - 1.0));
    }
  }
  return status;
}
