"""Writes int8 TensorFlow Lite models with python3-flatbuffers' Builder.

Field slots, enum values and union tags are the published TFLite schema's
(tensorflow/compiler/mlir/lite/schema/schema.fbs; Chorus reads the same ids, see
runtime/schema/tflite_subset.fbs). What every file gets:
  * model version 3 and the "TFL3" file identifier;
  * buffer 0 empty; every tensor without data points at it;
  * constant data vectors aligned to 16 bytes (the schema's force_align: 16);
  * both op-code fields, deprecated_builtin_code (the int8 code, < 127 for every op used)
    and builtin_code, and the op version TFLite's op_version.cc assigns to int8 kernels.
"""

import flatbuffers
import numpy as np

# BuiltinOperator values.
ADD, AVERAGE_POOL_2D, CONV_2D, DEPTHWISE_CONV_2D = 0, 1, 3, 4
FULLY_CONNECTED, MAX_POOL_2D, RESHAPE, SOFTMAX, MEAN = 9, 17, 22, 25, 40

# Op versions for int8 inputs (tensorflow/lite/tools/versioning/op_version.cc).
INT8_VERSION = {ADD: 2, AVERAGE_POOL_2D: 2, CONV_2D: 3, DEPTHWISE_CONV_2D: 3, FULLY_CONNECTED: 4,
                MAX_POOL_2D: 2, RESHAPE: 1, SOFTMAX: 2, MEAN: 2}

# TensorType values.
FLOAT32, INT32, INT64, INT16, INT8 = 0, 2, 4, 7, 9
_NUMPY_TYPE = {INT8: np.int8, INT16: np.int16, INT32: np.int32, INT64: np.int64, FLOAT32: np.float32}

# BuiltinOptions union tags.
OPT_NONE, OPT_CONV2D, OPT_DEPTHWISE, OPT_POOL2D, OPT_FULLY_CONNECTED = 0, 1, 2, 5, 8
OPT_SOFTMAX, OPT_ADD, OPT_RESHAPE, OPT_REDUCER = 9, 11, 17, 27

# Padding and ActivationFunctionType.
SAME, VALID = 0, 1
ACT_NONE, ACT_RELU, ACT_RELU6 = 0, 1, 3


def conv2d_options(padding, stride_h, stride_w, activation):
    # Conv2DOptions: padding 0, stride_w 1, stride_h 2, fused_activation_function 3,
    # dilation_w_factor 4, dilation_h_factor 5.
    return OPT_CONV2D, [(0, "int8", padding), (1, "int32", stride_w), (2, "int32", stride_h),
                        (3, "int8", activation), (4, "int32", 1), (5, "int32", 1)]


def fully_connected_options(activation):
    # FullyConnectedOptions: fused_activation_function 0, weights_format 1 (DEFAULT),
    # keep_num_dims 2, asymmetric_quantize_inputs 3.
    return OPT_FULLY_CONNECTED, [(0, "int8", activation), (1, "int8", 0), (2, "bool", False)]


def softmax_options(beta=1.0):
    return OPT_SOFTMAX, [(0, "float32", beta)]


def reshape_options(new_shape):
    return OPT_RESHAPE, [(0, "int32_vector", list(new_shape))]


def pool2d_options(padding, stride_h, stride_w, filter_h, filter_w, activation):
    # Pool2DOptions: padding 0, stride_w 1, stride_h 2, filter_width 3, filter_height 4,
    # fused_activation_function 5.
    return OPT_POOL2D, [(0, "int8", padding), (1, "int32", stride_w), (2, "int32", stride_h),
                        (3, "int32", filter_w), (4, "int32", filter_h), (5, "int8", activation)]


def reducer_options(keep_dims):
    return OPT_REDUCER, [(0, "bool", keep_dims)]


