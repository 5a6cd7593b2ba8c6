#include "chorus/tools/cost_fit.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>

#include "chorus/runtime/interpreter.hpp"
#include "chorus/runtime/kernel.hpp"
#include "chorus/runtime/model.hpp"
#include "chorus/scheduler/cost_model.hpp"
#include "chorus/tools/file.hpp"

namespace chorus::tools {
namespace {

using board::OpFeature;
using board::OpKind;
constexpr size_t kKinds = board::kOpKinds;
constexpr size_t kFeatures = board::kOpFeatures;

bool parse_u64(const std::string& s, uint64_t* out) {
  if (s.empty() || s.size() > 19) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  *out = v;
  return true;
}

// A model file read and loaded once (a model's bytes must outlive it).
struct LoadedModel {
  AlignedBytes bytes;
  runtime::Model model;
};

class Models {
 public:
  explicit Models(std::string dir) : dir_(std::move(dir)) {}
  const runtime::Model* get(const std::string& name, std::string* error) {
    auto it = models_.find(name);
    if (it != models_.end()) return &it->second->model;
    auto m = std::make_unique<LoadedModel>();
    const std::string path = dir_ + "/" + name + ".tflite";
    if (!read_file(path, &m->bytes, error)) return nullptr;
    Result<runtime::Model> loaded = runtime::Model::load(m->bytes.span());
    if (!loaded.is_ok()) {
      *error = path + ": " + loaded.status().message();
      return nullptr;
    }
    m->model = *loaded;
    return &models_.emplace(name, std::move(m)).first->second->model;
  }

