// Address-space system calls (zircon-vmo.md section 3.9, after syscalls/vmar.cc,
// vm_address_region_dispatcher.cc and vm_address_region.cc).
#include "sw/kernel/kernel.h"
#include "sw/kernel/vm_mapping.h"

namespace zxvp {

namespace {

constexpr uint32_t kPermissions = ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_PERM_EXECUTE;
// Every option bit zx_vmar_map knows, alignment field aside.
constexpr uint32_t kKnownMapOptions = 0xFFFF;

// A mapping that cannot read cannot write or execute either.
bool valid_protection(uint32_t options) {
  return (options & ZX_VM_PERM_READ) != 0 ||
         (options & (ZX_VM_PERM_WRITE | ZX_VM_PERM_EXECUTE)) == 0;
}

}  // namespace

zx_status_t Kernel::vmar_map(Process& process, zx_handle_t vmar_handle, uint32_t options,
                             uint64_t vmar_offset, zx_handle_t vmo_handle, uint64_t vmo_offset,
                             uint64_t length, uint64_t* address) {
  begin_syscall("vmar_map", process);
  return end_syscall([&]() -> zx_status_t {
    std::shared_ptr<VmAddressRegion> vmar;
    zx_rights_t vmar_rights = 0;
    if (const zx_status_t status = lookup(process, vmar_handle, ZX_RIGHT_NONE, &vmar, &vmar_rights);
        status != ZX_OK) {
      return status;
    }
    std::shared_ptr<VmObject> vmo;
    zx_rights_t vmo_rights = 0;
    if (const zx_status_t status = lookup(process, vmo_handle, ZX_RIGHT_NONE, &vmo, &vmo_rights);
        status != ZX_OK) {
      return status;
    }
    if ((vmo_rights & ZX_RIGHT_MAP) == 0) return ZX_ERR_ACCESS_DENIED;
    // The modelled MMU has no execute-only user mappings.
    if (options & ZX_VM_PERM_READ_IF_XOM_UNSUPPORTED) options |= ZX_VM_PERM_READ;
    if (!valid_protection(options)) return ZX_ERR_INVALID_ARGS;
    const bool map_range = (options & ZX_VM_MAP_RANGE) != 0;
    options &= ~ZX_VM_MAP_RANGE;
    if (map_range && (options & ZX_VM_SPECIFIC_OVERWRITE)) return ZX_ERR_INVALID_ARGS;
    if (options & (ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE | ZX_VM_CAN_MAP_EXECUTE)) {
      return ZX_ERR_INVALID_ARGS;
    }
    const bool can_read = (vmo_rights & ZX_RIGHT_READ) && (vmar_rights & ZX_RIGHT_READ);
    const bool can_write = (vmo_rights & ZX_RIGHT_WRITE) && (vmar_rights & ZX_RIGHT_WRITE);
    const bool can_execute = (vmo_rights & ZX_RIGHT_EXECUTE) && (vmar_rights & ZX_RIGHT_EXECUTE);
    if ((options & ZX_VM_PERM_READ) && !can_read) return ZX_ERR_ACCESS_DENIED;
    if ((options & ZX_VM_PERM_WRITE) && !can_write) return ZX_ERR_ACCESS_DENIED;
    if ((options & ZX_VM_PERM_EXECUTE) && !can_execute) return ZX_ERR_ACCESS_DENIED;
    if ((options & ZX_VM_FAULT_BEYOND_STREAM_SIZE) && !(options & ZX_VM_ALLOW_FAULTS)) {
      return ZX_ERR_INVALID_ARGS;
    }
    // The dispatcher's Map.
    if ((options & ~ZX_VM_ALIGN_MASK & ~kKnownMapOptions) != 0) return ZX_ERR_INVALID_ARGS;
    const unsigned align_pow2 = (options & ZX_VM_ALIGN_MASK) >> ZX_VM_ALIGN_BASE;
    if (align_pow2 != 0 && (align_pow2 < 10 || align_pow2 > 32)) return ZX_ERR_INVALID_ARGS;
    if ((options & ZX_VM_REQUIRE_NON_RESIZABLE) && vmo->resizable()) {
      return ZX_ERR_NOT_SUPPORTED;
    }
    if (vmo->discardable() && !(options & ZX_VM_ALLOW_FAULTS)) return ZX_ERR_NOT_SUPPORTED;
    // CreateVmMapping accepts only placement and permission flags.
    if (options & (ZX_VM_COMPACT | ZX_VM_CAN_MAP_SPECIFIC)) return ZX_ERR_INVALID_ARGS;

    CycleAccount::Scope phase(account_, CyclePhase::map);
    VmAddressRegion::MapRequest request;
    request.vmar_offset = vmar_offset;
    request.length = length;
    request.vmo = vmo;
    request.vmo_offset = vmo_offset;
    request.options = options;
    request.permissions = options & kPermissions;
    request.max_permissions = (can_read ? ZX_VM_PERM_READ : 0) |
                              (can_write ? ZX_VM_PERM_WRITE : 0) |
                              (can_execute ? ZX_VM_PERM_EXECUTE : 0);
    request.align_pow2 = align_pow2;
    uint64_t base = 0;
    if (const zx_status_t status = vmar->map(request, &base); status != ZX_OK) return status;
    if (map_range) {
      // Enter the pages the VMO already holds (MapRange with commit off).
      VmMapping* mapping = vmar->find(base);
      const uint64_t limit = std::min(
          mapping->size(), vmo->size() > vmo_offset ? vmo->size() - vmo_offset : uint64_t{0});
      for (uint64_t page = 0; page < limit; page += ZX_PAGE_SIZE) {
        VmPage* held = vmo->find_page(vmo_offset + page);
        if (held == nullptr) continue;
        const page_table::PagePermissions entry{
            (request.permissions & ZX_VM_PERM_READ) != 0,
            (request.permissions & ZX_VM_PERM_WRITE) != 0 && !held->shared(),
            (request.permissions & ZX_VM_PERM_EXECUTE) != 0, true};
        if (const zx_status_t status =
                vmar->tables().map_page(base + page, held->physical_address(), entry,
                                        static_cast<MemoryType>(vmo->cache_policy()));
            status != ZX_OK) {
          vmar->unmap(base, mapping->size());
          return status;
        }
      }
    }
    *address = base;
    return ZX_OK;
  }());
}

zx_status_t Kernel::vmar_unmap(Process& process, zx_handle_t vmar_handle, uint64_t address,
                               uint64_t length) {
  begin_syscall("vmar_unmap", process);
  return end_syscall([&]() -> zx_status_t {
    std::shared_ptr<VmAddressRegion> vmar;
    if (const zx_status_t status = lookup(process, vmar_handle, ZX_RIGHT_NONE, &vmar);
        status != ZX_OK) {
      return status;
    }
    CycleAccount::Scope phase(account_, CyclePhase::map);
    return vmar->unmap(address, length);
  }());
}

zx_status_t Kernel::vmar_protect(Process& process, zx_handle_t vmar_handle, uint32_t options,
                                 uint64_t address, uint64_t length) {
  begin_syscall("vmar_protect", process);
  return end_syscall([&]() -> zx_status_t {
    if (options & ZX_VM_PERM_READ_IF_XOM_UNSUPPORTED) options |= ZX_VM_PERM_READ;
    const zx_rights_t required = ((options & ZX_VM_PERM_READ) ? ZX_RIGHT_READ : 0) |
                                 ((options & ZX_VM_PERM_WRITE) ? ZX_RIGHT_WRITE : 0) |
                                 ((options & ZX_VM_PERM_EXECUTE) ? ZX_RIGHT_EXECUTE : 0);
    std::shared_ptr<VmAddressRegion> vmar;
    if (const zx_status_t status = lookup(process, vmar_handle, required, &vmar); status != ZX_OK) {
      return status;
    }
    if (!valid_protection(options)) return ZX_ERR_INVALID_ARGS;
    if ((options & ~(kPermissions | ZX_VM_PERM_READ_IF_XOM_UNSUPPORTED)) != 0) {
      return ZX_ERR_INVALID_ARGS;
    }
    CycleAccount::Scope phase(account_, CyclePhase::map);
    return vmar->protect(address, length, options & kPermissions);
  }());
}

}  // namespace zxvp
