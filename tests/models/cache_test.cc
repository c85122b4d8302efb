#include "models/cache/cache.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "models/cpu/bus_data_path.h"
#include "models/memory/memory.h"
#include "models/traffic/traffic_initiator.h"
#include "sim/params/units.h"

namespace zxvp {
namespace {

constexpr uint64_t kLine = 64;
constexpr uint64_t kPage = Cache::kPageBytes;

// L1 and L2 over a bus path to 16 MiB of memory. The caches keep their tags as page lists, or,
// with `page_lists` off, line by line: the reference the page lists must match (with DMI off,
// so that the bus times every line by a transaction as well).
CacheConfig with_page_lists(CacheConfig config, bool page_lists) {
  config.page_lists = page_lists;
  return config;
}

struct CacheRig {
  CacheRig(const std::string& suffix, bool page_lists, const CacheConfig& l1_config,
           const CacheConfig& l2_config)
      : memory(("memory" + suffix).c_str(), memory_config(), statistics),
        initiator(("initiator" + suffix).c_str(), page_lists),
        bus_path(initiator.port, kLine, 8),
        l2(("l2" + suffix).c_str(), with_page_lists(l2_config, page_lists), kLine, clock, bus_path,
           statistics),
        l1(("l1" + suffix).c_str(), with_page_lists(l1_config, page_lists), kLine, clock, l2,
           statistics) {
    initiator.port.socket.bind(memory.socket);
  }

  // Round figures: 60 ns latency, 16 bytes a nanosecond (a line: 4 ns), rows always open.
  static MemoryConfig memory_config() {
    MemoryConfig config;
    config.size = 16 * MiB;
    config.clock_mhz = 1000;
    config.bytes_per_cycle = 16;
    config.read_latency_ns = 60;
    config.write_latency_ns = 60;
    config.row_miss_ns = 0;
    return config;
  }

  uint64_t counter(const std::string& name) const {
    const Counter* found = statistics.find_counter(name);
    return found != nullptr ? found->value() : UINT64_MAX;
  }

