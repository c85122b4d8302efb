#include "sw/kernel/program_loader.h"

#include "sim/params/config_error.h"
#include "sim/params/units.h"
#include "sw/kernel/vm_address_region.h"

namespace zxvp {

namespace {

constexpr uint64_t kPageSize = ZX_PAGE_SIZE;

uint64_t page_down(uint64_t value) {
  return value & ~(kPageSize - 1);
}
uint64_t page_up(uint64_t value) {
  return (value + kPageSize - 1) & ~(kPageSize - 1);
}

// Where argv lands below kStackTop for `arguments`: the strings at the top, then argc pointers
// and a null, 16-byte aligned.
uint64_t argv_address(const std::vector<std::string>& arguments, uint64_t stack_top) {
  uint64_t string_bytes = 0;
  for (const std::string& argument : arguments)
    string_bytes += argument.size() + 1;
  const uint64_t strings_at = (stack_top - string_bytes) & ~uint64_t{15};
  return (strings_at - (arguments.size() + 1) * sizeof(uint64_t)) & ~uint64_t{15};
}

}  // namespace

bool ProgramLoader::check(const char* call, zx_status_t status) {
  if (status != ZX_OK) failure_ = {call, status};
  return status == ZX_OK;
}

bool ProgramLoader::map_fresh(uint64_t address, uint64_t size, bool executable, zx_handle_t* vmo) {
  if (!check("zx_vmo_create", kernel_.vmo_create(process_, size, 0, vmo))) return false;
  if (executable &&
      !check("zx_vmo_replace_as_executable",
             kernel_.vmo_replace_as_executable(process_, *vmo, ZX_HANDLE_INVALID, vmo))) {
    return false;
  }
  uint64_t mapped = 0;
  return check("zx_vmar_map",
               kernel_.vmar_map(process_, process_.root_vmar_handle(),
                                ZX_VM_SPECIFIC | ZX_VM_PERM_READ | ZX_VM_PERM_WRITE,
                                address - VmAddressRegion::kBase, *vmo, 0, size, &mapped));
}

void ProgramLoader::check_layout(const ElfImage& image, const std::vector<std::string>& arguments,
                                 uint64_t stack_size, const std::string& origin) {
  const uint64_t stack_bytes = page_up(stack_size);
  const uint64_t stack_base = kStackTop - stack_bytes;
  for (size_t i = 0; i < image.segments.size(); ++i) {
    const ElfSegment& segment = image.segments[i];
    if (page_up(segment.virtual_address + segment.memory_size) > stack_base &&
        page_down(segment.virtual_address) < kStackTop) {
      throw ConfigError(origin + ": segment at [" + format_hex(segment.virtual_address) + ", " +
                        format_hex(segment.virtual_address + segment.memory_size) +
                        ") overlaps the stack [" + format_hex(stack_base) + ", " +
                        format_hex(kStackTop) + ") (guest.stack_size " +
                        std::to_string(stack_bytes) + " bytes)");
    }
  }
  uint64_t argument_bytes = 0;
  for (const std::string& argument : arguments)
    argument_bytes += argument.size() + 1 + sizeof(uint64_t);
  if (argv_address(arguments, kStackTop) < stack_base + kPageSize) {
    throw ConfigError(origin + ": the arguments (" + std::to_string(arguments.size()) + ", " +
                      std::to_string(argument_bytes) + " bytes with their pointers) leave less " +
                      "than a page of the " + std::to_string(stack_bytes) +
                      "-byte stack (guest.stack_size)");
  }
}

bool ProgramLoader::load(const ElfImage& image, const std::vector<std::string>& arguments,
                         uint64_t stack_size, ProgramEntry* entry) {
  const zx_handle_t root = process_.root_vmar_handle();
  for (const ElfSegment& segment : image.segments) {
    const uint64_t start = page_down(segment.virtual_address);
    const uint64_t size = page_up(segment.virtual_address + segment.memory_size) - start;
    zx_handle_t vmo = ZX_HANDLE_INVALID;
    if (!map_fresh(start, size, segment.executable, &vmo)) return false;
    if (segment.file_size != 0 &&
        !check("store",
               kernel_.user_store(process_, segment.virtual_address,
                                  image.bytes.data() + segment.file_offset, segment.file_size))) {
      return false;
    }
    // A mapping that can write or execute can read (Zircon refuses the others).
    const uint32_t permissions = ZX_VM_PERM_READ | (segment.writable ? ZX_VM_PERM_WRITE : 0) |
                                 (segment.executable ? ZX_VM_PERM_EXECUTE : 0);
    if (permissions != (ZX_VM_PERM_READ | ZX_VM_PERM_WRITE) &&
        !check("zx_vmar_protect", kernel_.vmar_protect(process_, root, permissions, start, size))) {
      return false;
    }
    if (!check("zx_handle_close", kernel_.handle_close(process_, vmo))) return false;
  }

  // The stack: the strings at its top, then argv (argc pointers and a null), 16-byte aligned.
  zx_handle_t stack = ZX_HANDLE_INVALID;
  const uint64_t stack_bytes = page_up(stack_size);
  if (!map_fresh(kStackTop - stack_bytes, stack_bytes, false, &stack)) return false;
  if (!check("zx_handle_close", kernel_.handle_close(process_, stack))) return false;
  std::vector<uint8_t> strings;
  std::vector<uint64_t> offsets;
  offsets.reserve(arguments.size());
  for (const std::string& argument : arguments) {
    offsets.push_back(strings.size());
    strings.insert(strings.end(), argument.begin(), argument.end());
    strings.push_back(0);
  }
  const uint64_t strings_at = (kStackTop - strings.size()) & ~uint64_t{15};
  const uint64_t argv_at = argv_address(arguments, kStackTop);
  if (argv_at < kStackTop - stack_bytes + kPageSize) {
    failure_ = {"arguments larger than the stack", ZX_ERR_NO_MEMORY};
    return false;
  }
  std::vector<uint64_t> argv;
  argv.reserve(offsets.size() + 1);
  for (uint64_t offset : offsets)
    argv.push_back(strings_at + offset);
  argv.push_back(0);
  if (!strings.empty() &&
      !check("store", kernel_.user_store(process_, strings_at, strings.data(), strings.size()))) {
    return false;
  }
  if (!check("store",
             kernel_.user_store(process_, argv_at, argv.data(), argv.size() * sizeof(uint64_t)))) {
    return false;
  }
  *entry = ProgramEntry{image.entry, argv_at, arguments.size(), argv_at, root};
  return true;
}

}  // namespace zxvp
