#pragma once

// Zircon's types and constants, with Zircon's names and values (zircon/errors.h, rights.h,
// types.h, limits.h), for the kernel model and for user programs that run on zxvp.

#include <cstddef>
#include <cstdint>

using zx_status_t = int32_t;
using zx_handle_t = uint32_t;
using zx_rights_t = uint32_t;
using zx_obj_type_t = uint32_t;
using zx_vaddr_t = uint64_t;
using zx_vm_option_t = uint32_t;
using zx_koid_t = uint64_t;

// Statuses.
inline constexpr zx_status_t ZX_OK = 0;
inline constexpr zx_status_t ZX_ERR_INTERNAL = -1;
inline constexpr zx_status_t ZX_ERR_NOT_SUPPORTED = -2;
inline constexpr zx_status_t ZX_ERR_NO_RESOURCES = -3;
inline constexpr zx_status_t ZX_ERR_NO_MEMORY = -4;
inline constexpr zx_status_t ZX_ERR_INTERNAL_INTR_RETRY = -6;
inline constexpr zx_status_t ZX_ERR_INVALID_ARGS = -10;
inline constexpr zx_status_t ZX_ERR_BAD_HANDLE = -11;
inline constexpr zx_status_t ZX_ERR_WRONG_TYPE = -12;
inline constexpr zx_status_t ZX_ERR_BAD_SYSCALL = -13;
inline constexpr zx_status_t ZX_ERR_OUT_OF_RANGE = -14;
inline constexpr zx_status_t ZX_ERR_BUFFER_TOO_SMALL = -15;
inline constexpr zx_status_t ZX_ERR_BAD_STATE = -20;
inline constexpr zx_status_t ZX_ERR_TIMED_OUT = -21;
inline constexpr zx_status_t ZX_ERR_SHOULD_WAIT = -22;
inline constexpr zx_status_t ZX_ERR_CANCELED = -23;
inline constexpr zx_status_t ZX_ERR_PEER_CLOSED = -24;
inline constexpr zx_status_t ZX_ERR_NOT_FOUND = -25;
inline constexpr zx_status_t ZX_ERR_ALREADY_EXISTS = -26;
inline constexpr zx_status_t ZX_ERR_ALREADY_BOUND = -27;
inline constexpr zx_status_t ZX_ERR_UNAVAILABLE = -28;
inline constexpr zx_status_t ZX_ERR_ACCESS_DENIED = -30;
inline constexpr zx_status_t ZX_ERR_IO = -40;
inline constexpr zx_status_t ZX_ERR_IO_REFUSED = -41;
inline constexpr zx_status_t ZX_ERR_IO_DATA_INTEGRITY = -42;
inline constexpr zx_status_t ZX_ERR_IO_DATA_LOSS = -43;
inline constexpr zx_status_t ZX_ERR_IO_NOT_PRESENT = -44;
inline constexpr zx_status_t ZX_ERR_IO_OVERRUN = -45;
inline constexpr zx_status_t ZX_ERR_IO_MISSED_DEADLINE = -46;
inline constexpr zx_status_t ZX_ERR_IO_INVALID = -47;
inline constexpr zx_status_t ZX_ERR_BAD_PATH = -50;
inline constexpr zx_status_t ZX_ERR_NOT_DIR = -51;
inline constexpr zx_status_t ZX_ERR_NOT_FILE = -52;
inline constexpr zx_status_t ZX_ERR_FILE_BIG = -53;
inline constexpr zx_status_t ZX_ERR_NO_SPACE = -54;
inline constexpr zx_status_t ZX_ERR_NOT_EMPTY = -55;
inline constexpr zx_status_t ZX_ERR_STOP = -60;
inline constexpr zx_status_t ZX_ERR_NEXT = -61;
inline constexpr zx_status_t ZX_ERR_ASYNC = -62;
inline constexpr zx_status_t ZX_ERR_PROTOCOL_NOT_SUPPORTED = -70;
inline constexpr zx_status_t ZX_ERR_ADDRESS_UNREACHABLE = -71;
inline constexpr zx_status_t ZX_ERR_ADDRESS_IN_USE = -72;
inline constexpr zx_status_t ZX_ERR_NOT_CONNECTED = -73;
inline constexpr zx_status_t ZX_ERR_CONNECTION_REFUSED = -74;
inline constexpr zx_status_t ZX_ERR_CONNECTION_RESET = -75;
inline constexpr zx_status_t ZX_ERR_CONNECTION_ABORTED = -76;
inline constexpr zx_status_t ZX_ERR_INTERNAL_INTR_KILLED = -502;

