#include "models/bus/bus.h"

#include <gtest/gtest.h>

#include <vector>

#include "models/memory/memory.h"
#include "models/tlm/dmi_grant.h"
#include "models/traffic/traffic_initiator.h"
#include "sim/params/units.h"
#include "tests/support/simulation.h"

namespace zxvp {
namespace {

using sc_core::sc_time;
using sc_core::SC_ZERO_TIME;

constexpr uint64_t kHighBase = 0x1000'0000;

MemoryConfig memory_of(uint64_t size) {
  MemoryConfig config;
  config.size = size;
  return config;
}

// A target that grants DMI over its own buffer and can take the grant back.
class RevocableTarget : public sc_core::sc_module, public tlm::tlm_fw_transport_if<> {
 public:
  tlm::tlm_target_socket<> socket{"socket"};
  std::vector<uint8_t> bytes = std::vector<uint8_t>(64 * KiB);

  explicit RevocableTarget(const sc_core::sc_module_name& name) : sc_module(name) {
    socket.bind(*this);
  }
  void revoke(uint64_t start, uint64_t end) { socket->invalidate_direct_mem_ptr(start, end); }

  void b_transport(tlm::tlm_generic_payload& payload, sc_time&) override {
    payload.set_dmi_allowed(true);
    payload.set_response_status(tlm::TLM_OK_RESPONSE);
  }
  tlm::tlm_sync_enum nb_transport_fw(tlm::tlm_generic_payload&, tlm::tlm_phase&,
                                     sc_time&) override {
    return tlm::TLM_COMPLETED;
  }
  bool get_direct_mem_ptr(tlm::tlm_generic_payload&, tlm::tlm_dmi& dmi) override {
    dmi.set_dmi_ptr(bytes.data());
    dmi.set_start_address(0);
    dmi.set_end_address(bytes.size() - 1);
    dmi.allow_read_write();
    return true;
  }
  unsigned int transport_dbg(tlm::tlm_generic_payload&) override { return 0; }
};

// Two memories and a revocable target behind the bus; two initiators in front of it.
struct BusBench {
  BusBench()
      : bus("bus", BusConfig{1000, 3}, statistics),
        low("low", memory_of(MiB), statistics),
        high("high", memory_of(2 * MiB), statistics),
        revocable("revocable"),
        first("first", true),
        second("second", true) {
    bus.attach(low.socket, 0, MiB, "low");
    bus.attach(high.socket, kHighBase, 2 * MiB, "high");
    bus.attach(revocable.socket, 0x2000'0000, 64 * KiB, "revocable");
    first.port.socket.bind(bus.target_socket);
    second.port.socket.bind(bus.target_socket);
  }
  StatisticsRegistry statistics;
  Bus bus;
  Memory low;
  Memory high;
  RevocableTarget revocable;
  TrafficInitiator first;
  TrafficInitiator second;
};

TEST(Bus, DecodesAndRebasesToTheTargetsLocalAddress) {
  BusBench bench;
  testing::run_in_thread([&] {
    const std::vector<uint8_t> data = {1, 2, 3, 4};
    ASSERT_EQ(bench.first.write(kHighBase + 0x10, data.data(), data.size()), tlm::TLM_OK_RESPONSE);
    ASSERT_EQ(bench.first.write(0x20, data.data(), data.size()), tlm::TLM_OK_RESPONSE);
  });
  EXPECT_EQ(bench.high.storage().data()[0x10], 1);
  EXPECT_EQ(bench.high.storage().data()[0x13], 4);
  EXPECT_EQ(bench.low.storage().data()[0x20], 1);
  EXPECT_EQ(bench.low.storage().data()[0x10], 0);
  EXPECT_EQ(bench.statistics.find_counter("bus.to_high.bytes_written")->value(), 4u);
  EXPECT_EQ(bench.statistics.find_counter("bus.to_low.writes")->value(), 1u);
}

TEST(Bus, ChargesOneHopPerTransaction) {
  BusBench bench;
  testing::run_in_thread([&] {
    std::vector<uint8_t> buffer(256);
    sc_time delay = SC_ZERO_TIME;
    ASSERT_EQ(bench.second.port.read(kHighBase, buffer.data(), 256, delay), tlm::TLM_OK_RESPONSE);
    EXPECT_EQ(bench.bus.hop_latency(), sc_time(3, sc_core::SC_NS));
    // The hop, then the memory's latency (its first access opens a row) and 256 bytes.
    EXPECT_EQ(delay, sc_time(3, sc_core::SC_NS) + to_time(bench.high.controller().unloaded_latency(
                                                              tlm::TLM_READ_COMMAND, 256) +
                                                          bench.high.controller().row_miss()));
  });
}

TEST(Bus, UnmappedOrStraddlingAccessIsAnAddressError) {
  BusBench bench;
  testing::run_in_thread([&] {
    std::vector<uint8_t> buffer(64);
    sc_time delay = SC_ZERO_TIME;
    EXPECT_EQ(bench.first.port.read(0x0800'0000, buffer.data(), 4, delay),
              tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_EQ(delay, bench.bus.hop_latency());
    EXPECT_EQ(bench.first.port.read(MiB - 32, buffer.data(), 64, delay),
              tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_EQ(bench.first.port.read(UINT64_MAX - 1, buffer.data(), 4, delay),
              tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_EQ(bench.first.port.debug_read(0x0800'0000, buffer.data(), 4), 0u);
  });
  EXPECT_EQ(bench.statistics.find_counter("bus.decode_errors")->value(), 3u);
}

TEST(Bus, DebugTransportIsRebasedAndClippedToTheTarget) {
  BusBench bench;
  // The bus's multi-sockets connect at the end of elaboration: talk to it from a thread.
  testing::run_in_thread([&] {
    std::vector<uint8_t> data(64, 0x5A);
    EXPECT_EQ(bench.first.port.debug_write(kHighBase + 2 * MiB - 16, data.data(), 64), 16u);
  });
  EXPECT_EQ(bench.high.storage().data()[2 * MiB - 1], 0x5A);
  EXPECT_EQ(bench.high.storage().data()[2 * MiB - 17], 0);
}

TEST(Bus, DmiRangeIsTranslatedToTheInitiatorsAddressesWithTheHopLatency) {
  BusBench bench;
  tlm::tlm_generic_payload request;
  DmiGrant grant;
  tlm::tlm_dmi dmi;
  bool granted = false;
  bool unmapped_granted = true;
  testing::run_in_thread([&] {
    request.set_address(kHighBase + 0x1234);
    request.set_extension(&grant);
    granted = bench.first.port.socket->get_direct_mem_ptr(request, dmi);
    request.clear_extension(&grant);
    tlm::tlm_generic_payload unmapped;
    tlm::tlm_dmi ignored;
    unmapped.set_address(0x0800'0000);
    unmapped_granted = bench.first.port.socket->get_direct_mem_ptr(unmapped, ignored);
  });
  ASSERT_TRUE(granted);
  EXPECT_FALSE(unmapped_granted);
  EXPECT_EQ(request.get_address(), kHighBase + 0x1234);
  EXPECT_EQ(dmi.get_start_address(), kHighBase);
  EXPECT_EQ(dmi.get_end_address(), kHighBase + 2 * MiB - 1);
  EXPECT_EQ(dmi.get_dmi_ptr(), bench.high.storage().data());
  EXPECT_EQ(dmi.get_read_latency(),
            to_time(bench.high.controller().unloaded_latency(tlm::TLM_READ_COMMAND, 0)) +
                bench.bus.hop_latency());
  EXPECT_EQ(grant.controller, &bench.high.controller());
  EXPECT_EQ(grant.address_offset, kHighBase);
  EXPECT_EQ(grant.hop_ticks, to_ticks(bench.bus.hop_latency()));
}

TEST(Bus, DmiAccessCountsTrafficAtTheBusAndTheTarget) {
  BusBench bench;
  testing::run_in_thread([&] {
    std::vector<uint8_t> buffer(128);
    // The first access goes through b_transport and earns the grant; the second uses DMI.
    ASSERT_EQ(bench.first.read(kHighBase, buffer.data(), 128), tlm::TLM_OK_RESPONSE);
    ASSERT_EQ(bench.first.port.dmi_region_count(), 1u);
    ASSERT_EQ(bench.first.read(kHighBase + 128, buffer.data(), 128), tlm::TLM_OK_RESPONSE);
  });
  EXPECT_EQ(bench.statistics.find_counter("bus.to_high.bytes_read")->value(), 256u);
  EXPECT_EQ(bench.statistics.find_counter("high.bytes_read")->value(), 256u);
  EXPECT_EQ(bench.statistics.find_counter("high.reads")->value(), 2u);
}

TEST(Bus, TargetInvalidationReachesEveryInitiatorInGlobalAddresses) {
  BusBench bench;
  testing::run_in_thread([&] {
    std::vector<uint8_t> buffer(16);
    for (TrafficInitiator* initiator : {&bench.first, &bench.second}) {
      ASSERT_EQ(initiator->read(0x2000'0000, buffer.data(), 16), tlm::TLM_OK_RESPONSE);
      ASSERT_EQ(initiator->read(kHighBase, buffer.data(), 16), tlm::TLM_OK_RESPONSE);
      ASSERT_EQ(initiator->port.dmi_region_count(), 2u);
    }
    // Local [0x100, 0x1ff] of the revocable target is global 0x2000'0100..: only that grant goes.
    bench.revocable.revoke(0x100, 0x1FF);
    EXPECT_EQ(bench.first.port.dmi_region_count(), 1u);
    EXPECT_EQ(bench.second.port.dmi_region_count(), 1u);
    // The memory's grant stays and keeps serving.
    sc_time delay = SC_ZERO_TIME;
    ASSERT_EQ(bench.first.port.read(kHighBase, buffer.data(), 16, delay), tlm::TLM_OK_RESPONSE);
  });
  EXPECT_EQ(bench.statistics.find_counter("bus.dmi_invalidations")->value(), 1u);
}

TEST(Bus, OverlappingTargetsAreRefused) {
  StatisticsRegistry statistics;
  Bus bus("bus", BusConfig{}, statistics);
  Memory a("a", memory_of(MiB), statistics);
  Memory b("b", memory_of(MiB), statistics);
  bus.attach(a.socket, 0x10'0000, MiB, "a");
  try {
    bus.attach(b.socket, 0x18'0000, MiB, "b");
    FAIL() << "overlap accepted";
  } catch (const ConfigError& error) {
    EXPECT_NE(std::string(error.what()).find("overlaps 'a'"), std::string::npos);
  }
}

}  // namespace
}  // namespace zxvp
