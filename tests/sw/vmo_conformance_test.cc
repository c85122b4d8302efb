// Conformance of the VMO system calls with Zircon (zircon-vmo.md). Each test names the section
// of the specification whose rule it checks.
#include <gtest/gtest.h>

#include "tests/support/kernel_fixture.h"

namespace zxvp {
namespace {

using testing::KernelTest;
constexpr uint64_t kPage = ZX_PAGE_SIZE;

class Vmo : public KernelTest {};

// --- 2.1 Handle lookup ---

TEST_F(Vmo, Spec2_1_InvalidClosedAndMalformedHandlesAreBadHandle) {
  run([](Kernel& k, Process& p) {
    uint8_t byte = 0;
    (void)byte;
    EXPECT_ZX(ZX_ERR_BAD_HANDLE, k.vmo_write(p, ZX_HANDLE_INVALID, 0, 0, 0));
    const zx_handle_t vmo = make_vmo(k, p, kPage);
    EXPECT_ZX(ZX_ERR_BAD_HANDLE, k.vmo_write(p, vmo ^ 1, 0, 0, 0));  // low bits not both 1
    EXPECT_ZX(ZX_ERR_BAD_HANDLE, k.vmo_write(p, vmo ^ 2, 0, 0, 0));
    EXPECT_ZX(ZX_OK, k.handle_close(p, vmo));
    EXPECT_ZX(ZX_ERR_BAD_HANDLE, k.vmo_write(p, vmo, 0, 0, 0));
  });
}

TEST_F(Vmo, Spec2_1_WrongTypeBeatsMissingRights) {
  run([](Kernel& k, Process& p) {
    zx_handle_t no_rights = ZX_HANDLE_INVALID;
    ASSERT_ZX(ZX_OK, k.handle_duplicate(p, p.root_vmar_handle(), ZX_RIGHT_NONE, &no_rights));
    EXPECT_ZX(ZX_ERR_WRONG_TYPE, k.vmo_read(p, no_rights, 0, 0, 0));
    EXPECT_ZX(ZX_ERR_WRONG_TYPE, k.vmo_write(p, p.root_vmar_handle(), 0, 0, 0));
  });
}

TEST_F(Vmo, Spec2_1_HandleValuesOfAnotherProcessAreBadHandles) {
  run([](Kernel& k, Process& p) {
    Process* other = k.create_process("other");
    ASSERT_NE(other, nullptr);
    const zx_handle_t theirs = make_vmo(k, *other, kPage);
    const zx_handle_t ours = make_vmo(k, p, kPage);
    EXPECT_NE(theirs, ours);
    EXPECT_ZX(ZX_ERR_BAD_HANDLE, k.vmo_write(p, theirs, 0, 0, 0));
    EXPECT_ZX(ZX_ERR_BAD_HANDLE, k.handle_close(p, theirs));
    EXPECT_ZX(ZX_ERR_BAD_HANDLE, k.vmo_write(*other, ours, 0, 0, 0));
    EXPECT_ZX(ZX_ERR_BAD_HANDLE, k.vmo_write(*other, p.root_vmar_handle(), 0, 0, 0));
    EXPECT_ZX(ZX_OK, k.vmo_write(*other, theirs, 0, 0, 0));
  });
}

TEST_F(Vmo, Spec2_1_HandleValuesHaveTheLowTwoBitsSet) {
  run([](Kernel& k, Process& p) {
    for (int i = 0; i < 16; ++i) {
      const zx_handle_t vmo = make_vmo(k, p, kPage);
      EXPECT_EQ(vmo & ZX_HANDLE_FIXED_BITS_MASK, ZX_HANDLE_FIXED_BITS_MASK);
    }
  });
}

// --- 3.1 zx_vmo_create ---

TEST_F(Vmo, Spec3_1_ResizableWithUnboundedIsInvalidArgs) {
  run([](Kernel& k, Process& p) {
    zx_handle_t vmo = ZX_HANDLE_INVALID;
    EXPECT_ZX(ZX_ERR_INVALID_ARGS,
              k.vmo_create(p, kPage, ZX_VMO_RESIZABLE | ZX_VMO_UNBOUNDED, &vmo));
  });
}

TEST_F(Vmo, Spec3_1_UnknownOptionBitsAreInvalidArgs) {
  run([](Kernel& k, Process& p) {
    zx_handle_t vmo = ZX_HANDLE_INVALID;
    for (uint32_t options : {0x1u, 0x100u, ZX_VMO_TRAP_DIRTY, 0x8000'0000u}) {
      EXPECT_ZX(ZX_ERR_INVALID_ARGS, k.vmo_create(p, kPage, options, &vmo)) << options;
    }
  });
}

TEST_F(Vmo, Spec3_1_RoundingWrapComesBeforeTheUnknownBitCheck) {
  run([](Kernel& k, Process& p) {
    zx_handle_t vmo = ZX_HANDLE_INVALID;
    EXPECT_ZX(ZX_ERR_OUT_OF_RANGE, k.vmo_create(p, UINT64_MAX, 0x100, &vmo));
    EXPECT_ZX(ZX_ERR_OUT_OF_RANGE, k.vmo_create(p, 0xFFFF'FFFF'FFFF'F001, 0, &vmo));
  });
}

TEST_F(Vmo, Spec3_1_SizeAboveTheMaximumIsOutOfRange) {
  run([](Kernel& k, Process& p) {
    zx_handle_t vmo = ZX_HANDLE_INVALID;
    EXPECT_ZX(ZX_ERR_OUT_OF_RANGE, k.vmo_create(p, 0xFFFF'FFFF'FFFE'0001, 0, &vmo));
    EXPECT_ZX(ZX_ERR_OUT_OF_RANGE, k.vmo_create(p, 0xFFFF'FFFF'FFFF'F000, 0, &vmo));
    ASSERT_ZX(ZX_OK, k.vmo_create(p, VmObject::kMaxSize, 0, &vmo));
    uint64_t size = 0;
    EXPECT_ZX(ZX_OK, k.vmo_get_size(p, vmo, &size));
    EXPECT_EQ(size, 0xFFFF'FFFF'FFFE'0000u);
  });
}

TEST_F(Vmo, Spec3_1_SizeIsRoundedUpToAPage) {
  run([](Kernel& k, Process& p) {
    for (uint64_t size = 0; size <= 4 * kPage; size += 511) {
      const zx_handle_t vmo = make_vmo(k, p, size);
      uint64_t got = 0;
      EXPECT_ZX(ZX_OK, k.vmo_get_size(p, vmo, &got));
      EXPECT_EQ(got, (size + kPage - 1) / kPage * kPage) << size;
      EXPECT_ZX(ZX_OK, k.handle_close(p, vmo));
    }
  });
}

TEST_F(Vmo, Spec3_1_DefaultRightsAndResizeForResizable) {
  run([](Kernel& k, Process& p) {
    EXPECT_EQ(rights_of(p, make_vmo(k, p, kPage)), 0xD0EFu);
    EXPECT_EQ(rights_of(p, make_vmo(k, p, kPage, ZX_VMO_RESIZABLE)), 0x40D0EFu);
    EXPECT_EQ(rights_of(p, make_vmo(k, p, kPage, ZX_VMO_DISCARDABLE)), 0xD0EFu);
  });
}

TEST_F(Vmo, Spec3_1_UnboundedTakesTheMaximumSizeAndIsNotResizable) {
  run([](Kernel& k, Process& p) {
    const zx_handle_t vmo = make_vmo(k, p, 12345, ZX_VMO_UNBOUNDED);
    uint64_t size = 0;
    EXPECT_ZX(ZX_OK, k.vmo_get_size(p, vmo, &size));
    EXPECT_EQ(size, VmObject::kMaxSize);
    EXPECT_ZX(ZX_ERR_UNAVAILABLE, k.vmo_set_size(p, vmo, kPage));
  });
}

TEST_F(Vmo, Spec3_1_NewVmoIsSparseAndReadsZero) {
  run([&](Kernel& k, Process& p) {
    const uint64_t used = k.pmm().used_pages();
    zx_handle_t vmo = ZX_HANDLE_INVALID;
    const uint64_t buffer = map_new(k, p, 4 * kPage);
    ASSERT_ZX(ZX_OK, k.vmo_create(p, 1ull << 40, 0, &vmo));  // 1 TiB on a 1 GiB machine
    store(k, p, buffer, pattern(4 * kPage, 1));
    const uint64_t before_read = k.pmm().used_pages();
    EXPECT_ZX(ZX_OK, k.vmo_read(p, vmo, buffer, (1ull << 40) - 2 * kPage, 2 * kPage));
    EXPECT_EQ(load(k, p, buffer, 2 * kPage), std::vector<uint8_t>(2 * kPage, 0));
    EXPECT_EQ(k.pmm().used_pages(), before_read);  // reads commit nothing in the VMO
    EXPECT_GT(before_read, used);                  // (the buffer's own pages)
  });
}

TEST_F(Vmo, Spec3_1_ZeroSizeIsLegalButAnyNonEmptyAccessIsOutOfRange) {
  run([](Kernel& k, Process& p) {
    const zx_handle_t vmo = make_vmo(k, p, 0);
    const uint64_t buffer = map_new(k, p, kPage);
    EXPECT_ZX(ZX_OK, k.vmo_write(p, vmo, buffer, 0, 0));
    EXPECT_ZX(ZX_ERR_OUT_OF_RANGE, k.vmo_write(p, vmo, buffer, 0, 1));
    EXPECT_ZX(ZX_ERR_OUT_OF_RANGE, k.vmo_read(p, vmo, buffer, 0, 1));
  });
}

TEST_F(Vmo, Spec3_1_ContentSizeIsTheUnroundedSize) {
  run([](Kernel& k, Process& p) {
    const zx_handle_t vmo = make_vmo(k, p, 5);
    std::shared_ptr<VmObject> object =
        std::dynamic_pointer_cast<VmObject>(p.handles().find(vmo)->object);
    EXPECT_EQ(object->content_size(), 5u);
    EXPECT_EQ(object->size(), kPage);
    EXPECT_EQ(object->cache_policy(), ZX_CACHE_POLICY_CACHED);
  });
}

// --- 3.2 zx_vmo_read / zx_vmo_write ---

TEST_F(Vmo, Spec3_2_ReadNeedsReadAndWriteNeedsWrite) {
  run([](Kernel& k, Process& p) {
    const zx_handle_t vmo = make_vmo(k, p, kPage);
    const uint64_t buffer = map_new(k, p, kPage);
    zx_handle_t read_only = ZX_HANDLE_INVALID;
    zx_handle_t write_only = ZX_HANDLE_INVALID;
    ASSERT_ZX(ZX_OK, k.handle_duplicate(p, vmo, ZX_RIGHT_READ, &read_only));
    ASSERT_ZX(ZX_OK, k.handle_duplicate(p, vmo, ZX_RIGHT_WRITE, &write_only));
    EXPECT_ZX(ZX_ERR_ACCESS_DENIED, k.vmo_write(p, read_only, buffer, 0, 8));
    EXPECT_ZX(ZX_ERR_ACCESS_DENIED, k.vmo_read(p, write_only, buffer, 0, 8));
    EXPECT_ZX(ZX_OK, k.vmo_read(p, read_only, buffer, 0, 8));
    EXPECT_ZX(ZX_OK, k.vmo_write(p, write_only, buffer, 0, 8));
  });
}

TEST_F(Vmo, Spec3_2_WrappingRangeIsOutOfRangeEvenWhenUncached) {
  run([](Kernel& k, Process& p) {
    const zx_handle_t vmo = make_vmo(k, p, kPage);
    EXPECT_ZX(ZX_ERR_OUT_OF_RANGE, k.vmo_write(p, vmo, 0, UINT64_MAX, 2));
    ASSERT_ZX(ZX_OK, k.vmo_set_cache_policy(p, vmo, ZX_CACHE_POLICY_UNCACHED));
    EXPECT_ZX(ZX_ERR_OUT_OF_RANGE, k.vmo_write(p, vmo, 0, UINT64_MAX, 2));
    EXPECT_ZX(ZX_ERR_OUT_OF_RANGE, k.vmo_read(p, vmo, 0, 2, UINT64_MAX));
  });
}

TEST_F(Vmo, Spec3_2_UncachedVmoRejectsReadAndWriteWithBadState) {
  run([](Kernel& k, Process& p) {
    const zx_handle_t vmo = make_vmo(k, p, 2 * kPage);
    const uint64_t buffer = map_new(k, p, kPage);
    for (uint32_t policy : {ZX_CACHE_POLICY_UNCACHED, ZX_CACHE_POLICY_UNCACHED_DEVICE,
                            ZX_CACHE_POLICY_WRITE_COMBINING}) {
      ASSERT_ZX(ZX_OK, k.vmo_set_cache_policy(p, vmo, policy));
      EXPECT_ZX(ZX_ERR_BAD_STATE, k.vmo_write(p, vmo, buffer, 0, 16)) << policy;
      EXPECT_ZX(ZX_ERR_BAD_STATE, k.vmo_read(p, vmo, buffer, 0, 16)) << policy;
      // Zero length does not return early: the cache check still comes first.
      EXPECT_ZX(ZX_ERR_BAD_STATE, k.vmo_write(p, vmo, 0, 0, 0));
      // Past the end, the cache check wins over the size check.
      EXPECT_ZX(ZX_ERR_BAD_STATE, k.vmo_write(p, vmo, buffer, 2 * kPage, 16));
    }
    // Nothing was committed by the refused writes.
    EXPECT_EQ(std::dynamic_pointer_cast<VmObject>(p.handles().find(vmo)->object)->committed_pages(),
              0u);
  });
}

TEST_F(Vmo, Spec3_2_MissingWriteRightBeatsUncached) {
  run([](Kernel& k, Process& p) {
    const zx_handle_t vmo = make_vmo(k, p, kPage);
    ASSERT_ZX(ZX_OK, k.vmo_set_cache_policy(p, vmo, ZX_CACHE_POLICY_UNCACHED));
    zx_handle_t read_only = ZX_HANDLE_INVALID;
    ASSERT_ZX(ZX_OK, k.handle_duplicate(p, vmo, ZX_RIGHT_READ, &read_only));
    EXPECT_ZX(ZX_ERR_ACCESS_DENIED, k.vmo_write(p, read_only, 0, 0, 16));
  });
}

TEST_F(Vmo, Spec3_2_WritePastTheEndIsOutOfRangeAndWritesNothing) {
  run([](Kernel& k, Process& p) {
    const zx_handle_t vmo = make_vmo(k, p, kPage);
    const uint64_t buffer = map_new(k, p, kPage);
    store(k, p, buffer, pattern(64, 9));
    EXPECT_ZX(ZX_ERR_OUT_OF_RANGE, k.vmo_write(p, vmo, buffer, kPage - 10, 20));
    EXPECT_ZX(ZX_ERR_OUT_OF_RANGE, k.vmo_write(p, vmo, buffer, 0, kPage + 1));
    EXPECT_EQ(std::dynamic_pointer_cast<VmObject>(p.handles().find(vmo)->object)->committed_pages(),
              0u);
    EXPECT_ZX(ZX_OK, k.vmo_read(p, vmo, buffer, kPage - 64, 64));
    EXPECT_EQ(load(k, p, buffer, 64), std::vector<uint8_t>(64, 0));
  });
}

TEST_F(Vmo, Spec3_2_ZeroLengthAtTheEndIsOkAndPastItIsOutOfRange) {
  run([](Kernel& k, Process& p) {
    const zx_handle_t vmo = make_vmo(k, p, kPage);
    // A zero-length access never touches its buffer: NULL is fine.
    EXPECT_ZX(ZX_OK, k.vmo_write(p, vmo, 0, kPage, 0));
    EXPECT_ZX(ZX_OK, k.vmo_read(p, vmo, 0, kPage, 0));
    EXPECT_ZX(ZX_ERR_OUT_OF_RANGE, k.vmo_write(p, vmo, 0, kPage + 1, 0));
    EXPECT_ZX(ZX_ERR_OUT_OF_RANGE, k.vmo_read(p, vmo, 0, kPage + 1, 0));
  });
}

TEST_F(Vmo, Spec3_2_HugeLengthIsOutOfRangeWithoutTouchingTheBuffer) {
  run([](Kernel& k, Process& p) {
    const zx_handle_t vmo = make_vmo(k, p, kPage);
    EXPECT_ZX(ZX_ERR_OUT_OF_RANGE, k.vmo_write(p, vmo, 0, 0, SIZE_MAX - kPage));
    EXPECT_ZX(ZX_ERR_OUT_OF_RANGE, k.vmo_read(p, vmo, 0, 0, SIZE_MAX - kPage));
  });
}

TEST_F(Vmo, Spec3_2_ReadAndWriteDoNotChangeTheSizes) {
  run([](Kernel& k, Process& p) {
    const zx_handle_t vmo = make_vmo(k, p, 100, ZX_VMO_RESIZABLE);
    const uint64_t buffer = map_new(k, p, kPage);
    EXPECT_ZX(ZX_OK, k.vmo_write(p, vmo, buffer, 0, kPage));
    uint64_t size = 0;
    EXPECT_ZX(ZX_OK, k.vmo_get_size(p, vmo, &size));
    EXPECT_EQ(size, kPage);
    EXPECT_EQ(std::dynamic_pointer_cast<VmObject>(p.handles().find(vmo)->object)->content_size(),
              100u);
  });
}

// --- 3.3 zx_vmo_get_size ---

TEST_F(Vmo, Spec3_3_GetSizeNeedsNoRights) {
  run([](Kernel& k, Process& p) {
    const zx_handle_t vmo = make_vmo(k, p, 3 * kPage + 1);
    zx_handle_t none = ZX_HANDLE_INVALID;
    ASSERT_ZX(ZX_OK, k.handle_duplicate(p, vmo, ZX_RIGHT_NONE, &none));
    uint64_t size = 0;
    EXPECT_ZX(ZX_OK, k.vmo_get_size(p, none, &size));
    EXPECT_EQ(size, 4 * kPage);
    EXPECT_ZX(ZX_ERR_BAD_HANDLE, k.vmo_get_size(p, ZX_HANDLE_INVALID, &size));
    EXPECT_ZX(ZX_ERR_WRONG_TYPE, k.vmo_get_size(p, p.root_vmar_handle(), &size));
  });
}

// --- 3.4 zx_vmo_set_size ---

TEST_F(Vmo, Spec3_4_SetSizeRightsAndResizability) {
  run([](Kernel& k, Process& p) {
    const zx_handle_t resizable = make_vmo(k, p, kPage, ZX_VMO_RESIZABLE);
    const zx_handle_t fixed = make_vmo(k, p, kPage);
    zx_handle_t no_write = ZX_HANDLE_INVALID;
    ASSERT_ZX(ZX_OK, k.handle_duplicate(p, resizable, ZX_RIGHT_RESIZE, &no_write));
    EXPECT_ZX(ZX_ERR_ACCESS_DENIED, k.vmo_set_size(p, no_write, 2 * kPage));
    zx_handle_t no_resize = ZX_HANDLE_INVALID;
    ASSERT_ZX(ZX_OK, k.handle_duplicate(p, resizable, ZX_RIGHT_WRITE, &no_resize));
    EXPECT_ZX(ZX_ERR_ACCESS_DENIED, k.vmo_set_size(p, no_resize, 2 * kPage));
    // A non-resizable VMO answers UNAVAILABLE, RESIZE right or not.
    EXPECT_EQ(rights_of(p, fixed) & ZX_RIGHT_RESIZE, 0u);
    EXPECT_ZX(ZX_ERR_UNAVAILABLE, k.vmo_set_size(p, fixed, 2 * kPage));
    EXPECT_ZX(ZX_OK, k.vmo_set_size(p, resizable, 2 * kPage));
  });
}

TEST_F(Vmo, Spec3_4_SetSizeThatWrapsOrExceedsTheMaximumIsOutOfRange) {
  run([](Kernel& k, Process& p) {
    const zx_handle_t vmo = make_vmo(k, p, kPage, ZX_VMO_RESIZABLE);
    const zx_handle_t fixed = make_vmo(k, p, kPage);
    EXPECT_ZX(ZX_ERR_OUT_OF_RANGE, k.vmo_set_size(p, vmo, UINT64_MAX));
    // Rounding comes before resizability.
    EXPECT_ZX(ZX_ERR_OUT_OF_RANGE, k.vmo_set_size(p, fixed, UINT64_MAX));
    EXPECT_ZX(ZX_ERR_OUT_OF_RANGE, k.vmo_set_size(p, vmo, 0xFFFF'FFFF'FFFF'0000));
  });
}

TEST_F(Vmo, Spec3_4_ShrinkFreesPagesAndAMappingPastTheEndFaultsOutOfRange) {
  run([](Kernel& k, Process& p) {
    const zx_handle_t vmo = make_vmo(k, p, 4 * kPage, ZX_VMO_RESIZABLE);
    uint64_t mapped = 0;
    ASSERT_ZX(ZX_OK, k.vmar_map(p, p.root_vmar_handle(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo,
                                0, 4 * kPage, &mapped));
    store(k, p, mapped, pattern(4 * kPage, 3));
    auto object = std::dynamic_pointer_cast<VmObject>(p.handles().find(vmo)->object);
    EXPECT_EQ(object->committed_pages(), 4u);
    ASSERT_ZX(ZX_OK, k.vmo_set_size(p, vmo, kPage));
    EXPECT_EQ(object->committed_pages(), 1u);
    uint8_t byte = 0;
    EXPECT_ZX(ZX_ERR_OUT_OF_RANGE, k.user_load(p, mapped + 2 * kPage, &byte, 1));
    EXPECT_ZX(ZX_OK, k.user_load(p, mapped + 100, &byte, 1));
    // Growing again exposes zeros, not the old data.
    ASSERT_ZX(ZX_OK, k.vmo_set_size(p, vmo, 4 * kPage));
    EXPECT_EQ(load(k, p, mapped + 2 * kPage, 16), std::vector<uint8_t>(16, 0));
  });
}

TEST_F(Vmo, Spec3_4_UnalignedSizeZeroesTheTailOfTheLastPage) {
  run([](Kernel& k, Process& p) {
    const zx_handle_t vmo = make_vmo(k, p, 2 * kPage, ZX_VMO_RESIZABLE);
    const uint64_t buffer = map_new(k, p, 2 * kPage);
    const auto data = pattern(2 * kPage, 5);
    store(k, p, buffer, data);
    ASSERT_ZX(ZX_OK, k.vmo_write(p, vmo, buffer, 0, 2 * kPage));
    ASSERT_ZX(ZX_OK, k.vmo_set_size(p, vmo, kPage + 100));
    auto object = std::dynamic_pointer_cast<VmObject>(p.handles().find(vmo)->object);
    EXPECT_EQ(object->size(), 2 * kPage);
    EXPECT_EQ(object->content_size(), kPage + 100);
    ASSERT_ZX(ZX_OK, k.vmo_read(p, vmo, buffer, 0, 2 * kPage));
    const auto seen = load(k, p, buffer, 2 * kPage);
    EXPECT_TRUE(std::equal(seen.begin(), seen.begin() + kPage + 100, data.begin()));
    EXPECT_TRUE(std::all_of(seen.begin() + kPage + 100, seen.end(), [](uint8_t b) { return !b; }));
  });
}

}  // namespace
}  // namespace zxvp