// Rights.
inline constexpr zx_rights_t ZX_RIGHT_NONE = 0;
inline constexpr zx_rights_t ZX_RIGHT_DUPLICATE = 1u << 0;
inline constexpr zx_rights_t ZX_RIGHT_TRANSFER = 1u << 1;
inline constexpr zx_rights_t ZX_RIGHT_READ = 1u << 2;
inline constexpr zx_rights_t ZX_RIGHT_WRITE = 1u << 3;
inline constexpr zx_rights_t ZX_RIGHT_EXECUTE = 1u << 4;
inline constexpr zx_rights_t ZX_RIGHT_MAP = 1u << 5;
inline constexpr zx_rights_t ZX_RIGHT_GET_PROPERTY = 1u << 6;
inline constexpr zx_rights_t ZX_RIGHT_SET_PROPERTY = 1u << 7;
inline constexpr zx_rights_t ZX_RIGHT_ENUMERATE = 1u << 8;
inline constexpr zx_rights_t ZX_RIGHT_DESTROY = 1u << 9;
inline constexpr zx_rights_t ZX_RIGHT_SET_POLICY = 1u << 10;
inline constexpr zx_rights_t ZX_RIGHT_GET_POLICY = 1u << 11;
inline constexpr zx_rights_t ZX_RIGHT_SIGNAL = 1u << 12;
inline constexpr zx_rights_t ZX_RIGHT_SIGNAL_PEER = 1u << 13;
inline constexpr zx_rights_t ZX_RIGHT_WAIT = 1u << 14;
inline constexpr zx_rights_t ZX_RIGHT_INSPECT = 1u << 15;
inline constexpr zx_rights_t ZX_RIGHT_MANAGE_JOB = 1u << 16;
inline constexpr zx_rights_t ZX_RIGHT_MANAGE_PROCESS = 1u << 17;
inline constexpr zx_rights_t ZX_RIGHT_MANAGE_THREAD = 1u << 18;
inline constexpr zx_rights_t ZX_RIGHT_APPLY_PROFILE = 1u << 19;
inline constexpr zx_rights_t ZX_RIGHT_MANAGE_SOCKET = 1u << 20;
inline constexpr zx_rights_t ZX_RIGHT_OP_CHILDREN = 1u << 21;
inline constexpr zx_rights_t ZX_RIGHT_RESIZE = 1u << 22;
inline constexpr zx_rights_t ZX_RIGHT_ATTACH_VMO = 1u << 23;
inline constexpr zx_rights_t ZX_RIGHT_MANAGE_VMO = 1u << 24;
inline constexpr zx_rights_t ZX_RIGHT_SAME_RIGHTS = 1u << 31;

inline constexpr zx_rights_t ZX_RIGHTS_BASIC =
    ZX_RIGHT_TRANSFER | ZX_RIGHT_DUPLICATE | ZX_RIGHT_WAIT | ZX_RIGHT_INSPECT;
inline constexpr zx_rights_t ZX_RIGHTS_IO = ZX_RIGHT_READ | ZX_RIGHT_WRITE;
inline constexpr zx_rights_t ZX_RIGHTS_PROPERTY = ZX_RIGHT_GET_PROPERTY | ZX_RIGHT_SET_PROPERTY;
inline constexpr zx_rights_t ZX_DEFAULT_VMO_RIGHTS =
    ZX_RIGHTS_BASIC | ZX_RIGHTS_IO | ZX_RIGHTS_PROPERTY | ZX_RIGHT_MAP | ZX_RIGHT_SIGNAL;
inline constexpr zx_rights_t ZX_DEFAULT_VMAR_RIGHTS =
    (ZX_RIGHTS_BASIC & ~ZX_RIGHT_WAIT) | ZX_RIGHT_OP_CHILDREN;

// Object types.
inline constexpr zx_obj_type_t ZX_OBJ_TYPE_NONE = 0;
inline constexpr zx_obj_type_t ZX_OBJ_TYPE_PROCESS = 1;
inline constexpr zx_obj_type_t ZX_OBJ_TYPE_THREAD = 2;
inline constexpr zx_obj_type_t ZX_OBJ_TYPE_VMO = 3;
inline constexpr zx_obj_type_t ZX_OBJ_TYPE_VMAR = 18;

inline constexpr zx_handle_t ZX_HANDLE_INVALID = 0;
inline constexpr zx_handle_t ZX_HANDLE_FIXED_BITS_MASK = 0x3;

// Pages.
inline constexpr uint64_t ZX_PAGE_SHIFT = 12;
inline constexpr uint64_t ZX_PAGE_SIZE = 4096;
inline constexpr uint64_t ZX_PAGE_MASK = ZX_PAGE_SIZE - 1;
inline constexpr uint32_t ZX_MAX_NAME_LEN = 32;

