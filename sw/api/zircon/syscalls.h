#pragma once

// The Zircon system calls that zxvp's kernel model serves, with Zircon's names, types and
// signatures, for host-compiled user programs running on the simulated core (started with
// System::start_user_thread). Data buffers (`buffer`) are virtual addresses of the calling
// process; out-parameters are ordinary host pointers of the program.

#include "sw/api/zircon/types.h"

zx_handle_t zx_vmar_root_self();

zx_status_t zx_vmo_create(uint64_t size, uint32_t options, zx_handle_t* out);
zx_status_t zx_vmo_read(zx_handle_t handle, void* buffer, uint64_t offset, size_t buffer_size);
zx_status_t zx_vmo_write(zx_handle_t handle, const void* buffer, uint64_t offset,
                         size_t buffer_size);
zx_status_t zx_vmo_get_size(zx_handle_t handle, uint64_t* size);
zx_status_t zx_vmo_set_size(zx_handle_t handle, uint64_t size);
zx_status_t zx_vmo_set_cache_policy(zx_handle_t handle, uint32_t cache_policy);
zx_status_t zx_vmo_op_range(zx_handle_t handle, uint32_t op, uint64_t offset, uint64_t size,
                            void* buffer, size_t buffer_size);
zx_status_t zx_vmo_create_child(zx_handle_t handle, uint32_t options, uint64_t offset,
                                uint64_t size, zx_handle_t* out);
zx_status_t zx_handle_duplicate(zx_handle_t handle, zx_rights_t rights, zx_handle_t* out);
zx_status_t zx_handle_replace(zx_handle_t handle, zx_rights_t rights, zx_handle_t* out);
zx_status_t zx_handle_close(zx_handle_t handle);
zx_status_t zx_vmar_map(zx_handle_t handle, zx_vm_option_t options, uint64_t vmar_offset,
                        zx_handle_t vmo, uint64_t vmo_offset, uint64_t len,
                        zx_vaddr_t* mapped_addr);
zx_status_t zx_vmar_unmap(zx_handle_t handle, zx_vaddr_t addr, uint64_t len);
zx_status_t zx_vmar_protect(zx_handle_t handle, zx_vm_option_t options, zx_vaddr_t addr,
                            uint64_t len);

namespace zxvp {

// What a user program's own loads and stores do: `address` is a virtual address of the calling
// process; a fault the kernel cannot serve comes back as its status (NOT_FOUND, ACCESS_DENIED,
// OUT_OF_RANGE, NO_MEMORY).
zx_status_t user_load(zx_vaddr_t address, void* data, size_t length);
zx_status_t user_store(zx_vaddr_t address, const void* data, size_t length);

}  // namespace zxvp
