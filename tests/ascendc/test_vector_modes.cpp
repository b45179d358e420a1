// The mask register and modes across instructions (what the count form leaves behind,
// isSetMask = false, counter mode, repeat-ordered accumulation), and the chip's limits:
// every violation fails the kernel with a message naming the instruction and the operand.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "vector_support.hpp"

using namespace AscendC;

namespace {

// Runs body over UB buffers of float (bufs[k] of sizes[k] floats, filled with k + 1).
struct Floats {
  std::vector<vt::Bytes> bufs;
  explicit Floats(std::initializer_list<std::size_t> sizes) {
    float fill = 1.0f;
    for (std::size_t n : sizes) {
      bufs.push_back(vt::to_bytes(std::vector<float>(n, fill)));
      fill += 1.0f;
    }
  }
  vnpu::Status run(const std::function<void(std::vector<LocalTensor<float>>&)>& body) {
    return vt::run_ub(bufs, [&](std::vector<vt::ByteTensor>& t) {
      std::vector<LocalTensor<float>> f;
      for (auto& x : t) f.push_back(x.ReinterpretCast<float>());
      body(f);
    });
  }
  float at(std::size_t b, std::size_t i) const { return vt::load<float>(bufs[b], i * 4); }
};

// Runs body, expects the kernel to fail with every one of `parts` in its message.
void expect_failure(Floats& f, const std::function<void(std::vector<LocalTensor<float>>&)>& body,
                    std::initializer_list<const char*> parts) {
  EXPECT_EQ(f.run(body), vnpu::Status::kTaskFailed);
  const std::string msg = vnpu::ascendc::last_error_message();
  for (const char* p : parts) EXPECT_NE(msg.find(p), std::string::npos) << "'" << p << "' not in: " << msg;
}

// ---- modes --------------------------------------------------------------------------------

TEST(AscendcVectorModes, CountFormLeavesAFullMaskInNormalMode) {
  Floats f({128, 128, 128});
  ASSERT_EQ(f.run([](auto& t) {
              SetMaskCount();
              SetVectorMask<float, MaskMode::COUNTER>(0, 3);
              Add(t[0], t[1], t[2], 10);  // sets counter mode itself, then resets
              Add<float, false>(t[0][64], t[1][64], t[2][64], MASK_PLACEHOLDER, 1, BinaryRepeatParams{});
            }),
            vnpu::Status::kSuccess)
      << vnpu::ascendc::last_error_message();
  for (std::size_t i = 0; i < 128; ++i) EXPECT_EQ(f.at(0, i), i < 10 || i >= 64 ? 5.0f : 1.0f) << i;
}

TEST(AscendcVectorModes, MaskFormsLeaveTheirMaskForIsSetMaskFalse) {
  Floats f({64, 64, 64});
  ASSERT_EQ(f.run([](auto& t) {
              const std::uint64_t four[2] = {0xF0, 0};
              Mul(t[0], t[1], t[2], four, 1, BinaryRepeatParams{});
              Sub<float, false>(t[0][32], t[1][32], t[2][32], MASK_PLACEHOLDER, 1, BinaryRepeatParams{});
            }),
            vnpu::Status::kSuccess)
      << vnpu::ascendc::last_error_message();
  for (std::size_t i = 0; i < 64; ++i) {
    const float want = (i >= 4 && i < 8) ? 6.0f : (i >= 36 && i < 40) ? -1.0f : 1.0f;
    EXPECT_EQ(f.at(0, i), want) << i;
  }
}

// With isSetMask = false the count form issues one repeat under the kernel's mask.
TEST(AscendcVectorModes, CountFormWithoutSetMaskUsesTheKernelsMask) {
  Floats f({256, 256});
  ASSERT_EQ(f.run([](auto& t) {
              SetVectorMask<float>(0, 0xFFFF);
              Adds<float, false>(t[0], t[1], 10.0f, 1000);
              ResetMask();
              SetMaskCount();
              SetVectorMask<float, MaskMode::COUNTER>(0, 100);
              Muls<float, false>(t[0][128], t[1][128], 3.0f, 1);  // counter mode: 100 elements
              SetMaskNorm();
              ResetMask();
            }),
            vnpu::Status::kSuccess)
      << vnpu::ascendc::last_error_message();
  for (std::size_t i = 0; i < 256; ++i) {
    const float want = i < 16 ? 12.0f : (i >= 128 && i < 228) ? 6.0f : 1.0f;
    EXPECT_EQ(f.at(0, i), want) << i;
  }
}

// Counter mode through the mask argument: the continuous mask is a total count.
TEST(AscendcVectorModes, CounterModeContinuousMaskIsATotal) {
  Floats f({512, 512});
  ASSERT_EQ(f.run([](auto& t) {
              SetMaskCount();
              Relu(t[0], t[1], std::uint64_t{130}, 1, UnaryRepeatParams(1, 1, 16, 8));  // dst repeats 16 blocks apart
              SetMaskNorm();
              ResetMask();
            }),
            vnpu::Status::kSuccess)
      << vnpu::ascendc::last_error_message();
  for (std::size_t i = 0; i < 512; ++i) {
    const std::size_t r = i / 128, e = i % 128;
    const bool on = e < 64 && r * 64 + e < 130;
    EXPECT_EQ(f.at(0, i), on ? 2.0f : 1.0f) << i;
  }
}

// A dst repeat stride of 0 accumulates: repeat r reads what repeat r - 1 wrote.
TEST(AscendcVectorModes, RepeatsRunInOrderSoRepStrideZeroAccumulates) {
  Floats f({64, 256});
  ASSERT_EQ(f.run([](auto& t) {
              Add(t[0], t[1], t[0], std::uint64_t{64}, 4, BinaryRepeatParams(1, 1, 1, 0, 8, 0));
            }),
            vnpu::Status::kSuccess)
      << vnpu::ascendc::last_error_message();
  for (std::size_t i = 0; i < 64; ++i) EXPECT_EQ(f.at(0, i), 1.0f + 4 * 2.0f) << i;
}

// A continuous mask of 0 is documented as a no-op.
TEST(AscendcVectorModes, ContinuousMaskZeroIsANoOp) {
  Floats f({64, 64});
  ASSERT_EQ(f.run([](auto& t) { Exp(t[0], t[1], std::uint64_t{0}, 3, UnaryRepeatParams{}); }), vnpu::Status::kSuccess)
      << vnpu::ascendc::last_error_message();
  for (std::size_t i = 0; i < 64; ++i) EXPECT_EQ(f.at(0, i), 1.0f) << i;
}

// ---- the chip's limits ----------------------------------------------------------------------

TEST(AscendcVectorLimits, MisalignedOperandFails) {
  Floats f({64, 64, 64});
  expect_failure(f, [](auto& t) { Add(t[0], t[1][3], t[2], 16); }, {"Add", "src0", "not 32-byte aligned", "vector_test"});
  expect_failure(f, [](auto& t) { Exp(t[0][1], t[1], 8); }, {"Exp", "dst", "not 32-byte aligned"});
}

TEST(AscendcVectorLimits, OperandPastItsBufferFails) {
  Floats f({64, 64, 32});
  expect_failure(f, [](auto& t) { Add(t[0], t[1], t[2], 64); }, {"Add", "src1", "64 elements", "holds 32", "count 64"});
  // The mask form: the plan's extent from the strides, before any memory is touched.
  Floats g({64, 256});
  expect_failure(g, [](auto& t) { Exp(t[0], t[1], std::uint64_t{64}, 2, UnaryRepeatParams{}); },
                 {"Exp", "dst", "128 elements", "holds 64", "repeatTime 2"});
  // Only enabled lanes count: with srcBlkStride 2, 64 lanes reach block 7 (480 bytes) of a
  // 256-byte source, 32 lanes only block 3.
  expect_failure(g, [](auto& t) { Exp(t[1], t[0], std::uint64_t{64}, 1, UnaryRepeatParams(1, 2, 8, 8)); },
                 {"Exp", "src", "120 elements", "holds 64", "src blkStride 2"});
  EXPECT_EQ(g.run([](auto& t) { Exp(t[1], t[0], std::uint64_t{32}, 1, UnaryRepeatParams(1, 2, 8, 8)); }),
            vnpu::Status::kSuccess)
      << vnpu::ascendc::last_error_message();
}

TEST(AscendcVectorLimits, RepeatTimeBeyond255Fails) {
  Floats f({64, 64, 64});
  expect_failure(f,
                 [](auto& t) {
                   const std::uint64_t m[2] = {1, 0};
                   Max(t[0], t[1], t[2], m, 256, BinaryRepeatParams(1, 1, 1, 0, 0, 0));
                 },
                 {"Max", "repeatTime 256", "[0, 255]"});
}

TEST(AscendcVectorLimits, ZeroBitMaskFails) {
  Floats f({64, 64});
  expect_failure(f,
                 [](auto& t) {
                   const std::uint64_t m[2] = {0, 0};
                   Muls(t[0], t[1], 2.0f, m, 1, UnaryRepeatParams{});
                 },
                 {"Muls", "mask enables no element"});
}

TEST(AscendcVectorLimits, NegativeCountFails) {
  Floats f({64, 64});
  expect_failure(f, [](auto& t) { Sqrt(t[0], t[1], -1); }, {"Sqrt", "count -1 is negative"});
}

TEST(AscendcVectorLimits, CompareCountMustBeWholeRepeats) {
  Floats f({64, 64, 8});
  expect_failure(f,
                 [](auto& t) {
                   Compare(t[2].template ReinterpretCast<std::uint8_t>(), t[0], t[1], CMPMODE::LT, 40);
                 },
                 {"Compare", "count 40", "256-byte repeats", "multiple of 64"});
}

TEST(AscendcVectorLimits, CompareInt32TakesEqOnly) {
  Floats f({64, 64, 8});
  expect_failure(f,
                 [](auto& t) {
                   Compare(t[2].template ReinterpretCast<std::uint8_t>(), t[0].template ReinterpretCast<std::int32_t>(),
                           t[1].template ReinterpretCast<std::int32_t>(), CMPMODE::GE, 64);
                 },
                 {"Compare", "EQ only"});
}

TEST(AscendcVectorLimits, SelectChecksItsModeAndSelectionBits) {
  Floats f({64, 64, 64, 8});
  expect_failure(f,
                 [](auto& t) {
                   Select(t[0], t[3].template ReinterpretCast<std::uint8_t>(), t[1], 1.0f,
                          SELMODE::VSEL_TENSOR_TENSOR_MODE, 64);
                 },
                 {"Select", "takes a tensor src1"});
  // Mode 2 consumes 8 bytes of bits for 64 elements: a 32-byte selMask covers 256.
  expect_failure(f,
                 [](auto& t) {
                   Select(t[0], t[3].template ReinterpretCast<std::uint8_t>(), t[1], t[2],
                          SELMODE::VSEL_TENSOR_TENSOR_MODE, std::uint64_t{64}, 5, BinaryRepeatParams(1, 1, 1, 0, 0, 0));
                 },
                 {"Select", "selMask", "40 bytes", "holds 32"});
  // CMPMASK holding an address outside the UB.
  expect_failure(f,
                 [](auto& t) {
                   LocalTensor<std::uint64_t> reg = t[3].template ReinterpretCast<std::uint64_t>();
                   reg.SetValue(0, 64);
                   SetCmpMask(reg);
                   Select<float, SELMODE::VSEL_TENSOR_TENSOR_MODE>(t[0], t[1], t[2], 1, BinaryRepeatParams{});
                 },
                 {"Select", "selMask", "outside the unified buffer"});
}

TEST(AscendcVectorLimits, CmpMaskOperandsAre16ByteAlignedAnd16Bytes) {
  Floats f({64});
  expect_failure(f, [](auto& t) { GetCmpMask(t[0][2]); }, {"GetCmpMask", "16-byte aligned"});
  EXPECT_EQ(f.run([](auto& t) { SetCmpMask(t[0][4]); }), vnpu::Status::kSuccess);
}

TEST(AscendcVectorLimits, TensorWithoutBufferFails) {
  Floats f({64});
  expect_failure(f, [](auto& t) { Abs(LocalTensor<float>{}, t[0], 8); }, {"Abs", "dst", "holds no buffer"});
}

}  // namespace
