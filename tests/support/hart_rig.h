#pragma once

#include <cstring>
#include <string>
#include <vector>

#include "models/cpu/rv64_hart.h"
#include "tests/support/cpu_rig.h"
#include "tests/support/guest_assembler.h"
#include "tests/support/simulation.h"

namespace zxvp::testing {

// A hart on a core with an MMU, a bus and memory (no caches), with user pages built straight
// into memory: code at kCode (read and execute), data at kData (read and write, kDataPages of
// them), a read-only page at kReadOnly, nothing at kUnmapped.
struct HartRig {
  static constexpr uint64_t kCode = 0x1000'0000;
  static constexpr uint64_t kData = 0x2000'0000;
  static constexpr uint64_t kReadOnly = 0x3000'0000;
  static constexpr uint64_t kUnmapped = 0x4000'0000;
  static constexpr uint64_t kCodePages = 4;
  static constexpr uint64_t kDataPages = 4;
  static constexpr uint64_t kCodePhysical = 0x10'0000;
  static constexpr uint64_t kDataPhysical = 0x20'0000;
  static constexpr uint64_t kReadOnlyPhysical = 0x30'0000;

  explicit HartRig(const Rv64HartConfig& config = Rv64HartConfig{})
      : rig(mmu_config(64, 4, 16)), hart("hart", rig.cpu, config, rig.statistics) {
    root = rig.tables.new_table();
    for (uint64_t page = 0; page < kCodePages; ++page) {
      rig.tables.map(root, kCode + page * 4096, kCodePhysical + page * 4096,
                     page_table::PagePermissions{true, false, true, true});
    }
    for (uint64_t page = 0; page < kDataPages; ++page) {
      rig.tables.map(root, kData + page * 4096, kDataPhysical + page * 4096, kUserReadWrite);
    }
    rig.tables.map(root, kReadOnly, kReadOnlyPhysical, kUserReadOnly);
    rig.cpu.set_address_space(root, 1);
  }

  // Puts `source`, assembled, at kCode and resets the hart there.
  void load(const std::string& source, bool compressed = true) {
    load_bytes(assemble_rv64(source, compressed));
  }
  void load_bytes(const std::vector<uint8_t>& code) {
    std::memcpy(memory() + kCodePhysical, code.data(), code.size());
    hart.reset(kCode);
  }
  uint8_t* memory() { return rig.memory.storage().data(); }
  uint8_t* data() { return memory() + kDataPhysical; }

  // Runs the hart on the core, in a SystemC thread of its own, until it stops.
  HartStop run(uint64_t max_instructions = 1'000'000) {
    HartStop stop = HartStop::budget;
    bool finished = false;
    rig.cpu.start_thread("guest", [&] {
      stop = hart.run(max_instructions);
      finished = true;
    });
    sc_core::sc_start();
    EXPECT_TRUE(finished);
    return stop;
  }

  uint64_t reg(const std::string& name) const {
    for (unsigned number = 0; number < 32; ++number) {
      if (rv64_register_name(number) == name) return hart.reg(number);
    }
    ADD_FAILURE() << "no register " << name;
    return 0;
  }

  CpuRig rig;
  Rv64Hart hart;
  uint64_t root = 0;
};

}  // namespace zxvp::testing
