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
  lines_.resize(line_total);
  set_mask_ = line_total / config.ways - 1;
}

Cache::Line* Cache::find(uint64_t line_number) {
  Line* set = &lines_[(line_number & set_mask_) * ways_];
  for (uint64_t way = 0; way < ways_; ++way) {
    if (set[way].valid && set[way].number == line_number) return &set[way];
  }
  return nullptr;
}

const Cache::Line* Cache::find(uint64_t line_number) const {
  return const_cast<Cache*>(this)->find(line_number);
}

bool Cache::contains(uint64_t physical_address) const {
  return find(physical_address >> line_shift_) != nullptr;
}

bool Cache::is_dirty(uint64_t physical_address) const {
  const Line* line = find(physical_address >> line_shift_);
  return line != nullptr && line->dirty;
}

Cache::Line* Cache::allocate(uint64_t line_number, sc_core::sc_time& delay,
                             tlm::tlm_response_status& status) {
  Line* set = &lines_[(line_number & set_mask_) * ways_];
  Line* victim = &set[0];
  for (uint64_t way = 0; way < ways_; ++way) {
    if (!set[way].valid) {
      victim = &set[way];
      break;
    }
    if (set[way].last_use < victim->last_use) victim = &set[way];
  }
  status = tlm::TLM_OK_RESPONSE;
  if (victim->valid && victim->dirty) {
    write_backs_.add();
    status = next_.write_back_line(victim->number << line_shift_, delay);
  }
  *victim = Line{line_number, ++clock_, true, false};
  return victim;
}

tlm::tlm_response_status Cache::touch(uint64_t line_number, bool write, sc_core::sc_time& delay) {
  delay += hit_latency_;
  Line* line = find(line_number);
  tlm::tlm_response_status status = tlm::TLM_OK_RESPONSE;
  if (line != nullptr) {
    hits_.add();
    line->last_use = ++clock_;
  } else {
    misses_.add();
    line = allocate(line_number, delay, status);
    if (status == tlm::TLM_OK_RESPONSE) status = next_.fill_line(line_number << line_shift_, delay);
    if (status != tlm::TLM_OK_RESPONSE) line->valid = false;
  }
  if (write && line->valid) line->dirty = true;
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
  static const std::vector<uint8_t> zeros(4096, 0);
  for (uint64_t done = 0; done < length_bytes;) {
    const uint64_t piece = std::min<uint64_t>(zeros.size(), length_bytes - done);
    const auto status = next_.functional(tlm::TLM_WRITE_COMMAND, physical_address + done,
                                         const_cast<uint8_t*>(zeros.data()), piece);
    if (status != tlm::TLM_OK_RESPONSE) return status;
    done += piece;
  }
  return tlm::TLM_OK_RESPONSE;
}

tlm::tlm_response_status Cache::fill_line(uint64_t line_address, sc_core::sc_time& delay) {
  return touch(line_address >> line_shift_, false, delay);
}

tlm::tlm_response_status Cache::write_back_line(uint64_t line_address, sc_core::sc_time& delay) {
  delay += hit_latency_;
  const uint64_t number = line_address >> line_shift_;
  Line* line = find(number);
  tlm::tlm_response_status status = tlm::TLM_OK_RESPONSE;
  if (line != nullptr) {
    hits_.add();
    line->last_use = ++clock_;
  } else {
    misses_.add();
    line = allocate(number, delay, status);
  }
  line->dirty = true;
  return status;
}

void Cache::maintain_line(Line& line, CacheMaintenance operation, sc_core::sc_time& delay) {
  if (line.dirty && operation != CacheMaintenance::invalidate) {
    write_backs_.add();
    next_.write_back_line(line.number << line_shift_, delay);
    line.dirty = false;
  }
  if (operation != CacheMaintenance::clean) line.valid = false;
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
    if (range_lines <= lines_.size()) {
      for (uint64_t number = first; number <= last; ++number) {
        if (Line* line = find(number)) maintain_line(*line, operation, delay);
      }
    } else {
      // Walk the lines in address order so that write-backs happen as the loop would do them.
      std::vector<Line*> resident;
      for (Line& line : lines_) {
        if (line.valid && line.number >= first && line.number <= last) resident.push_back(&line);
      }
      std::sort(resident.begin(), resident.end(),
                [](const Line* a, const Line* b) { return a->number < b->number; });
      for (Line* line : resident)
        maintain_line(*line, operation, delay);
    }
  }
  next_.maintain(operation, physical_address, length_bytes, delay);
}

tlm::tlm_response_status Cache::functional(tlm::tlm_command command, uint64_t physical_address,
                                           uint8_t* data, uint64_t length_bytes) {
  return next_.functional(command, physical_address, data, length_bytes);
}

}  // namespace zxvp
