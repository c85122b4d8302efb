#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

namespace zxvp::testing {

// Assembles RISC-V source with binutils (riscv64-unknown-elf-as and ld, found at configure time)
// into the bytes of its .text section linked at `base`: tests write guest code as assembly, and
// the encodings come from an implementation other than zxvp's decoder. `compressed` lets the
// assembler pick compressed encodings where they fit.
inline std::string hex(uint64_t value) {
  char text[24];
  std::snprintf(text, sizeof text, "0x%llx", static_cast<unsigned long long>(value));
  return text;
}

inline std::vector<uint8_t> assemble_rv64(const std::string& source, bool compressed = true,
                                          uint64_t base = 0x1000'0000) {
  const auto directory = std::filesystem::temp_directory_path() /
                         ("zxvp_as_" + std::to_string(getpid()) + "_" +
                          std::to_string(reinterpret_cast<uintptr_t>(&source)));
  std::filesystem::create_directories(directory);
  const auto input = directory / "code.S";
  const auto object = directory / "code.o";
  const auto linked = directory / "code.elf";
  const auto binary = directory / "code.bin";
  std::ofstream(input) << (compressed ? ".option rvc\n" : ".option norvc\n") << source << "\n";
  const std::string command = std::string(ZXVP_GUEST_AS) +
                              " -march=rv64imac_zicsr_zifencei -mabi=lp64 -o " + object.string() +
                              " " + input.string() + " && " + ZXVP_GUEST_LD +
                              " --no-relax -e 0 -Ttext=" + hex(base) + " -o " + linked.string() +
                              " " + object.string() + " && " + ZXVP_GUEST_OBJCOPY +
                              " -O binary -j .text " + linked.string() + " " + binary.string();
  const int status = std::system(command.c_str());
  std::ifstream in(binary, std::ios::binary);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  std::filesystem::remove_all(directory);
  if (status != 0) throw std::runtime_error("assembler failed on:\n" + source);
  return bytes;
}

}  // namespace zxvp::testing
