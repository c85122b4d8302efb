#pragma once

#include <cstdint>
#include <memory>
#include <unordered_map>
#include <utility>
#include <vector>

#include "sw/api/zircon/types.h"
#include "sw/kernel/kernel_object.h"

namespace zxvp {

struct Handle {
  std::shared_ptr<KernelObject> object;
  zx_rights_t rights = ZX_RIGHT_NONE;
};

// A process's handles. A handle value is Zircon's encoding: the handle's id shifted left by two
// with the two low bits set, XORed with this table's secret (whose two low bits are zero), so a
// value is only meaningful in the table that made it: one from another process does not decode
// to a handle here and is ZX_ERR_BAD_HANDLE.
class HandleTable {
 public:
  // `next_id` is shared by every table of a kernel: ids are unique across its processes, like
  // the slots of Zircon's handle arena.
  HandleTable(uint32_t secret, uint32_t& next_id);

  zx_handle_t add(std::shared_ptr<KernelObject> object, zx_rights_t rights);
  // The handle behind `value`, or null (bad low bits, unknown, or another table's value).
  Handle* find(zx_handle_t value);
  // Removes the handle; returns false when `value` names none.
  bool remove(zx_handle_t value);

  size_t size() const { return handles_.size(); }
  // Every handle with its value, in id order (for a debugger's listing).
  std::vector<std::pair<zx_handle_t, const Handle*>> list() const;
  uint32_t secret() const { return secret_; }
  void clear() { handles_.clear(); }

 private:
  uint32_t secret_;
  uint32_t& next_id_;
  std::unordered_map<uint32_t, Handle> handles_;  // by id
};

}  // namespace zxvp
