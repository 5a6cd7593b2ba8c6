// Prepare-time checks shared by the TFLM signal-library custom ops (SignalWindow ...
// SignalFilterBankLog): their FlexBuffer options and their tensors' types and ranks.
// Every error names the op ("op 3 (SignalRfft): ...").
#pragma once

#include <cstdint>

#include "chorus/runtime/kernel.hpp"
#include "flexbuffer_reader.hpp"

namespace chorus::runtime::kernels {

// Checks the input/output counts and parses the custom options map (ops without options
// pass nullptr: their options bytes are not read).
Status signal_begin(const PrepareContext& ctx, size_t inputs, size_t outputs, flexbuffer::Map* options);

// An integer option that must lie in [min, max].
Status signal_option(const PrepareContext& ctx, const flexbuffer::Map& options, const char* key, int64_t min, int64_t max,
                     int64_t* out);

// A tensor of the given type and rank (rank < 0: any rank >= 1). `what` names it in errors
// ("input 0", "output 1").
Status signal_tensor(const PrepareContext& ctx, const TensorInfo& t, const char* what, DType type, int rank);

// Element count of a validated tensor (shapes are validated at load to fit in int32); int so
// it prints with %d on every target (int32_t is long on arm-none-eabi).
inline int elements(const TensorInfo& t) { return static_cast<int>(t.shape.num_elements()); }

}  // namespace chorus::runtime::kernels
