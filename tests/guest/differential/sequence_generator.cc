// Writes random RV64IMAC instruction sequences as RISC-V assembly, for the differential test of
// the hart against qemu-riscv64 (run_differential.sh): `sequence_generator SEED COUNT LENGTH`.
//
// Each sequence is a function `void zxvp_sequence_N(uint64_t* registers, uint8_t* scratch)`:
// it loads x1 and x3..x31 from registers[], runs its random instructions with sp pointing at
// `scratch`, then stores x1..x31 at scratch - 256 (the caller's results area) and returns. The
// instructions only compute on values, never on addresses: no register ever gets sp or the pc (no
// auipc, no links of jumps, no addresses but those in x30, cleared right after use), so that two
// builds at different addresses run the same computation. Loads, stores and atomics use scratch[0,
// 2048).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

namespace {

constexpr int kScratchBytes = 2048;
constexpr int kAddressRegister = 30;  // x30 (t5): the address of an atomic, then zero

class Generator {
 public:
  explicit Generator(uint64_t seed) : random_(seed) {}

  void sequence(unsigned index, unsigned length) {
    std::printf("\n  .globl zxvp_sequence_%u\n  .type zxvp_sequence_%u, @function\n", index, index);
    std::printf("zxvp_sequence_%u:\n", index);
    enter();
    for (unsigned i = 0; i < length; ++i)
      instruction(true);
    leave();
    std::printf("  .size zxvp_sequence_%u, . - zxvp_sequence_%u\n", index, index);
  }

 private:
  // What the C caller needs kept (ra, gp, tp, s0-s11) goes on its stack, and sp itself to
  // zxvp_saved_sp; x1 and x3..x31 are loaded from registers (a0), x31 (the base) last, and sp
  // points at the scratch memory (a1).
  static void enter() {
    std::printf("  addi sp, sp, -128\n");
    for (int i = 0; i < 15; ++i)
      std::printf("  sd %s, %d(sp)\n", kSaved[i], i * 8);
    std::printf("  la t0, zxvp_saved_sp\n  sd sp, 0(t0)\n  mv sp, a1\n  mv x31, a0\n");
    for (int r = 1; r < 31; ++r) {
      if (r != 2) std::printf("  ld x%d, %d(x31)\n", r, r * 8);
    }
    std::printf("  ld x31, 248(x31)\n");
  }
  // x1..x31 go to the results area below the scratch memory, then back to the caller.
  static void leave() {
    for (int r = 1; r < 32; ++r) {
      if (r != 2) std::printf("  sd x%d, %d(sp)\n", r, r * 8 - 256);
    }
    std::printf("  la t0, zxvp_saved_sp\n  ld sp, 0(t0)\n");
    for (int i = 0; i < 15; ++i)
      std::printf("  ld %s, %d(sp)\n", kSaved[i], i * 8);
    std::printf("  addi sp, sp, 128\n  ret\n");
  }
  static constexpr const char* kSaved[] = {"ra", "gp", "tp", "s0", "s1", "s2",  "s3", "s4",
                                           "s5", "s6", "s7", "s8", "s9", "s10", "s11"};

  uint64_t below(uint64_t bound) {
    return std::uniform_int_distribution<uint64_t>(0, bound - 1)(random_);
  }
  bool chance(unsigned percent) { return below(100) < percent; }

  // Registers a computation may read or write: anything but sp (an address) and the address
  // register; x8-x15 often, so that the assembler picks compressed forms.
  int reg() {
    if (chance(40)) return 8 + static_cast<int>(below(8));
    for (;;) {
      const int r = static_cast<int>(below(32));
      if (r != 2 && r != kAddressRegister) return r;
    }
  }
  int64_t immediate12() {
    static const int64_t kEdges[] = {0, 1, -1, 2047, -2048, 31, 32, -32, 63};
    if (chance(30)) return kEdges[below(std::size(kEdges))];
    return static_cast<int64_t>(below(4096)) - 2048;
  }
  int offset(int size) { return static_cast<int>(below(kScratchBytes / size)) * size; }

