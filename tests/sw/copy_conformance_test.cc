// How zx_vmo_write and zx_vmo_read copy (zircon-vmo.md section 4), which error wins (section 5),
// isolation between processes, exhaustion of physical memory, and the zx_* user API.
#include <gtest/gtest.h>

#include "sw/api/user_thread.h"
#include "tests/support/kernel_fixture.h"

namespace zxvp {
namespace {

using testing::KernelTest;
constexpr uint64_t kPage = ZX_PAGE_SIZE;
constexpr uint32_t kReadWrite = ZX_VM_PERM_READ | ZX_VM_PERM_WRITE;

class Copy : public KernelTest {};
class ErrorPrecedence : public KernelTest {};
class Exhaustion : public KernelTest {};

std::shared_ptr<VmObject> object_of(Process& p, zx_handle_t handle) {
  return std::dynamic_pointer_cast<VmObject>(p.handles().find(handle)->object);
}

// --- 4.1 The copy loop ---

TEST_F(Copy, Spec4_1_OneByteWriteCommitsAWholeZeroedPage) {
  run([](Kernel& k, Process& p) {
    const zx_handle_t vmo = make_vmo(k, p, 4 * kPage);
    const uint64_t buffer = map_new(k, p, kPage);
    store(k, p, buffer, {0xAB});
    ASSERT_ZX(ZX_OK, k.vmo_write(p, vmo, buffer, kPage + 5, 1));
    EXPECT_EQ(object_of(p, vmo)->committed_pages(), 1u);
    ASSERT_ZX(ZX_OK, k.vmo_read(p, vmo, buffer, kPage, kPage));
    auto seen = load(k, p, buffer, kPage);
    EXPECT_EQ(seen[5], 0xAB);
    seen[5] = 0;
    EXPECT_EQ(seen, std::vector<uint8_t>(kPage, 0));
  });
}

TEST_F(Copy, Spec4_1_DataRoundTripsAcrossPagesAtUnalignedOffsets) {
  run([](Kernel& k, Process& p) {
    const zx_handle_t vmo = make_vmo(k, p, 8 * kPage);
    const uint64_t source = map_new(k, p, 4 * kPage);
    const uint64_t destination = map_new(k, p, 4 * kPage);
    for (uint64_t length :
         std::initializer_list<uint64_t>{1, 7, 4095, 4096, 4097, 3 * kPage + 123}) {
      for (uint64_t vmo_offset : std::initializer_list<uint64_t>{0, 1, 4095, 3 * kPage + 17}) {
        const uint64_t buffer_offset = (vmo_offset * 13) % 200;
        const auto data = pattern(length, static_cast<uint8_t>(length + vmo_offset));
        store(k, p, source + buffer_offset, data);
        ASSERT_ZX(ZX_OK, k.vmo_write(p, vmo, source + buffer_offset, vmo_offset, length));
        ASSERT_ZX(ZX_OK, k.vmo_read(p, vmo, destination + 3, vmo_offset, length));
        ASSERT_EQ(load(k, p, destination + 3, length), data) << length << " at " << vmo_offset;
      }
    }
  });
}

// Past 1 MiB the host moves a CPU copy's bytes with streaming stores
// (models/memory/streaming_copy.h): the bytes must be the same, at offsets not line aligned.
TEST_F(Copy, Spec4_1_DataOfACopyLongerThanAMegabyteRoundTrips) {
  configure({"kernel.copy_engine=cpu"});
  run([](Kernel& k, Process& p) {
    const uint64_t length = 3 * 256 * kPage + 123;
    const uint64_t source = map_new(k, p, length + kPage);
    const uint64_t destination = map_new(k, p, length + kPage);
    const auto data = pattern(length, 0x3D);
    store(k, p, source + 5, data);
    // Committed at once, the VMO's pages follow each other as the buffer's do: the copy is one
    // run on both sides.
    const zx_handle_t vmo = make_vmo(k, p, length + 2 * kPage);
    ASSERT_ZX(ZX_OK, k.vmo_op_range(p, vmo, ZX_VMO_OP_COMMIT, 0, length + 2 * kPage, 0));
    ASSERT_ZX(ZX_OK, k.vmo_write(p, vmo, source + 5, 77, length));
    ASSERT_ZX(ZX_OK, k.vmo_read(p, vmo, destination + 9, 77, length));
    ASSERT_EQ(load(k, p, destination + 9, length), data);
  });
}

TEST_F(Copy, Spec4_1_WriteFromAMappingOfASnapshotChildForksOnlyTheDestination) {
  run([](Kernel& k, Process& p) {
    zx_handle_t parent = ZX_HANDLE_INVALID;
    const uint64_t parent_map = map_new(k, p, kPage, kReadWrite, &parent);
    store(k, p, parent_map, pattern(kPage, 1));
    zx_handle_t child = ZX_HANDLE_INVALID;
    ASSERT_ZX(ZX_OK, k.vmo_create_child(p, parent, ZX_VMO_CHILD_SNAPSHOT, 0, kPage, &child));
    // Write the child's page from the parent's mapping: the child forks, the parent is intact.
    ASSERT_ZX(ZX_OK, k.vmo_write(p, child, parent_map + 8, 0, 8));
    const uint64_t buffer = map_new(k, p, kPage);
    ASSERT_ZX(ZX_OK, k.vmo_read(p, child, buffer, 0, 16));
    auto expected = pattern(kPage, 1);
    std::copy(expected.begin() + 8, expected.begin() + 16, expected.begin());
    EXPECT_EQ(load(k, p, buffer, 16),
              std::vector<uint8_t>(expected.begin(), expected.begin() + 16));
    EXPECT_EQ(load(k, p, parent_map, kPage), pattern(kPage, 1));
  });
}

TEST_F(Copy, Spec4_1_APartialWriteIsNotRolledBack) {
  run([](Kernel& k, Process& p) {
    const zx_handle_t vmo = make_vmo(k, p, 4 * kPage);
    // A two-page buffer whose second page is then unmapped.
    const uint64_t buffer = map_new(k, p, 2 * kPage);
    const auto data = pattern(kPage, 9);
    store(k, p, buffer, data);
    ASSERT_ZX(ZX_OK, k.vmar_unmap(p, p.root_vmar_handle(), buffer + kPage, kPage));
    EXPECT_ZX(ZX_ERR_NOT_FOUND, k.vmo_write(p, vmo, buffer, 0, 2 * kPage));
    const uint64_t readback = map_new(k, p, 2 * kPage);
    ASSERT_ZX(ZX_OK, k.vmo_read(p, vmo, readback, 0, 2 * kPage));
    EXPECT_EQ(load(k, p, readback, kPage), data);  // the first chunk stays written
    EXPECT_EQ(load(k, p, readback + kPage, kPage), std::vector<uint8_t>(kPage, 0));
    // The page that was required before the fault stays committed.
    EXPECT_EQ(object_of(p, vmo)->committed_pages(), 2u);
  });
}

TEST_F(Copy, Spec4_1_ReadIntoAMappingOfTheSameVmoWorks) {
  run([](Kernel& k, Process& p) {
    zx_handle_t vmo = ZX_HANDLE_INVALID;
    const uint64_t address = map_new(k, p, 2 * kPage, kReadWrite, &vmo);
    const auto data = pattern(kPage, 33);
    store(k, p, address + kPage, data);
    // Read page 1 of the VMO into the mapping of its page 0.
    ASSERT_ZX(ZX_OK, k.vmo_read(p, vmo, address, kPage, kPage));
    EXPECT_EQ(load(k, p, address, kPage), data);
  });
}

// --- 4.2 Which error a bad user buffer gives ---

TEST_F(Copy, Spec4_2_UnmappedAndNullBuffersAreNotFound) {
  run([](Kernel& k, Process& p) {
    const zx_handle_t vmo = make_vmo(k, p, kPage);
    EXPECT_ZX(ZX_ERR_NOT_FOUND, k.vmo_write(p, vmo, 0, 0, 16));
    EXPECT_ZX(ZX_ERR_NOT_FOUND, k.vmo_write(p, vmo, 0x1000, 0, 16));
    EXPECT_ZX(ZX_ERR_NOT_FOUND, k.vmo_read(p, vmo, 0, 0, 16));
    EXPECT_ZX(ZX_ERR_NOT_FOUND, k.vmo_write(p, vmo, 0x7FFF'0000'0000, 0, 16));
  });
}

TEST_F(Copy, Spec4_2_KernelAndWrappingAddressesAreSquashedToNotFound) {
  run([](Kernel& k, Process& p) {
    const zx_handle_t vmo = make_vmo(k, p, 2 * kPage);
    EXPECT_ZX(ZX_ERR_NOT_FOUND, k.vmo_write(p, vmo, 0xFFFF'8000'0000'0000, 0, 16));
    EXPECT_ZX(ZX_ERR_NOT_FOUND, k.vmo_write(p, vmo, 0x8000'0000'0000, 0, 16));
    EXPECT_ZX(ZX_ERR_NOT_FOUND, k.vmo_read(p, vmo, UINT64_MAX - 8, 0, 16));
  });
}

TEST_F(Copy, Spec4_2_BufferWithoutThePermissionIsAccessDenied) {
  run([](Kernel& k, Process& p) {
    const zx_handle_t vmo = make_vmo(k, p, kPage);
    const zx_handle_t backing = make_vmo(k, p, kPage);
    uint64_t no_permissions = 0;
    ASSERT_ZX(ZX_OK, k.vmar_map(p, p.root_vmar_handle(), 0, 0, backing, 0, kPage, &no_permissions));
    EXPECT_ZX(ZX_ERR_ACCESS_DENIED, k.vmo_write(p, vmo, no_permissions, 0, 16));
    uint64_t read_only = 0;
    ASSERT_ZX(ZX_OK, k.vmar_map(p, p.root_vmar_handle(), ZX_VM_PERM_READ, 0, backing, 0, kPage,
                                &read_only));
    EXPECT_ZX(ZX_OK, k.vmo_write(p, vmo, read_only, 0, 16));
    EXPECT_ZX(ZX_ERR_ACCESS_DENIED, k.vmo_read(p, vmo, read_only, 0, 16));
  });
}

TEST_F(Copy, Spec4_2_BufferPastTheEndOfItsVmoIsOutOfRange) {
  run([](Kernel& k, Process& p) {
    const zx_handle_t vmo = make_vmo(k, p, 2 * kPage);
    const zx_handle_t small = make_vmo(k, p, kPage);
    uint64_t big_mapping = 0;
    ASSERT_ZX(ZX_OK, k.vmar_map(p, p.root_vmar_handle(), kReadWrite, 0, small, 0, 2 * kPage,
                                &big_mapping));
    EXPECT_ZX(ZX_ERR_OUT_OF_RANGE, k.vmo_write(p, vmo, big_mapping + kPage, 0, 16));
    EXPECT_ZX(ZX_ERR_OUT_OF_RANGE, k.vmo_read(p, vmo, big_mapping + kPage - 8, 0, 16));
  });
}

// --- 4.3 Size rounding ---

TEST_F(Copy, Spec4_3_FiveByteVmoTakesWritesAnywhereInItsPage) {
  run([](Kernel& k, Process& p) {
    const zx_handle_t vmo = make_vmo(k, p, 5);
    const uint64_t buffer = map_new(k, p, kPage);
    EXPECT_ZX(ZX_OK, k.vmo_write(p, vmo, buffer, kPage - 100, 100));
    EXPECT_ZX(ZX_ERR_OUT_OF_RANGE, k.vmo_write(p, vmo, buffer, kPage - 100, 101));
  });
}

// --- 5 Which error wins ---

TEST_F(ErrorPrecedence, Spec5_TableRows) {
  run([](Kernel& k, Process& p) {
    const zx_handle_t vmo = make_vmo(k, p, kPage);
    const zx_handle_t uncached = make_vmo(k, p, kPage);
    ASSERT_ZX(ZX_OK, k.vmo_set_cache_policy(p, uncached, ZX_CACHE_POLICY_UNCACHED));
    zx_handle_t uncached_read_only = ZX_HANDLE_INVALID;
    ASSERT_ZX(ZX_OK, k.handle_duplicate(p, uncached, ZX_RIGHT_READ, &uncached_read_only));
    zx_handle_t vmar_no_rights = ZX_HANDLE_INVALID;
    ASSERT_ZX(ZX_OK, k.handle_duplicate(p, p.root_vmar_handle(), 0, &vmar_no_rights));
    zx_handle_t out = ZX_HANDLE_INVALID;
    uint64_t address = 0;

    EXPECT_ZX(ZX_ERR_ACCESS_DENIED, k.vmo_write(p, uncached_read_only, 0, 0, 1));
    EXPECT_ZX(ZX_ERR_WRONG_TYPE, k.vmo_write(p, vmar_no_rights, 0, 0, 1));
    EXPECT_ZX(ZX_ERR_OUT_OF_RANGE, k.vmo_write(p, uncached, 0, UINT64_MAX, 2));
    EXPECT_ZX(ZX_ERR_BAD_STATE, k.vmo_write(p, uncached, 0, 0, 0));
    EXPECT_ZX(ZX_ERR_OUT_OF_RANGE, k.vmo_write(p, vmo, 0, kPage + 1, 0));
    EXPECT_ZX(ZX_ERR_OUT_OF_RANGE, k.vmo_write(p, vmo, 0, kPage, 1));
    EXPECT_ZX(ZX_ERR_NOT_FOUND, k.vmo_write(p, vmo, 0, 0, 1));
    EXPECT_ZX(ZX_ERR_INVALID_ARGS, k.vmo_set_cache_policy(p, ZX_HANDLE_INVALID, 0x10));
    uint64_t mapped = 0;
    ASSERT_ZX(ZX_OK,
              k.vmar_map(p, p.root_vmar_handle(), ZX_VM_PERM_READ, 0, vmo, 0, kPage, &mapped));
    EXPECT_ZX(ZX_ERR_BAD_STATE, k.vmo_set_cache_policy(p, vmo, ZX_CACHE_POLICY_CACHED));
    EXPECT_ZX(ZX_ERR_OUT_OF_RANGE,
              k.vmo_create_child(p, ZX_HANDLE_INVALID, ZX_VMO_CHILD_SNAPSHOT, 0, UINT64_MAX, &out));
    EXPECT_ZX(ZX_ERR_INVALID_ARGS,
              k.vmo_create_child(p, ZX_HANDLE_INVALID,
                                 ZX_VMO_CHILD_NO_WRITE | ZX_VMO_CHILD_RESIZABLE, 0, kPage, &out));
    const zx_handle_t resizable = make_vmo(k, p, kPage, ZX_VMO_RESIZABLE);
    EXPECT_ZX(ZX_ERR_INVALID_ARGS,
              k.vmo_create_child(p, resizable, ZX_VMO_CHILD_SLICE, kPage, kPage, &out));
    EXPECT_ZX(ZX_ERR_BAD_HANDLE, k.vmo_op_range(p, ZX_HANDLE_INVALID, 1000, 0, 0, 0));
    zx_handle_t no_rights = ZX_HANDLE_INVALID;
    ASSERT_ZX(ZX_OK, k.handle_duplicate(p, vmo, 0, &no_rights));
    EXPECT_ZX(ZX_ERR_INVALID_ARGS, k.vmo_op_range(p, no_rights, 1000, 0, 0, 0));
    EXPECT_ZX(ZX_ERR_NOT_SUPPORTED,
              k.vmo_op_range(p, no_rights, ZX_VMO_OP_CACHE_INVALIDATE, 0, kPage, 0));
    EXPECT_ZX(ZX_ERR_OUT_OF_RANGE, k.vmo_op_range(p, vmo, ZX_VMO_OP_DECOMMIT, kPage + 1, 5, 0));
    zx_handle_t fixed_write_only = ZX_HANDLE_INVALID;
    ASSERT_ZX(ZX_OK, k.handle_duplicate(p, vmo, ZX_RIGHT_WRITE, &fixed_write_only));
    EXPECT_ZX(ZX_ERR_UNAVAILABLE, k.vmo_set_size(p, fixed_write_only, 2 * kPage));
    zx_handle_t resizable_write_only = ZX_HANDLE_INVALID;
    ASSERT_ZX(ZX_OK, k.handle_duplicate(p, resizable, ZX_RIGHT_WRITE, &resizable_write_only));
    EXPECT_ZX(ZX_ERR_ACCESS_DENIED, k.vmo_set_size(p, resizable_write_only, 2 * kPage));
    zx_handle_t no_map = ZX_HANDLE_INVALID;
    ASSERT_ZX(ZX_OK, k.handle_duplicate(p, vmo, ZX_RIGHT_READ, &no_map));
    EXPECT_ZX(ZX_ERR_ACCESS_DENIED,
              k.vmar_map(p, p.root_vmar_handle(), 0, 0, no_map, 0, kPage, &address));
    EXPECT_ZX(ZX_ERR_INVALID_ARGS,
              k.vmar_map(p, p.root_vmar_handle(), ZX_VM_PERM_WRITE, 0, vmo, 0, kPage, &address));
    zx_handle_t source = ZX_HANDLE_INVALID;
    ASSERT_ZX(ZX_OK, k.handle_duplicate(p, vmo, ZX_RIGHT_READ, &source));
    EXPECT_ZX(ZX_ERR_INVALID_ARGS, k.handle_replace(p, source, ZX_RIGHT_WRITE, &out));
    EXPECT_ZX(ZX_ERR_BAD_HANDLE, k.handle_close(p, source));
    EXPECT_ZX(ZX_ERR_ACCESS_DENIED, k.handle_duplicate(p, no_map, ZX_RIGHT_READ, &out));
    EXPECT_ZX(ZX_OK, k.handle_close(p, ZX_HANDLE_INVALID));
  });
}

// --- Isolation ---

TEST_F(Copy, ProcessesHaveSeparateAddressSpaces) {
  run([](Kernel& k, Process& p) {
    Process& other = *k.create_process("other");
    const uint64_t mine = map_new(k, p, kPage);
    const uint64_t theirs = map_new(k, other, kPage);
    EXPECT_EQ(mine, theirs);  // the same address in each space
    store(k, p, mine, pattern(16, 1));
    store(k, other, theirs, pattern(16, 2));
    EXPECT_EQ(load(k, p, mine, 16), pattern(16, 1));
    EXPECT_EQ(load(k, other, theirs, 16), pattern(16, 2));
    const uint64_t only_mine = map_new(k, p, kPage);
    uint8_t byte = 0;
    EXPECT_ZX(ZX_ERR_NOT_FOUND, k.user_load(other, only_mine, &byte, 1));
  });
}

// --- Exhaustion ---

TEST_F(Exhaustion, WritesFailWithNoMemoryAndEveryPageComesBack) {
  configure({"memory.size=1MiB"});  // 256 pages
  run([](Kernel& k, Process& p) {
    // The root table, and the kernel's own pages (the DMA ring and zero page).
    const uint64_t baseline = k.pmm().used_pages();
    EXPECT_EQ(baseline, 1 + k.kernel_pages());
    const zx_handle_t vmo = make_vmo(k, p, 2 * 1024 * 1024);
    zx_handle_t buffer_vmo = ZX_HANDLE_INVALID;
    const uint64_t buffer = map_new(k, p, kPage, kReadWrite, &buffer_vmo);
    store(k, p, buffer, pattern(kPage, 1));
    uint64_t written = 0;
    zx_status_t status = ZX_OK;
    for (; written < 2 * 1024 * 1024; written += kPage) {
      status = k.vmo_write(p, vmo, buffer, written, kPage);
      if (status != ZX_OK) break;
    }
    EXPECT_ZX(ZX_ERR_NO_MEMORY, status);
    EXPECT_EQ(k.pmm().free_pages(), 0u);
    EXPECT_GT(written, 200 * kPage);
    EXPECT_EQ(k.pmm().used_pages(), k.committed_pages() + k.page_table_pages() + k.kernel_pages());
    // Everything is still usable: the committed pages read back, a committed page takes writes.
    const auto data = pattern(kPage, 1);
    ASSERT_ZX(ZX_OK, k.vmo_write(p, vmo, buffer, 0, kPage));
    EXPECT_ZX(ZX_ERR_NO_MEMORY, k.vmo_op_range(p, vmo, ZX_VMO_OP_COMMIT, written, kPage, 0));
    zx_handle_t child = ZX_HANDLE_INVALID;
    ASSERT_ZX(ZX_OK, k.vmo_create_child(p, vmo, ZX_VMO_CHILD_SNAPSHOT, 0, kPage, &child));
    EXPECT_ZX(ZX_ERR_NO_MEMORY, k.vmo_write(p, child, buffer, 0, 1));  // the fork needs a page
    EXPECT_ZX(ZX_OK, k.vmo_read(p, vmo, buffer, written - kPage, kPage));
    EXPECT_EQ(load(k, p, buffer, kPage), data);
    uint8_t byte = 0;
    zx_handle_t fresh_vmo = ZX_HANDLE_INVALID;
    const uint64_t fresh = map_new(k, p, kPage, kReadWrite, &fresh_vmo);
    EXPECT_ZX(ZX_ERR_NO_MEMORY, k.user_store(p, fresh, &byte, 1));
    // Close and unmap everything: every page but the process's root table is free again.
    for (zx_handle_t handle : {child, vmo, buffer_vmo, fresh_vmo}) {
      ASSERT_ZX(ZX_OK, k.handle_close(p, handle));
    }
    ASSERT_ZX(ZX_OK, k.vmar_unmap(p, p.root_vmar_handle(), VmAddressRegion::kBase, 1ull << 40));
    EXPECT_EQ(k.committed_pages(), 0u);
    EXPECT_EQ(k.pmm().used_pages(), baseline);
    EXPECT_EQ(k.page_table_pages(), 1u);
  });
}

TEST_F(Exhaustion, AnExitingProcessGivesBackEveryPageItHeld) {
  run([](Kernel& k, Process& p) {
    const uint64_t baseline = k.pmm().used_pages();
    Process* other = k.create_process("other");
    ASSERT_NE(other, nullptr);
    const uint64_t buffer = map_new(k, *other, 64 * kPage);
    store(k, *other, buffer, pattern(64 * kPage, 3));
    const zx_handle_t vmo = make_vmo(k, *other, 16 * kPage);
    ASSERT_ZX(ZX_OK, k.vmo_write(*other, vmo, buffer, 0, 16 * kPage));
    // A VMO shared with the surviving process stays alive through its handle.
    zx_handle_t shared = ZX_HANDLE_INVALID;
    ASSERT_ZX(ZX_OK, k.vmo_create(p, kPage, 0, &shared));
    EXPECT_GT(k.pmm().used_pages(), baseline + 64);
    k.destroy_process(*other);
    EXPECT_EQ(k.pmm().used_pages(), baseline);
    EXPECT_EQ(k.committed_pages(), 0u);
    EXPECT_ZX(ZX_OK, k.vmo_write(p, shared, 0, 0, 0));
    // A new process gets a fresh address space (and an ASID of its own).
    Process* next = k.create_process("next");
    ASSERT_NE(next, nullptr);
    EXPECT_NE(next->asid(), p.asid());
    uint8_t byte = 0;
    EXPECT_ZX(ZX_ERR_NOT_FOUND, k.user_load(*next, buffer, &byte, 1));
  });
}

// --- The zx_* API for user programs ---

TEST_F(Copy, UserProgramsCallTheKernelThroughZirconsSignatures) {
  ParameterSet parameters;
  System::declare_parameters(parameters);
  load_platform_file("default", parameters);
  System system(parameters);
  bool finished = false;
  system.kernel().cpu().start_thread("boot", [&] {
    Process* process = system.kernel().create_process("app");
    ASSERT_NE(process, nullptr);
    system.start_user_thread(*process, "app", [&] {
      zx_handle_t vmo = ZX_HANDLE_INVALID;
      ASSERT_EQ(zx_vmo_create(3 * kPage, 0, &vmo), ZX_OK);
      zx_vaddr_t buffer = 0;
      ASSERT_EQ(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0,
                            3 * kPage, &buffer),
                ZX_OK);
      const char message[] = "hello, zircon";
      ASSERT_EQ(zxvp::user_store(buffer, message, sizeof message), ZX_OK);
      zx_handle_t copy = ZX_HANDLE_INVALID;
      ASSERT_EQ(zx_vmo_create(kPage, 0, &copy), ZX_OK);
      EXPECT_EQ(zx_vmo_write(copy, reinterpret_cast<const void*>(buffer), 100, sizeof message),
                ZX_OK);
      EXPECT_EQ(zx_vmo_read(copy, reinterpret_cast<void*>(buffer + kPage), 100, sizeof message),
                ZX_OK);
      char seen[sizeof message] = {};
      ASSERT_EQ(zxvp::user_load(buffer + kPage, seen, sizeof seen), ZX_OK);
      EXPECT_STREQ(seen, message);
      EXPECT_EQ(zx_vmo_write(copy, nullptr, 0, 1), ZX_ERR_NOT_FOUND);
      uint64_t size = 0;
      EXPECT_EQ(zx_vmo_get_size(copy, &size), ZX_OK);
      EXPECT_EQ(size, kPage);
      EXPECT_EQ(zx_handle_close(copy), ZX_OK);
      EXPECT_EQ(zx_vmar_unmap(zx_vmar_root_self(), buffer, 3 * kPage), ZX_OK);
      finished = true;
    });
  });
  sc_core::sc_start();
  EXPECT_TRUE(finished);
}

}  // namespace
}  // namespace zxvp
