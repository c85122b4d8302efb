#pragma once

#include <cstdint>
#include <string>
#include <systemc>
#include <vector>

#include "models/cpu/data_path.h"
#include "sim/params/parameter_set.h"
#include "sim/stats/statistics.h"
#include "sim/time/clock.h"

namespace zxvp {

struct CacheConfig {
  uint64_t size = uint64_t{32} * 1024;
  uint64_t ways = 8;
  uint64_t hit_latency_cycles = 4;

  void bind(ParameterBinding& binding);
};

// One level of a write-back, write-allocate, set-associative cache with LRU replacement, as a
// timing model over the level below (`next`): tags, ages and dirty bits, no data (the bytes
// live in memory; see DataPath). Only cached accesses allocate; uncached, device and
// write-combining accesses pass through to `next` untouched and uncounted.
//
// Time of a cached access: for each line it touches, the hit latency, plus on a miss the dirty
// victim's write-back and the line's fill from `next`. A line written back into this level by
// the level above costs the hit latency and, on a miss, allocates without a fill (the whole line
// is written), and so does a line zeroed whole by charge_zero(). Maintenance by range costs the hit
// latency per line of the range plus the write-back of each dirty line it cleans. No overlap of
// misses, no prefetching.
//
// Host speed: when a kernel page fits in a way (sets x line >= 4 KiB), the lines of an aligned
// page fall in distinct sets, all in one group of sets (group = page number mod the number of
// groups). While every set of a group holds lines of the same pages in the same LRU order with
// the same dirty bits, the group is kept as one list of pages, and an access to a whole page of
// it costs one list operation instead of a line operation per set: same time, statistics and
// end state, since sets never interact. A line access (a page-table entry stored, say) takes
// only its own set out of the list, into tags, ages and dirty bits; such a set rejoins the list
// once it agrees with it again, and a group whose sets all left it becomes a list again once
// they all agree. Pages go whole only where the levels below charge them in closed form (memory
// granted DMI), where no line of them can fail, and keep a page's lines apart (so that a fill
// and a write-back of different lines may swap).
class Cache : public sc_core::sc_module, public DataPath {
 public:
  Cache(const sc_core::sc_module_name& name, const CacheConfig& config, uint64_t line_bytes,
        const Clock& cpu_clock, DataPath& next, StatisticsRegistry& statistics);

  tlm::tlm_response_status access(tlm::tlm_command command, uint64_t physical_address,
                                  uint8_t* data, uint64_t length_bytes, MemoryType memory_type,
                                  sc_core::sc_time& delay) override;
  tlm::tlm_response_status charge_cached(tlm::tlm_command command, uint64_t physical_address,
                                         uint64_t length_bytes, sc_core::sc_time& delay) override;
  tlm::tlm_response_status charge_zero(uint64_t physical_address, uint64_t length_bytes,
                                       sc_core::sc_time& delay) override;
  tlm::tlm_response_status fill_line(uint64_t line_address, sc_core::sc_time& delay) override;
  tlm::tlm_response_status write_back_line(uint64_t line_address, sc_core::sc_time& delay) override;
  tlm::tlm_response_status fill_page_lines(uint64_t page_address, uint64_t line_mask,
                                           sc_core::sc_time& delay) override;
  tlm::tlm_response_status write_back_page_lines(uint64_t page_address, uint64_t line_mask,
                                                 sc_core::sc_time& delay) override;
  bool keeps_page_lines_apart() const override { return page_groups_; }
  bool charges_in_closed_form(uint64_t physical_address, uint64_t length_bytes) override {
    return next_.charges_in_closed_form(physical_address, length_bytes);
  }
  void maintain(CacheMaintenance operation, uint64_t physical_address, uint64_t length_bytes,
                sc_core::sc_time& delay) override;
  tlm::tlm_response_status functional(tlm::tlm_command command, uint64_t physical_address,
                                      uint8_t* data, uint64_t length_bytes) override;
  uint64_t line_bytes() const { return line_bytes_; }
  uint64_t line_count() const { return tags_.size(); }
  sc_core::sc_time hit_latency() const { return hit_latency_; }
  bool contains(uint64_t physical_address) const;
  bool is_dirty(uint64_t physical_address) const;

  // How many groups of sets are kept wholly as page lists now (see the class comment).
  size_t groups_as_lists() const;

 private:
  // The tags of a set are scanned on every access, so they live apart from the rest (one or two
  // host cache lines a set): tag = line number + 1, 0 for an empty way.
  static constexpr uint64_t kEmpty = 0;

  // What a level does to a line: a fill from above or a load (read), a store (write), a dirty
  // line from above or a whole line zeroed (write_back: allocated without a fill).
  enum class LineAccess : uint8_t { read, write, write_back };

  // One page of a set's lines, while making a group's list from them.
  struct PageEntry {
    uint64_t page_number = 0;
    uint64_t last_use = 0;
    bool dirty = false;
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
  // Whether an access of the core to this range may take its whole pages at once (see the
  // class comment).
  bool whole_pages_allowed(uint64_t physical_address, uint64_t length_bytes);
  // Lines [first, last] in address order; whole aligned pages at once when `pages` is set.
  tlm::tlm_response_status access_lines(uint64_t first, uint64_t last, LineAccess kind, bool pages,
                                        sc_core::sc_time& delay);
  tlm::tlm_response_status access_line(uint64_t line_number, LineAccess kind,
                                       sc_core::sc_time& delay);
  // The lines of a page in `line_mask`, as the level above asks (fills or write-backs).
  tlm::tlm_response_status access_page_lines(uint64_t page_address, uint64_t line_mask,
                                             LineAccess kind, sc_core::sc_time& delay);
  // The lines of a page in `line_mask`: in the list's sets by one list operation, in the others
  // line by line.
  tlm::tlm_response_status access_page(uint64_t page_number, LineAccess kind, uint64_t line_mask,
                                       sc_core::sc_time& delay);
  // The list operation of access_page(), for the sets in `line_mask` (all in the list).
  tlm::tlm_response_status access_list(size_t group, uint64_t page_number, LineAccess kind,
                                       uint64_t line_mask, sc_core::sc_time& delay);
  void maintain_page(uint64_t page_number, CacheMaintenance operation, sc_core::sc_time& delay);
  // The slot holding `line_number`: found (hit), or made room for in its set, writing back a
  // dirty least-recently-used victim (`hit` false).
  size_t lookup(uint64_t line_number, bool* hit, sc_core::sc_time& delay,
                tlm::tlm_response_status& status);
  // One line accessed by the core (write: the line becomes dirty).
  tlm::tlm_response_status touch(uint64_t line_number, bool write, sc_core::sc_time& delay);
  void maintain_slot(size_t slot, CacheMaintenance operation, sc_core::sc_time& delay);

  DataPath& next_;
  uint64_t line_bytes_;
  unsigned line_shift_;
  uint64_t ways_;
  uint64_t set_mask_;
  sc_core::sc_time hit_latency_;
  uint64_t clock_ = 0;
  std::vector<uint64_t> tags_;
  std::vector<uint64_t> last_use_;
  std::vector<uint8_t> dirty_;
  // Page groups (see the class comment); page_groups_ is false when a page does not fit a way
  // (or has more than 64 lines), or when the level below would see a page's lines meet.
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
  Counter& hits_;
  Counter& misses_;
  Counter& write_backs_;
  Counter& maintained_lines_;
};

}  // namespace zxvp
