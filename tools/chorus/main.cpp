// chorus: the host CLI. One program, one subcommand per job, --help on each.
#include <cstdio>
#include <cstring>
#include <string>

#include "args.hpp"

namespace {

const char kUsage[] =
    "usage: chorus <command> [options]\n"
    "\n"
    "commands:\n"
    "  info MODEL            operators, tensors, MACs and weight bytes of a .tflite model\n"
    "  plan MODEL            the memory plan: offsets, lifetimes, arena bytes, lower bound, waste\n"
    "  infer --model M --input IN.bin --output OUT.bin [--repeat N]\n"
    "                        run inferences on raw input bytes, write raw output bytes\n"
    "  board BOARD.xml --emit header|dts|ld|report|svg [--models M[:LEVEL],...]\n"
    "                        validate a board, place the arena, write firmware artefacts\n"
    "  sim --board BOARD.xml --scenario SCENARIO.xml [--duration S] [--trace OUT.json] [--policy P]\n"
    "                        run several models on one board with the scheduler, in virtual time\n"
    "  listen FILE|DIR... [--pipeline micro_speech|kws_ref|toycar] [--json]\n"
    "                        the micro_speech keyword pipeline on 1 s 16 kHz clips: label and scores\n"
    "  embed MODEL [--name NAME] [--out FILE.cpp] [--header FILE.hpp]\n"
    "                        the model as C++ source with a resolver of only the kernels it uses\n"
    "  replay --sensor microphone|radar|accelerometer --out DATA.bin --truth TRUTH.inc\n"
    "                        the frames a replay sensor plays on a target without one, and their truth\n"
    "\n"
    "Every command takes --json (one JSON object on stdout) and --help, and\n"
    "--max-input-bytes N to read inputs beyond the default limits (1 MiB for board and\n"
    "scenario XML, 64 MiB for models). Exit codes: 0 done, 1 bad input, 2 usage (sim: 3 when\n"
    "a deadline was missed).\n";

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0 || std::strcmp(argv[1], "help") == 0) {
    std::fputs(kUsage, argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  const std::string command = argv[1];
  if (command == "info") return chorus::cli::cmd_info(argc, argv);
  if (command == "plan") return chorus::cli::cmd_plan(argc, argv);
  if (command == "infer") return chorus::cli::cmd_infer(argc, argv);
  if (command == "sim") return chorus::cli::cmd_sim(argc, argv);
  if (command == "board") return chorus::cli::cmd_board(argc, argv);
  if (command == "listen") return chorus::cli::cmd_listen(argc, argv);
  if (command == "embed") return chorus::cli::cmd_embed(argc, argv);
  if (command == "replay") return chorus::cli::cmd_replay(argc, argv);
  std::fprintf(stderr, "chorus: unknown command '%s'\n%s", command.c_str(), kUsage);
  return 2;
}
