// chorus info MODEL: what a model holds.
#include <cstdio>
#include <string>

#include "args.hpp"
#include "chorus/runtime/ethosu/command_stream.hpp"
#include "chorus/runtime/kernel.hpp"
#include "chorus/tools/json.hpp"
#include "chorus/tools/model_session.hpp"

namespace chorus::cli {
namespace {

const char kHelp[] =
    "usage: chorus info MODEL [--json]\n"
    "\n"
    "Loads and verifies MODEL (.tflite) and lists its operators (with MACs per inference),\n"
    "its tensors (type, shape, bytes, quantisation, kind) and the totals. Models with\n"
    "operators this build cannot run are listed too, marked unsupported.\n"
    "  --json   one JSON object: model, ops[], tensors[], macs_total, weight_bytes, ...\n";

std::string shape_text(const runtime::Shape& s) {
  std::string out = "[";
  for (int i = 0; i < s.rank; ++i) out += (i ? "," : "") + std::to_string(s.dims[i]);
  return out + "]";
}

std::string list_text(Span<const int32_t> v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) out += (i ? "," : "") + std::to_string(v[i]);
  return out + "]";
}

const char* kind_of(const runtime::TensorInfo& t) {
  if (t.constant_data != nullptr) return "constant";
  if (t.is_variable) return "variable";
  return "activation";
}

}  // namespace

// The ethos-u operators of a Vela-compiled model: each one's driver payload, summarised.
struct NpuPart {
  size_t op = 0;
  runtime::ethosu::DriverPayload payload;
  runtime::ethosu::CommandSummary summary;
  size_t command_bytes = 0, constant_bytes = 0;
  std::string error;  // the payload or stream did not parse
};

std::vector<NpuPart> npu_parts(const runtime::Model& model, size_t* cpu_ops) {
  std::vector<NpuPart> parts;
  *cpu_ops = 0;
  for (size_t i = 0; i < model.num_ops(); ++i) {
    const runtime::OpInfo op = model.op(i);
    if (op.code != static_cast<int32_t>(runtime::OpCode::kCustom) || op.custom_code == nullptr ||
        std::string(op.custom_code) != "ethos-u" || op.inputs.size() < 2) {
      ++*cpu_ops;
      continue;
    }
    NpuPart part;
    part.op = i;
    const runtime::TensorInfo cmd = model.tensor(static_cast<size_t>(op.inputs[0]));
    const runtime::TensorInfo constants = model.tensor(static_cast<size_t>(op.inputs[1]));
    part.command_bytes = cmd.bytes;
    part.constant_bytes = constants.bytes;
    Result<runtime::ethosu::DriverPayload> payload =
        runtime::ethosu::parse_driver_payload(Span<const uint8_t>(cmd.constant_data, cmd.constant_data ? cmd.bytes : 0));
    if (!payload.is_ok()) {
      part.error = payload.status().message();
    } else {
      part.payload = *payload;
      Result<runtime::ethosu::CommandSummary> summary = runtime::ethosu::summarize(*payload);
      if (summary.is_ok()) part.summary = *summary;
      else
        part.error = summary.status().message();
    }
    parts.push_back(part);
  }
  return parts;
}