 private:
  std::string dir_;
  std::map<std::string, std::unique_ptr<LoadedModel>> models_;
};

bool has_custom_op(const runtime::Model& m) {
  for (size_t i = 0; i < m.num_ops(); ++i)
    if (m.op(i).code == static_cast<int32_t>(runtime::OpCode::kCustom)) return true;
  return false;
}

struct Row {
  const MeasuredOp* op;
  sched::OpFeatures features;
};

// The rows' features for `lanes`, models with custom operators left out; checks each row
// against its model.
bool rows_with_features(const std::vector<MeasuredOp>& rows, Models& models, uint32_t lanes, std::vector<Row>* out,
                        std::string* error) {
  out->clear();
  for (const MeasuredOp& r : rows) {
    const runtime::Model* m = models.get(r.model, error);
    if (m == nullptr) return false;
    if (has_custom_op(*m)) continue;
    if (r.op_index >= m->num_ops()) {
      *error = r.model + ": op " + std::to_string(r.op_index) + " measured, the model has " + std::to_string(m->num_ops());
      return false;
    }
    const runtime::OpInfo info = m->op(r.op_index);
    const uint64_t macs = runtime::Interpreter::op_macs(*m, r.op_index, runtime::builtin_op_resolver());
    if (r.op_name != info.name() || r.macs != macs) {
      *error = r.model + " op " + std::to_string(r.op_index) + ": measured as " + r.op_name + " with " + std::to_string(r.macs) +
               " MACs, the model has " + info.name() + " with " + std::to_string(macs) + " (a measurement of another model?)";
      return false;
    }
    out->push_back(Row{&r, sched::op_features(*m, r.op_index, macs, lanes)});
  }
  return true;
}

// Solves the normal equations A x = b in place (Gauss-Jordan, partial pivoting); a column
// with no information left gets 0.
std::vector<double> solve(std::vector<std::vector<double>> a, std::vector<double> b) {
  const size_t n = b.size();
  std::vector<bool> usable(n, true);
  for (size_t i = 0; i < n; ++i) {
    size_t p = i;
    for (size_t r = i + 1; r < n; ++r)
      if (std::fabs(a[r][i]) > std::fabs(a[p][i])) p = r;
    std::swap(a[i], a[p]);
    std::swap(b[i], b[p]);
    if (std::fabs(a[i][i]) < 1e-9) {
      usable[i] = false;
      continue;
    }
    for (size_t r = 0; r < n; ++r) {
      if (r == i) continue;
      const double f = a[r][i] / a[i][i];
      if (f == 0) continue;
      for (size_t c = i; c < n; ++c) a[r][c] -= f * a[i][c];
      b[r] -= f * b[i];
    }
  }
  std::vector<double> x(n, 0.0);
  for (size_t i = 0; i < n; ++i) x[i] = usable[i] ? b[i] / a[i][i] : 0.0;
  return x;
}

void fit_kinds(const std::vector<Row>& rows, uint32_t lanes, board::CostModel* cost) {
  *cost = board::CostModel{};
  cost->lanes = static_cast<uint8_t>(lanes);
  for (size_t k = 0; k < kKinds; ++k) {
    std::vector<size_t> feats;
    for (size_t f = 0; f < kFeatures; ++f)
      if (fitted_feature(static_cast<OpKind>(k), static_cast<OpFeature>(f))) feats.push_back(f);
    const size_t n = feats.size();
    std::vector<std::vector<double>> a(n, std::vector<double>(n, 0.0));
    std::vector<double> b(n, 0.0);
    size_t count = 0;
    for (const Row& r : rows) {
      if (static_cast<size_t>(r.features.kind) != k) continue;
      ++count;
      const double y = static_cast<double>(r.op->instructions);
      const double w = 1.0 / (y > 1 ? y : 1);  // squared weight of 1/sqrt(y): relative errors
      for (size_t i = 0; i < n; ++i) {
        const double xi = static_cast<double>(r.features.value[feats[i]]);
        b[i] += w * xi * y;
        for (size_t j = 0; j < n; ++j) a[i][j] += w * xi * static_cast<double>(r.features.value[feats[j]]);
      }
    }
    if (count == 0) continue;
    // Non-negative least squares: every feature costs something or nothing, never less.
    // With at most seven features, the exact answer is the best of the subsets whose
    // unconstrained fit is non-negative (a subset's residual from the normal equations:
    // sum w y^2 - x.b).
    std::vector<double> best(n, 0.0);
    double best_gain = 0;  // how much a subset lowers the weighted residual from 0
    for (uint32_t mask = 1; mask < (1u << n); ++mask) {
      std::vector<size_t> pick;
      for (size_t i = 0; i < n; ++i)
        if (mask & (1u << i)) pick.push_back(i);
      std::vector<std::vector<double>> as(pick.size(), std::vector<double>(pick.size()));
      std::vector<double> bs(pick.size());
      for (size_t i = 0; i < pick.size(); ++i) {
        bs[i] = b[pick[i]];
        for (size_t j = 0; j < pick.size(); ++j) as[i][j] = a[pick[i]][pick[j]];
      }
      const std::vector<double> x = solve(as, bs);
      bool nonnegative = true;
      double gain = 0;
      for (size_t i = 0; i < pick.size(); ++i) {
        nonnegative = nonnegative && x[i] >= 0;
        gain += x[i] * bs[i];
      }
      if (!nonnegative || gain <= best_gain) continue;
      best_gain = gain;
      std::fill(best.begin(), best.end(), 0.0);
      for (size_t i = 0; i < pick.size(); ++i) best[pick[i]] = x[i];
    }
    for (size_t i = 0; i < n; ++i) {
      const double milli = std::round(best[i] * 1000.0);
      cost->millicycles[k][feats[i]] = static_cast<int32_t>(milli > 1e9 ? 1e9 : milli);
    }
  }
}

void totals(const std::vector<Row>& rows, const board::CostModel& cost, std::vector<ModelFit>* out) {
  sched::CpuCost cpu;
  cpu.lanes = cost.lanes;
  std::copy(&cost.millicycles[0][0], &cost.millicycles[0][0] + kKinds * kFeatures, &cpu.millicycles[0][0]);
  out->clear();
  std::map<std::string, size_t> index;
  for (const Row& r : rows) {
    auto it = index.find(r.op->model);
    if (it == index.end()) {
      it = index.emplace(r.op->model, out->size()).first;
      out->push_back(ModelFit{r.op->model, 0, 0, 0});
    }
    ModelFit& m = (*out)[it->second];
    m.measured += r.op->instructions;
    m.predicted += cpu.cycles(r.features);
    ++m.ops;
  }
}

}  // namespace

bool read_measured_ops(const std::string& path, std::vector<MeasuredOp>* out, std::string* error) {
  std::ifstream in(path);
  if (!in) {
    *error = path + ": cannot open";
    return false;
  }
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.empty()) continue;
    std::vector<std::string> cols;
    std::stringstream ss(line);
    for (std::string c; std::getline(ss, c, '\t');) cols.push_back(c);
    MeasuredOp op;
    uint64_t index = 0;
    if (cols.size() != 7 || !parse_u64(cols[2], &index) || index > 0xFFFFFFFFu || !parse_u64(cols[4], &op.macs) ||
        !parse_u64(cols[5], &op.instructions) || !parse_u64(cols[6], &op.bytes)) {
      *error = path + ":" + std::to_string(n) +
               ": expected 7 tab-separated columns: core, model, op index, op name, MACs, instructions, bytes";
      return false;
    }
    op.core = cols[0];
    op.model = cols[1];
    op.op_index = static_cast<uint32_t>(index);
    op.op_name = cols[3];
    out->push_back(op);
  }
  return true;
}

