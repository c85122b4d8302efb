#include "sw/kernel/physical_memory_manager.h"

#include <algorithm>
#include <functional>
#include <stdexcept>
#include <string>

namespace zxvp {

PhysicalMemoryManager::PhysicalMemoryManager(uint64_t base, uint64_t size_bytes,
                                             StatisticsRegistry& statistics)
    : base_(base),
      total_pages_(size_bytes / kPageSize),
      allocations_(statistics.counter("kernel.pmm.allocations", "pages allocated")),
      frees_(statistics.counter("kernel.pmm.frees", "pages freed")),
      failures_(statistics.counter("kernel.pmm.failures", "allocations refused: no free page")) {}

std::optional<uint64_t> PhysicalMemoryManager::allocate() {
  uint64_t index = 0;
  if (!freed_.empty()) {
    std::pop_heap(freed_.begin(), freed_.end(), std::greater<>());
    index = freed_.back();
    freed_.pop_back();
  } else if (next_untouched_ < total_pages_) {
    index = next_untouched_++;
    if (allocated_.size() < next_untouched_) {
      allocated_.resize(std::min(total_pages_, std::max<uint64_t>(next_untouched_ * 2, 1024)));
    }
  } else {
    failures_.add();
    return std::nullopt;
  }
  allocated_.set(index);
  ++used_pages_;
  allocations_.add();
  return base_ + index * kPageSize;
}

uint64_t PhysicalMemoryManager::index_of(uint64_t physical_address) const {
  const uint64_t index = (physical_address - base_) / kPageSize;
  if (physical_address < base_ || physical_address % kPageSize != 0 || index >= next_untouched_) {
    throw std::logic_error("pmm: " + std::to_string(physical_address) +
                           " is not a page this manager handed out");
  }
  return index;
}

void PhysicalMemoryManager::free(uint64_t physical_address) {
  const uint64_t index = index_of(physical_address);
  if (!allocated_.test(index)) {
    throw std::logic_error("pmm: page " + std::to_string(physical_address) + " freed twice");
  }
  allocated_.reset(index);
  freed_.push_back(index);
  std::push_heap(freed_.begin(), freed_.end(), std::greater<>());
  --used_pages_;
  frees_.add();
}

bool PhysicalMemoryManager::is_allocated(uint64_t physical_address) const {
  const uint64_t index = (physical_address - base_) / kPageSize;
  return physical_address >= base_ && index < next_untouched_ && allocated_.test(index);
}

}  // namespace zxvp
