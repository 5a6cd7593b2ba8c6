#include "signal/signal_prepare.hpp"

#include "chorus/runtime/tensor.hpp"

namespace chorus::runtime::kernels {

Status signal_begin(const PrepareContext& ctx, size_t inputs, size_t outputs, flexbuffer::Map* options) {
  if (ctx.num_inputs() != inputs || ctx.num_outputs() != outputs)
    return ctx.error("needs %zu inputs and %zu outputs, has %zu and %zu", inputs, outputs, ctx.num_inputs(), ctx.num_outputs());
  for (size_t i = 0; i < inputs; ++i)
    if (!ctx.has_input(i)) return ctx.error("input %zu is missing", i);
  if (options == nullptr) return Status::ok();
  Status s = flexbuffer::Map::parse(ctx.op().custom_options, options);
  if (!s.is_ok()) return ctx.error("custom options: %s", s.message());
  return Status::ok();
}

Status signal_option(const PrepareContext& ctx, const flexbuffer::Map& options, const char* key, int64_t min, int64_t max,
                     int64_t* out) {
  Status s = options.get_int(key, min, max, out);
  if (!s.is_ok()) return ctx.error("%s", s.message());
  return Status::ok();
}

Status signal_tensor(const PrepareContext& ctx, const TensorInfo& t, const char* what, DType type, int rank) {
  if (t.type != type) return ctx.error("%s '%s' is %s, must be %s", what, t.name, dtype_name(t.type), dtype_name(type));
  if (rank >= 0 ? t.shape.rank != rank : t.shape.rank < 1)
    return ctx.error("%s '%s' has rank %d, must be %s%d", what, t.name, static_cast<int>(t.shape.rank), rank >= 0 ? "" : ">= ",
                     rank >= 0 ? rank : 1);
  if (t.shape.num_elements() <= 0) return ctx.error("%s '%s' is empty", what, t.name);
  return Status::ok();
}

}  // namespace chorus::runtime::kernels
