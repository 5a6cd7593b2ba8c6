// The interpreter: one operator per step, arena sizing errors at init, profiling, state
// reset, and the NPU offload interface (completion, waiting, fault fallback).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "chorus/tools/model_session.hpp"
#include "support/golden.hpp"

namespace chorus::test {
namespace {

using namespace chorus::runtime;
using ::testing::_;
using ::testing::Return;

struct Loaded {
  tools::ModelSession session;
  std::vector<uint8_t> input, expected;
  bool open(const char* stem, int seed = 1) {
    std::string error;
    if (!session.load(model_path(stem), &error) || !session.plan(PlanOptions(), &error)) {
      ADD_FAILURE() << error;
      return false;
    }
    return read_bytes(golden_path(stem, "seed" + std::to_string(seed) + ".input.bin"), &input) &&
           read_bytes(golden_path(stem, "seed" + std::to_string(seed) + ".output.bin"), &expected);
  }
};

TEST(Interpreter, ArenaTooSmallFailsAtInitWithBothNumbers) {
  Loaded m;
  ASSERT_TRUE(m.open("ad01_int8"));
  const size_t needed = m.session.needs().total();
  tools::AlignedBytes arena(needed - 1);
  Interpreter interp;
  Status s = interp.init(m.session.model(), m.session.memory_plan(), arena.mutable_span());
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.code(), StatusCode::kOutOfMemory);
  const std::string msg = s.message();
  EXPECT_NE(msg.find("needs " + std::to_string(needed) + " bytes"), std::string::npos) << msg;
  EXPECT_NE(msg.find("has " + std::to_string(needed - 1)), std::string::npos) << msg;
  // And the exact size works.
  tools::AlignedBytes exact(needed);
  EXPECT_TRUE(interp.init(m.session.model(), m.session.memory_plan(), exact.mutable_span()).is_ok());
}

TEST(Interpreter, StepRunsOneOperatorAtATime) {
  Loaded m;
  ASSERT_TRUE(m.open("ad01_int8", 2));
  std::string error;
  ASSERT_TRUE(m.session.init(&error)) << error;
  ASSERT_TRUE(m.session.set_inputs(m.input, &error)) << error;
  Interpreter& interp = m.session.interpreter();
  const size_t ops = m.session.model().num_ops();
  for (size_t i = 0; i + 1 < ops; ++i) {
    EXPECT_EQ(interp.next_op(), i);
    Result<StepResult> r = interp.step();
    ASSERT_TRUE(r.is_ok());
    EXPECT_EQ(*r, StepResult::kRanOp);
    EXPECT_TRUE(interp.in_progress());
  }
  Result<StepResult> last = interp.step();
  ASSERT_TRUE(last.is_ok());
  EXPECT_EQ(*last, StepResult::kDone);
  EXPECT_FALSE(interp.in_progress());
  EXPECT_EQ(m.session.outputs(), m.expected);
}

TEST(Interpreter, ProfilerSeesEveryOperatorWithItsMacs) {
  Loaded m;
  ASSERT_TRUE(m.open("hello_world_int8"));
  std::string error;
  ASSERT_TRUE(m.session.init(&error)) << error;
  ASSERT_TRUE(m.session.set_inputs(m.input, &error)) << error;
  struct Seen {
    std::vector<OpProfile> ops;
  } seen;
  static uint64_t ticks = 0;
  m.session.interpreter().set_profiler([](void* user, const OpProfile& p) { static_cast<Seen*>(user)->ops.push_back(p); }, &seen,
                                       [] { return ticks += 10; },
                                       Span<const uint64_t>(m.session.op_macs().data(), m.session.op_macs().size()));
  ASSERT_TRUE(m.session.interpreter().invoke().is_ok());
  ASSERT_EQ(seen.ops.size(), 3u);
  EXPECT_EQ(seen.ops[0].macs, 16u);   // 1 input x 16 units
  EXPECT_EQ(seen.ops[1].macs, 256u);  // 16 x 16
  EXPECT_EQ(seen.ops[2].macs, 16u);
  for (const OpProfile& p : seen.ops) {
    EXPECT_EQ(p.op_code, static_cast<int32_t>(OpCode::kFullyConnected));
    EXPECT_GT(p.end_ticks, p.start_ticks);
    EXPECT_FALSE(p.on_npu);
  }
}

// A fake NPU: takes FULLY_CONNECTED ops, computes them with the CPU kernel after a few
// polls, or faults after scribbling over the output.
class FakeNpu : public NpuBackend {
 public:
  MOCK_METHOD(bool, supports, (const Model& model, size_t op_index), (const, override));
  Status submit(const NpuJob& job, NpuCompletion on_done) override {
    job_ = job;
    done_ = on_done;
    polls_ = 0;
    busy_ = true;
    ++submitted;
    return Status::ok();
  }
  bool busy() const override { return busy_; }
  bool started_at(os::TimeNs* at) const override {
    *at = 0;
    return busy_;
  }
  void cancel() override { busy_ = false; }
  NpuState poll() override {
    if (!busy_) return NpuState::kIdle;
    if (++polls_ < polls_to_finish) return NpuState::kBusy;
    busy_ = false;
    if (fault) {
      const TensorInfo out = job_.model->tensor(static_cast<size_t>(job_.context.outputs[0]));
      std::memset(job_.context.output<uint8_t>(0), 0x5A, out.bytes);
      done_.fn(done_.user, NpuState::kFault);
      return NpuState::kFault;
    }
    Status s = job_.kernel->eval(job_.context);
    const NpuState state = s.is_ok() ? NpuState::kComplete : NpuState::kFault;
    done_.fn(done_.user, state);
    return state;
  }
  int polls_to_finish = 3;
  bool fault = false;
  int submitted = 0;

