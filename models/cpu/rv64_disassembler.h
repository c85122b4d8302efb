#pragma once

#include <cstdint>
#include <string>

#include "models/cpu/rv64_instruction.h"

namespace zxvp {

// The instruction as text, in the base form a compressed one expands to, with ABI register
// names: "addi a0, a0, 5", "sd ra, 8(sp)", "beq a0, a1, 0x10000124" (branch and jump targets
// are absolute, computed from `pc`), "csrrs a0, cycle, zero"; no instruction gives its bits,
// ".4byte 0xffffffff". Used by fault reports.
std::string rv64_disassemble(const Rv64Instruction& instruction, uint64_t pc);

}  // namespace zxvp
