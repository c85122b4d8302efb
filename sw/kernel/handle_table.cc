#include "sw/kernel/handle_table.h"

#include <algorithm>

namespace zxvp {

HandleTable::HandleTable(uint32_t secret, uint32_t& next_id)
    : secret_(secret & ~ZX_HANDLE_FIXED_BITS_MASK), next_id_(next_id) {}

zx_handle_t HandleTable::add(std::shared_ptr<KernelObject> object, zx_rights_t rights) {
  const uint32_t id = next_id_++ & 0x3FFF'FFFF;
  handles_[id] = Handle{std::move(object), rights};
  return ((id << 2) | ZX_HANDLE_FIXED_BITS_MASK) ^ secret_;
}

Handle* HandleTable::find(zx_handle_t value) {
  if ((value & ZX_HANDLE_FIXED_BITS_MASK) != ZX_HANDLE_FIXED_BITS_MASK) return nullptr;
  const auto it = handles_.find((value ^ secret_) >> 2);
  return it == handles_.end() ? nullptr : &it->second;
}

bool HandleTable::remove(zx_handle_t value) {
  if ((value & ZX_HANDLE_FIXED_BITS_MASK) != ZX_HANDLE_FIXED_BITS_MASK) return false;
  return handles_.erase((value ^ secret_) >> 2) != 0;
}

std::vector<std::pair<zx_handle_t, const Handle*>> HandleTable::list() const {
  std::vector<std::pair<zx_handle_t, const Handle*>> handles;
  for (const auto& [id, handle] : handles_)
    handles.emplace_back(((id << 2) | ZX_HANDLE_FIXED_BITS_MASK) ^ secret_, &handle);
  std::sort(handles.begin(), handles.end(), [this](const auto& a, const auto& b) {
    return (a.first ^ secret_) < (b.first ^ secret_);
  });
  return handles;
}

}  // namespace zxvp
