#include "models/memory/memory.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <numeric>
#include <vector>

#include "models/memory/streaming_copy.h"
#include "models/tlm/dmi_grant.h"
#include "models/traffic/traffic_initiator.h"
#include "sim/params/units.h"
#include "tests/support/simulation.h"

namespace zxvp {
namespace {

using sc_core::sc_time;
using sc_core::SC_ZERO_TIME;

uint64_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  uint64_t size_pages = 0;
  uint64_t resident_pages = 0;
  statm >> size_pages >> resident_pages;
  return resident_pages * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

MemoryConfig small_memory() {
  MemoryConfig config;
  config.size = 4 * MiB;
  config.clock_mhz = 1600;  // 625 ps per cycle
  config.read_latency_ns = 50;
  config.write_latency_ns = 40;
  config.bytes_per_cycle = 16;
  config.row_miss_ns = 0;  // rows have tests of their own
  return config;
}

// One initiator wired straight to one memory.
struct MemoryBench {
  explicit MemoryBench(const MemoryConfig& config, bool dmi, const char* suffix = "")
      : memory((std::string("memory") + suffix).c_str(), config, statistics),
        initiator((std::string("initiator") + suffix).c_str(), dmi) {
    initiator.port.socket.bind(memory.socket);
  }
  StatisticsRegistry statistics;
  Memory memory;
  TrafficInitiator initiator;
};

std::vector<uint8_t> pattern(size_t length, uint8_t seed) {
  std::vector<uint8_t> bytes(length);
  std::iota(bytes.begin(), bytes.end(), seed);
  return bytes;
}

// Streaming stores need an aligned destination: the head and the tail go another way, and every
// byte must arrive whatever the alignment and length.
TEST(StreamingCopy, CopiesEveryByteAtAnyAlignmentAndLength) {
  std::vector<uint8_t> source(4096 + 64);
  std::iota(source.begin(), source.end(), uint8_t{1});
  for (const size_t length : {size_t{0}, size_t{1}, size_t{15}, size_t{16}, size_t{63}, size_t{64},
                              size_t{65}, size_t{1000}, size_t{4096}}) {
    for (size_t destination_offset = 0; destination_offset < 20; destination_offset += 3) {
      for (size_t source_offset = 0; source_offset < 20; source_offset += 7) {
        std::vector<uint8_t> destination(4096 + 64, 0xEE);
        copy_streaming(destination.data() + destination_offset, source.data() + source_offset,
                       length);
        for (size_t i = 0; i < destination.size(); ++i) {
          const bool inside = i >= destination_offset && i < destination_offset + length;
          const uint8_t expected = inside ? source[source_offset + i - destination_offset] : 0xEE;
          ASSERT_EQ(destination[i], expected)
              << "length " << length << " destination offset " << destination_offset
              << " source offset " << source_offset << " byte " << i;
        }
      }
    }
  }
}

TEST(Memory, AccessCostsLatencyPlusBeats) {
  MemoryBench bench(small_memory(), false);
  testing::run_in_thread([&] {
    std::vector<uint8_t> buffer(4096);
    sc_time delay = SC_ZERO_TIME;
    ASSERT_EQ(bench.initiator.port.read(0, buffer.data(), 100, delay), tlm::TLM_OK_RESPONSE);
    // 50 ns + ceil(100 / 16) = 7 cycles of 625 ps
    const sc_time read = sc_time(50, sc_core::SC_NS) + sc_time(7 * 625, sc_core::SC_PS);
    EXPECT_EQ(delay, read);
    // Issued when the read is done: the bus is free.
    ASSERT_EQ(bench.initiator.port.write(64, buffer.data(), 4096, delay), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(delay, read + sc_time(40, sc_core::SC_NS) + sc_time(256 * 625, sc_core::SC_PS));
  });
}

TEST(Memory, AnAccessWaitsForTheBusBehindOneIssuedBeforeIt) {
  MemoryBench bench(small_memory(), false);
  testing::run_in_thread([&] {
    std::vector<uint8_t> buffer(4096);
    sc_time first = SC_ZERO_TIME;
    sc_time second = SC_ZERO_TIME;
    ASSERT_EQ(bench.initiator.port.read(0, buffer.data(), 4096, first), tlm::TLM_OK_RESPONSE);
    ASSERT_EQ(bench.initiator.port.read(8192, buffer.data(), 4096, second), tlm::TLM_OK_RESPONSE);
    // Both ready 50 ns after their issue; the second moves its 256 beats after the first's.
    EXPECT_EQ(first, sc_time(50, sc_core::SC_NS) + sc_time(256 * 625, sc_core::SC_PS));
    EXPECT_EQ(second, first + sc_time(256 * 625, sc_core::SC_PS));
  });
}

TEST(Memory, ARowMissAddsPrechargeAndActivate) {
  MemoryConfig config = small_memory();
  config.row_miss_ns = 20;
  config.row_bytes = 8192;
  config.banks = 4;
  MemoryBench bench(config, false);
  testing::run_in_thread([&] {
    uint64_t word = 0;
    const sc_time hit = sc_time(50, sc_core::SC_NS) + sc_time(625, sc_core::SC_PS);
    const sc_time miss = hit + sc_time(20, sc_core::SC_NS);
    auto cost = [&](uint64_t address) {
      sc_time delay = SC_ZERO_TIME;
      bench.initiator.port.read(address, &word, sizeof word, delay);
      sc_core::wait(delay);  // one at a time: nothing queued
      return delay;
    };
    EXPECT_EQ(cost(0), miss);         // bank 0 opens row 0
    EXPECT_EQ(cost(4096), hit);       // row 0 still open
    EXPECT_EQ(cost(8192), miss);      // bank 1 opens row 1
    EXPECT_EQ(cost(16), hit);         // bank 0 kept row 0
    EXPECT_EQ(cost(4 * 8192), miss);  // row 4: bank 0 again, another row
    EXPECT_EQ(cost(0), miss);         // row 0 was closed by it
  });
  EXPECT_EQ(bench.statistics.find_counter("memory.row_misses")->value(), 4u);
  EXPECT_EQ(bench.statistics.find_counter("memory.row_hits")->value(), 2u);
}

TEST(Memory, BurstCostsLineAccessesMinusTheLatenciesItOverlaps) {
  MemoryBench bench(small_memory(), false);
  testing::run_in_thread([&] {
    std::vector<uint8_t> buffer(4096);
    sc_time burst = SC_ZERO_TIME;
    bench.initiator.port.read(0, buffer.data(), 4096, burst);
    // One after the other, from when the burst is done.
    sc_time lines = burst;
    for (uint64_t offset = 0; offset < 4096; offset += 64) {
      bench.initiator.port.read(offset, buffer.data() + offset, 64, lines);
    }
    EXPECT_EQ(lines - burst - burst, 63 * sc_time(50, sc_core::SC_NS));
  });
}

TEST(Memory, UntouchedMemoryReadsZeroAndCostsNoHostMemory) {
  MemoryConfig config = small_memory();
  config.size = 64 * GiB;
  const uint64_t resident_before = resident_bytes();
  MemoryBench bench(config, true);
  testing::run_in_thread([&] {
    std::vector<uint8_t> buffer(4096, 0xAA);
    for (uint64_t address : {uint64_t{0}, 17 * GiB + 5, 64 * GiB - 4096}) {
      ASSERT_EQ(bench.initiator.read(address, buffer.data(), 4096), tlm::TLM_OK_RESPONSE);
      EXPECT_EQ(std::count(buffer.begin(), buffer.end(), 0), 4096) << address;
    }
    const auto written = pattern(MiB, 3);
    ASSERT_EQ(bench.initiator.write(33 * GiB, written.data(), written.size()),
              tlm::TLM_OK_RESPONSE);
    std::vector<uint8_t> readback(MiB);
    ASSERT_EQ(bench.initiator.read(33 * GiB, readback.data(), readback.size()),
              tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(readback, written);
  });
  // 1 MiB written plus the test's own buffers; nowhere near the 64 GiB reserved.
  EXPECT_LT(resident_bytes() - resident_before, 16 * MiB);
}

TEST(Memory, DmiAndBTransportGiveTheSameBytesTimeAndStatistics) {
  MemoryBench with_dmi(small_memory(), true, "_dmi");
  MemoryBench without_dmi(small_memory(), false, "_plain");
  testing::run_in_thread([&] {
    const auto data = pattern(10000, 9);
    std::vector<sc_time> elapsed;
    for (MemoryBench* bench : {&with_dmi, &without_dmi}) {
      bench->initiator.sync();
      const sc_time start = bench->initiator.local_time();
      for (uint64_t offset = 0; offset < data.size(); offset += 1000) {
        ASSERT_EQ(bench->initiator.write(4096 + offset, data.data() + offset, 1000),
                  tlm::TLM_OK_RESPONSE);
      }
      std::vector<uint8_t> readback(data.size());
      ASSERT_EQ(bench->initiator.read(4096, readback.data(), readback.size()),
                tlm::TLM_OK_RESPONSE);
      EXPECT_EQ(readback, data);
      elapsed.push_back(bench->initiator.local_time() - start);
    }
    EXPECT_EQ(elapsed[0], elapsed[1]);
    EXPECT_GT(elapsed[0], SC_ZERO_TIME);
  });
  EXPECT_EQ(with_dmi.initiator.port.dmi_region_count(), 1u);
  EXPECT_EQ(without_dmi.initiator.port.dmi_region_count(), 0u);
  for (const char* name : {"reads", "writes", "bytes_read", "bytes_written"}) {
    EXPECT_EQ(with_dmi.statistics.find_counter(std::string("memory_dmi.") + name)->value(),
              without_dmi.statistics.find_counter(std::string("memory_plain.") + name)->value())
        << name;
  }
  EXPECT_EQ(with_dmi.statistics.find_counter("memory_dmi.bytes_written")->value(), 10000u);
  EXPECT_EQ(with_dmi.statistics.find_counter("memory_dmi.writes")->value(), 10u);
}

TEST(Memory, DmiGrantCoversTheMemoryWithItsTiming) {
  MemoryBench bench(small_memory(), true);
  tlm::tlm_generic_payload request;
  DmiGrant grant;
  request.set_address(12345);
  request.set_extension(&grant);
  tlm::tlm_dmi dmi;
  ASSERT_TRUE(bench.memory.get_direct_mem_ptr(request, dmi));
  request.clear_extension(&grant);
  EXPECT_EQ(dmi.get_start_address(), 0u);
  EXPECT_EQ(dmi.get_end_address(), 4 * MiB - 1);
  EXPECT_EQ(dmi.get_dmi_ptr(), bench.memory.storage().data());
  EXPECT_TRUE(dmi.is_read_write_allowed());
  EXPECT_EQ(dmi.get_read_latency(), sc_time(50, sc_core::SC_NS));
  EXPECT_EQ(dmi.get_write_latency(), sc_time(40, sc_core::SC_NS));
  // The initiator times its accesses with the memory's own controller.
  EXPECT_EQ(grant.controller, &bench.memory.controller());
  EXPECT_EQ(grant.address_offset, 0u);

  request.set_address(4 * MiB);
  EXPECT_FALSE(bench.memory.get_direct_mem_ptr(request, dmi));
}

TEST(Memory, DebugTransportMovesBytesWithoutTimeOrTraffic) {
  MemoryBench bench(small_memory(), false);
  const auto data = pattern(300, 1);
  EXPECT_EQ(bench.initiator.port.debug_write(1000, data.data(), data.size()), 300u);
  std::vector<uint8_t> readback(300);
  EXPECT_EQ(bench.initiator.port.debug_read(1000, readback.data(), readback.size()), 300u);
  EXPECT_EQ(readback, data);
  // Clipped at the end of memory; nothing at all past it.
  EXPECT_EQ(bench.initiator.port.debug_read(4 * MiB - 100, readback.data(), 300), 100u);
  EXPECT_EQ(bench.initiator.port.debug_read(4 * MiB, readback.data(), 300), 0u);
  EXPECT_EQ(bench.statistics.find_counter("memory.debug_accesses")->value(), 4u);
  EXPECT_EQ(bench.statistics.find_counter("memory.bytes_written")->value(), 0u);
  EXPECT_EQ(bench.statistics.find_counter("memory.bytes_read")->value(), 0u);
}

TEST(Memory, AccessPastTheEndIsAnAddressError) {
  MemoryBench bench(small_memory(), true);
  testing::run_in_thread([&] {
    std::vector<uint8_t> buffer(64);
    EXPECT_EQ(bench.initiator.read(4 * MiB, buffer.data(), 1), tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_EQ(bench.initiator.write(4 * MiB - 32, buffer.data(), 64),
              tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_EQ(bench.initiator.read(UINT64_MAX, buffer.data(), 2), tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_EQ(bench.initiator.read(4 * MiB - 64, buffer.data(), 64), tlm::TLM_OK_RESPONSE);
  });
  EXPECT_EQ(bench.statistics.find_counter("memory.error_responses")->value(), 3u);
}

TEST(Memory, HonoursByteEnablesAndRefusesStreaming) {
  MemoryBench bench(small_memory(), false);
  const auto initial = pattern(8, 0x10);
  bench.initiator.port.debug_write(0, initial.data(), initial.size());
  std::vector<uint8_t> data(8, 0xEE);
  uint8_t enables[2] = {TLM_BYTE_ENABLED, TLM_BYTE_DISABLED};
  tlm::tlm_generic_payload payload;
  payload.set_command(tlm::TLM_WRITE_COMMAND);
  payload.set_address(0);
  payload.set_data_ptr(data.data());
  payload.set_data_length(8);
  payload.set_streaming_width(8);
  payload.set_byte_enable_ptr(enables);
  payload.set_byte_enable_length(2);
  sc_time delay = SC_ZERO_TIME;
  bench.memory.b_transport(payload, delay);
  EXPECT_EQ(payload.get_response_status(), tlm::TLM_OK_RESPONSE);
  std::vector<uint8_t> readback(8);
  bench.initiator.port.debug_read(0, readback.data(), 8);
  EXPECT_EQ(readback, (std::vector<uint8_t>{0xEE, 0x11, 0xEE, 0x13, 0xEE, 0x15, 0xEE, 0x17}));

  payload.set_byte_enable_ptr(nullptr);
  payload.set_streaming_width(4);
  bench.memory.b_transport(payload, delay);
  EXPECT_EQ(payload.get_response_status(), tlm::TLM_BURST_ERROR_RESPONSE);
}

void expect_discarded_pages_read_zero(const MemoryConfig& config) {
  MemoryBench bench(config, false);
  const auto data = pattern(3 * 4096, 1);
  bench.initiator.port.debug_write(0, data.data(), data.size());
  bench.memory.storage().discard(100, 2 * 4096);
  std::vector<uint8_t> readback(data.size());
  bench.initiator.port.debug_read(0, readback.data(), readback.size());
  for (size_t i = 0; i < readback.size(); ++i) {
    const bool discarded = i >= 100 && i < 100 + 2 * 4096;
    ASSERT_EQ(readback[i], discarded ? 0 : data[i]) << i;
  }
}

TEST(Memory, DiscardReturnsPagesThatThenReadZero) {
  expect_discarded_pages_read_zero(small_memory());
}

// Discarding 4 KiB inside a host huge page splits it: the bytes are the same.
TEST(Memory, HostHugePagesKeepTheBytesAndDiscardOfSmallPages) {
  MemoryConfig config = small_memory();
  config.host_huge_pages = true;
  expect_discarded_pages_read_zero(config);
}

}  // namespace
}  // namespace zxvp
