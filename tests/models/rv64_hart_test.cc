// The RV64IMAC hart, instruction by instruction: programs assembled by binutils run on a hart
// over a bare core, and the registers and memory they leave are checked against the ISA manual
// (Volume I: RV64I, M, A, C, Zicsr, Zifencei, Zicntr), with the edge cases simulators get wrong.
#include "models/cpu/rv64_hart.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <cstring>

#include "models/cpu/rv64_decoder.h"
#include "models/cpu/rv64_disassembler.h"
#include "tests/support/hart_rig.h"

namespace zxvp {
namespace {

using testing::HartRig;

constexpr uint64_t kAllOnes = ~uint64_t{0};
constexpr uint64_t kInt64Min = uint64_t{1} << 63;

uint64_t s64(int64_t value) {
  return static_cast<uint64_t>(value);
}

uint64_t word_at(HartRig& rig, uint64_t offset) {
  uint64_t value = 0;
  std::memcpy(&value, rig.data() + offset, sizeof value);
  return value;
}

// Runs `source` followed by ebreak and expects it to stop there. a0..a7 and s2..s11 are the
// results the tests read; s0 holds the data page's address.
void run_to_ebreak(HartRig& rig, const std::string& source) {
  rig.load("li s0, " + std::to_string(HartRig::kData) + "\n" + source + "\nebreak\n");
  ASSERT_EQ(rig.run(), HartStop::breakpoint);
}

TEST(Rv64Hart, IntegerArithmeticAndLogic) {
  HartRig rig;
  run_to_ebreak(rig, R"(
    li t0, 7
    li t1, -3
    add a0, t0, t1
    sub a1, t0, t1
    and a2, t0, t1
    or a3, t0, t1
    xor a4, t0, t1
    slt a5, t1, t0
    sltu a6, t1, t0
    sltiu a7, t0, -1
    slti s2, t1, -2
    xori s3, t0, -1
    andi s4, t1, 0x7f0
    ori s5, zero, -2048
    addi s6, zero, 2047
    add zero, t0, t0
    fence
    fence rw, w
    fence.i
    mv s7, zero
  )");
  EXPECT_EQ(rig.reg("a0"), 4u);
  EXPECT_EQ(rig.reg("a1"), 10u);
  EXPECT_EQ(rig.reg("a2"), 5u);
  EXPECT_EQ(rig.reg("a3"), s64(-1));
  EXPECT_EQ(rig.reg("a4"), s64(-6));
  EXPECT_EQ(rig.reg("a5"), 1u);  // -3 < 7 signed
  EXPECT_EQ(rig.reg("a6"), 0u);  // but not unsigned
  EXPECT_EQ(rig.reg("a7"), 1u);  // the immediate is sign-extended first: 7 < 2^64 - 1
  EXPECT_EQ(rig.reg("s2"), 1u);  // -3 < -2
  EXPECT_EQ(rig.reg("s3"), s64(~int64_t{7}));
  EXPECT_EQ(rig.reg("s4"), 0x7f0u & s64(-3));
  EXPECT_EQ(rig.reg("s5"), s64(-2048));
  EXPECT_EQ(rig.reg("s6"), 2047u);
  EXPECT_EQ(rig.reg("s7"), 0u);  // x0 stays zero after a write
}

TEST(Rv64Hart, LuiAndAuipcWithNegativeImmediates) {
  HartRig rig;
  run_to_ebreak(rig, R"(
    lui a0, 0x80000
    lui a1, 0xfffff
    lui a2, 0x7ffff
  here:
    auipc a3, 0xfffff
    auipc a4, 0x80000
    auipc a5, 0
  )");
  EXPECT_EQ(rig.reg("a0"), 0xffff'ffff'8000'0000u);  // bit 31 sign-extends to 64 bits
  EXPECT_EQ(rig.reg("a1"), 0xffff'ffff'ffff'f000u);
  EXPECT_EQ(rig.reg("a2"), 0x7fff'f000u);
  const uint64_t here = rig.reg("a5") - 8;  // auipc a5 sits two instructions after `here`
  EXPECT_EQ(rig.reg("a3"), here - 0x1000);
  EXPECT_EQ(rig.reg("a4"), here + 4 - 0x8000'0000);
}

TEST(Rv64Hart, DivisionByZeroAndOverflowDoNotTrap) {
  HartRig rig;
  run_to_ebreak(rig, R"(
    li t0, 1234
    li t1, 0x8000000000000000
    li t2, -1
    div a0, t0, zero
    divu a1, t0, zero
    rem a2, t0, zero
    remu a3, t0, zero
    div a4, t1, t2
    rem a5, t1, t2
    divu a6, t1, t2
    remu a7, t1, t2
    li t3, -7
    li t4, 2
    div s2, t3, t4
    rem s3, t3, t4
    divu s4, t3, t4
    remu s5, t3, t4
  )");
  EXPECT_EQ(rig.reg("a0"), kAllOnes);
  EXPECT_EQ(rig.reg("a1"), kAllOnes);
  EXPECT_EQ(rig.reg("a2"), 1234u);
  EXPECT_EQ(rig.reg("a3"), 1234u);
  EXPECT_EQ(rig.reg("a4"), kInt64Min);  // INT64_MIN / -1 overflows to itself
  EXPECT_EQ(rig.reg("a5"), 0u);
  EXPECT_EQ(rig.reg("a6"), 0u);  // unsigned: 2^63 / (2^64 - 1)
  EXPECT_EQ(rig.reg("a7"), kInt64Min);
  EXPECT_EQ(rig.reg("s2"), s64(-3));  // rounds towards zero
  EXPECT_EQ(rig.reg("s3"), s64(-1));  // the remainder takes the dividend's sign
  EXPECT_EQ(rig.reg("s4"), s64(-7) / 2);
  EXPECT_EQ(rig.reg("s5"), 1u);
}

TEST(Rv64Hart, WordDivisionByZeroAndOverflow) {
  HartRig rig;
  run_to_ebreak(rig, R"(
    li t0, 0x123456789
    li t1, 0xffffffff80000000
    li t2, -1
    li t5, 0x1ffffffff
    divw a0, t0, zero
    divuw a1, t0, zero
    remw a2, t0, zero
    remuw a3, t0, zero
    divw a4, t1, t2
    remw a5, t1, t2
    divuw a6, t1, t2
    remuw a7, t1, t2
    li t3, 0x100000000
    divw s2, t0, t3
    remuw s3, t5, t3
    li t4, 0xfffffffe
    divw s4, t4, t2
  )");
  EXPECT_EQ(rig.reg("a0"), kAllOnes);
  EXPECT_EQ(rig.reg("a1"), kAllOnes);  // 0xffffffff, sign-extended
  EXPECT_EQ(rig.reg("a2"), 0x23456789u);
  EXPECT_EQ(rig.reg("a3"), 0x23456789u);
  EXPECT_EQ(rig.reg("a4"), 0xffff'ffff'8000'0000u);  // INT32_MIN / -1
  EXPECT_EQ(rig.reg("a5"), 0u);
  EXPECT_EQ(rig.reg("a6"), 0u);                      // 0x80000000 / 0xffffffff
  EXPECT_EQ(rig.reg("a7"), 0xffff'ffff'8000'0000u);  // the 32-bit remainder, sign-extended
  EXPECT_EQ(rig.reg("s2"), kAllOnes);                // the divisor's low word is zero
  EXPECT_EQ(rig.reg("s3"), kAllOnes);  // remuw by a zero low word: the dividend's low word
  EXPECT_EQ(rig.reg("s4"), 2u);        // -2 / -1 on words
}

TEST(Rv64Hart, MultiplyHighHalves) {
  HartRig rig;
  run_to_ebreak(rig, R"(
    li t0, -1
    li t1, -1
    li t2, 0x8000000000000000
    mul a0, t0, t1
    mulh a1, t0, t1
    mulhu a2, t0, t1
    mulhsu a3, t0, t1
    mulh a4, t2, t2
    mulhsu a5, t2, t0
    mulw a6, t2, t0
    li t3, 0x7fffffff
    mulw a7, t3, t3
  )");
  EXPECT_EQ(rig.reg("a0"), 1u);
  EXPECT_EQ(rig.reg("a1"), 0u);
  EXPECT_EQ(rig.reg("a2"), kAllOnes - 1);
  EXPECT_EQ(rig.reg("a3"), kAllOnes);  // -1 * (2^64 - 1), high half
  EXPECT_EQ(rig.reg("a4"), 0x4000'0000'0000'0000u);
  // -2^63 * (2^64 - 1) = -2^127 + 2^63: high half -2^63
  EXPECT_EQ(rig.reg("a5"), kInt64Min);
  EXPECT_EQ(rig.reg("a6"), 0u);
  EXPECT_EQ(rig.reg("a7"), 1u);  // 0x3fffffff00000001: low word 1
}

TEST(Rv64Hart, EveryWordResultIsSignExtended) {
  HartRig rig;
  run_to_ebreak(rig, R"(
    li t0, 0x7fffffff
    li t1, 1
    addw a0, t0, t1
    subw a1, zero, t1
    sllw a2, t1, t0
    li t2, 0x80000000
    srlw a3, t2, zero
    sraw a4, t2, zero
    addiw a5, t0, 1
    slliw a6, t1, 31
    srliw a7, t2, 0
    sraiw s2, t2, 4
    li t3, 0xffffffff00000000
    addiw s3, t3, 0
    mulw s4, t2, t1
    li t4, 0x80000000
    divuw s5, t4, t1
    remw s6, t4, t2
    li t5, 0x17fffffff
    remuw s7, t5, t4
  )");
  EXPECT_EQ(rig.reg("a0"), 0xffff'ffff'8000'0000u);
  EXPECT_EQ(rig.reg("a1"), kAllOnes);
  EXPECT_EQ(rig.reg("a2"), 0xffff'ffff'8000'0000u);  // shift by 0x7fffffff & 31 = 31
  EXPECT_EQ(rig.reg("a3"), 0xffff'ffff'8000'0000u);
  EXPECT_EQ(rig.reg("a4"), 0xffff'ffff'8000'0000u);
  EXPECT_EQ(rig.reg("a5"), 0xffff'ffff'8000'0000u);
  EXPECT_EQ(rig.reg("a6"), 0xffff'ffff'8000'0000u);
  EXPECT_EQ(rig.reg("a7"), 0xffff'ffff'8000'0000u);
  EXPECT_EQ(rig.reg("s2"), 0xffff'ffff'f800'0000u);
  EXPECT_EQ(rig.reg("s3"), 0u);  // the upper word of the source is ignored
  EXPECT_EQ(rig.reg("s4"), 0xffff'ffff'8000'0000u);
  EXPECT_EQ(rig.reg("s5"), 0xffff'ffff'8000'0000u);
  EXPECT_EQ(rig.reg("s6"), 0u);
  EXPECT_EQ(rig.reg("s7"), 0x7fff'ffffu);
}

TEST(Rv64Hart, ShiftAmountsAtAndPastTheWidth) {
  HartRig rig;
  run_to_ebreak(rig, R"(
    li t0, 1
    li t1, 31
    li t2, 32
    li t3, 63
    li t4, 64
    li t5, 65
    sll a0, t0, t1
    sll a1, t0, t2
    sll a2, t0, t3
    sll a3, t0, t4
    sll a4, t0, t5
    li t6, 0x8000000000000000
    srl a5, t6, t3
    sra a6, t6, t3
    sra a7, t6, t4
    sllw s2, t0, t1
    sllw s3, t0, t2
    srlw s4, t6, t2
    slli s5, t0, 63
    srli s6, t6, 63
    srai s7, t6, 63
    slliw s8, t0, 31
    li s11, 0x80000000
    sraw s9, s11, t5
    srlw s10, s11, t1
  )");
  EXPECT_EQ(rig.reg("a0"), uint64_t{1} << 31);
  EXPECT_EQ(rig.reg("a1"), uint64_t{1} << 32);
  EXPECT_EQ(rig.reg("a2"), kInt64Min);
  EXPECT_EQ(rig.reg("a3"), 1u);  // only the low 6 bits of rs2 count: 64 is 0
  EXPECT_EQ(rig.reg("a4"), 2u);
  EXPECT_EQ(rig.reg("a5"), 1u);
  EXPECT_EQ(rig.reg("a6"), kAllOnes);
  EXPECT_EQ(rig.reg("a7"), kInt64Min);
  EXPECT_EQ(rig.reg("s2"), 0xffff'ffff'8000'0000u);
  EXPECT_EQ(rig.reg("s3"), 1u);  // word shifts use 5 bits: 32 is 0
  EXPECT_EQ(rig.reg("s4"), 0u);  // the low word of 2^63 is zero
  EXPECT_EQ(rig.reg("s5"), kInt64Min);
  EXPECT_EQ(rig.reg("s6"), 1u);
  EXPECT_EQ(rig.reg("s7"), kAllOnes);
  EXPECT_EQ(rig.reg("s8"), 0xffff'ffff'8000'0000u);
  EXPECT_EQ(rig.reg("s9"), 0xffff'ffff'c000'0000u);  // 65 & 31 = 1
  EXPECT_EQ(rig.reg("s10"), 1u);
}

TEST(Rv64Hart, LoadsAndStoresOfEveryWidthExtendAsTheyShould) {
  HartRig rig;
  run_to_ebreak(rig, R"(
    li t0, 0x8182838485868788
    sd t0, 0(s0)
    lb a0, 0(s0)
    lbu a1, 0(s0)
    lh a2, 0(s0)
    lhu a3, 0(s0)
    lw a4, 4(s0)
    lwu a5, 4(s0)
    ld a6, 0(s0)
    li t1, 0x0102030405060708
    sb t1, 8(s0)
    sh t1, 10(s0)
    sw t1, 12(s0)
    sd t1, 16(s0)
    lb a7, 7(s0)
    addi s1, s0, 64
    sd t1, -8(s1)
  )");
  EXPECT_EQ(rig.reg("a0"), s64(int8_t(0x88)));
  EXPECT_EQ(rig.reg("a1"), 0x88u);
  EXPECT_EQ(rig.reg("a2"), s64(int16_t(0x8788)));
  EXPECT_EQ(rig.reg("a3"), 0x8788u);
  EXPECT_EQ(rig.reg("a4"), 0xffff'ffff'8182'8384u);
  EXPECT_EQ(rig.reg("a5"), 0x8182'8384u);
  EXPECT_EQ(rig.reg("a6"), 0x8182'8384'8586'8788u);
  EXPECT_EQ(rig.reg("a7"), s64(int8_t(0x81)));
  EXPECT_EQ(word_at(rig, 8), 0x0506'0708'0708'0008u);
  EXPECT_EQ(word_at(rig, 16), 0x0102'0304'0506'0708u);
  EXPECT_EQ(word_at(rig, 56), 0x0102'0304'0506'0708u);
}

TEST(Rv64Hart, MisalignedLoadsAndStoresWorkAcrossPages) {
  HartRig rig;
  run_to_ebreak(rig, R"(
    li t0, 0x1122334455667788
    sd t0, 3(s0)
    ld a0, 3(s0)
    li t1, 4093
    add t1, s0, t1
    sd t0, 0(t1)
    ld a1, 0(t1)
    lw a2, 1(t1)
    lhu a3, 2(t1)
  )");
  EXPECT_EQ(rig.reg("a0"), 0x1122'3344'5566'7788u);
  EXPECT_EQ(rig.reg("a1"), 0x1122'3344'5566'7788u);  // 3 bytes in one page, 5 in the next
  EXPECT_EQ(rig.reg("a2"), 0x4455'6677u);
  EXPECT_EQ(rig.reg("a3"), 0x5566u);
  EXPECT_EQ(rig.data()[4093], 0x88);
  EXPECT_EQ(rig.data()[4096], 0x55);
}

TEST(Rv64Hart, BranchesAndJumps) {
  HartRig rig;
  run_to_ebreak(rig, R"(
    li t0, -1
    li t1, 1
    li a0, 0
    beq t0, t1, 1f
    ori a0, a0, 1
  1:
    bne t0, t1, 2f
    ori a0, a0, 2
  2:
    blt t0, t1, 3f
    ori a0, a0, 4
  3:
    bge t0, t1, 4f
    ori a0, a0, 8
  4:
    bltu t0, t1, 5f
    ori a0, a0, 16
  5:
    bgeu t0, t1, 6f
    ori a0, a0, 32
  6:
    jal ra, 7f
    ori a0, a0, 64
  7:
    la a1, 8f
    jalr a1, 0(a1)
  link:
    ori a0, a0, 128
  8:
    ori a0, a0, 256
    la t2, 9f
    addi t2, t2, 1
    jalr zero, 0(t2)
    ori a0, a0, 512
  9:
    la a2, link
  )");
  // Taken: bne, blt, bgeu, jal; not taken: beq, bge, bltu.
  EXPECT_EQ(rig.reg("a0"), 1u | 8 | 16 | 256);
  // jalr with rd == rs1 jumps to the old value and links the new one; the target's low bit is
  // cleared.
  EXPECT_EQ(rig.reg("a1"), rig.reg("a2"));
}

TEST(Rv64Hart, CompressedProgramComputesWhatItsExpansionDoes) {
  const std::string source = R"(
    li s1, 12
    li a0, 0
    addi sp, s0, 256
  1:
    addi a0, a0, 3
    slli a1, a0, 2
    add a0, a0, a1
    srli a0, a0, 1
    andi a0, a0, 31
    sd a0, 8(sp)
    ld a2, 8(sp)
    sw a2, 16(sp)
    lw a3, 16(sp)
    addiw a3, a3, -1
    subw a4, a3, a2
    addw a5, a4, a3
    addi s1, s1, -1
    bnez s1, 1b
    mv a6, a5
  )";
  // One elaboration per process: the two versions run one after the other on one rig.
  HartRig rig;
  run_to_ebreak(rig, source);
  std::array<uint64_t, 32> compressed{};
  for (unsigned reg = 0; reg < 32; ++reg)
    compressed[reg] = rig.hart.reg(reg);
  const uint64_t compressed_retired = rig.hart.instructions_retired();
  const uint64_t compressed_end = rig.hart.pc();
  rig.load("li s0, " + std::to_string(HartRig::kData) + "\n" + source + "\nebreak\n", false);
  ASSERT_EQ(rig.run(), HartStop::breakpoint);
  for (unsigned reg = 1; reg < 32; ++reg) {
    EXPECT_EQ(compressed[reg], rig.hart.reg(reg)) << rv64_register_name(reg);
  }
  EXPECT_EQ(compressed_retired, rig.hart.instructions_retired());
  EXPECT_LT(compressed_end, rig.hart.pc());
}

TEST(Rv64Hart, LoadReservedStoreConditional) {
  HartRig rig;
  run_to_ebreak(rig, R"(
    li t0, 41
    sd t0, 0(s0)
    lr.d a0, (s0)
    addi a0, a0, 1
    sc.d a1, a0, (s0)
    sc.d a2, a0, (s0)
    li t1, -5
    sw t1, 8(s0)
    lr.w a3, (s0)
    addi t2, s0, 8
    lr.w a4, (t2)
    sc.w a5, zero, (s0)
    sc.w a6, zero, (t2)
    lr.w a4, (t2)
    sc.w a7, zero, (t2)
  )");
  EXPECT_EQ(rig.reg("a0"), 42u);
  EXPECT_EQ(rig.reg("a1"), 0u);  // success
  EXPECT_EQ(rig.reg("a2"), 1u);  // the reservation went with the first sc
  EXPECT_EQ(word_at(rig, 0), 42u);
  EXPECT_EQ(rig.reg("a4"), s64(-5));  // lr.w sign-extends
  EXPECT_EQ(rig.reg("a5"), 1u);       // the reservation is on the last lr's address only
  EXPECT_EQ(rig.reg("a6"), 1u);       // and a failed sc ended it
  EXPECT_EQ(rig.reg("a7"), 0u);
  EXPECT_EQ(word_at(rig, 8) & 0xffff'ffff, 0u);
}

TEST(Rv64Hart, EveryAmoReturnsTheOldValueAndStoresTheResult) {
  HartRig rig;
  // Each AMO works on its own doubleword (or word) initialised to -8, with rs2 = 5 (or the
  // values noted); rd gets the old value.
  std::string source = "li t0, -8\nli t1, 5\n";
  const char* const ops[] = {"amoswap", "amoadd", "amoxor",  "amoand", "amoor",
                             "amomin",  "amomax", "amominu", "amomaxu"};
  unsigned slot = 0;
  for (const char* width : {"d", "w"}) {
    for (const char* op : ops) {
      const unsigned offset = slot * 8;
      source += std::string(width[0] == 'd' ? "sd" : "sw") + " t0, " + std::to_string(offset) +
                "(s0)\naddi t2, s0, " + std::to_string(offset) + "\n" + op + "." + width +
                " t3, t1, (t2)\nsd t3, " + std::to_string(512 + offset) + "(s0)\n";
      ++slot;
    }
  }
  run_to_ebreak(rig, source);
  const int64_t old_value = -8;
  const int64_t operand = 5;
  const uint64_t expected_d[] = {
      s64(operand),
      s64(old_value + operand),
      s64(old_value ^ operand),
      s64(old_value & operand),
      s64(old_value | operand),
      s64(old_value),  // signed min(-8, 5)
      s64(operand),    // signed max
      s64(operand),    // unsigned min(2^64 - 8, 5)
      s64(old_value),  // unsigned max
  };
  for (unsigned i = 0; i < 9; ++i) {
    EXPECT_EQ(word_at(rig, i * 8), expected_d[i]) << ops[i] << ".d";
    EXPECT_EQ(word_at(rig, 512 + i * 8), s64(old_value)) << ops[i] << ".d returns the old value";
    const uint32_t expected_w = static_cast<uint32_t>(expected_d[i]);
    uint32_t seen = 0;
    std::memcpy(&seen, rig.data() + (9 + i) * 8, sizeof seen);
    EXPECT_EQ(seen, expected_w) << ops[i] << ".w";
    // The .w forms return the old word sign-extended.
    EXPECT_EQ(word_at(rig, 512 + (9 + i) * 8), s64(old_value)) << ops[i] << ".w";
  }
}

TEST(Rv64Hart, CountersAreReadableWithEveryNonWritingForm) {
  HartRig rig;
  run_to_ebreak(rig, R"(
    rdinstret a0
    nop
    nop
    rdinstret a1
    rdcycle a2
    rdtime a3
    csrrs a4, cycle, zero
    csrrc a5, instret, zero
    csrrsi a6, instret, 0
    csrrci a7, instret, 0
    rdcycle s2
  )");
  EXPECT_EQ(rig.reg("a1") - rig.reg("a0"), 3u);  // rdinstret, nop, nop retired in between
  EXPECT_EQ(rig.reg("a6") - rig.reg("a5"), 1u);
  EXPECT_EQ(rig.reg("a7") - rig.reg("a6"), 1u);
  EXPECT_GT(rig.reg("s2"), rig.reg("a2"));
  EXPECT_GE(rig.reg("a4"), rig.reg("a2"));
}

TEST(Rv64Hart, WritingACounterIsIllegal) {
  HartRig rig;
  for (const char* write :
       {"csrrw a0, cycle, a1", "csrrs a0, instret, a1", "csrrc a0, time, a1", "csrrwi a0, cycle, 0",
        "csrrsi a0, cycle, 1", "csrrci a0, cycle, 2", "csrr a0, 0x300", "csrr a0, 0xc03"}) {
    rig.load(std::string("li a1, 1\n") + write + "\nebreak\n");
    EXPECT_EQ(rig.run(), HartStop::illegal_instruction) << write;
    EXPECT_EQ(rig.hart.pc(), HartRig::kCode + 2) << write;
  }
}

TEST(Rv64Hart, IllegalAndPrivilegedInstructionsStop) {
  HartRig rig;
  for (const char* bad : {".word 0", ".half 0", ".word 0xffffffff", "mret", "wfi", "sfence.vma",
                          ".half 0x8002" /* c.jr with rs1 = 0 */, "c.fld fa0, 0(a0)"}) {
    std::string source = std::string("nop\n") + bad + "\nebreak\n";
    if (std::string(bad).rfind("c.fld", 0) == 0) source = ".option arch, +d\n" + source;
    rig.load(source);
    EXPECT_EQ(rig.run(), HartStop::illegal_instruction) << bad;
    EXPECT_EQ(rig.hart.instructions_retired(), 1u) << bad;
  }
}

TEST(Rv64Hart, EcallStopsAndCompletesWithTheResultInA0) {
  HartRig rig;
  rig.load("li t0, 42\nli a0, 7\necall\naddi a1, a0, 1\nebreak\n");
  ASSERT_EQ(rig.run(), HartStop::ecall);
  EXPECT_EQ(rig.reg("t0"), 42u);
  EXPECT_EQ(rig.reg("a0"), 7u);
  rig.hart.complete_ecall(100);
  ASSERT_EQ(rig.run(), HartStop::breakpoint);
  EXPECT_EQ(rig.reg("a1"), 101u);
}

TEST(Rv64Hart, MisalignedAtomicsStop) {
  HartRig rig;
  for (const char* op :
       {"lr.w a0, (t0)", "sc.d a0, a1, (t0)", "amoadd.w a0, a1, (t0)", "amoswap.d a0, a1, (t0)"}) {
    rig.load("li t0, " + std::to_string(HartRig::kData + 2) + "\n" + op + "\nebreak\n");
    EXPECT_EQ(rig.run(), HartStop::misaligned) << op;
    EXPECT_EQ(rig.hart.fault().address, HartRig::kData + 2);
  }
}

TEST(Rv64Hart, FaultsStopAtTheInstructionWithTheAddress) {
  struct Case {
    std::string code;
    uint64_t address;
    AccessType access;
    Fault fault;
  };
  const Case cases[] = {
      {"li t0, " + std::to_string(HartRig::kUnmapped) + "\nld a0, 8(t0)", HartRig::kUnmapped + 8,
       AccessType::read, Fault::not_mapped},
      {"li t0, " + std::to_string(HartRig::kReadOnly) + "\nsw a0, 4(t0)", HartRig::kReadOnly + 4,
       AccessType::write, Fault::permission_write},
      {"li t0, " + std::to_string(HartRig::kReadOnly) + "\namoadd.d a0, a0, (t0)",
       HartRig::kReadOnly, AccessType::write, Fault::permission_write},
      {"li t0, " + std::to_string(HartRig::kData) + "\njr t0", HartRig::kData, AccessType::execute,
       Fault::permission_execute},
      {"li t0, " + std::to_string(HartRig::kCode) + "\nsd a0, 0(t0)", HartRig::kCode,
       AccessType::write, Fault::permission_write},
  };
  HartRig rig;
  for (const Case& c : cases) {
    rig.load(c.code + "\nebreak\n");
    EXPECT_EQ(rig.run(), HartStop::page_fault) << c.code;
    EXPECT_EQ(rig.hart.fault().address, c.address) << c.code;
    EXPECT_EQ(rig.hart.fault().access, c.access) << c.code;
    EXPECT_EQ(rig.hart.fault().fault, c.fault) << c.code;
    if (c.access == AccessType::execute) {
      EXPECT_EQ(rig.hart.pc(), HartRig::kData);
      EXPECT_EQ(rig.hart.stop_instruction(), nullptr);
    } else {
      ASSERT_NE(rig.hart.stop_instruction(), nullptr);
      EXPECT_NE(rv64_op_info(rig.hart.stop_instruction()->op).timing, Rv64Timing::alu);
    }
  }
}

TEST(Rv64Hart, AFaultingInstructionRunsAgainOnceTheMappingIsThere) {
  HartRig rig;
  rig.load("li t0, " + std::to_string(HartRig::kUnmapped) + "\nli a0, 9\nsd a0, 0(t0)\n" +
           "ld a1, 0(t0)\nebreak\n");
  ASSERT_EQ(rig.run(), HartStop::page_fault);
  const uint64_t retired = rig.hart.instructions_retired();
  rig.rig.tables.map(rig.root, HartRig::kUnmapped, HartRig::kDataPhysical + 3 * 4096,
                     testing::kUserReadWrite);
  ASSERT_EQ(rig.run(), HartStop::breakpoint);
  EXPECT_EQ(rig.reg("a1"), 9u);
  EXPECT_EQ(rig.hart.instructions_retired(), retired + 2);
}

TEST(Rv64Hart, StoresIntoDecodedCodeAreSeenByTheNextFetch) {
  // The program runs a loop whose `li a0, 1` it then overwrites with `li a0, 2` (through a
  // writable alias of the code page) and runs again; fence.i drops everything too.
  HartRig rig;
  rig.rig.tables.map(rig.root, HartRig::kData + 3 * 4096, HartRig::kCodePhysical,
                     testing::kUserReadWrite);
  const uint32_t li_a0_2 = 0x00200513;  // addi a0, zero, 2
  rig.load(R"(
    .option norvc
    li s2, 0
    li s3, )" +
           std::to_string(HartRig::kData + 3 * 4096) +
           R"(
  again:
  target:
    li a0, 1
    add s2, s2, a0
    bnez s4, done
    li s4, 1
    li t2, )" +
           std::to_string(li_a0_2) +
           R"(
    la t3, target
    li t4, )" +
           std::to_string(HartRig::kCode) +
           R"(
    sub t3, t3, t4
    add t3, t3, s3
    sw t2, 0(t3)
    j again
  done:
    fence.i
    li a0, 0
    ebreak
  )");
  ASSERT_EQ(rig.run(), HartStop::breakpoint);
  EXPECT_EQ(rig.reg("s2"), 3u);  // 1, then 2 from the rewritten instruction
}

TEST(Rv64Hart, InstructionsAdvanceTheCoresTime) {
  Rv64HartConfig config;
  config.base_cycles = 1;
  config.multiply_cycles = 3;
  config.divide_cycles = 30;
  config.taken_branch_cycles = 5;
  config.load_use_cycles = 7;
  HartRig rig(config);
  // Each window (a rdcycle, what it times, the rdcycle that ends it) sits in one cache line, so
  // that no instruction fetch is charged inside it; the data page is loaded from and stored to
  // first, so that the hart's TLB holds it for both.
  rig.load(R"(
    .option norvc
    li s0, )" +
           std::to_string(HartRig::kData) +
           R"(
    ld t0, 0(s0)
    sd t0, 8(s0)
    .balign 64
    rdcycle a0
    nop
    rdcycle a1
    .balign 64
    rdcycle s2
    mul t0, t0, t0
    rdcycle a2
    .balign 64
    rdcycle s3
    div t0, t0, t1
    rdcycle a3
    .balign 64
    rdcycle s4
    beq zero, zero, 1f
  1:
    rdcycle s9
    .balign 64
    rdcycle s5
    bne zero, zero, 1f
  1:
    rdcycle a5
    .balign 64
    rdcycle s6
    ld t0, 64(s0)
    addi t1, t0, 1
    rdcycle a6
    .balign 64
    rdcycle s7
    ld t0, 128(s0)
    addi t1, t2, 1
    rdcycle a7
    .balign 64
    rdcycle s8
    ld t0, 136(s0)
    ld t1, 144(s0)
    sd t1, 192(s0)
    sd t0, 200(s0)
    ld t2, 200(s0)
    rdcycle a4
    ebreak
  )");
  ASSERT_EQ(rig.run(), HartStop::breakpoint);
  EXPECT_EQ(rig.reg("a1") - rig.reg("a0"), 2u);      // rdcycle, nop
  EXPECT_EQ(rig.reg("a2") - rig.reg("s2"), 1u + 4);  // rdcycle, mul
  EXPECT_EQ(rig.reg("a3") - rig.reg("s3"), 1u + 31);
  EXPECT_EQ(rig.reg("s9") - rig.reg("s4"), 1u + 6);  // a taken branch
  EXPECT_EQ(rig.reg("a5") - rig.reg("s5"), 1u + 1);  // not taken
  // A load waits for its memory access (a line read on the bus here: no caches); using its
  // result in the next instruction adds the load-use cycles, using another register does not.
  // (Memory runs at 1600 MHz: its 625 ps cycles leave the core's time between two cycles, and a
  // count of whole cycles may round either way by one.)
  const uint64_t with_use = rig.reg("a6") - rig.reg("s6");
  const uint64_t without_use = rig.reg("a7") - rig.reg("s7");
  EXPECT_NEAR(static_cast<double>(with_use - without_use), 7.0, 1.0);
  const uint64_t line_read = without_use - 3;
  EXPECT_GT(line_read, 30u);
  // The first load of a window pays its line: the fetch of the window's first line (through the
  // data path here, no caches) may have pushed it out of the core's buffers. Within the line of
  // the last load the next load costs nothing more; a store is posted (the core does not wait
  // for it), a store into the line of the last store is merged, and a load from that line costs
  // nothing more: six instructions, a load-use and a line read.
  EXPECT_NEAR(static_cast<double>(rig.reg("a4") - rig.reg("s8")),
              static_cast<double>(6 + 7 + line_read), 2.0);
}

TEST(Rv64Hart, BudgetStopsAfterExactlyThatManyInstructions) {
  HartRig rig;
  rig.load("1: addi a0, a0, 1\nj 1b\n");
  EXPECT_EQ(rig.run(1001), HartStop::budget);
  EXPECT_EQ(rig.hart.instructions_retired(), 1001u);
  EXPECT_EQ(rig.reg("a0"), 501u);
}

TEST(Rv64Hart, DebugStopsComeBeforeTheNextInstructionForBreakpointsStepsAndWatchpoints) {
  HartRig rig;
  // 4-byte instructions: s0 = kData at kCode + 0, the store at + 8, the load at + 12.
  rig.load(
      "li s0, 0x20000000\nli t0, 5\nsw t0, 8(s0)\nlw t1, 16(s0)\naddi t2, t1, 1\n"
      "amoadd.w t3, t0, (s0)\nebreak\n",
      false);
  rig.hart.add_breakpoint(HartRig::kCode + 4);
  rig.hart.add_watchpoint(HartRig::kData + 10, 4, WatchKind::write);  // the store's last bytes
  rig.hart.add_watchpoint(HartRig::kData + 16, 8, WatchKind::read);
  rig.hart.add_watchpoint(HartRig::kData + 0, 1, WatchKind::access);
  ASSERT_EQ(rig.run(), HartStop::debug);
  EXPECT_EQ(rig.hart.debug_stop().event, HartDebugStop::Event::breakpoint);
  EXPECT_EQ(rig.hart.pc(), HartRig::kCode + 4);
  EXPECT_EQ(rig.hart.instructions_retired(), 1u);
  // The breakpoint does not stop the hart again where it stopped; the store hits, and the stop
  // comes once it retired.
  ASSERT_EQ(rig.run(), HartStop::debug);
  EXPECT_EQ(rig.hart.debug_stop().event, HartDebugStop::Event::watchpoint);
  EXPECT_EQ(rig.hart.debug_stop().watch_address, HartRig::kData + 10);
  EXPECT_EQ(rig.hart.debug_stop().watch_kind, WatchKind::write);
  EXPECT_EQ(rig.hart.pc(), HartRig::kCode + 12);
  EXPECT_EQ(word_at(rig, 8), 5u);
  // A step that hits a watchpoint stops once, for the watchpoint.
  rig.hart.step();
  ASSERT_EQ(rig.run(), HartStop::debug);
  EXPECT_EQ(rig.hart.debug_stop().event, HartDebugStop::Event::watchpoint);
  EXPECT_EQ(rig.hart.debug_stop().watch_kind, WatchKind::read);
  EXPECT_EQ(rig.hart.pc(), HartRig::kCode + 16);
  rig.hart.step();
  ASSERT_EQ(rig.run(), HartStop::debug);
  EXPECT_EQ(rig.hart.debug_stop().event, HartDebugStop::Event::step);
  EXPECT_EQ(rig.hart.pc(), HartRig::kCode + 20);
  // The atomic reads and writes the byte watched for access.
  ASSERT_EQ(rig.run(), HartStop::debug);
  EXPECT_EQ(rig.hart.debug_stop().event, HartDebugStop::Event::watchpoint);
  EXPECT_EQ(rig.hart.debug_stop().watch_address, HartRig::kData);
  EXPECT_EQ(rig.hart.pc(), HartRig::kCode + 24);
  // Software's accesses for an ecall are reported once it retired; removed points stop nothing.
  EXPECT_TRUE(rig.hart.remove_watchpoint(HartRig::kData + 0, 1, WatchKind::access));
  EXPECT_FALSE(rig.hart.remove_watchpoint(HartRig::kData + 0, 1, WatchKind::access));
  EXPECT_TRUE(rig.hart.remove_breakpoint(HartRig::kCode + 4));
  ASSERT_EQ(rig.run(), HartStop::breakpoint);  // the program's own ebreak
  rig.hart.note_software_access(HartRig::kData + 12, 4, true);
  rig.hart.set_pc(rig.hart.pc() + 4);
  rig.hart.complete_ecall(0);  // as if the ebreak were a call that retired
  ASSERT_EQ(rig.run(), HartStop::debug);
  EXPECT_EQ(rig.hart.debug_stop().event, HartDebugStop::Event::watchpoint);
  EXPECT_EQ(rig.hart.debug_stop().watch_address, HartRig::kData + 12);
}

TEST(Rv64Hart, DebugStopsLeaveTheTimeOfTheCodeUnchanged) {
  HartRig rig;
  rig.load(R"(
    li s0, 0x20000000
    li s1, 40
1:  ld t0, 0(s0)
    addi t0, t0, 3
    sd t0, 64(s0)
    mul t1, t0, t0
    addi s1, s1, -1
    bnez s1, 1b
    ebreak
  )");
  // The core's time from the program's start to its ebreak, run in one thread; with `debug`, a
  // breakpoint in the loop, steps, a watchpoint and polls stop the hart over and over.
  unsigned runs = 0;
  auto elapsed = [&](bool debug) {
    Ticks time = 0;
    rig.rig.cpu.start_thread("guest" + std::to_string(++runs), [&] {
      rig.hart.reset(HartRig::kCode);
      if (debug) {
        rig.hart.add_breakpoint(HartRig::kCode + 8);
        rig.hart.add_watchpoint(HartRig::kData + 64, 8, WatchKind::write);
        rig.hart.poll_every(7);
      }
      const Ticks start = rig.rig.cpu.now();
      unsigned stops = 0;
      HartStop stop = HartStop::debug;
      while ((stop = rig.hart.run(1'000'000)) == HartStop::debug) {
        if (++stops % 5 == 0) rig.hart.step();
      }
      EXPECT_EQ(stop, HartStop::breakpoint);
      if (debug) {
        EXPECT_GT(stops, 100u);
      }
      time = rig.rig.cpu.now() - start;
    });
    sc_core::sc_start();
    return time;
  };
  elapsed(false);  // the MMU's TLB and the memory's rows warm up
  const Ticks plain = elapsed(false);
  EXPECT_EQ(elapsed(true), plain);
  EXPECT_EQ(elapsed(false), plain);
}

TEST(Rv64Disassembler, PrintsTheBaseFormWithAbiNames) {
  EXPECT_EQ(rv64_disassemble(rv64_decode(0x00a50513), 0), "addi a0, a0, 10");
  EXPECT_EQ(rv64_disassemble(rv64_decode(0x00113423), 0), "sd ra, 8(sp)");
  EXPECT_EQ(rv64_disassemble(rv64_decode(0x00b50463), 0x1000), "beq a0, a1, 0x1008");
  EXPECT_EQ(rv64_disassemble(rv64_decode(0x4505), 0), "addi a0, zero, 1");  // c.li a0, 1
  EXPECT_EQ(rv64_disassemble(rv64_decode(0xc0002573), 0), "csrrs a0, cycle, zero");
  EXPECT_EQ(rv64_disassemble(rv64_decode(0x100525af), 0), "lr.w a1, (a0)");
  EXPECT_EQ(rv64_disassemble(rv64_decode(0x00000000), 0), ".2byte 0x0000");
  EXPECT_EQ(rv64_disassemble(rv64_decode(0x00000073), 0), "ecall");
  // Illegal in user mode, named all the same.
  EXPECT_EQ(rv64_disassemble(rv64_decode(0x10500073), 0), "wfi");
  EXPECT_EQ(rv64_disassemble(rv64_decode(0x30200073), 0), "mret");
  EXPECT_EQ(rv64_disassemble(rv64_decode(0x10200073), 0), "sret");
  EXPECT_EQ(rv64_disassemble(rv64_decode(0x12b50073), 0), "sfence.vma a0, a1");
  EXPECT_EQ(rv64_disassemble(rv64_decode(0xffffffff), 0), ".4byte 0xffffffff");
}

}  // namespace
}  // namespace zxvp
