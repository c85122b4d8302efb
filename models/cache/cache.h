#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <systemc>
#include <vector>

#include "models/cpu/data_path.h"
#include "sim/params/parameter_set.h"
#include "sim/stats/statistics.h"
#include "sim/time/batch_timing.h"
#include "sim/time/clock.h"

namespace zxvp {

// Defaults: the `default` platform's L1 (the other levels' are in DefaultPlatform).
struct CacheConfig {
  uint64_t size = uint64_t{32} * 1024;
  uint64_t ways = 8;
  uint64_t hit_latency_cycles = 4;
  uint64_t bytes_per_cycle = 64;
  uint64_t write_bytes_per_cycle = 32;
  uint64_t mshrs = 10;
  uint64_t write_buffer_entries = 16;
  bool prefetch = false;
  uint64_t prefetch_distance_lines = 16;
  uint64_t prefetch_degree = 2;
  uint64_t prefetch_train_misses = 2;

  void bind(ParameterBinding& binding);
};

// One level of a write-back, write-allocate, set-associative cache with LRU replacement, as a
// timing model over the level below (`next`): tags, ages and dirty bits, no data (the bytes
// live in memory; see DataPath). Only cached accesses allocate; uncached, device and
// write-combining accesses pass through to `next` untouched and uncounted.
//
// Timing, in absolute time, batch by batch (a LineRequest: lines of one page, arriving evenly
// spaced); see models/TIMING.md for the closed forms:
// - Every line of a batch takes the level's port in turn (a ServiceQueue: bytes_per_cycle; writes
//   and write-backs from above use a port of their own when write_bytes_per_cycle is set, as an
//   L1's store pipe), and is done hit_latency after its turn: hits, and lines allocated without a
//   fill (written whole, or written back from above).
// - The lines that miss go to `next` as one batch, issued as their turns come. At most `mshrs`
//   misses are outstanding: by Little's law the batch then completes no faster than mshrs lines
//   per unloaded latency of the level below. A stream prefetcher (if on) sees a batch of
//   consecutive misses as a stream: after the first `train_misses` (demand misses) it asks for
//   each line `distance` lines ahead of its demand (one line ahead when `degree` is 1: it then
//   only keeps pace). With the lines coming one per s, that lead of distance x s hides as much
//   of the latency below, and the level above waits only for what is left of it: its own MSHRs
//   hold the lines that much shorter. Prefetches never run past the batch (the demand stream is
//   known), so every prefetched line is used.
// - Dirty victims are posted: they go to `next` as write-back batches after the fills, and stall
//   the batch only when more than `write_buffer_entries` of them wait for `next` to take them.
// Maintenance by range takes a port turn per line of the range and writes back the dirty ones.
//
// Host speed: when a kernel page fits in a way (sets x line >= 4 KiB), the lines of an aligned
// page fall in distinct sets, all in one group of sets (group = page number mod the number of
// groups). While every set of a group holds lines of the same pages in the same LRU order with
// the same dirty bits, the group is kept as one list of pages, and a batch of lines of one page
// costs one list operation instead of a line operation per set: same outcome (hits, fills,
// victims) and so the same batches below, the same times, statistics and end state, since sets
// never interact. A line access takes only its own set out of the list, into tags, ages and
// dirty bits; such a set rejoins the list once it agrees with it again, and a group whose sets
// all left it becomes a list again once they all agree. Pages go whole only where the levels
// below charge them in closed form (memory granted DMI), where no line of them can fail.
class Cache : public sc_core::sc_module, public DataPath {
 public:
  Cache(const sc_core::sc_module_name& name, const CacheConfig& config, uint64_t line_bytes,
        const Clock& cpu_clock, DataPath& next, StatisticsRegistry& statistics);