// Cache policies.
inline constexpr uint32_t ZX_CACHE_POLICY_CACHED = 0;
inline constexpr uint32_t ZX_CACHE_POLICY_UNCACHED = 1;
inline constexpr uint32_t ZX_CACHE_POLICY_UNCACHED_DEVICE = 2;
inline constexpr uint32_t ZX_CACHE_POLICY_WRITE_COMBINING = 3;
inline constexpr uint32_t ZX_CACHE_POLICY_MASK = 3;

// zx_vmo_create options.
inline constexpr uint32_t ZX_VMO_RESIZABLE = 1u << 1;
inline constexpr uint32_t ZX_VMO_DISCARDABLE = 1u << 2;
inline constexpr uint32_t ZX_VMO_TRAP_DIRTY = 1u << 3;
inline constexpr uint32_t ZX_VMO_UNBOUNDED = 1u << 4;

// zx_vmo_create_child options.
inline constexpr uint32_t ZX_VMO_CHILD_SNAPSHOT = 1u << 0;
inline constexpr uint32_t ZX_VMO_CHILD_RESIZABLE = 1u << 2;
inline constexpr uint32_t ZX_VMO_CHILD_SLICE = 1u << 3;
inline constexpr uint32_t ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE = 1u << 4;
inline constexpr uint32_t ZX_VMO_CHILD_NO_WRITE = 1u << 5;
inline constexpr uint32_t ZX_VMO_CHILD_REFERENCE = 1u << 6;
inline constexpr uint32_t ZX_VMO_CHILD_SNAPSHOT_MODIFIED = 1u << 7;

// zx_vmo_op_range ops.
inline constexpr uint32_t ZX_VMO_OP_COMMIT = 1;
inline constexpr uint32_t ZX_VMO_OP_DECOMMIT = 2;
inline constexpr uint32_t ZX_VMO_OP_LOCK = 3;
inline constexpr uint32_t ZX_VMO_OP_UNLOCK = 4;
inline constexpr uint32_t ZX_VMO_OP_CACHE_SYNC = 6;
inline constexpr uint32_t ZX_VMO_OP_CACHE_INVALIDATE = 7;
inline constexpr uint32_t ZX_VMO_OP_CACHE_CLEAN = 8;
inline constexpr uint32_t ZX_VMO_OP_CACHE_CLEAN_INVALIDATE = 9;
inline constexpr uint32_t ZX_VMO_OP_ZERO = 10;
inline constexpr uint32_t ZX_VMO_OP_TRY_LOCK = 11;
inline constexpr uint32_t ZX_VMO_OP_DONT_NEED = 12;
inline constexpr uint32_t ZX_VMO_OP_ALWAYS_NEED = 13;
inline constexpr uint32_t ZX_VMO_OP_PREFETCH = 14;

inline constexpr uint32_t ZX_VMO_ZERO_CHILDREN = 1u << 3;

// zx_vmar_map / zx_vmar_protect options.
inline constexpr zx_vm_option_t ZX_VM_PERM_READ = 1u << 0;
inline constexpr zx_vm_option_t ZX_VM_PERM_WRITE = 1u << 1;
inline constexpr zx_vm_option_t ZX_VM_PERM_EXECUTE = 1u << 2;
inline constexpr zx_vm_option_t ZX_VM_COMPACT = 1u << 3;
inline constexpr zx_vm_option_t ZX_VM_SPECIFIC = 1u << 4;
inline constexpr zx_vm_option_t ZX_VM_SPECIFIC_OVERWRITE = 1u << 5;
inline constexpr zx_vm_option_t ZX_VM_CAN_MAP_SPECIFIC = 1u << 6;
inline constexpr zx_vm_option_t ZX_VM_CAN_MAP_READ = 1u << 7;
inline constexpr zx_vm_option_t ZX_VM_CAN_MAP_WRITE = 1u << 8;
inline constexpr zx_vm_option_t ZX_VM_CAN_MAP_EXECUTE = 1u << 9;
inline constexpr zx_vm_option_t ZX_VM_MAP_RANGE = 1u << 10;
inline constexpr zx_vm_option_t ZX_VM_REQUIRE_NON_RESIZABLE = 1u << 11;
inline constexpr zx_vm_option_t ZX_VM_ALLOW_FAULTS = 1u << 12;
inline constexpr zx_vm_option_t ZX_VM_OFFSET_IS_UPPER_LIMIT = 1u << 13;
inline constexpr zx_vm_option_t ZX_VM_PERM_READ_IF_XOM_UNSUPPORTED = 1u << 14;
inline constexpr zx_vm_option_t ZX_VM_FAULT_BEYOND_STREAM_SIZE = 1u << 15;
inline constexpr unsigned ZX_VM_ALIGN_BASE = 24;
inline constexpr zx_vm_option_t ZX_VM_ALIGN_MASK = 0xFFu << ZX_VM_ALIGN_BASE;
