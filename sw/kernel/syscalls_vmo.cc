// The VMO system calls of the kernel model, in Zircon's check order (zircon-vmo.md section 3,
// following syscalls/vmo.cc, vm_object_dispatcher.cc and vm_object_paged.cc of 2024 Fuchsia).
#include <algorithm>

#include "sw/kernel/kernel.h"

namespace zxvp {

namespace {

constexpr uint64_t kPageSize = ZX_PAGE_SIZE;

// Rounds up to a page; false when that wraps past 2^64.
bool round_up_page(uint64_t value, uint64_t* rounded) {
  if (value > UINT64_MAX - (kPageSize - 1)) return false;
  *rounded = (value + kPageSize - 1) & ~(kPageSize - 1);
  return true;
}

// InRange: false if offset + length wraps or passes `limit`.
bool in_range(uint64_t offset, uint64_t length, uint64_t limit) {
  return offset + length >= offset && offset + length <= limit;
}

}  // namespace

zx_status_t Kernel::vmo_create(Process& process, uint64_t size, uint32_t options,
                               zx_handle_t* out) {
  begin_syscall("vmo_create", process);
  return end_syscall([&]() -> zx_status_t {
    if ((options & ZX_VMO_RESIZABLE) && (options & ZX_VMO_UNBOUNDED)) return ZX_ERR_INVALID_ARGS;
    VmObject::Options vmo_options{(options & ZX_VMO_RESIZABLE) != 0,
                                  (options & ZX_VMO_DISCARDABLE) != 0};
    options &= ~(ZX_VMO_RESIZABLE | ZX_VMO_DISCARDABLE);
    uint64_t rounded = 0;
    if (options & ZX_VMO_UNBOUNDED) {
      rounded = VmObject::kMaxSize;
      options &= ~ZX_VMO_UNBOUNDED;
    } else if (!round_up_page(size, &rounded)) {
      return ZX_ERR_OUT_OF_RANGE;
    }
    if (options != 0) return ZX_ERR_INVALID_ARGS;
    if (rounded > VmObject::kMaxSize) return ZX_ERR_OUT_OF_RANGE;
    auto vmo = track(VmObject::create(rounded, size, vmo_options));
    const zx_rights_t rights =
        ZX_DEFAULT_VMO_RIGHTS | (vmo_options.resizable ? ZX_RIGHT_RESIZE : ZX_RIGHT_NONE);
    *out = process.handles().add(std::move(vmo), rights);
    return ZX_OK;
  }());
}

zx_status_t Kernel::check_read_write(Process& process, zx_handle_t handle, zx_rights_t right,
                                     uint64_t offset, uint64_t length,
                                     std::shared_ptr<VmObject>* vmo) {
  if (const zx_status_t status = lookup(process, handle, right, vmo); status != ZX_OK) {
    return status;
  }
  // ReadWriteInternalLocked: the wrap, then the cache policy, then the size.
  if (offset + length < offset) return ZX_ERR_OUT_OF_RANGE;
  if ((*vmo)->cache_policy() != ZX_CACHE_POLICY_CACHED) return ZX_ERR_BAD_STATE;
  if (offset + length > (*vmo)->size()) return ZX_ERR_OUT_OF_RANGE;
  return ZX_OK;
}

zx_status_t Kernel::vmo_write(Process& process, zx_handle_t handle, uint64_t buffer,
                              uint64_t offset, uint64_t buffer_size) {
  begin_syscall("vmo_write", process);
  return end_syscall([&]() -> zx_status_t {
    std::shared_ptr<VmObject> vmo;
    if (const zx_status_t status =
            check_read_write(process, handle, ZX_RIGHT_WRITE, offset, buffer_size, &vmo);
        status != ZX_OK) {
      return status;
    }
    // Page by page of the VMO: require the page for writing, then copy into it from the user
    // buffer. A failure leaves the pages before it written (no rollback).
    CopyPlan plan = plan_copy(buffer_size);
    zx_status_t status = ZX_OK;
    for (uint64_t done = 0; done < buffer_size && status == ZX_OK;) {
      const uint64_t position = offset + done;
      const uint64_t chunk = std::min(buffer_size - done, kPageSize - (position & (kPageSize - 1)));
      VmPage* page = nullptr;
      look_up_page();
      status = vmo->require_writable_page(position, *this, &page);
      if (status == ZX_OK) {
        status = copy_from_user(process, plan, buffer + done,
                                page->physical_address() + (position & (kPageSize - 1)), chunk);
      }
      done += chunk;
    }
    return finish(plan, status);
  }());
}

zx_status_t Kernel::vmo_read(Process& process, zx_handle_t handle, uint64_t buffer, uint64_t offset,
                             uint64_t buffer_size) {
  begin_syscall("vmo_read", process);
  return end_syscall([&]() -> zx_status_t {
    std::shared_ptr<VmObject> vmo;
    if (const zx_status_t status =
            check_read_write(process, handle, ZX_RIGHT_READ, offset, buffer_size, &vmo);
        status != ZX_OK) {
      return status;
    }
    CopyPlan plan = plan_copy(buffer_size);
    zx_status_t status = ZX_OK;
    for (uint64_t done = 0; done < buffer_size && status == ZX_OK;) {
      const uint64_t position = offset + done;
      const uint64_t chunk = std::min(buffer_size - done, kPageSize - (position & (kPageSize - 1)));
      // Reads allocate nothing: a page never written reads as zeros.
      look_up_page();
      const VmPage* page = vmo->find_page(position);
      status = copy_to_user(process, plan, buffer + done, page, position & (kPageSize - 1), chunk);
      done += chunk;
    }
    return finish(plan, status);
  }());
}

zx_status_t Kernel::vmo_get_size(Process& process, zx_handle_t handle, uint64_t* size) {
  begin_syscall("vmo_get_size", process);
  return end_syscall([&]() -> zx_status_t {
    std::shared_ptr<VmObject> vmo;
    if (const zx_status_t status = lookup(process, handle, ZX_RIGHT_NONE, &vmo); status != ZX_OK) {
      return status;
    }
    *size = vmo->size();
    return ZX_OK;
  }());
}

zx_status_t Kernel::vmo_set_size(Process& process, zx_handle_t handle, uint64_t size) {
  begin_syscall("vmo_set_size", process);
  return end_syscall([&]() -> zx_status_t {
    std::shared_ptr<VmObject> vmo;
    zx_rights_t rights = 0;
    if (const zx_status_t status = lookup(process, handle, ZX_RIGHT_WRITE, &vmo, &rights);
        status != ZX_OK) {
      return status;
    }
    // RESIZE is only asked of resizable VMOs: the others answer UNAVAILABLE below.
    if (vmo->resizable() && (rights & ZX_RIGHT_RESIZE) == 0) return ZX_ERR_ACCESS_DENIED;
    uint64_t rounded = 0;
    if (!round_up_page(size, &rounded)) return ZX_ERR_OUT_OF_RANGE;
    if (!vmo->resizable()) return ZX_ERR_UNAVAILABLE;
    if (rounded > VmObject::kMaxSize) return ZX_ERR_OUT_OF_RANGE;
    {
      CycleAccount::Scope phase(account_, CyclePhase::map);
      vmo->resize(rounded);
    }
    vmo->set_content_size(size);
    if (rounded != size) return vmo->zero_range(size, rounded - size, *this);
    return ZX_OK;
  }());
}

zx_status_t Kernel::vmo_set_cache_policy(Process& process, zx_handle_t handle,
                                         uint32_t cache_policy) {
  begin_syscall("vmo_set_cache_policy", process);
  return end_syscall([&]() -> zx_status_t {
    if ((cache_policy & ~ZX_CACHE_POLICY_MASK) != 0) return ZX_ERR_INVALID_ARGS;
    std::shared_ptr<VmObject> vmo;
    if (const zx_status_t status = lookup(process, handle, ZX_RIGHT_MAP, &vmo); status != ZX_OK) {
      return status;
    }
    if (vmo->committed_pages() != 0 && vmo->cache_policy() != ZX_CACHE_POLICY_CACHED) {
      return ZX_ERR_BAD_STATE;
    }
    if (vmo->has_mappings()) return ZX_ERR_BAD_STATE;
    if (vmo->has_children()) return ZX_ERR_BAD_STATE;
    if (vmo->is_child()) return ZX_ERR_BAD_STATE;
    if (vmo->cache_policy() == ZX_CACHE_POLICY_CACHED && cache_policy != ZX_CACHE_POLICY_CACHED) {
      maintain_committed(*vmo, CacheMaintenance::clean_invalidate, 0, vmo->size());
    }
    vmo->set_cache_policy(cache_policy);
    return ZX_OK;
  }());
}

zx_status_t Kernel::vmo_op_range(Process& process, zx_handle_t handle, uint32_t op, uint64_t offset,
                                 uint64_t size, uint64_t buffer_size) {
  begin_syscall("vmo_op_range", process);
  return end_syscall([&]() -> zx_status_t {
    std::shared_ptr<VmObject> vmo;
    zx_rights_t rights = 0;
    if (const zx_status_t status = lookup(process, handle, ZX_RIGHT_NONE, &vmo, &rights);
        status != ZX_OK) {
      return status;
    }
    auto need = [&](zx_rights_t right) { return (rights & right) == right; };
    auto cache_op = [&](CacheMaintenance operation) -> zx_status_t {
      if (size == 0) return ZX_ERR_INVALID_ARGS;
      if (!in_range(offset, size, vmo->size())) return ZX_ERR_OUT_OF_RANGE;
      maintain_committed(*vmo, operation, offset, size);
      return ZX_OK;
    };
    switch (op) {
      case ZX_VMO_OP_COMMIT:
      case ZX_VMO_OP_PREFETCH: {
        if (!need(op == ZX_VMO_OP_COMMIT ? ZX_RIGHT_WRITE : ZX_RIGHT_READ)) {
          return ZX_ERR_ACCESS_DENIED;
        }
        if (offset + size < offset) return ZX_ERR_OUT_OF_RANGE;
        const uint64_t start = offset & ~(kPageSize - 1);
        uint64_t end = 0;
        if (!round_up_page(offset + size, &end)) return ZX_ERR_OUT_OF_RANGE;
        if (end > vmo->size()) return ZX_ERR_OUT_OF_RANGE;
        // PREFETCH of a VMO without a pager has nothing to bring in.
        if (op == ZX_VMO_OP_PREFETCH || end == start) return ZX_OK;
        return vmo->commit_range(start, end - start, *this);
      }
      case ZX_VMO_OP_DECOMMIT:
        if (!need(ZX_RIGHT_WRITE)) return ZX_ERR_ACCESS_DENIED;
        if (!in_range(offset, size, vmo->size())) return ZX_ERR_OUT_OF_RANGE;
        if (vmo->in_cow_hierarchy()) return ZX_ERR_NOT_SUPPORTED;
        if (offset % kPageSize != 0 || size % kPageSize != 0) return ZX_ERR_INVALID_ARGS;
        {
          CycleAccount::Scope phase(account_, CyclePhase::map);
          vmo->decommit_range(offset, size);
        }
        return ZX_OK;
      case ZX_VMO_OP_LOCK:
      case ZX_VMO_OP_TRY_LOCK:
      case ZX_VMO_OP_UNLOCK:
        if (!need(ZX_RIGHT_READ) && !need(ZX_RIGHT_WRITE)) return ZX_ERR_ACCESS_DENIED;
        if (!vmo->discardable()) return ZX_ERR_NOT_SUPPORTED;
        // Discardable VMOs lock and unlock as a whole.
        if (offset != 0 || size != vmo->size()) return ZX_ERR_OUT_OF_RANGE;
        if (op == ZX_VMO_OP_LOCK && buffer_size < 32) return ZX_ERR_INVALID_ARGS;
        if (op == ZX_VMO_OP_UNLOCK && !vmo->locked()) return ZX_ERR_BAD_STATE;
        vmo->set_locked(op != ZX_VMO_OP_UNLOCK);
        return ZX_OK;
      case ZX_VMO_OP_CACHE_INVALIDATE:
        if (!config_.enable_debugging_syscalls) return ZX_ERR_NOT_SUPPORTED;
        if (!need(ZX_RIGHT_WRITE)) return ZX_ERR_ACCESS_DENIED;
        return cache_op(CacheMaintenance::invalidate);
      case ZX_VMO_OP_CACHE_SYNC:
      case ZX_VMO_OP_CACHE_CLEAN:
        // A sync cleans data to the point of unification; the model has no instruction cache.
        if (!need(ZX_RIGHT_READ)) return ZX_ERR_ACCESS_DENIED;
        return cache_op(CacheMaintenance::clean);
      case ZX_VMO_OP_CACHE_CLEAN_INVALIDATE:
        if (!need(ZX_RIGHT_READ)) return ZX_ERR_ACCESS_DENIED;
        return cache_op(CacheMaintenance::clean_invalidate);
      case ZX_VMO_OP_ZERO:
        if (!need(ZX_RIGHT_WRITE)) return ZX_ERR_ACCESS_DENIED;
        if (vmo->cache_policy() != ZX_CACHE_POLICY_CACHED) return ZX_ERR_BAD_STATE;
        if (!in_range(offset, size, vmo->size())) return ZX_ERR_OUT_OF_RANGE;
        if (size == 0) return ZX_OK;
        return vmo->zero_range(offset, size, *this);
      case ZX_VMO_OP_DONT_NEED:
      case ZX_VMO_OP_ALWAYS_NEED:
        return ZX_OK;
      default:
        return ZX_ERR_INVALID_ARGS;
    }
  }());
}

zx_status_t Kernel::vmo_create_child(Process& process, zx_handle_t handle, uint32_t options,
                                     uint64_t offset, uint64_t size, zx_handle_t* out) {
  begin_syscall("vmo_create_child", process);
  return end_syscall([&]() -> zx_status_t {
    uint64_t rounded = 0;
    if (!round_up_page(size, &rounded)) return ZX_ERR_OUT_OF_RANGE;
    if ((options & ZX_VMO_CHILD_NO_WRITE) && (options & ZX_VMO_CHILD_RESIZABLE)) {
      return ZX_ERR_INVALID_ARGS;
    }
    const bool no_write = (options & ZX_VMO_CHILD_NO_WRITE) != 0;
    options &= ~ZX_VMO_CHILD_NO_WRITE;
    std::shared_ptr<VmObject> parent;
    zx_rights_t parent_rights = 0;
    if (const zx_status_t status =
            lookup(process, handle, ZX_RIGHT_DUPLICATE | ZX_RIGHT_READ, &parent, &parent_rights);
        status != ZX_OK) {
      return status;
    }
    if (parent->discardable()) return ZX_ERR_NOT_SUPPORTED;

    zx_rights_t rights = (parent_rights & ~ZX_RIGHT_RESIZE) | ZX_RIGHT_GET_PROPERTY |
                         ZX_RIGHT_SET_PROPERTY |
                         ((options & ZX_VMO_CHILD_RESIZABLE) ? ZX_RIGHT_RESIZE : ZX_RIGHT_NONE);
    std::shared_ptr<VmObject> child;
    if (options & ZX_VMO_CHILD_SLICE) {
      if (options != ZX_VMO_CHILD_SLICE) return ZX_ERR_INVALID_ARGS;
      if (offset % kPageSize != 0) return ZX_ERR_INVALID_ARGS;
      if (rounded > VmObject::kMaxSize) return ZX_ERR_OUT_OF_RANGE;
      if (!in_range(offset, rounded, parent->size())) return ZX_ERR_INVALID_ARGS;
      if (parent->resizable()) return ZX_ERR_NOT_SUPPORTED;
      if (parent->cache_policy() != ZX_CACHE_POLICY_CACHED) return ZX_ERR_BAD_STATE;
      child = parent->create_slice(offset, rounded, size);
      if (no_write) rights &= ~ZX_RIGHT_WRITE;
    } else if (options & ZX_VMO_CHILD_REFERENCE) {
      if (offset != 0 || size != 0) return ZX_ERR_INVALID_ARGS;
      // Reference children (a second view that follows the parent's size) are not modelled.
      return ZX_ERR_NOT_SUPPORTED;
    } else {
      if (options & ZX_VMO_CHILD_SNAPSHOT) {
        options &= ~ZX_VMO_CHILD_SNAPSHOT;
      } else if (options & ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE) {
        options &= ~ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE;
      } else if (options & ZX_VMO_CHILD_SNAPSHOT_MODIFIED) {
        options &= ~ZX_VMO_CHILD_SNAPSHOT_MODIFIED;
      } else {
        return ZX_ERR_INVALID_ARGS;
      }
      const bool resizable = (options & ZX_VMO_CHILD_RESIZABLE) != 0;
      if ((options & ~ZX_VMO_CHILD_RESIZABLE) != 0) return ZX_ERR_INVALID_ARGS;
      if (offset % kPageSize != 0) return ZX_ERR_INVALID_ARGS;
      if (rounded > VmObject::kMaxSize) return ZX_ERR_OUT_OF_RANGE;
      if (offset + rounded < offset) return ZX_ERR_OUT_OF_RANGE;
      if (parent->cache_policy() != ZX_CACHE_POLICY_CACHED) return ZX_ERR_BAD_STATE;
      {
        CycleAccount::Scope phase(account_, CyclePhase::map);
        child = parent->create_snapshot(offset, rounded, size, resizable);
      }
      if (no_write) {
        rights &= ~ZX_RIGHT_WRITE;
      } else {
        rights = (rights & ~ZX_RIGHT_EXECUTE) | ZX_RIGHT_WRITE;
      }
    }
    *out = process.handles().add(track(std::move(child)), rights);
    return ZX_OK;
  }());
}

zx_status_t Kernel::vmo_replace_as_executable(Process& process, zx_handle_t handle,
                                              zx_handle_t vmex, zx_handle_t* out) {
  begin_syscall("vmo_replace_as_executable", process);
  return end_syscall([&]() -> zx_status_t {
    // No VMEX resource exists in the model: without one, the job's ambient policy (allow) lets
    // any VMO become executable; a handle given as VMEX is never a resource. Zircon checks the
    // VMEX first but answers for the source handle first, and consumes a source it found.
    cpu_.compute(config_.handle_lookup_cycles);
    zx_status_t vmex_status = ZX_OK;
    if (vmex != ZX_HANDLE_INVALID) {
      vmex_status = process.handles().find(vmex) == nullptr ? ZX_ERR_BAD_HANDLE : ZX_ERR_WRONG_TYPE;
    }
    Handle* source = process.handles().find(handle);
    if (source == nullptr) return ZX_ERR_BAD_HANDLE;
    const Handle copy = *source;
    process.handles().remove(handle);
    if (vmex_status != ZX_OK) return vmex_status;
    if (std::dynamic_pointer_cast<VmObject>(copy.object) == nullptr) return ZX_ERR_WRONG_TYPE;
    *out = process.handles().add(copy.object, copy.rights | ZX_RIGHT_EXECUTE);
    return ZX_OK;
  }());
}

}  // namespace zxvp
