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
// is written), and so does a line zeroed whole by zero(). Maintenance by range costs the hit
// latency per line of the range plus the write-back of each dirty line it cleans. No overlap of
// misses, no prefetching.
class Cache : public sc_core::sc_module, public DataPath {
 public:
  Cache(const sc_core::sc_module_name& name, const CacheConfig& config, uint64_t line_bytes,
        const Clock& cpu_clock, DataPath& next, StatisticsRegistry& statistics);

  tlm::tlm_response_status access(tlm::tlm_command command, uint64_t physical_address,
                                  uint8_t* data, uint64_t length_bytes, MemoryType memory_type,
                                  sc_core::sc_time& delay) override;
  tlm::tlm_response_status zero(uint64_t physical_address, uint64_t length_bytes,
                                sc_core::sc_time& delay) override;
  tlm::tlm_response_status fill_line(uint64_t line_address, sc_core::sc_time& delay) override;
  tlm::tlm_response_status write_back_line(uint64_t line_address, sc_core::sc_time& delay) override;
  void maintain(CacheMaintenance operation, uint64_t physical_address, uint64_t length_bytes,
                sc_core::sc_time& delay) override;
  tlm::tlm_response_status functional(tlm::tlm_command command, uint64_t physical_address,
                                      uint8_t* data, uint64_t length_bytes) override;
  tlm::tlm_response_status functional_zero(uint64_t physical_address,
                                           uint64_t length_bytes) override;

  uint64_t line_bytes() const { return line_bytes_; }
  uint64_t line_count() const { return tags_.size(); }
  sc_core::sc_time hit_latency() const { return hit_latency_; }
  bool contains(uint64_t physical_address) const;
  bool is_dirty(uint64_t physical_address) const;

 private:
  // The tags of a set are scanned on every access, so they live apart from the rest (one or two
  // host cache lines a set): tag = line number + 1, 0 for an empty way.
  static constexpr uint64_t kEmpty = 0;

  // The slot holding `line_number`, or -1.
  int64_t find(uint64_t line_number) const;
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
  Counter& hits_;
  Counter& misses_;
  Counter& write_backs_;
  Counter& maintained_lines_;
};

}  // namespace zxvp
