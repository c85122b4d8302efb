#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "sw/api/zircon/types.h"

namespace zxvp::reference {

// An independent model of Zircon's VMO semantics (zircon-vmo.md), written from the
// specification with plain containers: bytes in page-sized arrays, no page tables, no hardware,
// no timing. The fuzzer runs every operation on it and on the kernel model and compares.
class Model {
 public:
  static constexpr uint64_t kPage = 4096;
  static constexpr uint64_t kMaxSize = 0xFFFF'FFFF'FFFE'0000;
  static constexpr size_t kProcesses = 3;

  Model();

  zx_handle_t root_vmar(size_t process) const { return processes_[process].root_vmar; }

  zx_status_t vmo_create(size_t process, uint64_t size, uint32_t options, zx_handle_t* out);
  zx_status_t vmo_write(size_t process, zx_handle_t handle, uint64_t buffer, uint64_t offset,
                        uint64_t length);
  zx_status_t vmo_read(size_t process, zx_handle_t handle, uint64_t buffer, uint64_t offset,
                       uint64_t length);
  zx_status_t vmo_get_size(size_t process, zx_handle_t handle, uint64_t* size);
  zx_status_t vmo_set_size(size_t process, zx_handle_t handle, uint64_t size);
  zx_status_t vmo_set_cache_policy(size_t process, zx_handle_t handle, uint32_t policy);
  zx_status_t vmo_op_range(size_t process, zx_handle_t handle, uint32_t op, uint64_t offset,
                           uint64_t size);
  zx_status_t vmo_create_child(size_t process, zx_handle_t handle, uint32_t options,
                               uint64_t offset, uint64_t size, zx_handle_t* out);
  zx_status_t handle_duplicate(size_t process, zx_handle_t handle, zx_rights_t rights,
                               zx_handle_t* out);
  zx_status_t handle_close(size_t process, zx_handle_t handle);
  zx_status_t vmar_map(size_t process, uint32_t options, zx_handle_t vmo, uint64_t vmo_offset,
                       uint64_t length, uint64_t* address);
  zx_status_t vmar_unmap(size_t process, uint64_t address, uint64_t length);
  zx_status_t store(size_t process, uint64_t address, const uint8_t* data, uint64_t length);
  zx_status_t load(size_t process, uint64_t address, uint8_t* data, uint64_t length);

 private:
  struct Vmo;
  using Page = std::array<uint8_t, kPage>;

  struct Vmo {
    uint64_t size = 0;
    bool resizable = false;
    uint32_t policy = ZX_CACHE_POLICY_CACHED;
    std::map<uint64_t, Page> pages;  // the page owner's bytes, by page index
    std::shared_ptr<Vmo> slice_of;   // a slice reads and writes its owner's pages
    uint64_t slice_offset = 0;
    std::weak_ptr<Vmo> parent;
    bool snapshot_child = false;
    int children = 0;
    int snapshot_children = 0;
    int mappings = 0;
    ~Vmo();
  };
  struct Object {
    bool is_vmar = false;
    std::shared_ptr<Vmo> vmo;
  };
  struct HandleEntry {
    std::shared_ptr<Object> object;
    zx_rights_t rights;
  };
  struct Mapping {
    uint64_t size;
    std::shared_ptr<Vmo> vmo;
    uint64_t vmo_offset;
    uint32_t permissions;
  };
  struct Process {
    std::map<zx_handle_t, HandleEntry> handles;
    std::map<uint64_t, Mapping> mappings;  // by base
    zx_handle_t root_vmar = 0;
    uint32_t next_id = 0;
  };

  zx_handle_t add_handle(size_t process, std::shared_ptr<Object> object, zx_rights_t rights);
  zx_status_t vmo_handle(size_t process, zx_handle_t handle, zx_rights_t rights,
                         std::shared_ptr<Vmo>* vmo, zx_rights_t* held = nullptr);
  // The checks vmo_read and vmo_write share, in Zircon's order: handle, wrap, policy, size.
  zx_status_t read_write_target(size_t process, zx_handle_t handle, zx_rights_t rights,
                                uint64_t offset, uint64_t length, std::shared_ptr<Vmo>* vmo);
  static Vmo& owner(Vmo& vmo) { return vmo.slice_of ? *vmo.slice_of : vmo; }
  static uint64_t owner_offset(const Vmo& vmo, uint64_t offset) {
    return offset + vmo.slice_offset;
  }
  static Page& commit(Vmo& vmo, uint64_t offset);  // the page, zero-filled if absent
  static const Page* find(Vmo& vmo, uint64_t offset);
  // User memory: one page piece at a time, in address order, faults as the kernel reports them.
  zx_status_t user_access(size_t process, uint64_t address, uint8_t* data, uint64_t length,
                          bool write);
  zx_status_t user_page(size_t process, uint64_t address, bool write, Page** page,
                        uint64_t* in_page);

  std::array<Process, kProcesses> processes_;
};

}  // namespace zxvp::reference
