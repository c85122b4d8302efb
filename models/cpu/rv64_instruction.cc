#include "models/cpu/rv64_instruction.h"

#include <array>

namespace zxvp {

namespace {

constexpr std::array kOpInfo = {Rv64OpInfo{"(undecoded)", Rv64Format::none, 0, 0, Rv64Timing::alu},
                                Rv64OpInfo{"(illegal)", Rv64Format::none, 0, 0, Rv64Timing::system},
#define ZXVP_RV64_INFO(op, mnemonic, format, mask, match, timing) \
  Rv64OpInfo{mnemonic, Rv64Format::format, mask, match, Rv64Timing::timing},
                                ZXVP_RV64_INSTRUCTIONS(ZXVP_RV64_INFO)
#undef ZXVP_RV64_INFO
};

constexpr std::array<std::string_view, 32> kRegisterNames = {
    "zero", "ra", "sp", "gp", "tp",  "t0",  "t1", "t2", "s0", "s1", "a0",
    "a1",   "a2", "a3", "a4", "a5",  "a6",  "a7", "s2", "s3", "s4", "s5",
    "s6",   "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6"};

}  // namespace

const Rv64OpInfo& rv64_op_info(Rv64Op op) {
  return kOpInfo[static_cast<size_t>(op)];
}

std::string_view rv64_register_name(unsigned reg) {
  return kRegisterNames[reg & 31];
}

}  // namespace zxvp
