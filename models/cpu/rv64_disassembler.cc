#include "models/cpu/rv64_disassembler.h"

#include <cstdio>

#include "sim/params/units.h"

namespace zxvp {

namespace {

std::string csr_name(int64_t number) {
  switch (number) {
    case 0xc00:
      return "cycle";
    case 0xc01:
      return "time";
    case 0xc02:
      return "instret";
    default:
      return format_hex(static_cast<uint64_t>(number));
  }
}

std::string reg(unsigned number) {
  return std::string(rv64_register_name(number));
}

}  // namespace

std::string rv64_disassemble(const Rv64Instruction& instruction, uint64_t pc) {
  if (instruction.op == Rv64Op::illegal || instruction.op == Rv64Op::undecoded) {
    // Privileged instructions are illegal in user mode, but have names (a report says which).
    if (instruction.length == 4) {
      switch (instruction.raw) {
        case 0x10500073:
          return "wfi";
        case 0x30200073:
          return "mret";
        case 0x10200073:
          return "sret";
        default:
          break;
      }
      if ((instruction.raw & 0xfe007fff) == 0x12000073) {
        return "sfence.vma " + reg((instruction.raw >> 15) & 31) + ", " +
               reg((instruction.raw >> 20) & 31);
      }
    }
    // No instruction: its bits, as binutils prints them.
    char text[32];
    std::snprintf(text, sizeof text, instruction.length == 2 ? ".2byte 0x%04x" : ".4byte 0x%08x",
                  instruction.raw);
    return text;
  }
  const Rv64OpInfo& info = rv64_op_info(instruction.op);
  std::string text(info.mnemonic);
  const std::string rd = reg(instruction.rd);
  const std::string rs1 = reg(instruction.rs1);
  const std::string rs2 = reg(instruction.rs2);
  const std::string imm = std::to_string(instruction.imm);
  switch (info.format) {
    case Rv64Format::none:
      break;
    case Rv64Format::r:
      text += " " + rd + ", " + rs1 + ", " + rs2;
      break;
    case Rv64Format::i:
    case Rv64Format::shift:
      text += " " + rd + ", " + rs1 + ", " + imm;
      break;
    case Rv64Format::i_load:
      text += " " + rd + ", " + imm + "(" + rs1 + ")";
      break;
    case Rv64Format::s:
      text += " " + rs2 + ", " + imm + "(" + rs1 + ")";
      break;
    case Rv64Format::b:
      text +=
          " " + rs1 + ", " + rs2 + ", " + format_hex(pc + static_cast<uint64_t>(instruction.imm));
      break;
    case Rv64Format::u:
      text +=
          " " + rd + ", " + format_hex((static_cast<uint64_t>(instruction.imm) >> 12) & 0xfffff);
      break;
    case Rv64Format::j:
      text += " " + rd + ", " + format_hex(pc + static_cast<uint64_t>(instruction.imm));
      break;
    case Rv64Format::lr:
      text += " " + rd + ", (" + rs1 + ")";
      break;
    case Rv64Format::amo:
      text += " " + rd + ", " + rs2 + ", (" + rs1 + ")";
      break;
    case Rv64Format::csr:
      text += " " + rd + ", " + csr_name(instruction.imm) + ", " + rs1;
      break;
    case Rv64Format::csr_immediate:
      text += " " + rd + ", " + csr_name(instruction.imm) + ", " + std::to_string(instruction.rs1);
      break;
  }
  return text;
}

}  // namespace zxvp
