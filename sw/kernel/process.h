#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "sw/kernel/handle_table.h"
#include "sw/kernel/vm_address_region.h"

namespace zxvp {

// A user process: a name, a handle table and an address space (its root VMAR, whose handle it
// holds from the start, as zx_vmar_root_self() gives it).
class Process {
 public:
  Process(std::string name, zx_koid_t koid, uint16_t asid, uint32_t handle_secret,
          uint32_t& next_handle_id, std::shared_ptr<VmAddressRegion> root_vmar);

  const std::string& name() const { return name_; }
  // Its kernel object id: unique for the kernel's lifetime, never reused (a name is not unique,
  // an address-space id is reused), so that callers outside the kernel can name it safely.
  zx_koid_t koid() const { return koid_; }
  uint16_t asid() const { return asid_; }
  HandleTable& handles() { return handles_; }
  VmAddressRegion& root_vmar() { return *root_vmar_; }
  const VmAddressRegion& root_vmar() const { return *root_vmar_; }
  zx_handle_t root_vmar_handle() const { return root_vmar_handle_; }

 private:
  std::string name_;
  zx_koid_t koid_;
  uint16_t asid_;
  std::shared_ptr<VmAddressRegion> root_vmar_;
  HandleTable handles_;
  zx_handle_t root_vmar_handle_;
};

}  // namespace zxvp
