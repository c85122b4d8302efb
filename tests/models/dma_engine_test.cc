#include "models/dma/dma_engine.h"

#include <gtest/gtest.h>

#include <numeric>
#include <vector>

#include "models/bus/bus.h"
#include "models/memory/memory.h"
#include "models/traffic/traffic_initiator.h"
#include "sim/params/units.h"
#include "tests/support/simulation.h"

namespace zxvp {
namespace {

namespace regs = dma_registers;
using sc_core::sc_time;
using sc_core::SC_ZERO_TIME;

constexpr uint64_t kDmaBase = 0x8000'0000;
constexpr uint64_t kUnmapped = 0x4000'0000;

DmaConfig dma_config(uint64_t outstanding) {
  DmaConfig config;
  config.channels = 2;
  config.clock_mhz = 1000;
  config.setup_cycles = 40;
  config.descriptor_cycles = 8;
  config.burst_bytes = 256;
  config.burst_overhead_cycles = 2;
  config.register_latency_cycles = 4;
  config.outstanding = outstanding;
  return config;
}

// Memory and a DMA engine behind a bus; a traffic initiator plays the driver.
struct DmaRig {
  explicit DmaRig(bool dmi = true, const std::string& suffix = "", uint64_t outstanding = 16)
      : bus(("bus" + suffix).c_str(), BusConfig{1000, 2}, statistics),
        memory(("memory" + suffix).c_str(), memory_config(), statistics),
        dma(("dma" + suffix).c_str(), dma_config(outstanding), dmi, statistics),
        driver(("driver" + suffix).c_str(), dmi),
        interrupt(("interrupt" + suffix).c_str()) {
    bus.attach(memory.socket, 0, memory.size_bytes(), "memory");
    bus.attach(dma.registers, kDmaBase, regs::kRegisterBlockBytes, "dma");
    dma.port.socket.bind(bus.target_socket);
    driver.port.socket.bind(bus.target_socket);
    dma.irq.bind(interrupt);
  }
  static MemoryConfig memory_config() {
    // 16 B per 625 ps (25.6 GB/s), 60 ns latency; rows have tests of their own.
    MemoryConfig config;
    config.size = 16 * MiB;
    config.clock_mhz = 1600;
    config.read_latency_ns = 60;
    config.write_latency_ns = 60;
    config.row_miss_ns = 0;
    return config;
  }

  void put_descriptor(uint64_t at, const regs::Descriptor& descriptor) {
    std::memcpy(memory.storage().data() + at, &descriptor, sizeof descriptor);
  }
  void fill(uint64_t at, uint64_t length, uint8_t seed) {
    std::iota(memory.storage().data() + at, memory.storage().data() + at + length, seed);
  }
  bool same(uint64_t a, uint64_t b, uint64_t length) {
    return std::equal(memory.storage().data() + a, memory.storage().data() + a + length,
                      memory.storage().data() + b);
  }

  // Driver side: 32- and 64-bit register accesses.
  uint64_t read_register(uint64_t offset, unsigned int length) {
    uint64_t value = 0;
    EXPECT_EQ(driver.read(kDmaBase + offset, &value, length), tlm::TLM_OK_RESPONSE) << offset;
    return value;
  }
  void write_register(uint64_t offset, uint64_t value, unsigned int length) {
    EXPECT_EQ(driver.write(kDmaBase + offset, &value, length), tlm::TLM_OK_RESPONSE) << offset;
  }
  static uint64_t channel(size_t index, uint64_t offset) {
    return regs::kChannelBase + index * regs::kChannelStride + offset;
  }
  // Programs and starts `index`; returns the time the START write lands (bus hop and register
  // latency after it is issued), when the channel starts.
  sc_time start(size_t index, uint64_t descriptor, bool irq = true) {
    write_register(channel(index, regs::kDescriptorAddress), descriptor, 8);
    driver.sync();
    const sc_time lands = sc_core::sc_time_stamp() + bus.hop_latency() + Clock(1000).cycles(4);
    write_register(channel(index, regs::kControl),
                   regs::kControlStart | (irq ? regs::kControlIrqEnable : 0), 4);
    return lands;
  }
  uint32_t status(size_t index) {
    return static_cast<uint32_t>(read_register(channel(index, regs::kStatus), 4));
  }
  void wait_idle(size_t index) {
    while (regs::status_state(status(index)) == regs::ChannelState::busy) {
      sc_core::wait(10, sc_core::SC_NS);
    }
  }

