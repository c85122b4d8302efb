#include "models/cache/cache.h"

#include <algorithm>
#include <bit>

#include "sim/params/config_error.h"
#include "sim/params/units.h"

namespace zxvp {

namespace {

// Lines set in `mask`. (Without a POPCNT instruction in the baseline ISA, std::popcount is a
// library call, and this is asked several times per batch.)
uint64_t lines_in(uint64_t mask) {
  mask -= (mask >> 1) & 0x5555'5555'5555'5555;
  mask = (mask & 0x3333'3333'3333'3333) + ((mask >> 2) & 0x3333'3333'3333'3333);
  mask = (mask + (mask >> 4)) & 0x0F0F'0F0F'0F0F'0F0F;
  return (mask * 0x0101'0101'0101'0101) >> 56;
}

// Position of the line at `offset` among the lines of `mask` (how many come before it).
uint64_t rank_in(uint64_t mask, uint64_t offset) {
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
                             "the port (hits, fills from below, write-backs from above)",
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
}

Cache::Cache(const sc_core::sc_module_name& name, const CacheConfig& config, uint64_t line_bytes,
             const Clock& cpu_clock, DataPath& next, StatisticsRegistry& statistics)
    : sc_module(name),
      next_(next),
      config_(config),
      line_bytes_(line_bytes),
      line_shift_(static_cast<unsigned>(std::countr_zero(line_bytes))),
      ways_(config.ways),
      set_mask_(0),
      hit_latency_(to_ticks(cpu_clock.cycles(config.hit_latency_cycles))),
      line_occupancy_(
          transfer_ticks(line_bytes, config.bytes_per_cycle, to_ticks(cpu_clock.period()))),
      write_occupancy_(config.write_bytes_per_cycle == 0
                           ? line_occupancy_
                           : transfer_ticks(line_bytes, config.write_bytes_per_cycle,
                                            to_ticks(cpu_clock.period()))),
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
  const uint64_t line_total = config.size / line_bytes;
  if (config.size % (line_bytes * config.ways) != 0 || line_total < config.ways ||
      !std::has_single_bit(line_total / config.ways)) {
    throw ConfigError(std::string(basename()) + ": " + format_bytes(config.size) + " in " +
                      std::to_string(config.ways) + " ways of " + std::to_string(line_bytes) +
                      "-byte lines is not a power-of-two number of sets");
  }
  tags_.assign(line_total, kEmpty);
  last_use_.assign(line_total, 0);
  dirty_.assign(line_total, 0);
  const uint64_t set_count = line_total / config.ways;
  set_mask_ = set_count - 1;
  lines_per_page_ = kPageBytes / line_bytes;
  page_groups_ =
      line_bytes <= kPageBytes && lines_per_page_ <= 64 && set_count % lines_per_page_ == 0;
  if (page_groups_) {
    // An empty cache is a list of no pages in every group.
    const uint64_t group_count = set_count / lines_per_page_;
    page_line_shift_ = static_cast<unsigned>(std::countr_zero(lines_per_page_));
    all_sets_ = line_range(0, lines_per_page_);
    group_mask_ = group_count - 1;
    list_.assign(group_count * ways_, 0);
    page_count_.assign(group_count, 0);
    line_sets_.assign(group_count, 0);
    group_page_accesses_.assign(group_count, 0);
    group_list_wait_.assign(group_count, static_cast<uint32_t>(ways_));
    group_list_served_.assign(group_count, 0);
  }
}

int64_t Cache::find(uint64_t line_number) const {
  const size_t base = (line_number & set_mask_) * ways_;
  const uint64_t tag = line_number + 1;
  for (size_t way = 0; way < ways_; ++way) {
    if (tags_[base + way] == tag) return static_cast<int64_t>(base + way);
  }
  return -1;
}

int64_t Cache::find_page(uint64_t page_number) const {
  const size_t group = page_number & group_mask_;
  const uint64_t* entries = &list_[group * ways_];
  // From the most recent end: a page written back from above was usually filled not long ago.
  for (size_t position = page_count_[group]; position-- > 0;) {
    if ((entries[position] >> 1) == page_number) return static_cast<int64_t>(position);
  }
  return -1;
}

void Cache::make_most_recent(size_t group, size_t position) {
  uint64_t* entries = &list_[group * ways_];
  const size_t last = page_count_[group] - 1;
  const uint64_t entry = entries[position];
  for (size_t i = position; i < last; ++i)
    entries[i] = entries[i + 1];
  entries[last] = entry;
}

void Cache::remove_from_list(size_t group, size_t position) {
  make_most_recent(group, position);
  --page_count_[group];
}

bool Cache::contains(uint64_t physical_address) const {
  const uint64_t line_number = physical_address >> line_shift_;
  if (in_list(line_number)) return find_page(line_number >> page_line_shift_) >= 0;
  return find(line_number) >= 0;
}

bool Cache::is_dirty(uint64_t physical_address) const {
  const uint64_t line_number = physical_address >> line_shift_;
  if (in_list(line_number)) {
    const int64_t position = find_page(line_number >> page_line_shift_);
    return position >= 0 &&
           is_dirty_entry(
               list_[group_of_line(line_number) * ways_ + static_cast<size_t>(position)]);
  }
  const int64_t slot = find(line_number);
  return slot >= 0 && dirty_[static_cast<size_t>(slot)] != 0;
}

size_t Cache::groups_as_lists() const {
  return static_cast<size_t>(std::count(line_sets_.begin(), line_sets_.end(), 0));
}

void Cache::set_to_lines(size_t group, uint64_t offset) {
  const uint64_t* entries = &list_[group * ways_];
  const size_t count = page_count_[group];
  // Ages in list order, newer than any line's so far; only their order within a set matters.
  const uint64_t first_use = clock_ + 1;
  clock_ += count;
  const size_t base = ((group << page_line_shift_) + offset) * ways_;
  for (size_t way = 0; way < ways_; ++way) {
    const bool used = way < count;
    tags_[base + way] = used ? ((entries[way] >> 1) << page_line_shift_) + offset + 1 : kEmpty;
    last_use_[base + way] = used ? first_use + way : 0;
    dirty_[base + way] = used && is_dirty_entry(entries[way]) ? 1 : 0;
  }
  line_sets_[group] |= uint64_t{1} << offset;
  if (line_sets_[group] == all_sets_) {
    group_page_accesses_[group] = 0;
    constexpr uint32_t kLongestWait = 4096;
    group_list_wait_[group] = group_list_served_[group] < ways_
                                  ? std::min(2 * group_list_wait_[group], kLongestWait)
                                  : static_cast<uint32_t>(ways_);
  }
}

void Cache::group_to_lines(size_t group) {
  for (uint64_t offset = 0; offset < lines_per_page_; ++offset) {
    if (((line_sets_[group] >> offset) & 1) == 0) set_to_lines(group, offset);
  }
}

bool Cache::set_agrees_with_list(size_t group, uint64_t offset) const {
  const uint64_t* entries = &list_[group * ways_];
  const size_t count = page_count_[group];
  const size_t base = ((group << page_line_shift_) + offset) * ways_;
  const auto valid =
      static_cast<size_t>(std::count_if(tags_.begin() + static_cast<ptrdiff_t>(base),
                                        tags_.begin() + static_cast<ptrdiff_t>(base + ways_),
                                        [](uint64_t tag) { return tag != kEmpty; }));
  if (valid != count) return false;
  uint64_t previous_use = 0;
  for (size_t position = 0; position < count; ++position) {
    const int64_t slot = find(((entries[position] >> 1) << page_line_shift_) + offset);
    if (slot < 0) return false;
    const auto at = static_cast<size_t>(slot);
    if ((dirty_[at] != 0) != is_dirty_entry(entries[position])) return false;
    if (position > 0 && last_use_[at] <= previous_use) return false;
    previous_use = last_use_[at];
  }
  return true;
}

void Cache::rejoin_list(size_t group) {
  for (uint64_t offset = 0; offset < lines_per_page_; ++offset) {
    if (((line_sets_[group] >> offset) & 1) != 0 && set_agrees_with_list(group, offset)) {
      line_sets_[group] &= ~(uint64_t{1} << offset);
    }
  }
}

void Cache::group_to_list(size_t group) {
  // Set 0's lines as pages, least recently used first, make the list; it holds if every other set
  // agrees with it (until then the group's lines are what counts, so writing it costs nothing).
  reference_set_.clear();
  const size_t base = (group << page_line_shift_) * ways_;
  for (size_t slot = base; slot < base + ways_; ++slot) {
    if (tags_[slot] != kEmpty) {
      reference_set_.push_back(
          {(tags_[slot] - 1) >> page_line_shift_, last_use_[slot], dirty_[slot] != 0});
    }
  }
  std::sort(reference_set_.begin(), reference_set_.end(),
            [](const PageEntry& a, const PageEntry& b) { return a.last_use < b.last_use; });
  for (size_t position = 0; position < reference_set_.size(); ++position) {
    list_[group * ways_ + position] =
        list_entry(reference_set_[position].page_number, reference_set_[position].dirty);
  }
  page_count_[group] = static_cast<uint8_t>(reference_set_.size());
  for (uint64_t offset = 1; offset < lines_per_page_; ++offset) {
    if (!set_agrees_with_list(group, offset)) return;
  }
  line_sets_[group] = 0;
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
  if (in_list(line_number)) set_to_lines(group_of_line(line_number), offset_of_line(line_number));
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

void Cache::tag_list(size_t group, uint64_t page_number, const LineRequest& request,
                     uint64_t list_mask, Outcome& outcome) {
  // Every line of the mask does in its own set what the page does in the list.
  const uint64_t lines = list_mask == all_sets_ ? lines_per_page_ : lines_in(list_mask);
  const bool write = request.access != LineAccess::read;
  ++group_list_served_[group];
  uint64_t* entries = &list_[group * ways_];
  const size_t count = page_count_[group];
  if (const int64_t found = find_page(page_number); found >= 0) {
    hits_.add(lines);
    outcome.hits |= list_mask;
    make_most_recent(group, static_cast<size_t>(found));
    if (write) entries[count - 1] |= 1;
    return;
  }
  misses_.add(lines);
  if (count == ways_) {
    // The least recently used page leaves; the list keeps its order.
    if (is_dirty_entry(entries[0])) {
      write_backs_.add(lines);
      add_victim(entries[0] >> 1, list_mask, rank_in(request.line_mask, lowest_line(list_mask)),
                 rank_in(request.line_mask, highest_line(list_mask)), outcome);
    }
    remove_from_list(group, 0);
  }
  entries[page_count_[group]++] = list_entry(page_number, write);
  if (request.access == LineAccess::read) {
    outcome.fills |= list_mask;
  } else if (request.access == LineAccess::write) {
    outcome.fills |= list_mask & ~request.whole_lines;
  }
}

void Cache::tag_pass(const LineRequest& request, Outcome& outcome) {
  const uint64_t first_line = request.page_address >> line_shift_;
  const uint64_t mask = request.line_mask;
  if (page_groups_) {
    const uint64_t page_number = request.page_address / kPageBytes;
    const size_t group = page_number & group_mask_;
    uint64_t& line_sets = line_sets_[group];
    // The list moves as a whole, so the sets of the list that the batch leaves alone must first
    // leave it. That is worth it when they are fewer than the batch's lines in the list (a page
    // with a few sets out); a batch of a few lines goes line by line instead, each taking only
    // its own set out.
    const uint64_t list_part = mask & ~line_sets;
    const uint64_t left_alone = all_sets_ & ~mask & ~line_sets;
    const bool list_worth_it =
        list_part != 0 && (left_alone == 0 || lines_in(left_alone) <= lines_in(list_part));
    // Pages go whole only where no line of them can fail (see the class comment).
    const bool pages = (list_worth_it || (line_sets != 0 && mask == all_sets_)) &&
                       next_.charges_in_closed_form(request.page_address, kPageBytes);
    const bool use_list = pages && list_worth_it;
    if (use_list) {
      for (uint64_t rest = left_alone; rest != 0; rest &= rest - 1) {
        set_to_lines(group, lowest_line(rest));
      }
      tag_list(group, page_number, request, list_part, outcome);
    }
    for (uint64_t rest = use_list ? mask & line_sets : mask; rest != 0; rest &= rest - 1) {
      const uint64_t offset = lowest_line(rest);
      tag_line(first_line + offset, offset, request, outcome);
    }
    // Whole pages (or most of one) give sets that left the list the chance to rejoin it.
    if (pages && line_sets != 0 &&
        ++group_page_accesses_[group] >=
            (line_sets == all_sets_ ? group_list_wait_[group] : static_cast<uint32_t>(ways_))) {
      group_page_accesses_[group] = 0;
      if (line_sets == all_sets_) {
        group_list_served_[group] = 0;
        group_to_list(group);
      } else {
        rejoin_list(group);
      }
    }
  } else {
    for (uint64_t rest = mask; rest != 0; rest &= rest - 1) {
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

void Cache::drop_lines(uint64_t page_address, uint64_t line_mask) {
  const uint64_t first_line = page_address >> line_shift_;
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
  if (range_lines <= tags_.size()) {
    for (uint64_t number = first; number <= last;) {
      const size_t group = group_of_line(number);
      if (page_groups_ && line_sets_[group] == 0 && offset_of_line(number) == 0 &&
          last - number >= lines_per_page_ - 1) {
        const uint64_t page_number = number >> page_line_shift_;
        if (const int64_t found = find_page(page_number); found >= 0) {
          const auto position = static_cast<size_t>(found);
          uint64_t& entry = list_[group * ways_ + position];
          if (is_dirty_entry(entry) && operation != CacheMaintenance::invalidate) {
            write_backs_.add(lines_per_page_);
            add_victim(page_number, all_sets_, number - first, number - first + lines_per_page_ - 1,
                       outcome);
            entry = list_entry(page_number, false);
          }
          if (operation != CacheMaintenance::clean) remove_from_list(group, position);
        }
        number += lines_per_page_;
        continue;
      }
      if (in_list(number)) {
        // A page the list does not hold has nothing to maintain in this set.
        if (find_page(number >> page_line_shift_) < 0) {
          ++number;
          continue;
        }
        set_to_lines(group, offset_of_line(number));
      }
      const int64_t slot = find(number);
      if (slot >= 0) maintain_slot(static_cast<size_t>(slot), operation, number - first, outcome);
      ++number;
    }
  } else {
    for (size_t group = 0; group < line_sets_.size(); ++group) {
      if (line_sets_[group] != all_sets_) group_to_lines(group);
    }
    // Walk the lines in address order so that write-backs go as the loop would send them.
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
  std::fill(page_count_.begin(), page_count_.end(), 0);
  std::fill(line_sets_.begin(), line_sets_.end(), 0);
  std::fill(group_page_accesses_.begin(), group_page_accesses_.end(), 0);
  std::fill(group_list_wait_.begin(), group_list_wait_.end(), static_cast<uint32_t>(ways_));
  std::fill(group_list_served_.begin(), group_list_served_.end(), 0);
  port_.settle(time);
  write_port_.settle(time);
  next_.settle(time);
}

}  // namespace zxvp
