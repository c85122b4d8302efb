#include "models/cpu/cpu_core.h"

#include <gtest/gtest.h>

#include <numeric>
#include <vector>

#include "models/cache/cache.h"
#include "tests/support/cpu_rig.h"
#include "tests/support/simulation.h"

namespace zxvp {
namespace {

using sc_core::sc_time;
using testing::CpuRig;
using testing::kKernelReadWrite;
using testing::kUserReadOnly;
using testing::kUserReadWrite;
using testing::mmu_config;

constexpr uint64_t kBuffer = 0x4000'0000;
constexpr uint64_t kPage = 0x20'0000;

std::vector<uint8_t> pattern(size_t length, uint8_t seed) {
  std::vector<uint8_t> bytes(length);
  std::iota(bytes.begin(), bytes.end(), seed);
  return bytes;
}

// Runs `program` as software on the rig's core, then simulates to the end.
void run_on_core(CpuRig& rig, std::function<void()> program) {
  bool finished = false;
  rig.cpu.start_thread("program", [&] {
    program();
    finished = true;
  });
  sc_core::sc_start();
  ASSERT_TRUE(finished);
}

TEST(CpuCore, UserStoreAndLoadGoThroughTheMmuToMemory) {
  CpuRig rig(mmu_config(64, 4, 16));
  const uint64_t root = rig.tables.new_table();
  rig.tables.map(root, kBuffer, kPage, kUserReadWrite);
  rig.tables.map(root, kBuffer + 0x1000, kPage + 0x5000, kUserReadWrite);
  rig.cpu.set_address_space(root, 1);
  const auto data = pattern(6000, 7);
  std::vector<uint8_t> readback(6000);
  run_on_core(rig, [&] {
    EXPECT_TRUE(rig.cpu.store(kBuffer + 100, data.data(), data.size()).ok());
    const MemoryAccess load = rig.cpu.load(kBuffer + 100, readback.data(), readback.size());
    EXPECT_TRUE(load.ok());
    EXPECT_EQ(load.bytes_done, 6000u);
  });
  EXPECT_EQ(readback, data);
  // The bytes are where the page tables put them: the second page is not contiguous.
  const uint8_t* memory = rig.memory.storage().data();
  EXPECT_TRUE(std::equal(data.begin(), data.begin() + 3996, memory + kPage + 100));
  EXPECT_TRUE(std::equal(data.begin() + 3996, data.end(), memory + kPage + 0x5000));
  EXPECT_EQ(rig.statistics.find_counter("cpu.store_bytes")->value(), 6000u);
}

TEST(CpuCore, StoreCostsTranslationPlusLineTransactions) {
  CpuRig rig(mmu_config(64, 4, 0));
  const uint64_t root = rig.tables.new_table();
  rig.tables.map(root, kBuffer, kPage, kUserReadWrite);
  rig.cpu.set_address_space(root, 1);
  const auto data = pattern(256, 1);
  run_on_core(rig, [&] {
    const sc_time start = rig.cpu.local_time();
    rig.cpu.store(kBuffer, data.data(), 64);  // cold: walk + one line
    // A store does not wait for its line (a store buffer); the walk's reads, each waiting for
    // the one before, do.
    const sc_time walk = to_time(rig.mmu.hit_latency()) + 4 * rig.read_cost(8);
    EXPECT_EQ(rig.cpu.local_time() - start, walk);
    rig.cpu.drain();
    EXPECT_EQ(rig.cpu.local_time() - start, walk + rig.write_cost(64));
    const sc_time warm_start = rig.cpu.local_time();
    rig.cpu.store(kBuffer + 60, data.data(), 100);  // warm: lines [60,64) [64,128) [128,160)
    rig.cpu.drain();
    // The three lines go out together: one latency, then one transfer after the other.
    EXPECT_EQ(rig.cpu.local_time() - warm_start,
              to_time(rig.mmu.hit_latency()) + rig.write_cost(64) + 2 * rig.transfer(64));
  });
  EXPECT_EQ(rig.statistics.find_counter("memory.writes")->value(), 4u);
}

TEST(CpuCore, FaultStopsTheAccessAtThePageBoundary) {
  CpuRig rig(mmu_config(64, 4, 16));
  const uint64_t root = rig.tables.new_table();
  rig.tables.map(root, kBuffer, kPage, kUserReadWrite);
  rig.cpu.set_address_space(root, 1);
  const auto data = pattern(200, 1);
  run_on_core(rig, [&] {
    const MemoryAccess store = rig.cpu.store(kBuffer + 0x1000 - 50, data.data(), data.size());
    EXPECT_EQ(store.fault, Fault::not_mapped);
    EXPECT_EQ(store.fault_address, kBuffer + 0x1000);
    EXPECT_EQ(store.bytes_done, 50u);
  });
  EXPECT_EQ(rig.memory.storage().data()[kPage + 0x1000 - 1], data[49]);
}

TEST(CpuCore, PermissionFaultsOfLoadsAndStores) {
  CpuRig rig(mmu_config(64, 4, 16));
  const uint64_t root = rig.tables.new_table();
  rig.tables.map(root, kBuffer, kPage, kUserReadOnly);
  rig.tables.map(root, kBuffer + 0x1000, kPage + 0x1000, kKernelReadWrite);
  rig.cpu.set_address_space(root, 1);
  run_on_core(rig, [&] {
    uint64_t word = 0;
    EXPECT_EQ(rig.cpu.store(kBuffer, &word, 8).fault, Fault::permission_write);
    EXPECT_TRUE(rig.cpu.load(kBuffer, &word, 8).ok());
    EXPECT_EQ(rig.cpu.load(kBuffer + 0x1000, &word, 8).fault, Fault::permission_user);
    EXPECT_TRUE(rig.cpu.store(kBuffer + 0x1000, &word, 8, Privilege::kernel).ok());
    EXPECT_EQ(rig.cpu.load(0x1000, &word, 8).fault, Fault::not_mapped);
    EXPECT_EQ(rig.cpu.load(0xFFFF'0000'0000'0000, &word, 8).fault, Fault::address_size);
  });
  EXPECT_EQ(rig.statistics.find_counter("cpu.translation_faults")->value(), 4u);
}

TEST(CpuCore, FaultHandlerCanPopulateThePageOnFirstTouch) {
  CpuRig rig(mmu_config(64, 4, 16));
  const uint64_t root = rig.tables.new_table();
  rig.cpu.set_address_space(root, 1);
  int faults = 0;
  rig.cpu.set_fault_handler([&](uint64_t address, AccessType access, Fault fault) {
    ++faults;
    EXPECT_EQ(access, AccessType::write);
    EXPECT_EQ(fault, Fault::not_mapped);
    rig.tables.map(root, address & ~uint64_t{0xFFF}, kPage + (address & 0x1000), kUserReadWrite);
    return true;
  });
  const auto data = pattern(8000, 3);
  run_on_core(rig, [&] { EXPECT_TRUE(rig.cpu.store(kBuffer, data.data(), data.size()).ok()); });
  EXPECT_EQ(faults, 2);
  EXPECT_TRUE(std::equal(data.begin(), data.end(), rig.memory.storage().data() + kPage));
}

TEST(CpuCore, TrapEntryAndExitCostTheirCycles) {
  CpuRig rig(mmu_config(64, 4, 16));
  run_on_core(rig, [&] {
    const uint64_t before = rig.cpu.cycles();
    rig.cpu.trap_entry();
    EXPECT_EQ(rig.cpu.cycles() - before, 60u);
    rig.cpu.compute(7);
    rig.cpu.trap_exit();
    EXPECT_EQ(rig.cpu.cycles() - before, 107u);
  });
  EXPECT_EQ(rig.statistics.find_counter("cpu.traps")->value(), 1u);
}

TEST(CpuCore, SwitchingAddressSpacesChangesWhatAVirtualAddressMeans) {
  CpuRig rig(mmu_config(64, 4, 16));
  const uint64_t first = rig.tables.new_table();
  const uint64_t second = rig.tables.new_table();
  rig.tables.map(first, kBuffer, kPage, kUserReadWrite);
  rig.tables.map(second, kBuffer, kPage + 0x1000, kUserReadWrite);
  run_on_core(rig, [&] {
    const uint32_t one = 0x1111'1111;
    const uint32_t two = 0x2222'2222;
    rig.cpu.set_address_space(first, 1);
    rig.cpu.store(kBuffer, &one, 4);
    rig.cpu.set_address_space(second, 2);
    rig.cpu.store(kBuffer, &two, 4);
    uint32_t seen = 0;
    rig.cpu.set_address_space(first, 1);
    rig.cpu.load(kBuffer, &seen, 4);
    EXPECT_EQ(seen, one);
    rig.cpu.set_address_space(second, 2);
    rig.cpu.load(kBuffer, &seen, 4);
    EXPECT_EQ(seen, two);
  });
}

TEST(CpuCore, WaitForInterruptResumesAfterTheLineRisesPlusTheLatency) {
  CpuRig rig(mmu_config(64, 4, 16));
  sc_core::sc_spawn([&] {
    sc_core::wait(5, sc_core::SC_US);
    rig.interrupt.write(true);
  });
  sc_time woke;
  run_on_core(rig, [&] {
    rig.cpu.compute(100);
    rig.cpu.wait_for_interrupt(0);
    woke = rig.cpu.local_time();
  });
  EXPECT_EQ(woke, sc_time(5, sc_core::SC_US) + rig.cpu.clock().cycles(30));
}

TEST(CpuCore, PhysicalAccessesGoOutAsLineTransactionsThatOverlap) {
  CpuRig rig(mmu_config(64, 4, 16));
  const auto data = pattern(256, 9);
  run_on_core(rig, [&] {
    const sc_time start = rig.cpu.local_time();
    EXPECT_EQ(rig.cpu.physical_write(0x1000, data.data(), 256), tlm::TLM_OK_RESPONSE);
    rig.cpu.drain();
    EXPECT_EQ(rig.cpu.local_time() - start, rig.write_cost(64) + 3 * rig.transfer(64));
    std::vector<uint8_t> readback(256);
    EXPECT_EQ(rig.cpu.physical_read(0x1000, readback.data(), 256), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(readback, data);
    EXPECT_EQ(rig.cpu.physical_read(64 * MiB, readback.data(), 8), tlm::TLM_ADDRESS_ERROR_RESPONSE);
  });
}

// Copies through the caches move their bytes in runs after their time is charged; what any
// later access sees is what copying piece by piece would have left.
TEST(CpuCore, CopiesThroughTheCachesLeaveTheBytesOfPieceByPieceCopies) {
  CpuRig rig(mmu_config(16, 4, 8));
  CacheConfig small;
  small.size = 8 * KiB;
  small.ways = 2;
  Cache l2("l2", CacheConfig{}, 64, Clock(2000), rig.cpu.bus_path(), rig.statistics);
  Cache l1("l1", small, 64, Clock(2000), l2, rig.statistics);
  rig.cpu.attach_data_path(&l1);
  // No two pages alike (an iota pattern repeats every 256 bytes).
  std::vector<uint8_t> data(4 * 4096);
  for (size_t i = 0; i < data.size(); ++i)
    data[i] = static_cast<uint8_t>(i / 4096 * 37 + i * 7);
  run_on_core(rig, [&] {
    ASSERT_EQ(rig.cpu.physical_write(0x10000, data.data(), data.size()), tlm::TLM_OK_RESPONSE);
    // Contiguous pages on both sides: one run.
    for (uint64_t page = 0; page < 4; ++page) {
      rig.cpu.copy_physical(0x10000 + page * 4096, 0x40000 + page * 4096, 4096);
    }
    std::vector<uint8_t> readback(data.size());
    rig.cpu.physical_read(0x40000, readback.data(), readback.size());
    EXPECT_EQ(readback, data);
    // Each piece's source is the one before's destination: the first page's bytes travel on.
    rig.cpu.copy_physical(0x10000, 0x11000, 4096);
    rig.cpu.copy_physical(0x11000, 0x12000, 4096);
    rig.cpu.trap_exit();  // a system call's bytes are in place when it returns
    EXPECT_EQ(rig.cpu.data_port.debug_read(0x12000, readback.data(), 4096), 4096u);
    EXPECT_TRUE(std::equal(readback.begin(), readback.begin() + 4096, data.begin()));
  });
}

// Zeroing waits for what follows: a copy over the whole zeroed range makes it unneeded, anything
// else applies it first. The bytes are those of zeroing, then copying.
TEST(CpuCore, ZeroingThenCopyingLeavesTheBytesOfDoingBothInTurn) {
  CpuRig rig(mmu_config(16, 4, 8));
  Cache l2("l2", CacheConfig{}, 64, Clock(2000), rig.cpu.bus_path(), rig.statistics);
  Cache l1("l1", CacheConfig{}, 64, Clock(2000), l2, rig.statistics);
  rig.cpu.attach_data_path(&l1);
  std::vector<uint8_t> data(3 * 4096);
  for (size_t i = 0; i < data.size(); ++i)
    data[i] = static_cast<uint8_t>(i / 4096 * 37 + i * 7 + 1);  // no zero byte
  const std::vector<uint8_t> zeros(4096, 0);
  std::vector<uint8_t> page(4096);
  run_on_core(rig, [&] {
    ASSERT_EQ(rig.cpu.physical_write(0x20000, data.data(), data.size()), tlm::TLM_OK_RESPONSE);
    // Overwritten whole: the copy's bytes.
    rig.cpu.physical_zero(0x20000, 4096);
    rig.cpu.copy_physical(0x21000, 0x20000, 4096);
    rig.cpu.physical_read(0x20000, page.data(), 4096);
    EXPECT_TRUE(std::equal(page.begin(), page.end(), data.begin() + 4096));
    // Read by the copy: the zeros travel.
    rig.cpu.physical_zero(0x21000, 4096);
    rig.cpu.copy_physical(0x21000, 0x22000, 4096);
    rig.cpu.physical_read(0x22000, page.data(), 4096);
    EXPECT_EQ(page, zeros);
    // Overwritten in part: zeros where the copy did not go.
    rig.cpu.physical_write(0x21000, data.data(), 4096);
    rig.cpu.physical_zero(0x22000, 4096);
    rig.cpu.copy_physical(0x21000, 0x22000 + 64, 4096 - 64);
    rig.cpu.physical_read(0x22000, page.data(), 4096);
    EXPECT_TRUE(std::equal(page.begin(), page.begin() + 64, zeros.begin()));
    EXPECT_TRUE(std::equal(page.begin() + 64, page.end(), data.begin()));
    // Nothing after it: in place when the call returns.
    rig.cpu.physical_zero(0x20000, 4096);
    rig.cpu.trap_exit();
    EXPECT_EQ(rig.cpu.data_port.debug_read(0x20000, page.data(), 4096), 4096u);
    EXPECT_EQ(page, zeros);
  });
}

TEST(CpuCore, DmiOnAndOffGiveTheSameCycles) {
  CpuRig with_dmi(mmu_config(16, 4, 8), true, "_on");
  CpuRig without_dmi(mmu_config(16, 4, 8), false, "_off");
  const auto data = pattern(3 * 4096 + 123, 5);
  uint64_t cycles[2] = {0, 0};
  CpuRig* rigs[2] = {&with_dmi, &without_dmi};
  for (int r = 0; r < 2; ++r) {
    CpuRig& rig = *rigs[r];
    const uint64_t root = rig.tables.new_table();
    for (uint64_t page = 0; page < 32; ++page) {
      rig.tables.map(root, kBuffer + page * 0x1000, kPage + page * 0x3000, kUserReadWrite);
    }
    rig.cpu.set_address_space(root, 1);
    rig.cpu.start_thread("program", [&rig, &data, &cycles, r] {
      std::vector<uint8_t> readback(data.size());
      for (uint64_t offset = 0; offset < 20 * 4096; offset += 4096 + 17) {
        rig.cpu.store(kBuffer + offset % (28 * 4096), data.data(), data.size());
        rig.cpu.load(kBuffer + (offset * 3) % (28 * 4096), readback.data(), 1000);
      }
      rig.cpu.sync();
      cycles[r] = rig.cpu.cycles();
    });
  }
  sc_core::sc_start();
  EXPECT_GT(cycles[0], 0u);
  EXPECT_EQ(cycles[0], cycles[1]);
  EXPECT_EQ(with_dmi.statistics.find_counter("memory_on.bytes_written")->value(),
            without_dmi.statistics.find_counter("memory_off.bytes_written")->value());
  EXPECT_EQ(with_dmi.statistics.find_counter("memory_on.writes")->value(),
            without_dmi.statistics.find_counter("memory_off.writes")->value());
}

}  // namespace
}  // namespace zxvp
