#include "models/cache/cache.h"

#include <algorithm>
#include <bit>

#include "sim/params/config_error.h"
#include "sim/params/units.h"

namespace zxvp {

void CacheConfig::bind(ParameterBinding& binding) {
  binding.field(
      "size", size,
      UnsignedSpec{"bytes", "capacity (ways x a power-of-two number of sets x line)", KiB, GiB});
  binding.field("ways", ways, UnsignedSpec{"ways", "associativity", 1, 64});
  binding.field("hit_latency_cycles", hit_latency_cycles,
                UnsignedSpec{"cycles", "CPU cycles of a lookup (a hit)", 0, 10'000});
}

Cache::Cache(const sc_core::sc_module_name& name, const CacheConfig& config, uint64_t line_bytes,
             const Clock& cpu_clock, DataPath& next, StatisticsRegistry& statistics)
    : sc_module(name),
      next_(next),
      line_bytes_(line_bytes),
      line_shift_(static_cast<unsigned>(std::countr_zero(line_bytes))),
      ways_(config.ways),
      set_mask_(0),
      hit_latency_(cpu_clock.cycles(config.hit_latency_cycles)),
      hits_(statistics.counter(std::string(basename()) + ".hits", "lines found")),
      misses_(statistics.counter(std::string(basename()) + ".misses", "lines filled")),
      write_backs_(statistics.counter(std::string(basename()) + ".write_backs",
                                      "dirty lines written to the level below")),
      maintained_lines_(statistics.counter(std::string(basename()) + ".maintained_lines",
                                           "lines visited by clean or invalidate")) {
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
  page_groups_ = line_bytes <= kPageBytes && lines_per_page_ <= 64 &&
                 set_count % lines_per_page_ == 0 && next_.keeps_page_lines_apart();
  if (page_groups_) {
    // An empty cache is a list of no pages in every group.
    const uint64_t group_count = set_count / lines_per_page_;
    page_line_shift_ = static_cast<unsigned>(std::countr_zero(lines_per_page_));
    all_sets_ = lines_per_page_ == 64 ? ~uint64_t{0} : (uint64_t{1} << lines_per_page_) - 1;
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

size_t Cache::lookup(uint64_t line_number, bool* hit, sc_core::sc_time& delay,
                     tlm::tlm_response_status& status) {
  if (in_list(line_number)) set_to_lines(group_of_line(line_number), offset_of_line(line_number));
  const size_t base = (line_number & set_mask_) * ways_;
  const uint64_t tag = line_number + 1;
  size_t victim = base;
  status = tlm::TLM_OK_RESPONSE;
  for (size_t slot = base; slot < base + ways_; ++slot) {
    if (tags_[slot] == tag) {
      *hit = true;
      last_use_[slot] = ++clock_;
      return slot;
    }
    // An empty way is the oldest of all.
    if (last_use_[slot] < last_use_[victim] || tags_[slot] == kEmpty) {
      if (tags_[victim] != kEmpty) victim = slot;
    }
  }
  *hit = false;
  if (tags_[victim] != kEmpty && dirty_[victim] != 0) {
    write_backs_.add();
    status = next_.write_back_line((tags_[victim] - 1) << line_shift_, delay);
  }
  tags_[victim] = tag;
  last_use_[victim] = ++clock_;
  dirty_[victim] = 0;
  return victim;
}

tlm::tlm_response_status Cache::touch(uint64_t line_number, bool write, sc_core::sc_time& delay) {
  delay += hit_latency_;
  bool hit = false;
  tlm::tlm_response_status status = tlm::TLM_OK_RESPONSE;
  const size_t slot = lookup(line_number, &hit, delay, status);
  if (hit) {
    hits_.add();
  } else {
    misses_.add();
    if (status == tlm::TLM_OK_RESPONSE) status = next_.fill_line(line_number << line_shift_, delay);
    if (status != tlm::TLM_OK_RESPONSE) {
      tags_[slot] = kEmpty;
      return status;
    }
  }
  if (write) dirty_[slot] = 1;
  return status;
}

tlm::tlm_response_status Cache::access(tlm::tlm_command command, uint64_t physical_address,
                                       uint8_t* data, uint64_t length_bytes, MemoryType memory_type,
                                       sc_core::sc_time& delay) {
  if (memory_type != MemoryType::cached) {
    return next_.access(command, physical_address, data, length_bytes, memory_type, delay);
  }
  if (length_bytes == 0) return tlm::TLM_OK_RESPONSE;
  if (const auto status = charge_cached(command, physical_address, length_bytes, delay);
      status != tlm::TLM_OK_RESPONSE) {
    return status;
  }
  return next_.functional(command, physical_address, data, length_bytes);
}

bool Cache::whole_pages_allowed(uint64_t physical_address, uint64_t length_bytes) {
  return page_groups_ && length_bytes >= kPageBytes &&
         next_.charges_in_closed_form(physical_address, length_bytes);
}

tlm::tlm_response_status Cache::charge_cached(tlm::tlm_command command, uint64_t physical_address,
                                              uint64_t length_bytes, sc_core::sc_time& delay) {
  if (length_bytes == 0) return tlm::TLM_OK_RESPONSE;
  const uint64_t first = physical_address >> line_shift_;
  const uint64_t last = (physical_address + length_bytes - 1) >> line_shift_;
  return access_lines(first, last,
                      command == tlm::TLM_WRITE_COMMAND ? LineAccess::write : LineAccess::read,
                      whole_pages_allowed(physical_address, length_bytes), delay);
}

tlm::tlm_response_status Cache::charge_zero(uint64_t physical_address, uint64_t length_bytes,
                                            sc_core::sc_time& delay) {
  if (length_bytes == 0) return tlm::TLM_OK_RESPONSE;
  const uint64_t end = physical_address + length_bytes;
  const uint64_t first = physical_address >> line_shift_;
  const uint64_t last = (end - 1) >> line_shift_;
  // A whole line is zeroed in place like a write-back from above; a part of one is a store.
  auto is_whole = [&](uint64_t number) {
    return (number << line_shift_) >= physical_address && ((number + 1) << line_shift_) <= end;
  };
  uint64_t number = first;
  if (!is_whole(first)) {
    if (const auto status = touch(first, true, delay); status != tlm::TLM_OK_RESPONSE) {
      return status;
    }
    ++number;
  }
  const uint64_t whole_end = is_whole(last) ? last + 1 : last;  // one past the last whole line
  if (number < whole_end) {
    if (const auto status =
            access_lines(number, whole_end - 1, LineAccess::write_back,
                         whole_pages_allowed(physical_address, length_bytes), delay);
        status != tlm::TLM_OK_RESPONSE) {
      return status;
    }
  }
  if (last >= number && !is_whole(last)) {
    if (const auto status = touch(last, true, delay); status != tlm::TLM_OK_RESPONSE) {
      return status;
    }
  }
  return tlm::TLM_OK_RESPONSE;
}

tlm::tlm_response_status Cache::fill_line(uint64_t line_address, sc_core::sc_time& delay) {
  return touch(line_address >> line_shift_, false, delay);
}

tlm::tlm_response_status Cache::write_back_line(uint64_t line_address, sc_core::sc_time& delay) {
  delay += hit_latency_;
  bool hit = false;
  tlm::tlm_response_status status = tlm::TLM_OK_RESPONSE;
  const size_t slot = lookup(line_address >> line_shift_, &hit, delay, status);
  (hit ? hits_ : misses_).add();
  dirty_[slot] = 1;
  return status;
}

tlm::tlm_response_status Cache::fill_page_lines(uint64_t page_address, uint64_t line_mask,
                                                sc_core::sc_time& delay) {
  return access_page_lines(page_address, line_mask, LineAccess::read, delay);
}

tlm::tlm_response_status Cache::write_back_page_lines(uint64_t page_address, uint64_t line_mask,
                                                      sc_core::sc_time& delay) {
  return access_page_lines(page_address, line_mask, LineAccess::write_back, delay);
}

tlm::tlm_response_status Cache::access_page_lines(uint64_t page_address, uint64_t line_mask,
                                                  LineAccess kind, sc_core::sc_time& delay) {
  if (page_groups_) return access_page(page_address / kPageBytes, kind, line_mask, delay);
  const uint64_t first_line = page_address >> line_shift_;
  for (uint64_t rest = line_mask; rest != 0; rest &= rest - 1) {
    const auto status =
        access_line(first_line + static_cast<uint64_t>(std::countr_zero(rest)), kind, delay);
    if (status != tlm::TLM_OK_RESPONSE) return status;
  }
  return tlm::TLM_OK_RESPONSE;
}

tlm::tlm_response_status Cache::access_lines(uint64_t first, uint64_t last, LineAccess kind,
                                             bool pages, sc_core::sc_time& delay) {
  for (uint64_t number = first; number <= last;) {
    const bool whole_page =
        pages && (number & (lines_per_page_ - 1)) == 0 && last - number >= lines_per_page_ - 1;
    const auto status = whole_page ? access_page(number >> page_line_shift_, kind, all_sets_, delay)
                                   : access_line(number, kind, delay);
    if (status != tlm::TLM_OK_RESPONSE) return status;
    number += whole_page ? lines_per_page_ : 1;
  }
  return tlm::TLM_OK_RESPONSE;
}

tlm::tlm_response_status Cache::access_line(uint64_t line_number, LineAccess kind,
                                            sc_core::sc_time& delay) {
  return kind == LineAccess::write_back ? write_back_line(line_number << line_shift_, delay)
                                        : touch(line_number, kind == LineAccess::write, delay);
}

tlm::tlm_response_status Cache::access_page(uint64_t page_number, LineAccess kind,
                                            uint64_t line_mask, sc_core::sc_time& delay) {
  const size_t group = page_number & group_mask_;
  const uint64_t first_line = page_number << page_line_shift_;
  uint64_t& line_sets = line_sets_[group];
  const bool wholly_lines = line_sets == all_sets_;
  tlm::tlm_response_status status = tlm::TLM_OK_RESPONSE;
  if (!wholly_lines) {
    // Sets of the list that this access leaves alone must not move with the list.
    const uint64_t left_alone = all_sets_ & ~line_mask & ~line_sets;
    for (uint64_t rest = left_alone; rest != 0; rest &= rest - 1) {
      set_to_lines(group, static_cast<uint64_t>(std::countr_zero(rest)));
    }
    const uint64_t list_part = line_mask & ~line_sets;
    if (list_part != 0) status = access_list(group, page_number, kind, list_part, delay);
    if (status != tlm::TLM_OK_RESPONSE) return status;
  }
  const uint64_t lines_part = line_mask & line_sets;
  for (uint64_t rest = lines_part; rest != 0; rest &= rest - 1) {
    status = access_line(first_line + static_cast<uint64_t>(std::countr_zero(rest)), kind, delay);
    if (status != tlm::TLM_OK_RESPONSE) return status;
  }
  if (line_sets != 0 &&
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
  return status;
}

tlm::tlm_response_status Cache::access_list(size_t group, uint64_t page_number, LineAccess kind,
                                            uint64_t line_mask, sc_core::sc_time& delay) {
  // Every line of the mask does in its own set what the page does in the list. (Without a
  // POPCNT instruction in the baseline ISA, std::popcount is a library call: whole pages skip it.)
  const uint64_t lines =
      line_mask == all_sets_ ? lines_per_page_ : static_cast<uint64_t>(std::popcount(line_mask));
  ++group_list_served_[group];
  delay += scaled(hit_latency_, lines);
  uint64_t* entries = &list_[group * ways_];
  const size_t count = page_count_[group];
  if (const int64_t found = find_page(page_number); found >= 0) {
    hits_.add(lines);
    make_most_recent(group, static_cast<size_t>(found));
    if (kind != LineAccess::read) entries[count - 1] |= 1;
    return tlm::TLM_OK_RESPONSE;
  }
  misses_.add(lines);
  tlm::tlm_response_status status = tlm::TLM_OK_RESPONSE;
  if (count == ways_) {
    // The least recently used page leaves; the list keeps its order.
    if (is_dirty_entry(entries[0])) {
      write_backs_.add(lines);
      status = next_.write_back_page_lines((entries[0] >> 1) * kPageBytes, line_mask, delay);
    }
    remove_from_list(group, 0);
  }
  const size_t position = page_count_[group]++;
  entries[position] = list_entry(page_number, false);
  if (kind != LineAccess::write_back) {
    if (status == tlm::TLM_OK_RESPONSE) {
      status = next_.fill_page_lines(page_number * kPageBytes, line_mask, delay);
    }
    if (status != tlm::TLM_OK_RESPONSE) {
      --page_count_[group];
      return status;
    }
  }
  if (kind != LineAccess::read) entries[position] |= 1;
  return status;
}

void Cache::maintain_page(uint64_t page_number, CacheMaintenance operation,
                          sc_core::sc_time& delay) {
  const int64_t found = find_page(page_number);
  if (found < 0) return;
  const size_t group = page_number & group_mask_;
  const size_t position = static_cast<size_t>(found);
  uint64_t& entry = list_[group * ways_ + position];
  if (is_dirty_entry(entry) && operation != CacheMaintenance::invalidate) {
    write_backs_.add(lines_per_page_);
    next_.write_back_page_lines(page_number * kPageBytes, all_sets_, delay);
    entry = list_entry(page_number, false);
  }
  if (operation != CacheMaintenance::clean) remove_from_list(group, position);
}

void Cache::maintain_slot(size_t slot, CacheMaintenance operation, sc_core::sc_time& delay) {
  if (dirty_[slot] != 0 && operation != CacheMaintenance::invalidate) {
    write_backs_.add();
    next_.write_back_line((tags_[slot] - 1) << line_shift_, delay);
    dirty_[slot] = 0;
  }
  if (operation != CacheMaintenance::clean) {
    tags_[slot] = kEmpty;
    dirty_[slot] = 0;
  }
}

void Cache::maintain(CacheMaintenance operation, uint64_t physical_address, uint64_t length_bytes,
                     sc_core::sc_time& delay) {
  if (length_bytes != 0) {
    const uint64_t first = physical_address >> line_shift_;
    const uint64_t last = (physical_address + length_bytes - 1) >> line_shift_;
    const uint64_t range_lines = last - first + 1;
    // The instruction visits every line of the range; the host visits only resident ones.
    delay += scaled(hit_latency_, range_lines);
    maintained_lines_.add(range_lines);
    if (range_lines <= tags_.size()) {
      for (uint64_t number = first; number <= last;) {
        const size_t group = group_of_line(number);
        if (page_groups_ && line_sets_[group] == 0 && offset_of_line(number) == 0 &&
            last - number >= lines_per_page_ - 1) {
          maintain_page(number >> page_line_shift_, operation, delay);
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
        if (slot >= 0) maintain_slot(static_cast<size_t>(slot), operation, delay);
        ++number;
      }
    } else {
      for (size_t group = 0; group < line_sets_.size(); ++group) {
        if (line_sets_[group] != all_sets_) group_to_lines(group);
      }
      // Walk the lines in address order so that write-backs happen as the loop would do them.
      std::vector<std::pair<uint64_t, size_t>> resident;
      for (size_t slot = 0; slot < tags_.size(); ++slot) {
        const uint64_t number = tags_[slot] - 1;
        if (tags_[slot] != kEmpty && number >= first && number <= last) {
          resident.emplace_back(number, slot);
        }
      }
      std::sort(resident.begin(), resident.end());
      for (const auto& [number, slot] : resident)
        maintain_slot(slot, operation, delay);
    }
  }
  next_.maintain(operation, physical_address, length_bytes, delay);
}

tlm::tlm_response_status Cache::functional(tlm::tlm_command command, uint64_t physical_address,
                                           uint8_t* data, uint64_t length_bytes) {
  return next_.functional(command, physical_address, data, length_bytes);
}

}  // namespace zxvp
