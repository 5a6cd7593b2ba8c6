// Board cost coefficients fitted to measured per-operator instruction counts (host only).
//
// The measurements are the TSV files `CHORUS_BENCH_OPS=FILE scripts/firmware-test.sh CORE
// --bench` writes: per operator of one inference of every shared golden model on the
// core's firmware under QEMU (firmware/plugin/insn_count.c), the columns core, model, op
// index, op name, MACs, instructions, bytes read and written. The features of each operator
// come from the model itself (sched::op_features, the same function the simulator and the
// analysis charge with), so the fit and the prediction cannot disagree on what a feature is.
//
// The fit, per core and per candidate lane count: for every op kind, weighted least squares
// of instructions on that kind's features (weights 1/instructions: relative errors count),
// constrained to non-negative coefficients (a feature costs something or nothing), with
// CPI 1 (dts/boards/SCHEMA.md, "Cost coefficients"). The lane count with the smallest
// weighted residual wins. The margin is the largest underestimate of a model's total
// (measured / predicted - 1), rounded up to a thousandth, 0 when none is under. Models with custom operators (the audio front ends) are left out:
// the simulator charges a front end its own measured cost.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "chorus/module/board.hpp"

namespace chorus::tools {

struct MeasuredOp {
  std::string core;
  std::string model;  // file stem under the models directory
  uint32_t op_index = 0;
  std::string op_name;
  uint64_t macs = 0;
  uint64_t instructions = 0;
  uint64_t bytes = 0;
};

// Appends the rows of one TSV file; false with `error` (file and line) on a malformed row.
bool read_measured_ops(const std::string& path, std::vector<MeasuredOp>* out, std::string* error);

struct OpFit {
  std::string model;
  uint32_t op_index = 0;
  std::string op_name;
  uint64_t measured = 0;
  uint64_t predicted = 0;
};

struct ModelFit {
  std::string model;
  uint64_t measured = 0;   // instructions of one inference
  uint64_t predicted = 0;  // cycles the cost model charges its operators
  size_t ops = 0;
};

struct CostFit {
  board::CostModel cost{};  // lanes, millicycles and margin; cycles_per_step left 0
  std::vector<ModelFit> models;
  double worst_error = 0;   // largest |predicted / measured - 1| over the models
  std::string worst_model;
  size_t ops = 0;           // operators fitted
  double residual = 0;      // sum over operators of (predicted - measured)^2 / measured
};

// Which features kind k is fitted on (the others stay 0).
bool fitted_feature(board::OpKind kind, board::OpFeature feature);

// Fits one core's rows (all rows must be of one core). Every model is read from
// `models_dir`/<model>.tflite; a row whose op name or MACs differ from the model's is an
// error (the measurement is of another build of the model). `lanes` lists the candidates.
bool fit_costs(const std::vector<MeasuredOp>& rows, const std::string& models_dir, const std::vector<uint32_t>& lanes,
               CostFit* out, std::string* error);

// Each model's measured and predicted totals under `cost` (for the rows' models), and when
// `ops` is given each operator's.
bool predict_models(const std::vector<MeasuredOp>& rows, const std::string& models_dir, const board::CostModel& cost,
                    std::vector<ModelFit>* out, std::string* error, std::vector<OpFit>* ops = nullptr);

}  // namespace chorus::tools
