// chorus plan MODEL: the memory plan and every byte of RAM the model needs.
#include <cstdio>
#include <string>

#include "args.hpp"
#include "chorus/tools/json.hpp"
#include "chorus/tools/model_session.hpp"

namespace chorus::cli {
namespace {

const char kHelp[] =
    "usage: chorus plan MODEL [--json] [--align N] [--no-offline]\n"
    "\n"
    "Plans MODEL's activations (lifetimes over the operator order, views aliased, greedy by\n"
    "size) and prints each planned tensor's offset, size and lifetime, then the totals:\n"
    "arena bytes (all per-model RAM), activation, persistent and scratch bytes, the lower\n"
    "bound (the largest sum of live activation bytes at one operator) and the waste.\n"
    "  --json         one JSON object (arena_bytes, activation_bytes, persistent_bytes,\n"
    "                 scratch_bytes, lower_bound_bytes, waste_bytes, tensors[])\n"
    "  --align N      minimum offset alignment in bytes (default 1: natural alignment)\n"
    "  --no-offline   ignore an OfflineMemoryAllocation plan in the model\n";

}  // namespace

int cmd_plan(int argc, char** argv) {
  Args args;
  std::string error;
  if (!parse_args(argc, argv, 2, {"json", "help", "no-offline"}, {"align"}, &args, &error)) return usage_error("plan", error);
  if (args.has("help")) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  if (args.positional.size() != 1) return usage_error("plan", "expects one MODEL argument (see --help)");
  runtime::PlanOptions options;
  if (args.has("align")) {
    long long align = 0;
    if (!parse_count(args.get("align"), "--align", 1, 4096, &align, &error)) return usage_error("plan", error);
    if ((align & (align - 1)) != 0) return usage_error("plan", "--align must be a power of two, got " + args.get("align"));
    options.min_alignment = static_cast<size_t>(align);
  }
  options.use_offline_plan = !args.has("no-offline");
  const std::string path = args.positional[0];
  tools::ModelSession session;
  if (!session.load(path, &error)) return fail("plan", error);
  if (!session.plan(options, &error)) return fail("plan", path + ": " + error);
  const runtime::Model& model = session.model();
  const runtime::MemoryPlan& plan = session.memory_plan();
  const tools::RamReport ram = session.ram();

  if (args.has("json")) {
    tools::JsonWriter j;
    j.begin_object().field("model", path);
    j.field("arena_bytes", static_cast<uint64_t>(ram.arena_bytes()));
    j.field("activation_bytes", static_cast<uint64_t>(plan.activation_bytes));
    j.field("persistent_bytes", static_cast<uint64_t>(ram.persistent_bytes));
    j.field("scratch_bytes", static_cast<uint64_t>(ram.scratch_bytes));
    j.field("object_bytes", static_cast<uint64_t>(ram.object_bytes));
    j.field("lower_bound_bytes", static_cast<uint64_t>(plan.lower_bound_bytes));
    j.field("waste_bytes", static_cast<uint64_t>(plan.waste_bytes()));
    j.field("buffers", static_cast<uint64_t>(plan.num_buffers)).field("aliases", static_cast<uint64_t>(plan.alias_count));
    j.field("offline_plan", plan.offline);
    j.key("tensors").begin_array();
    for (size_t t = 0; t < model.num_tensors(); ++t) {
      if (plan.offsets[t] == runtime::kNotPlanned) continue;
      const runtime::TensorInfo info = model.tensor(t);
      j.begin_object().field("index", static_cast<uint64_t>(t)).field("name", info.name);
      j.field("offset", static_cast<uint64_t>(plan.offsets[t])).field("bytes", static_cast<uint64_t>(info.bytes));
      j.field("first_op", session.lifetimes()[t].first).field("last_op", session.lifetimes()[t].last);
      j.end_object();
    }
    j.end_array().end_object();
    std::printf("%s\n", j.str().c_str());
    return 0;
  }

  std::printf("memory plan for %s%s\n\n", path.c_str(), plan.offline ? " (offline plan from the model)" : "");
  std::printf("  %-5s %10s %9s %9s  %s\n", "tensor", "offset", "bytes", "ops", "name");
  for (size_t t = 0; t < model.num_tensors(); ++t) {
    if (plan.offsets[t] == runtime::kNotPlanned) continue;
    const runtime::TensorInfo info = model.tensor(t);
    const std::string life = std::to_string(session.lifetimes()[t].first) + "-" + std::to_string(session.lifetimes()[t].last);
    std::printf("  %-5zu %10u %9zu %9s  %s\n", t, static_cast<unsigned>(plan.offsets[t]), info.bytes, life.c_str(), info.name);
  }
  const double ratio = plan.lower_bound_bytes
                           ? static_cast<double>(plan.activation_bytes) / static_cast<double>(plan.lower_bound_bytes)
                           : 1.0;
  std::printf("\n  activations      %8zu bytes  (%zu buffers, %zu views aliased)\n", plan.activation_bytes, plan.num_buffers,
              plan.alias_count);
  std::printf("  lower bound      %8zu bytes  (waste %zu bytes, %.3fx the bound)\n", plan.lower_bound_bytes, plan.waste_bytes(),
              ratio);
  std::printf("  persistent       %8zu bytes  (tensor table, per-op data, variable tensors)\n", ram.persistent_bytes);
  std::printf("  scratch          %8zu bytes  (transient per-op)\n", ram.scratch_bytes);
  std::printf("  objects          %8zu bytes  (Model + Interpreter)\n", ram.object_bytes);
  std::printf("  arena            %8zu bytes  (all per-model RAM)\n", ram.arena_bytes());
  return 0;
}

}  // namespace chorus::cli