class ModelBuilder:
    """One subgraph of tensors and operators, serialised by to_bytes()."""

    def __init__(self, description):
        self.description = description
        self.buffers = [None]  # buffer 0: empty
        self.tensors = []
        self.operators = []
        self.opcodes = []  # (builtin code, version)
        self.inputs = []
        self.outputs = []

    def constant(self, name, array, dtype, quant=None):
        """A tensor whose data lives in its own buffer."""
        data = np.ascontiguousarray(np.asarray(array, dtype=_NUMPY_TYPE[dtype]))
        self.buffers.append(data.astype(data.dtype.newbyteorder("<")).tobytes())
        return self._tensor(name, data.shape, dtype, len(self.buffers) - 1, quant)

    def activation(self, name, shape, dtype, quant=None):
        return self._tensor(name, shape, dtype, 0, quant)

    def _tensor(self, name, shape, dtype, buffer, quant):
        self.tensors.append({"name": name, "shape": [int(d) for d in shape], "type": dtype, "buffer": buffer, "quant": quant})
        return len(self.tensors) - 1

    def operator(self, code, inputs, outputs, options=(OPT_NONE, [])):
        key = (code, INT8_VERSION[code])
        if key not in self.opcodes:
            self.opcodes.append(key)
        self.operators.append({"opcode": self.opcodes.index(key), "inputs": inputs, "outputs": outputs, "options": options})

    # Serialisation (flatbuffers are built back to front: children before parents).

    def to_bytes(self):
        b = flatbuffers.Builder(4096)
        description = b.CreateString(self.description)
        buffers = [self._buffer(b, data) for data in self.buffers]
        tensors = [self._tensor_table(b, t) for t in self.tensors]
        operators = [self._operator_table(b, op) for op in self.operators]
        opcodes = [self._opcode_table(b, code, version) for code, version in self.opcodes]

        t_vec = self._offsets(b, tensors)
        in_vec = self._int32s(b, self.inputs)
        out_vec = self._int32s(b, self.outputs)
        op_vec = self._offsets(b, operators)
        name = b.CreateString("main")
        # SubGraph: tensors 0, inputs 1, outputs 2, operators 3, name 4.
        b.StartObject(5)
        b.PrependUOffsetTRelativeSlot(0, t_vec, 0)
        b.PrependUOffsetTRelativeSlot(1, in_vec, 0)
        b.PrependUOffsetTRelativeSlot(2, out_vec, 0)
        b.PrependUOffsetTRelativeSlot(3, op_vec, 0)
        b.PrependUOffsetTRelativeSlot(4, name, 0)
        subgraph = b.EndObject()

        codes_vec = self._offsets(b, opcodes)
        sub_vec = self._offsets(b, [subgraph])
        buf_vec = self._offsets(b, buffers)
        # Model: version 0, operator_codes 1, subgraphs 2, description 3, buffers 4.
        b.StartObject(5)
        b.PrependUint32Slot(0, 3, 0)
        b.PrependUOffsetTRelativeSlot(1, codes_vec, 0)
        b.PrependUOffsetTRelativeSlot(2, sub_vec, 0)
        b.PrependUOffsetTRelativeSlot(3, description, 0)
        b.PrependUOffsetTRelativeSlot(4, buf_vec, 0)
        model = b.EndObject()
        b.Finish(model, file_identifier=b"TFL3")
        return bytes(b.Output())

    @staticmethod
    def _offsets(b, offsets):
        b.StartVector(4, len(offsets), 4)
        for o in reversed(offsets):
            b.PrependUOffsetTRelative(o)
        return b.EndVector()

    @staticmethod
    def _int32s(b, values):
        b.StartVector(4, len(values), 4)
        for v in reversed(values):
            b.PrependInt32(int(v))
        return b.EndVector()

    @staticmethod
    def _buffer(b, data):
        # Buffer: data 0 ([ubyte], force_align 16). Buffer 0 has no data vector at all.
        vec = None
        if data:
            b.StartVector(1, len(data), 16)
            b.head = b.head - len(data)
            b.Bytes[b.head:b.head + len(data)] = data
            vec = b.EndVector()
        b.StartObject(1)
        if vec is not None:
            b.PrependUOffsetTRelativeSlot(0, vec, 0)
        return b.EndObject()

    def _tensor_table(self, b, t):
        quant = self._quant_table(b, t["quant"]) if t["quant"] is not None else None
        name = b.CreateString(t["name"])
        shape = self._int32s(b, t["shape"])
        # Tensor: shape 0, type 1, buffer 2, name 3, quantization 4.
        b.StartObject(5)
        b.PrependUOffsetTRelativeSlot(0, shape, 0)
        b.PrependInt8Slot(1, t["type"], 0)
        b.PrependUint32Slot(2, t["buffer"], 0)
        b.PrependUOffsetTRelativeSlot(3, name, 0)
        if quant is not None:
            b.PrependUOffsetTRelativeSlot(4, quant, 0)
        return b.EndObject()

    @staticmethod
    def _quant_table(b, q):
        scales = np.atleast_1d(np.asarray(q["scale"], dtype=np.float32))
        zeros = np.atleast_1d(np.asarray(q["zero_point"], dtype=np.int64))
        b.StartVector(4, len(scales), 4)
        for s in reversed(scales):
            b.PrependFloat32(float(s))
        scale_vec = b.EndVector()
        b.StartVector(8, len(zeros), 8)
        for z in reversed(zeros):
            b.PrependInt64(int(z))
        zero_vec = b.EndVector()
        # QuantizationParameters: min 0, max 1, scale 2, zero_point 3, details_type 4,
        # details 5, quantized_dimension 6.
        b.StartObject(7)
        b.PrependUOffsetTRelativeSlot(2, scale_vec, 0)
        b.PrependUOffsetTRelativeSlot(3, zero_vec, 0)
        b.PrependInt32Slot(6, int(q.get("quantized_dimension", 0)), 0)
        return b.EndObject()

    def _operator_table(self, b, op):
        options_type, fields = op["options"]
        options = None
        if options_type != OPT_NONE:
            vectors = {slot: self._int32s(b, value) for slot, kind, value in fields if kind == "int32_vector"}
            b.StartObject(1 + max((slot for slot, _, _ in fields), default=-1))  # an empty table (PadOptions) too
            b.forceDefaults = True  # write every option, even one equal to its default
            for slot, kind, value in fields:
                if kind == "int8":
                    b.PrependInt8Slot(slot, value, 0)
                elif kind == "int32":
                    b.PrependInt32Slot(slot, value, 0)
                elif kind == "bool":
                    b.PrependBoolSlot(slot, value, False)
                elif kind == "float32":
                    b.PrependFloat32Slot(slot, value, 0.0)
                elif kind == "int32_vector":
                    b.PrependUOffsetTRelativeSlot(slot, vectors[slot], 0)
            b.forceDefaults = False
            options = b.EndObject()
        ins = self._int32s(b, op["inputs"])
        outs = self._int32s(b, op["outputs"])
        # Operator: opcode_index 0, inputs 1, outputs 2, builtin_options_type 3,
        # builtin_options 4.
        b.StartObject(5)
        b.PrependUint32Slot(0, op["opcode"], 0)
        b.PrependUOffsetTRelativeSlot(1, ins, 0)
        b.PrependUOffsetTRelativeSlot(2, outs, 0)
        if options is not None:
            b.PrependUint8Slot(3, options_type, 0)
            b.PrependUOffsetTRelativeSlot(4, options, 0)
        return b.EndObject()

    @staticmethod
    def _opcode_table(b, code, version):
        # OperatorCode: deprecated_builtin_code 0 (byte), custom_code 1, version 2,
        # builtin_code 3 (int32). Both codes and the version are written even where they
        # equal the schema default, so no reader has to infer them.
        assert code < 127, "codes >= 127 need deprecated_builtin_code 127 (PLACEHOLDER_FOR_GREATER_OP_CODES)"
        b.StartObject(4)
        b.forceDefaults = True
        b.PrependInt8Slot(0, code, 0)
        b.PrependInt32Slot(2, version, 1)
        b.PrependInt32Slot(3, code, 0)
        b.forceDefaults = False
        return b.EndObject()
