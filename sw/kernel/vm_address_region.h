#pragma once

#include <cstdint>
#include <map>
#include <memory>

#include "sw/api/zircon/types.h"
#include "sw/kernel/arch_page_tables.h"
#include "sw/kernel/kernel_object.h"
#include "sw/kernel/vm_mapping.h"

namespace zxvp {

// A process's root VMAR: its user address space [0x100_0000, 0x8000_0000_0000), the mappings in
// it and the page tables behind them. Mapping, unmapping and protecting follow Zircon's
// VmAddressRegion (vm_address_region.cc): ranges may split mappings or span several, and gaps.
class VmAddressRegion : public KernelObject {
 public:
  static constexpr uint64_t kBase = 0x0100'0000;
  static constexpr uint64_t kEnd = 0x8000'0000'0000;
  static constexpr uint64_t kPageSize = ZX_PAGE_SIZE;

  VmAddressRegion(CpuCore& cpu, PhysicalMemoryManager& pmm, uint16_t asid,
                  uint64_t tlb_invalidate_cycles);
  ~VmAddressRegion() override;

  zx_obj_type_t type() const override { return ZX_OBJ_TYPE_VMAR; }
  bool initialize() { return tables_.initialize(); }
  ArchPageTables& tables() { return tables_; }
  const ArchPageTables& tables() const { return tables_; }
  uint64_t base() const { return kBase; }
  uint64_t size() const { return kEnd - kBase; }
  size_t mapping_count() const { return mappings_.size(); }

  struct MapRequest {
    uint64_t vmar_offset = 0;
    uint64_t length = 0;  // not yet rounded
    std::shared_ptr<VmObject> vmo;
    uint64_t vmo_offset = 0;
    uint32_t options = 0;  // ZX_VM_* as the syscall passes them on
    uint32_t permissions = 0;
    uint32_t max_permissions = 0;
    unsigned align_pow2 = 0;
  };
  // CreateVmMapping: the region's checks and the placement; on success `*address` is the base.
  zx_status_t map(const MapRequest& request, uint64_t* address);
  zx_status_t unmap(uint64_t address, uint64_t length);
  // Checks the whole range first (gaps: NOT_FOUND; above a mapping's ceiling: ACCESS_DENIED).
  zx_status_t protect(uint64_t address, uint64_t length, uint32_t permissions);

  VmMapping* find(uint64_t address);
  // Every mapping; for invariant checks.
  const std::map<uint64_t, std::unique_ptr<VmMapping>>& mappings() const { return mappings_; }

 private:
  bool in_range(uint64_t address, uint64_t length) const {
    return address >= kBase && address < kEnd && length <= kEnd - address;
  }
  bool range_is_free(uint64_t address, uint64_t length) const;
  std::optional<uint64_t> find_spot(uint64_t length, uint64_t align, uint64_t upper_limit) const;
  // Removes [address, address + length) from every mapping it touches, splitting as needed.
  void carve(uint64_t address, uint64_t length);
  void insert(std::unique_ptr<VmMapping> mapping);

  ArchPageTables tables_;
  std::map<uint64_t, std::unique_ptr<VmMapping>> mappings_;  // by base
};

}  // namespace zxvp
