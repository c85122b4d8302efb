// The decoder: every compressed form against the 32-bit instruction binutils encodes for the
// same assembly (an implementation other than ours), reserved encodings, and the table.
#include "models/cpu/rv64_decoder.h"

#include <gtest/gtest.h>

#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "tests/support/guest_assembler.h"

namespace zxvp {
namespace {

// Instructions that have a compressed form, with immediates at the ends of their ranges. Branch
// and jump targets are relative (.+N) so that both assemblies encode the same offsets.
const std::vector<std::string> kCompressible = {
    "addi s0, sp, 4",
    "addi a5, sp, 1020",
    "lw a0, 0(a1)",
    "lw s1, 124(a5)",
    "ld a0, 8(a1)",
    "ld a5, 248(s0)",
    "sw a0, 4(a1)",
    "sw a5, 124(s1)",
    "sd a0, 0(a1)",
    "sd s0, 248(a4)",
    "addi a0, a0, -32",
    "addi t6, t6, 31",
    "addi zero, zero, 0",
    "addiw a0, a0, -1",
    "addiw t0, t0, 31",
    "addiw s1, s1, 0",
    "li a0, -32",
    "li t1, 31",
    "addi sp, sp, -512",
    "addi sp, sp, 496",
    "addi sp, sp, 16",
    "lui a0, 1",
    "lui s2, 0xfffe0",
    "lui t0, 31",
    "srli s0, s0, 1",
    "srli a5, a5, 63",
    "srai a0, a0, 32",
    "srai s1, s1, 1",
    "andi a1, a1, -32",
    "andi s1, s1, 31",
    "sub a0, a0, a1",
    "xor s0, s0, s1",
    "or a2, a2, a3",
    "and a4, a4, a5",
    "subw a0, a0, a5",
    "addw s1, s1, a0",
    "j .+2044",
    "j .-2048",
    "j .+2",
    "beqz a0, .+254",
    "beqz s1, .-256",
    "bnez a5, .+8",
    "bnez s0, .-2",
    "slli a0, a0, 1",
    "slli t6, t6, 63",
    "slli ra, ra, 32",
    "lw a0, 252(sp)",
    "lw ra, 0(sp)",
    "ld a0, 504(sp)",
    "ld s11, 8(sp)",
    "jr a0",
    "jr ra",
    "add a0, zero, a1",
    "add t6, zero, s11",
    "ebreak",
    "jalr a0",
    "jalr t6",
    "add a0, a0, a1",
    "add sp, sp, t6",
    "sw a0, 252(sp)",
    "sw zero, 0(sp)",
    "sd t6, 504(sp)",
    "sd ra, 8(sp)",
};

// Assembles one instruction per 4-byte slot.
std::vector<uint8_t> slots(bool compressed) {
  std::string source = ".option norelax\n";
  for (const std::string& instruction : kCompressible)
    source += instruction + "\n.balign 4\n";
  return testing::assemble_rv64(source, compressed);
}

TEST(Rv64Decoder, CompressedFormsExpandToWhatBinutilsEncodes) {
  const std::vector<uint8_t> short_forms = slots(true);
  const std::vector<uint8_t> long_forms = slots(false);
  ASSERT_EQ(short_forms.size(), kCompressible.size() * 4);
  ASSERT_EQ(long_forms.size(), kCompressible.size() * 4);
  for (size_t i = 0; i < kCompressible.size(); ++i) {
    uint16_t parcel = 0;
    uint32_t word = 0;
    std::memcpy(&parcel, &short_forms[i * 4], sizeof parcel);
    std::memcpy(&word, &long_forms[i * 4], sizeof word);
    ASSERT_EQ(rv64_instruction_length(parcel), 2u)
        << kCompressible[i] << ": binutils did not compress it";
    EXPECT_EQ(rv64_expand_compressed(parcel), word)
        << kCompressible[i] << std::hex << ": parcel 0x" << parcel;
    const Rv64Instruction from_parcel = rv64_decode(parcel);
    const Rv64Instruction from_word = rv64_decode(word);
    EXPECT_NE(from_parcel.op, Rv64Op::illegal) << kCompressible[i];
    EXPECT_EQ(from_parcel.op, from_word.op) << kCompressible[i];
    EXPECT_EQ(from_parcel.rd, from_word.rd) << kCompressible[i];
    EXPECT_EQ(from_parcel.rs1, from_word.rs1) << kCompressible[i];
    EXPECT_EQ(from_parcel.rs2, from_word.rs2) << kCompressible[i];
    EXPECT_EQ(from_parcel.imm, from_word.imm) << kCompressible[i];
    EXPECT_EQ(from_parcel.length, 2u);
    EXPECT_EQ(from_word.length, 4u);
  }
}

TEST(Rv64Decoder, ReservedCompressedEncodingsAreIllegal) {
  const uint16_t reserved[] = {
      0x0000,  // all zeros
      0x001c,  // c.addi4spn with a zero immediate
      0x6501,  // c.lui with a zero immediate
      0x6101,  // c.addi16sp with a zero immediate
      0x4002,  // c.lwsp into x0
      0x6002,  // c.ldsp into x0
      0x8002,  // c.jr x0
      0x2001,  // c.addiw into x0
      0x8000,  // quadrant 0, funct3 4
      0x9c41,  // quadrant 1, the reserved arithmetic form
      0x2000,  // c.fld (no floating point)
      0x2002,  // c.fldsp
      0xa002,  // c.fsdsp
      0xa000,  // c.fsd
  };
  for (uint16_t parcel : reserved) {
    EXPECT_EQ(rv64_expand_compressed(parcel), 0u) << std::hex << parcel;
    EXPECT_EQ(rv64_decode(parcel).op, Rv64Op::illegal) << std::hex << parcel;
    EXPECT_EQ(rv64_decode(parcel).length, 2u);
  }
  // HINTs are instructions that write x0.
  for (uint16_t hint : {uint16_t{0x0005}, uint16_t{0x4001}, uint16_t{0x0002}}) {
    const Rv64Instruction decoded = rv64_decode(hint);
    EXPECT_NE(decoded.op, Rv64Op::illegal) << std::hex << hint;
    EXPECT_EQ(decoded.rd, 0u);
  }
}

TEST(Rv64Decoder, EveryRowOfTheTableDecodesToItself) {
  // A row's match is its own encoding with every operand field zero; the rows are disjoint.
  std::set<std::pair<uint32_t, uint32_t>> seen;
  for (unsigned index = static_cast<unsigned>(Rv64Op::lui);
       index <= static_cast<unsigned>(Rv64Op::csrrci); ++index) {
    const auto op = static_cast<Rv64Op>(index);
    const Rv64OpInfo& info = rv64_op_info(op);
    EXPECT_EQ(rv64_decode(info.match).op, op) << info.mnemonic;
    EXPECT_EQ(info.match & ~info.mask, 0u) << info.mnemonic;
    EXPECT_TRUE(seen.insert({info.mask, info.match}).second) << info.mnemonic;
  }
  // 48-bit and longer encodings, and an unknown major opcode.
  EXPECT_EQ(rv64_decode(0x0000001f).op, Rv64Op::illegal);
  EXPECT_EQ(rv64_decode(0x0000007f).op, Rv64Op::illegal);
  EXPECT_EQ(rv64_decode(0x0000000b).op, Rv64Op::illegal);
}

TEST(Rv64Decoder, ImmediatesAndRegisters) {
  // sd a5, -8(s0); beq zero, t6, -4096; jal ra, -1048576; lui a0, 0xfffff
  const Rv64Instruction store = rv64_decode(0xfef43c23);
  EXPECT_EQ(store.op, Rv64Op::sd);
  EXPECT_EQ(store.rs1, 8u);
  EXPECT_EQ(store.rs2, 15u);
  EXPECT_EQ(store.imm, -8);
  const std::vector<uint8_t> code = testing::assemble_rv64(
      ".option norelax\nbeq zero, t6, .-4096\njal ra, .-1048576\nlui a0, 0xfffff\n"
      "slli a0, a1, 63\nsraiw a0, a1, 31\n",
      false);
  ASSERT_EQ(code.size(), 20u);
  uint32_t words[5];
  std::memcpy(words, code.data(), sizeof words);
  EXPECT_EQ(rv64_decode(words[0]).imm, -4096);
  EXPECT_EQ(rv64_decode(words[0]).rs2, 31u);
  EXPECT_EQ(rv64_decode(words[1]).imm, -1048576);
  EXPECT_EQ(rv64_decode(words[1]).rd, 1u);
  EXPECT_EQ(rv64_decode(words[2]).imm, -4096);
  EXPECT_EQ(rv64_decode(words[3]).imm, 63);
  EXPECT_EQ(rv64_decode(words[4]).op, Rv64Op::sraiw);
  EXPECT_EQ(rv64_decode(words[4]).imm, 31);
  // slliw with shamt bit 5 set is reserved.
  EXPECT_EQ(rv64_decode(0x0205951b).op, Rv64Op::illegal);
}

}  // namespace
}  // namespace zxvp
