#include "models/cache/cache.h"

#include <algorithm>
#include <bit>

#include "models/cache/set_geometry.h"
#include "sim/params/config_error.h"
#include "sim/params/units.h"

namespace zxvp {

namespace {

// Lines set in `mask`. (Without a POPCNT instruction in the baseline ISA, std::popcount is a
// library call, and this is asked several times per batch, most often of a whole page.)
uint64_t lines_in(uint64_t mask) {
#if defined(__POPCNT__)
  return static_cast<uint64_t>(std::popcount(mask));
#else
  if (mask == ~uint64_t{0}) return 64;
  mask -= (mask >> 1) & 0x5555'5555'5555'5555;
  mask = (mask & 0x3333'3333'3333'3333) + ((mask >> 2) & 0x3333'3333'3333'3333);
  mask = (mask + (mask >> 4)) & 0x0F0F'0F0F'0F0F'0F0F;
  return (mask * 0x0101'0101'0101'0101) >> 56;
#endif
}

// Position of the line at `offset` among the lines of `mask` (how many come before it).
uint64_t rank_in(uint64_t mask, uint64_t offset) {
  if (mask == ~uint64_t{0}) return offset;
  return lines_in(mask & ((uint64_t{1} << offset) - 1));
}

uint64_t lowest_line(uint64_t mask) {
  return static_cast<uint64_t>(std::countr_zero(mask));
}

uint64_t highest_line(uint64_t mask) {
  return 63 - static_cast<uint64_t>(std::countl_zero(mask));
}

}  // namespace

void CacheConfig::bind(ParameterBinding& binding) {
  binding.field(
      "size", size,
      UnsignedSpec{"bytes", "capacity (ways x a power-of-two number of sets x line)", KiB, GiB});
  binding.field("ways", ways, UnsignedSpec{"ways", "associativity", 1, 64});
  binding.field(
      "hit_latency_cycles", hit_latency_cycles,
      UnsignedSpec{"cycles", "CPU cycles from a line's turn at the port to its data", 0, 10'000});
  binding.field("bytes_per_cycle", bytes_per_cycle,
                UnsignedSpec{"bytes/cycle",
                             "port bandwidth in CPU cycles: a line takes line / this cycles of "
                             "the port, a fraction of a cycle included (hits, fills from below, "
                             "write-backs from above)",
                             1, 4096});
  binding.field("write_bytes_per_cycle", write_bytes_per_cycle,
                UnsignedSpec{"bytes/cycle",
                             "bandwidth of a port of its own for stores and write-backs from "
                             "above (0: they share the port of reads)",
                             0, 4096});
  binding.field("mshrs", mshrs,
                UnsignedSpec{"misses", "misses outstanding at once (miss status holding registers)",
                             1, 1024});
  binding.field("write_buffer_entries", write_buffer_entries,
                UnsignedSpec{"lines",
                             "dirty victims that may wait for the level below before the cache "
                             "stalls",
                             0, 1024});
  binding.field("prefetch.enabled", prefetch, BoolSpec{"a stream prefetcher on this level"});
  binding.field(
      "prefetch.distance_lines", prefetch_distance_lines,
      UnsignedSpec{"lines", "how far ahead of the demand stream the prefetcher runs", 1, 64});
  binding.field("prefetch.degree", prefetch_degree,
                UnsignedSpec{"lines",
                             "prefetches issued per demand access until the distance "
                             "is reached",
                             1, 64});
  binding.field(
      "prefetch.train_misses", prefetch_train_misses,
      UnsignedSpec{"misses", "sequential misses that start a stream (demand misses)", 1, 64});
  binding.field("page_lists", page_lists,
                BoolSpec{"host speed only: keep the tags of each group of sets as a list of page "
                         "entries (off: line by line; times and statistics are the same)"});
}

Cache::Cache(const sc_core::sc_module_name& name, const CacheConfig& config, uint64_t line_bytes,
             const Clock& cpu_clock, DataPath& next, StatisticsRegistry& statistics)
    : sc_module(name),
      next_(next),
      config_(config),
      line_bytes_(line_bytes),
      line_shift_(static_cast<unsigned>(std::countr_zero(line_bytes))),
      line_count_(config.size / line_bytes),
      ways_(config.ways),
      set_mask_(0),
      hit_latency_(to_ticks(cpu_clock.cycles(config.hit_latency_cycles))),
      line_occupancy_(port_ticks(line_bytes, config.bytes_per_cycle, to_ticks(cpu_clock.period()))),
      write_occupancy_(
          config.write_bytes_per_cycle == 0
              ? line_occupancy_
              : port_ticks(line_bytes, config.write_bytes_per_cycle, to_ticks(cpu_clock.period()))),
      hits_(statistics.counter(std::string(basename()) + ".hits", "lines found")),
      misses_(statistics.counter(std::string(basename()) + ".misses", "lines allocated")),
      write_backs_(statistics.counter(std::string(basename()) + ".write_backs",
                                      "dirty lines written to the level below")),
      maintained_lines_(statistics.counter(std::string(basename()) + ".maintained_lines",
                                           "lines visited by clean or invalidate")),
      mshr_waits_(statistics.counter(std::string(basename()) + ".mshr_waits",
                                     "misses that waited for a free MSHR")),
      prefetches_(statistics.counter(std::string(basename()) + ".prefetches",
                                     "lines the prefetcher asked of the level below (every one "
                                     "is used: it never runs past the stream)")),
      prefetches_timely_(statistics.counter(std::string(basename()) + ".prefetches_timely",
                                            "prefetched lines whose lead hid the whole latency "
                                            "of the level below")),
      write_buffer_waits_(statistics.counter(std::string(basename()) + ".write_buffer_waits",
                                             "dirty victims that found the write buffer full")) {
  if (config.size % line_bytes != 0 || !forms_power_of_two_sets(line_count_, config.ways)) {
    throw ConfigError(std::string(basename()) + ": " + format_bytes(config.size) + " in " +
                      std::to_string(config.ways) + " ways of " + std::to_string(line_bytes) +
                      "-byte lines is not a power-of-two number of sets");
  }
  const uint64_t set_count = line_count_ / config.ways;
  set_mask_ = set_count - 1;
  lines_per_page_ = kPageBytes / line_bytes;
  page_lists_ = config.page_lists && line_bytes <= kPageBytes && lines_per_page_ <= 64 &&
                set_count % lines_per_page_ == 0;
  if (page_lists_) {
    const uint64_t group_count = set_count / lines_per_page_;
    page_line_shift_ = static_cast<unsigned>(std::countr_zero(lines_per_page_));
    group_mask_ = group_count - 1;
    group_shift_ = static_cast<unsigned>(std::countr_zero(group_count));
    groups_.resize(group_count);
  }
  tags_.assign(line_count_, kEmpty);
  last_use_.assign(line_count_, 0);
  dirty_.assign(line_count_, 0);
}

int64_t Cache::find(uint64_t line_number) const {
  const size_t base = (line_number & set_mask_) * ways_;
  const uint64_t tag = line_number + 1;
  for (size_t way = 0; way < ways_; ++way) {
    if (tags_[base + way] == tag) return static_cast<int64_t>(base + way);
  }
  return -1;
}

const Cache::PageLines* Cache::find_entry(uint64_t page_number, uint64_t offset) const {
  const SetGroup& group = groups_[group_of_page(page_number)];
  for (size_t i = group.oldest; i < group.entries.size(); ++i) {
    const PageLines& entry = group.entries[i];
    if (entry.page_number == page_number && ((entry.lines >> offset) & 1) != 0) return &entry;
  }
  return nullptr;
}

bool Cache::contains(uint64_t physical_address) const {
  const uint64_t line_number = physical_address >> line_shift_;
  if (in_page_list(line_number >> page_line_shift_)) {
    return find_entry(line_number >> page_line_shift_, line_number & (lines_per_page_ - 1)) !=
           nullptr;
  }
  return find(line_number) >= 0;
}

bool Cache::is_dirty(uint64_t physical_address) const {
  const uint64_t line_number = physical_address >> line_shift_;
  if (in_page_list(line_number >> page_line_shift_)) {
    const uint64_t offset = line_number & (lines_per_page_ - 1);
    const PageLines* entry = find_entry(line_number >> page_line_shift_, offset);
    return entry != nullptr && ((entry->dirty >> offset) & 1) != 0;
  }
  const int64_t slot = find(line_number);
  return slot >= 0 && dirty_[static_cast<size_t>(slot)] != 0;
}

size_t Cache::page_list_entries() const {
  size_t entries = 0;
  for (const SetGroup& group : groups_)
    entries += group.entries.size() - group.oldest;
  return entries;
}

void Cache::add_victim(uint64_t page_number, uint64_t line_mask, uint64_t first_rank,
                       uint64_t last_rank, Outcome& outcome) {
  // Lines in a row mostly evict lines of one page: look at the latest run first.
  if (!outcome.victims.empty() && outcome.victims.back().page_number == page_number) {
    VictimRun& run = outcome.victims.back();
    run.line_mask |= line_mask;
    run.first_rank = std::min(run.first_rank, first_rank);
    run.last_rank = std::max(run.last_rank, last_rank);
    return;
  }
  for (VictimRun& run : outcome.victims) {
    if (run.page_number == page_number) {
      run.line_mask |= line_mask;
      run.first_rank = std::min(run.first_rank, first_rank);
      run.last_rank = std::max(run.last_rank, last_rank);
      return;
    }
  }
  outcome.victims.push_back({page_number, line_mask, first_rank, last_rank});
}

void Cache::tag_line(uint64_t line_number, uint64_t offset, const LineRequest& request,
                     Outcome& outcome) {
  const uint64_t bit = uint64_t{1} << offset;
  const bool write = request.access != LineAccess::read;
  const size_t base = (line_number & set_mask_) * ways_;
  const uint64_t tag = line_number + 1;
  size_t victim = base;
  for (size_t slot = base; slot < base + ways_; ++slot) {
    if (tags_[slot] == tag) {
      hits_.add();
      outcome.hits |= bit;
      last_use_[slot] = ++clock_;
      if (write) dirty_[slot] = 1;
      return;
    }
    // An empty way is the oldest of all.
    if (last_use_[slot] < last_use_[victim] || tags_[slot] == kEmpty) {
      if (tags_[victim] != kEmpty) victim = slot;
    }
  }
  misses_.add();
  if (tags_[victim] != kEmpty && dirty_[victim] != 0) {
    write_backs_.add();
    const uint64_t victim_line = tags_[victim] - 1;
    const uint64_t rank = rank_in(request.line_mask, offset);
    add_victim(victim_line / lines_per_page_, uint64_t{1} << (victim_line & (lines_per_page_ - 1)),
               rank, rank, outcome);
  }
  tags_[victim] = tag;
  last_use_[victim] = ++clock_;
  dirty_[victim] = write ? 1 : 0;
  if (request.access == LineAccess::read ||
      (request.access == LineAccess::write && (request.whole_lines & bit) == 0)) {
    outcome.fills |= bit;
  }
}

void Cache::count_allocated(SetGroup& group, uint64_t added) {
  for (uint64_t rest = added; rest != 0; rest &= rest - 1) {
    const uint64_t offset = lowest_line(rest);
    if (++group.set_lines[offset] == ways_) group.full_sets |= uint64_t{1} << offset;
  }
}

void Cache::count_released(SetGroup& group, uint64_t released) {
  for (uint64_t rest = released; rest != 0; rest &= rest - 1)
    --group.set_lines[lowest_line(rest)];
  group.full_sets &= ~released;
}

void Cache::add_to_filter(SetGroup& group, uint64_t page_number) {
  const unsigned bit = filter_bit(page_number);
  ++group.filter_counts[bit];
  group.page_filter |= uint64_t{1} << bit;
}

void Cache::remove_from_filter(SetGroup& group, uint64_t page_number) {
  const unsigned bit = filter_bit(page_number);
  if (--group.filter_counts[bit] == 0) group.page_filter &= ~(uint64_t{1} << bit);
}

void Cache::drop_empty_entries(SetGroup& group, size_t emptied) {
  std::vector<PageLines>& entries = group.entries;
  // A stream's victims empty the oldest entries: they leave by a step of `oldest`.
  while (emptied > 0 && entries[group.oldest].lines == 0) {
    remove_from_filter(group, entries[group.oldest].page_number);
    ++group.oldest;
    --emptied;
  }
  const auto list = entries.begin() + static_cast<ptrdiff_t>(group.oldest);
  if (emptied > 0) {
    for (auto entry = list; entry != entries.end(); ++entry) {
      if (entry->lines == 0) remove_from_filter(group, entry->page_number);
    }
    entries.erase(std::remove_if(list, entries.end(),
                                 [](const PageLines& entry) { return entry.lines == 0; }),
                  entries.end());
  }
  constexpr size_t kFewestInBulk = 16;
  if (group.oldest >= kFewestInBulk && 2 * group.oldest >= entries.size()) {
    entries.erase(entries.begin(), list);
    group.oldest = 0;
  }
}

void Cache::group_to_lines(size_t group_index) {
  SetGroup& group = groups_[group_index];
  const size_t first_set = group_index << page_line_shift_;
  for (size_t slot = first_set * ways_; slot < (first_set + lines_per_page_) * ways_; ++slot) {
    tags_[slot] = kEmpty;
    dirty_[slot] = 0;
  }
  // Ages in list order, newer than any line's so far; only their order within a set matters.
  std::array<uint8_t, 64> used{};
  for (size_t i = group.oldest; i < group.entries.size(); ++i) {
    const PageLines& entry = group.entries[i];
    ++clock_;
    for (uint64_t rest = entry.lines; rest != 0; rest &= rest - 1) {
      const uint64_t offset = lowest_line(rest);
      const size_t slot = (first_set + offset) * ways_ + used[offset]++;
      tags_[slot] = (entry.page_number << page_line_shift_) + offset + 1;
      last_use_[slot] = clock_;
      dirty_[slot] = ((entry.dirty >> offset) & 1) != 0 ? 1 : 0;
    }
  }
  const uint32_t lines_wait = group.lines_wait;
  group = SetGroup{};
  group.as_lines = true;
  // Back and forth costs a pass over the group's lines each way: wait longer each time.
  constexpr uint32_t kFirstWait = 16;
  constexpr uint32_t kLongestWait = 4096;
  group.lines_wait = std::clamp(2 * lines_wait, kFirstWait, kLongestWait);
}

void Cache::group_to_list(size_t group_index) {
  SetGroup& group = groups_[group_index];
  group.batches_as_lines = 0;
  const size_t first_set = group_index << page_line_shift_;
  struct AgedLine {
    uint64_t last_use;
    uint64_t line_number;
    bool dirty;
  };
  std::vector<AgedLine> aged;
  for (size_t slot = first_set * ways_; slot < (first_set + lines_per_page_) * ways_; ++slot) {
    if (tags_[slot] != kEmpty)
      aged.push_back({last_use_[slot], tags_[slot] - 1, dirty_[slot] != 0});
  }
  std::sort(aged.begin(), aged.end(),
            [](const AgedLine& a, const AgedLine& b) { return a.last_use < b.last_use; });
  std::vector<PageLines> entries;
  for (const AgedLine& line : aged) {
    const uint64_t page_number = line.line_number >> page_line_shift_;
    const uint64_t bit = uint64_t{1} << (line.line_number & (lines_per_page_ - 1));
    if (entries.empty() || entries.back().page_number != page_number) {
      entries.push_back({page_number, 0, 0});
    }
    entries.back().lines |= bit;
    entries.back().dirty |= line.dirty ? bit : 0;
  }
  constexpr size_t kEntriesAWayToReturn = 2;
  if (entries.size() > kEntriesAWayToReturn * ways_) return;
  const uint32_t lines_wait = group.lines_wait;
  group = SetGroup{};
  group.lines_wait = lines_wait;
  for (const PageLines& entry : entries) {
    count_allocated(group, entry.lines);
    add_to_filter(group, entry.page_number);
  }
  group.entries = std::move(entries);
}

void Cache::tag_page_lines(const LineRequest& request, Outcome& outcome) {
  const uint64_t page_number = request.page_address / kPageBytes;
  SetGroup& group = groups_[group_of_page(page_number)];
  std::vector<PageLines>& entries = group.entries;
  const uint64_t mask = request.line_mask;
  // The page's lines found leave their entries for the new most recent one; recent entries are
  // likelier to hold them.
  uint64_t hits = 0;
  uint64_t dirty_hits = 0;
  size_t emptied = 0;
  const bool may_hold = ((group.page_filter >> filter_bit(page_number)) & 1) != 0;
  for (size_t i = may_hold ? entries.size() : 0; i-- > group.oldest && hits != mask;) {
    PageLines& entry = entries[i];
    const uint64_t found = entry.lines & mask;
    if (entry.page_number != page_number || found == 0) continue;
    if (entry.lines == mask) {
      // The batch's lines are exactly this entry's, all hits: it becomes the most recent (a loop
      // over the same lines, a page read again whole).
      const PageLines hit{page_number, mask,
                          request.access != LineAccess::read ? mask : entry.dirty};
      std::move(entries.begin() + static_cast<ptrdiff_t>(i) + 1, entries.end(),
                entries.begin() + static_cast<ptrdiff_t>(i));
      entries.back() = hit;
      hits_.add(lines_in(mask));
      outcome.hits = mask;
      return;
    }
    hits |= found;
    dirty_hits |= entry.dirty & found;
    entry.lines &= ~found;
    entry.dirty &= ~found;
    emptied += entry.lines == 0 ? 1 : 0;
  }
  // A miss in a full set evicts the line of the oldest entry that holds one there.
  const uint64_t misses = mask & ~hits;
  uint64_t to_evict = misses & group.full_sets;
  for (size_t i = group.oldest; to_evict != 0 && i < entries.size(); ++i) {
    PageLines& entry = entries[i];
    const uint64_t evicted = entry.lines & to_evict;
    if (evicted == 0) continue;
    if (const uint64_t dirty = entry.dirty & evicted; dirty != 0) {
      write_backs_.add(lines_in(dirty));
      add_victim(entry.page_number, dirty, rank_in(mask, lowest_line(dirty)),
                 rank_in(mask, highest_line(dirty)), outcome);
    }
    entry.lines &= ~evicted;
    entry.dirty &= ~evicted;
    emptied += entry.lines == 0 ? 1 : 0;
    to_evict &= ~evicted;
  }
  count_allocated(group, misses & ~group.full_sets);
  if (emptied > 0) drop_empty_entries(group, emptied);
  const bool write = request.access != LineAccess::read;
  const uint64_t dirty = write ? mask : dirty_hits;
  // Next to an entry of the same page, nothing lies between them in any set: they are one.
  if (entries.size() > group.oldest && entries.back().page_number == page_number) {
    entries.back().lines |= mask;
    entries.back().dirty |= dirty;
  } else {
    entries.push_back({page_number, mask, dirty});
    add_to_filter(group, page_number);
  }
  const uint64_t hit_count = lines_in(hits);
  hits_.add(hit_count);
  misses_.add(lines_in(mask) - hit_count);
  outcome.hits = hits;
  if (request.access == LineAccess::read) {
    outcome.fills = misses;
  } else if (request.access == LineAccess::write) {
    outcome.fills = misses & ~request.whole_lines;
  }
}

void Cache::tag_pass(const LineRequest& request, Outcome& outcome) {
  const uint64_t page_number = request.page_address / kPageBytes;
  const size_t group_index = group_of_page(page_number);
  if (page_lists_ && groups_[group_index].as_lines &&
      request.line_mask == line_range(0, lines_per_page_) &&
      ++groups_[group_index].batches_as_lines >= groups_[group_index].lines_wait) {
    group_to_list(group_index);
  }
  if (in_page_list(page_number)) {
    tag_page_lines(request, outcome);
    constexpr size_t kEntriesAWay = 4;
    const SetGroup& group = groups_[group_index];
    if (group.entries.size() - group.oldest > kEntriesAWay * ways_) group_to_lines(group_index);
  } else {
    const uint64_t first_line = request.page_address >> line_shift_;
    for (uint64_t rest = request.line_mask; rest != 0; rest &= rest - 1) {
      const uint64_t offset = lowest_line(rest);
      tag_line(first_line + offset, offset, request, outcome);
    }
  }
  // Runs go below in the order of the lines that evicted them, however the tags were kept.
  if (outcome.victims.size() > 1) {
    std::sort(outcome.victims.begin(), outcome.victims.end(),
              [](const VictimRun& a, const VictimRun& b) {
                return a.first_rank != b.first_rank ? a.first_rank < b.first_rank
                                                    : a.page_number < b.page_number;
              });
  }
}

uint64_t Cache::take_page_lines(SetGroup& group, uint64_t page_number, uint64_t line_mask,
                                bool remove) {
  uint64_t dirty = 0;
  size_t emptied = 0;
  for (size_t i = group.oldest; i < group.entries.size(); ++i) {
    PageLines& entry = group.entries[i];
    const uint64_t taken = entry.lines & line_mask;
    if (entry.page_number != page_number || taken == 0) continue;
    dirty |= entry.dirty & taken;
    entry.dirty &= ~taken;
    if (remove) {
      entry.lines &= ~taken;
      count_released(group, taken);
      emptied += entry.lines == 0 ? 1 : 0;
    }
  }
  if (emptied > 0) drop_empty_entries(group, emptied);
  return dirty;
}

void Cache::drop_lines(uint64_t page_address, uint64_t line_mask) {
  const uint64_t first_line = page_address >> line_shift_;
  if (in_page_list(page_address / kPageBytes)) {
    const uint64_t page_number = page_address / kPageBytes;
    take_page_lines(groups_[group_of_page(page_number)], page_number, line_mask, true);
    return;
  }
  for (uint64_t rest = line_mask; rest != 0; rest &= rest - 1) {
    if (const int64_t slot = find(first_line + lowest_line(rest)); slot >= 0) {
      tags_[static_cast<size_t>(slot)] = kEmpty;
      dirty_[static_cast<size_t>(slot)] = 0;
    }
  }
}

LineResult Cache::fill_batch(uint64_t page_address, uint64_t line_mask, const Arrivals& issued,
                             uint64_t in_flight) {
  LineResult result = next_.lines({page_address, line_mask, LineAccess::read, 0, issued});
  if (result.status != tlm::TLM_OK_RESPONSE || issued.count < 2) return result;
  // Little's law: with `in_flight` misses outstanding, no faster than that many per latency.
  const Ticks spacing = (result.unloaded_latency + in_flight - 1) / in_flight;
  const Ticks bound = result.done.first + (issued.count - 1) * spacing;
  if (bound > result.done.last) {
    result.done.last = bound;
    if (issued.count > in_flight) mshr_waits_.add(issued.count - in_flight);
  }
  return result;
}

LineResult Cache::fill(uint64_t page_address, uint64_t fill_mask, const Arrivals& demand) {
  const uint64_t count = demand.count;
  const uint64_t train = config_.prefetch_train_misses;
  LineResult result = fill_batch(page_address, fill_mask, demand, config_.mshrs);
  const bool stream = fill_mask == line_range(lowest_line(fill_mask), count);
  if (!config_.prefetch || !stream || count <= train || result.status != tlm::TLM_OK_RESPONSE) {
    return result;
  }
  // A stream: after `train` demand misses the prefetcher asks for each line ahead of its demand,
  // `distance` lines ahead (one, when it issues one line per demand access). With the lines
  // coming one per `spacing`, that lead hides as much of the latency below; the level above
  // waits only for the rest of it, so its MSHRs hold the lines that much shorter.
  const uint64_t ahead = count - train;
  prefetches_.add(ahead);
  const uint64_t lead_lines = config_.prefetch_degree > 1 ? config_.prefetch_distance_lines : 1;
  const Ticks lead = lead_lines * result.done.as_arrivals(count).step;
  if (lead >= result.unloaded_latency) prefetches_timely_.add(ahead);
  result.unloaded_latency = result.unloaded_latency > lead ? result.unloaded_latency - lead : 0;
  return result;
}

Ticks Cache::write_buffer_wait(const Span& taken, uint64_t count) {
  const uint64_t capacity = config_.write_buffer_entries;
  if (count <= capacity) return 0;
  write_buffer_waits_.add(count - capacity);
  return taken.as_arrivals(count).at(count - 1 - capacity);
}

LineResult Cache::lines(const LineRequest& request) {
  LineResult result;
  if (request.line_mask == 0) return result;
  Outcome& outcome = outcome_;
  outcome.hits = 0;
  outcome.fills = 0;
  outcome.victims.clear();
  tag_pass(request, outcome);
  const bool own_write_port =
      config_.write_bytes_per_cycle != 0 && request.access != LineAccess::read;
  const ServiceQueue::Served served = own_write_port
                                          ? write_port_.serve(request.arrivals, write_occupancy_)
                                          : port_.serve(request.arrivals, line_occupancy_);
  const uint64_t count = request.arrivals.count;
  result.done = served.span(0, count - 1, hit_latency_);
  result.unloaded_latency = hit_latency_;
  if (outcome.fills != 0) {
    const uint64_t fills = outcome.fills;
    const uint64_t first_rank = rank_in(request.line_mask, lowest_line(fills));
    const uint64_t last_rank = rank_in(request.line_mask, highest_line(fills));
    const LineResult filled =
        fill(request.page_address, fills,
             served.span(first_rank, last_rank, hit_latency_).as_arrivals(lines_in(fills)));
    if (filled.status != tlm::TLM_OK_RESPONSE) {
      drop_lines(request.page_address, fills);
      result.status = filled.status;
      return result;
    }
    if (first_rank == 0) result.done.first = filled.done.first;
    result.done.last = std::max(result.done.last, filled.done.last);
    result.unloaded_latency += filled.unloaded_latency;
  }
  // Victims go below after the fills, through the write buffer.
  for (const VictimRun& run : outcome.victims) {
    const uint64_t victims = lines_in(run.line_mask);
    const LineResult taken = next_.lines(
        {run.page_number * kPageBytes, run.line_mask, LineAccess::write_back, 0,
         served.span(run.first_rank, run.last_rank, hit_latency_).as_arrivals(victims)});
    if (taken.status != tlm::TLM_OK_RESPONSE) {
      result.status = taken.status;
      return result;
    }
    result.done.last = std::max(result.done.last, write_buffer_wait(taken.done, victims));
  }
  return result;
}

void Cache::maintain_slot(size_t slot, CacheMaintenance operation, uint64_t rank,
                          Outcome& outcome) {
  if (dirty_[slot] != 0 && operation != CacheMaintenance::invalidate) {
    write_backs_.add();
    const uint64_t line = tags_[slot] - 1;
    add_victim(line / lines_per_page_, uint64_t{1} << (line & (lines_per_page_ - 1)), rank, rank,
               outcome);
    dirty_[slot] = 0;
  }
  if (operation != CacheMaintenance::clean) {
    tags_[slot] = kEmpty;
    dirty_[slot] = 0;
  }
}

void Cache::maintain_lines(CacheMaintenance operation, uint64_t first, uint64_t last,
                           Outcome& outcome) {
  if (last - first + 1 <= tags_.size()) {
    for (uint64_t number = first; number <= last; ++number) {
      const int64_t slot = find(number);
      if (slot >= 0) maintain_slot(static_cast<size_t>(slot), operation, number - first, outcome);
    }
    return;
  }
  std::vector<std::pair<uint64_t, size_t>> resident;
  for (size_t slot = 0; slot < tags_.size(); ++slot) {
    const uint64_t number = tags_[slot] - 1;
    if (tags_[slot] != kEmpty && number >= first && number <= last) {
      resident.emplace_back(number, slot);
    }
  }
  std::sort(resident.begin(), resident.end());
  for (const auto& [number, slot] : resident)
    maintain_slot(slot, operation, number - first, outcome);
}

void Cache::maintain_pages(CacheMaintenance operation, uint64_t first, uint64_t last,
                           Outcome& outcome) {
  auto maintain_page = [&](uint64_t page_number) {
    const uint64_t page_first = page_number << page_line_shift_;
    const uint64_t from = std::max(first, page_first) - page_first;
    const uint64_t to = std::min(last, page_first + lines_per_page_ - 1) - page_first;
    const uint64_t range = line_range(from, to - from + 1);
    SetGroup& group = groups_[group_of_page(page_number)];
    if (group.as_lines) {
      for (uint64_t number = page_first + from; number <= page_first + to; ++number) {
        const int64_t slot = find(number);
        if (slot >= 0) maintain_slot(static_cast<size_t>(slot), operation, number - first, outcome);
      }
      return;
    }
    const uint64_t dirty =
        take_page_lines(group, page_number, range, operation != CacheMaintenance::clean);
    const uint64_t written_back = operation != CacheMaintenance::invalidate ? dirty : 0;
    if (written_back != 0) {
      write_backs_.add(lines_in(written_back));
      add_victim(page_number, written_back, page_first + lowest_line(written_back) - first,
                 page_first + highest_line(written_back) - first, outcome);
    }
  };
  // Pages in address order, so that write-backs go as a loop over the lines would send them;
  // a range longer than the cache visits only the resident pages.
  const uint64_t first_page = first >> page_line_shift_;
  const uint64_t last_page = last >> page_line_shift_;
  if (last_page - first_page < line_count_) {
    for (uint64_t page = first_page; page <= last_page; ++page)
      maintain_page(page);
    return;
  }
  std::vector<uint64_t> resident;
  for (size_t index = 0; index < groups_.size(); ++index) {
    const SetGroup& group = groups_[index];
    for (size_t i = group.oldest; i < group.entries.size(); ++i) {
      const uint64_t page = group.entries[i].page_number;
      if (page >= first_page && page <= last_page) resident.push_back(page);
    }
    if (!group.as_lines) continue;
    const size_t first_set = index << page_line_shift_;
    for (size_t slot = first_set * ways_; slot < (first_set + lines_per_page_) * ways_; ++slot) {
      const uint64_t page = (tags_[slot] - 1) >> page_line_shift_;
      if (tags_[slot] != kEmpty && page >= first_page && page <= last_page) {
        resident.push_back(page);
      }
    }
  }
  std::sort(resident.begin(), resident.end());
  resident.erase(std::unique(resident.begin(), resident.end()), resident.end());
  for (const uint64_t page : resident)
    maintain_page(page);
}

Ticks Cache::maintain(CacheMaintenance operation, uint64_t physical_address, uint64_t length_bytes,
                      Ticks now) {
  if (length_bytes == 0) return next_.maintain(operation, physical_address, length_bytes, now);
  const uint64_t first = physical_address >> line_shift_;
  const uint64_t last = (physical_address + length_bytes - 1) >> line_shift_;
  const uint64_t range_lines = last - first + 1;
  // The instruction visits every line of the range; the host visits only resident ones.
  const ServiceQueue::Served served = port_.serve({now, 0, range_lines}, line_occupancy_);
  maintained_lines_.add(range_lines);
  Outcome& outcome = outcome_;
  outcome.victims.clear();
  if (page_lists_) {
    maintain_pages(operation, first, last, outcome);
  } else {
    maintain_lines(operation, first, last, outcome);
  }
  Ticks done = served.last_start() + hit_latency_;
  for (const VictimRun& run : outcome.victims) {
    const uint64_t count = lines_in(run.line_mask);
    const LineResult taken =
        next_.lines({run.page_number * kPageBytes, run.line_mask, LineAccess::write_back, 0,
                     served.span(run.first_rank, run.last_rank, hit_latency_).as_arrivals(count)});
    done = std::max(done, taken.done.last);
  }
  return std::max(done, next_.maintain(operation, physical_address, length_bytes, now));
}

void Cache::settle(Ticks time) {
  std::fill(tags_.begin(), tags_.end(), kEmpty);
  std::fill(dirty_.begin(), dirty_.end(), 0);
  std::fill(last_use_.begin(), last_use_.end(), 0);
  std::fill(groups_.begin(), groups_.end(), SetGroup{});
  port_.settle(time);
  write_port_.settle(time);
  next_.settle(time);
}

}  // namespace zxvp
