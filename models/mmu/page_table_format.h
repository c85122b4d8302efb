#pragma once

#include <cstdint>

#include "models/mmu/translation.h"

namespace zxvp::page_table {

// The page-table format of the modelled MMU; PAGE_TABLES.md beside this file documents it.
// A 4-level radix tree over 48-bit virtual addresses with 4 KiB pages: each table is one 4 KiB
// page of 512 little-endian 64-bit entries, levels 0..2 hold table entries, level 3 page entries.

inline constexpr unsigned kLevels = 4;
inline constexpr unsigned kPageShift = 12;
inline constexpr uint64_t kPageSize = uint64_t{1} << kPageShift;
inline constexpr unsigned kIndexBits = 9;
inline constexpr uint64_t kEntriesPerTable = uint64_t{1} << kIndexBits;
inline constexpr uint64_t kEntryBytes = 8;
inline constexpr unsigned kVirtualAddressBits = 48;

inline constexpr uint64_t kValid = uint64_t{1} << 0;
inline constexpr uint64_t kRead = uint64_t{1} << 1;
inline constexpr uint64_t kWrite = uint64_t{1} << 2;
inline constexpr uint64_t kExecute = uint64_t{1} << 3;
inline constexpr uint64_t kUser = uint64_t{1} << 4;
inline constexpr unsigned kMemoryTypeShift = 5;
inline constexpr uint64_t kMemoryTypeMask = uint64_t{3} << kMemoryTypeShift;
// Physical address bits 12..51 of the next table or of the page.
inline constexpr uint64_t kAddressMask = 0x000F'FFFF'FFFF'F000;

// Bits of the virtual address that index the table at `level` (0 is the root).
inline constexpr unsigned index_shift(unsigned level) {
  return kPageShift + kIndexBits * (kLevels - 1 - level);
}
inline constexpr uint64_t table_index(uint64_t virtual_address, unsigned level) {
  return (virtual_address >> index_shift(level)) & (kEntriesPerTable - 1);
}
inline constexpr bool is_canonical(uint64_t virtual_address) {
  return (virtual_address >> kVirtualAddressBits) == 0;
}

inline constexpr uint64_t table_entry(uint64_t next_table_physical) {
  return (next_table_physical & kAddressMask) | kValid;
}

struct PagePermissions {
  bool read = false;
  bool write = false;
  bool execute = false;
  bool user = false;
};

inline constexpr uint64_t page_entry(uint64_t page_physical, PagePermissions permissions,
                                     MemoryType type) {
  return (page_physical & kAddressMask) | kValid | (permissions.read ? kRead : 0) |
         (permissions.write ? kWrite : 0) | (permissions.execute ? kExecute : 0) |
         (permissions.user ? kUser : 0) | (static_cast<uint64_t>(type) << kMemoryTypeShift);
}

inline constexpr bool is_valid(uint64_t entry) {
  return (entry & kValid) != 0;
}
inline constexpr uint64_t entry_address(uint64_t entry) {
  return entry & kAddressMask;
}
inline constexpr MemoryType entry_memory_type(uint64_t entry) {
  return static_cast<MemoryType>((entry & kMemoryTypeMask) >> kMemoryTypeShift);
}
inline constexpr PagePermissions entry_permissions(uint64_t entry) {
  return {(entry & kRead) != 0, (entry & kWrite) != 0, (entry & kExecute) != 0,
          (entry & kUser) != 0};
}

// The permission fault an access takes on a page with `permissions`, or Fault::none.
inline constexpr Fault check_access(PagePermissions permissions, AccessType access,
                                    Privilege privilege) {
  if (privilege == Privilege::user && !permissions.user) return Fault::permission_user;
  switch (access) {
    case AccessType::read:
      return permissions.read ? Fault::none : Fault::permission_read;
    case AccessType::write:
      return permissions.write ? Fault::none : Fault::permission_write;
    case AccessType::execute:
      return permissions.execute ? Fault::none : Fault::permission_execute;
  }
  return Fault::none;
}

}  // namespace zxvp::page_table
