// Random one-operator int8 models for the Ethos-U conformance suite: operator `index` is a
// pure function of the index (xorshift32), so the generator that writes the models for Vela
// (tests/tools/ethosu_conformance_models.cpp) and the test that checks Vela's output
// (tests/runtime/ethosu_conformance_test.cpp) build the same model without storing it.
//
// Kinds: convolution (strides 1-3, dilation 1-2, SAME/VALID, 1x1 to 7x7 kernels), depthwise
// convolution, fully connected, average and max pooling (SAME/VALID, 1x1 to 5x5), add and
// mul (with and without a broadcast second operand), maximum/minimum, softmax, mean over
// height and width, concatenation, int8 requantisation, and larger convolutions and depthwise
// convolutions (up to 32x32x64) that Vela splits into stripes and depth slices; per-tensor
// and per-channel weight scales; every fused activation.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "kernel_test_model.hpp"

namespace chorus::test {

class ConformanceRandom {
 public:
  explicit ConformanceRandom(uint32_t seed) : x_(seed * 2654435761u + 0x9E3779B9u) {
    if (x_ == 0) x_ = 1;
    for (int i = 0; i < 4; ++i) next();
  }
  uint32_t next() {
    x_ ^= x_ << 13;
    x_ ^= x_ >> 17;
    x_ ^= x_ << 5;
    return x_;
  }
  int32_t range(int32_t lo, int32_t hi) { return lo + static_cast<int32_t>(next() % static_cast<uint32_t>(hi - lo + 1)); }
  float uniform(float lo, float hi) { return lo + (hi - lo) * static_cast<float>(next() >> 8) / 16777216.0f; }
  // A scale spread over two decades, as trained models have.
  float scale(float lo, float hi) { return lo * std::pow(hi / lo, uniform(0.0f, 1.0f)); }
  bool coin() { return (next() & 1u) != 0; }

