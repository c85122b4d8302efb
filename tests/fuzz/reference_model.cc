#include "tests/fuzz/reference_model.h"

#include <algorithm>
#include <cstring>

namespace zxvp::reference {

namespace {

constexpr uint64_t kPage = Model::kPage;
constexpr uint64_t kUserEnd = uint64_t{1} << 47;
constexpr uint64_t kVmarBase = 0x0100'0000;
constexpr uint64_t kVmarEnd = 0x8000'0000'0000;

bool round_up(uint64_t value, uint64_t* rounded) {
  if (value > UINT64_MAX - (kPage - 1)) return false;
  *rounded = (value + kPage - 1) / kPage * kPage;
  return true;
}

bool fits(uint64_t offset, uint64_t length, uint64_t limit) {
  return offset + length >= offset && offset + length <= limit;
}

}  // namespace

Model::Vmo::~Vmo() {
  if (auto up = parent.lock()) {
    --up->children;
    if (snapshot_child) --up->snapshot_children;
  }
}

Model::Model() {
  for (size_t p = 0; p < kProcesses; ++p) {
    auto vmar = std::make_shared<Object>();
    vmar->is_vmar = true;
    processes_[p].root_vmar = add_handle(
        p, vmar, ZX_DEFAULT_VMAR_RIGHTS | ZX_RIGHT_READ | ZX_RIGHT_WRITE | ZX_RIGHT_EXECUTE);
  }
}

zx_handle_t Model::add_handle(size_t process, std::shared_ptr<Object> object, zx_rights_t rights) {
  Process& p = processes_[process];
  // Values differ per process (bits 24..26), low bits 11 as Zircon's.
  const zx_handle_t value =
      static_cast<zx_handle_t>(((process + 1) << 24) | ((++p.next_id & 0x3FFFFF) << 2) | 3);
  p.handles[value] = HandleEntry{std::move(object), rights};
  return value;
}

zx_status_t Model::vmo_handle(size_t process, zx_handle_t handle, zx_rights_t rights,
                              std::shared_ptr<Vmo>* vmo, zx_rights_t* held) {
  const auto& handles = processes_[process].handles;
  const auto it = handles.find(handle);
  if (it == handles.end()) return ZX_ERR_BAD_HANDLE;
  if (it->second.object->is_vmar) return ZX_ERR_WRONG_TYPE;
  if ((it->second.rights & rights) != rights) return ZX_ERR_ACCESS_DENIED;
  *vmo = it->second.object->vmo;
  if (held != nullptr) *held = it->second.rights;
  return ZX_OK;
}

Model::Page& Model::commit(Vmo& vmo, uint64_t offset) {
  Vmo& holder = owner(vmo);
  auto [it, fresh] = holder.pages.try_emplace(owner_offset(vmo, offset) / kPage);
  if (fresh) it->second.fill(0);
  return it->second;
}

const Model::Page* Model::find(Vmo& vmo, uint64_t offset) {
  Vmo& holder = owner(vmo);
  const auto it = holder.pages.find(owner_offset(vmo, offset) / kPage);
  return it == holder.pages.end() ? nullptr : &it->second;
}

zx_status_t Model::vmo_create(size_t process, uint64_t size, uint32_t options, zx_handle_t* out) {
  if ((options & ZX_VMO_RESIZABLE) && (options & ZX_VMO_UNBOUNDED)) return ZX_ERR_INVALID_ARGS;
  const bool resizable = (options & ZX_VMO_RESIZABLE) != 0;
  uint32_t rest = options & ~(ZX_VMO_RESIZABLE | ZX_VMO_DISCARDABLE);
  uint64_t rounded = 0;
  if (rest & ZX_VMO_UNBOUNDED) {
    rounded = kMaxSize;
    rest &= ~ZX_VMO_UNBOUNDED;
  } else if (!round_up(size, &rounded)) {
    return ZX_ERR_OUT_OF_RANGE;
  }
  if (rest != 0) return ZX_ERR_INVALID_ARGS;
  if (rounded > kMaxSize) return ZX_ERR_OUT_OF_RANGE;
  auto object = std::make_shared<Object>();
  object->vmo = std::make_shared<Vmo>();
  object->vmo->size = rounded;
  object->vmo->resizable = resizable;
  *out = add_handle(process, object, ZX_DEFAULT_VMO_RIGHTS | (resizable ? ZX_RIGHT_RESIZE : 0));
  return ZX_OK;
}

zx_status_t Model::user_page(size_t process, uint64_t address, bool write, Page** page,
                             uint64_t* in_page) {
  if (address >= kUserEnd) return ZX_ERR_NOT_FOUND;
  auto& mappings = processes_[process].mappings;
  auto it = mappings.upper_bound(address);
  if (it == mappings.begin()) return ZX_ERR_NOT_FOUND;
  --it;
  if (address - it->first >= it->second.size) return ZX_ERR_NOT_FOUND;
  const Mapping& mapping = it->second;
  if ((mapping.permissions & (write ? ZX_VM_PERM_WRITE : ZX_VM_PERM_READ)) == 0) {
    return ZX_ERR_ACCESS_DENIED;
  }
  const uint64_t offset = mapping.vmo_offset + (address - it->first);
  if (offset / kPage * kPage >= mapping.vmo->size) return ZX_ERR_OUT_OF_RANGE;
  // A first touch of a mapped page commits it, read or write.
  *page = &commit(*mapping.vmo, offset);
  *in_page = offset % kPage;
  return ZX_OK;
}

zx_status_t Model::user_access(size_t process, uint64_t address, uint8_t* data, uint64_t length,
                               bool write) {
  uint64_t done = 0;
  while (done < length) {
    const uint64_t at = address + done;
    if (at < address) return ZX_ERR_NOT_FOUND;
    const uint64_t piece = std::min(length - done, kPage - at % kPage);
    Page* page = nullptr;
    uint64_t in_page = 0;
    if (const zx_status_t status = user_page(process, at, write, &page, &in_page);
        status != ZX_OK) {
      return status;
    }
    if (write) {
      std::memcpy(page->data() + in_page, data + done, piece);
    } else {
      std::memcpy(data + done, page->data() + in_page, piece);
    }
    done += piece;
  }
  return ZX_OK;
}

zx_status_t Model::read_write_target(size_t process, zx_handle_t handle, zx_rights_t rights,
                                     uint64_t offset, uint64_t length, std::shared_ptr<Vmo>* vmo) {
  if (const zx_status_t status = vmo_handle(process, handle, rights, vmo); status != ZX_OK) {
    return status;
  }
  if (offset + length < offset) return ZX_ERR_OUT_OF_RANGE;
  if ((*vmo)->policy != ZX_CACHE_POLICY_CACHED) return ZX_ERR_BAD_STATE;
  if (offset + length > (*vmo)->size) return ZX_ERR_OUT_OF_RANGE;
  return ZX_OK;
}

zx_status_t Model::vmo_write(size_t process, zx_handle_t handle, uint64_t buffer, uint64_t offset,
                             uint64_t length) {
  std::shared_ptr<Vmo> vmo;
  if (const zx_status_t status =
          read_write_target(process, handle, ZX_RIGHT_WRITE, offset, length, &vmo);
      status != ZX_OK) {
    return status;
  }
  for (uint64_t done = 0; done < length;) {
    const uint64_t position = offset + done;
    const uint64_t chunk = std::min(length - done, kPage - position % kPage);
    Page& destination = commit(*vmo, position);
    // Each chunk's user range must lie in the user half (checked after its page is required).
    const uint64_t user = buffer + done;
    if (user >= kUserEnd || chunk > kUserEnd - user) return ZX_ERR_NOT_FOUND;
    // The user bytes come a user page at a time, each straight into the VMO page.
    for (uint64_t part = 0; part < chunk;) {
      const uint64_t at = buffer + done + part;
      const uint64_t piece = std::min(chunk - part, kPage - at % kPage);
      Page* source = nullptr;
      uint64_t in_page = 0;
      if (const zx_status_t status = user_page(process, at, false, &source, &in_page);
          status != ZX_OK) {
        return status;
      }
      std::memmove(destination.data() + (position % kPage) + part, source->data() + in_page, piece);
      part += piece;
    }
    done += chunk;
  }
  return ZX_OK;
}

zx_status_t Model::vmo_read(size_t process, zx_handle_t handle, uint64_t buffer, uint64_t offset,
                            uint64_t length) {
  std::shared_ptr<Vmo> vmo;
  if (const zx_status_t status =
          read_write_target(process, handle, ZX_RIGHT_READ, offset, length, &vmo);
      status != ZX_OK) {
    return status;
  }
  for (uint64_t done = 0; done < length;) {
    const uint64_t position = offset + done;
    const uint64_t chunk = std::min(length - done, kPage - position % kPage);
    // Whether the page holds data is decided once for the chunk; reads commit nothing.
    const bool present = find(*vmo, position) != nullptr;
    const uint64_t user = buffer + done;
    if (user >= kUserEnd || chunk > kUserEnd - user) return ZX_ERR_NOT_FOUND;
    for (uint64_t part = 0; part < chunk;) {
      const uint64_t at = buffer + done + part;
      const uint64_t piece = std::min(chunk - part, kPage - at % kPage);
      Page* destination = nullptr;
      uint64_t in_page = 0;
      if (const zx_status_t status = user_page(process, at, true, &destination, &in_page);
          status != ZX_OK) {
        return status;
      }
      if (present) {
        std::memmove(destination->data() + in_page,
                     find(*vmo, position)->data() + (position % kPage) + part, piece);
      } else {
        std::memset(destination->data() + in_page, 0, piece);
      }
      part += piece;
    }
    done += chunk;
  }
  return ZX_OK;
}

zx_status_t Model::vmo_get_size(size_t process, zx_handle_t handle, uint64_t* size) {
  std::shared_ptr<Vmo> vmo;
  if (const zx_status_t status = vmo_handle(process, handle, 0, &vmo); status != ZX_OK) {
    return status;
  }
  *size = vmo->size;
  return ZX_OK;
}

zx_status_t Model::vmo_set_size(size_t process, zx_handle_t handle, uint64_t size) {
  std::shared_ptr<Vmo> vmo;
  zx_rights_t held = 0;
  if (const zx_status_t status = vmo_handle(process, handle, ZX_RIGHT_WRITE, &vmo, &held);
      status != ZX_OK) {
    return status;
  }
  if (vmo->resizable && !(held & ZX_RIGHT_RESIZE)) return ZX_ERR_ACCESS_DENIED;
  uint64_t rounded = 0;
  if (!round_up(size, &rounded)) return ZX_ERR_OUT_OF_RANGE;
  if (!vmo->resizable) return ZX_ERR_UNAVAILABLE;
  if (rounded > kMaxSize) return ZX_ERR_OUT_OF_RANGE;
  // Pages past the new end go; the tail of the last page reads zero.
  vmo->pages.erase(vmo->pages.lower_bound(rounded / kPage), vmo->pages.end());
  vmo->size = rounded;
  if (size % kPage != 0 && find(*vmo, size) != nullptr) {
    std::memset(commit(*vmo, size).data() + size % kPage, 0, kPage - size % kPage);
  }
  return ZX_OK;
}

zx_status_t Model::vmo_set_cache_policy(size_t process, zx_handle_t handle, uint32_t policy) {
  if (policy & ~ZX_CACHE_POLICY_MASK) return ZX_ERR_INVALID_ARGS;
  std::shared_ptr<Vmo> vmo;
  if (const zx_status_t status = vmo_handle(process, handle, ZX_RIGHT_MAP, &vmo); status != ZX_OK) {
    return status;
  }
  const bool has_pages = !vmo->slice_of && !vmo->pages.empty();
  if (has_pages && vmo->policy != ZX_CACHE_POLICY_CACHED) return ZX_ERR_BAD_STATE;
  if (vmo->mappings > 0 || vmo->children > 0) return ZX_ERR_BAD_STATE;
  if (vmo->slice_of || vmo->snapshot_child) return ZX_ERR_BAD_STATE;
  vmo->policy = policy;
  return ZX_OK;
}

zx_status_t Model::vmo_op_range(size_t process, zx_handle_t handle, uint32_t op, uint64_t offset,
                                uint64_t size) {
  std::shared_ptr<Vmo> vmo;
  zx_rights_t held = 0;
  if (const zx_status_t status = vmo_handle(process, handle, 0, &vmo, &held); status != ZX_OK) {
    return status;
  }
  switch (op) {
    case ZX_VMO_OP_COMMIT: {
      if (!(held & ZX_RIGHT_WRITE)) return ZX_ERR_ACCESS_DENIED;
      if (offset + size < offset) return ZX_ERR_OUT_OF_RANGE;
      uint64_t end = 0;
      if (!round_up(offset + size, &end) || end > vmo->size) return ZX_ERR_OUT_OF_RANGE;
      for (uint64_t page = offset / kPage * kPage; page < end; page += kPage)
        commit(*vmo, page);
      return ZX_OK;
    }
    case ZX_VMO_OP_DECOMMIT: {
      if (!(held & ZX_RIGHT_WRITE)) return ZX_ERR_ACCESS_DENIED;
      if (!fits(offset, size, vmo->size)) return ZX_ERR_OUT_OF_RANGE;
      Vmo& holder = owner(*vmo);
      if (holder.snapshot_child || holder.snapshot_children > 0) return ZX_ERR_NOT_SUPPORTED;
      if (offset % kPage || size % kPage) return ZX_ERR_INVALID_ARGS;
      const uint64_t first = owner_offset(*vmo, offset) / kPage;
      holder.pages.erase(holder.pages.lower_bound(first),
                         holder.pages.lower_bound(first + size / kPage));
      return ZX_OK;
    }
    case ZX_VMO_OP_ZERO: {
      if (!(held & ZX_RIGHT_WRITE)) return ZX_ERR_ACCESS_DENIED;
      if (vmo->policy != ZX_CACHE_POLICY_CACHED) return ZX_ERR_BAD_STATE;
      if (!fits(offset, size, vmo->size)) return ZX_ERR_OUT_OF_RANGE;
      // Whole pages are released (however many the range spans); partial pages that hold
      // data are zeroed in place.
      const uint64_t end = offset + size;
      const uint64_t whole_first = (offset + kPage - 1) / kPage;
      const uint64_t whole_end = end / kPage;
      auto zero_part = [&](uint64_t from, uint64_t to) {
        if (from < to && find(*vmo, from) != nullptr) {
          std::memset(commit(*vmo, from).data() + from % kPage, 0, to - from);
        }
      };
      if (whole_first > whole_end) {
        zero_part(offset, end);
      } else {
        zero_part(offset, whole_first * kPage);
        Vmo& holder = owner(*vmo);
        holder.pages.erase(
            holder.pages.lower_bound(owner_offset(*vmo, whole_first * kPage) / kPage),
            holder.pages.lower_bound(owner_offset(*vmo, whole_end * kPage) / kPage));
        zero_part(whole_end * kPage, end);
      }
      return ZX_OK;
    }
    default:
      return ZX_ERR_INVALID_ARGS;
  }
}

zx_status_t Model::vmo_create_child(size_t process, zx_handle_t handle, uint32_t options,
                                    uint64_t offset, uint64_t size, zx_handle_t* out) {
  uint64_t rounded = 0;
  if (!round_up(size, &rounded)) return ZX_ERR_OUT_OF_RANGE;
  if ((options & ZX_VMO_CHILD_NO_WRITE) && (options & ZX_VMO_CHILD_RESIZABLE)) {
    return ZX_ERR_INVALID_ARGS;
  }
  const bool no_write = options & ZX_VMO_CHILD_NO_WRITE;
  options &= ~ZX_VMO_CHILD_NO_WRITE;
  std::shared_ptr<Vmo> parent;
  zx_rights_t held = 0;
  if (const zx_status_t status =
          vmo_handle(process, handle, ZX_RIGHT_DUPLICATE | ZX_RIGHT_READ, &parent, &held);
      status != ZX_OK) {
    return status;
  }
  zx_rights_t rights = (held & ~ZX_RIGHT_RESIZE) | ZX_RIGHTS_PROPERTY |
                       ((options & ZX_VMO_CHILD_RESIZABLE) ? ZX_RIGHT_RESIZE : 0);
  auto child = std::make_shared<Vmo>();
  child->size = rounded;
  child->policy = parent->policy;
  if (options & ZX_VMO_CHILD_SLICE) {
    if (options != ZX_VMO_CHILD_SLICE) return ZX_ERR_INVALID_ARGS;
    if (offset % kPage) return ZX_ERR_INVALID_ARGS;
    if (rounded > kMaxSize) return ZX_ERR_OUT_OF_RANGE;
    if (!fits(offset, rounded, parent->size)) return ZX_ERR_INVALID_ARGS;
    if (parent->resizable) return ZX_ERR_NOT_SUPPORTED;
    if (parent->policy != ZX_CACHE_POLICY_CACHED) return ZX_ERR_BAD_STATE;
    child->slice_of = parent->slice_of ? parent->slice_of : parent;
    child->slice_offset = parent->slice_offset + offset;
    if (no_write) rights &= ~ZX_RIGHT_WRITE;
  } else if (options & ZX_VMO_CHILD_REFERENCE) {
    return (offset || size) ? ZX_ERR_INVALID_ARGS : ZX_ERR_NOT_SUPPORTED;
  } else {
    const uint32_t kinds[] = {ZX_VMO_CHILD_SNAPSHOT, ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE,
                              ZX_VMO_CHILD_SNAPSHOT_MODIFIED};
    uint32_t chosen = 0;
    for (uint32_t kind : kinds) {
      if (options & kind) {
        chosen = kind;
        break;
      }
    }
    if (chosen == 0) return ZX_ERR_INVALID_ARGS;
    options &= ~chosen;
    if (options & ~ZX_VMO_CHILD_RESIZABLE) return ZX_ERR_INVALID_ARGS;
    if (offset % kPage) return ZX_ERR_INVALID_ARGS;
    if (rounded > kMaxSize) return ZX_ERR_OUT_OF_RANGE;
    if (offset + rounded < offset) return ZX_ERR_OUT_OF_RANGE;
    if (parent->policy != ZX_CACHE_POLICY_CACHED) return ZX_ERR_BAD_STATE;
    // A snapshot is an eager copy of the parent's bytes in range.
    child->resizable = (options & ZX_VMO_CHILD_RESIZABLE) != 0;
    child->snapshot_child = true;
    // (Only the parent's pages holding data are visited: the range may span terabytes.)
    Vmo& holder = owner(*parent);
    const uint64_t limit = std::min(parent->size, offset + rounded);
    if (offset < limit) {
      const uint64_t first = owner_offset(*parent, offset) / kPage;
      const uint64_t end = owner_offset(*parent, limit) / kPage;
      for (auto it = holder.pages.lower_bound(first); it != holder.pages.end() && it->first < end;
           ++it) {
        child->pages[it->first - first] = it->second;
      }
    }
    rights =
        no_write ? (rights & ~ZX_RIGHT_WRITE) : ((rights & ~ZX_RIGHT_EXECUTE) | ZX_RIGHT_WRITE);
  }
  // Counted only now: a refused child never existed.
  child->parent = parent;
  ++parent->children;
  if (child->snapshot_child) ++parent->snapshot_children;
  auto object = std::make_shared<Object>();
  object->vmo = child;
  *out = add_handle(process, object, rights);
  return ZX_OK;
}

zx_status_t Model::handle_duplicate(size_t process, zx_handle_t handle, zx_rights_t rights,
                                    zx_handle_t* out) {
  auto& handles = processes_[process].handles;
  const auto it = handles.find(handle);
  if (it == handles.end()) return ZX_ERR_BAD_HANDLE;
  if (!(it->second.rights & ZX_RIGHT_DUPLICATE)) return ZX_ERR_ACCESS_DENIED;
  const HandleEntry source = it->second;
  if (rights == ZX_RIGHT_SAME_RIGHTS) rights = source.rights;
  if (rights & ~source.rights) return ZX_ERR_INVALID_ARGS;
  *out = add_handle(process, source.object, rights);
  return ZX_OK;
}

zx_status_t Model::handle_close(size_t process, zx_handle_t handle) {
  if (handle == ZX_HANDLE_INVALID) return ZX_OK;
  return processes_[process].handles.erase(handle) ? ZX_OK : ZX_ERR_BAD_HANDLE;
}

zx_status_t Model::vmar_map(size_t process, uint32_t options, zx_handle_t vmo_handle,
                            uint64_t vmo_offset, uint64_t length, uint64_t* address) {
  auto& handles = processes_[process].handles;
  const auto it = handles.find(vmo_handle);
  if (it == handles.end()) return ZX_ERR_BAD_HANDLE;
  if (it->second.object->is_vmar) return ZX_ERR_WRONG_TYPE;
  const zx_rights_t rights = it->second.rights;
  if (!(rights & ZX_RIGHT_MAP)) return ZX_ERR_ACCESS_DENIED;
  // Only PERM_READ and PERM_WRITE reach here (the fuzzer's choice), on the root VMAR.
  if ((options & ZX_VM_PERM_WRITE) && !(options & ZX_VM_PERM_READ)) return ZX_ERR_INVALID_ARGS;
  if ((options & ZX_VM_PERM_READ) && !(rights & ZX_RIGHT_READ)) return ZX_ERR_ACCESS_DENIED;
  if ((options & ZX_VM_PERM_WRITE) && !(rights & ZX_RIGHT_WRITE)) return ZX_ERR_ACCESS_DENIED;
  if (vmo_offset % kPage) return ZX_ERR_INVALID_ARGS;
  uint64_t size = 0;
  if (!round_up(length, &size)) return ZX_ERR_OUT_OF_RANGE;
  if (vmo_offset + size < vmo_offset) return ZX_ERR_OUT_OF_RANGE;
  if (size == 0) return ZX_ERR_INVALID_ARGS;
  if (size > kVmarEnd - kVmarBase) return ZX_ERR_INVALID_ARGS;
  // The lowest address where it fits.
  auto& mappings = processes_[process].mappings;
  uint64_t base = kVmarBase;
  for (const auto& [start, mapping] : mappings) {
    if (base + size <= start) break;
    base = std::max(base, start + mapping.size);
  }
  if (base > kVmarEnd || size > kVmarEnd - base) return ZX_ERR_NO_RESOURCES;
  mappings[base] = Mapping{size, it->second.object->vmo, vmo_offset,
                           options & (ZX_VM_PERM_READ | ZX_VM_PERM_WRITE)};
  ++it->second.object->vmo->mappings;
  *address = base;
  return ZX_OK;
}

zx_status_t Model::vmar_unmap(size_t process, uint64_t address, uint64_t length) {
  uint64_t size = 0;
  if (!round_up(length, &size) || size == 0 || address % kPage) return ZX_ERR_INVALID_ARGS;
  if (address < kVmarBase || address >= kVmarEnd || size > kVmarEnd - address) {
    return ZX_ERR_INVALID_ARGS;
  }
  auto& mappings = processes_[process].mappings;
  const uint64_t end = address + size;
  std::map<uint64_t, Mapping> kept;
  for (auto& [start, mapping] : mappings) {
    const uint64_t stop = start + mapping.size;
    if (stop <= address || start >= end) {
      kept.emplace(start, mapping);
      continue;
    }
    --mapping.vmo->mappings;
    if (start < address) {
      kept.emplace(start,
                   Mapping{address - start, mapping.vmo, mapping.vmo_offset, mapping.permissions});
      ++mapping.vmo->mappings;
    }
    if (end < stop) {
      kept.emplace(end, Mapping{stop - end, mapping.vmo, mapping.vmo_offset + (end - start),
                                mapping.permissions});
      ++mapping.vmo->mappings;
    }
  }
  mappings = std::move(kept);
  return ZX_OK;
}

zx_status_t Model::store(size_t process, uint64_t address, const uint8_t* data, uint64_t length) {
  return user_access(process, address, const_cast<uint8_t*>(data), length, true);
}

zx_status_t Model::load(size_t process, uint64_t address, uint8_t* data, uint64_t length) {
  return user_access(process, address, data, length, false);
}

}  // namespace zxvp::reference