  // The closed form of REGISTERS.md for one descriptor of `length` bytes, whole bursts of one
  // page at most, on an idle memory whose bus moves n bursts faster than one burst's round trip
  // (n x burst transfer <= transfer + hop + write latency): the fetch, each step waiting for the
  // one before; the reads, one latency then back to back on the memory bus; each write issued
  // when its read returns, the first after a round trip, the others following on the bus.
  sc_time descriptor_time(uint64_t length) {
    const Clock clock(1000);
    const MemoryController& memory_timing = memory.controller();
    const sc_time hop = bus.hop_latency();
    const sc_time fetch = hop + to_time(memory_timing.unloaded_latency(tlm::TLM_READ_COMMAND,
                                                                       regs::kDescriptorBytes));
    if (length == 0) return fetch + clock.cycles(8);
    const uint64_t bursts = length / 256;
    const sc_time read = to_time(memory_timing.unloaded_latency(tlm::TLM_READ_COMMAND, 256));
    const sc_time write = to_time(memory_timing.unloaded_latency(tlm::TLM_WRITE_COMMAND, 256));
    const sc_time transfer =
        read - to_time(memory_timing.unloaded_latency(tlm::TLM_READ_COMMAND, 0));
    EXPECT_LE(static_cast<double>(bursts) * transfer, transfer + hop + (write - transfer));
    return fetch + clock.cycles(8) + hop + read + hop + write +
           static_cast<double>(bursts - 1) * transfer;
  }
  sc_time setup_time() const { return Clock(1000).cycles(40); }

