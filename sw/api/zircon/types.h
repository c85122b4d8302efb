#pragma once

// Zircon's types and constants (zircon/types.h, limits.h and the option values of the calls),
// with Zircon's names and values: the one definition that the kernel model, host programs and
// guest programs (the SDK's <zircon/types.h>) all include. C and C++.

#include <stddef.h>
#include <stdint.h>

// C and C++ read these: typedef, not using.
// NOLINTBEGIN(modernize-use-using)
typedef int32_t zx_status_t;
typedef uint32_t zx_handle_t;
typedef uint32_t zx_rights_t;
typedef uint32_t zx_obj_type_t;
typedef uint64_t zx_vaddr_t;
typedef uint32_t zx_vm_option_t;
typedef uint64_t zx_koid_t;
typedef int64_t zx_time_t;
typedef int64_t zx_duration_t;
typedef int64_t zx_ticks_t;
// NOLINTEND(modernize-use-using)

#include "errors.h"
#include "rights.h"

// Object types.
#define ZX_OBJ_TYPE_NONE ((zx_obj_type_t)0u)
#define ZX_OBJ_TYPE_PROCESS ((zx_obj_type_t)1u)
#define ZX_OBJ_TYPE_THREAD ((zx_obj_type_t)2u)
#define ZX_OBJ_TYPE_VMO ((zx_obj_type_t)3u)
#define ZX_OBJ_TYPE_VMAR ((zx_obj_type_t)18u)

#define ZX_HANDLE_INVALID ((zx_handle_t)0)
#define ZX_HANDLE_FIXED_BITS_MASK ((zx_handle_t)0x3)

// Pages.
#define ZX_PAGE_SHIFT ((uint64_t)12u)
#define ZX_PAGE_SIZE ((uint64_t)1u << ZX_PAGE_SHIFT)
#define ZX_PAGE_MASK (ZX_PAGE_SIZE - 1u)
#define ZX_MAX_NAME_LEN ((uint32_t)32u)

// Cache policies.
#define ZX_CACHE_POLICY_CACHED ((uint32_t)0u)
#define ZX_CACHE_POLICY_UNCACHED ((uint32_t)1u)
#define ZX_CACHE_POLICY_UNCACHED_DEVICE ((uint32_t)2u)
#define ZX_CACHE_POLICY_WRITE_COMBINING ((uint32_t)3u)
#define ZX_CACHE_POLICY_MASK ((uint32_t)3u)

// zx_vmo_create options.
#define ZX_VMO_RESIZABLE ((uint32_t)1u << 1)
#define ZX_VMO_DISCARDABLE ((uint32_t)1u << 2)
#define ZX_VMO_TRAP_DIRTY ((uint32_t)1u << 3)
#define ZX_VMO_UNBOUNDED ((uint32_t)1u << 4)

// zx_vmo_create_child options.
#define ZX_VMO_CHILD_SNAPSHOT ((uint32_t)1u << 0)
#define ZX_VMO_CHILD_RESIZABLE ((uint32_t)1u << 2)
#define ZX_VMO_CHILD_SLICE ((uint32_t)1u << 3)
#define ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE ((uint32_t)1u << 4)
#define ZX_VMO_CHILD_NO_WRITE ((uint32_t)1u << 5)
#define ZX_VMO_CHILD_REFERENCE ((uint32_t)1u << 6)
#define ZX_VMO_CHILD_SNAPSHOT_MODIFIED ((uint32_t)1u << 7)

// zx_vmo_op_range ops.
#define ZX_VMO_OP_COMMIT ((uint32_t)1u)
#define ZX_VMO_OP_DECOMMIT ((uint32_t)2u)
#define ZX_VMO_OP_LOCK ((uint32_t)3u)
#define ZX_VMO_OP_UNLOCK ((uint32_t)4u)
#define ZX_VMO_OP_CACHE_SYNC ((uint32_t)6u)
#define ZX_VMO_OP_CACHE_INVALIDATE ((uint32_t)7u)
#define ZX_VMO_OP_CACHE_CLEAN ((uint32_t)8u)
#define ZX_VMO_OP_CACHE_CLEAN_INVALIDATE ((uint32_t)9u)
#define ZX_VMO_OP_ZERO ((uint32_t)10u)
#define ZX_VMO_OP_TRY_LOCK ((uint32_t)11u)
#define ZX_VMO_OP_DONT_NEED ((uint32_t)12u)
#define ZX_VMO_OP_ALWAYS_NEED ((uint32_t)13u)
#define ZX_VMO_OP_PREFETCH ((uint32_t)14u)

#define ZX_VMO_ZERO_CHILDREN ((uint32_t)1u << 3)

// zx_vmar_map and zx_vmar_protect options.
#define ZX_VM_PERM_READ ((zx_vm_option_t)1u << 0)
#define ZX_VM_PERM_WRITE ((zx_vm_option_t)1u << 1)
#define ZX_VM_PERM_EXECUTE ((zx_vm_option_t)1u << 2)
#define ZX_VM_COMPACT ((zx_vm_option_t)1u << 3)
#define ZX_VM_SPECIFIC ((zx_vm_option_t)1u << 4)
#define ZX_VM_SPECIFIC_OVERWRITE ((zx_vm_option_t)1u << 5)
#define ZX_VM_CAN_MAP_SPECIFIC ((zx_vm_option_t)1u << 6)
#define ZX_VM_CAN_MAP_READ ((zx_vm_option_t)1u << 7)
#define ZX_VM_CAN_MAP_WRITE ((zx_vm_option_t)1u << 8)
#define ZX_VM_CAN_MAP_EXECUTE ((zx_vm_option_t)1u << 9)
#define ZX_VM_MAP_RANGE ((zx_vm_option_t)1u << 10)
#define ZX_VM_REQUIRE_NON_RESIZABLE ((zx_vm_option_t)1u << 11)
#define ZX_VM_ALLOW_FAULTS ((zx_vm_option_t)1u << 12)
#define ZX_VM_OFFSET_IS_UPPER_LIMIT ((zx_vm_option_t)1u << 13)
#define ZX_VM_PERM_READ_IF_XOM_UNSUPPORTED ((zx_vm_option_t)1u << 14)
#define ZX_VM_FAULT_BEYOND_STREAM_SIZE ((zx_vm_option_t)1u << 15)
#define ZX_VM_ALIGN_BASE 24u
#define ZX_VM_ALIGN_MASK ((zx_vm_option_t)0xFFu << ZX_VM_ALIGN_BASE)

// The return code of a process the kernel ended because of an exception nobody handled
// (zircon/syscalls/object.h): what zxvp gives a guest killed by a fault.
#define ZX_TASK_RETCODE_EXCEPTION_KILL ((int64_t)-1028)
