#pragma once

#include <endian.h>

#include <cstdint>
#include <cstring>

#include "models/memory/memory.h"
#include "models/mmu/page_table_format.h"

namespace zxvp::testing {

// Builds page tables of the MMU's format straight into a memory's host backing, for tests of
// the MMU and the core (the kernel model builds its own with CPU stores). Tables are taken from
// a bump allocator that starts at `first_table_physical`.
class PageTableBuilder {
 public:
  PageTableBuilder(Memory& memory, uint64_t first_table_physical)
      : memory_(memory), next_free_(first_table_physical) {}

  uint64_t new_table() {
    const uint64_t table = next_free_;
    next_free_ += page_table::kPageSize;
    std::memset(memory_.storage().data() + table, 0, page_table::kPageSize);
    return table;
  }

  void map(uint64_t root, uint64_t virtual_address, uint64_t physical_address,
           page_table::PagePermissions permissions, MemoryType type = MemoryType::cached) {
    write_entry(leaf_slot(root, virtual_address),
                page_table::page_entry(physical_address, permissions, type));
  }

  void unmap(uint64_t root, uint64_t virtual_address) {
    write_entry(leaf_slot(root, virtual_address), 0);
  }

  // The physical address of the level-3 entry for `virtual_address`, making tables as needed.
  uint64_t leaf_slot(uint64_t root, uint64_t virtual_address) {
    uint64_t table = root;
    for (unsigned level = 0; level + 1 < page_table::kLevels; ++level) {
      const uint64_t slot = table + page_table::table_index(virtual_address, level) * 8;
      uint64_t entry = read_entry(slot);
      if (!page_table::is_valid(entry)) {
        entry = page_table::table_entry(new_table());
        write_entry(slot, entry);
      }
      table = page_table::entry_address(entry);
    }
    return table + page_table::table_index(virtual_address, page_table::kLevels - 1) * 8;
  }

  uint64_t read_entry(uint64_t physical) const {
    uint64_t value = 0;
    std::memcpy(&value, memory_.storage().data() + physical, 8);
    return le64toh(value);
  }
  void write_entry(uint64_t physical, uint64_t entry) {
    const uint64_t value = htole64(entry);
    std::memcpy(memory_.storage().data() + physical, &value, 8);
  }

 private:
  Memory& memory_;
  uint64_t next_free_;
};

inline constexpr page_table::PagePermissions kUserReadWrite{true, true, false, true};
inline constexpr page_table::PagePermissions kUserReadOnly{true, false, false, true};
inline constexpr page_table::PagePermissions kKernelReadWrite{true, true, false, false};

}  // namespace zxvp::testing