  void instruction(bool may_branch) {
    static const char* const kRegister[] = {
        "add",  "sub",  "sll",  "slt",  "sltu", "xor",   "srl",  "sra",    "or",    "and",
        "addw", "subw", "sllw", "srlw", "sraw", "mul",   "mulh", "mulhsu", "mulhu", "div",
        "divu", "rem",  "remu", "mulw", "divw", "divuw", "remw", "remuw"};
    static const char* const kImmediate[] = {"addi", "slti", "sltiu", "xori",
                                             "ori",  "andi", "addiw"};
    static const char* const kShift[] = {"slli", "srli", "srai"};
    static const char* const kShiftWord[] = {"slliw", "srliw", "sraiw"};
    static const char* const kLoad[] = {"lb", "lh", "lw", "ld", "lbu", "lhu", "lwu"};
    static const int kLoadSize[] = {1, 2, 4, 8, 1, 2, 4};
    static const char* const kStore[] = {"sb", "sh", "sw", "sd"};
    static const int kStoreSize[] = {1, 2, 4, 8};
    static const char* const kAtomic[] = {"amoswap", "amoadd", "amoxor",  "amoand", "amoor",
                                          "amomin",  "amomax", "amominu", "amomaxu"};
    static const char* const kBranch[] = {"beq", "bne", "blt", "bge", "bltu", "bgeu"};
    const uint64_t kind = below(100);
    if (kind < 35) {
      const int rd = reg();
      // Often rd = rs1, the form compressed instructions have.
      const int rs1 = chance(50) ? rd : reg();
      std::printf("  %s x%d, x%d, x%d\n", kRegister[below(std::size(kRegister))], rd, rs1, reg());
    } else if (kind < 55) {
      const int rd = reg();
      const int rs1 = chance(50) ? rd : reg();
      std::printf("  %s x%d, x%d, %lld\n", kImmediate[below(std::size(kImmediate))], rd, rs1,
                  static_cast<long long>(chance(40) ? static_cast<int64_t>(below(64)) - 32
                                                    : immediate12()));
    } else if (kind < 62) {
      const int rd = reg();
      const bool word = chance(40);
      std::printf("  %s x%d, x%d, %llu\n", word ? kShiftWord[below(3)] : kShift[below(3)], rd,
                  chance(50) ? rd : reg(), static_cast<unsigned long long>(below(word ? 32 : 64)));
    } else if (kind < 65) {
      std::printf("  lui x%d, 0x%llx\n", reg(),
                  static_cast<unsigned long long>(chance(30) ? below(64) : below(0x100000)));
    } else if (kind < 67) {
      std::printf("  li x%d, %lld\n", reg(), static_cast<long long>(edge_value()));
    } else if (kind < 77) {
      const uint64_t which = below(std::size(kLoad));
      std::printf("  %s x%d, %d(sp)\n", kLoad[which], reg(), offset(kLoadSize[which]));
    } else if (kind < 85) {
      const uint64_t which = below(std::size(kStore));
      std::printf("  %s x%d, %d(sp)\n", kStore[which], reg(), offset(kStoreSize[which]));
    } else if (kind < 91) {
      const bool word = chance(50);
      std::printf("  addi x%d, sp, %d\n  %s.%s x%d, x%d, (x%d)\n  li x%d, 0\n", kAddressRegister,
                  offset(word ? 4 : 8), kAtomic[below(std::size(kAtomic))], word ? "w" : "d", reg(),
                  reg(), kAddressRegister, kAddressRegister);
    } else if (kind < 94) {
      // A constrained LR/SC sequence: a few plain instructions between, no memory access.
      const bool word = chance(50);
      const char* width = word ? "w" : "d";
      std::printf("  addi x%d, sp, %d\n  lr.%s x%d, (x%d)\n", kAddressRegister,
                  offset(word ? 4 : 8), width, reg(), kAddressRegister);
      for (uint64_t i = below(3); i > 0; --i) {
        std::printf("  %s x%d, x%d, x%d\n", kRegister[below(10)], reg(), reg(), reg());
      }
      std::printf("  sc.%s x%d, x%d, (x%d)\n  li x%d, 0\n", width, reg(), reg(), kAddressRegister,
                  kAddressRegister);
    } else if (may_branch) {
      // A forward branch or jump over a few instructions (no link: x0).
      const unsigned label = labels_++;
      if (chance(25)) {
        std::printf("  jal x0, .Lskip%u\n", label);
      } else {
        std::printf("  %s x%d, x%d, .Lskip%u\n", kBranch[below(std::size(kBranch))], reg(), reg(),
                    label);
      }
      for (uint64_t i = 1 + below(3); i > 0; --i)
        instruction(false);
      std::printf(".Lskip%u:\n", label);
    } else {
      std::printf("  xor x%d, x%d, x%d\n", reg(), reg(), reg());
    }
  }

  int64_t edge_value() {
    static const int64_t kEdges[] = {0,         1,         -1,         INT64_MIN,  INT64_MAX,
                                     INT32_MIN, INT32_MAX, 0x80000000, 0xffffffff, 31,
                                     32,        63,        64,         -2,         0x100000000};
    return kEdges[below(std::size(kEdges))];
  }

  std::mt19937_64 random_;
  unsigned labels_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: sequence_generator SEED COUNT LENGTH\n");
    return 2;
  }
  const uint64_t seed = std::strtoull(argv[1], nullptr, 0);
  const unsigned count = static_cast<unsigned>(std::strtoul(argv[2], nullptr, 0));
  const unsigned length = static_cast<unsigned>(std::strtoul(argv[3], nullptr, 0));
  std::printf(
      "// Generated by sequence_generator %s %u %u.\n  .option norelax\n  .option rvc\n"
      "  .text\n",
      argv[1], count, length);
  Generator generator(seed);
  for (unsigned i = 0; i < count; ++i)
    generator.sequence(i, length);
  std::printf("\n  .section .rodata\n  .balign 8\n  .globl zxvp_sequences\nzxvp_sequences:\n");
  for (unsigned i = 0; i < count; ++i)
    std::printf("  .dword zxvp_sequence_%u\n", i);
  std::printf("  .globl zxvp_sequence_count\nzxvp_sequence_count:\n  .word %u\n", count);
  std::printf("  .bss\n  .balign 8\nzxvp_saved_sp:\n  .zero 8\n");
  return 0;
}
