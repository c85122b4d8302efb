#include "models/mmu/mmu.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "tests/support/cpu_rig.h"
#include "tests/support/simulation.h"

namespace zxvp {
namespace {

using sc_core::sc_time;
using sc_core::SC_ZERO_TIME;
using testing::CpuRig;
using testing::kKernelReadWrite;
using testing::kUserReadOnly;
using testing::kUserReadWrite;
using testing::mmu_config;

constexpr uint64_t kVirtual = 0x0000'1234'5678'9000;
constexpr uint64_t kPhysical = 0x30'0000;

uint64_t counter(CpuRig& rig, const std::string& name) {
  const Counter* found = rig.statistics.find_counter(name);
  EXPECT_NE(found, nullptr) << name;
  return found ? found->value() : 0;
}

// Translates from SystemC's time and waits until the translation is done, so that the next one
// finds the memory idle; adds the translation's cost to `delay`.
Translation translate(Mmu& mmu, uint64_t virtual_address, AccessType access, Privilege privilege,
                      sc_time& delay) {
  const Ticks start = to_ticks(sc_core::sc_time_stamp());
  Ticks now = start;
  const Translation translation = mmu.translate(virtual_address, access, privilege, now);
  delay += to_time(now - start);
  sc_core::wait(to_time(now - start));
  return translation;
}

TEST(Mmu, WalksFourLevelsOfTablesInMemory) {
  CpuRig rig(mmu_config(64, 4, 0));
  const uint64_t root = rig.tables.new_table();
  rig.tables.map(root, kVirtual, kPhysical, kUserReadWrite, MemoryType::write_combining);
  rig.mmu.set_address_space(root, 1);
  Translation translation;
  testing::run_in_thread([&] {
    sc_time delay = SC_ZERO_TIME;
    translation = translate(rig.mmu, kVirtual + 0xABC, AccessType::read, Privilege::user, delay);
  });
  ASSERT_TRUE(translation.ok()) << fault_name(translation.fault);
  EXPECT_EQ(translation.physical_address, kPhysical + 0xABC);
  EXPECT_EQ(translation.memory_type, MemoryType::write_combining);
  EXPECT_EQ(counter(rig, "mmu.walker.walks"), 1u);
  EXPECT_EQ(counter(rig, "mmu.walker.entry_reads"), 4u);
  EXPECT_EQ(counter(rig, "mmu.tlb.misses"), 1u);
}

TEST(Mmu, MissCostsTheWalksMemoryReadsPlusTheHitLatency) {
  CpuRig rig(mmu_config(64, 4, 0));
  const uint64_t root = rig.tables.new_table();
  rig.tables.map(root, kVirtual, kPhysical, kUserReadWrite);
  rig.mmu.set_address_space(root, 1);
  testing::run_in_thread([&] {
    sc_time miss = SC_ZERO_TIME;
    ASSERT_TRUE(translate(rig.mmu, kVirtual, AccessType::read, Privilege::user, miss).ok());
    EXPECT_EQ(miss, to_time(rig.mmu.hit_latency()) + 4 * rig.read_cost(8));
    sc_time hit = SC_ZERO_TIME;
    ASSERT_TRUE(translate(rig.mmu, kVirtual + 8, AccessType::write, Privilege::user, hit).ok());
    EXPECT_EQ(hit, to_time(rig.mmu.hit_latency()));
    EXPECT_EQ(hit, sc_time(1, sc_core::SC_NS));  // 2 cycles at 2 GHz
  });
  EXPECT_EQ(counter(rig, "mmu.tlb.hits"), 1u);
  const Histogram* cycles = rig.statistics.find_histogram("mmu.walker.cycles");
  ASSERT_NE(cycles, nullptr);
  EXPECT_EQ(cycles->count(), 1u);
  EXPECT_EQ(cycles->sum(), rig.cpu.clock().cycles_covering(4 * rig.read_cost(8)));
}

TEST(Mmu, WalkCacheLetsANeighbourPageWalkOnlyTheLastLevel) {
  CpuRig rig(mmu_config(64, 4, 16));
  const uint64_t root = rig.tables.new_table();
  rig.tables.map(root, kVirtual, kPhysical, kUserReadWrite);
  rig.tables.map(root, kVirtual + 0x1000, kPhysical + 0x1000, kUserReadWrite);
  rig.mmu.set_address_space(root, 1);
  testing::run_in_thread([&] {
    sc_time first = SC_ZERO_TIME;
    ASSERT_TRUE(translate(rig.mmu, kVirtual, AccessType::read, Privilege::user, first).ok());
    sc_time neighbour = SC_ZERO_TIME;
    const auto translation =
        translate(rig.mmu, kVirtual + 0x1000, AccessType::read, Privilege::user, neighbour);
    ASSERT_TRUE(translation.ok());
    EXPECT_EQ(translation.physical_address, kPhysical + 0x1000);
    EXPECT_EQ(neighbour, to_time(rig.mmu.hit_latency()) + rig.read_cost(8));
  });
  EXPECT_EQ(counter(rig, "mmu.walker.entry_reads"), 5u);
  EXPECT_EQ(counter(rig, "mmu.walk_cache.hits"), 1u);
  EXPECT_EQ(counter(rig, "mmu.walk_cache.misses"), 1u);
}

TEST(Mmu, InvalidEntryAtAnyLevelIsNotMapped) {
  CpuRig rig(mmu_config(64, 4, 0));
  const uint64_t root = rig.tables.new_table();
  rig.tables.map(root, kVirtual, kPhysical, kUserReadWrite);
  rig.tables.unmap(root, kVirtual);
  rig.mmu.set_address_space(root, 1);
  testing::run_in_thread([&] {
    sc_time delay = SC_ZERO_TIME;
    // Level-0 entry invalid: one read.
    EXPECT_EQ(translate(rig.mmu, 0x7000'0000'0000, AccessType::read, Privilege::user, delay).fault,
              Fault::not_mapped);
    EXPECT_EQ(counter(rig, "mmu.walker.entry_reads"), 1u);
    // Tables present, level-3 entry invalid: four reads.
    EXPECT_EQ(translate(rig.mmu, kVirtual, AccessType::read, Privilege::user, delay).fault,
              Fault::not_mapped);
    EXPECT_EQ(counter(rig, "mmu.walker.entry_reads"), 5u);
    // Faults are not cached: the same address walks again.
    EXPECT_EQ(translate(rig.mmu, kVirtual, AccessType::read, Privilege::user, delay).fault,
              Fault::not_mapped);
    EXPECT_EQ(counter(rig, "mmu.walker.entry_reads"), 9u);
  });
  EXPECT_EQ(counter(rig, "mmu.faults.not_mapped"), 3u);
}

TEST(Mmu, AddressOutsideFortyEightBitsFaultsWithoutAWalk) {
  CpuRig rig(mmu_config(64, 4, 0));
  rig.mmu.set_address_space(rig.tables.new_table(), 1);
  testing::run_in_thread([&] {
    sc_time delay = SC_ZERO_TIME;
    EXPECT_EQ(
        translate(rig.mmu, 0xFFFF'8000'0000'0000, AccessType::read, Privilege::kernel, delay).fault,
        Fault::address_size);
    EXPECT_EQ(delay, to_time(rig.mmu.hit_latency()));
  });
  EXPECT_EQ(counter(rig, "mmu.walker.walks"), 0u);
}

TEST(Mmu, EachPermissionFaultForEachAccessType) {
  CpuRig rig(mmu_config(64, 4, 16));
  const uint64_t root = rig.tables.new_table();
  const uint64_t none = 0x10'0000;
  const uint64_t read_only = 0x20'0000;
  const uint64_t execute_only = 0x30'0000;
  const uint64_t kernel_only = 0x40'0000;
  rig.tables.map(root, none, kPhysical, {false, false, false, true});
  rig.tables.map(root, read_only, kPhysical, kUserReadOnly);
  rig.tables.map(root, execute_only, kPhysical, {false, false, true, true});
  rig.tables.map(root, kernel_only, kPhysical, kKernelReadWrite);
  rig.mmu.set_address_space(root, 1);
  testing::run_in_thread([&] {
    auto fault = [&](uint64_t address, AccessType access, Privilege privilege) {
      sc_time delay = SC_ZERO_TIME;
      return translate(rig.mmu, address, access, privilege, delay).fault;
    };
    EXPECT_EQ(fault(none, AccessType::read, Privilege::user), Fault::permission_read);
    EXPECT_EQ(fault(none, AccessType::write, Privilege::user), Fault::permission_write);
    EXPECT_EQ(fault(none, AccessType::execute, Privilege::user), Fault::permission_execute);
    EXPECT_EQ(fault(read_only, AccessType::read, Privilege::user), Fault::none);
    EXPECT_EQ(fault(read_only, AccessType::write, Privilege::user), Fault::permission_write);
    EXPECT_EQ(fault(read_only, AccessType::execute, Privilege::user), Fault::permission_execute);
    EXPECT_EQ(fault(execute_only, AccessType::execute, Privilege::user), Fault::none);
    EXPECT_EQ(fault(execute_only, AccessType::read, Privilege::user), Fault::permission_read);
    EXPECT_EQ(fault(kernel_only, AccessType::read, Privilege::user), Fault::permission_user);
    EXPECT_EQ(fault(kernel_only, AccessType::write, Privilege::user), Fault::permission_user);
    EXPECT_EQ(fault(kernel_only, AccessType::write, Privilege::kernel), Fault::none);
    // The kernel may touch user pages, within their permissions.
    EXPECT_EQ(fault(read_only, AccessType::write, Privilege::kernel), Fault::permission_write);
  });
  EXPECT_EQ(counter(rig, "mmu.faults.permission_user"), 2u);
  EXPECT_EQ(counter(rig, "mmu.faults.permission_write"), 3u);
}

TEST(Mmu, ReportsEveryMemoryType) {
  CpuRig rig(mmu_config(64, 4, 16));
  const uint64_t root = rig.tables.new_table();
  const MemoryType types[] = {MemoryType::cached, MemoryType::uncached, MemoryType::uncached_device,
                              MemoryType::write_combining};
  for (uint64_t i = 0; i < 4; ++i) {
    rig.tables.map(root, 0x10'0000 + i * 0x1000, kPhysical + i * 0x1000, kUserReadWrite, types[i]);
  }
  rig.mmu.set_address_space(root, 1);
  testing::run_in_thread([&] {
    for (uint64_t i = 0; i < 4; ++i) {
      sc_time delay = SC_ZERO_TIME;
      const auto translation =
          translate(rig.mmu, 0x10'0000 + i * 0x1000, AccessType::read, Privilege::user, delay);
      EXPECT_EQ(translation.memory_type, types[i]) << memory_type_name(types[i]);
    }
  });
}

TEST(Mmu, LeastRecentlyUsedEntryOfTheSetIsEvicted) {
  // 4 entries, 2 ways: 2 sets, chosen by the low bit of the virtual page number.
  CpuRig rig(mmu_config(4, 2, 16));
  const uint64_t root = rig.tables.new_table();
  for (uint64_t page = 0; page < 8; ++page) {
    rig.tables.map(root, 0x10'0000 + page * 0x1000, kPhysical + page * 0x1000, kUserReadWrite);
  }
  rig.mmu.set_address_space(root, 1);
  testing::run_in_thread([&] {
    auto touch = [&](uint64_t page) {
      sc_time delay = SC_ZERO_TIME;
      ASSERT_TRUE(
          translate(rig.mmu, 0x10'0000 + page * 0x1000, AccessType::read, Privilege::user, delay)
              .ok());
    };
    touch(0);  // set 0
    touch(2);  // set 0
    touch(1);  // set 1: does not disturb set 0
    touch(0);  // hit: page 2 is now the older of set 0
    EXPECT_EQ(counter(rig, "mmu.tlb.hits"), 1u);
    touch(4);  // set 0 full: evicts page 2
    EXPECT_EQ(counter(rig, "mmu.tlb.evictions"), 1u);
    touch(0);  // still there
    EXPECT_EQ(counter(rig, "mmu.tlb.hits"), 2u);
    touch(2);  // was evicted: a miss
    EXPECT_EQ(counter(rig, "mmu.tlb.misses"), 5u);
    touch(1);  // set 1 untouched by all this
    EXPECT_EQ(counter(rig, "mmu.tlb.hits"), 3u);
  });
}

// The TLB against a plain model of a set-associative LRU cache (each set a list, most recent
// last) on random lookups, fills and invalidations over a few address spaces: the same hits and
// the same translations, whichever way each set fills.
TEST(Mmu, TlbMatchesAListPerSetOnRandomTraffic) {
  constexpr uint64_t kWays = 4;
  constexpr uint64_t kSets = 8;
  struct Key {
    uint16_t asid;
    uint64_t page;
    bool operator==(const Key&) const = default;
  };
  struct Held {
    Key key;
    uint64_t physical_page;
  };
  std::vector<std::vector<Held>> sets(kSets);
  StatisticsRegistry statistics;
  Tlb tlb(kWays * kSets, kWays, statistics, "tlb");
  std::mt19937_64 random(7);
  auto find = [&](const Key& key) {
    auto& set = sets[key.page % kSets];
    return std::find_if(set.begin(), set.end(), [&](const Held& held) { return held.key == key; });
  };
  for (int step = 0; step < 200'000; ++step) {
    const Key key{static_cast<uint16_t>(random() % 3), random() % 64};
    auto& set = sets[key.page % kSets];
    const auto held = find(key);
    switch (random() % 8) {
      case 0: {
        tlb.invalidate_page(key.asid, key.page);
        if (held != set.end()) set.erase(held);
        break;
      }
      case 1: {
        if (random() % 64 != 0) break;
        tlb.invalidate_asid(key.asid);
        for (auto& each : sets)
          std::erase_if(each, [&](const Held& h) { return h.key.asid == key.asid; });
        break;
      }
      case 2:
      case 3: {
        const uint64_t physical_page = random() % 1000;
        const Tlb::Entry* entry =
            tlb.insert(key.asid, key.page, physical_page, {}, MemoryType::cached);
        ASSERT_EQ(entry->physical_page, physical_page);
        if (held != set.end()) set.erase(held);
        if (set.size() == kWays) set.erase(set.begin());
        set.push_back({key, physical_page});
        break;
      }
      default: {
        const Tlb::Entry* entry = tlb.lookup(key.asid, key.page);
        ASSERT_EQ(entry != nullptr, held != set.end()) << "step " << step;
        if (entry == nullptr) break;
        ASSERT_EQ(entry->physical_page, held->physical_page) << "step " << step;
        const Held refreshed = *held;
        set.erase(held);
        set.push_back(refreshed);
        break;
      }
    }
    uint64_t valid = 0;
    for (const auto& each : sets)
      valid += each.size();
    ASSERT_EQ(tlb.valid_entries(), valid) << "step " << step;
  }
}

TEST(Mmu, InvalidatePageAsidAndAll) {
  CpuRig rig(mmu_config(64, 4, 16));
  const uint64_t root = rig.tables.new_table();
  rig.tables.map(root, kVirtual, kPhysical, kUserReadWrite);
  rig.tables.map(root, kVirtual + 0x1000, kPhysical + 0x1000, kUserReadWrite);
  rig.mmu.set_address_space(root, 7);
  testing::run_in_thread([&] {
    auto physical = [&](uint64_t address) {
      sc_time delay = SC_ZERO_TIME;
      return translate(rig.mmu, address, AccessType::read, Privilege::user, delay).physical_address;
    };
    EXPECT_EQ(physical(kVirtual), kPhysical);
    // Software changes the entry: the TLB keeps the old translation until told.
    rig.tables.map(root, kVirtual, 0x50'0000, kUserReadWrite);
    EXPECT_EQ(physical(kVirtual), kPhysical);
    rig.mmu.invalidate_page(7, kVirtual);
    EXPECT_EQ(physical(kVirtual), 0x50'0000u);

    EXPECT_EQ(physical(kVirtual + 0x1000), kPhysical + 0x1000);
    EXPECT_EQ(rig.mmu.tlb().valid_entries(), 2u);
    rig.mmu.invalidate_asid(8);  // another address space: nothing goes
    EXPECT_EQ(rig.mmu.tlb().valid_entries(), 2u);
    rig.mmu.invalidate_asid(7);
    EXPECT_EQ(rig.mmu.tlb().valid_entries(), 0u);

    physical(kVirtual);
    physical(kVirtual + 0x1000);
    rig.mmu.invalidate_all();
    EXPECT_EQ(rig.mmu.tlb().valid_entries(), 0u);
    // After invalidate_all, the walk starts at the root again.
    const uint64_t reads_before = counter(rig, "mmu.walker.entry_reads");
    physical(kVirtual);
    EXPECT_EQ(counter(rig, "mmu.walker.entry_reads") - reads_before, 4u);
  });
  EXPECT_EQ(counter(rig, "mmu.tlb.invalidations"), 5u);
}

TEST(Mmu, InvalidatePageDropsTheWalkCacheOnItsPath) {
  CpuRig rig(mmu_config(64, 4, 16));
  const uint64_t root = rig.tables.new_table();
  rig.tables.map(root, kVirtual, kPhysical, kUserReadWrite);
  rig.mmu.set_address_space(root, 1);
  testing::run_in_thread([&] {
    sc_time delay = SC_ZERO_TIME;
    translate(rig.mmu, kVirtual, AccessType::read, Privilege::user, delay);
    // Move the page to a whole new level-3 table, as software may when it rebuilds a range.
    const uint64_t new_leaf_table = rig.tables.new_table();
    const uint64_t level2_slot = page_table::entry_address(rig.tables.read_entry(
                                     page_table::entry_address(rig.tables.read_entry(
                                         root + page_table::table_index(kVirtual, 0) * 8)) +
                                     page_table::table_index(kVirtual, 1) * 8)) +
                                 page_table::table_index(kVirtual, 2) * 8;
    rig.tables.write_entry(level2_slot, page_table::table_entry(new_leaf_table));
    rig.tables.write_entry(new_leaf_table + page_table::table_index(kVirtual, 3) * 8,
                           page_table::page_entry(0x60'0000, kUserReadWrite, MemoryType::cached));
    rig.mmu.invalidate_page(1, kVirtual);
    const auto translation = translate(rig.mmu, kVirtual, AccessType::read, Privilege::user, delay);
    EXPECT_EQ(translation.physical_address, 0x60'0000u);
  });
}

TEST(Mmu, TwoAddressSpacesMapTheSameVirtualAddressToDifferentPages) {
  CpuRig rig(mmu_config(64, 4, 16));
  const uint64_t first = rig.tables.new_table();
  const uint64_t second = rig.tables.new_table();
  rig.tables.map(first, kVirtual, 0x10'0000, kUserReadWrite);
  rig.tables.map(second, kVirtual, 0x20'0000, kUserReadWrite);
  testing::run_in_thread([&] {
    auto physical = [&] {
      sc_time delay = SC_ZERO_TIME;
      return translate(rig.mmu, kVirtual, AccessType::read, Privilege::user, delay)
          .physical_address;
    };
    rig.mmu.set_address_space(first, 1);
    EXPECT_EQ(physical(), 0x10'0000u);
    rig.mmu.set_address_space(second, 2);
    EXPECT_EQ(physical(), 0x20'0000u);
    // Both stay in the TLB, tagged by ASID: switching back needs no walk.
    rig.mmu.set_address_space(first, 1);
    EXPECT_EQ(physical(), 0x10'0000u);
  });
  EXPECT_EQ(counter(rig, "mmu.walker.walks"), 2u);
  EXPECT_EQ(counter(rig, "mmu.tlb.hits"), 1u);
}

TEST(Mmu, TlbGeometryMustGiveAPowerOfTwoSets) {
  StatisticsRegistry statistics;
  EXPECT_THROW(Tlb(6, 4, statistics, "tlb_a"), ConfigError);
  EXPECT_THROW(Tlb(12, 4, statistics, "tlb_b"), ConfigError);
  EXPECT_NO_THROW(Tlb(16, 16, statistics, "tlb_c"));
}

TEST(Mmu, DmiOnAndOffGiveTheSameTranslationCycles) {
  CpuRig with_dmi(mmu_config(8, 2, 4), true, "_on");
  CpuRig without_dmi(mmu_config(8, 2, 4), false, "_off");
  std::vector<sc_time> costs[2];
  CpuRig* rigs[2] = {&with_dmi, &without_dmi};
  for (int r = 0; r < 2; ++r) {
    const uint64_t root = rigs[r]->tables.new_table();
    for (uint64_t page = 0; page < 64; ++page) {
      rigs[r]->tables.map(root, page * 0x20'1000, page * 0x1000, kUserReadWrite);
    }
    rigs[r]->mmu.set_address_space(root, 3);
  }
  testing::run_in_thread([&] {
    for (int r = 0; r < 2; ++r) {
      for (int round = 0; round < 3; ++round) {
        for (uint64_t page = 0; page < 64; page += 1 + round) {
          sc_time delay = SC_ZERO_TIME;
          translate(rigs[r]->mmu, page * 0x20'1000, AccessType::read, Privilege::user, delay);
          costs[r].push_back(delay);
        }
      }
    }
  });
  EXPECT_EQ(costs[0], costs[1]);
  EXPECT_EQ(with_dmi.mmu.walker_port.dmi_region_count(), 1u);
  EXPECT_EQ(without_dmi.mmu.walker_port.dmi_region_count(), 0u);
}

}  // namespace
}  // namespace zxvp
