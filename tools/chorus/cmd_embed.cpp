// chorus embed MODEL: the model as C++ source for a firmware image - a 16-byte-aligned
// constant array plus an op resolver that holds only the kernels the model uses, so an
// image that loads the model through it links no other kernel.
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "args.hpp"
#include "chorus/module/host/identifiers.hpp"
#include "chorus/runtime/kernel.hpp"
#include "chorus/runtime/model.hpp"
#include "chorus/tools/file.hpp"
#include "chorus/tools/json.hpp"
#include "kernels.hpp"

namespace chorus::cli {
namespace {

const char kHelp[] =
    "usage: chorus embed MODEL [--name NAME] [--out FILE.cpp] [--header FILE.hpp] [--json]\n"
    "\n"
    "Writes MODEL (.tflite) as C++ source: `alignas(16) const uint8_t NAME_model[]` (in section\n"
    ".chorus_weights.NAME, where the board linker scripts place weights), `NAME_model_size`, and\n"
    "`const chorus::runtime::OpResolver& NAME_resolver()` holding only the kernels MODEL uses.\n"
    "Load the model with Model::load(bytes, {&NAME_resolver()}) and pass the resolver to\n"
    "Interpreter::measure/init: unused kernels are then not linked.\n"
    "  --name NAME       C identifier prefix (default: the file name without extension)\n"
    "  --out FILE.cpp    the source (default: stdout)\n"
    "  --header FILE.hpp also a header declaring the three symbols\n"
    "  --json            print {model, name, bytes, kernels[]} on stdout (with --out)\n";

// Every kernel by the name of its object in chorus::runtime::kernels.
struct NamedKernel {
  const char* symbol;
  const runtime::Kernel* kernel;
};

const NamedKernel kKernels[] = {
    {"kAdd", &runtime::kernels::kAdd},
    {"kAveragePool2d", &runtime::kernels::kAveragePool2d},
    {"kCast", &runtime::kernels::kCast},
    {"kConcatenation", &runtime::kernels::kConcatenation},
    {"kConv2d", &runtime::kernels::kConv2d},
    {"kDepthwiseConv2d", &runtime::kernels::kDepthwiseConv2d},
    {"kDequantize", &runtime::kernels::kDequantize},
    {"kDiv", &runtime::kernels::kDiv},
    {"kFullyConnected", &runtime::kernels::kFullyConnected},
    {"kMaximum", &runtime::kernels::kMaximum},
    {"kMaxPool2d", &runtime::kernels::kMaxPool2d},
    {"kMean", &runtime::kernels::kMean},
    {"kMinimum", &runtime::kernels::kMinimum},
    {"kMul", &runtime::kernels::kMul},
    {"kQuantize", &runtime::kernels::kQuantize},
    {"kReshape", &runtime::kernels::kReshape},
    {"kSoftmax", &runtime::kernels::kSoftmax},
    {"kSqueeze", &runtime::kernels::kSqueeze},
    {"kStridedSlice", &runtime::kernels::kStridedSlice},
    {"kSvdf", &runtime::kernels::kSvdf},
    {"kSignalEnergy", &runtime::kernels::kSignalEnergy},
    {"kSignalFftAutoScale", &runtime::kernels::kSignalFftAutoScale},
    {"kSignalFilterBank", &runtime::kernels::kSignalFilterBank},
    {"kSignalFilterBankLog", &runtime::kernels::kSignalFilterBankLog},
    {"kSignalFilterBankSpectralSubtraction", &runtime::kernels::kSignalFilterBankSpectralSubtraction},
    {"kSignalFilterBankSquareRoot", &runtime::kernels::kSignalFilterBankSquareRoot},
    {"kSignalPcan", &runtime::kernels::kSignalPcan},
    {"kSignalRfft", &runtime::kernels::kSignalRfft},
    {"kSignalWindow", &runtime::kernels::kSignalWindow},
};

const char* symbol_of(const runtime::Kernel& k) {
  for (const NamedKernel& n : kKernels)
    if (n.kernel->prepare == k.prepare && n.kernel->eval == k.eval) return n.symbol;
  return nullptr;
}

bool is_identifier(const std::string& s) {
  if (s.empty() || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z'))) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

std::string declarations(const std::string& name) {
  return "alignas(16) extern const uint8_t " + name + "_model[];\nextern const size_t " + name +
         "_model_size;\nconst chorus::runtime::OpResolver& " + name + "_resolver();\n";
}

}  // namespace

int cmd_embed(int argc, char** argv) {
  Args args;
  std::string error;
  if (!parse_args(argc, argv, 2, {"json", "help"}, {"name", "out", "header"}, &args, &error)) return usage_error("embed", error);
  if (args.has("help")) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  if (args.positional.size() != 1) return usage_error("embed", "expects one MODEL argument (see --help)");
  const std::string path = args.positional[0];
  // The identifier policy every artefact shares (chorus/module/host/identifiers.hpp): the
  // default is the one `chorus board --emit ld` keeps as .chorus_weights.<name>.
  const std::string name = args.get("name", host::model_identifier(path));
  if (!is_identifier(name) || name.size() > 64)
    return usage_error("embed", "--name '" + host::comment_text(name, 80) + "' must be a letter then letters, digits or _, at most 64");
  if (const char* why = host::reserved_identifier_reason(name))
    return usage_error("embed", "--name '" + name + "' is " + why);
  tools::AlignedBytes bytes;
  if (!tools::read_file(path, &bytes, &error)) return fail("embed", error);
  Result<runtime::Model> model = runtime::Model::load(bytes.span());
  if (!model.is_ok()) return fail("embed", path + ": " + model.status().message());

  // The kernels the operators resolve to, in first-use order.
  std::vector<std::string> symbols;
  std::set<std::string> seen;
  std::vector<std::string> op_names;
  for (size_t i = 0; i < model->num_ops(); ++i) {
    const runtime::OpInfo op = model->op(i);
    const runtime::Kernel* k = runtime::builtin_op_resolver().find(op);
    const char* symbol = k != nullptr ? symbol_of(*k) : nullptr;
    if (symbol == nullptr) return fail("embed", path + ": op " + std::to_string(i) + " (" + op.name() + ") has no named kernel");
    if (seen.insert(symbol).second) {
      symbols.push_back(symbol);
      op_names.push_back(op.name());
    }
  }

  std::ostringstream src;
  src << "// Generated by `chorus embed " << host::comment_text(path.substr(path.find_last_of('/') + 1)) << " --name " << name
      << "`: do not edit.\n// The model (" << bytes.size() << " bytes) and an op resolver with only the " << symbols.size()
      << " kernels it uses:";
  for (const std::string& op : op_names) src << " " << op;
  src << ".\n#include <cstddef>\n#include <cstdint>\n\n#include \"chorus/runtime/kernel.hpp\"\n\n"
      << "namespace chorus::runtime::kernels {\n";
  for (const std::string& s : symbols) src << "extern const Kernel " << s << ";\n";
  src << "}  // namespace chorus::runtime::kernels\n\n" << declarations(name) << "\n";
  src << "#if defined(__ELF__)\n#define CHORUS_EMBED_SECTION __attribute__((section(\".chorus_weights." << name
      << "\")))\n#else\n#define CHORUS_EMBED_SECTION\n#endif\n";
  src << "alignas(16) const uint8_t " << name << "_model[" << bytes.size() << "] CHORUS_EMBED_SECTION = {\n";
  char hex[8];
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i % 16 == 0) src << "   ";
    std::snprintf(hex, sizeof(hex), " 0x%02x,", bytes.data()[i]);
    src << hex;
    if (i % 16 == 15 || i + 1 == bytes.size()) src << "\n";
  }
  src << "};\nconst size_t " << name << "_model_size = " << bytes.size() << ";\n\n";
  src << "const chorus::runtime::OpResolver& " << name << "_resolver() {\n"
      << "  static const chorus::runtime::Kernel kKernels[] = {\n";
  for (const std::string& s : symbols) src << "      chorus::runtime::kernels::" << s << ",\n";
  src << "  };\n  static const chorus::runtime::OpResolver kResolver(kKernels, " << symbols.size() << ");\n"
      << "  return kResolver;\n}\n";

  const std::string text = src.str();
  if (args.has("out")) {
    if (!tools::write_file(args.get("out"), reinterpret_cast<const uint8_t*>(text.data()), text.size(), &error))
      return fail("embed", error);
  } else {
    std::fputs(text.c_str(), stdout);
  }
  if (args.has("header")) {
    const std::string header = "// Generated by `chorus embed`: the symbols of " + name +
                               ".cpp.\n#pragma once\n\n#include <cstddef>\n#include <cstdint>\n\n"
                               "#include \"chorus/runtime/kernel.hpp\"\n\n" +
                               declarations(name);
    if (!tools::write_file(args.get("header"), reinterpret_cast<const uint8_t*>(header.data()), header.size(), &error))
      return fail("embed", error);
  }
  if (args.has("json") && args.has("out")) {
    std::printf("{\"model\":\"%s\",\"name\":\"%s\",\"bytes\":%zu,\"kernels\":[", tools::json_escape(path).c_str(), name.c_str(),
                bytes.size());
    for (size_t i = 0; i < symbols.size(); ++i) std::printf("%s\"%s\"", i ? "," : "", symbols[i].c_str());
    std::printf("]}\n");
  }
  return 0;
}

}  // namespace chorus::cli
