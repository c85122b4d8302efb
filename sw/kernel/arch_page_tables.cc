#include "sw/kernel/arch_page_tables.h"

#include <endian.h>

#include <array>
#include <vector>

namespace zxvp {

ArchPageTables::ArchPageTables(CpuCore& cpu, PhysicalMemoryManager& pmm, uint16_t asid,
                               uint64_t tlb_invalidate_cycles)
    : cpu_(cpu), pmm_(pmm), asid_(asid), tlb_invalidate_cycles_(tlb_invalidate_cycles) {}

ArchPageTables::~ArchPageTables() {
  cpu_.mmu().invalidate_asid(asid_);
  for (const auto& [table, info] : tables_)
    pmm_.free(table);
}

bool ArchPageTables::initialize() {
  const auto root = allocate_table(0);
  if (!root) return false;
  root_table_ = *root;
  return true;
}

std::optional<uint64_t> ArchPageTables::allocate_table(uint64_t parent_slot) {
  const auto table = pmm_.allocate();
  if (!table) return std::nullopt;
  cpu_.physical_zero(*table, page_table::kPageSize);
  tables_[*table] = Table{parent_slot, 0};
  ++table_pages_;
  return table;
}

uint64_t ArchPageTables::read_entry(uint64_t slot) {
  uint64_t little_endian = 0;
  cpu_.physical_read(slot, &little_endian, sizeof little_endian);
  return le64toh(little_endian);
}

void ArchPageTables::write_entry(uint64_t slot, uint64_t entry) {
  const uint64_t little_endian = htole64(entry);
  cpu_.physical_write(slot, &little_endian, sizeof little_endian);
}

void ArchPageTables::invalidate(uint64_t virtual_address) {
  cpu_.mmu().invalidate_page(asid_, virtual_address);
  cpu_.compute(tlb_invalidate_cycles_);
}

zx_status_t ArchPageTables::map_page(uint64_t virtual_address, uint64_t physical_address,
                                     page_table::PagePermissions permissions,
                                     MemoryType memory_type) {
  const uint64_t page = virtual_address & ~(page_table::kPageSize - 1);
  const uint64_t entry = page_table::page_entry(physical_address, permissions, memory_type);
  if (const auto it = leaves_.find(page); it != leaves_.end()) {
    write_entry(it->second.slot, entry);
    it->second.entry = entry;
    invalidate(page);
    return ZX_OK;
  }
  // Walk down, making missing tables; on exhaustion undo the tables this call made.
  uint64_t newest_made = 0;
  uint64_t table = root_table_;
  for (unsigned level = 0; level + 1 < page_table::kLevels; ++level) {
    const uint64_t slot = table + page_table::table_index(page, level) * page_table::kEntryBytes;
    const uint64_t next = read_entry(slot);
    if (page_table::is_valid(next)) {
      table = page_table::entry_address(next);
      continue;
    }
    const auto fresh = allocate_table(slot);
    if (!fresh) {
      if (newest_made != 0) remove_empty_table(newest_made);
      return ZX_ERR_NO_MEMORY;
    }
    write_entry(slot, page_table::table_entry(*fresh));
    ++tables_[table].live_entries;
    newest_made = *fresh;
    table = *fresh;
  }
  const uint64_t slot =
      table + page_table::table_index(page, page_table::kLevels - 1) * page_table::kEntryBytes;
  write_entry(slot, entry);
  ++tables_[table].live_entries;
  leaves_[page] = Leaf{slot, entry};
  return ZX_OK;
}

void ArchPageTables::remove_empty_table(uint64_t table) {
  const uint64_t parent_slot = tables_[table].parent_slot;
  write_entry(parent_slot, 0);
  tables_.erase(table);
  pmm_.free(table);
  --table_pages_;
  release_entry(parent_slot & ~(page_table::kPageSize - 1));
}

void ArchPageTables::release_entry(uint64_t table) {
  Table& info = tables_[table];
  if (--info.live_entries == 0 && table != root_table_) remove_empty_table(table);
}

void ArchPageTables::unmap_range(uint64_t virtual_address, uint64_t length_bytes) {
  auto it = leaves_.lower_bound(virtual_address);
  while (it != leaves_.end() && it->first - virtual_address < length_bytes) {
    const uint64_t page = it->first;
    const uint64_t slot = it->second.slot;
    write_entry(slot, 0);
    it = leaves_.erase(it);
    release_entry(slot & ~(page_table::kPageSize - 1));
    // After the tables are gone, so that the walk cache forgets them too.
    invalidate(page);
  }
}

void ArchPageTables::protect_range(uint64_t virtual_address, uint64_t length_bytes,
                                   page_table::PagePermissions permissions) {
  for (auto it = leaves_.lower_bound(virtual_address);
       it != leaves_.end() && it->first - virtual_address < length_bytes; ++it) {
    const uint64_t entry =
        page_table::page_entry(page_table::entry_address(it->second.entry), permissions,
                               page_table::entry_memory_type(it->second.entry));
    write_entry(it->second.slot, entry);
    it->second.entry = entry;
    invalidate(it->first);
  }
}

}  // namespace zxvp
