#include "sw/kernel/physical_memory_manager.h"

#include <algorithm>
#include <functional>
#include <stdexcept>
#include <string>

namespace zxvp {

PhysicalMemoryManager::PhysicalMemoryManager(uint64_t base, uint64_t size_bytes,
                                             StatisticsRegistry& statistics, Placement placement,
                                             uint64_t seed)
    : base_(base),
      total_pages_(size_bytes / kPageSize),
      scatter_(placement == Placement::scattered
                   ? std::optional<PageScatter>(std::in_place, total_pages_, seed)
                   : std::nullopt),
      allocations_(statistics.counter("kernel.pmm.allocations", "pages allocated")),
      frees_(statistics.counter("kernel.pmm.frees", "pages freed")),
      failures_(statistics.counter("kernel.pmm.failures", "allocations refused: no free page")) {}

uint64_t PhysicalMemoryManager::address_at(uint64_t position) const {
  return base_ + (scatter_ ? scatter_->page_at(position) : position) * kPageSize;
}

std::optional<uint64_t> PhysicalMemoryManager::position_of(uint64_t physical_address) const {
  if (physical_address < base_ || physical_address % kPageSize != 0) return std::nullopt;
  const uint64_t page = (physical_address - base_) / kPageSize;
  if (page >= total_pages_) return std::nullopt;
  return scatter_ ? scatter_->position_of(page) : page;
}

std::optional<uint64_t> PhysicalMemoryManager::allocate() {
  uint64_t position = 0;
  if (!freed_.empty()) {
    std::pop_heap(freed_.begin(), freed_.end(), std::greater<>());
    position = freed_.back();
    freed_.pop_back();
  } else if (next_untouched_ < total_pages_) {
    position = next_untouched_++;
    if (allocated_.size() < next_untouched_) {
      allocated_.resize(std::min(total_pages_, std::max<uint64_t>(next_untouched_ * 2, 1024)));
    }
  } else {
    failures_.add();
    return std::nullopt;
  }
  allocated_.set(position);
  ++used_pages_;
  allocations_.add();
  return address_at(position);
}

uint64_t PhysicalMemoryManager::handed_out_position(uint64_t physical_address) const {
  const std::optional<uint64_t> position = position_of(physical_address);
  if (!position || *position >= next_untouched_) {
    throw std::logic_error("pmm: " + std::to_string(physical_address) +
                           " is not a page this manager handed out");
  }
  return *position;
}

void PhysicalMemoryManager::free(uint64_t physical_address) {
  const uint64_t position = handed_out_position(physical_address);
  if (!allocated_.test(position)) {
    throw std::logic_error("pmm: page " + std::to_string(physical_address) + " freed twice");
  }
  allocated_.reset(position);
  freed_.push_back(position);
  std::push_heap(freed_.begin(), freed_.end(), std::greater<>());
  --used_pages_;
  frees_.add();
}

bool PhysicalMemoryManager::is_allocated(uint64_t physical_address) const {
  const std::optional<uint64_t> position = position_of(physical_address);
  return position && *position < next_untouched_ && allocated_.test(*position);
}

}  // namespace zxvp