  StatisticsRegistry statistics;
  size_t most_page_list_entries = 0;  // in the L1 and L2 together, after any operation
  size_t groups_to_lines = 0;         // times the L1 and L2 kept more groups line by line
  size_t groups_to_lists = 0;         // times they kept fewer
  std::vector<tlm::tlm_response_status> statuses;  // of each operation run
  Clock clock{2000};
  Memory memory;
  TrafficInitiator initiator;
  BusDataPath bus_path;
  Cache l2;
  Cache l1;
};

CacheConfig cache_config(uint64_t size, uint64_t ways, uint64_t hit_latency_cycles) {
  CacheConfig config;
  config.size = size;
  config.ways = ways;
  config.hit_latency_cycles = hit_latency_cycles;
  return config;
}

// One random operation of a core on its caches, the same for both rigs.
struct Operation {
  enum Kind { read, write, zero, clean, invalidate, clean_invalidate } kind;
  uint64_t address;
  uint64_t length_bytes;
};

std::vector<Operation> random_operations(size_t count, uint64_t pool_pages, uint32_t seed) {
  std::mt19937_64 random(seed);
  auto below = [&random](uint64_t bound) { return random() % bound; };
  std::vector<Operation> operations;
  for (size_t i = 0; i < count; ++i) {
    const auto kind = static_cast<Operation::Kind>(below(6) < 3 ? below(2) : below(6));
    const uint64_t page = 0x10'0000 + below(pool_pages) * kPage;
    if (below(30) == 0) {  // a program's loads and stores, scattered over the pool's lines
      for (int n = 0; n < 64; ++n) {
        operations.push_back({below(2) == 0 ? Operation::read : Operation::write,
                              0x10'0000 + below(pool_pages) * kPage + below(kPage), 8});
      }
    }
    if (below(100) == 0) {  // a stream of whole pages through the pool, as a large copy does
      for (uint64_t n = 0; n < pool_pages; ++n)
        operations.push_back(
            {below(2) == 0 ? Operation::read : Operation::write, 0x10'0000 + n * kPage, kPage});
    }
    uint64_t address = page;
    uint64_t length = kPage * (1 + below(3));
    switch (below(11)) {
      case 10:  // past the end of memory: fills fail, and so do write-backs of lines stored whole
        address = CacheRig::memory_config().size + below(2) * kPage + below(2) * kLine;
        length = 1 + below(kPage);
        break;
      case 0:
      case 1:  // a few bytes somewhere in a page
        address = page + below(kPage);
        length = 1 + below(200);
        break;
      case 2:  // pages and a bit, from anywhere
        address = page + below(kPage);
        length = 1 + below(3 * kPage);
        break;
      case 3:  // more than both caches hold
        length = 80 * kPage;
        break;
      default:  // whole pages, the copy loop's case
        break;
    }
    operations.push_back({kind, address, length});
  }
  return operations;
}

// The lines of [address, + length_bytes) within one page as a batch arriving at `now`, as the
// core asks for them.
LineRequest request_of(LineAccess access, uint64_t address, uint64_t length_bytes, Ticks now,
                       bool whole_without_fill) {
  return page_lines(access, address, length_bytes, kLine, {now, 0, 0}, whole_without_fill);
}

// Accesses [address, + length_bytes) page by page from `now`; returns when the last line is done.
Ticks access_range(DataPath& path, LineAccess access, uint64_t address, uint64_t length_bytes,
                   Ticks now, bool whole_without_fill, tlm::tlm_response_status* status) {
  Ticks done = now;
  for (uint64_t at = address; at < address + length_bytes;) {
    const uint64_t piece = std::min(address + length_bytes - at, kPage - at % kPage);
    const LineResult result = path.lines(request_of(access, at, piece, now, whole_without_fill));
    if (result.status != tlm::TLM_OK_RESPONSE) *status = result.status;
    done = std::max(done, result.done.last);
    at += piece;
  }
  return done;
}

// Runs `operations` on a rig, each issued when the one before is done; the time each took.
std::vector<Ticks> run(CacheRig& rig, const std::vector<Operation>& operations) {
  std::vector<Ticks> times;
  size_t groups_as_lines = 0;
  Ticks now = 0;
  for (const Operation& operation : operations) {
    tlm::tlm_response_status status = tlm::TLM_OK_RESPONSE;
    Ticks done = now;
    switch (operation.kind) {
      case Operation::read:
        done = access_range(rig.l1, LineAccess::read, operation.address, operation.length_bytes,
                            now, false, &status);
        break;
      case Operation::write:
        done = access_range(rig.l1, LineAccess::write, operation.address, operation.length_bytes,
                            now, operation.address % 2 == 0, &status);
        break;
      case Operation::zero:
        done = access_range(rig.l1, LineAccess::write, operation.address, operation.length_bytes,
                            now, true, &status);
        break;
      case Operation::clean:
        done = rig.l1.maintain(CacheMaintenance::clean, operation.address, operation.length_bytes,
                               now);
        break;
      case Operation::invalidate:
        done = rig.l1.maintain(CacheMaintenance::invalidate, operation.address,
                               operation.length_bytes, now);
        break;
      case Operation::clean_invalidate:
        done = rig.l1.maintain(CacheMaintenance::clean_invalidate, operation.address,
                               operation.length_bytes, now);
        break;
    }
    rig.statuses.push_back(status);
    times.push_back(done - now);
    now = std::max(now, done);
    rig.most_page_list_entries = std::max(rig.most_page_list_entries,
                                          rig.l1.page_list_entries() + rig.l2.page_list_entries());
    const size_t as_lines = rig.l1.groups_kept_as_lines() + rig.l2.groups_kept_as_lines();
    if (as_lines > groups_as_lines) ++rig.groups_to_lines;
    if (as_lines < groups_as_lines) ++rig.groups_to_lists;
    groups_as_lines = as_lines;
  }
  return times;
}

void expect_same_caches(const CacheRig& lists, const std::string& lists_suffix,
                        const CacheRig& lines, const std::string& lines_suffix,
                        uint64_t pool_pages) {
  for (const std::string level : {"l1", "l2"}) {
    for (const std::string counter : {"hits", "misses", "write_backs", "maintained_lines"}) {
      EXPECT_EQ(lists.counter(level + lists_suffix + "." + counter),
                lines.counter(level + lines_suffix + "." + counter))
          << level << "." << counter;
    }
  }
  for (const std::string counter : {"reads", "writes", "bytes_read", "bytes_written"}) {
    EXPECT_EQ(lists.counter("memory" + lists_suffix + "." + counter),
              lines.counter("memory" + lines_suffix + "." + counter))
        << "memory." << counter;
  }
  size_t differences = 0;
  auto compare_lines = [&](uint64_t from, uint64_t to) {
    for (uint64_t address = from; address < to; address += kLine) {
      const bool same = lists.l1.contains(address) == lines.l1.contains(address) &&
                        lists.l1.is_dirty(address) == lines.l1.is_dirty(address) &&
                        lists.l2.contains(address) == lines.l2.contains(address) &&
                        lists.l2.is_dirty(address) == lines.l2.is_dirty(address);
      if (!same && ++differences <= 5) ADD_FAILURE() << "line state differs at " << address;
    }
  };
  compare_lines(0x10'0000, 0x10'0000 + (pool_pages + 80) * kPage);
  const uint64_t memory_end = CacheRig::memory_config().size;
  compare_lines(memory_end, memory_end + 4 * kPage);
  EXPECT_EQ(differences, 0u);
}

// Page lists are a host-speed device only: every sequence of accesses, zeroing and maintenance
// gives the time, statistics and line states that line-by-line caches give.
void expect_page_lists_match_lines(const CacheConfig& l1_config, const CacheConfig& l2_config,
                                   uint64_t pool_pages, uint32_t seed) {
  CacheRig lists("_lists", true, l1_config, l2_config);
  CacheRig lines("_lines", false, l1_config, l2_config);
  const auto operations = random_operations(3000, pool_pages, seed);
  std::vector<Ticks> list_times;
  std::vector<Ticks> line_times;
  sc_core::sc_spawn([&] {
    list_times = run(lists, operations);
    line_times = run(lines, operations);
  });
  sc_core::sc_start();
  ASSERT_EQ(list_times.size(), line_times.size());
  size_t first_difference = list_times.size();
  for (size_t i = 0; i < list_times.size() && first_difference == list_times.size(); ++i) {
    if (list_times[i] != line_times[i]) first_difference = i;
  }
  EXPECT_EQ(first_difference, list_times.size())
      << "operation " << first_difference << " took " << list_times[first_difference] << " vs "
      << line_times[first_difference];
  EXPECT_EQ(lists.statuses, lines.statuses);
  EXPECT_GT(std::count(lists.statuses.begin(), lists.statuses.end(), tlm::TLM_OK_RESPONSE), 0);
  EXPECT_GT(
      std::count(lists.statuses.begin(), lists.statuses.end(), tlm::TLM_ADDRESS_ERROR_RESPONSE), 0);
  expect_same_caches(lists, "_lists", lines, "_lines", pool_pages);
  EXPECT_TRUE(lists.l1.keeps_page_lists());
  EXPECT_GT(lists.most_page_list_entries, 0u);
  // Scattered lines took groups to lines, and page streams brought them back.
  EXPECT_GT(lists.groups_to_lines, 0u);
  EXPECT_GT(lists.groups_to_lists, 0u);
  EXPECT_EQ(lines.most_page_list_entries, 0u);
}

TEST(Cache, PageListsGiveTheTimeStatisticsAndLinesOfLineByLineCaches) {
  expect_page_lists_match_lines(cache_config(8 * KiB, 2, 2), cache_config(32 * KiB, 4, 10), 24, 1);
}

TEST(Cache, PageListsMatchLinesWithTheDefaultGeometry) {
  expect_page_lists_match_lines(cache_config(32 * KiB, 8, 4), cache_config(MiB, 16, 14), 400, 2);
}

TEST(Cache, PageListsMatchLinesOverALevelWhoseSetsAPageShares) {
  // The L2 has 32 sets: lines 0 and 32 of a page share one, so it keeps lines only; the L1 above
  // sends it the same batches from its lists as from its lines.
  expect_page_lists_match_lines(cache_config(8 * KiB, 2, 2), cache_config(32 * KiB, 16, 10), 24, 3);
}

TEST(Cache, SetsSmallerThanAPageGoLineByLine) {
  // 4 KiB in 4 ways: a way is 1 KiB, a page spans each set four times; no page lists.
  CacheRig rig("", true, cache_config(4 * KiB, 4, 2), cache_config(64 * KiB, 4, 10));
  sc_core::sc_spawn([&] {
    tlm::tlm_response_status status = tlm::TLM_OK_RESPONSE;
    for (uint64_t round = 0; round < 8; ++round) {
      access_range(rig.l1, LineAccess::write, 0x10'0000 + round * 2 * kPage, 2 * kPage, 0, false,
                   &status);
    }
  });
  sc_core::sc_start();
  EXPECT_FALSE(rig.l1.keeps_page_lists());
  EXPECT_TRUE(rig.l2.keeps_page_lists());
  EXPECT_EQ(rig.counter("l1.misses"), 8 * 2 * kPage / kLine);
  EXPECT_EQ(rig.counter("l1.write_backs"), 8 * 2 * kPage / kLine - 4 * KiB / kLine);
}

TEST(Cache, AStreamOfWholePagesLeavesAnEntryAWay) {
  CacheRig rig("", true, cache_config(32 * KiB, 8, 4), cache_config(MiB, 16, 14));
  size_t l1_entries_after_small_store = 0;
  sc_core::sc_spawn([&] {
    tlm::tlm_response_status status = tlm::TLM_OK_RESPONSE;
    access_range(rig.l1, LineAccess::write, 0x10'0000, 8, 0, false, &status);
    l1_entries_after_small_store = rig.l1.page_list_entries();
    for (uint64_t page = 0; page < 64; ++page) {
      access_range(rig.l1, LineAccess::read, 0x20'0000 + page * kPage, kPage, 0, false, &status);
    }
  });
  sc_core::sc_start();
  // The L1's 64 sets are one group: the store's line is an entry of its own until eight pages
  // evict it; then the group holds the last eight pages, an entry each.
  EXPECT_EQ(l1_entries_after_small_store, 1u);
  EXPECT_EQ(rig.l1.page_list_entries(), 8u);
  EXPECT_EQ(rig.counter("l1.misses"), 1 + 64 * kPage / kLine);
  EXPECT_EQ(rig.counter("l1.write_backs"), 1u);
}

CacheConfig timed_config(uint64_t size, uint64_t hit_latency_cycles, uint64_t bytes_per_cycle,
                         uint64_t mshrs, uint64_t write_buffer_entries) {
  CacheConfig config = cache_config(size, 8, hit_latency_cycles);
  config.bytes_per_cycle = bytes_per_cycle;
  config.write_bytes_per_cycle = 0;
  config.mshrs = mshrs;
  config.write_buffer_entries = write_buffer_entries;
  config.prefetch = false;
  return config;
}

// The last line of a page read from memory comes 63 line transfers after the first when misses
// overlap freely; with one MSHR in the L1 each waits for the one before: 63 round trips.
TEST(Cache, MissesOverlapUpToTheMshrs) {
  CacheRig many("_many", true, timed_config(32 * KiB, 4, 64, 64, 64),
                timed_config(256 * KiB, 10, 64, 64, 64));
  CacheRig one("_one", true, timed_config(32 * KiB, 4, 64, 1, 64),
               timed_config(256 * KiB, 10, 64, 64, 64));
  Span done[2];
  sc_core::sc_spawn([&] {
    done[0] = many.l1.lines(request_of(LineAccess::read, 0x10'0000, kPage, 0, false)).done;
    done[1] = one.l1.lines(request_of(LineAccess::read, 0x10'0000, kPage, 0, false)).done;
  });
  sc_core::sc_start();
  const Ticks line_transfer = 4'000;
  // A round trip seen from the L1: the L2's 10 cycles (5 ns), then memory's 60 ns and a line.
  const Ticks round_trip = 5'000 + 60'000 + line_transfer;
  EXPECT_EQ(done[0].last - done[0].first, 63 * line_transfer);
  EXPECT_EQ(done[1].last - done[1].first, 63 * round_trip);
  EXPECT_EQ(one.counter("l1_one.mshr_waits"), 63u);
}

// A port whose width does not divide a line moves it in a fraction of a cycle: 48 bytes a cycle
// move a 64-byte line in 4/3 of a cycle (667 ps of the rig's 500 ps cycle), not in two cycles.
TEST(Cache, APortNarrowerThanALineMovesItInAFractionOfACycle) {
  CacheRig rig("", true, timed_config(32 * KiB, 4, 48, 64, 64),
               timed_config(256 * KiB, 10, 64, 64, 64));
  Span hits;
  sc_core::sc_spawn([&] {
    rig.l1.lines(request_of(LineAccess::read, 0x10'0000, kPage, 0, false));
    hits = rig.l1.lines(request_of(LineAccess::read, 0x10'0000, kPage, 1'000'000, false)).done;
  });
  sc_core::sc_start();
  EXPECT_EQ(rig.counter("l1.hits"), kPage / kLine);
  EXPECT_EQ(hits.last - hits.first, 63 * Ticks{667});
}

// Dirty victims are posted: a batch waits for them only beyond the write buffer's entries.
TEST(Cache, ABatchWaitsForItsVictimsOnlyWhenTheWriteBufferIsFull) {
  // An L2 whose port takes 32 ns a line: the victims drain slowly.
  CacheRig roomy("_roomy", true, timed_config(4 * KiB, 4, 64, 64, 64),
                 timed_config(256 * KiB, 10, 1, 64, 64));
  CacheRig none("_none", true, timed_config(4 * KiB, 4, 64, 64, 0),
                timed_config(256 * KiB, 10, 1, 64, 64));
  Ticks done[2] = {0, 0};
  CacheRig* rigs[2] = {&roomy, &none};
  sc_core::sc_spawn([&] {
    for (int r = 0; r < 2; ++r) {
      // A page written whole (no fill), then another read: it evicts the first's 64 dirty lines.
      rigs[r]->l1.lines(request_of(LineAccess::write, 0x10'0000, kPage, 0, true));
      done[r] = rigs[r]
                    ->l1.lines(request_of(LineAccess::read, 0x20'0000, kPage, 1'000'000, false))
                    .done.last;
    }
  });
  sc_core::sc_start();
  // Without a buffer the read waits until the L2 has taken all but none of the 64 victims.
  EXPECT_GE(done[1] - done[0], 60 * Ticks{32'000});
  EXPECT_EQ(none.counter("l1_none.write_buffer_waits"), 64u);
  EXPECT_EQ(roomy.counter("l1_roomy.write_buffer_waits"), 0u);
}

// A store that writes a whole line allocates it without reading it; a partial one reads it.
TEST(Cache, WholeLineStoresNeedNoFill) {
  CacheRig rig("", true, timed_config(32 * KiB, 4, 64, 64, 64),
               timed_config(256 * KiB, 10, 64, 64, 64));
  sc_core::sc_spawn([&] {
    rig.l1.lines(request_of(LineAccess::write, 0x10'0000, kPage, 0, true));
    rig.l1.lines(request_of(LineAccess::write, 0x20'0000, kPage, 0, false));
  });
  sc_core::sc_start();
  EXPECT_EQ(rig.counter("memory.bytes_read"), kPage);  // the second page only
  EXPECT_EQ(rig.counter("l1.misses"), 2 * kPage / kLine);
}

}  // namespace
}  // namespace zxvp
