#pragma once

#include <cstdint>
#include <memory>

#include "sw/api/zircon/types.h"
#include "sw/kernel/vm_object.h"

namespace zxvp {

class VmAddressRegion;

// A range of an address space backed by a VMO from `vmo_offset` on. It may be larger than the
// VMO. Its permissions are ZX_VM_PERM_* bits; `max_permissions` are what the handles allowed at
// map time, the ceiling for zx_vmar_protect. Pages are entered into the page tables lazily, on
// the first access (a fault into the kernel).
class VmMapping {
 public:
  VmMapping(VmAddressRegion& region, uint64_t base, uint64_t size, std::shared_ptr<VmObject> vmo,
            uint64_t vmo_offset, uint32_t permissions, uint32_t max_permissions);
  ~VmMapping();
  VmMapping(const VmMapping&) = delete;
  VmMapping& operator=(const VmMapping&) = delete;

  uint64_t base() const { return base_; }
  uint64_t size() const { return size_; }
  uint64_t end() const { return base_ + size_; }
  const std::shared_ptr<VmObject>& vmo() const { return vmo_; }
  uint64_t vmo_offset() const { return vmo_offset_; }
  uint32_t permissions() const { return permissions_; }
  uint32_t max_permissions() const { return max_permissions_; }
  void set_permissions(uint32_t permissions) { permissions_ = permissions; }
  bool contains(uint64_t address) const { return address >= base_ && address - base_ < size_; }

  // The VMO's pages in [offset, offset + length) changed: drop their page-table entries.
  void vmo_range_changed(uint64_t offset, uint64_t length);

 private:
  VmAddressRegion& region_;
  uint64_t base_;
  uint64_t size_;
  std::shared_ptr<VmObject> vmo_;
  uint64_t vmo_offset_;
  uint32_t permissions_;
  uint32_t max_permissions_;
};

}  // namespace zxvp