  StatisticsRegistry statistics;
  Bus bus;
  Memory memory;
  DmaEngine dma;
  TrafficInitiator driver;
  sc_core::sc_signal<bool> interrupt;
};

TEST(DmaEngine, RegisterMapIdentifiesTheEngine) {
  DmaRig rig;
  testing::run_in_thread([&] {
    EXPECT_EQ(rig.read_register(regs::kId, 4), regs::kIdValue);
    EXPECT_EQ(rig.read_register(regs::kChannelCount, 4), 2u);
    EXPECT_EQ(rig.read_register(regs::kCoherent, 4), 0u);
    EXPECT_EQ(regs::status_state(rig.status(1)), regs::ChannelState::idle);
    uint64_t value = 0;
    EXPECT_EQ(rig.driver.read(kDmaBase + 0x40, &value, 4), tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_EQ(rig.driver.read(kDmaBase + DmaRig::channel(2, regs::kStatus), &value, 4),
              tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_EQ(rig.driver.read(kDmaBase + regs::kId, &value, 2), tlm::TLM_BURST_ERROR_RESPONSE);
    EXPECT_EQ(rig.driver.read(kDmaBase + DmaRig::channel(0, regs::kDescriptorAddress), &value, 4),
              tlm::TLM_ADDRESS_ERROR_RESPONSE);
  });
  EXPECT_EQ(rig.statistics.find_counter("dma.register_errors")->value(), 4u);
}

TEST(DmaEngine, SingleDescriptorMovesItsBytesInTheClosedFormTime) {
  DmaRig rig;
  rig.fill(0x10000, 1024, 3);
  rig.put_descriptor(0x1000, {0x10000, 0x20000, 1024, regs::kDescriptorLast, 0});
  sc_time expected;
  testing::run_in_thread([&] {
    expected = rig.setup_time() + rig.descriptor_time(1024);
    const sc_time started = rig.start(0, 0x1000);
    sc_core::wait(rig.dma.irq->posedge_event());
    EXPECT_EQ(sc_core::sc_time_stamp() - started, expected);
    EXPECT_EQ(rig.status(0),
              regs::status_value(regs::ChannelState::done, regs::ChannelError::none));
    EXPECT_EQ(rig.read_register(DmaRig::channel(0, regs::kBytesDone), 8), 1024u);
    EXPECT_EQ(rig.read_register(DmaRig::channel(0, regs::kDescriptorsDone), 4), 1u);
  });
  EXPECT_TRUE(rig.same(0x10000, 0x20000, 1024));
  EXPECT_EQ(rig.memory.storage().data()[0x20000 + 1024], 0);
  EXPECT_EQ(rig.statistics.find_counter("dma.channel0.bytes")->value(), 1024u);
  EXPECT_EQ(rig.statistics.find_counter("dma.channel0.transfers")->value(), 1u);
  EXPECT_EQ(rig.statistics.find_counter("dma.channel0.busy_cycles")->value(),
            Clock(1000).cycles_covering(expected));
}

// With enough bursts in flight a long transfer moves at the memory's bandwidth (each byte read
// and written once); with one in flight every burst waits for its round trip.
TEST(DmaEngine, BurstsInFlightMakeALongTransferBandwidthBound) {
  DmaRig many(true, "_many", 16);
  DmaRig one(true, "_one", 1);
  constexpr uint64_t kBytes = 64 * KiB;
  sc_time elapsed[2];
  DmaRig* rigs[2] = {&many, &one};
  for (DmaRig* rig : rigs) {
    rig->fill(0x100000, kBytes, 1);
    rig->put_descriptor(0x1000, {0x100000, 0x200000, kBytes, regs::kDescriptorLast, 0});
  }
  testing::run_in_thread([&] {
    for (int r = 0; r < 2; ++r) {
      const sc_time started = rigs[r]->start(0, 0x1000);
      sc_core::wait(rigs[r]->dma.irq->posedge_event());
      elapsed[r] = sc_core::sc_time_stamp() - started;
    }
  });
  // 16 B per 625 ps: 25.6 GB/s for reads and writes together.
  const sc_time bandwidth_bound = sc_time(2.0 * kBytes / 25.6, sc_core::SC_NS);
  EXPECT_GE(elapsed[0], bandwidth_bound);
  EXPECT_LE(elapsed[0], 1.1 * bandwidth_bound);
  EXPECT_GT(elapsed[1], 3 * elapsed[0]);
  EXPECT_TRUE(many.same(0x100000, 0x200000, kBytes));
}

TEST(DmaEngine, ChainOfDescriptorsWithLengthsThatAreNotBurstMultiples) {
  DmaRig rig;
  rig.fill(0x10000, 0x3000, 1);
  const uint64_t lengths[] = {4096, 77, 1500};
  rig.put_descriptor(0x1000, {0x10000, 0x40000, 4096, 0, 0x1020});
  rig.put_descriptor(0x1020, {0x11000, 0x50000, 77, 0, 0x2000});
  rig.put_descriptor(0x2000, {0x12000, 0x60000, 1500, 0, 0});
  testing::run_in_thread([&] {
    const sc_time started = rig.start(0, 0x1000);
    sc_core::wait(rig.dma.irq->posedge_event());
    // At least the fetches, one after the other, and every byte read and written once at
    // 25.6 GB/s.
    sc_time least = rig.setup_time();
    uint64_t bytes = 0;
    for (uint64_t length : lengths) {
      least += rig.descriptor_time(0);
      bytes += length;
    }
    least += sc_time(2.0 * static_cast<double>(bytes) / 25.6, sc_core::SC_NS);
    EXPECT_GT(sc_core::sc_time_stamp() - started, least);
    EXPECT_EQ(rig.read_register(DmaRig::channel(0, regs::kDescriptorsDone), 4), 3u);
    EXPECT_EQ(rig.read_register(DmaRig::channel(0, regs::kBytesDone), 8), 4096u + 77 + 1500);
  });
  EXPECT_TRUE(rig.same(0x10000, 0x40000, 4096));
  EXPECT_TRUE(rig.same(0x11000, 0x50000, 77));
  EXPECT_EQ(rig.memory.storage().data()[0x50000 + 77], 0);
  EXPECT_TRUE(rig.same(0x12000, 0x60000, 1500));
  EXPECT_EQ(rig.statistics.find_counter("dma.descriptors")->value(), 3u);
}

TEST(DmaEngine, ZeroLengthDescriptorCostsOnlyItsFetchAndProcessing) {
  DmaRig rig;
  rig.put_descriptor(0x1000, {0x10000, 0x20000, 0, regs::kDescriptorLast, 0});
  testing::run_in_thread([&] {
    const sc_time started = rig.start(0, 0x1000);
    sc_core::wait(rig.dma.irq->posedge_event());
    EXPECT_EQ(sc_core::sc_time_stamp() - started, rig.setup_time() + rig.descriptor_time(0));
    EXPECT_EQ(regs::status_state(rig.status(0)), regs::ChannelState::done);
  });
  EXPECT_EQ(rig.statistics.find_counter("memory.writes")->value(), 0u);
}

TEST(DmaEngine, BusErrorMidChainStopsTheChannelAndNamesTheDescriptor) {
  DmaRig rig;
  rig.fill(0x10000, 0x2000, 5);
  rig.put_descriptor(0x1000, {0x10000, 0x40000, 600, 0, 0x1020});
  // Destination runs off the end of memory after one whole burst.
  rig.put_descriptor(0x1020, {0x11000, 16 * MiB - 256, 600, 0, 0x1040});
  rig.put_descriptor(0x1040, {0x10000, 0x50000, 100, regs::kDescriptorLast, 0});
  testing::run_in_thread([&] {
    rig.start(0, 0x1000);
    sc_core::wait(rig.dma.irq->posedge_event());
    EXPECT_EQ(rig.status(0),
              regs::status_value(regs::ChannelState::error, regs::ChannelError::destination));
    EXPECT_EQ(rig.read_register(DmaRig::channel(0, regs::kErrorDescriptor), 8), 0x1020u);
    EXPECT_EQ(rig.read_register(DmaRig::channel(0, regs::kBytesDone), 8), 600u + 256);
    EXPECT_EQ(rig.read_register(DmaRig::channel(0, regs::kDescriptorsDone), 4), 1u);
  });
  EXPECT_TRUE(rig.same(0x10000, 0x40000, 600));
  EXPECT_TRUE(rig.same(0x11000, 16 * MiB - 256, 256));  // the burst before the error stays
  EXPECT_EQ(rig.memory.storage().data()[0x50000], 0);   // the chain stopped
  EXPECT_EQ(rig.statistics.find_counter("dma.channel0.errors")->value(), 1u);
}

TEST(DmaEngine, SourceAndDescriptorFetchErrorsAreReportedAsSuch) {
  DmaRig rig;
  rig.put_descriptor(0x1000, {kUnmapped, 0x40000, 64, regs::kDescriptorLast, 0});
  rig.put_descriptor(0x2000, {0x10000, 0x40000, 64, 0, kUnmapped + 0x100});
  testing::run_in_thread([&] {
    rig.start(0, 0x1000, false);
    rig.start(1, 0x2000, false);
    rig.wait_idle(0);
    rig.wait_idle(1);
    EXPECT_EQ(rig.status(0),
              regs::status_value(regs::ChannelState::error, regs::ChannelError::source));
    EXPECT_EQ(rig.read_register(DmaRig::channel(0, regs::kErrorDescriptor), 8), 0x1000u);
    EXPECT_EQ(rig.status(1),
              regs::status_value(regs::ChannelState::error, regs::ChannelError::descriptor_fetch));
    EXPECT_EQ(rig.read_register(DmaRig::channel(1, regs::kErrorDescriptor), 8), kUnmapped + 0x100);
    EXPECT_EQ(rig.read_register(DmaRig::channel(1, regs::kBytesDone), 8), 64u);
  });
}

TEST(DmaEngine, ReservedFlagBitsMakeABadDescriptor) {
  DmaRig rig;
  rig.put_descriptor(0x1000, {0x10000, 0x40000, 64, 0x80, 0});
  testing::run_in_thread([&] {
    rig.start(0, 0x1000);
    sc_core::wait(rig.dma.irq->posedge_event());
    EXPECT_EQ(rig.status(0),
              regs::status_value(regs::ChannelState::error, regs::ChannelError::bad_descriptor));
  });
}

TEST(DmaEngine, AChannelKeepsServingAfterAnotherFails) {
  DmaRig rig;
  rig.fill(0x10000, 512, 9);
  rig.put_descriptor(0x1000, {kUnmapped, 0x40000, 64, regs::kDescriptorLast, 0});
  rig.put_descriptor(0x2000, {0x10000, 0x50000, 512, regs::kDescriptorLast, 0});
  testing::run_in_thread([&] {
    rig.start(0, 0x1000, false);
    rig.wait_idle(0);
    rig.start(1, 0x2000, false);
    rig.wait_idle(1);
    EXPECT_EQ(regs::status_state(rig.status(0)), regs::ChannelState::error);
    EXPECT_EQ(regs::status_state(rig.status(1)), regs::ChannelState::done);
    // And the failed channel runs again once given a good chain.
    rig.start(0, 0x2000, false);
    rig.wait_idle(0);
    EXPECT_EQ(regs::status_state(rig.status(0)), regs::ChannelState::done);
  });
  EXPECT_TRUE(rig.same(0x10000, 0x50000, 512));
}

// Two channels run at once and share the memory's bus: each takes longer than alone, and
// together about as long as the same bytes moved by one.
TEST(DmaEngine, TwoChannelsRunConcurrentlyAndShareTheMemory) {
  DmaRig alone(true, "_alone");
  DmaRig both(true, "_both");
  constexpr uint64_t kBytes = 32 * KiB;
  for (DmaRig* rig : {&alone, &both}) {
    rig->fill(0x100000, kBytes, 2);
    rig->put_descriptor(0x1000, {0x100000, 0x200000, kBytes, regs::kDescriptorLast, 0});
    rig->put_descriptor(0x2000, {0x100000, 0x300000, kBytes, regs::kDescriptorLast, 0});
  }
  sc_time single;
  sc_time finished[2];
  testing::run_in_thread([&] {
    const sc_time started = alone.start(0, 0x1000, false);
    alone.wait_idle(0);
    single = sc_core::sc_time_stamp() - started;
    const sc_time both_started = both.start(0, 0x1000, false);
    both.start(1, 0x2000, false);
    for (size_t i : {0, 1}) {
      both.wait_idle(i);
      finished[i] = sc_core::sc_time_stamp() - both_started;
    }
  });
  for (size_t i : {0, 1})
    EXPECT_GT(finished[i], 1.3 * single) << i;
  EXPECT_LT(std::max(finished[0], finished[1]), 2.3 * single);
  EXPECT_TRUE(both.same(0x100000, 0x200000, kBytes));
  EXPECT_TRUE(both.same(0x100000, 0x300000, kBytes));
}

TEST(DmaEngine, InterruptRisesWhenEnabledAndFallsWhenCleared) {
  DmaRig rig;
  rig.put_descriptor(0x1000, {0x10000, 0x40000, 64, regs::kDescriptorLast, 0});
  testing::run_in_thread([&] {
    rig.start(1, 0x1000, false);
    rig.wait_idle(1);
    sc_core::wait(SC_ZERO_TIME);
    EXPECT_FALSE(rig.interrupt.read());
    EXPECT_EQ(rig.read_register(regs::kIrqStatus, 4), 0u);

    rig.start(1, 0x1000, true);
    sc_core::wait(rig.dma.irq->posedge_event());
    EXPECT_EQ(rig.read_register(regs::kIrqStatus, 4), 0b10u);
    rig.write_register(regs::kIrqStatus, 0b10, 4);
    rig.driver.sync();
    sc_core::wait(SC_ZERO_TIME);
    sc_core::wait(SC_ZERO_TIME);
    EXPECT_FALSE(rig.interrupt.read());
    EXPECT_EQ(rig.read_register(regs::kIrqStatus, 4), 0u);
  });
}

TEST(DmaEngine, StartWhileBusyIsIgnored) {
  DmaRig rig;
  rig.put_descriptor(0x1000, {0x10000, 0x40000, 4096, regs::kDescriptorLast, 0});
  testing::run_in_thread([&] {
    rig.start(0, 0x1000, false);
    rig.write_register(DmaRig::channel(0, regs::kControl), regs::kControlStart, 4);
    rig.wait_idle(0);
  });
  EXPECT_EQ(rig.statistics.find_counter("dma.starts_while_busy")->value(), 1u);
  EXPECT_EQ(rig.statistics.find_counter("dma.channel0.transfers")->value(), 1u);
}

TEST(DmaEngine, DmiOnAndOffGiveTheSameCycles) {
  DmaRig with_dmi(true, "_on");
  DmaRig without_dmi(false, "_off");
  sc_time elapsed[2];
  DmaRig* rigs[2] = {&with_dmi, &without_dmi};
  for (DmaRig* rig : rigs) {
    rig->fill(0x100000, 64 * KiB, 1);
    for (uint64_t i = 0; i < 16; ++i) {
      rig->put_descriptor(0x1000 + i * 32, {0x100000 + i * 4096, 0x200000 + i * 8192,
                                            static_cast<uint32_t>(4096 - i * 100), 0,
                                            i == 15 ? 0 : 0x1000 + (i + 1) * 32});
    }
  }
  testing::run_in_thread([&] {
    for (int r = 0; r < 2; ++r) {
      const sc_time started = rigs[r]->start(0, 0x1000);
      sc_core::wait(rigs[r]->dma.irq->posedge_event());
      elapsed[r] = sc_core::sc_time_stamp() - started;
    }
  });
  EXPECT_EQ(elapsed[0], elapsed[1]);
  EXPECT_GT(elapsed[0], SC_ZERO_TIME);
  EXPECT_EQ(with_dmi.statistics.find_counter("memory_on.bytes_written")->value(),
            without_dmi.statistics.find_counter("memory_off.bytes_written")->value());
  EXPECT_EQ(with_dmi.statistics.find_counter("memory_on.writes")->value(),
            without_dmi.statistics.find_counter("memory_off.writes")->value());
}

}  // namespace
}  // namespace zxvp
