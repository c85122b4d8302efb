#pragma once

#include <boost/intrusive_ptr.hpp>
#include <boost/smart_ptr/intrusive_ref_counter.hpp>
#include <cstdint>

#include "sw/kernel/physical_memory_manager.h"

namespace zxvp {

// One committed physical page of VMO content. Shared by a snapshot and its source until one of
// them writes it (then the writer forks a copy); given back to the physical memory manager when
// the last VMO drops it.
class VmPage : public boost::intrusive_ref_counter<VmPage, boost::thread_unsafe_counter> {
 public:
  VmPage(PhysicalMemoryManager& pmm, uint64_t physical_address)
      : pmm_(pmm), physical_address_(physical_address) {}
  ~VmPage() { pmm_.free(physical_address_); }
  VmPage(const VmPage&) = delete;
  VmPage& operator=(const VmPage&) = delete;

  uint64_t physical_address() const { return physical_address_; }
  bool shared() const { return use_count() > 1; }

 private:
  PhysicalMemoryManager& pmm_;
  uint64_t physical_address_;
};

using VmPagePtr = boost::intrusive_ptr<VmPage>;

// What a VMO needs done to pages, by the kernel on the CPU (so that it costs what it costs).
class PageOperations {
 public:
  virtual ~PageOperations() = default;
  // A fresh zero-filled page, or null when physical memory is exhausted.
  virtual VmPagePtr allocate_zeroed() = 0;
  // A fresh page holding a copy of `source`, or null when physical memory is exhausted.
  virtual VmPagePtr allocate_copy(const VmPage& source) = 0;
  virtual void zero_bytes(const VmPage& page, uint64_t offset, uint64_t length_bytes) = 0;
};

}  // namespace zxvp
