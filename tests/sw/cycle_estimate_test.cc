// Cycle estimates of zx_vmo_write and zx_vmo_read (models/TIMING.md): closed forms, the shape of
// the curves, DMI independence and determinism.
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "models/dma/dma_registers.h"
#include "tests/support/kernel_fixture.h"
#include "tests/support/systems.h"

namespace zxvp {
namespace {

constexpr uint64_t kPage = ZX_PAGE_SIZE;
constexpr uint32_t kReadWrite = ZX_VM_PERM_READ | ZX_VM_PERM_WRITE;
using testing::KernelTest;
using testing::Systems;

uint64_t sum(const CallRecord& record) {
  return std::accumulate(record.breakdown.begin(), record.breakdown.end(), uint64_t{0});
}
uint64_t phase(const CallRecord& record, CyclePhase which) {
  return record.breakdown[static_cast<size_t>(which)];
}

// A buffer of `size` filled with data and touched, so its pages are committed and, for up to
// the TLB's reach, its translations are warm.
uint64_t ready_buffer(Kernel& k, Process& p, uint64_t size) {
  const uint64_t buffer = KernelTest::map_new(k, p, size);
  KernelTest::store(k, p, buffer, KernelTest::pattern(size, 1));
  return buffer;
}

// --- Breakdown ---

TEST(CycleEstimate, BreakdownAddsUpToTheTotalForEveryCall) {
  Systems systems;
  std::vector<CallRecord> records;
  systems.add({"kernel.copy_engine=auto", "kernel.dma_threshold=8KiB"}, [&](Kernel& k, Process& p) {
    k.keep_phase_segments(true);
    k.add_observer([&](const CallRecord& record) { records.push_back(record); });
    const uint64_t buffer = ready_buffer(k, p, 64 * 1024);
    const zx_handle_t vmo = KernelTest::make_vmo(k, p, 64 * 1024);
    for (uint64_t size = 1; size <= 64 * 1024; size *= 4) {
      k.vmo_write(p, vmo, buffer, 0, size);
      k.vmo_read(p, vmo, buffer, 3, size - 3 > size ? 0 : size);
    }
    k.vmo_write(p, vmo, 0, 0, 16);  // a failure
    k.vmo_op_range(p, vmo, ZX_VMO_OP_CACHE_CLEAN, 0, 64 * 1024, 0);
  });
  systems.run();
  ASSERT_GT(records.size(), 20u);
  for (const CallRecord& record : records) {
    EXPECT_EQ(sum(record), record.cycles) << record.name;
    uint64_t segments = 0;
    for (const PhaseSegment& segment : record.segments) {
      segments += segment.end_cycle - segment.start_cycle;
      EXPECT_GE(segment.start_cycle, record.start_cycle);
    }
    EXPECT_EQ(segments, record.cycles) << record.name;
  }
}

// --- Closed forms (models/TIMING.md), with round figures: a 2 GHz core (500 ps a cycle), a
// memory that moves 16 bytes a nanosecond with 60 ns latency (a line: 8 cycles), rows always
// open, a 2 ns hop ---

const std::vector<std::string> kRoundFigures = {
    "cpu.clock_mhz=2000",        "memory.clock_mhz=1000",      "memory.bytes_per_cycle=16",
    "memory.read_latency_ns=60", "memory.write_latency_ns=60", "memory.row_miss_ns=0",
    "bus.hop_latency_cycles=2",  "bus.clock_mhz=1000"};

std::vector<std::string> with_round_figures(std::vector<std::string> overrides) {
  overrides.insert(overrides.begin(), kRoundFigures.begin(), kRoundFigures.end());
  return overrides;
}

constexpr uint64_t kLineTransfer = 8;  // cycles: 64 B at 16 B/ns
constexpr uint64_t kRoundTrip = 124;   // cycles: hop 2 ns + latency 60 ns

// Caches off: every line a memory transaction, the lines of a page one batch.
TEST(CycleEstimate, CpuCopyEqualsTheClosedForm) {
  Systems systems;
  std::vector<CallRecord> writes;
  systems.add(with_round_figures({"cache.enabled=false", "kernel.copy_engine=cpu"}),
              [&](Kernel& k, Process& p) {
                const uint64_t buffer = ready_buffer(k, p, 16 * kPage);
                for (uint64_t pages : {1, 4, 16}) {
                  const zx_handle_t vmo = KernelTest::make_vmo(k, p, pages * kPage);
                  ASSERT_ZX(ZX_OK, k.vmo_write(p, vmo, buffer, 0, pages * kPage));
                  writes.push_back(k.last_record());
                }
              });
  systems.run();
  const uint64_t lines = kPage / 64;
  const uint64_t pages[] = {1, 4, 16};
  // TIMING.md, "CPU copy, caches off": per page, its lookup, the commit's page allocation, then
  // its zeroing stores (one round trip, then the lines one after the other on the memory bus); a
  // TLB hit; the loads (a round trip and the lines) and the stores, each issued when its load
  // returns and moving behind the loads on the bus. The lookup of every page after the first
  // runs while the page before's stores are still on the bus: hidden under the copy.
  const uint64_t commit = 1200 + kRoundTrip + lines * kLineTransfer;
  const uint64_t copy = kRoundTrip + 2 * lines * kLineTransfer;
  for (size_t i = 0; i < writes.size(); ++i) {
    const CallRecord& record = writes[i];
    EXPECT_EQ(phase(record, CyclePhase::entry), 64u);
    EXPECT_EQ(phase(record, CyclePhase::checks), 30u + 40u);
    EXPECT_EQ(phase(record, CyclePhase::lookup), 40u);
    EXPECT_EQ(phase(record, CyclePhase::commit), pages[i] * commit);
    EXPECT_EQ(phase(record, CyclePhase::translate), pages[i] * 1);
    EXPECT_EQ(phase(record, CyclePhase::copy), pages[i] * copy);
    EXPECT_EQ(phase(record, CyclePhase::exit), 64u);
    EXPECT_EQ(record.cycles, 64 + 70 + 64 + 40 + pages[i] * (commit + 1 + copy));
  }
}

// With the default caches, a write whose lines are all in the L1 (warm, up to 4 KiB): the loads
// take the L1's read port one line a cycle and return 4 cycles later; each store follows its
// load into the store port, two cycles a line (32 bytes a cycle).
TEST(CycleEstimate, WarmWriteFromTheL1EqualsTheClosedForm) {
  Systems systems;
  std::vector<CallRecord> warm;
  systems.add({"kernel.copy_engine=cpu"}, [&](Kernel& k, Process& p) {
    const uint64_t buffer = ready_buffer(k, p, kPage);
    const zx_handle_t vmo = KernelTest::make_vmo(k, p, kPage);
    for (uint64_t size : {64, 256, 1024, 4096}) {
      k.vmo_write(p, vmo, buffer, 0, size);
      ASSERT_ZX(ZX_OK, k.vmo_write(p, vmo, buffer, 0, size));
      warm.push_back(k.last_record());
    }
  });
  systems.run();
  const uint64_t sizes[] = {64, 256, 1024, 4096};
  for (size_t i = 0; i < warm.size(); ++i) {
    const uint64_t lines = sizes[i] / 64;
    // Store k starts at max(4 + k, 4 + 2k) (the store port is the bottleneck) and is done 4
    // cycles later.
    const uint64_t copy = 4 + 2 * (lines - 1) + 4;
    EXPECT_EQ(phase(warm[i], CyclePhase::copy), copy) << sizes[i];
    EXPECT_EQ(phase(warm[i], CyclePhase::translate), 1u) << sizes[i];
    EXPECT_EQ(phase(warm[i], CyclePhase::lookup), 40u) << sizes[i];
    EXPECT_EQ(warm[i].cycles, 64 + 70 + 40 + 1 + copy + 64) << sizes[i];
  }
}

// Caches off, one page by the DMA engine: TIMING.md, "zx_vmo_write, DMA copy".
TEST(CycleEstimate, DmaCopyEqualsTheClosedForm) {
  Systems systems;
  std::vector<CallRecord> writes;
  std::vector<uint64_t> descriptors;
  systems.add(with_round_figures({"cache.enabled=false", "kernel.copy_engine=dma"}),
              [&](Kernel& k, Process& p) {
                const uint64_t buffer = ready_buffer(k, p, 16 * kPage);
                const Counter& fetched =
                    *systems.system(0).statistics().find_counter("dma.descriptors");
                for (uint64_t pages : {1, 16}) {
                  const zx_handle_t vmo = KernelTest::make_vmo(k, p, pages * kPage);
                  const uint64_t before = fetched.value();
                  ASSERT_ZX(ZX_OK, k.vmo_write(p, vmo, buffer, 0, pages * kPage));
                  writes.push_back(k.last_record());
                  descriptors.push_back(fetched.value() - before);
                }
              });
  systems.run();
  // Physically contiguous runs share a descriptor: far fewer descriptors than pages.
  EXPECT_EQ(descriptors[0], 1u);
  EXPECT_LT(descriptors[1], 4u);
  const Clock dma(1000);
  // In CPU cycles (2 per ns): a register access is a hop and 4 engine cycles; the descriptor is
  // one write-combined 32-byte write (a round trip and 2 ns of transfer).
  const uint64_t register_access = 2 * (2 + 4);
  const uint64_t setup = (kRoundTrip + 4) + 2 * register_access;
  // The chain: 40 engine cycles, the descriptor's fetch and 8 cycles, then the 16 bursts of
  // 256 bytes (16 ns each): reads after a round trip, back to back; each write after its read,
  // behind the reads on the bus.
  const uint64_t chain = 2 * 40 + (kRoundTrip + 4) + 2 * 8 + kRoundTrip + 2 * (2 * 16 * 16);
  // The wake-up, then IRQ_STATUS read and cleared and the channel's status read.
  const uint64_t wait = chain + 4800 + 3 * register_access;
  EXPECT_NEAR(static_cast<double>(phase(writes[0], CyclePhase::dma_setup)), setup, 2.0);
  EXPECT_NEAR(static_cast<double>(phase(writes[0], CyclePhase::dma_wait)), wait, 2.0);
  for (const CallRecord& record : writes) {
    EXPECT_EQ(phase(record, CyclePhase::copy), 0u);
    EXPECT_EQ(phase(record, CyclePhase::cache_maint), 0u);  // no caches to maintain
  }
}

// --- Shapes ---

// Each size from a settled machine (caches and TLBs empty): a fresh VMO, then the same call.
TEST(CycleEstimate, CyclesGrowWithSizeAndASecondWriteCostsLessWithEitherEngine) {
  Systems systems;
  std::vector<uint64_t> cold[2];
  std::vector<uint64_t> warm[2];
  for (int engine = 0; engine < 2; ++engine) {
    systems.add({engine == 0 ? "kernel.copy_engine=cpu" : "kernel.copy_engine=dma"},
                [&cold, &warm, &systems, engine](Kernel& k, Process& p) {
                  const uint64_t buffer = ready_buffer(k, p, 4 << 20);
                  for (uint64_t size = 64; size <= (4 << 20); size *= 4) {
                    const zx_handle_t vmo = KernelTest::make_vmo(k, p, size);
                    systems.system(engine).platform().settle();
                    k.vmo_write(p, vmo, buffer, 0, size);
                    cold[engine].push_back(k.last_record().cycles);
                    k.vmo_write(p, vmo, buffer, 0, size);
                    warm[engine].push_back(k.last_record().cycles);
                    k.handle_close(p, vmo);
                  }
                });
  }
  systems.run();
  for (int engine = 0; engine < 2; ++engine) {
    for (size_t i = 0; i < cold[engine].size(); ++i) {
      EXPECT_LT(warm[engine][i], cold[engine][i]) << engine << " " << (64 << (2 * i));
      if (i > 0) {
        EXPECT_GT(cold[engine][i], cold[engine][i - 1]) << engine << " " << i;
        EXPECT_GT(warm[engine][i], warm[engine][i - 1]) << engine << " " << i;
      }
    }
  }
}

// Cycles of zx_vmo_write for sizes 64 B, 128 B, ... 1 MiB into committed pages, from a source
// that is not in the caches (a fresh part of a large buffer each time).
std::function<void(Kernel&, Process&)> write_sweep(std::vector<uint64_t>* cycles) {
  return [cycles](Kernel& k, Process& p) {
    const uint64_t buffer = ready_buffer(k, p, 8 << 20);
    uint64_t cursor = 0;
    for (uint64_t size = 64; size <= (1 << 20); size *= 2) {
      const zx_handle_t vmo = KernelTest::make_vmo(k, p, size);
      ASSERT_ZX(ZX_OK, k.vmo_op_range(p, vmo, ZX_VMO_OP_COMMIT, 0, size, 0));
      ASSERT_ZX(ZX_OK, k.vmo_write(p, vmo, buffer + cursor, 0, size));
      cycles->push_back(k.last_record().cycles);
      cursor += (size + kPage - 1) / kPage * kPage + 2 * (1 << 20) / 16;
      ASSERT_ZX(ZX_OK, k.handle_close(p, vmo));
    }
  };
}

// The first size of the sweep from which the engine wins for every larger size (0: never).
uint64_t crossover(const std::vector<uint64_t>& cpu, const std::vector<uint64_t>& dma) {
  uint64_t found = 0;
  uint64_t size = 64;
  for (size_t i = 0; i < cpu.size(); ++i, size *= 2) {
    if (dma[i] < cpu[i]) {
      if (found == 0) found = size;
    } else {
      found = 0;
    }
  }
  return found;
}

// A core that keeps few misses in flight (one L1 miss, no prefetchers) copies at the memory's
// latency; a coherent engine with bursts in flight moves at its bandwidth, so it wins from
// some size up, and a dearer start moves that size up.
TEST(CycleEstimate, DmaBeatsALatencyBoundCoreAboveACrossoverThatMovesWithTheHardware) {
  const std::vector<std::string> latency_bound_core = {"dma.coherent=true", "cache.l1.mshrs=1",
                                                       "cache.l2.prefetch.enabled=false",
                                                       "cache.l3.prefetch.enabled=false"};
  const std::vector<std::vector<std::string>> configurations = {
      {}, {"dma.setup_cycles=20000"}, {"dma.clock_mhz=10"}};
  Systems systems;
  std::vector<std::vector<uint64_t>> cpu(configurations.size());
  std::vector<std::vector<uint64_t>> dma(configurations.size());
  for (size_t c = 0; c < configurations.size(); ++c) {
    auto with = [&](const char* engine) {
      auto overrides = latency_bound_core;
      overrides.insert(overrides.end(), configurations[c].begin(), configurations[c].end());
      overrides.push_back(std::string("kernel.copy_engine=") + engine);
      return overrides;
    };
    systems.add(with("cpu"), write_sweep(&cpu[c]));
    systems.add(with("dma"), write_sweep(&dma[c]));
  }
  systems.run();
  const uint64_t base = crossover(cpu[0], dma[0]);
  // The engine loses on the smallest write and wins on every write from the crossover up.
  EXPECT_GT(dma[0].front(), cpu[0].front());
  EXPECT_GT(base, 64u);
  EXPECT_LT(base, 1u << 20);
  // A dearer start (more setup cycles, or a slower engine clock) needs more bytes to pay off.
  EXPECT_GT(crossover(cpu[1], dma[1]), base);
  EXPECT_GT(crossover(cpu[2], dma[2]), base);
}

TEST(CycleEstimate, UncachedRejectionCostsLessThanTheCheapestOneByteWrite) {
  Systems systems;
  uint64_t rejected = 0;
  uint64_t cheapest = 0;
  systems.add({}, [&](Kernel& k, Process& p) {
    const uint64_t buffer = ready_buffer(k, p, kPage);
    const zx_handle_t vmo = KernelTest::make_vmo(k, p, kPage);
    ASSERT_ZX(ZX_OK, k.vmo_write(p, vmo, buffer, 0, 1));
    ASSERT_ZX(ZX_OK, k.vmo_write(p, vmo, buffer, 0, 1));  // warm: committed, cached, TLB hit
    cheapest = k.last_record().cycles;
    const zx_handle_t uncached = KernelTest::make_vmo(k, p, kPage);
    ASSERT_ZX(ZX_OK, k.vmo_set_cache_policy(p, uncached, ZX_CACHE_POLICY_UNCACHED));
    ASSERT_ZX(ZX_ERR_BAD_STATE, k.vmo_write(p, uncached, buffer, 0, 1));
    rejected = k.last_record().cycles;
  });
  systems.run();
  EXPECT_LT(rejected, cheapest);
  EXPECT_EQ(rejected, 64u + 70u + 64u);  // entry, checks, exit: nothing else was done
}

// --- DMI and determinism ---

std::function<void(Kernel&, Process&)> mixed_workload(std::vector<uint64_t>* cycles) {
  return [cycles](Kernel& k, Process& p) {
    k.add_observer([cycles](const CallRecord& record) { cycles->push_back(record.cycles); });
    const uint64_t buffer = ready_buffer(k, p, 256 * 1024);
    const zx_handle_t vmo = KernelTest::make_vmo(k, p, 512 * 1024);
    for (uint64_t size = 1; size <= 256 * 1024; size = size * 3 + 1) {
      k.vmo_write(p, vmo, buffer + (size % 4096), size % 8192, size);
      k.vmo_read(p, vmo, buffer, 4096 - size % 4096, size);
    }
    zx_handle_t child = ZX_HANDLE_INVALID;
    k.vmo_create_child(p, vmo, ZX_VMO_CHILD_SNAPSHOT, 0, 64 * 1024, &child);
    k.vmo_write(p, child, buffer, 100, 20000);
    k.vmo_op_range(p, vmo, ZX_VMO_OP_CACHE_CLEAN_INVALIDATE, 0, 512 * 1024, 0);
  };
}

TEST(CycleEstimate, DmiOnAndOffGiveTheSameCycles) {
  Systems systems;
  std::vector<uint64_t> with_dmi;
  std::vector<uint64_t> without_dmi;
  systems.add({"sim.dmi=true", "kernel.dma_threshold=16KiB"}, mixed_workload(&with_dmi));
  systems.add({"sim.dmi=false", "kernel.dma_threshold=16KiB"}, mixed_workload(&without_dmi));
  systems.run();
  ASSERT_GT(with_dmi.size(), 10u);
  EXPECT_EQ(with_dmi, without_dmi);
  EXPECT_GT(systems.system(0).statistics().find_counter("dma.descriptors")->value(), 0u);
}

TEST(CycleEstimate, RunsAreRepeatable) {
  Systems systems;
  std::vector<uint64_t> first;
  std::vector<uint64_t> second;
  systems.add({}, mixed_workload(&first));
  systems.add({}, mixed_workload(&second));
  systems.run();
  EXPECT_EQ(first, second);
}

// --- DMA data ---

TEST(CycleEstimate, DmaEngineMovesTheSameBytesAsTheCore) {
  Systems systems;
  systems.add({"kernel.copy_engine=dma"}, [](Kernel& k, Process& p) {
    const zx_handle_t vmo = KernelTest::make_vmo(k, p, 8 * kPage);
    const uint64_t source = KernelTest::map_new(k, p, 4 * kPage);
    const uint64_t destination = KernelTest::map_new(k, p, 8 * kPage);
    const auto data = KernelTest::pattern(3 * kPage + 77, 5);
    KernelTest::store(k, p, source + 11, data);
    ASSERT_ZX(ZX_OK, k.vmo_write(p, vmo, source + 11, 2 * kPage + 9, data.size()));
    ASSERT_ZX(ZX_OK, k.vmo_read(p, vmo, destination, 0, 8 * kPage));
    const auto seen = KernelTest::load(k, p, destination, 8 * kPage);
    for (uint64_t i = 0; i < 8 * kPage; ++i) {
      const bool written = i >= 2 * kPage + 9 && i < 2 * kPage + 9 + data.size();
      ASSERT_EQ(seen[i], written ? data[i - 2 * kPage - 9] : 0) << i;
    }
    // A fault part-way: the chunks before it are still moved by the engine.
    ASSERT_ZX(ZX_OK, k.vmar_unmap(p, p.root_vmar_handle(), source + kPage, kPage));
    const zx_handle_t other = KernelTest::make_vmo(k, p, 2 * kPage);
    EXPECT_ZX(ZX_ERR_NOT_FOUND, k.vmo_write(p, other, source, 0, 2 * kPage));
    ASSERT_ZX(ZX_OK, k.vmo_read(p, other, destination, 0, kPage));
    std::vector<uint8_t> head(kPage, 0);
    std::copy(data.begin(), data.begin() + (kPage - 11), head.begin() + 11);
    EXPECT_EQ(KernelTest::load(k, p, destination, kPage), head);
  });
  systems.run();
}

// Found by the fuzzer: a write from a mapping of the VMO itself, overlapping its destination.
// The engine's burst order would give other bytes than the core's copy, so the kernel leaves
// aliasing copies to the core: the bytes are the same whichever engine is configured.
TEST(CycleEstimate, AWriteFromAnAliasOfItsVmoGivesTheSameBytesWithEitherEngine) {
  Systems systems;
  std::vector<uint8_t> seen[2];
  for (int engine = 0; engine < 2; ++engine) {
    systems.add({engine == 0 ? "kernel.copy_engine=cpu" : "kernel.copy_engine=dma"},
                [&seen, engine](Kernel& k, Process& p) {
                  zx_handle_t vmo = ZX_HANDLE_INVALID;
                  const uint64_t address = KernelTest::map_new(k, p, 16 * kPage, kReadWrite, &vmo);
                  KernelTest::store(k, p, address, KernelTest::pattern(16 * kPage, 9));
                  // Destination [0x200, ...) from source [0xa3, ...) of the same VMO.
                  ASSERT_ZX(ZX_OK, k.vmo_write(p, vmo, address + 0xa3, 0x200, 12 * kPage));
                  seen[engine] = KernelTest::load(k, p, address, 16 * kPage);
                });
  }
  systems.run();
  EXPECT_EQ(seen[0], seen[1]);
  EXPECT_NE(seen[0], KernelTest::pattern(16 * kPage, 9));
}

}  // namespace
}  // namespace zxvp
