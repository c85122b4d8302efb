#pragma once

#include <cstdint>
#include <string_view>

namespace zxvp {

// The instructions of RV64IMAC with Zicsr, Zifencei and the user counters, as one table that
// drives the decoder (match and mask, after riscv-opcodes), the disassembler (mnemonic and
// operand format), the hart's timing (class) and the tests. Compressed instructions have no rows
// of their own: the decoder expands them to the 32-bit instruction they stand for.
//
//   X(op, mnemonic, format, mask, match, timing class)
#define ZXVP_RV64_INSTRUCTIONS(X)                                 \
  X(lui, "lui", u, 0x0000007f, 0x00000037, alu)                   \
  X(auipc, "auipc", u, 0x0000007f, 0x00000017, alu)               \
  X(jal, "jal", j, 0x0000007f, 0x0000006f, jump)                  \
  X(jalr, "jalr", i_load, 0x0000707f, 0x00000067, jump)           \
  X(beq, "beq", b, 0x0000707f, 0x00000063, branch)                \
  X(bne, "bne", b, 0x0000707f, 0x00001063, branch)                \
  X(blt, "blt", b, 0x0000707f, 0x00004063, branch)                \
  X(bge, "bge", b, 0x0000707f, 0x00005063, branch)                \
  X(bltu, "bltu", b, 0x0000707f, 0x00006063, branch)              \
  X(bgeu, "bgeu", b, 0x0000707f, 0x00007063, branch)              \
  X(lb, "lb", i_load, 0x0000707f, 0x00000003, load)               \
  X(lh, "lh", i_load, 0x0000707f, 0x00001003, load)               \
  X(lw, "lw", i_load, 0x0000707f, 0x00002003, load)               \
  X(ld, "ld", i_load, 0x0000707f, 0x00003003, load)               \
  X(lbu, "lbu", i_load, 0x0000707f, 0x00004003, load)             \
  X(lhu, "lhu", i_load, 0x0000707f, 0x00005003, load)             \
  X(lwu, "lwu", i_load, 0x0000707f, 0x00006003, load)             \
  X(sb, "sb", s, 0x0000707f, 0x00000023, store)                   \
  X(sh, "sh", s, 0x0000707f, 0x00001023, store)                   \
  X(sw, "sw", s, 0x0000707f, 0x00002023, store)                   \
  X(sd, "sd", s, 0x0000707f, 0x00003023, store)                   \
  X(addi, "addi", i, 0x0000707f, 0x00000013, alu)                 \
  X(slti, "slti", i, 0x0000707f, 0x00002013, alu)                 \
  X(sltiu, "sltiu", i, 0x0000707f, 0x00003013, alu)               \
  X(xori, "xori", i, 0x0000707f, 0x00004013, alu)                 \
  X(ori, "ori", i, 0x0000707f, 0x00006013, alu)                   \
  X(andi, "andi", i, 0x0000707f, 0x00007013, alu)                 \
  X(slli, "slli", shift, 0xfc00707f, 0x00001013, alu)             \
  X(srli, "srli", shift, 0xfc00707f, 0x00005013, alu)             \
  X(srai, "srai", shift, 0xfc00707f, 0x40005013, alu)             \
  X(add, "add", r, 0xfe00707f, 0x00000033, alu)                   \
  X(sub, "sub", r, 0xfe00707f, 0x40000033, alu)                   \
  X(sll, "sll", r, 0xfe00707f, 0x00001033, alu)                   \
  X(slt, "slt", r, 0xfe00707f, 0x00002033, alu)                   \
  X(sltu, "sltu", r, 0xfe00707f, 0x00003033, alu)                 \
  X(xor_, "xor", r, 0xfe00707f, 0x00004033, alu)                  \
  X(srl, "srl", r, 0xfe00707f, 0x00005033, alu)                   \
  X(sra, "sra", r, 0xfe00707f, 0x40005033, alu)                   \
  X(or_, "or", r, 0xfe00707f, 0x00006033, alu)                    \
  X(and_, "and", r, 0xfe00707f, 0x00007033, alu)                  \
  X(fence, "fence", none, 0x0000707f, 0x0000000f, alu)            \
  X(fence_i, "fence.i", none, 0x0000707f, 0x0000100f, alu)        \
  X(ecall, "ecall", none, 0xffffffff, 0x00000073, system)         \
  X(ebreak, "ebreak", none, 0xffffffff, 0x00100073, system)       \
  X(addiw, "addiw", i, 0x0000707f, 0x0000001b, alu)               \
  X(slliw, "slliw", shift, 0xfe00707f, 0x0000101b, alu)           \
  X(srliw, "srliw", shift, 0xfe00707f, 0x0000501b, alu)           \
  X(sraiw, "sraiw", shift, 0xfe00707f, 0x4000501b, alu)           \
  X(addw, "addw", r, 0xfe00707f, 0x0000003b, alu)                 \
  X(subw, "subw", r, 0xfe00707f, 0x4000003b, alu)                 \
  X(sllw, "sllw", r, 0xfe00707f, 0x0000103b, alu)                 \
  X(srlw, "srlw", r, 0xfe00707f, 0x0000503b, alu)                 \
  X(sraw, "sraw", r, 0xfe00707f, 0x4000503b, alu)                 \
  X(mul, "mul", r, 0xfe00707f, 0x02000033, multiply)              \
  X(mulh, "mulh", r, 0xfe00707f, 0x02001033, multiply)            \
  X(mulhsu, "mulhsu", r, 0xfe00707f, 0x02002033, multiply)        \
  X(mulhu, "mulhu", r, 0xfe00707f, 0x02003033, multiply)          \
  X(div, "div", r, 0xfe00707f, 0x02004033, divide)                \
  X(divu, "divu", r, 0xfe00707f, 0x02005033, divide)              \
  X(rem, "rem", r, 0xfe00707f, 0x02006033, divide)                \
  X(remu, "remu", r, 0xfe00707f, 0x02007033, divide)              \
  X(mulw, "mulw", r, 0xfe00707f, 0x0200003b, multiply)            \
  X(divw, "divw", r, 0xfe00707f, 0x0200403b, divide)              \
  X(divuw, "divuw", r, 0xfe00707f, 0x0200503b, divide)            \
  X(remw, "remw", r, 0xfe00707f, 0x0200603b, divide)              \
  X(remuw, "remuw", r, 0xfe00707f, 0x0200703b, divide)            \
  X(lr_w, "lr.w", lr, 0xf9f0707f, 0x1000202f, atomic)             \
  X(sc_w, "sc.w", amo, 0xf800707f, 0x1800202f, atomic)            \
  X(amoswap_w, "amoswap.w", amo, 0xf800707f, 0x0800202f, atomic)  \
  X(amoadd_w, "amoadd.w", amo, 0xf800707f, 0x0000202f, atomic)    \
  X(amoxor_w, "amoxor.w", amo, 0xf800707f, 0x2000202f, atomic)    \
  X(amoand_w, "amoand.w", amo, 0xf800707f, 0x6000202f, atomic)    \
  X(amoor_w, "amoor.w", amo, 0xf800707f, 0x4000202f, atomic)      \
  X(amomin_w, "amomin.w", amo, 0xf800707f, 0x8000202f, atomic)    \
  X(amomax_w, "amomax.w", amo, 0xf800707f, 0xa000202f, atomic)    \
  X(amominu_w, "amominu.w", amo, 0xf800707f, 0xc000202f, atomic)  \
  X(amomaxu_w, "amomaxu.w", amo, 0xf800707f, 0xe000202f, atomic)  \
  X(lr_d, "lr.d", lr, 0xf9f0707f, 0x1000302f, atomic)             \
  X(sc_d, "sc.d", amo, 0xf800707f, 0x1800302f, atomic)            \
  X(amoswap_d, "amoswap.d", amo, 0xf800707f, 0x0800302f, atomic)  \
  X(amoadd_d, "amoadd.d", amo, 0xf800707f, 0x0000302f, atomic)    \
  X(amoxor_d, "amoxor.d", amo, 0xf800707f, 0x2000302f, atomic)    \
  X(amoand_d, "amoand.d", amo, 0xf800707f, 0x6000302f, atomic)    \
  X(amoor_d, "amoor.d", amo, 0xf800707f, 0x4000302f, atomic)      \
  X(amomin_d, "amomin.d", amo, 0xf800707f, 0x8000302f, atomic)    \
  X(amomax_d, "amomax.d", amo, 0xf800707f, 0xa000302f, atomic)    \
  X(amominu_d, "amominu.d", amo, 0xf800707f, 0xc000302f, atomic)  \
  X(amomaxu_d, "amomaxu.d", amo, 0xf800707f, 0xe000302f, atomic)  \
  X(csrrw, "csrrw", csr, 0x0000707f, 0x00001073, alu)             \
  X(csrrs, "csrrs", csr, 0x0000707f, 0x00002073, alu)             \
  X(csrrc, "csrrc", csr, 0x0000707f, 0x00003073, alu)             \
  X(csrrwi, "csrrwi", csr_immediate, 0x0000707f, 0x00005073, alu) \
  X(csrrsi, "csrrsi", csr_immediate, 0x0000707f, 0x00006073, alu) \
  X(csrrci, "csrrci", csr_immediate, 0x0000707f, 0x00007073, alu)

enum class Rv64Op : uint8_t {
  // Not decoded yet: a decoded page's slot before the hart first executes it.
  undecoded,
  // An encoding that is no instruction of RV64IMAC (or a reserved compressed one).
  illegal,
#define ZXVP_RV64_OP(op, mnemonic, format, mask, match, timing) op,
  ZXVP_RV64_INSTRUCTIONS(ZXVP_RV64_OP)
#undef ZXVP_RV64_OP
};

// How an instruction's operands sit in its encoding, and how the disassembler prints them.
enum class Rv64Format : uint8_t {
  none,           // fence, ecall: no operands printed
  r,              // rd, rs1, rs2
  i,              // rd, rs1, imm
  i_load,         // rd, imm(rs1) (loads and jalr)
  shift,          // rd, rs1, shamt
  s,              // rs2, imm(rs1)
  b,              // rs1, rs2, target
  u,              // rd, imm >> 12
  j,              // rd, target
  lr,             // rd, (rs1)
  amo,            // rd, rs2, (rs1)
  csr,            // rd, csr, rs1
  csr_immediate,  // rd, csr, uimm (in the rs1 field)
};

// What an instruction costs beyond the base cycles of every instruction (Rv64HartConfig).
enum class Rv64Timing : uint8_t {
  alu,       // the base only
  multiply,  // + multiply_cycles
  divide,    // + divide_cycles
  branch,    // + taken_branch_cycles when taken
  jump,      // the base only: direct jumps and returns are predicted
  load,      // + the data access (MMU, caches)
  store,     // + the data access
  atomic,    // + the data accesses (an AMO reads, then writes)
  system,    // ecall, ebreak: served by software
};

struct Rv64OpInfo {
  std::string_view mnemonic;
  Rv64Format format;
  uint32_t mask;
  uint32_t match;
  Rv64Timing timing;
};

// One instruction, decoded once and kept (see Rv64Hart). `imm` is sign-extended to 64 bits (the
// CSR number for CSR instructions, the shift amount for shifts). `sources` has bit r set when
// the instruction reads register r (r > 0), for the load-use check. `cost_cycles` is left to the
// hart: its fixed cost under the hart's timing parameters.
struct Rv64Instruction {
  Rv64Op op = Rv64Op::undecoded;
  uint8_t rd = 0;
  uint8_t rs1 = 0;
  uint8_t rs2 = 0;
  uint8_t length = 4;  // bytes: 2 for a compressed instruction
  uint16_t cost_cycles = 0;
  uint32_t sources = 0;
  uint32_t raw = 0;  // the encoding as fetched (16 bits for a compressed one)
  int64_t imm = 0;
};

const Rv64OpInfo& rv64_op_info(Rv64Op op);

// RISC-V ABI register names (zero, ra, sp, ... t6).
std::string_view rv64_register_name(unsigned reg);

}  // namespace zxvp
