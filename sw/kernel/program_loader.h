#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sw/kernel/elf_image.h"
#include "sw/kernel/kernel.h"

namespace zxvp {

// Where a loaded program starts: its registers at entry.
struct ProgramEntry {
  uint64_t pc = 0;
  uint64_t stack_pointer = 0;
  uint64_t argc = 0;
  uint64_t argv = 0;
  zx_handle_t root_vmar = ZX_HANDLE_INVALID;
};

// What went wrong while loading: the call that failed and its status.
struct LoadFailure {
  std::string call;
  zx_status_t status = ZX_OK;
};

// Loads `image` into `process` with the kernel's own calls, as a user-space loader would: each
// segment becomes a VMO (made executable for an executable segment) mapped read-write at its
// address, its file bytes stored, then protected to the segment's permissions; the stack is a
// VMO of `stack_size` bytes mapped below kStackTop, with the argument strings and argv at its
// top. Handles of the VMOs are closed (the mappings keep them).
class ProgramLoader {
 public:
  // The stack ends here, far above any segment zxvp-cc places.
  static constexpr uint64_t kStackTop = 0x7ff0'0000'0000;

  ProgramLoader(Kernel& kernel, Process& process) : kernel_(kernel), process_(process) {}

  // Refuses, before anything runs, a program load() could not lay out: a segment reaching into
  // the stack, or arguments that would leave the stack less than a page. Throws ConfigError
  // naming `origin` (the program's file) and the reason.
  static void check_layout(const ElfImage& image, const std::vector<std::string>& arguments,
                           uint64_t stack_size, const std::string& origin);

  // False on a failure, described by failure().
  bool load(const ElfImage& image, const std::vector<std::string>& arguments, uint64_t stack_size,
            ProgramEntry* entry);
  const LoadFailure& failure() const { return failure_; }

 private:
  bool check(const char* call, zx_status_t status);
  // A VMO of `size` mapped read-write at `address`; its handle in *vmo.
  bool map_fresh(uint64_t address, uint64_t size, bool executable, zx_handle_t* vmo);

  Kernel& kernel_;
  Process& process_;
  LoadFailure failure_;
};

}  // namespace zxvp
