#pragma once

#include <cstdint>

#include "models/cpu/rv64_instruction.h"

namespace zxvp {

// Length in bytes of the instruction whose first 16-bit parcel is `parcel`: 2 for a compressed
// instruction, 4 otherwise (encodings longer than 32 bits are not in RV64IMAC and decode as
// illegal).
inline constexpr unsigned rv64_instruction_length(uint16_t parcel) {
  return (parcel & 3) == 3 ? 4 : 2;
}

// The 32-bit instruction a compressed one stands for (RV64C without the floating-point forms),
// or 0 for a reserved or unsupported encoding (0 is itself no valid instruction). HINTs expand
// to the instruction whose form they borrow, which does nothing.
uint32_t rv64_expand_compressed(uint16_t parcel);

// Decodes the instruction whose first parcel is the low 16 bits of `raw`; a 32-bit instruction
// takes all of `raw`. Anything that is no instruction of RV64IMAC_Zicsr_Zifencei decodes as
// Rv64Op::illegal with the length the encoding claims.
Rv64Instruction rv64_decode(uint32_t raw);

}  // namespace zxvp