 private:
  uint32_t x_;
};

struct ConformanceOp {
  std::string kind;         // "conv", "depthwise", ...
  std::string description;  // the parameters, for messages
  // Set, from the parameters alone, when the operator falls in a class where Vela 3.10.0's
  // graph rewrite changes what is computed (so the NPU, and a faithful model of it, cannot
  // give the reference bytes): the rewrite and where Vela does it.
  const char* vela_defect = nullptr;
};

// Vela rewrites a strided convolution (the first operator of a network, or any with stride
// above 3) into a stride-1 one over an IFM reshaped W x C -> W/f x fC, padding the filter to
// match -- for dilation 1 only; it does not look at the dilation.
constexpr const char* kVelaStridedDilatedFold =
    "Vela folds the x stride into the IFM depth ignoring the x dilation (tflite_graph_optimiser.py fixup_strided_conv)";
// Vela turns a MEAN whose reduced axes all have size 1 into a byte copy, dropping the
// requantisation between different input and output scales.
constexpr const char* kVelaMeanCopy =
    "Vela turns a MEAN over size-1 axes into a copy, dropping the requantisation (tflite_graph_optimiser.py convert_mean_to_depthwise_conv, Memcpy)";

inline std::vector<uint8_t> random_int8(ConformanceRandom& r, size_t n, int32_t lo = -127, int32_t hi = 127) {
  std::vector<uint8_t> v(n);
  for (auto& b : v) b = static_cast<uint8_t>(static_cast<int8_t>(r.range(lo, hi)));
  return v;
}

inline int32_t same_out(int32_t in, int32_t stride) { return (in + stride - 1) / stride; }
inline int32_t valid_out(int32_t in, int32_t k, int32_t stride, int32_t dilation) {
  const int32_t extent = (k - 1) * dilation + 1;
  return in < extent ? 0 : (in - extent) / stride + 1;
}

// Builds operator `index` into `m` (tensors and the op); false when the drawn parameters give no
// valid output (the caller skips the index).
inline bool build_conformance_op(uint32_t index, SingleOpModel* m, ConformanceOp* out) {
  using runtime::DType;
  using runtime::OpCode;
  namespace fb = chorus::tflite;
  ConformanceRandom r(index);
  const int kind = static_cast<int>(index % 13);
  const auto activation = static_cast<fb::ActivationFunctionType>(r.range(0, 3));
  const float in_scale = r.scale(0.004f, 0.2f);
  const int32_t in_zp = r.range(-128, 127);
  const float out_scale = r.scale(0.004f, 0.4f);
  const int32_t out_zp = r.range(-128, 127);
  char text[256];
  switch (kind) {
    case 0:
    case 1:
    case 9:
    case 12: {  // convolution, depthwise (kind 1), larger kernels (kind 9), larger maps (kind 12)
      const bool big = kind == 12;
      const bool depthwise = kind == 1 || (big && r.coin());
      const int32_t h = r.range(1, big ? 32 : 12), w = r.range(1, big ? 32 : 12);
      const int32_t cin = depthwise ? r.range(1, big ? 64 : 24) : r.range(1, kind == 9 ? 40 : big ? 48 : 24);
      const int32_t cout = depthwise ? cin : r.range(1, big ? 64 : 24);
      const int32_t kh = r.range(1, kind == 9 ? 7 : 3), kw = r.range(1, kind == 9 ? 7 : 3);
      const int32_t sy = r.range(1, 3), sx = r.range(1, 3);
      const int32_t dy = kind == 9 && r.coin() ? 2 : 1, dx = kind == 9 && r.coin() ? 2 : 1;
      const bool same = r.coin();
      const int32_t oh = same ? same_out(h, sy) : valid_out(h, kh, sy, dy), ow = same ? same_out(w, sx) : valid_out(w, kw, sx, dx);
      if (oh < 1 || ow < 1) return false;
      const bool per_channel = r.coin();
      std::vector<float> wscales(static_cast<size_t>(per_channel ? cout : 1));
      for (float& s : wscales) s = r.scale(0.001f, 0.05f);
      const int input = m->add_tensor(DType::kInt8, {1, h, w, cin}, in_scale, in_zp);
      const size_t wcount = static_cast<size_t>(cout) * static_cast<size_t>(kh) * static_cast<size_t>(kw) * (depthwise ? 1 : static_cast<size_t>(cin));
      const std::vector<int32_t> wshape = depthwise ? std::vector<int32_t>{1, kh, kw, cout} : std::vector<int32_t>{cout, kh, kw, cin};
      const int weights = m->add_per_channel_const(DType::kInt8, wshape, random_int8(r, wcount), wscales, depthwise ? 3 : 0);
      std::vector<int32_t> bias(static_cast<size_t>(cout));
      for (int32_t& b : bias) b = r.range(-4000, 4000);
      std::vector<float> bscales;
      for (float s : wscales) bscales.push_back(s * in_scale);
      const int b = m->add_per_channel_const(DType::kInt32, {cout}, to_bytes(bias), bscales, 0);
      const int output = m->add_tensor(DType::kInt8, {1, oh, ow, cout}, out_scale, out_zp);
      if (depthwise) {
        m->set_op(OpCode::kDepthwiseConv2d, {input, weights, b}, {output}, fb::BuiltinOptions::DepthwiseConv2DOptions,
                  [=](flatbuffers::FlatBufferBuilder& f) {
                    return fb::CreateDepthwiseConv2DOptions(f, same ? fb::Padding::SAME : fb::Padding::VALID, sx, sy, 1, activation, dx, dy)
                        .Union();
                  });
      } else {
        m->set_op(OpCode::kConv2d, {input, weights, b}, {output}, fb::BuiltinOptions::Conv2DOptions, [=](flatbuffers::FlatBufferBuilder& f) {
          return fb::CreateConv2DOptions(f, same ? fb::Padding::SAME : fb::Padding::VALID, sx, sy, activation, dx, dy).Union();
        });
      }
      std::snprintf(text, sizeof text, "%s %dx%dx%d -> %dx%dx%d kernel %dx%d stride %d,%d dilation %d,%d %s %s act %d",
                    depthwise ? "depthwise" : "conv", h, w, cin, oh, ow, cout, kh, kw, sy, sx, dy, dx, same ? "SAME" : "VALID",
                    per_channel ? "per-channel" : "per-tensor", static_cast<int>(activation));
      *out = ConformanceOp{depthwise ? "depthwise" : "conv", text};
      if (!depthwise && sx > 1 && dx > 1) out->vela_defect = kVelaStridedDilatedFold;
      return true;
    }
    case 2: {  // fully connected
      const int32_t batch = r.range(1, 4), cin = r.range(1, 64), cout = r.range(1, 32);
      const float wscale = r.scale(0.001f, 0.05f);
      const int input = m->add_tensor(DType::kInt8, {batch, cin}, in_scale, in_zp);
      const int weights = m->add_tensor(DType::kInt8, {cout, cin}, wscale, 0, random_int8(r, static_cast<size_t>(cout * cin)));
      std::vector<int32_t> bias(static_cast<size_t>(cout));
      for (int32_t& b : bias) b = r.range(-4000, 4000);
      const int b = m->add_tensor(DType::kInt32, {cout}, wscale * in_scale, 0, to_bytes(bias));
      const int output = m->add_tensor(DType::kInt8, {batch, cout}, out_scale, out_zp);
      m->set_op(OpCode::kFullyConnected, {input, weights, b}, {output}, fb::BuiltinOptions::FullyConnectedOptions,
                [=](flatbuffers::FlatBufferBuilder& f) { return fb::CreateFullyConnectedOptions(f, activation).Union(); });
      std::snprintf(text, sizeof text, "fully_connected %dx%d -> %d act %d", batch, cin, cout, static_cast<int>(activation));
      *out = ConformanceOp{"fully_connected", text};
      return true;
    }
    case 3:
    case 4: {  // average / max pooling: one quantisation in and out (TFLite int8)
      const bool average = kind == 3;
      const int32_t h = r.range(1, 12), w = r.range(1, 12), c = r.range(1, 24);
      const int32_t fh = r.range(1, 5), fw = r.range(1, 5), sy = r.range(1, 3), sx = r.range(1, 3);
      const bool same = r.coin();
      const int32_t oh = same ? same_out(h, sy) : valid_out(h, fh, sy, 1), ow = same ? same_out(w, sx) : valid_out(w, fw, sx, 1);
      if (oh < 1 || ow < 1) return false;
      const int input = m->add_tensor(DType::kInt8, {1, h, w, c}, in_scale, in_zp);
      const int output = m->add_tensor(DType::kInt8, {1, oh, ow, c}, in_scale, in_zp);
      m->set_op(average ? OpCode::kAveragePool2d : OpCode::kMaxPool2d, {input}, {output}, fb::BuiltinOptions::Pool2DOptions,
                [=](flatbuffers::FlatBufferBuilder& f) {
                  return fb::CreatePool2DOptions(f, same ? fb::Padding::SAME : fb::Padding::VALID, sx, sy, fw, fh, activation).Union();
                });
      std::snprintf(text, sizeof text, "%s %dx%dx%d filter %dx%d stride %d,%d %s act %d", average ? "average_pool" : "max_pool", h, w,
                    c, fh, fw, sy, sx, same ? "SAME" : "VALID", static_cast<int>(activation));
      *out = ConformanceOp{average ? "average_pool" : "max_pool", text};
      return true;
    }
    case 5:
    case 6:
    case 7: {  // add, mul, maximum/minimum; the second operand full or broadcast along H and W
      const int32_t h = r.range(1, 10), w = r.range(1, 10), c = r.range(1, 24);
      const bool broadcast = r.range(0, 2) == 0;
      const float in2_scale = kind == 7 ? in_scale : r.scale(0.004f, 0.2f);
      const int32_t in2_zp = kind == 7 ? in_zp : r.range(-128, 127);
      const int a = m->add_tensor(DType::kInt8, {1, h, w, c}, in_scale, in_zp);
      const int bb = m->add_tensor(DType::kInt8, broadcast ? std::vector<int32_t>{1, 1, 1, c} : std::vector<int32_t>{1, h, w, c}, in2_scale,
                                   in2_zp);
      const float oscale = kind == 7 ? in_scale : out_scale;
      const int32_t ozp = kind == 7 ? in_zp : out_zp;
      const int output = m->add_tensor(DType::kInt8, {1, h, w, c}, oscale, ozp);
      const char* name = "add";
      if (kind == 5) {
        m->set_op(OpCode::kAdd, {a, bb}, {output}, fb::BuiltinOptions::AddOptions,
                  [=](flatbuffers::FlatBufferBuilder& f) { return fb::CreateAddOptions(f, activation).Union(); });
      } else if (kind == 6) {
        name = "mul";
        m->set_op(OpCode::kMul, {a, bb}, {output}, fb::BuiltinOptions::MulOptions,
                  [=](flatbuffers::FlatBufferBuilder& f) { return fb::CreateMulOptions(f, activation).Union(); });
      } else {
        const bool maximum = r.coin();
        name = maximum ? "maximum" : "minimum";
        m->set_op(maximum ? OpCode::kMaximum : OpCode::kMinimum, {a, bb}, {output});
      }
      std::snprintf(text, sizeof text, "%s %dx%dx%d %s act %d", name, h, w, c, broadcast ? "broadcast 1x1xC" : "full",
                    kind == 7 ? 0 : static_cast<int>(activation));
      *out = ConformanceOp{name, text};
      return true;
    }
    case 10: {  // concatenation of two or three maps with one quantisation, along H, W or C
      const int32_t parts = r.range(2, 3), axis = r.range(1, 3);
      int32_t dims[3] = {r.range(1, 8), r.range(1, 8), r.range(1, 16)};
      std::vector<int32_t> ins;
      int32_t total = 0;
      for (int32_t p = 0; p < parts; ++p) {
        std::vector<int32_t> shape{1, dims[0], dims[1], dims[2]};
        shape[static_cast<size_t>(axis)] = r.range(1, axis == 3 ? 16 : 8);
        total += shape[static_cast<size_t>(axis)];
        ins.push_back(m->add_tensor(DType::kInt8, shape, in_scale, in_zp));
      }
      std::vector<int32_t> oshape{1, dims[0], dims[1], dims[2]};
      oshape[static_cast<size_t>(axis)] = total;
      const int output = m->add_tensor(DType::kInt8, oshape, in_scale, in_zp);
      m->set_op(OpCode::kConcatenation, ins, {output}, fb::BuiltinOptions::ConcatenationOptions,
                [=](flatbuffers::FlatBufferBuilder& f) { return fb::CreateConcatenationOptions(f, axis).Union(); });
      std::snprintf(text, sizeof text, "concatenation of %d along axis %d -> %dx%dx%d", parts, axis, oshape[1], oshape[2], oshape[3]);
      *out = ConformanceOp{"concatenation", text};
      return true;
    }
    case 11: {  // int8 -> int8 requantisation
      const int32_t h = r.range(1, 12), w = r.range(1, 12), c = r.range(1, 24);
      const int input = m->add_tensor(DType::kInt8, {1, h, w, c}, in_scale, in_zp);
      const int output = m->add_tensor(DType::kInt8, {1, h, w, c}, out_scale, out_zp);
      m->set_op(OpCode::kQuantize, {input}, {output});
      std::snprintf(text, sizeof text, "quantize %dx%dx%d scale %g -> %g", h, w, c, static_cast<double>(in_scale), static_cast<double>(out_scale));
      *out = ConformanceOp{"quantize", text};
      return true;
    }
    case 8:
    default: {  // softmax (TFLite int8: output scale 1/256, zero point -128) or mean over H and W
      if (r.coin()) {
        const int32_t rows = r.range(1, 6), c = r.range(2, 40);
        const int input = m->add_tensor(DType::kInt8, {1, rows, c}, in_scale, in_zp);
        const int output = m->add_tensor(DType::kInt8, {1, rows, c}, 1.0f / 256.0f, -128);
        m->set_op(OpCode::kSoftmax, {input}, {output}, fb::BuiltinOptions::SoftmaxOptions,
                  [](flatbuffers::FlatBufferBuilder& f) { return fb::CreateSoftmaxOptions(f, 1.0f).Union(); });
        std::snprintf(text, sizeof text, "softmax %dx%d input scale %g zp %d", rows, c, static_cast<double>(in_scale), in_zp);
        *out = ConformanceOp{"softmax", text};
        return true;
      }
      const int32_t h = r.range(1, 10), w = r.range(1, 10), c = r.range(1, 24);
      const int input = m->add_tensor(DType::kInt8, {1, h, w, c}, in_scale, in_zp);
      const std::vector<int32_t> axes{1, 2};
      const int axis = m->add_const(DType::kInt32, {2}, axes);
      const int output = m->add_tensor(DType::kInt8, {1, 1, 1, c}, out_scale, out_zp);
      m->set_op(OpCode::kMean, {input, axis}, {output}, fb::BuiltinOptions::ReducerOptions,
                [](flatbuffers::FlatBufferBuilder& f) { return fb::CreateReducerOptions(f, true).Union(); });
      std::snprintf(text, sizeof text, "mean %dx%dx%d over H,W", h, w, c);
      *out = ConformanceOp{"mean", text};
      if (h == 1 && w == 1 && (in_scale != out_scale || in_zp != out_zp)) out->vela_defect = kVelaMeanCopy;
      return true;
    }
  }
}

// The input bytes operator `index` is tested with: every activation input, in order.
inline std::vector<uint8_t> conformance_input(uint32_t index, size_t bytes) {
  ConformanceRandom r(index ^ 0x5EEDu);
  std::vector<uint8_t> v(bytes);
  for (auto& b : v) b = static_cast<uint8_t>(r.next() >> 24);
  return v;
}

}  // namespace chorus::test
