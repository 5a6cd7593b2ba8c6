// Chorus's backend for Arm's Ethos-U core driver, against a fake of the driver API
// (tests/fakes/ethosu_driver: same functions, the NPU's work done by the functional model when
// the job's interrupt fires). The interpreter submits the ethos-u operator through the
// backend; the results must be the golden bytes, the driver must get the base addresses TFLM's
// kernel gives it, and driver failures must end in the CPU fallback, never a lost inference.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "chorus/runtime/ethosu/driver_backend.hpp"
#include "chorus/tools/model_session.hpp"
#include "support/golden.hpp"

#include "ethosu_driver.h"

namespace chorus::runtime::ethosu {
namespace {

std::string vela(const char* config, const char* stem) {
  return std::string(CHORUS_SOURCE_DIR) + "/tests/data/vela/" + config + "/" + stem + "_vela.tflite";
}

class DriverBackend : public ::testing::Test {
 protected:
  void SetUp() override { fake_ethosu_reset(); }
  void TearDown() override { fake_ethosu_reset(); }

  void load(const char* config, const char* stem, int seed) {
    std::string error;
    ASSERT_TRUE(session_.load(vela(config, stem), &error) && session_.plan(PlanOptions{}, &error) && session_.init(&error, &npu_)) << error;
    ASSERT_TRUE(test::read_bytes(test::golden_path(stem, "seed" + std::to_string(seed) + ".input.bin"), &input_));
    ASSERT_TRUE(test::read_bytes(test::golden_path(stem, "seed" + std::to_string(seed) + ".output.bin"), &want_));
    ASSERT_TRUE(session_.set_inputs(input_, &error)) << error;
  }
  // Steps the interpreter to the end; the number of steps that waited on the NPU.
  int run_to_end(int max_steps = 100) {
    int waits = 0;
    for (int i = 0; i < max_steps; ++i) {
      Result<StepResult> r = session_.interpreter().step();
      EXPECT_TRUE(r.is_ok()) << r.status().message();
      if (!r.is_ok() || *r == StepResult::kDone) return waits;
      if (*r == StepResult::kWaitingOnNpu) ++waits;
    }
    ADD_FAILURE() << "never finished";
    return waits;
  }

