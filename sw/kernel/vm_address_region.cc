#include "sw/kernel/vm_address_region.h"

#include <algorithm>
#include <vector>

namespace zxvp {

VmAddressRegion::VmAddressRegion(CpuCore& cpu, PhysicalMemoryManager& pmm, uint16_t asid,
                                 uint64_t tlb_invalidate_cycles)
    : tables_(cpu, pmm, asid, tlb_invalidate_cycles) {}

VmAddressRegion::~VmAddressRegion() {
  mappings_.clear();
}

VmMapping* VmAddressRegion::find(uint64_t address) {
  auto it = mappings_.upper_bound(address);
  if (it == mappings_.begin()) return nullptr;
  --it;
  return it->second->contains(address) ? it->second.get() : nullptr;
}

bool VmAddressRegion::range_is_free(uint64_t address, uint64_t length) const {
  auto it = mappings_.lower_bound(address);
  if (it != mappings_.end() && it->first < address + length) return false;
  if (it == mappings_.begin()) return true;
  --it;
  return it->second->end() <= address;
}

std::optional<uint64_t> VmAddressRegion::find_spot(uint64_t length, uint64_t align,
                                                   uint64_t upper_limit) const {
  // Lowest fit: the same address run after run (Zircon randomises; a model wants repeatability).
  uint64_t candidate = (kBase + align - 1) / align * align;
  for (const auto& [base, mapping] : mappings_) {
    if (candidate + length <= base) break;
    candidate = std::max(candidate, (mapping->end() + align - 1) / align * align);
  }
  if (candidate > upper_limit || length > upper_limit - candidate) return std::nullopt;
  return candidate;
}

void VmAddressRegion::insert(std::unique_ptr<VmMapping> mapping) {
  const uint64_t base = mapping->base();
  mappings_.emplace(base, std::move(mapping));
}

zx_status_t VmAddressRegion::map(const MapRequest& request, uint64_t* address) {
  if (request.vmo_offset % kPageSize != 0) return ZX_ERR_INVALID_ARGS;
  const uint64_t length = (request.length + kPageSize - 1) & ~(kPageSize - 1);
  if (length < request.length) return ZX_ERR_OUT_OF_RANGE;
  if (request.vmo_offset + length < request.vmo_offset) return ZX_ERR_OUT_OF_RANGE;
  if (length == 0) return ZX_ERR_INVALID_ARGS;

  const bool overwrite = (request.options & ZX_VM_SPECIFIC_OVERWRITE) != 0;
  const bool specific = (request.options & ZX_VM_SPECIFIC) != 0 || overwrite;
  const bool upper_bound = (request.options & ZX_VM_OFFSET_IS_UPPER_LIMIT) != 0;
  if (specific && upper_bound) return ZX_ERR_INVALID_ARGS;
  if (!specific && !upper_bound && request.vmar_offset != 0) return ZX_ERR_INVALID_ARGS;
  if (request.vmar_offset % kPageSize != 0) return ZX_ERR_INVALID_ARGS;
  if (!upper_bound && (request.vmar_offset >= size() || length > size() - request.vmar_offset)) {
    return ZX_ERR_INVALID_ARGS;
  }
  if (upper_bound &&
      (request.vmar_offset > size() || length > size() || length > request.vmar_offset)) {
    return ZX_ERR_INVALID_ARGS;
  }

  const uint64_t align = uint64_t{1} << std::max(request.align_pow2, 12u);
  uint64_t base = 0;
  if (specific) {
    base = kBase + request.vmar_offset;
    if (request.align_pow2 > 0 && base % align != 0) return ZX_ERR_INVALID_ARGS;
    if (!range_is_free(base, length)) {
      if (!overwrite) return ZX_ERR_ALREADY_EXISTS;
      carve(base, length);
    }
  } else {
    const uint64_t limit = upper_bound ? kBase + request.vmar_offset : kEnd;
    const auto spot = find_spot(length, align, limit);
    if (!spot) return ZX_ERR_NO_RESOURCES;
    base = *spot;
  }
  insert(std::make_unique<VmMapping>(*this, base, length, request.vmo, request.vmo_offset,
                                     request.permissions, request.max_permissions));
  *address = base;
  return ZX_OK;
}

void VmAddressRegion::carve(uint64_t address, uint64_t length) {
  const uint64_t end = address + length;
  auto it = mappings_.upper_bound(address);
  if (it != mappings_.begin() && std::prev(it)->second->end() > address) --it;
  while (it != mappings_.end() && it->first < end) {
    std::unique_ptr<VmMapping> mapping = std::move(it->second);
    it = mappings_.erase(it);
    const uint64_t cut_start = std::max(address, mapping->base());
    const uint64_t cut_end = std::min(end, mapping->end());
    tables_.unmap_range(cut_start, cut_end - cut_start);
    if (mapping->base() < cut_start) {
      insert(std::make_unique<VmMapping>(*this, mapping->base(), cut_start - mapping->base(),
                                         mapping->vmo(), mapping->vmo_offset(),
                                         mapping->permissions(), mapping->max_permissions()));
    }
    if (cut_end < mapping->end()) {
      insert(std::make_unique<VmMapping>(*this, cut_end, mapping->end() - cut_end, mapping->vmo(),
                                         mapping->vmo_offset() + (cut_end - mapping->base()),
                                         mapping->permissions(), mapping->max_permissions()));
    }
    it = mappings_.lower_bound(cut_end);
  }
}

zx_status_t VmAddressRegion::unmap(uint64_t address, uint64_t length) {
  length = (length + kPageSize - 1) & ~(kPageSize - 1);
  if (length == 0 || address % kPageSize != 0) return ZX_ERR_INVALID_ARGS;
  if (!in_range(address, length)) return ZX_ERR_INVALID_ARGS;
  carve(address, length);
  return ZX_OK;
}

zx_status_t VmAddressRegion::protect(uint64_t address, uint64_t length, uint32_t permissions) {
  length = (length + kPageSize - 1) & ~(kPageSize - 1);
  if (length == 0 || address % kPageSize != 0) return ZX_ERR_INVALID_ARGS;
  if (!in_range(address, length)) return ZX_ERR_INVALID_ARGS;
  const uint64_t end = address + length;
  uint64_t expected = address;
  auto it = mappings_.upper_bound(address);
  if (it != mappings_.begin() && std::prev(it)->second->end() > address) --it;
  for (; it != mappings_.end() && it->first < end; ++it) {
    if (it->first > expected) return ZX_ERR_NOT_FOUND;
    if ((permissions & ~it->second->max_permissions()) != 0) return ZX_ERR_ACCESS_DENIED;
    expected = it->second->end();
  }
  if (expected < end) return ZX_ERR_NOT_FOUND;

  // Split at the edges, then give every mapping inside the new permissions. Their page-table
  // entries are dropped: the next access faults them back in with the new permissions.
  it = mappings_.upper_bound(address);
  if (it != mappings_.begin() && std::prev(it)->second->end() > address) --it;
  std::vector<VmMapping*> touched;
  for (; it != mappings_.end() && it->first < end; ++it)
    touched.push_back(it->second.get());
  for (VmMapping* mapping : touched) {
    const uint64_t start = std::max(address, mapping->base());
    const uint64_t stop = std::min(end, mapping->end());
    auto vmo = mapping->vmo();
    const uint64_t vmo_offset = mapping->vmo_offset() + (start - mapping->base());
    const uint32_t max_permissions = mapping->max_permissions();
    carve(start, stop - start);
    insert(std::make_unique<VmMapping>(*this, start, stop - start, vmo, vmo_offset, permissions,
                                       max_permissions));
  }
  return ZX_OK;
}

}  // namespace zxvp
