#pragma once

#include <algorithm>
#include <array>
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
  bool page_lists = true;

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
// groups), and a batch touches one group. A group's tags are then kept as one list of page
// entries, least recently used first: a page number and the sets (line offsets) in which the
// entry holds that page's line, dirty or not. A set's LRU order is the list's order of the entries
// that hold a line in it, so a batch of a page is a few mask operations on the list, whatever
// lines it has: its hits leave their entries for a new most recent one, and each set it misses
// in a full set loses the line of the oldest entry that holds one there. Streams of whole pages
// keep one entry a way; a line accessed alone adds an entry until the pages after it evict it.
// Lines scattered over many pages (a program's loads and stores) would make the list long, so a
// group whose list outgrows a few entries a way is kept line by line (sets, ages) until a list
// made from its lines would be short again, tried every so many page batches. Tags kept line by
// line are also what caches whose sets a page shares use, and the reference the lists must match
// (`page_lists` off): same hits, fills, victims, and so the same batches below, times, statistics
// and end state.
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
  uint64_t line_count() const { return line_count_; }
  bool contains(uint64_t physical_address) const;
  bool is_dirty(uint64_t physical_address) const;

  // Whether the tags are kept as page lists, how many entries the lists hold now, and how many
  // groups are kept line by line for now (see the class comment).
  bool keeps_page_lists() const { return page_lists_; }
  size_t page_list_entries() const;
  size_t groups_kept_as_lines() const {
    return static_cast<size_t>(std::count_if(groups_.begin(), groups_.end(),
                                             [](const SetGroup& group) { return group.as_lines; }));
  }

 private:
  // The tags of a set kept line by line are scanned on every access, so they live apart from the
  // rest (one or two host cache lines a set): tag = line number + 1, 0 for an empty way.
  static constexpr uint64_t kEmpty = 0;

  // A page's lines in some sets of its group, all of the same age in their sets (see the class
  // comment); `dirty` is a subset of `lines`, neither is empty.
  struct PageLines {
    uint64_t page_number = 0;
    uint64_t lines = 0;
    uint64_t dirty = 0;
  };

  // A group of sets kept as a list of page entries.
  struct SetGroup {
    // The list is entries [oldest, end), least recently used first; entries that left it from
    // its old end go from the vector in bulk, once they are as many as the list's.
    std::vector<PageLines> entries;
    size_t oldest = 0;
    uint64_t full_sets = 0;               // the sets that hold `ways_` lines
    std::array<uint8_t, 64> set_lines{};  // how many lines each set holds
    // A counting filter of the pages in the list (a bit for a hash of the page number):
    // a page whose bit is clear has no entry, and a batch of it skips the search for its lines.
    uint64_t page_filter = 0;
    std::array<uint16_t, 64> filter_counts{};
    // Kept line by line for now (scattered lines made the list too long; see the class comment),
    // and the page batches served so since the list was last tried again.
    bool as_lines = false;
    uint32_t batches_as_lines = 0;
    uint32_t lines_wait = 0;
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

  size_t group_of_page(uint64_t page_number) const { return page_number & group_mask_; }
  // Whether the page's group is kept as a list of page entries now (else line by line).
  bool in_page_list(uint64_t page_number) const {
    return page_lists_ && !groups_[group_of_page(page_number)].as_lines;
  }
  // The slot holding `line_number` (tags kept line by line), or -1.
  int64_t find(uint64_t line_number) const;
  // The entry of `page_number` that holds its line at `offset`, or null (page lists).
  const PageLines* find_entry(uint64_t page_number, uint64_t offset) const;

  // Applies a batch to the tags and says what it asks of the level below (`outcome`).
  void tag_pass(const LineRequest& request, Outcome& outcome);
  // The batch as mask operations on its group's list of page entries.
  void tag_page_lines(const LineRequest& request, Outcome& outcome);
  // One line of the batch (at `offset` in its page) in its set kept line by line.
  void tag_line(uint64_t line_number, uint64_t offset, const LineRequest& request,
                Outcome& outcome);
  // Which sets of a group are full (page lists): after `added` lines were allocated in them.
  void count_allocated(SetGroup& group, uint64_t added);
  // The same after `released` lines left them.
  void count_released(SetGroup& group, uint64_t released);
  // A group's list into its sets kept line by line (ages in list order), and back: the lines
  // of its sets in age order make the list (next to each other, a page's lines are one entry),
  // taken if it is short enough.
  void group_to_lines(size_t group_index);
  void group_to_list(size_t group_index);
  // The `emptied` entries that hold no line any more leave a group's list.
  void drop_empty_entries(SetGroup& group, size_t emptied);
  unsigned filter_bit(uint64_t page_number) const {
    // Fibonacci hashing: pages a power of two apart (a copy's source and destination) differ.
    return static_cast<unsigned>(((page_number >> group_shift_) * 0x9E37'79B9'7F4A'7C15) >> 58);
  }
  void add_to_filter(SetGroup& group, uint64_t page_number);
  void remove_from_filter(SetGroup& group, uint64_t page_number);
  void add_victim(uint64_t page_number, uint64_t line_mask, uint64_t first_rank, uint64_t last_rank,
                  Outcome& outcome);
  // The lines of `line_mask` that the page's entries in a group's list hold become clean, and
  // leave the list when `remove`; returns those that were dirty.
  uint64_t take_page_lines(SetGroup& group, uint64_t page_number, uint64_t line_mask, bool remove);
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

  // Maintenance of the resident lines of [first, last] (line numbers), in address order, into
  // `outcome` (victims ranked by line number - first).
  void maintain_lines(CacheMaintenance operation, uint64_t first, uint64_t last, Outcome& outcome);
  void maintain_pages(CacheMaintenance operation, uint64_t first, uint64_t last, Outcome& outcome);
  void maintain_slot(size_t slot, CacheMaintenance operation, uint64_t rank, Outcome& outcome);

  DataPath& next_;
  CacheConfig config_;
  uint64_t line_bytes_;
  unsigned line_shift_;
  uint64_t line_count_;
  uint64_t ways_;
  uint64_t set_mask_;
  Ticks hit_latency_;
  Ticks line_occupancy_;
  Ticks write_occupancy_;
  ServiceQueue port_;
  ServiceQueue write_port_;
  // Tags kept line by line: of every set when page lists are off, else of the sets of the groups
  // kept line by line for now.
  uint64_t clock_ = 0;
  std::vector<uint64_t> tags_;
  std::vector<uint64_t> last_use_;
  std::vector<uint8_t> dirty_;
  // Page lists (see the class comment); page_lists_ is false when they are off, when a page does
  // not fit a way, or when it has more than 64 lines.
  bool page_lists_ = false;
  unsigned page_line_shift_ = 0;
  uint64_t lines_per_page_ = 0;
  uint64_t group_mask_ = 0;
  unsigned group_shift_ = 0;
  std::vector<SetGroup> groups_;
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
