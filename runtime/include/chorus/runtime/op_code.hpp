// Operator codes: the TFLite BuiltinOperator values (schema facts), and their names.
#pragma once

#include <cstdint>

namespace chorus::runtime {

enum class OpCode : int32_t {
  kAdd = 0,
  kAveragePool2d = 1,
  kConcatenation = 2,
  kConv2d = 3,
  kDepthwiseConv2d = 4,
  kDequantize = 6,
  kFullyConnected = 9,
  kLogistic = 14,
  kMaxPool2d = 17,
  kMul = 18,
  kRelu = 19,
  kRelu6 = 21,
  kReshape = 22,
  kSoftmax = 25,
  kSvdf = 27,
  kTanh = 28,
  kCustom = 32,
  kPad = 34,
  kTranspose = 39,
  kMean = 40,
  kSub = 41,
  kDiv = 42,
  kSqueeze = 43,
  kStridedSlice = 45,
  kCast = 53,
  kMaximum = 55,
  kMinimum = 57,
  kPadV2 = 60,
  kTransposeConv = 67,
  kPack = 83,
  kQuantize = 114,
};

// "CONV_2D" etc.; "UNKNOWN" for values past the table.
const char* op_code_name(int32_t code);

}  // namespace chorus::runtime
