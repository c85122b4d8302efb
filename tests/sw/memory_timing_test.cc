// Memory timing that behaves like hardware (models/TIMING.md): a copy that streams runs at the
// bandwidth the platform allows, not at one miss at a time; memory is one resource that
// initiators share; a second write costs less than the first; and the built-in study's rows do
// not depend on each other.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <string>
#include <vector>

#include "models/dma/dma_registers.h"
#include "sw/workloads/builtin_study.h"
#include "tests/support/kernel_fixture.h"
#include "tests/support/systems.h"

namespace zxvp {
namespace {

namespace regs = dma_registers;
using testing::KernelTest;
using testing::Systems;

constexpr uint64_t kLarge = 4 << 20;
constexpr uint64_t kMedium = 64 << 10;

// The warm write of `size` bytes (the second of two into one VMO) from a committed buffer.
std::function<void(Kernel&, Process&)> warm_write(uint64_t size, uint64_t* cycles) {
  return [size, cycles](Kernel& k, Process& p) {
    const uint64_t buffer = KernelTest::map_new(k, p, size);
    KernelTest::store(k, p, buffer, KernelTest::pattern(size, 1));
    const zx_handle_t vmo = KernelTest::make_vmo(k, p, size);
    ASSERT_ZX(ZX_OK, k.vmo_write(p, vmo, buffer, 0, size));
    ASSERT_ZX(ZX_OK, k.vmo_write(p, vmo, buffer, 0, size));
    *cycles = k.last_record().cycles;
  };
}

// Bytes per second of a copy of `bytes` in `cycles` of the default 2.4 GHz core.
double rate(uint64_t bytes, uint64_t cycles) {
  return static_cast<double>(bytes) * 2.4e9 / static_cast<double>(cycles);
}

// The default platform: 16 bytes per memory cycle at 1066 MHz (17.06 GB/s), a copy reads and
// writes every byte: 8.53 GB/s. The L2 moves 32 bytes a cycle at 2.4 GHz, both ways: a copy
// from it runs at 38.4 GB/s.
TEST(MemoryTiming, WarmCopiesRunAtTheBandwidthThePlatformAllows) {
  Systems systems;
  uint64_t large = 0;
  uint64_t medium = 0;
  systems.add({"kernel.copy_engine=cpu"}, warm_write(kLarge, &large));
  systems.add({"kernel.copy_engine=cpu"}, warm_write(kMedium, &medium));
  systems.run();
  EXPECT_GE(rate(kLarge, large), 0.4 * 17.06e9 / 2) << large;
  EXPECT_GE(rate(kMedium, medium), 0.4 * 2.4e9 * 32 / 2) << medium;
}

// A memory-bound stream depends on the memory's bandwidth, hardly on its latency (misses
// overlap); with one miss at a time and no prefetcher it is latency-bound again.
TEST(MemoryTiming, AStreamIsBandwidthBoundUnlessMissesCannotOverlap) {
  Systems systems;
  uint64_t base = 0;
  uint64_t slow_latency = 0;
  uint64_t double_bandwidth = 0;
  uint64_t one_miss = 0;
  systems.add({"kernel.copy_engine=cpu"}, warm_write(kLarge, &base));
  systems.add({"kernel.copy_engine=cpu", "memory.read_latency_ns=80"},
              warm_write(kLarge, &slow_latency));
  systems.add({"kernel.copy_engine=cpu", "memory.bytes_per_cycle=32"},
              warm_write(kLarge, &double_bandwidth));
  systems.add({"kernel.copy_engine=cpu", "cache.l1.mshrs=1", "cache.l2.mshrs=1", "cache.l3.mshrs=1",
               "cache.l2.prefetch.enabled=false", "cache.l3.prefetch.enabled=false"},
              warm_write(kLarge, &one_miss));
  systems.run();
  EXPECT_LT(static_cast<double>(slow_latency), 1.25 * static_cast<double>(base));
  EXPECT_GE(static_cast<double>(base), 1.5 * static_cast<double>(double_bandwidth));
  // One line at a time: each of the 65536 source lines waits a round trip to memory (at least
  // the 40 ns of memory latency, 96 cycles).
  EXPECT_GT(one_miss, 65536 * 96);
  EXPECT_GT(one_miss, 3 * base);
}

// Every size from 64 B to 4 MiB, either engine: the second write finds its pages committed and
// its translations in the TLBs, and writes back what the first left dirty.
TEST(MemoryTiming, ASecondWriteCostsLessAtEverySizeWithEitherEngine) {
  const std::vector<uint64_t> sizes = BuiltinStudy::standard_sizes();
  ParameterSet parameters;
  System::declare_parameters(parameters);
  load_platform_file("default", parameters);
  BuiltinStudy study(parameters, sizes);
  study.start();
  sc_core::sc_start();
  ASSERT_TRUE(study.finished());
  for (size_t engine = 0; engine < BuiltinStudy::kEngines; ++engine) {
    ASSERT_EQ(study.writes(engine).size(), sizes.size());
    for (const BuiltinStudy::Measurement& row : study.writes(engine)) {
      EXPECT_LT(row.warm.cycles, row.cold.cycles) << "engine " << engine << ", " << row.size;
    }
  }
}

// The study settles the machine before each row: a row gives the same cycles whatever rows ran
// before it.
TEST(MemoryTiming, TheStudysRowsDoNotDependOnEachOther) {
  std::vector<uint64_t> forward = BuiltinStudy::standard_sizes();
  std::vector<uint64_t> backward(forward.rbegin(), forward.rend());
  std::rotate(backward.begin(), backward.begin() + 3, backward.end());  // not just reversed
  ParameterSet parameters;
  System::declare_parameters(parameters);
  load_platform_file("default", parameters);
  BuiltinStudy in_order(parameters, forward, "in_order");
  BuiltinStudy reordered(parameters, backward, "reordered");
  in_order.start();
  reordered.start();
  sc_core::sc_start();
  ASSERT_TRUE(in_order.finished() && reordered.finished());
  for (size_t engine = 0; engine < BuiltinStudy::kEngines; ++engine) {
    for (const BuiltinStudy::Measurement& row : in_order.writes(engine)) {
      const auto& other = reordered.writes(engine);
      const auto same = std::find_if(other.begin(), other.end(),
                                     [&](const auto& m) { return m.size == row.size; });
      ASSERT_NE(same, other.end());
      EXPECT_EQ(row.cold.cycles, same->cold.cycles) << "engine " << engine << ", " << row.size;
      EXPECT_EQ(row.warm.cycles, same->warm.cycles) << "engine " << engine << ", " << row.size;
    }
  }
}

// A call's page loop keeps the copy's loads and stores in flight from one page to the next: the
// page lookups between the pages of a memory-bound warm write run beside the stream, and the
// copy's phase holds the stream's time: 200 cycles of lookup a page do not add 1024 x 200 cycles
// (17%) to a 4 MiB write. A page loop that waits for the memory work before each page
// (kernel.page_lookup_waits: a write path that locks every page) is no faster, and the waits and
// the lookups count in lookup.
TEST(MemoryTiming, PageLookupsHideUnderAMemoryBoundCopyUnlessTheyWait) {
  Systems systems;
  uint64_t cycles[3] = {0, 0, 0};
  std::array<CallRecord, 3> records;
  const std::vector<std::string> settings[] = {
      {"kernel.page_lookup_cycles=0"},
      {"kernel.page_lookup_cycles=200"},
      {"kernel.page_lookup_cycles=200", "kernel.page_lookup_waits=true"}};
  for (size_t i = 0; i < 3; ++i) {
    std::vector<std::string> overrides = settings[i];
    overrides.emplace_back("kernel.copy_engine=cpu");
    systems.add(overrides, [&, i](Kernel& k, Process& p) {
      warm_write(kLarge, &cycles[i])(k, p);
      records[i] = k.last_record();
    });
  }
  systems.run();
  const auto phase = [&](size_t i, CyclePhase which) {
    return records[i].breakdown[static_cast<size_t>(which)];
  };
  EXPECT_LT(static_cast<double>(cycles[1]), 1.02 * static_cast<double>(cycles[0]))
      << cycles[0] << " " << cycles[1];
  EXPECT_EQ(phase(1, CyclePhase::lookup), 200u)
      << "the first page's lookup; the others are hidden under the copy";
  EXPECT_GT(static_cast<double>(phase(1, CyclePhase::copy)),
            0.95 * static_cast<double>(records[1].cycles));
  constexpr uint64_t kPages = kLarge / 4096;
  EXPECT_GE(cycles[2], cycles[1]);
  EXPECT_GE(phase(2, CyclePhase::lookup), kPages * 200);
  EXPECT_LT(phase(2, CyclePhase::copy), phase(1, CyclePhase::copy));
}

// Caches are indexed by physical address: with pages by address, a warm copy whose working set
// is a quarter more than the L2 (a 256 KiB L2, 160 KiB from a buffer into a VMO) thrashes it
// (LRU on a cyclic stream keeps nothing); with scattered pages some colours hold their pages and
// keep them, as on a real machine, so the cliff becomes a slope.
TEST(MemoryTiming, ScatteredPagesLetAWorkingSetPastTheL2KeepSomeOfIt) {
  constexpr uint64_t kSize = 160 << 10;
  Systems systems;
  uint64_t l2_hits[2] = {0, 0};
  for (int scattered = 0; scattered < 2; ++scattered) {
    systems.add(
        {"kernel.copy_engine=cpu",
         std::string("kernel.page_placement=") + (scattered ? "scattered" : "ascending")},
        [&l2_hits, &systems, scattered](Kernel& k, Process& p) {
          const uint64_t buffer = KernelTest::map_new(k, p, kSize);
          KernelTest::store(k, p, buffer, KernelTest::pattern(kSize, 1));
          const zx_handle_t vmo = KernelTest::make_vmo(k, p, kSize);
          ASSERT_ZX(ZX_OK, k.vmo_write(p, vmo, buffer, 0, kSize));
          const Counter* hits =
              systems.system(static_cast<size_t>(scattered)).statistics().find_counter("l2.hits");
          ASSERT_NE(hits, nullptr);
          const uint64_t before = hits->value();
          ASSERT_ZX(ZX_OK, k.vmo_write(p, vmo, buffer, 0, kSize));
          l2_hits[scattered] = hits->value() - before;
        });
  }
  systems.run();
  // The copy asks the L2 for 2 x 2560 lines (source and destination); by address it finds
  // hardly any, scattered a good part of them.
  const uint64_t lines = kSize / 64;
  EXPECT_LE(l2_hits[0], lines / 8) << "ascending";
  EXPECT_GE(l2_hits[1], lines / 3) << "scattered";
  EXPECT_GE(l2_hits[1], 3 * l2_hits[0]);
}

// Write-backs are posted: a small write after a large dirty working set does not pay for
// writing it all back.
TEST(MemoryTiming, ASmallWriteAfterADirtyWorkingSetCostsAtMostTwiceAsMuch) {
  Systems systems;
  uint64_t after[2] = {0, 0};  // after a clean, after a dirty working set
  for (int dirty = 0; dirty < 2; ++dirty) {
    systems.add({"kernel.copy_engine=cpu"}, [&after, &systems, dirty](Kernel& k, Process& p) {
      const uint64_t buffer = KernelTest::map_new(k, p, kLarge);
      KernelTest::store(k, p, buffer, KernelTest::pattern(kLarge, 1));
      const zx_handle_t small = KernelTest::make_vmo(k, p, 64);
      systems.system(static_cast<size_t>(dirty)).platform().settle();
      if (dirty == 1) {
        // 4 MiB written: the caches are full of dirty lines.
        KernelTest::store(k, p, buffer, KernelTest::pattern(kLarge, 2));
      } else {
        KernelTest::load(k, p, buffer, kLarge);  // the same lines, clean
      }
      ASSERT_ZX(ZX_OK, k.vmo_write(p, small, buffer, 0, 64));
      after[dirty] = k.last_record().cycles;
    });
  }
  systems.run();
  EXPECT_LE(after[1], 2 * after[0]) << after[0];
}

// Memory bandwidth is one resource over simulated time: the DMA engine and the core, streaming at
// once, each get a share and slow each other down.
TEST(MemoryTiming, TheDmaEngineAndTheCoreShareTheMemory) {
  Systems systems;
  constexpr uint64_t kDescriptor = 0x3000'0000;  // physical, far above what the kernel uses
  constexpr uint64_t kFrom = 0x3100'0000;
  constexpr uint64_t kTo = 0x3200'0000;
  const sc_core::sc_time start_at(10, sc_core::SC_MS);
  uint64_t core_cycles[2] = {0, 0};  // alone, sharing
  sc_core::sc_time dma_time[2];
  for (int sharing = 0; sharing < 2; ++sharing) {
    systems.add({"kernel.copy_engine=cpu"}, [&, sharing](Kernel& k, Process& p) {
      const uint64_t buffer = KernelTest::map_new(k, p, kLarge);
      KernelTest::store(k, p, buffer, KernelTest::pattern(kLarge, 1));
      const zx_handle_t vmo = KernelTest::make_vmo(k, p, kLarge);
      ASSERT_ZX(ZX_OK, k.vmo_write(p, vmo, buffer, 0, kLarge));
      // The measured write starts when the engine does (or, alone, long after it is done).
      k.cpu().idle_until(to_ticks(sharing == 1 ? start_at : 4 * start_at));
      k.cpu().sync();
      ASSERT_ZX(ZX_OK, k.vmo_write(p, vmo, buffer, 0, kLarge));
      core_cycles[sharing] = k.last_record().cycles;
    });
    DefaultPlatform& platform = systems.system(static_cast<size_t>(sharing)).platform();
    sc_core::sc_spawn(
        [&platform, &dma_time, sharing, start_at] {
          TrafficInitiator& driver = platform.traffic;
          const uint64_t registers = platform.address_map().dma_base;
          regs::Descriptor descriptor{kFrom, kTo, static_cast<uint32_t>(kLarge),
                                      regs::kDescriptorLast, 0};
          std::memcpy(platform.memory.storage().data() + kDescriptor, &descriptor,
                      sizeof descriptor);
          sc_core::wait(start_at);
          const sc_core::sc_time started = sc_core::sc_time_stamp();
          const uint64_t address = kDescriptor;
          const uint32_t start = regs::kControlStart;
          driver.write(registers + regs::kChannelBase + regs::kDescriptorAddress, &address, 8);
          driver.write(registers + regs::kChannelBase + regs::kControl, &start, 4);
          uint32_t status = 0;
          do {
            sc_core::wait(100, sc_core::SC_NS);
            driver.read(registers + regs::kChannelBase + regs::kStatus, &status, 4);
          } while (regs::status_state(status) == regs::ChannelState::busy);
          dma_time[sharing] = sc_core::sc_time_stamp() - started;
        },
        ("dma_driver" + std::to_string(sharing)).c_str());
  }
  systems.run();
  EXPECT_GT(core_cycles[1], 1.2 * static_cast<double>(core_cycles[0]));
  EXPECT_GT(dma_time[1], 1.2 * dma_time[0]);
}

}  // namespace
}  // namespace zxvp