bool fitted_feature(OpKind kind, OpFeature f) {
  switch (kind) {
    case OpKind::kConv:
    case OpKind::kDepthwise:
      return f != OpFeature::kByte;
    case OpKind::kFullyConnected:
      return f == OpFeature::kBase || f == OpFeature::kMac || f == OpFeature::kOutput || f == OpFeature::kChannel;
    case OpKind::kSvdf:  // bytes: its state and time weights are int8 or int16
      return f == OpFeature::kBase || f == OpFeature::kMac || f == OpFeature::kOutput || f == OpFeature::kByte;
    case OpKind::kPool:
      return f == OpFeature::kBase || f == OpFeature::kMac || f == OpFeature::kOutput || f == OpFeature::kByte;
    case OpKind::kElementwise:
      return f == OpFeature::kBase || f == OpFeature::kMac || f == OpFeature::kByte;
    case OpKind::kOther:
      return f == OpFeature::kBase || f == OpFeature::kOutput || f == OpFeature::kByte;
  }
  return false;
}

bool fit_costs(const std::vector<MeasuredOp>& rows, const std::string& models_dir, const std::vector<uint32_t>& lanes,
               CostFit* out, std::string* error) {
  if (rows.empty()) {
    *error = "no measured operators";
    return false;
  }
  for (const MeasuredOp& r : rows) {
    if (r.core != rows[0].core) {
      *error = "rows of two cores (" + rows[0].core + ", " + r.core + "): fit one core at a time";
      return false;
    }
  }
  Models models(models_dir);
  bool have = false;
  for (uint32_t l : lanes) {
    if (l == 0 || l > 64) {
      *error = "lane count " + std::to_string(l) + " is not in 1..64";
      return false;
    }
    std::vector<Row> with;
    if (!rows_with_features(rows, models, l, &with, error)) return false;
    CostFit fit;
    fit_kinds(with, l, &fit.cost);
    totals(with, fit.cost, &fit.models);
    fit.ops = with.size();
    for (const ModelFit& m : fit.models) {
      if (m.predicted > 0 && m.measured > m.predicted) {
        // Integer arithmetic: the same thousandth on every machine.
        const uint64_t under = (1000 * (m.measured - m.predicted) + m.predicted - 1) / m.predicted;
        if (under > fit.cost.margin_permille) fit.cost.margin_permille = static_cast<uint32_t>(under > 1000 ? 1000 : under);
      }
      const double e = std::fabs(static_cast<double>(m.predicted) / static_cast<double>(m.measured) - 1.0);
      if (e > fit.worst_error || fit.worst_model.empty()) {
        fit.worst_error = e;
        fit.worst_model = m.model;
      }
    }
    // The lane count the kernels behave like: the smallest weighted residual over the
    // operators (what the fit minimises), not the worst model (a model can be off for a
    // reason no feature sees, e.g. int16 activations).
    sched::CpuCost cpu;
    cpu.lanes = fit.cost.lanes;
    std::copy(&fit.cost.millicycles[0][0], &fit.cost.millicycles[0][0] + kKinds * kFeatures, &cpu.millicycles[0][0]);
    for (const Row& r : with) {
      const double y = static_cast<double>(r.op->instructions);
      const double e = static_cast<double>(cpu.cycles(r.features)) - y;
      fit.residual += e * e / (y > 1 ? y : 1);
    }
    if (!have || fit.residual < out->residual) *out = fit;
    have = true;
  }
  if (!have) *error = "no lane counts to try";
  return have;
}

bool predict_models(const std::vector<MeasuredOp>& rows, const std::string& models_dir, const board::CostModel& cost,
                    std::vector<ModelFit>* out, std::string* error, std::vector<OpFit>* ops) {
  Models models(models_dir);
  std::vector<Row> with;
  if (!rows_with_features(rows, models, cost.lanes, &with, error)) return false;
  totals(with, cost, out);
  if (ops != nullptr) {
    sched::CpuCost cpu;
    cpu.lanes = cost.lanes;
    std::copy(&cost.millicycles[0][0], &cost.millicycles[0][0] + kKinds * kFeatures, &cpu.millicycles[0][0]);
    ops->clear();
    for (const Row& r : with)
      ops->push_back(OpFit{r.op->model, r.op->op_index, r.op->op_name, r.op->instructions, cpu.cycles(r.features)});
  }
  return true;
}

}  // namespace chorus::tools