 private:
  NpuJob job_;
  NpuCompletion done_;
  int polls_ = 0;
  bool busy_ = false;
};

TEST(Interpreter, NpuJobsReportWaitingThenComplete) {
  Loaded m;
  ASSERT_TRUE(m.open("ad01_int8", 3));
  FakeNpu npu;
  EXPECT_CALL(npu, supports(_, _)).WillRepeatedly(Return(true));
  std::string error;
  ASSERT_TRUE(m.session.init(&error, &npu)) << error;
  ASSERT_TRUE(m.session.set_inputs(m.input, &error)) << error;
  int waits = 0, ran = 0;
  for (;;) {
    Result<StepResult> r = m.session.interpreter().step();
    ASSERT_TRUE(r.is_ok()) << r.status().message();
    if (*r == StepResult::kWaitingOnNpu) ++waits;
    else ++ran;
    if (*r == StepResult::kDone) break;
  }
  EXPECT_EQ(npu.submitted, 10);
  EXPECT_EQ(ran, 10);
  EXPECT_EQ(waits, 10 * 3);  // the submit step plus two busy polls per op
  EXPECT_EQ(m.session.outputs(), m.expected);
  EXPECT_EQ(m.session.interpreter().npu_fallbacks(), 0u);
}

TEST(Interpreter, NpuFaultFallsBackToTheCpuBitExactly) {
  Loaded m;
  ASSERT_TRUE(m.open("ad01_int8", 1));
  FakeNpu npu;
  npu.fault = true;
  EXPECT_CALL(npu, supports(_, _)).WillRepeatedly(Return(true));
  std::string error;
  ASSERT_TRUE(m.session.init(&error, &npu)) << error;
  ASSERT_TRUE(m.session.set_inputs(m.input, &error)) << error;
  ASSERT_TRUE(m.session.interpreter().invoke().is_ok());
  EXPECT_EQ(m.session.outputs(), m.expected);
  EXPECT_EQ(m.session.interpreter().npu_fallbacks(), 10u);
}

TEST(Interpreter, OnlyOpsTheNpuSupportsAreOffloaded) {
  Loaded m;
  ASSERT_TRUE(m.open("ad01_int8", 2));
  FakeNpu npu;
  npu.polls_to_finish = 1;
  EXPECT_CALL(npu, supports(_, _)).WillRepeatedly([](const Model&, size_t op) { return op % 2 == 0; });
  std::string error;
  ASSERT_TRUE(m.session.init(&error, &npu)) << error;
  ASSERT_TRUE(m.session.set_inputs(m.input, &error)) << error;
  ASSERT_TRUE(m.session.interpreter().invoke().is_ok());
  EXPECT_EQ(npu.submitted, 5);
  EXPECT_EQ(m.session.outputs(), m.expected);
}

TEST(Interpreter, StepBeforeInitIsAnError) {
  Interpreter interp;
  Result<StepResult> r = interp.step();
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace chorus::test

namespace chorus::test {
namespace {

TEST(Interpreter, SlicedOperatorsGiveTheSameBytes) {
  Loaded m;
  ASSERT_TRUE(m.open("ad01_int8", 2));
  std::string error;
  ASSERT_TRUE(m.session.init(&error)) << error;
  ASSERT_TRUE(m.session.set_inputs(m.input, &error)) << error;
  Interpreter& interp = m.session.interpreter();
  const size_t ops = m.session.model().num_ops();
  std::vector<uint8_t> slices(ops, 3);
  slices[4] = 8;  // the 8-unit bottleneck: one unit per slice
  interp.set_slicing(Span<const uint8_t>(slices.data(), slices.size()));
  int ran_slices = 0, ran_ops = 0;
  for (;;) {
    Result<StepResult> r = interp.step();
    ASSERT_TRUE(r.is_ok()) << r.status().message();
    if (*r == StepResult::kRanSlice) ++ran_slices;
    else ++ran_ops;
    if (*r == StepResult::kDone) break;
  }
  EXPECT_EQ(ran_ops, static_cast<int>(ops));
  EXPECT_EQ(ran_slices, 9 * 2 + 7);  // every op but op 4 runs 3 bands, op 4 runs 8
  EXPECT_EQ(interp.max_slices(4), 8u);
  EXPECT_EQ(m.session.outputs(), m.expected);
}

}  // namespace
}  // namespace chorus::test
