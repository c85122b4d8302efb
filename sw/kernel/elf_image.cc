#include "sw/kernel/elf_image.h"

#include <algorithm>
#include <cstring>

#include "sim/io/input_file.h"
#include "sim/params/config_error.h"
#include "sim/params/units.h"
#include "sw/kernel/vm_address_region.h"

namespace zxvp {

namespace {

constexpr uint64_t kPageSize = 4096;
// e_ident, e_type, e_machine and the program header fields of the gABI, ELF64 layout.
constexpr uint8_t kClass64 = 2;
constexpr uint8_t kLittleEndian = 1;
constexpr uint16_t kTypeExecutable = 2;
constexpr uint16_t kTypeShared = 3;
constexpr uint16_t kMachineRiscv = 243;
constexpr uint32_t kLoad = 1;
constexpr uint32_t kDynamic = 2;
constexpr uint32_t kInterpreter = 3;
constexpr uint32_t kFlagExecute = 1;
constexpr uint32_t kFlagWrite = 2;
constexpr uint32_t kFlagRead = 4;
constexpr size_t kHeaderBytes = 64;
constexpr size_t kProgramHeaderBytes = 56;

template <typename T>
T field(const std::vector<uint8_t>& bytes, uint64_t offset) {
  T value{};
  std::memcpy(&value, bytes.data() + offset, sizeof value);
  return value;  // the host and the format are both little-endian
}

std::string machine_name(uint16_t machine) {
  switch (machine) {
    case 3:
      return "x86";
    case 40:
      return "ARM";
    case 62:
      return "x86-64";
    case 183:
      return "AArch64";
    default:
      return "machine " + std::to_string(machine);
  }
}

}  // namespace

ElfImage parse_elf_image(std::vector<uint8_t> bytes, const std::string& origin) {
  auto refuse = [&origin](const std::string& why) { throw ConfigError(origin + ": " + why); };
  if (bytes.size() < 4 || std::memcmp(bytes.data(),
                                      "\x7f"
                                      "ELF",
                                      4) != 0) {
    refuse(
        "not an ELF file (it does not start with \\x7fELF); zxvp runs static RISC-V ELF64 "
        "executables built with zxvp-cc");
  }
  if (bytes.size() < kHeaderBytes) refuse("a truncated ELF file (no complete header)");
  if (bytes[4] != kClass64) {
    refuse("a 32-bit ELF file; zxvp runs RV64 (64-bit) programs");
  }
  if (bytes[5] != kLittleEndian) refuse("a big-endian ELF file; RISC-V is little-endian");
  const auto machine = field<uint16_t>(bytes, 18);
  if (machine != kMachineRiscv) {
    refuse("an ELF file for another machine (" + machine_name(machine) + "); zxvp runs RISC-V");
  }
  const auto type = field<uint16_t>(bytes, 16);
  if (type == kTypeShared) {
    refuse(
        "a position-independent executable or shared library (ELF type DYN); link it "
        "statically at a fixed address, as zxvp-cc does");
  }
  if (type != kTypeExecutable) refuse("not an executable (ELF type " + std::to_string(type) + ")");

  ElfImage image;
  image.entry = field<uint64_t>(bytes, 24);
  const auto header_offset = field<uint64_t>(bytes, 32);
  const auto header_size = field<uint16_t>(bytes, 54);
  const auto header_count = field<uint16_t>(bytes, 56);
  if (header_size != kProgramHeaderBytes || header_offset > bytes.size() ||
      uint64_t{header_count} * kProgramHeaderBytes > bytes.size() - header_offset) {
    refuse("its program headers are not inside the file");
  }
  for (uint16_t index = 0; index < header_count; ++index) {
    const uint64_t at = header_offset + uint64_t{index} * kProgramHeaderBytes;
    const auto kind = field<uint32_t>(bytes, at);
    if (kind == kInterpreter || kind == kDynamic) {
      std::string interpreter;
      if (kind == kInterpreter) {
        const auto offset = field<uint64_t>(bytes, at + 8);
        const auto size = field<uint64_t>(bytes, at + 32);
        if (offset < bytes.size() && size <= bytes.size() - offset && size > 0) {
          interpreter =
              " (it asks for " +
              std::string(reinterpret_cast<const char*>(bytes.data() + offset),
                          strnlen(reinterpret_cast<const char*>(bytes.data() + offset), size)) +
              ")";
        }
      }
      refuse("dynamically linked" + interpreter + "; zxvp runs static executables");
    }
    if (kind != kLoad) continue;
    const auto flags = field<uint32_t>(bytes, at + 4);
    ElfSegment segment;
    segment.file_offset = field<uint64_t>(bytes, at + 8);
    segment.virtual_address = field<uint64_t>(bytes, at + 16);
    segment.file_size = field<uint64_t>(bytes, at + 32);
    segment.memory_size = field<uint64_t>(bytes, at + 40);
    segment.readable = (flags & kFlagRead) != 0;
    segment.writable = (flags & kFlagWrite) != 0;
    segment.executable = (flags & kFlagExecute) != 0;
    const std::string name = "segment " + std::to_string(image.segments.size() + 1);
    if (segment.memory_size == 0) continue;
    if (segment.file_size > segment.memory_size) {
      refuse(name + " holds more file bytes than memory");
    }
    if (segment.file_offset > bytes.size() ||
        segment.file_size > bytes.size() - segment.file_offset) {
      refuse(name + " lies past the end of the file");
    }
    const uint64_t start = segment.virtual_address;
    if (start < VmAddressRegion::kBase || start >= VmAddressRegion::kEnd ||
        segment.memory_size > VmAddressRegion::kEnd - start) {
      const std::string end = segment.memory_size > ~start
                                  ? format_hex(start) + " + " + format_hex(segment.memory_size)
                                  : format_hex(start + segment.memory_size);
      refuse(name + " at [" + format_hex(start) + ", " + end +
             ") is outside the user address space [" + format_hex(VmAddressRegion::kBase) + ", " +
             format_hex(VmAddressRegion::kEnd) + ")");
    }
    image.segments.push_back(segment);
  }
  if (image.segments.empty()) refuse("no loadable segment");
  // Each segment is a VMO mapped on pages of its own: two may not share one.
  auto first_page = [](const ElfSegment& s) { return s.virtual_address & ~(kPageSize - 1); };
  auto end_page = [](const ElfSegment& s) {
    return (s.virtual_address + s.memory_size + kPageSize - 1) & ~(kPageSize - 1);
  };
  for (size_t i = 0; i < image.segments.size(); ++i) {
    for (size_t j = i + 1; j < image.segments.size(); ++j) {
      const ElfSegment& a = image.segments[i];
      const ElfSegment& b = image.segments[j];
      if (first_page(a) < end_page(b) && first_page(b) < end_page(a)) {
        refuse("segments " + std::to_string(i + 1) + " and " + std::to_string(j + 1) +
               " overlap: [" + format_hex(a.virtual_address) + ", " +
               format_hex(a.virtual_address + a.memory_size) + ") and [" +
               format_hex(b.virtual_address) + ", " +
               format_hex(b.virtual_address + b.memory_size) + ") share a page");
      }
    }
  }
  const auto holder =
      std::find_if(image.segments.begin(), image.segments.end(), [&image](const ElfSegment& s) {
        return image.entry >= s.virtual_address && image.entry - s.virtual_address < s.memory_size;
      });
  if (holder == image.segments.end()) {
    refuse("the entry point " + format_hex(image.entry) + " is outside the program's segments");
  }
  if (!holder->executable) {
    refuse("the entry point " + format_hex(image.entry) +
           " is in a segment that is not executable");
  }
  if (image.entry % 2 != 0) {
    refuse("the entry point " + format_hex(image.entry) +
           " is odd (RV64IMAC instructions lie on 2-byte boundaries)");
  }
  image.bytes = std::move(bytes);
  return image;
}

ElfImage load_elf_image(const std::string& path) {
  constexpr uint64_t kMaxProgramBytes = uint64_t{1} << 30;
  const std::string text = read_input_file(path, "program", kMaxProgramBytes);
  return parse_elf_image(std::vector<uint8_t>(text.begin(), text.end()), path);
}

}  // namespace zxvp