int cmd_info(int argc, char** argv) {
  Args args;
  std::string error;
  if (!parse_args(argc, argv, 2, {"json", "help"}, {}, &args, &error)) return usage_error("info", error);
  if (args.has("help")) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  if (args.positional.size() != 1) return usage_error("info", "expects one MODEL argument (see --help)");
  const std::string path = args.positional[0];
  tools::ModelSession session;
  if (!session.load(path, &error, false)) return fail("info", error);
  const runtime::Model& model = session.model();
  std::string plan_error;
  const bool runnable = session.plan(runtime::PlanOptions(), &plan_error);

  if (args.has("json")) {
    tools::JsonWriter j;
    j.begin_object().field("model", path).field("bytes", static_cast<uint64_t>(model.bytes().size()));
    j.field("description", model.description()).field("vela_compiled", model.is_vela_compiled());
    j.field("runnable", runnable);
    if (!runnable) j.field("not_runnable_because", plan_error);
    j.key("ops").begin_array();
    for (size_t i = 0; i < model.num_ops(); ++i) {
      const runtime::OpInfo op = model.op(i);
      j.begin_object().field("index", static_cast<uint64_t>(i)).field("name", op.name()).field("version", op.version);
      j.key("inputs").begin_array();
      for (int32_t t : op.inputs) j.value(t);
      j.end_array().key("outputs").begin_array();
      for (int32_t t : op.outputs) j.value(t);
      j.end_array();
      j.field("supported", runtime::builtin_op_resolver().find(op) != nullptr);
      if (runnable) j.field("macs", session.op_macs()[i]);
      j.end_object();
    }
    j.end_array().key("tensors").begin_array();
    for (size_t t = 0; t < model.num_tensors(); ++t) {
      const runtime::TensorInfo info = model.tensor(t);
      j.begin_object().field("index", static_cast<uint64_t>(t)).field("name", info.name).field("type", runtime::dtype_name(info.type));
      j.key("shape").begin_array();
      for (int d = 0; d < info.shape.rank; ++d) j.value(info.shape.dims[d]);
      j.end_array().field("bytes", static_cast<uint64_t>(info.bytes)).field("kind", kind_of(info));
      if (info.quant.count > 0) {
        j.key("scale").value(static_cast<double>(info.quant.scale)).field("zero_point", info.quant.zero_point);
        j.field("channels", info.quant.count);
      }
      j.end_object();
    }
    j.end_array();
    j.key("inputs").begin_array();
    for (int32_t t : model.inputs()) j.value(t);
    j.end_array().key("outputs").begin_array();
    for (int32_t t : model.outputs()) j.value(t);
    j.end_array();
    if (runnable) j.field("macs_total", session.total_macs());
    j.field("weight_bytes", static_cast<uint64_t>(session.weight_bytes()));
    if (model.is_vela_compiled()) {
      size_t cpu_ops = 0;
      const std::vector<NpuPart> parts = npu_parts(model, &cpu_ops);
      j.field("cpu_ops", static_cast<uint64_t>(cpu_ops)).key("npu").begin_array();
      for (const NpuPart& p : parts) {
        j.begin_object().field("op", static_cast<uint64_t>(p.op)).field("command_bytes", static_cast<uint64_t>(p.command_bytes));
        j.field("constant_bytes", static_cast<uint64_t>(p.constant_bytes));
        if (!p.error.empty()) {
          j.field("error", p.error).end_object();
          continue;
        }
        j.field("accelerator", runtime::ethosu::accelerator_name(p.payload)).field("macs_per_cycle", p.payload.macs_per_cycle);
        j.field("shram_kb", p.payload.shram_kb);
        j.field("commands", static_cast<uint64_t>(p.summary.commands)).field("operations", static_cast<uint64_t>(p.summary.operations()));
        j.field("conv", static_cast<uint64_t>(p.summary.conv)).field("depthwise", static_cast<uint64_t>(p.summary.depthwise));
        j.field("pool", static_cast<uint64_t>(p.summary.pool)).field("elementwise", static_cast<uint64_t>(p.summary.elementwise));
        j.field("dma", static_cast<uint64_t>(p.summary.dma)).field("stops", p.summary.stops);
        j.end_object();
      }
      j.end_array();
    }
    j.end_object();
    std::printf("%s\n", j.str().c_str());
    return 0;
  }

  std::printf("model: %s (%zu bytes)%s\n", path.c_str(), model.bytes().size(),
              model.is_vela_compiled() ? " — compiled by Vela for Ethos-U" : "");
  if (model.description()[0] != '\0') std::printf("description: %s\n", model.description());
  std::printf("operators: %zu   tensors: %zu   weights: %zu bytes", model.num_ops(), model.num_tensors(), session.weight_bytes());
  if (runnable) std::printf("   MACs/inference: %llu", static_cast<unsigned long long>(session.total_macs()));
  std::printf("\n");
  if (!runnable) std::printf("not runnable by this build: %s\n", plan_error.c_str());
  if (model.is_vela_compiled()) {
    size_t cpu_ops = 0;
    const std::vector<NpuPart> parts = npu_parts(model, &cpu_ops);
    std::printf("NPU: %zu ethos-u operator%s; CPU: %zu operator%s\n", parts.size(), parts.size() == 1 ? "" : "s", cpu_ops,
                cpu_ops == 1 ? "" : "s");
    for (const NpuPart& p : parts) {
      if (!p.error.empty()) {
        std::printf("  op %zu: %s\n", p.op, p.error.c_str());
        continue;
      }
      const runtime::ethosu::CommandSummary& c = p.summary;
      std::printf("  op %zu: %s (arch %u.%u.%u, %u KiB SHRAM): %zu commands in %zu bytes, %zu NPU operations (%zu conv, %zu depthwise, "
                  "%zu pool, %zu elementwise), %zu DMA, %s; constants %zu bytes\n",
                  p.op, runtime::ethosu::accelerator_name(p.payload), p.payload.arch_major, p.payload.arch_minor, p.payload.arch_patch,
                  p.payload.shram_kb, c.commands, p.command_bytes, c.operations(), c.conv, c.depthwise, c.pool, c.elementwise, c.dma,
                  c.stops ? "ends with NPU_OP_STOP" : "no NPU_OP_STOP", p.constant_bytes);
    }
  }
  std::printf("\n  %-4s %-22s %-3s %-24s %-10s %12s\n", "#", "operator", "ver", "inputs", "outputs", "MACs");
  for (size_t i = 0; i < model.num_ops(); ++i) {
    const runtime::OpInfo op = model.op(i);
    const bool ok = runtime::builtin_op_resolver().find(op) != nullptr;
    std::printf("  %-4zu %-22s %-3d %-24s %-10s %12s%s\n", i, op.name(), op.version, list_text(op.inputs).c_str(),
                list_text(op.outputs).c_str(), runnable ? std::to_string(session.op_macs()[i]).c_str() : "-",
                ok ? "" : "  (unsupported)");
  }
  std::printf("\n  %-4s %-8s %-18s %9s %-10s %s\n", "#", "type", "shape", "bytes", "kind", "quantisation / name");
  for (size_t t = 0; t < model.num_tensors(); ++t) {
    const runtime::TensorInfo info = model.tensor(t);
    std::string q = "-";
    if (info.quant.count == 1) {
      char buf[64];
      std::snprintf(buf, sizeof(buf), "scale %.9g zp %d", static_cast<double>(info.quant.scale), info.quant.zero_point);
      q = buf;
    } else if (info.quant.count > 1) {
      q = "per-axis " + std::to_string(info.quant.count) + " scales on dim " + std::to_string(info.quant.axis);
    }
    std::printf("  %-4zu %-8s %-18s %9zu %-10s %s  %s\n", t, runtime::dtype_name(info.type), shape_text(info.shape).c_str(),
                info.bytes, kind_of(info), q.c_str(), info.name);
  }
  std::printf("\ninputs: %s   outputs: %s\n", list_text(model.inputs()).c_str(), list_text(model.outputs()).c_str());
  return 0;
}

}  // namespace chorus::cli