  LineResult lines(const LineRequest& request) override;
  tlm::tlm_response_status access_uncached(tlm::tlm_command command, uint64_t physical_address,
                                           uint8_t* data, uint64_t length_bytes,
                                           MemoryType memory_type, Ticks& now) override {
    return next_.access_uncached(command, physical_address, data, length_bytes, memory_type, now);
  }
  bool charges_in_closed_form(uint64_t physical_address, uint64_t length_bytes) override {
    return next_.charges_in_closed_form(physical_address, length_bytes);
  }
  Ticks maintain(CacheMaintenance operation, uint64_t physical_address, uint64_t length_bytes,
                 Ticks now) override;
  tlm::tlm_response_status functional(tlm::tlm_command command, uint64_t physical_address,
                                      uint8_t* data, uint64_t length_bytes) override {
    return next_.functional(command, physical_address, data, length_bytes);
  }
  void settle(Ticks time) override;
  Ticks busy_until() const override {
    return std::max({port_.busy_until(), write_port_.busy_until(), next_.busy_until()});
  }

  uint64_t line_bytes() const { return line_bytes_; }
  uint64_t line_count() const { return tags_.size(); }
  bool contains(uint64_t physical_address) const;
  bool is_dirty(uint64_t physical_address) const;

  // How many groups of sets are kept wholly as page lists now (see the class comment).
  size_t groups_as_lists() const;

 private:
  // The tags of a set are scanned on every access, so they live apart from the rest (one or two
  // host cache lines a set): tag = line number + 1, 0 for an empty way.
  static constexpr uint64_t kEmpty = 0;

  // One page of a set's lines, while making a group's list from them.
  struct PageEntry {
    uint64_t page_number = 0;
    uint64_t last_use = 0;
    bool dirty = false;
  };

  // Dirty lines of one page evicted by a batch: `line_mask` of the victim page, evicted by the
  // batch's lines from rank `first_rank` to `last_rank` (ranks: positions in the batch).
  struct VictimRun {
    uint64_t page_number = 0;
    uint64_t line_mask = 0;
    uint64_t first_rank = 0;
    uint64_t last_rank = 0;
  };

  // What a batch does to the tags, whatever form they are kept in: the lines found, the lines
  // to read from below, the dirty lines evicted (in the order of the batch lines that evicted
  // them, one run per victim page).
  struct Outcome {
    uint64_t hits = 0;
    uint64_t fills = 0;
    std::vector<VictimRun> victims;
  };

  // The slot holding `line_number`, or -1 (the line's set must be kept as lines).
  int64_t find(uint64_t line_number) const;
  // The position of `page_number` in its group's list, or -1 (the group must be a list).
  int64_t find_page(uint64_t page_number) const;
  static uint64_t list_entry(uint64_t page_number, bool dirty) {
    return page_number << 1 | (dirty ? 1 : 0);
  }
  static bool is_dirty_entry(uint64_t entry) { return (entry & 1) != 0; }
  // Moves the page at `position` of a group's list to its most recently used end.
  void make_most_recent(size_t group, size_t position);
  // Takes the page at `position` out of a group's list.
  void remove_from_list(size_t group, size_t position);
  size_t group_of_line(uint64_t line_number) const {
    return (line_number >> page_line_shift_) & group_mask_;
  }
  uint64_t offset_of_line(uint64_t line_number) const {
    return line_number & (lines_per_page_ - 1);
  }
  // Whether the set of `line_number` is described by its group's list.
  bool in_list(uint64_t line_number) const {
    return page_groups_ &&
           ((line_sets_[group_of_line(line_number)] >> offset_of_line(line_number)) & 1) == 0;
  }
  // Writes a group's list into the tags, ages and dirty bits of its set at `offset`, which
  // leaves the list.
  void set_to_lines(size_t group, uint64_t offset);
  // The same for every set of the group still in its list.
  void group_to_lines(size_t group);
  // Whether the set at `offset` holds what the group's list says, in the same order.
  bool set_agrees_with_list(size_t group, uint64_t offset) const;
  // Sets that left the list and agree with it again rejoin it.
  void rejoin_list(size_t group);
  // Makes a group whose sets all left its list a list again when they all agree.
  void group_to_list(size_t group);

