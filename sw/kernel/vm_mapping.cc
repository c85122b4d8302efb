#include "sw/kernel/vm_mapping.h"

#include <algorithm>

#include "sw/kernel/vm_address_region.h"

namespace zxvp {

VmMapping::VmMapping(VmAddressRegion& region, uint64_t base, uint64_t size,
                     std::shared_ptr<VmObject> vmo, uint64_t vmo_offset, uint32_t permissions,
                     uint32_t max_permissions)
    : region_(region),
      base_(base),
      size_(size),
      vmo_(std::move(vmo)),
      vmo_offset_(vmo_offset),
      permissions_(permissions),
      max_permissions_(max_permissions) {
  vmo_->add_mapping(this);
}

VmMapping::~VmMapping() {
  vmo_->remove_mapping(this);
}

void VmMapping::vmo_range_changed(uint64_t offset, uint64_t length) {
  const uint64_t start = std::max(offset, vmo_offset_);
  const uint64_t end = std::min(offset + length, vmo_offset_ + size_);
  if (start >= end) return;
  region_.tables().unmap_range(base_ + (start - vmo_offset_), end - start);
}

}  // namespace zxvp
