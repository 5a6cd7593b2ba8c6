// Oracle (host, not part of the build): runs a .tflite model with TFLM's MicroInterpreter and
// reference kernels on raw input bytes and writes the raw output bytes, so Chorus's outputs
// can be checked against TFLM's. Compiled by tools/oracles/tflm_infer.sh against a
// tflite-micro tree (with the flatbuffers version it names) fetched outside the repository.
//   tflm_infer MODEL.tflite IN.bin OUT.bin
#include <cstdio>
#include <cstring>
#include <vector>

#include "tensorflow/lite/micro/micro_interpreter.h"
#include "tensorflow/lite/micro/micro_mutable_op_resolver.h"
#include "tensorflow/lite/schema/schema_generated.h"

namespace {

std::vector<unsigned char> read_all(const char* path) {
  std::vector<unsigned char> out;
  FILE* f = std::fopen(path, "rb");
  if (f == nullptr) return out;
  unsigned char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof(buf), f)) > 0;) out.insert(out.end(), buf, buf + n);
  std::fclose(f);
  return out;
}

alignas(16) unsigned char g_arena[8 * 1024 * 1024];  // ImageNet-sized models (MobileNet v2 needs 2.4 MB)

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: tflm_infer MODEL.tflite IN.bin OUT.bin\n");
    return 2;
  }
  std::vector<unsigned char> model_bytes = read_all(argv[1]);
  // The model in 16-byte-aligned memory.
  std::vector<unsigned char> aligned(model_bytes.size() + 16);
  unsigned char* model_data = aligned.data() + (16 - reinterpret_cast<uintptr_t>(aligned.data()) % 16) % 16;
  std::memcpy(model_data, model_bytes.data(), model_bytes.size());
  const std::vector<unsigned char> input = read_all(argv[2]);
  const tflite::Model* model = tflite::GetModel(model_data);
  tflite::MicroMutableOpResolver<48> resolver;
  resolver.AddConv2D();
  resolver.AddDepthwiseConv2D();
  resolver.AddFullyConnected();
  resolver.AddReshape();
  resolver.AddSoftmax();
  resolver.AddAveragePool2D();
  resolver.AddMaxPool2D();
  // For the Ethos-U operators Chorus's own kernels do not have (tools/oracles/ethosu_tflm_vectors.py).
  resolver.AddResizeNearestNeighbor();
  resolver.AddResizeBilinear();
  resolver.AddTransposeConv();
  resolver.AddLogistic();
  resolver.AddTanh();
  resolver.AddHardSwish();
  resolver.AddLeakyRelu();
  resolver.AddPad();
  resolver.AddPadV2();
  resolver.AddAdd();
  resolver.AddMul();
  resolver.AddMean();
  resolver.AddConcatenation();
  resolver.AddQuantize();
  resolver.AddRelu();
  resolver.AddRelu6();
  resolver.AddSub();
  resolver.AddPrelu();
  resolver.AddStridedSlice();
  resolver.AddAbs();
  resolver.AddRsqrt();
  resolver.AddTranspose();
  resolver.AddArgMax();
  resolver.AddSplit();
  resolver.AddSplitV();
  resolver.AddSlice();
  resolver.AddUnpack();
  resolver.AddPack();
  resolver.AddSquaredDifference();
  resolver.AddBatchMatMul();
  resolver.AddExpandDims();
  tflite::MicroInterpreter interpreter(model, resolver, g_arena, sizeof(g_arena));
  if (interpreter.AllocateTensors() != kTfLiteOk) {
    std::fprintf(stderr, "tflm_infer: AllocateTensors failed\n");
    return 1;
  }
  // Every input, in order, from the concatenated bytes.
  size_t at = 0;
  for (size_t i = 0; i < interpreter.inputs_size(); ++i) {
    TfLiteTensor* in = interpreter.input(i);
    if (at + in->bytes > input.size()) {
      std::fprintf(stderr, "tflm_infer: input is %zu bytes, the model takes more\n", input.size());
      return 1;
    }
    std::memcpy(in->data.raw, input.data() + at, in->bytes);
    at += in->bytes;
  }
  if (at != input.size()) {
    std::fprintf(stderr, "tflm_infer: input is %zu bytes, the model takes %zu\n", input.size(), at);
    return 1;
  }
  if (interpreter.Invoke() != kTfLiteOk) {
    std::fprintf(stderr, "tflm_infer: Invoke failed\n");
    return 1;
  }
  const TfLiteTensor* out = interpreter.output(0);
  FILE* f = std::fopen(argv[3], "wb");
  if (f == nullptr || std::fwrite(out->data.raw, 1, out->bytes, f) != out->bytes || std::fclose(f) != 0) {
    std::fprintf(stderr, "tflm_infer: cannot write %s\n", argv[3]);
    return 1;
  }
  return 0;
}
