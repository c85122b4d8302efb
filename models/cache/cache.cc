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
  set_mask_ = line_total / config.ways - 1;
}

int64_t Cache::find(uint64_t line_number) const {
  const size_t base = (line_number & set_mask_) * ways_;
  const uint64_t tag = line_number + 1;
  for (size_t way = 0; way < ways_; ++way) {
    if (tags_[base + way] == tag) return static_cast<int64_t>(base + way);
  }
  return -1;
}

bool Cache::contains(uint64_t physical_address) const {
  return find(physical_address >> line_shift_) >= 0;
}

bool Cache::is_dirty(uint64_t physical_address) const {
  const int64_t slot = find(physical_address >> line_shift_);
  return slot >= 0 && dirty_[static_cast<size_t>(slot)] != 0;
}

size_t Cache::lookup(uint64_t line_number, bool* hit, sc_core::sc_time& delay,
                     tlm::tlm_response_status& status) {
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
  const bool write = command == tlm::TLM_WRITE_COMMAND;
  const uint64_t first = physical_address >> line_shift_;
  const uint64_t last = (physical_address + length_bytes - 1) >> line_shift_;
  for (uint64_t line = first; line <= last; ++line) {
    const auto status = touch(line, write, delay);
    if (status != tlm::TLM_OK_RESPONSE) return status;
  }
  return next_.functional(command, physical_address, data, length_bytes);
}

tlm::tlm_response_status Cache::zero(uint64_t physical_address, uint64_t length_bytes,
                                     sc_core::sc_time& delay) {
  if (length_bytes == 0) return tlm::TLM_OK_RESPONSE;
  const uint64_t first = physical_address >> line_shift_;
  const uint64_t last = (physical_address + length_bytes - 1) >> line_shift_;
  for (uint64_t number = first; number <= last; ++number) {
    const uint64_t start = std::max(physical_address, number << line_shift_);
    const uint64_t end = std::min(physical_address + length_bytes, (number + 1) << line_shift_);
    // A whole line is zeroed in place like a write-back from above; a part of one is a store.
    const auto status = end - start == line_bytes_ ? write_back_line(number << line_shift_, delay)
                                                   : touch(number, true, delay);
    if (status != tlm::TLM_OK_RESPONSE) return status;
  }
  return next_.functional_zero(physical_address, length_bytes);
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
    delay += sc_core::sc_time::from_value(range_lines * hit_latency_.value());
    maintained_lines_.add(range_lines);
    if (range_lines <= tags_.size()) {
      for (uint64_t number = first; number <= last; ++number) {
        const int64_t slot = find(number);
        if (slot >= 0) maintain_slot(static_cast<size_t>(slot), operation, delay);
      }
    } else {
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

tlm::tlm_response_status Cache::functional_zero(uint64_t physical_address, uint64_t length_bytes) {
  return next_.functional_zero(physical_address, length_bytes);
}

tlm::tlm_response_status Cache::functional(tlm::tlm_command command, uint64_t physical_address,
                                           uint8_t* data, uint64_t length_bytes) {
  return next_.functional(command, physical_address, data, length_bytes);
}

}  // namespace zxvp
