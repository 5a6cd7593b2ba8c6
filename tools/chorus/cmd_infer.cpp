// chorus infer: raw bytes in, raw bytes out (the layout of ../shared/golden).
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>

#include "args.hpp"
#include "chorus/tools/json.hpp"
#include "chorus/tools/model_session.hpp"

namespace chorus::cli {
namespace {

const char kHelp[] =
    "usage: chorus infer --model M --input IN.bin --output OUT.bin [--repeat N] [--json]\n"
    "\n"
    "Runs inference on M. IN.bin holds every input tensor's raw bytes concatenated in input\n"
    "order; OUT.bin receives every output tensor's bytes concatenated in output order.\n"
    "  --repeat N   run N inferences of the same input (the input is restored before each\n"
    "               if the plan reuses its buffer); the last output is written\n"
    "  --json       print one JSON object: model, repeat, input_bytes, output_bytes,\n"
    "               arena_bytes, microseconds_per_inference, output (as numbers)\n";

}  // namespace

int cmd_infer(int argc, char** argv) {
  Args args;
  std::string error;
  if (!parse_args(argc, argv, 2, {"json", "help"}, {"model", "input", "output", "repeat"}, &args, &error))
    return usage_error("infer", error);
  if (args.has("help")) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  if (!args.positional.empty()) return usage_error("infer", "unexpected argument '" + args.positional[0] + "' (see --help)");
  for (const char* required : {"model", "input", "output"})
    if (!args.has(required)) return usage_error("infer", std::string("missing --") + required + " (see --help)");
  long long repeat = 1;
  if (args.has("repeat") && !parse_count(args.get("repeat"), "--repeat", 1, 1000000000, &repeat, &error))
    return usage_error("infer", error);

  tools::ModelSession session;
  if (!session.load(args.get("model"), &error)) return fail("infer", error);
  if (!session.plan(runtime::PlanOptions(), &error)) return fail("infer", args.get("model") + ": " + error);
  std::vector<uint8_t> input;
  if (!tools::read_file(args.get("input"), &input, &error)) return fail("infer", error);
  if (input.size() != session.input_bytes())
    return fail("infer", args.get("input") + " is " + std::to_string(input.size()) + " bytes; " + args.get("model") +
                             " takes " + std::to_string(session.input_bytes()) + " bytes of input");
  if (!session.init(&error)) return fail("infer", error);

  const auto start = std::chrono::steady_clock::now();
  for (long long r = 0; r < repeat; ++r) {
    if (!session.set_inputs(input, &error)) return fail("infer", error);
    Status s = session.interpreter().invoke();
    if (!s.is_ok()) return fail("infer", std::string("inference ") + std::to_string(r + 1) + ": " + s.message());
  }
  const double us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count() /
                    static_cast<double>(repeat);
  const std::vector<uint8_t> out = session.outputs();
  if (!tools::write_file(args.get("output"), out.data(), out.size(), &error)) return fail("infer", error);

  if (args.has("json")) {
    tools::JsonWriter j;
    j.begin_object().field("model", args.get("model")).field("repeat", static_cast<int64_t>(repeat));
    j.field("input_bytes", static_cast<uint64_t>(input.size())).field("output_bytes", static_cast<uint64_t>(out.size()));
    j.field("arena_bytes", static_cast<uint64_t>(session.ram().arena_bytes()));
    j.key("microseconds_per_inference").value(us);
    j.key("output").begin_array();
    const runtime::TensorInfo info = session.interpreter().output_info(0);
    for (size_t i = 0; i < out.size(); ++i) {
      if (session.interpreter().num_outputs() == 1 && info.type == runtime::DType::kInt8)
        j.value(static_cast<int>(static_cast<int8_t>(out[i])));
      else
        j.value(static_cast<unsigned>(out[i]));
    }
    j.end_array().end_object();
    std::printf("%s\n", j.str().c_str());
  } else {
    std::printf("%s: %lld inference%s, %.1f us each, %zu output bytes written to %s\n", args.get("model").c_str(), repeat,
                repeat == 1 ? "" : "s", us, out.size(), args.get("output").c_str());
  }
  return 0;
}

}  // namespace chorus::cli
