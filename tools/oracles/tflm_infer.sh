#!/usr/bin/env bash
# Builds tools/oracles/tflm_infer.cpp (TFLM's MicroInterpreter with its reference kernels)
# against trees fetched outside the repository, into OUT_BINARY.
# Usage: tools/oracles/tflm_infer.sh TFLITE_MICRO_TREE FLATBUFFERS_TREE GEMMLOWP_TREE RUY_TREE OUT_BINARY
#   FLATBUFFERS_TREE: google/flatbuffers at the version tflite-micro's schema_generated.h asserts.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
[ $# -eq 5 ] || { echo "usage: tools/oracles/tflm_infer.sh TFLITE_MICRO FLATBUFFERS GEMMLOWP RUY OUT_BINARY" >&2; exit 2; }
tflm="$1"; fb="$2"; gemmlowp="$3"; ruy="$4"; out="$5"
# CHORUS_ORACLE_WORK: keep the objects there between runs (default: a temporary directory).
if [ -n "${CHORUS_ORACLE_WORK:-}" ]; then work="$CHORUS_ORACLE_WORK"; mkdir -p "$work"; else work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT; fi
srcs=()
# The kernels of the ops the harness registers (tools/oracles/tflm_infer.cpp) and what they share.
kernels=()
for k in conv conv_common depthwise_conv depthwise_conv_common fully_connected fully_connected_common reshape reshape_common \
         softmax softmax_common pooling pooling_common kernel_util resize_nearest_neighbor resize_bilinear transpose_conv \
         logistic logistic_common tanh hard_swish hard_swish_common leaky_relu leaky_relu_common pad pad_common add add_common \
         mul mul_common reduce reduce_common concatenation quantize quantize_common activations activations_common \
         sub sub_common prelu prelu_common strided_slice strided_slice_common elementwise transpose transpose_common \
         arg_min_max split split_v slice unpack pack squared_difference batch_matmul batch_matmul_common expand_dims; do
  kernels+=("$tflm/tensorflow/lite/micro/kernels/$k.cc")
done
for f in "$tflm"/tensorflow/lite/micro/*.cc "${kernels[@]}" "$tflm"/tensorflow/lite/micro/arena_allocator/*.cc \
         "$tflm"/tensorflow/lite/micro/memory_planner/*.cc "$tflm"/tensorflow/lite/micro/tflite_bridge/*.cc \
         "$tflm"/tensorflow/lite/kernels/internal/*.cc "$tflm"/tensorflow/lite/kernels/kernel_util.cc \
         "$tflm"/tensorflow/lite/core/c/common.cc "$tflm"/tensorflow/lite/core/api/*.cc "$tflm"/tensorflow/lite/schema/schema_utils.cc \
         "$tflm"/tensorflow/lite/kernels/internal/reference/portable_tensor_utils.cc "$tflm"/tensorflow/compiler/mlir/lite/core/api/error_reporter.cc "$tflm"/tensorflow/compiler/mlir/lite/schema/schema_utils.cc; do
  case "$f" in *_test.cc|*test_helper*|*fake_micro_context*|*mock_micro_graph*|*recording*|*/micro/kernels/*_test*|*test_util*) continue;; esac
  [ -f "$f" ] && srcs+=("$f")
done
flags=(-std=c++17 -O1 -fno-exceptions -fno-rtti -DTF_LITE_STATIC_MEMORY -DTF_LITE_DISABLE_X86_NEON -DNDEBUG -I"$tflm" -I"$fb/include" -I"$gemmlowp" -I"$ruy")
objs=()
for f in "${srcs[@]}"; do
  o="$work/$(echo "$f" | md5sum | cut -c1-12).o"
  [ -f "$o" ] || g++ "${flags[@]}" -c "$f" -o "$o" 2> "$o.log" || { echo "tflm_infer: $f did not compile:"; tail -5 "$o.log"; exit 1; }
  objs+=("$o")
done
g++ "${flags[@]}" "$here/tools/oracles/tflm_infer.cpp" "${objs[@]}" -o "$out"
echo "tflm_infer: built $out from ${#srcs[@]} TFLM sources"