  // Applies a batch to the tags and says what it asks of the level below (`outcome`).
  void tag_pass(const LineRequest& request, Outcome& outcome);
  // The batch's lines of `list_mask`, all in their group's list, by one list operation.
  void tag_list(size_t group, uint64_t page_number, const LineRequest& request, uint64_t list_mask,
                Outcome& outcome);
  // One line of the batch (at `offset` in its page) in its set.
  void tag_line(uint64_t line_number, uint64_t offset, const LineRequest& request,
                Outcome& outcome);
  void add_victim(uint64_t page_number, uint64_t line_mask, uint64_t first_rank, uint64_t last_rank,
                  Outcome& outcome);
  // After a failed fill: the lines of `line_mask` leave the sets they were allocated in.
  void drop_lines(uint64_t page_address, uint64_t line_mask);

  // The fills of a batch, as one batch to the level below; the result's unloaded latency is what
  // the prefetcher leaves of it.
  LineResult fill(uint64_t page_address, uint64_t fill_mask, const Arrivals& demand);
  // One batch of fills sent below, with the MSHRs' limit on how fast it completes when
  // `in_flight` of its lines can be outstanding.
  LineResult fill_batch(uint64_t page_address, uint64_t line_mask, const Arrivals& issued,
                        uint64_t in_flight);
  // Time when the batch can go on after posting a victim run taken at `taken` (write-back
  // batch of `count` lines): the run waits in the write buffer beyond its capacity.
  Ticks write_buffer_wait(const Span& taken, uint64_t count);

  void maintain_slot(size_t slot, CacheMaintenance operation, uint64_t rank, Outcome& outcome);

  DataPath& next_;
  CacheConfig config_;
  uint64_t line_bytes_;
  unsigned line_shift_;
  uint64_t ways_;
  uint64_t set_mask_;
  Ticks hit_latency_;
  Ticks line_occupancy_;
  Ticks write_occupancy_;
  ServiceQueue port_;
  ServiceQueue write_port_;
  uint64_t clock_ = 0;
  std::vector<uint64_t> tags_;
  std::vector<uint64_t> last_use_;
  std::vector<uint8_t> dirty_;
  // Page groups (see the class comment); page_groups_ is false when a page does not fit a way
  // (or has more than 64 lines).
  bool page_groups_ = false;
  unsigned page_line_shift_ = 0;
  uint64_t lines_per_page_ = 0;
  uint64_t all_sets_ = 0;  // a mask with a bit for each set of a group
  uint64_t group_mask_ = 0;
  // `ways_` slots per group, the first page_count_[group] used, least recently used first; an
  // entry is page number << 1 | dirty.
  std::vector<uint64_t> list_;
  std::vector<uint8_t> page_count_;
  // Per group, the sets (bit = offset in the page) kept as lines rather than by the list.
  std::vector<uint64_t> line_sets_;
  // Page accesses to a group since its sets that left the list were last compared with it.
  // Comparing costs a look at every way of those sets, so it waits until enough pages could have
  // replaced them all; for a group wholly kept as lines, twice as long each time its list went
  // back to lines before serving that many pages (so that it does not turn back and forth).
  std::vector<uint32_t> group_page_accesses_;
  std::vector<uint32_t> group_list_wait_;
  std::vector<uint32_t> group_list_served_;
  std::vector<PageEntry> reference_set_;
  Outcome outcome_;
  Counter& hits_;
  Counter& misses_;
  Counter& write_backs_;
  Counter& maintained_lines_;
  Counter& mshr_waits_;
  Counter& prefetches_;
  Counter& prefetches_timely_;
  Counter& write_buffer_waits_;
};

}  // namespace zxvp