  EthosuDriverBackend npu_;
  tools::ModelSession session_;
  std::vector<uint8_t> input_, want_;
};

TEST_F(DriverBackend, AJobRunsThroughTheDriverAndGivesTheGoldenBytes) {
  fake_ethosu_set_auto_irq_after(3);
  load("ethos-u55-128", "kws_ref_model", 2);
  const int waits = run_to_end();
  EXPECT_EQ(waits, 3) << "the interrupt comes on the third poll";
  EXPECT_EQ(npu_.jobs(), 1u);
  EXPECT_EQ(fake_ethosu_jobs_run(), 1);
  EXPECT_STREQ(fake_ethosu_last_error(), "");
  EXPECT_EQ(fake_ethosu_reserved(), 0) << "the driver was not released";
  EXPECT_TRUE(session_.outputs() == want_);
  // TFLM's order: constant area, arena, fast scratch, the input, the output.
  const Model& m = session_.model();
  const OpInfo op = m.op(0);
  ASSERT_EQ(npu_.base_addresses(), 5);
  EXPECT_EQ(npu_.base_size(0), m.tensor(static_cast<size_t>(op.inputs[1])).bytes);
  EXPECT_EQ(npu_.base_size(1), m.tensor(static_cast<size_t>(op.inputs[2])).bytes);
  EXPECT_EQ(npu_.base_size(3), m.tensor(static_cast<size_t>(op.inputs[4])).bytes);
  EXPECT_EQ(npu_.base_size(4), m.tensor(static_cast<size_t>(op.outputs[0])).bytes);
  EXPECT_EQ(npu_.base_address(0), reinterpret_cast<uintptr_t>(m.tensor(static_cast<size_t>(op.inputs[1])).constant_data));
}

TEST_F(DriverBackend, NothingCompletesBeforeTheInterrupt) {
  load("ethos-u55-64", "micro_speech_quantized", 1);
  for (int i = 0; i < 5; ++i) {
    Result<StepResult> r = session_.interpreter().step();
    ASSERT_TRUE(r.is_ok());
    EXPECT_EQ(*r, StepResult::kWaitingOnNpu);
  }
  EXPECT_TRUE(npu_.busy());
  EXPECT_EQ(fake_ethosu_jobs_run(), 0);
  fake_ethosu_raise_irq();
  EXPECT_EQ(run_to_end(), 0);
  EXPECT_FALSE(npu_.busy());
  EXPECT_TRUE(session_.outputs() == want_);
}

TEST_F(DriverBackend, TheDedicatedFastMemoryTheDriverSuppliesIsUsed) {
  // Ethos-U65 (Dedicated_Sram): the application gives the driver a fast memory, which
  // replaces base address 2; the arena tensor Vela named for it is not where the NPU works.
  std::vector<uint8_t> fast(64 * 1024, 0xEE);
  fake_ethosu_set_fast_memory(fast.data(), fast.size());
  fake_ethosu_set_auto_irq_after(1);
  load("ethos-u65-256", "kws_ref_model", 3);
  run_to_end();
  EXPECT_TRUE(session_.outputs() == want_);
  EXPECT_EQ(npu_.base_address(2), reinterpret_cast<uintptr_t>(fast.data()));
  size_t touched = 0;
  for (uint8_t b : fast) touched += b != 0xEE;
  EXPECT_GT(touched, 0u) << "the stream never used the fast memory";
}

TEST_F(DriverBackend, ARefusedInvocationRunsTheOperatorOnTheCpu) {
  fake_ethosu_fail_next_invoke();
  load("ethos-u55-256", "kws_ref_model", 1);
  EXPECT_EQ(run_to_end(), 0);
  EXPECT_EQ(npu_.errors(), 1u);
  EXPECT_EQ(fake_ethosu_reserved(), 0);
  EXPECT_EQ(fake_ethosu_jobs_run(), 0);
  EXPECT_TRUE(session_.outputs() == want_) << "the CPU fallback (the functional model) must still give the golden bytes";
}

TEST_F(DriverBackend, AFailedJobFaultsAndTheCpuRecomputes) {
  fake_ethosu_fail_next_job();
  fake_ethosu_set_auto_irq_after(2);
  load("ethos-u55-32", "hello_world_int8", 2);
  EXPECT_EQ(run_to_end(), 2);
  EXPECT_EQ(npu_.errors(), 1u);
  EXPECT_EQ(session_.interpreter().npu_fallbacks(), 1u);
  EXPECT_EQ(fake_ethosu_reserved(), 0);
  EXPECT_TRUE(session_.outputs() == want_);
}

TEST_F(DriverBackend, AnAbandonedJobRunsOutAndDeliversNothing) {
  load("ethos-u55-128", "hello_world_int8", 1);
  Result<StepResult> r = session_.interpreter().step();
  ASSERT_TRUE(r.is_ok());
  ASSERT_EQ(*r, StepResult::kWaitingOnNpu);
  session_.interpreter().abort_npu();
  EXPECT_TRUE(npu_.busy()) << "the driver cannot abort: the job must run out first";
  EXPECT_TRUE(session_.interpreter().npu_draining());
  fake_ethosu_raise_irq();
  run_to_end();
  EXPECT_FALSE(npu_.busy());
  EXPECT_EQ(fake_ethosu_reserved(), 0);
  EXPECT_EQ(session_.interpreter().npu_fallbacks(), 1u);
  EXPECT_TRUE(session_.outputs() == want_);
}

}  // namespace
}  // namespace chorus::runtime::ethosu
