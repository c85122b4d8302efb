// Conformance of zx_vmo_set_cache_policy, zx_vmo_op_range and zx_vmo_create_child
// (zircon-vmo.md sections 3.5 to 3.7).
#include <gtest/gtest.h>

#include "tests/support/kernel_fixture.h"

namespace zxvp {
namespace {

using testing::KernelTest;
constexpr uint64_t kPage = ZX_PAGE_SIZE;
constexpr uint32_t kReadWrite = ZX_VM_PERM_READ | ZX_VM_PERM_WRITE;

class VmoOps : public KernelTest {};

std::shared_ptr<VmObject> object_of(Process& p, zx_handle_t handle) {
  return std::dynamic_pointer_cast<VmObject>(p.handles().find(handle)->object);
}

// --- 3.5 zx_vmo_set_cache_policy ---

TEST_F(VmoOps, Spec3_5_BadPolicyIsCheckedBeforeTheHandle) {
  run([](Kernel& k, Process& p) {
    EXPECT_ZX(ZX_ERR_INVALID_ARGS, k.vmo_set_cache_policy(p, ZX_HANDLE_INVALID, 4));
    EXPECT_ZX(ZX_ERR_BAD_HANDLE, k.vmo_set_cache_policy(p, ZX_HANDLE_INVALID, 1));
    EXPECT_ZX(ZX_ERR_WRONG_TYPE, k.vmo_set_cache_policy(p, p.root_vmar_handle(), 1));
  });
}

TEST_F(VmoOps, Spec3_5_NeedsTheMapRight) {
  run([](Kernel& k, Process& p) {
    const zx_handle_t vmo = make_vmo(k, p, kPage);
    zx_handle_t no_map = ZX_HANDLE_INVALID;
    ASSERT_ZX(ZX_OK, k.handle_duplicate(p, vmo, ZX_DEFAULT_VMO_RIGHTS & ~ZX_RIGHT_MAP, &no_map));
    EXPECT_ZX(ZX_ERR_ACCESS_DENIED, k.vmo_set_cache_policy(p, no_map, ZX_CACHE_POLICY_UNCACHED));
    EXPECT_ZX(ZX_OK, k.vmo_set_cache_policy(p, vmo, ZX_CACHE_POLICY_UNCACHED));
  });
}

TEST_F(VmoOps, Spec3_5_CommittedPagesBlockOnlyMovesAwayFromUncached) {
  run([](Kernel& k, Process& p) {
    const zx_handle_t vmo = make_vmo(k, p, 2 * kPage);
    ASSERT_ZX(ZX_OK, k.vmo_op_range(p, vmo, ZX_VMO_OP_COMMIT, 0, kPage, 0));
    // Cached with pages committed: may become uncached.
    ASSERT_ZX(ZX_OK, k.vmo_set_cache_policy(p, vmo, ZX_CACHE_POLICY_UNCACHED));
    // Uncached with pages committed: stuck.
    EXPECT_ZX(ZX_ERR_BAD_STATE, k.vmo_set_cache_policy(p, vmo, ZX_CACHE_POLICY_CACHED));
    EXPECT_ZX(ZX_ERR_BAD_STATE, k.vmo_set_cache_policy(p, vmo, ZX_CACHE_POLICY_WRITE_COMBINING));
    // Uncached without pages may move again.
    const zx_handle_t empty = make_vmo(k, p, kPage);
    ASSERT_ZX(ZX_OK, k.vmo_set_cache_policy(p, empty, ZX_CACHE_POLICY_UNCACHED_DEVICE));
    EXPECT_ZX(ZX_OK, k.vmo_set_cache_policy(p, empty, ZX_CACHE_POLICY_CACHED));
  });
}

TEST_F(VmoOps, Spec3_5_AMappedVmoIsBadStateEvenForTheSamePolicy) {
  run([](Kernel& k, Process& p) {
    zx_handle_t vmo = ZX_HANDLE_INVALID;
    const uint64_t address = map_new(k, p, kPage, kReadWrite, &vmo);
    EXPECT_ZX(ZX_ERR_BAD_STATE, k.vmo_set_cache_policy(p, vmo, ZX_CACHE_POLICY_CACHED));
    ASSERT_ZX(ZX_OK, k.vmar_unmap(p, p.root_vmar_handle(), address, kPage));
    EXPECT_ZX(ZX_OK, k.vmo_set_cache_policy(p, vmo, ZX_CACHE_POLICY_CACHED));
  });
}

TEST_F(VmoOps, Spec3_5_ParentsAndChildrenAreBadState) {
  run([](Kernel& k, Process& p) {
    const zx_handle_t parent = make_vmo(k, p, kPage);
    zx_handle_t snapshot = ZX_HANDLE_INVALID;
    ASSERT_ZX(ZX_OK, k.vmo_create_child(p, parent, ZX_VMO_CHILD_SNAPSHOT, 0, kPage, &snapshot));
    EXPECT_ZX(ZX_ERR_BAD_STATE, k.vmo_set_cache_policy(p, parent, ZX_CACHE_POLICY_UNCACHED));
    EXPECT_ZX(ZX_ERR_BAD_STATE, k.vmo_set_cache_policy(p, snapshot, ZX_CACHE_POLICY_UNCACHED));
    const zx_handle_t other = make_vmo(k, p, kPage);
    zx_handle_t slice = ZX_HANDLE_INVALID;
    ASSERT_ZX(ZX_OK, k.vmo_create_child(p, other, ZX_VMO_CHILD_SLICE, 0, kPage, &slice));
    EXPECT_ZX(ZX_ERR_BAD_STATE, k.vmo_set_cache_policy(p, slice, ZX_CACHE_POLICY_UNCACHED));
    EXPECT_ZX(ZX_ERR_BAD_STATE, k.vmo_set_cache_policy(p, other, ZX_CACHE_POLICY_UNCACHED));
    // Once the child is gone the parent is free again.
    ASSERT_ZX(ZX_OK, k.handle_close(p, snapshot));
    EXPECT_ZX(ZX_OK, k.vmo_set_cache_policy(p, parent, ZX_CACHE_POLICY_UNCACHED));
  });
}

TEST_F(VmoOps, Spec3_5_UncachedRefusesZeroAndChildren) {
  run([](Kernel& k, Process& p) {
    const zx_handle_t vmo = make_vmo(k, p, 2 * kPage);
    ASSERT_ZX(ZX_OK, k.vmo_set_cache_policy(p, vmo, ZX_CACHE_POLICY_UNCACHED));
    EXPECT_ZX(ZX_ERR_BAD_STATE, k.vmo_op_range(p, vmo, ZX_VMO_OP_ZERO, 0, kPage, 0));
    zx_handle_t child = ZX_HANDLE_INVALID;
    EXPECT_ZX(ZX_ERR_BAD_STATE,
              k.vmo_create_child(p, vmo, ZX_VMO_CHILD_SNAPSHOT, 0, kPage, &child));
    EXPECT_ZX(ZX_ERR_BAD_STATE, k.vmo_create_child(p, vmo, ZX_VMO_CHILD_SLICE, 0, kPage, &child));
  });
}

TEST_F(VmoOps, Spec3_5_MappingAnUncachedVmoUsesUncachedPageTableEntries) {
  run([&](Kernel& k, Process& p) {
    const zx_handle_t vmo = make_vmo(k, p, kPage);
    ASSERT_ZX(ZX_OK, k.vmo_set_cache_policy(p, vmo, ZX_CACHE_POLICY_WRITE_COMBINING));
    uint64_t address = 0;
    ASSERT_ZX(ZX_OK, k.vmar_map(p, p.root_vmar_handle(), kReadWrite, 0, vmo, 0, kPage, &address));
    store(k, p, address, pattern(64, 1));
    EXPECT_EQ(load(k, p, address, 64), pattern(64, 1));
    const Translation translation = k.cpu().translate(address, AccessType::read, Privilege::user);
    ASSERT_TRUE(translation.ok());
    EXPECT_EQ(translation.memory_type, MemoryType::write_combining);
  });
}

// --- 3.6 zx_vmo_op_range ---

TEST_F(VmoOps, Spec3_6_HandleIsCheckedBeforeTheOp) {
  run([](Kernel& k, Process& p) {
    EXPECT_ZX(ZX_ERR_BAD_HANDLE, k.vmo_op_range(p, ZX_HANDLE_INVALID, 999, 0, 0, 0));
    EXPECT_ZX(ZX_ERR_WRONG_TYPE, k.vmo_op_range(p, p.root_vmar_handle(), 999, 0, 0, 0));
    const zx_handle_t vmo = make_vmo(k, p, kPage);
    zx_handle_t none = ZX_HANDLE_INVALID;
    ASSERT_ZX(ZX_OK, k.handle_duplicate(p, vmo, ZX_RIGHT_NONE, &none));
    EXPECT_ZX(ZX_ERR_INVALID_ARGS, k.vmo_op_range(p, none, 999, 0, 0, 0));
    EXPECT_ZX(ZX_ERR_INVALID_ARGS, k.vmo_op_range(p, none, 5, 0, 0, 0));  // the removed LOOKUP
  });
}

TEST_F(VmoOps, Spec3_6_EachOpChecksItsRight) {
  run([](Kernel& k, Process& p) {
    const zx_handle_t vmo = make_vmo(k, p, kPage);
    zx_handle_t none = ZX_HANDLE_INVALID;
    ASSERT_ZX(ZX_OK, k.handle_duplicate(p, vmo, ZX_RIGHT_NONE, &none));
    for (uint32_t op :
         {ZX_VMO_OP_COMMIT, ZX_VMO_OP_DECOMMIT, ZX_VMO_OP_ZERO, ZX_VMO_OP_LOCK, ZX_VMO_OP_TRY_LOCK,
          ZX_VMO_OP_UNLOCK, ZX_VMO_OP_CACHE_SYNC, ZX_VMO_OP_CACHE_CLEAN,
          ZX_VMO_OP_CACHE_CLEAN_INVALIDATE, ZX_VMO_OP_PREFETCH}) {
      EXPECT_ZX(ZX_ERR_ACCESS_DENIED, k.vmo_op_range(p, none, op, 0, kPage, 0)) << op;
    }
    EXPECT_ZX(ZX_OK, k.vmo_op_range(p, none, ZX_VMO_OP_DONT_NEED, 0, kPage, 0));
    EXPECT_ZX(ZX_OK, k.vmo_op_range(p, none, ZX_VMO_OP_ALWAYS_NEED, 0, kPage, 0));
  });
}

TEST_F(VmoOps, Spec3_6_CommitRangeChecksAndRounding) {
  run([](Kernel& k, Process& p) {
    const zx_handle_t vmo = make_vmo(k, p, 4 * kPage);
    auto object = object_of(p, vmo);
    EXPECT_ZX(ZX_ERR_OUT_OF_RANGE, k.vmo_op_range(p, vmo, ZX_VMO_OP_COMMIT, 8, UINT64_MAX, 0));
    EXPECT_ZX(ZX_ERR_OUT_OF_RANGE,
              k.vmo_op_range(p, vmo, ZX_VMO_OP_COMMIT, kPage, UINT64_MAX - (kPage - 1), 0));
    EXPECT_ZX(ZX_ERR_OUT_OF_RANGE,
              k.vmo_op_range(p, vmo, ZX_VMO_OP_COMMIT, 3 * kPage + 1, kPage, 0));
    EXPECT_EQ(object->committed_pages(), 0u);
    // No alignment needed: (0x10, 0x100) commits page 0.
    EXPECT_ZX(ZX_OK, k.vmo_op_range(p, vmo, ZX_VMO_OP_COMMIT, 0x10, 0x100, 0));
    EXPECT_EQ(object->committed_pages(), 1u);
    // A zero length at an unaligned offset still rounds to a whole page.
    EXPECT_ZX(ZX_OK, k.vmo_op_range(p, vmo, ZX_VMO_OP_COMMIT, 2 * kPage + 8, 0, 0));
    EXPECT_EQ(object->committed_pages(), 2u);
    EXPECT_ZX(ZX_OK, k.vmo_op_range(p, vmo, ZX_VMO_OP_COMMIT, 4 * kPage, 0, 0));
    EXPECT_EQ(object->committed_pages(), 2u);
  });
}

TEST_F(VmoOps, Spec3_6_DecommitChecksRangeThenParentThenAlignment) {
  run([](Kernel& k, Process& p) {
    const zx_handle_t vmo = make_vmo(k, p, 4 * kPage);
    ASSERT_ZX(ZX_OK, k.vmo_op_range(p, vmo, ZX_VMO_OP_COMMIT, 0, 4 * kPage, 0));
    EXPECT_ZX(ZX_ERR_OUT_OF_RANGE, k.vmo_op_range(p, vmo, ZX_VMO_OP_DECOMMIT, 0, 5 * kPage, 0));
    // The range check comes before the alignment check.
    EXPECT_ZX(ZX_ERR_OUT_OF_RANGE, k.vmo_op_range(p, vmo, ZX_VMO_OP_DECOMMIT, 4 * kPage + 1, 1, 0));
    EXPECT_ZX(ZX_ERR_INVALID_ARGS, k.vmo_op_range(p, vmo, ZX_VMO_OP_DECOMMIT, 0x10, 0x100, 0));
    EXPECT_ZX(ZX_ERR_INVALID_ARGS, k.vmo_op_range(p, vmo, ZX_VMO_OP_DECOMMIT, 0, 0x100, 0));
    EXPECT_ZX(ZX_OK, k.vmo_op_range(p, vmo, ZX_VMO_OP_DECOMMIT, kPage, 2 * kPage, 0));
    EXPECT_EQ(object_of(p, vmo)->committed_pages(), 2u);

    zx_handle_t child = ZX_HANDLE_INVALID;
    ASSERT_ZX(ZX_OK, k.vmo_create_child(p, vmo, ZX_VMO_CHILD_SNAPSHOT, 0, kPage, &child));
    EXPECT_ZX(ZX_ERR_NOT_SUPPORTED, k.vmo_op_range(p, child, ZX_VMO_OP_DECOMMIT, 0, kPage, 0));
    // An original with a snapshot child hangs under a hidden node: it has a parent too.
    EXPECT_ZX(ZX_ERR_NOT_SUPPORTED, k.vmo_op_range(p, vmo, ZX_VMO_OP_DECOMMIT, 0, kPage, 0));
    // Misaligned, on a COW VMO: the parent check comes first.
    EXPECT_ZX(ZX_ERR_NOT_SUPPORTED, k.vmo_op_range(p, vmo, ZX_VMO_OP_DECOMMIT, 8, 8, 0));
  });
}

TEST_F(VmoOps, Spec3_6_DecommittedPagesReadZeroAgain) {
  run([](Kernel& k, Process& p) {
    zx_handle_t vmo = ZX_HANDLE_INVALID;
    const uint64_t address = map_new(k, p, 2 * kPage, kReadWrite, &vmo);
    const auto data = pattern(2 * kPage, 4);
    store(k, p, address, data);
    ASSERT_ZX(ZX_OK, k.vmo_op_range(p, vmo, ZX_VMO_OP_DECOMMIT, 0, kPage, 0));
    EXPECT_EQ(load(k, p, address, kPage), std::vector<uint8_t>(kPage, 0));
    EXPECT_EQ(load(k, p, address + kPage, 16),
              std::vector<uint8_t>(data.begin() + kPage, data.begin() + kPage + 16));
  });
}

TEST_F(VmoOps, Spec3_6_LockOpsNeedADiscardableVmo) {
  run([](Kernel& k, Process& p) {
    const zx_handle_t plain = make_vmo(k, p, kPage);
    for (uint32_t op : {ZX_VMO_OP_LOCK, ZX_VMO_OP_TRY_LOCK, ZX_VMO_OP_UNLOCK}) {
      EXPECT_ZX(ZX_ERR_NOT_SUPPORTED, k.vmo_op_range(p, plain, op, 0, kPage, 32)) << op;
    }
    const zx_handle_t discardable = make_vmo(k, p, kPage, ZX_VMO_DISCARDABLE);
    EXPECT_ZX(ZX_ERR_INVALID_ARGS, k.vmo_op_range(p, discardable, ZX_VMO_OP_LOCK, 0, kPage, 0));
    EXPECT_ZX(ZX_ERR_BAD_STATE, k.vmo_op_range(p, discardable, ZX_VMO_OP_UNLOCK, 0, kPage, 0));
    EXPECT_ZX(ZX_OK, k.vmo_op_range(p, discardable, ZX_VMO_OP_TRY_LOCK, 0, kPage, 0));
    EXPECT_ZX(ZX_OK, k.vmo_op_range(p, discardable, ZX_VMO_OP_UNLOCK, 0, kPage, 0));
  });
}

TEST_F(VmoOps, Spec3_6_CacheOpsNeedALengthAndARangeInside) {
  run([](Kernel& k, Process& p) {
    const zx_handle_t vmo = make_vmo(k, p, 2 * kPage);
    for (uint32_t op :
         {ZX_VMO_OP_CACHE_SYNC, ZX_VMO_OP_CACHE_CLEAN, ZX_VMO_OP_CACHE_CLEAN_INVALIDATE}) {
      EXPECT_ZX(ZX_ERR_INVALID_ARGS, k.vmo_op_range(p, vmo, op, 0, 0, 0)) << op;
      EXPECT_ZX(ZX_ERR_OUT_OF_RANGE, k.vmo_op_range(p, vmo, op, 2 * kPage, 1, 0)) << op;
      EXPECT_ZX(ZX_ERR_OUT_OF_RANGE, k.vmo_op_range(p, vmo, op, 1, UINT64_MAX, 0)) << op;
      EXPECT_ZX(ZX_OK, k.vmo_op_range(p, vmo, op, 13, kPage, 0)) << op;
    }
  });
}

TEST_F(VmoOps, Spec3_6_CacheInvalidateNeedsTheDebuggingBootOptionBeforeItsRight) {
  run([](Kernel& k, Process& p) {
    const zx_handle_t vmo = make_vmo(k, p, kPage);
    zx_handle_t read_only = ZX_HANDLE_INVALID;
    ASSERT_ZX(ZX_OK, k.handle_duplicate(p, vmo, ZX_RIGHT_READ, &read_only));
    EXPECT_ZX(ZX_ERR_NOT_SUPPORTED,
              k.vmo_op_range(p, read_only, ZX_VMO_OP_CACHE_INVALIDATE, 0, kPage, 0));
    EXPECT_ZX(ZX_ERR_NOT_SUPPORTED,
              k.vmo_op_range(p, vmo, ZX_VMO_OP_CACHE_INVALIDATE, 0, kPage, 0));
  });
}

TEST_F(VmoOps, Spec3_6_CacheInvalidateWithDebuggingSyscallsChecksWrite) {
  configure({"kernel.enable_debugging_syscalls=true"});
  run([](Kernel& k, Process& p) {
    const zx_handle_t vmo = make_vmo(k, p, kPage);
    zx_handle_t read_only = ZX_HANDLE_INVALID;
    ASSERT_ZX(ZX_OK, k.handle_duplicate(p, vmo, ZX_RIGHT_READ, &read_only));
    EXPECT_ZX(ZX_ERR_ACCESS_DENIED,
              k.vmo_op_range(p, read_only, ZX_VMO_OP_CACHE_INVALIDATE, 0, kPage, 0));
    EXPECT_ZX(ZX_OK, k.vmo_op_range(p, vmo, ZX_VMO_OP_CACHE_INVALIDATE, 0, kPage, 0));
  });
}

TEST_F(VmoOps, Spec3_6_ZeroChecksRangeZeroesPartialPagesAndCommitsNothing) {
  run([](Kernel& k, Process& p) {
    zx_handle_t vmo = ZX_HANDLE_INVALID;
    const uint64_t address = map_new(k, p, 3 * kPage, kReadWrite, &vmo);
    EXPECT_ZX(ZX_ERR_OUT_OF_RANGE, k.vmo_op_range(p, vmo, ZX_VMO_OP_ZERO, 0, 3 * kPage + 1, 0));
    EXPECT_ZX(ZX_OK, k.vmo_op_range(p, vmo, ZX_VMO_OP_ZERO, 3 * kPage, 0, 0));
    // Zeroing an uncommitted range commits nothing.
    EXPECT_ZX(ZX_OK, k.vmo_op_range(p, vmo, ZX_VMO_OP_ZERO, 100, 2 * kPage, 0));
    EXPECT_EQ(object_of(p, vmo)->committed_pages(), 0u);
    const auto data = pattern(3 * kPage, 8);
    store(k, p, address, data);
    ASSERT_ZX(ZX_OK, k.vmo_op_range(p, vmo, ZX_VMO_OP_ZERO, 100, 2 * kPage, 0));
    const auto seen = load(k, p, address, 3 * kPage);
    for (uint64_t i = 0; i < 3 * kPage; ++i) {
      const bool zeroed = i >= 100 && i < 100 + 2 * kPage;
      ASSERT_EQ(seen[i], zeroed ? 0 : data[i]) << i;
    }
    // The whole middle page was released, not zeroed in place.
    EXPECT_EQ(object_of(p, vmo)->committed_pages(), 3u);  // re-faulted by the load above
  });
}

TEST_F(VmoOps, Spec3_6_PrefetchChecksItsRangeAndCommitsNothing) {
  run([](Kernel& k, Process& p) {
    const zx_handle_t vmo = make_vmo(k, p, 2 * kPage);
    EXPECT_ZX(ZX_ERR_OUT_OF_RANGE, k.vmo_op_range(p, vmo, ZX_VMO_OP_PREFETCH, kPage, 2 * kPage, 0));
    EXPECT_ZX(ZX_OK, k.vmo_op_range(p, vmo, ZX_VMO_OP_PREFETCH, 0, 2 * kPage, 0));
    EXPECT_EQ(object_of(p, vmo)->committed_pages(), 0u);
  });
}

// --- 3.7 zx_vmo_create_child ---

TEST_F(VmoOps, Spec3_7_SizeRoundingAndNoWriteResizableComeBeforeTheHandle) {
  run([](Kernel& k, Process& p) {
    zx_handle_t child = ZX_HANDLE_INVALID;
    EXPECT_ZX(ZX_ERR_OUT_OF_RANGE, k.vmo_create_child(p, ZX_HANDLE_INVALID, ZX_VMO_CHILD_SNAPSHOT,
                                                      0, UINT64_MAX, &child));
    EXPECT_ZX(ZX_ERR_INVALID_ARGS,
              k.vmo_create_child(p, ZX_HANDLE_INVALID,
                                 ZX_VMO_CHILD_NO_WRITE | ZX_VMO_CHILD_RESIZABLE, 0, kPage, &child));
    EXPECT_ZX(ZX_ERR_BAD_HANDLE,
              k.vmo_create_child(p, ZX_HANDLE_INVALID, ZX_VMO_CHILD_SNAPSHOT, 0, kPage, &child));
    // NO_WRITE with RESIZABLE is refused for every child type.
    const zx_handle_t vmo = make_vmo(k, p, kPage);
    EXPECT_ZX(ZX_ERR_INVALID_ARGS,
              k.vmo_create_child(
                  p, vmo, ZX_VMO_CHILD_SLICE | ZX_VMO_CHILD_NO_WRITE | ZX_VMO_CHILD_RESIZABLE, 0,
                  kPage, &child));
  });
}

TEST_F(VmoOps, Spec3_7_NeedsDuplicateAndRead) {
  run([](Kernel& k, Process& p) {
    const zx_handle_t vmo = make_vmo(k, p, kPage);
    zx_handle_t child = ZX_HANDLE_INVALID;
    for (zx_rights_t rights : {ZX_RIGHT_READ, ZX_RIGHT_DUPLICATE}) {
      zx_handle_t limited = ZX_HANDLE_INVALID;
      ASSERT_ZX(ZX_OK, k.handle_duplicate(p, vmo, rights, &limited));
      EXPECT_ZX(ZX_ERR_ACCESS_DENIED,
                k.vmo_create_child(p, limited, ZX_VMO_CHILD_SNAPSHOT, 0, kPage, &child));
    }
    EXPECT_ZX(ZX_ERR_WRONG_TYPE,
              k.vmo_create_child(p, p.root_vmar_handle(), ZX_VMO_CHILD_SNAPSHOT, 0, kPage, &child));
  });
}

TEST_F(VmoOps, Spec3_7_DiscardableParentIsNotSupported) {
  run([](Kernel& k, Process& p) {
    const zx_handle_t vmo = make_vmo(k, p, kPage, ZX_VMO_DISCARDABLE);
    zx_handle_t child = ZX_HANDLE_INVALID;
    EXPECT_ZX(ZX_ERR_NOT_SUPPORTED,
              k.vmo_create_child(p, vmo, ZX_VMO_CHILD_SNAPSHOT, 0, kPage, &child));
  });
}

TEST_F(VmoOps, Spec3_7_SliceChecks) {
  run([](Kernel& k, Process& p) {
    const zx_handle_t vmo = make_vmo(k, p, 4 * kPage);
    const zx_handle_t resizable = make_vmo(k, p, 4 * kPage, ZX_VMO_RESIZABLE);
    zx_handle_t child = ZX_HANDLE_INVALID;
    EXPECT_ZX(
        ZX_ERR_INVALID_ARGS,
        k.vmo_create_child(p, vmo, ZX_VMO_CHILD_SLICE | ZX_VMO_CHILD_RESIZABLE, 0, kPage, &child));
    EXPECT_ZX(
        ZX_ERR_INVALID_ARGS,
        k.vmo_create_child(p, vmo, ZX_VMO_CHILD_SLICE | ZX_VMO_CHILD_SNAPSHOT, 0, kPage, &child));
    EXPECT_ZX(ZX_ERR_INVALID_ARGS,
              k.vmo_create_child(p, vmo, ZX_VMO_CHILD_SLICE, 100, kPage, &child));
    EXPECT_ZX(ZX_ERR_OUT_OF_RANGE,
              k.vmo_create_child(p, vmo, ZX_VMO_CHILD_SLICE, 0, 0xFFFF'FFFF'FFFF'0000, &child));
    // Not contained: INVALID_ARGS, and that beats the resizable parent's NOT_SUPPORTED.
    EXPECT_ZX(ZX_ERR_INVALID_ARGS,
              k.vmo_create_child(p, vmo, ZX_VMO_CHILD_SLICE, 3 * kPage, 2 * kPage, &child));
    EXPECT_ZX(ZX_ERR_INVALID_ARGS,
              k.vmo_create_child(p, resizable, ZX_VMO_CHILD_SLICE, 3 * kPage, 2 * kPage, &child));
    EXPECT_ZX(ZX_ERR_NOT_SUPPORTED,
              k.vmo_create_child(p, resizable, ZX_VMO_CHILD_SLICE, 0, kPage, &child));
    EXPECT_ZX(ZX_OK, k.vmo_create_child(p, vmo, ZX_VMO_CHILD_SLICE, kPage, 3 * kPage, &child));
  });
}

TEST_F(VmoOps, Spec3_7_ReferenceNeedsZeroOffsetAndSize) {
  run([](Kernel& k, Process& p) {
    const zx_handle_t vmo = make_vmo(k, p, kPage);
    zx_handle_t child = ZX_HANDLE_INVALID;
    EXPECT_ZX(ZX_ERR_INVALID_ARGS,
              k.vmo_create_child(p, vmo, ZX_VMO_CHILD_REFERENCE, kPage, 0, &child));
    EXPECT_ZX(ZX_ERR_INVALID_ARGS,
              k.vmo_create_child(p, vmo, ZX_VMO_CHILD_REFERENCE, 0, kPage, &child));
  });
}

TEST_F(VmoOps, Spec3_7_ExactlyOneSnapshotKindAndNoOtherBits) {
  run([](Kernel& k, Process& p) {
    const zx_handle_t vmo = make_vmo(k, p, kPage);
    zx_handle_t child = ZX_HANDLE_INVALID;
    EXPECT_ZX(ZX_ERR_INVALID_ARGS, k.vmo_create_child(p, vmo, 0, 0, kPage, &child));
    EXPECT_ZX(ZX_ERR_INVALID_ARGS,
              k.vmo_create_child(p, vmo, ZX_VMO_CHILD_RESIZABLE, 0, kPage, &child));
    EXPECT_ZX(ZX_ERR_INVALID_ARGS,
              k.vmo_create_child(p, vmo, ZX_VMO_CHILD_SNAPSHOT | 0x2, 0, kPage, &child));
    EXPECT_ZX(ZX_ERR_INVALID_ARGS,
              k.vmo_create_child(p, vmo, ZX_VMO_CHILD_SNAPSHOT | ZX_VMO_CHILD_SNAPSHOT_MODIFIED, 0,
                                 kPage, &child));
    for (uint32_t kind : {ZX_VMO_CHILD_SNAPSHOT, ZX_VMO_CHILD_SNAPSHOT_AT_LEAST_ON_WRITE,
                          ZX_VMO_CHILD_SNAPSHOT_MODIFIED}) {
      EXPECT_ZX(ZX_OK, k.vmo_create_child(p, vmo, kind | ZX_VMO_CHILD_RESIZABLE, 0, kPage, &child));
    }
  });
}

TEST_F(VmoOps, Spec3_7_SnapshotOffsetAndSizeChecks) {
  run([](Kernel& k, Process& p) {
    const zx_handle_t vmo = make_vmo(k, p, kPage);
    zx_handle_t child = ZX_HANDLE_INVALID;
    EXPECT_ZX(ZX_ERR_INVALID_ARGS,
              k.vmo_create_child(p, vmo, ZX_VMO_CHILD_SNAPSHOT, 8, kPage, &child));
    EXPECT_ZX(ZX_ERR_OUT_OF_RANGE,
              k.vmo_create_child(p, vmo, ZX_VMO_CHILD_SNAPSHOT, 0, 0xFFFF'FFFF'FFFF'0000, &child));
    EXPECT_ZX(ZX_ERR_OUT_OF_RANGE,
              k.vmo_create_child(p, vmo, ZX_VMO_CHILD_SNAPSHOT, UINT64_MAX & ~(kPage - 1),
                                 2 * kPage, &child));
  });
}

TEST_F(VmoOps, Spec3_7_ChildRights) {
  run([](Kernel& k, Process& p) {
    const zx_handle_t vmo = make_vmo(k, p, kPage, ZX_VMO_RESIZABLE);
    zx_handle_t read_dup = ZX_HANDLE_INVALID;
    ASSERT_ZX(ZX_OK, k.handle_duplicate(p, vmo, ZX_RIGHT_READ | ZX_RIGHT_DUPLICATE, &read_dup));
    zx_handle_t child = ZX_HANDLE_INVALID;
    ASSERT_ZX(ZX_OK, k.vmo_create_child(p, read_dup, ZX_VMO_CHILD_SNAPSHOT, 0, kPage, &child));
    EXPECT_EQ(rights_of(p, child), ZX_RIGHT_READ | ZX_RIGHT_DUPLICATE | ZX_RIGHT_WRITE |
                                       ZX_RIGHT_GET_PROPERTY | ZX_RIGHT_SET_PROPERTY);
    ASSERT_ZX(ZX_OK, k.vmo_create_child(p, vmo, ZX_VMO_CHILD_SNAPSHOT | ZX_VMO_CHILD_NO_WRITE, 0,
                                        kPage, &child));
    EXPECT_EQ(rights_of(p, child), ZX_DEFAULT_VMO_RIGHTS & ~ZX_RIGHT_WRITE);
    ASSERT_ZX(ZX_OK, k.vmo_create_child(p, vmo, ZX_VMO_CHILD_SNAPSHOT | ZX_VMO_CHILD_RESIZABLE, 0,
                                        kPage, &child));
    EXPECT_EQ(rights_of(p, child), ZX_DEFAULT_VMO_RIGHTS | ZX_RIGHT_RESIZE);
    const zx_handle_t fixed = make_vmo(k, p, kPage);
    ASSERT_ZX(ZX_OK, k.vmo_create_child(p, fixed, ZX_VMO_CHILD_SLICE | ZX_VMO_CHILD_NO_WRITE, 0,
                                        kPage, &child));
    EXPECT_EQ(rights_of(p, child), ZX_DEFAULT_VMO_RIGHTS & ~ZX_RIGHT_WRITE);
    // The child's content size is the unrounded size.
    ASSERT_ZX(ZX_OK, k.vmo_create_child(p, fixed, ZX_VMO_CHILD_SNAPSHOT, 0, 10, &child));
    EXPECT_EQ(object_of(p, child)->content_size(), 10u);
    EXPECT_EQ(object_of(p, child)->size(), kPage);
  });
}

TEST_F(VmoOps, Spec3_7_SnapshotIsAnEagerCopyBothWays) {
  run([](Kernel& k, Process& p) {
    zx_handle_t parent = ZX_HANDLE_INVALID;
    const uint64_t parent_map = map_new(k, p, 2 * kPage, kReadWrite, &parent);
    const auto before = pattern(2 * kPage, 1);
    store(k, p, parent_map, before);
    zx_handle_t child = ZX_HANDLE_INVALID;
    ASSERT_ZX(ZX_OK, k.vmo_create_child(p, parent, ZX_VMO_CHILD_SNAPSHOT, 0, 2 * kPage, &child));
    const uint64_t pages_before_writes = k.pmm().used_pages();
    uint64_t child_map = 0;
    ASSERT_ZX(ZX_OK,
              k.vmar_map(p, p.root_vmar_handle(), kReadWrite, 0, child, 0, 2 * kPage, &child_map));
    EXPECT_EQ(load(k, p, child_map, 2 * kPage), before);
    // The parent writes through its mapping: the child keeps the old bytes.
    store(k, p, parent_map, pattern(16, 200));
    EXPECT_EQ(load(k, p, child_map, 16), std::vector<uint8_t>(before.begin(), before.begin() + 16));
    // The child writes its second page: the parent keeps its bytes.
    store(k, p, child_map + kPage, pattern(16, 100));
    EXPECT_EQ(load(k, p, parent_map + kPage, 16),
              std::vector<uint8_t>(before.begin() + kPage, before.begin() + kPage + 16));
    EXPECT_EQ(load(k, p, child_map + kPage, 16), pattern(16, 100));
    // Exactly one fork per side-and-page written (plus the child's mapping tables).
    EXPECT_GE(k.pmm().used_pages() - pages_before_writes, 2u);
  });
}

TEST_F(VmoOps, Spec3_7_SnapshotMayExtendPastTheParent) {
  run([](Kernel& k, Process& p) {
    zx_handle_t parent = ZX_HANDLE_INVALID;
    const uint64_t parent_map = map_new(k, p, kPage, kReadWrite, &parent);
    store(k, p, parent_map, pattern(kPage, 3));
    zx_handle_t child = ZX_HANDLE_INVALID;
    ASSERT_ZX(ZX_OK, k.vmo_create_child(p, parent, ZX_VMO_CHILD_SNAPSHOT, 0, 3 * kPage, &child));
    const uint64_t buffer = map_new(k, p, 3 * kPage);
    ASSERT_ZX(ZX_OK, k.vmo_read(p, child, buffer, 0, 3 * kPage));
    auto seen = load(k, p, buffer, 3 * kPage);
    EXPECT_TRUE(std::equal(seen.begin(), seen.begin() + kPage, pattern(kPage, 3).begin()));
    EXPECT_TRUE(std::all_of(seen.begin() + kPage, seen.end(), [](uint8_t b) { return !b; }));
    store(k, p, buffer, pattern(kPage, 50));
    EXPECT_ZX(ZX_OK, k.vmo_write(p, child, buffer, 2 * kPage, kPage));
    // A snapshot starting past the parent's end is all zeros.
    ASSERT_ZX(ZX_OK,
              k.vmo_create_child(p, parent, ZX_VMO_CHILD_SNAPSHOT, 8 * kPage, kPage, &child));
    ASSERT_ZX(ZX_OK, k.vmo_read(p, child, buffer, 0, kPage));
    seen = load(k, p, buffer, kPage);
    EXPECT_TRUE(std::all_of(seen.begin(), seen.end(), [](uint8_t b) { return !b; }));
  });
}

TEST_F(VmoOps, Spec3_7_SliceSharesPagesBothWays) {
  run([](Kernel& k, Process& p) {
    zx_handle_t parent = ZX_HANDLE_INVALID;
    const uint64_t parent_map = map_new(k, p, 4 * kPage, kReadWrite, &parent);
    zx_handle_t slice = ZX_HANDLE_INVALID;
    ASSERT_ZX(ZX_OK, k.vmo_create_child(p, parent, ZX_VMO_CHILD_SLICE, kPage, 2 * kPage, &slice));
    uint64_t slice_map = 0;
    ASSERT_ZX(ZX_OK,
              k.vmar_map(p, p.root_vmar_handle(), kReadWrite, 0, slice, 0, 2 * kPage, &slice_map));
    store(k, p, parent_map + kPage, pattern(32, 1));
    EXPECT_EQ(load(k, p, slice_map, 32), pattern(32, 1));
    store(k, p, slice_map + kPage, pattern(32, 2));
    EXPECT_EQ(load(k, p, parent_map + 2 * kPage, 32), pattern(32, 2));
    // Decommitting the parent's page drops the slice's view of it too.
    ASSERT_ZX(ZX_OK, k.vmo_op_range(p, parent, ZX_VMO_OP_DECOMMIT, kPage, kPage, 0));
    EXPECT_EQ(load(k, p, slice_map, 32), std::vector<uint8_t>(32, 0));
    EXPECT_EQ(object_of(p, slice)->committed_pages(), 0u);
  });
}

}  // namespace
}  // namespace zxvp
