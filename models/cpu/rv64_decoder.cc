#include "models/cpu/rv64_decoder.h"

#include <array>
#include <vector>

namespace zxvp {

namespace {

// Bits hi..lo of `value`.
constexpr uint32_t bits(uint32_t value, unsigned hi, unsigned lo) {
  return (value >> lo) & ((uint32_t{1} << (hi - lo + 1)) - 1);
}

// Sign-extends the low `width` bits of `value`.
constexpr int64_t sign_extend(uint64_t value, unsigned width) {
  const uint64_t sign = uint64_t{1} << (width - 1);
  value &= (sign << 1) - 1;
  return static_cast<int64_t>(value ^ sign) - static_cast<int64_t>(sign);
}

// The base encodings the compressed forms expand to (the ISA manual's R, I, S, B, U, J types).
constexpr uint32_t r_type(uint32_t funct7, uint32_t rs2, uint32_t rs1, uint32_t funct3, uint32_t rd,
                          uint32_t opcode) {
  return funct7 << 25 | rs2 << 20 | rs1 << 15 | funct3 << 12 | rd << 7 | opcode;
}
constexpr uint32_t i_type(int64_t imm, uint32_t rs1, uint32_t funct3, uint32_t rd,
                          uint32_t opcode) {
  return (static_cast<uint32_t>(imm) & 0xfff) << 20 | rs1 << 15 | funct3 << 12 | rd << 7 | opcode;
}
constexpr uint32_t s_type(int64_t imm, uint32_t rs2, uint32_t rs1, uint32_t funct3) {
  const auto value = static_cast<uint32_t>(imm);
  return bits(value, 11, 5) << 25 | rs2 << 20 | rs1 << 15 | funct3 << 12 | bits(value, 4, 0) << 7 |
         0x23;
}
constexpr uint32_t b_type(int64_t imm, uint32_t rs2, uint32_t rs1, uint32_t funct3) {
  const auto value = static_cast<uint32_t>(imm);
  return bits(value, 12, 12) << 31 | bits(value, 10, 5) << 25 | rs2 << 20 | rs1 << 15 |
         funct3 << 12 | bits(value, 4, 1) << 8 | bits(value, 11, 11) << 7 | 0x63;
}
constexpr uint32_t u_type(int64_t imm, uint32_t rd, uint32_t opcode) {
  return (static_cast<uint32_t>(imm) & 0xfffff000) | rd << 7 | opcode;
}
constexpr uint32_t j_type(int64_t imm, uint32_t rd) {
  const auto value = static_cast<uint32_t>(imm);
  return bits(value, 20, 20) << 31 | bits(value, 10, 1) << 21 | bits(value, 11, 11) << 20 |
         bits(value, 19, 12) << 12 | rd << 7 | 0x6f;
}

constexpr uint32_t kOpImm = 0x13;
constexpr uint32_t kOpImm32 = 0x1b;
constexpr uint32_t kOp = 0x33;
constexpr uint32_t kOp32 = 0x3b;
constexpr uint32_t kLoad = 0x03;
constexpr uint32_t kLui = 0x37;
constexpr uint32_t kJalr = 0x67;
constexpr uint32_t kEbreak = 0x00100073;

uint32_t expand_quadrant0(uint32_t c) {
  const uint32_t rd_prime = bits(c, 4, 2) + 8;
  const uint32_t rs1_prime = bits(c, 9, 7) + 8;
  const uint32_t word_offset = bits(c, 5, 5) << 6 | bits(c, 12, 10) << 3 | bits(c, 6, 6) << 2;
  const uint32_t double_offset = bits(c, 6, 5) << 6 | bits(c, 12, 10) << 3;
  switch (bits(c, 15, 13)) {
    case 0: {  // c.addi4spn; a zero immediate is reserved (and so is the all-zero parcel)
      const uint32_t offset =
          bits(c, 10, 7) << 6 | bits(c, 12, 11) << 4 | bits(c, 5, 5) << 3 | bits(c, 6, 6) << 2;
      return offset == 0 ? 0 : i_type(offset, 2, 0, rd_prime, kOpImm);
    }
    case 2:  // c.lw
      return i_type(word_offset, rs1_prime, 2, rd_prime, kLoad);
    case 3:  // c.ld
      return i_type(double_offset, rs1_prime, 3, rd_prime, kLoad);
    case 6:  // c.sw
      return s_type(word_offset, rd_prime, rs1_prime, 2);
    case 7:  // c.sd
      return s_type(double_offset, rd_prime, rs1_prime, 3);
    default:  // c.fld, c.fsd (no floating point), and the reserved funct3 4
      return 0;
  }
}

uint32_t expand_quadrant1(uint32_t c) {
  const uint32_t rd = bits(c, 11, 7);
  const int64_t imm6 = sign_extend(bits(c, 12, 12) << 5 | bits(c, 6, 2), 6);
  const uint32_t rs1_prime = bits(c, 9, 7) + 8;
  const uint32_t rs2_prime = bits(c, 4, 2) + 8;
  switch (bits(c, 15, 13)) {
    case 0:  // c.addi (c.nop with rd 0)
      return i_type(imm6, rd, 0, rd, kOpImm);
    case 1:  // c.addiw; rd 0 is reserved
      return rd == 0 ? 0 : i_type(imm6, rd, 0, rd, kOpImm32);
    case 2:  // c.li
      return i_type(imm6, 0, 0, rd, kOpImm);
    case 3: {
      if (rd == 2) {  // c.addi16sp; a zero immediate is reserved
        const int64_t imm =
            sign_extend(bits(c, 12, 12) << 9 | bits(c, 4, 3) << 7 | bits(c, 5, 5) << 6 |
                            bits(c, 2, 2) << 5 | bits(c, 6, 6) << 4,
                        10);
        return imm == 0 ? 0 : i_type(imm, 2, 0, 2, kOpImm);
      }
      // c.lui; a zero immediate is reserved
      const int64_t imm = sign_extend(bits(c, 12, 12) << 17 | bits(c, 6, 2) << 12, 18);
      return imm == 0 ? 0 : u_type(imm, rd, kLui);
    }
    case 4: {
      const uint32_t shamt = bits(c, 12, 12) << 5 | bits(c, 6, 2);
      switch (bits(c, 11, 10)) {
        case 0:  // c.srli
          return i_type(shamt, rs1_prime, 5, rs1_prime, kOpImm);
        case 1:  // c.srai
          return i_type(0x400 | shamt, rs1_prime, 5, rs1_prime, kOpImm);
        case 2:  // c.andi
          return i_type(imm6, rs1_prime, 7, rs1_prime, kOpImm);
        default:
          break;
      }
      static constexpr std::array<uint32_t, 4> kFunct3 = {0, 4, 6, 7};  // sub, xor, or, and
      const uint32_t kind = bits(c, 6, 5);
      if (bits(c, 12, 12) == 0) {
        return r_type(kind == 0 ? 0x20 : 0, rs2_prime, rs1_prime, kFunct3[kind], rs1_prime, kOp);
      }
      if (kind == 0) return r_type(0x20, rs2_prime, rs1_prime, 0, rs1_prime, kOp32);  // c.subw
      if (kind == 1) return r_type(0, rs2_prime, rs1_prime, 0, rs1_prime, kOp32);     // c.addw
      return 0;
    }
    case 5: {  // c.j
      const int64_t offset = sign_extend(
          bits(c, 12, 12) << 11 | bits(c, 11, 11) << 4 | bits(c, 10, 9) << 8 | bits(c, 8, 8) << 10 |
              bits(c, 7, 7) << 6 | bits(c, 6, 6) << 7 | bits(c, 5, 3) << 1 | bits(c, 2, 2) << 5,
          12);
      return j_type(offset, 0);
    }
    default: {  // c.beqz, c.bnez
      const int64_t offset =
          sign_extend(bits(c, 12, 12) << 8 | bits(c, 11, 10) << 3 | bits(c, 6, 5) << 6 |
                          bits(c, 4, 3) << 1 | bits(c, 2, 2) << 5,
                      9);
      return b_type(offset, 0, rs1_prime, bits(c, 15, 13) == 6 ? 0 : 1);
    }
  }
}

uint32_t expand_quadrant2(uint32_t c) {
  const uint32_t rd = bits(c, 11, 7);
  const uint32_t rs2 = bits(c, 6, 2);
  switch (bits(c, 15, 13)) {
    case 0:  // c.slli
      return i_type(bits(c, 12, 12) << 5 | rs2, rd, 1, rd, kOpImm);
    case 2: {  // c.lwsp; rd 0 is reserved
      const uint32_t offset = bits(c, 12, 12) << 5 | bits(c, 6, 4) << 2 | bits(c, 3, 2) << 6;
      return rd == 0 ? 0 : i_type(offset, 2, 2, rd, kLoad);
    }
    case 3: {  // c.ldsp; rd 0 is reserved
      const uint32_t offset = bits(c, 12, 12) << 5 | bits(c, 6, 5) << 3 | bits(c, 4, 2) << 6;
      return rd == 0 ? 0 : i_type(offset, 2, 3, rd, kLoad);
    }
    case 4:
      if (bits(c, 12, 12) == 0) {
        if (rs2 != 0) return r_type(0, rs2, 0, 0, rd, kOp);  // c.mv
        return rd == 0 ? 0 : i_type(0, rd, 0, 0, kJalr);     // c.jr; rs1 0 is reserved
      }
      if (rs2 != 0) return r_type(0, rs2, rd, 0, rd, kOp);    // c.add
      return rd == 0 ? kEbreak : i_type(0, rd, 0, 1, kJalr);  // c.ebreak, c.jalr
    case 6:                                                   // c.swsp
      return s_type(bits(c, 12, 9) << 2 | bits(c, 8, 7) << 6, rs2, 2, 2);
    case 7:  // c.sdsp
      return s_type(bits(c, 12, 10) << 3 | bits(c, 9, 7) << 6, rs2, 2, 3);
    default:  // c.fldsp, c.fsdsp
      return 0;
  }
}

// The table's rows grouped by major opcode (the low 7 bits), so that decoding a word looks at
// the few rows that can match it.
const std::array<std::vector<Rv64Op>, 128>& rows_by_opcode() {
  static const auto table = [] {
    std::array<std::vector<Rv64Op>, 128> rows;
#define ZXVP_RV64_ROW(op, mnemonic, format, mask, match, timing) \
  rows[(match)&0x7f].push_back(Rv64Op::op);
    ZXVP_RV64_INSTRUCTIONS(ZXVP_RV64_ROW)
#undef ZXVP_RV64_ROW
    return rows;
  }();
  return table;
}

// Which registers each format reads, for the load-use check (x0 never counts).
uint32_t sources_of(Rv64Format format, uint32_t rs1, uint32_t rs2) {
  uint32_t sources = 0;
  switch (format) {
    case Rv64Format::r:
    case Rv64Format::s:
    case Rv64Format::b:
    case Rv64Format::amo:
      sources = uint32_t{1} << rs1 | uint32_t{1} << rs2;
      break;
    case Rv64Format::i:
    case Rv64Format::i_load:
    case Rv64Format::shift:
    case Rv64Format::lr:
    case Rv64Format::csr:
      sources = uint32_t{1} << rs1;
      break;
    case Rv64Format::none:
    case Rv64Format::u:
    case Rv64Format::j:
    case Rv64Format::csr_immediate:
      break;
  }
  return sources & ~uint32_t{1};
}

}  // namespace

uint32_t rv64_expand_compressed(uint16_t parcel) {
  switch (parcel & 3) {
    case 0:
      return expand_quadrant0(parcel);
    case 1:
      return expand_quadrant1(parcel);
    case 2:
      return expand_quadrant2(parcel);
    default:
      return 0;
  }
}

Rv64Instruction rv64_decode(uint32_t raw) {
  Rv64Instruction decoded;
  decoded.op = Rv64Op::illegal;
  decoded.length = static_cast<uint8_t>(rv64_instruction_length(static_cast<uint16_t>(raw)));
  uint32_t word = raw;
  if (decoded.length == 2) {
    decoded.raw = raw & 0xffff;
    word = rv64_expand_compressed(static_cast<uint16_t>(raw));
    if (word == 0) return decoded;
  } else {
    decoded.raw = raw;
    // Encodings of 48 bits and more start with five ones; RV64IMAC has none.
    if ((raw & 0x1f) == 0x1f) return decoded;
  }
  for (Rv64Op op : rows_by_opcode()[word & 0x7f]) {
    const Rv64OpInfo& info = rv64_op_info(op);
    if ((word & info.mask) != info.match) continue;
    decoded.op = op;
    const uint32_t rd = bits(word, 11, 7);
    const uint32_t rs1 = bits(word, 19, 15);
    const uint32_t rs2 = bits(word, 24, 20);
    switch (info.format) {
      case Rv64Format::none:
        return decoded;  // fence's fields are hints the hart ignores
      case Rv64Format::r:
      case Rv64Format::amo:
        decoded.rd = static_cast<uint8_t>(rd);
        decoded.rs1 = static_cast<uint8_t>(rs1);
        decoded.rs2 = static_cast<uint8_t>(rs2);
        break;
      case Rv64Format::lr:
        decoded.rd = static_cast<uint8_t>(rd);
        decoded.rs1 = static_cast<uint8_t>(rs1);
        break;
      case Rv64Format::i:
      case Rv64Format::i_load:
        decoded.rd = static_cast<uint8_t>(rd);
        decoded.rs1 = static_cast<uint8_t>(rs1);
        decoded.imm = sign_extend(bits(word, 31, 20), 12);
        break;
      case Rv64Format::shift:
        decoded.rd = static_cast<uint8_t>(rd);
        decoded.rs1 = static_cast<uint8_t>(rs1);
        decoded.imm = bits(word, 25, 20);
        break;
      case Rv64Format::s:
        decoded.rs1 = static_cast<uint8_t>(rs1);
        decoded.rs2 = static_cast<uint8_t>(rs2);
        decoded.imm = sign_extend(bits(word, 31, 25) << 5 | bits(word, 11, 7), 12);
        break;
      case Rv64Format::b:
        decoded.rs1 = static_cast<uint8_t>(rs1);
        decoded.rs2 = static_cast<uint8_t>(rs2);
        decoded.imm = sign_extend(bits(word, 31, 31) << 12 | bits(word, 7, 7) << 11 |
                                      bits(word, 30, 25) << 5 | bits(word, 11, 8) << 1,
                                  13);
        break;
      case Rv64Format::u:
        decoded.rd = static_cast<uint8_t>(rd);
        decoded.imm = sign_extend(word & 0xfffff000, 32);
        break;
      case Rv64Format::j:
        decoded.rd = static_cast<uint8_t>(rd);
        decoded.imm = sign_extend(bits(word, 31, 31) << 20 | bits(word, 19, 12) << 12 |
                                      bits(word, 20, 20) << 11 | bits(word, 30, 21) << 1,
                                  21);
        break;
      case Rv64Format::csr:
      case Rv64Format::csr_immediate:
        decoded.rd = static_cast<uint8_t>(rd);
        decoded.rs1 = static_cast<uint8_t>(rs1);
        decoded.imm = bits(word, 31, 20);
        break;
    }
    decoded.sources = sources_of(info.format, rs1, rs2);
    return decoded;
  }
  return decoded;
}

}  // namespace zxvp
