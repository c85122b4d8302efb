#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace zxvp {

// A loadable segment of a program: [virtual_address, + memory_size) in the process, the first
// file_size bytes from the file at file_offset, the rest zero.
struct ElfSegment {
  uint64_t virtual_address = 0;
  uint64_t memory_size = 0;
  uint64_t file_offset = 0;
  uint64_t file_size = 0;
  bool readable = false;
  bool writable = false;
  bool executable = false;
};

// A static RISC-V ELF64 executable, checked whole before anything runs (ELF for RISC-V, the
// System V gABI): 64-bit little-endian, machine RISC-V, type EXEC, no interpreter and no dynamic
// section, loadable segments inside the file and inside the user address space, no two of them
// on one page (each becomes a VMO of its own), the entry point in an executable one.
struct ElfImage {
  uint64_t entry = 0;
  std::vector<ElfSegment> segments;
  std::vector<uint8_t> bytes;  // the file
};

// Reads and checks `path`; throws ConfigError "<path>: <what is wrong>".
ElfImage load_elf_image(const std::string& path);
// The same for a file already read (`origin` names it in messages).
ElfImage parse_elf_image(std::vector<uint8_t> bytes, const std::string& origin);

}  // namespace zxvp
