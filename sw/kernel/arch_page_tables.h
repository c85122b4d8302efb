#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <unordered_map>

#include "models/cpu/cpu_core.h"
#include "models/mmu/page_table_format.h"
#include "sw/api/zircon/types.h"
#include "sw/kernel/physical_memory_manager.h"

namespace zxvp {

// The hardware page tables of one address space (Zircon's ArchVmAspace), in the MMU's format
// (models/mmu/PAGE_TABLES.md), in simulated memory. The kernel writes entries with the core's
// physical stores, so building tables costs memory traffic; it invalidates the TLB entry of every
// page it unmaps or changes, and gives an intermediate table back when its last entry goes.
// Which leaves are valid is also kept on the host, so that unmapping a range touches only the
// pages that were populated.
class ArchPageTables {
 public:
  ArchPageTables(CpuCore& cpu, PhysicalMemoryManager& pmm, uint16_t asid,
                 uint64_t tlb_invalidate_cycles);
  ~ArchPageTables();
  ArchPageTables(const ArchPageTables&) = delete;
  ArchPageTables& operator=(const ArchPageTables&) = delete;

  // Allocates the root table; false when physical memory is exhausted.
  bool initialize();

  uint64_t root_table() const { return root_table_; }
  uint16_t asid() const { return asid_; }
  uint64_t table_pages() const { return table_pages_; }
  uint64_t mapped_pages() const { return leaves_.size(); }

  // Maps one page (replacing what was there); ZX_ERR_NO_MEMORY when a table cannot be allocated.
  zx_status_t map_page(uint64_t virtual_address, uint64_t physical_address,
                       page_table::PagePermissions permissions, MemoryType memory_type);
  void unmap_range(uint64_t virtual_address, uint64_t length_bytes);
  // Changes the permissions of the valid pages in the range.
  void protect_range(uint64_t virtual_address, uint64_t length_bytes,
                     page_table::PagePermissions permissions);

 private:
  struct Leaf {
    uint64_t slot;  // physical address of the level-3 entry
    uint64_t entry;
  };

  uint64_t read_entry(uint64_t slot);
  void write_entry(uint64_t slot, uint64_t entry);
  std::optional<uint64_t> allocate_table(uint64_t parent_slot);
  // One entry of `table` went invalid: free the table if it was the last, and so on upwards.
  void release_entry(uint64_t table);
  void remove_empty_table(uint64_t table);
  void invalidate(uint64_t virtual_address);

  CpuCore& cpu_;
  PhysicalMemoryManager& pmm_;
  uint16_t asid_;
  uint64_t tlb_invalidate_cycles_;
  uint64_t root_table_ = 0;
  uint64_t table_pages_ = 0;
  struct Table {
    uint64_t parent_slot = 0;  // the entry that points at this table (0 for the root)
    uint32_t live_entries = 0;
  };

  std::map<uint64_t, Leaf> leaves_;             // by virtual page address
  std::unordered_map<uint64_t, Table> tables_;  // by physical address
};

}  // namespace zxvp
