// Conformance of the handle calls (zircon-vmo.md 3.8) and of zx_vmar_map, unmap and protect
// (3.9).
#include <gtest/gtest.h>

#include "tests/support/kernel_fixture.h"

namespace zxvp {
namespace {

using testing::KernelTest;
constexpr uint64_t kPage = ZX_PAGE_SIZE;
constexpr uint32_t kReadWrite = ZX_VM_PERM_READ | ZX_VM_PERM_WRITE;

class Handles : public KernelTest {};
class Vmar : public KernelTest {};

// --- 3.8 handles ---

TEST_F(Handles, Spec3_8_CloseOfInvalidIsOkAndOfAnUnknownHandleIsBadHandle) {
  run([](Kernel& k, Process& p) {
    EXPECT_ZX(ZX_OK, k.handle_close(p, ZX_HANDLE_INVALID));
    const zx_handle_t vmo = make_vmo(k, p, kPage);
    EXPECT_ZX(ZX_OK, k.handle_close(p, vmo));
    EXPECT_ZX(ZX_ERR_BAD_HANDLE, k.handle_close(p, vmo));
    EXPECT_ZX(ZX_ERR_BAD_HANDLE, k.handle_close(p, 0x12345670));
  });
}

TEST_F(Handles, Spec3_8_DuplicateNeedsTheDuplicateRightAndASubset) {
  run([](Kernel& k, Process& p) {
    const zx_handle_t vmo = make_vmo(k, p, kPage);
    zx_handle_t out = ZX_HANDLE_INVALID;
    EXPECT_ZX(ZX_ERR_BAD_HANDLE, k.handle_duplicate(p, ZX_HANDLE_INVALID, ZX_RIGHT_READ, &out));
    zx_handle_t no_duplicate = ZX_HANDLE_INVALID;
    ASSERT_ZX(ZX_OK, k.handle_duplicate(p, vmo, ZX_RIGHT_READ | ZX_RIGHT_WRITE, &no_duplicate));
    EXPECT_ZX(ZX_ERR_ACCESS_DENIED, k.handle_duplicate(p, no_duplicate, ZX_RIGHT_READ, &out));
    EXPECT_ZX(ZX_ERR_INVALID_ARGS, k.handle_duplicate(p, vmo, ZX_RIGHT_RESIZE, &out));
    ASSERT_ZX(ZX_OK, k.handle_duplicate(p, vmo, ZX_RIGHT_SAME_RIGHTS, &out));
    EXPECT_EQ(rights_of(p, out), ZX_DEFAULT_VMO_RIGHTS);
    EXPECT_NE(out, vmo);
  });
}

TEST_F(Handles, Spec3_8_ZeroRightsGiveAHandleThatCanDoNothing) {
  run([](Kernel& k, Process& p) {
    const zx_handle_t vmo = make_vmo(k, p, kPage);
    const uint64_t buffer = map_new(k, p, kPage);
    zx_handle_t none = ZX_HANDLE_INVALID;
    ASSERT_ZX(ZX_OK, k.handle_duplicate(p, vmo, ZX_RIGHT_NONE, &none));
    EXPECT_EQ(rights_of(p, none), 0u);
    EXPECT_ZX(ZX_ERR_ACCESS_DENIED, k.vmo_read(p, none, buffer, 0, 8));
    EXPECT_ZX(ZX_ERR_ACCESS_DENIED, k.vmo_write(p, none, buffer, 0, 8));
  });
}

TEST_F(Handles, Spec3_8_ReplaceNeedsNoRightAndClosesTheSourceEvenWhenRefused) {
  run([](Kernel& k, Process& p) {
    const zx_handle_t vmo = make_vmo(k, p, kPage);
    zx_handle_t no_duplicate = ZX_HANDLE_INVALID;
    ASSERT_ZX(ZX_OK, k.handle_duplicate(p, vmo, ZX_RIGHT_READ, &no_duplicate));
    zx_handle_t replaced = ZX_HANDLE_INVALID;
    ASSERT_ZX(ZX_OK, k.handle_replace(p, no_duplicate, ZX_RIGHT_SAME_RIGHTS, &replaced));
    EXPECT_EQ(rights_of(p, replaced), ZX_RIGHT_READ);
    EXPECT_ZX(ZX_ERR_BAD_HANDLE, k.handle_close(p, no_duplicate));
    zx_handle_t refused = ZX_HANDLE_INVALID;
    EXPECT_ZX(ZX_ERR_INVALID_ARGS, k.handle_replace(p, replaced, ZX_RIGHT_WRITE, &refused));
    EXPECT_ZX(ZX_ERR_BAD_HANDLE, k.handle_close(p, replaced));
    EXPECT_ZX(ZX_ERR_BAD_HANDLE, k.handle_replace(p, replaced, ZX_RIGHT_READ, &refused));
  });
}

TEST_F(Handles, Spec3_8_AMappingKeepsItsVmoAliveAfterTheLastHandleCloses) {
  run([](Kernel& k, Process& p) {
    zx_handle_t vmo = ZX_HANDLE_INVALID;
    const uint64_t address = map_new(k, p, 2 * kPage, kReadWrite, &vmo);
    store(k, p, address, pattern(2 * kPage, 6));
    ASSERT_ZX(ZX_OK, k.handle_close(p, vmo));
    EXPECT_EQ(load(k, p, address, 2 * kPage), pattern(2 * kPage, 6));
    EXPECT_ZX(ZX_OK, k.vmar_unmap(p, p.root_vmar_handle(), address, 2 * kPage));
    EXPECT_EQ(k.committed_pages(), 0u);
  });
}

// --- 3.9 zx_vmar_map ---

TEST_F(Vmar, Spec3_9_HandleLookupsComeFirst) {
  run([](Kernel& k, Process& p) {
    const zx_handle_t vmo = make_vmo(k, p, kPage);
    const zx_handle_t vmar = p.root_vmar_handle();
    uint64_t address = 0;
    EXPECT_ZX(ZX_ERR_BAD_HANDLE, k.vmar_map(p, ZX_HANDLE_INVALID, 0, 0, vmo, 0, kPage, &address));
    EXPECT_ZX(ZX_ERR_WRONG_TYPE, k.vmar_map(p, vmo, 0, 0, vmo, 0, kPage, &address));
    EXPECT_ZX(ZX_ERR_BAD_HANDLE, k.vmar_map(p, vmar, 0, 0, ZX_HANDLE_INVALID, 0, kPage, &address));
    EXPECT_ZX(ZX_ERR_WRONG_TYPE, k.vmar_map(p, vmar, 0, 0, vmar, 0, kPage, &address));
  });
}

TEST_F(Vmar, Spec3_9_MissingMapRightBeatsTheOptionChecks) {
  run([](Kernel& k, Process& p) {
    const zx_handle_t vmo = make_vmo(k, p, kPage);
    zx_handle_t no_map = ZX_HANDLE_INVALID;
    ASSERT_ZX(ZX_OK, k.handle_duplicate(p, vmo, ZX_DEFAULT_VMO_RIGHTS & ~ZX_RIGHT_MAP, &no_map));
    uint64_t address = 0;
    EXPECT_ZX(ZX_ERR_ACCESS_DENIED,
              k.vmar_map(p, p.root_vmar_handle(), 0, 0, no_map, 0, kPage, &address));
    EXPECT_ZX(ZX_ERR_ACCESS_DENIED,
              k.vmar_map(p, p.root_vmar_handle(), ZX_VM_PERM_WRITE, 0, no_map, 0, kPage, &address));
  });
}

TEST_F(Vmar, Spec3_9_ProtectionAndOptionChecks) {
  run([](Kernel& k, Process& p) {
    const zx_handle_t vmo = make_vmo(k, p, kPage);
    const zx_handle_t vmar = p.root_vmar_handle();
    uint64_t address = 0;
    EXPECT_ZX(ZX_ERR_INVALID_ARGS,
              k.vmar_map(p, vmar, ZX_VM_PERM_WRITE, 0, vmo, 0, kPage, &address));
    EXPECT_ZX(ZX_ERR_INVALID_ARGS,
              k.vmar_map(p, vmar, ZX_VM_PERM_EXECUTE, 0, vmo, 0, kPage, &address));
    EXPECT_ZX(ZX_ERR_INVALID_ARGS, k.vmar_map(p, vmar, ZX_VM_MAP_RANGE | ZX_VM_SPECIFIC_OVERWRITE,
                                              0, vmo, 0, kPage, &address));
    EXPECT_ZX(ZX_ERR_INVALID_ARGS, k.vmar_map(p, vmar, ZX_VM_PERM_READ | ZX_VM_CAN_MAP_READ, 0, vmo,
                                              0, kPage, &address));
    EXPECT_ZX(ZX_ERR_INVALID_ARGS,
              k.vmar_map(p, vmar, ZX_VM_FAULT_BEYOND_STREAM_SIZE, 0, vmo, 0, kPage, &address));
    EXPECT_ZX(ZX_ERR_INVALID_ARGS,
              k.vmar_map(p, vmar, ZX_VM_PERM_READ | (1u << 16), 0, vmo, 0, kPage, &address));
    EXPECT_ZX(ZX_ERR_INVALID_ARGS, k.vmar_map(p, vmar, ZX_VM_PERM_READ | (5u << ZX_VM_ALIGN_BASE),
                                              0, vmo, 0, kPage, &address));
    EXPECT_ZX(ZX_OK, k.vmar_map(p, vmar, ZX_VM_PERM_READ | (16u << ZX_VM_ALIGN_BASE), 0, vmo, 0,
                                kPage, &address));
    EXPECT_EQ(address % (1u << 16), 0u);
    // Without XOM support, READ_IF_XOM_UNSUPPORTED makes an execute mapping readable.
    EXPECT_ZX(ZX_ERR_ACCESS_DENIED,
              k.vmar_map(p, vmar, ZX_VM_PERM_EXECUTE | ZX_VM_PERM_READ_IF_XOM_UNSUPPORTED, 0, vmo,
                         0, kPage, &address));  // a VMO handle has no EXECUTE right
  });
}

TEST_F(Vmar, Spec3_9_PermissionsNeedTheRightOnBothHandlesInOrder) {
  run([](Kernel& k, Process& p) {
    const zx_handle_t vmo = make_vmo(k, p, kPage);
    zx_handle_t read_only = ZX_HANDLE_INVALID;
    ASSERT_ZX(ZX_OK, k.handle_duplicate(p, vmo, ZX_RIGHT_READ | ZX_RIGHT_MAP, &read_only));
    zx_handle_t map_only = ZX_HANDLE_INVALID;
    ASSERT_ZX(ZX_OK, k.handle_duplicate(p, vmo, ZX_RIGHT_MAP, &map_only));
    zx_handle_t vmar_read_only = ZX_HANDLE_INVALID;
    ASSERT_ZX(ZX_OK, k.handle_duplicate(p, p.root_vmar_handle(), ZX_RIGHT_READ, &vmar_read_only));
    uint64_t address = 0;
    EXPECT_ZX(ZX_ERR_ACCESS_DENIED,
              k.vmar_map(p, p.root_vmar_handle(), kReadWrite, 0, read_only, 0, kPage, &address));
    EXPECT_ZX(ZX_ERR_ACCESS_DENIED, k.vmar_map(p, p.root_vmar_handle(), ZX_VM_PERM_READ, 0,
                                               map_only, 0, kPage, &address));
    EXPECT_ZX(ZX_ERR_ACCESS_DENIED,
              k.vmar_map(p, vmar_read_only, kReadWrite, 0, vmo, 0, kPage, &address));
    EXPECT_ZX(ZX_OK, k.vmar_map(p, p.root_vmar_handle(), ZX_VM_PERM_READ, 0, read_only, 0, kPage,
                                &address));
  });
}

TEST_F(Vmar, Spec3_9_RequireNonResizableAndDiscardableAreNotSupported) {
  run([](Kernel& k, Process& p) {
    const zx_handle_t resizable = make_vmo(k, p, kPage, ZX_VMO_RESIZABLE);
    const zx_handle_t discardable = make_vmo(k, p, kPage, ZX_VMO_DISCARDABLE);
    uint64_t address = 0;
    EXPECT_ZX(ZX_ERR_NOT_SUPPORTED,
              k.vmar_map(p, p.root_vmar_handle(), ZX_VM_PERM_READ | ZX_VM_REQUIRE_NON_RESIZABLE, 0,
                         resizable, 0, kPage, &address));
    EXPECT_ZX(ZX_ERR_NOT_SUPPORTED, k.vmar_map(p, p.root_vmar_handle(), ZX_VM_PERM_READ, 0,
                                               discardable, 0, kPage, &address));
    EXPECT_ZX(ZX_OK, k.vmar_map(p, p.root_vmar_handle(), ZX_VM_PERM_READ | ZX_VM_ALLOW_FAULTS, 0,
                                discardable, 0, kPage, &address));
  });
}

TEST_F(Vmar, Spec3_9_RegionChecksOffsetLengthAndPlacement) {
  run([](Kernel& k, Process& p) {
    const zx_handle_t vmo = make_vmo(k, p, kPage);
    const zx_handle_t vmar = p.root_vmar_handle();
    uint64_t address = 0;
    EXPECT_ZX(ZX_ERR_INVALID_ARGS,
              k.vmar_map(p, vmar, ZX_VM_PERM_READ, 0, vmo, 100, kPage, &address));
    EXPECT_ZX(ZX_ERR_INVALID_ARGS, k.vmar_map(p, vmar, ZX_VM_PERM_READ, 0, vmo, 0, 0, &address));
    EXPECT_ZX(ZX_ERR_INVALID_ARGS, k.vmar_map(p, vmar, ZX_VM_PERM_READ | ZX_VM_SPECIFIC,
                                              UINTPTR_MAX & ~(kPage - 1), vmo, 0, kPage, &address));
    EXPECT_ZX(ZX_ERR_INVALID_ARGS,
              k.vmar_map(p, vmar, ZX_VM_PERM_READ, kPage, vmo, 0, kPage, &address));
    EXPECT_ZX(ZX_ERR_OUT_OF_RANGE,
              k.vmar_map(p, vmar, ZX_VM_PERM_READ, 0, vmo, 0, UINT64_MAX, &address));
    // Specific placement: where asked; over another mapping only with OVERWRITE.
    ASSERT_ZX(ZX_OK, k.vmar_map(p, vmar, ZX_VM_PERM_READ | ZX_VM_SPECIFIC, 0x10'0000, vmo, 0, kPage,
                                &address));
    EXPECT_EQ(address, VmAddressRegion::kBase + 0x10'0000);
    EXPECT_ZX(ZX_ERR_ALREADY_EXISTS, k.vmar_map(p, vmar, ZX_VM_PERM_READ | ZX_VM_SPECIFIC,
                                                0x10'0000, vmo, 0, kPage, &address));
    EXPECT_ZX(ZX_OK, k.vmar_map(p, vmar, ZX_VM_PERM_READ | ZX_VM_SPECIFIC_OVERWRITE, 0x10'0000, vmo,
                                0, kPage, &address));
    // Two mappings of half the space cannot both fit.
    ASSERT_ZX(ZX_OK, k.vmar_map(p, vmar, ZX_VM_PERM_READ, 0, vmo, 0, 1ull << 46, &address));
    EXPECT_ZX(ZX_ERR_NO_RESOURCES,
              k.vmar_map(p, vmar, ZX_VM_PERM_READ, 0, vmo, 0, 1ull << 46, &address));
  });
}

TEST_F(Vmar, Spec3_9_AddressesAreChosenTheSameWayEveryRun) {
  run([](Kernel& k, Process& p) {
    const zx_handle_t vmo = make_vmo(k, p, kPage);
    uint64_t first = 0;
    uint64_t second = 0;
    ASSERT_ZX(ZX_OK,
              k.vmar_map(p, p.root_vmar_handle(), ZX_VM_PERM_READ, 0, vmo, 0, 3 * kPage, &first));
    ASSERT_ZX(ZX_OK,
              k.vmar_map(p, p.root_vmar_handle(), ZX_VM_PERM_READ, 0, vmo, 0, kPage, &second));
    EXPECT_EQ(first, VmAddressRegion::kBase);
    EXPECT_EQ(second, VmAddressRegion::kBase + 3 * kPage);
  });
}

TEST_F(Vmar, Spec3_9_AccessPastTheVmoAndWithoutPermissionFault) {
  run([](Kernel& k, Process& p) {
    const zx_handle_t vmo = make_vmo(k, p, kPage);
    uint64_t big = 0;
    ASSERT_ZX(ZX_OK, k.vmar_map(p, p.root_vmar_handle(), kReadWrite, 0, vmo, 0, 4 * kPage, &big));
    uint8_t byte = 1;
    EXPECT_ZX(ZX_OK, k.user_store(p, big + kPage - 1, &byte, 1));
    EXPECT_ZX(ZX_ERR_OUT_OF_RANGE, k.user_store(p, big + kPage, &byte, 1));
    EXPECT_ZX(ZX_ERR_OUT_OF_RANGE, k.user_load(p, big + 3 * kPage, &byte, 1));
    uint64_t none = 0;
    ASSERT_ZX(ZX_OK, k.vmar_map(p, p.root_vmar_handle(), 0, 0, vmo, 0, kPage, &none));
    EXPECT_ZX(ZX_ERR_ACCESS_DENIED, k.user_load(p, none, &byte, 1));
    EXPECT_ZX(ZX_ERR_ACCESS_DENIED, k.user_store(p, none, &byte, 1));
    uint64_t read_only = 0;
    ASSERT_ZX(ZX_OK,
              k.vmar_map(p, p.root_vmar_handle(), ZX_VM_PERM_READ, 0, vmo, 0, kPage, &read_only));
    EXPECT_ZX(ZX_OK, k.user_load(p, read_only + kPage - 1, &byte, 1));
    EXPECT_EQ(byte, 1);
    EXPECT_ZX(ZX_ERR_ACCESS_DENIED, k.user_store(p, read_only, &byte, 1));
    EXPECT_ZX(ZX_ERR_NOT_FOUND, k.user_load(p, 0x1000, &byte, 1));
  });
}

TEST_F(Vmar, Spec3_9_UnmapSplitsAMappingAndInvalidatesTheTlb) {
  run([](Kernel& k, Process& p) {
    const uint64_t address = map_new(k, p, 3 * kPage);
    const auto data = pattern(3 * kPage, 2);
    store(k, p, address, data);
    EXPECT_ZX(ZX_ERR_INVALID_ARGS, k.vmar_unmap(p, p.root_vmar_handle(), address + 1, kPage));
    EXPECT_ZX(ZX_ERR_INVALID_ARGS, k.vmar_unmap(p, p.root_vmar_handle(), address, 0));
    EXPECT_ZX(ZX_ERR_INVALID_ARGS, k.vmar_unmap(p, p.root_vmar_handle(), 0x1000, kPage));
    ASSERT_ZX(ZX_OK, k.vmar_unmap(p, p.root_vmar_handle(), address + kPage, kPage));
    uint8_t byte = 0;
    // The translation was in the TLB; the unmap took it out.
    EXPECT_ZX(ZX_ERR_NOT_FOUND, k.user_load(p, address + kPage, &byte, 1));
    EXPECT_EQ(load(k, p, address, 4), std::vector<uint8_t>(data.begin(), data.begin() + 4));
    EXPECT_ZX(ZX_OK, k.user_load(p, address + 2 * kPage, &byte, 1));
    EXPECT_EQ(p.root_vmar().mapping_count(), 2u);
    // Unmapping a range with gaps in it is fine.
    EXPECT_ZX(ZX_OK, k.vmar_unmap(p, p.root_vmar_handle(), address, 3 * kPage));
    EXPECT_EQ(p.root_vmar().mapping_count(), 0u);
  });
}

TEST_F(Vmar, Spec3_9_ProtectChecksGapsAndCeilings) {
  run([](Kernel& k, Process& p) {
    const zx_handle_t vmo = make_vmo(k, p, 2 * kPage);
    zx_handle_t read_only = ZX_HANDLE_INVALID;
    ASSERT_ZX(ZX_OK, k.handle_duplicate(p, vmo, ZX_RIGHT_READ | ZX_RIGHT_MAP, &read_only));
    uint64_t address = 0;
    ASSERT_ZX(ZX_OK,
              k.vmar_map(p, p.root_vmar_handle(), kReadWrite, 0, vmo, 0, 2 * kPage, &address));
    uint64_t limited = 0;
    ASSERT_ZX(ZX_OK, k.vmar_map(p, p.root_vmar_handle(), ZX_VM_PERM_READ, 0, read_only, 0, kPage,
                                &limited));
    const zx_handle_t vmar = p.root_vmar_handle();
    EXPECT_ZX(ZX_ERR_INVALID_ARGS, k.vmar_protect(p, vmar, ZX_VM_PERM_WRITE, address, kPage));
    EXPECT_ZX(ZX_ERR_NOT_FOUND, k.vmar_protect(p, vmar, ZX_VM_PERM_READ, address, 5 * kPage));
    EXPECT_ZX(ZX_ERR_ACCESS_DENIED, k.vmar_protect(p, vmar, kReadWrite, limited, kPage));
    zx_handle_t vmar_read = ZX_HANDLE_INVALID;
    ASSERT_ZX(ZX_OK, k.handle_duplicate(p, vmar, ZX_RIGHT_READ, &vmar_read));
    EXPECT_ZX(ZX_ERR_ACCESS_DENIED, k.vmar_protect(p, vmar_read, kReadWrite, address, kPage));
    uint8_t byte = 7;
    EXPECT_ZX(ZX_OK, k.user_store(p, address + kPage, &byte, 1));
    ASSERT_ZX(ZX_OK, k.vmar_protect(p, vmar, ZX_VM_PERM_READ, address + kPage, kPage));
    EXPECT_ZX(ZX_ERR_ACCESS_DENIED, k.user_store(p, address + kPage, &byte, 1));
    EXPECT_ZX(ZX_OK, k.user_store(p, address, &byte, 1));
    ASSERT_ZX(ZX_OK, k.vmar_protect(p, vmar, kReadWrite, address, 2 * kPage));
    EXPECT_ZX(ZX_OK, k.user_store(p, address + kPage, &byte, 1));
  });
}

}  // namespace
}  // namespace zxvp
