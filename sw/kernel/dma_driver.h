#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "models/cpu/cpu_core.h"
#include "sw/api/zircon/types.h"
#include "sw/kernel/cycle_account.h"
#include "sw/kernel/physical_memory_manager.h"

namespace zxvp {

// Where the kernel finds the DMA engine: its register block and its interrupt line on the core.
struct DmaDevice {
  uint64_t register_base = 0;
  size_t interrupt_line = 0;
};

// The kernel's driver for the DMA engine (models/dma/REGISTERS.md), as a copy engine: it turns
// a list of physical segments into descriptor chains in a ring of kernel pages (written with
// write-combining stores, so the engine reads them from memory), cleans and invalidates the
// caches around the transfer when the engine is not coherent, spreads a long transfer over the
// engine's channels (each given at least `bytes_per_channel`), starts them and sleeps until
// every one has raised its completion interrupt.
class DmaDriver {
 public:
  struct Segment {
    uint64_t source;
    uint64_t destination;
    uint64_t length_bytes;
    MemoryType source_type = MemoryType::cached;
    MemoryType destination_type = MemoryType::cached;
  };

  DmaDriver(CpuCore& cpu, PhysicalMemoryManager& pmm, CycleAccount& account,
            const DmaDevice& device, uint64_t ring_pages, uint64_t bytes_per_channel);
  ~DmaDriver();
  DmaDriver(const DmaDriver&) = delete;
  DmaDriver& operator=(const DmaDriver&) = delete;

  // Allocates the ring and the zero page, reads the engine's coherence; false when memory is
  // short (the kernel then copies with the core).
  bool ready();
  // A page of zeros, the source for reads of pages never written.
  uint64_t zero_page() const { return zero_page_; }
  // Pages the driver holds for itself.
  uint64_t kernel_pages() const { return pages_.size(); }

  // True when a piece reads bytes another piece writes: the engine's burst order would then
  // give other bytes than the core's piece-by-piece copy, so the kernel leaves it to the core.
  static bool overlapping(const std::vector<Segment>& pieces);
  // Copies the pieces in order (physically contiguous runs merged into one descriptor);
  // ZX_ERR_IO when the engine reports an error.
  zx_status_t copy(const std::vector<Segment>& pieces);

 private:
  static std::vector<Segment> merged(const std::vector<Segment>& pieces);
  uint32_t read_register32(uint64_t offset);
  void write_register32(uint64_t offset, uint32_t value);
  void write_register64(uint64_t offset, uint64_t value);
  // The segments cut into at most `channels` lists of about equal bytes, in order.
  static std::vector<std::vector<Segment>> spread(const std::vector<Segment>& segments,
                                                  uint64_t channels);
  // One chain per non-empty list (each at most `ring slots / lists` descriptors), run at once.
  zx_status_t run_chains(const std::vector<const Segment*>& firsts,
                         const std::vector<size_t>& counts);

  CpuCore& cpu_;
  PhysicalMemoryManager& pmm_;
  CycleAccount& account_;
  DmaDevice device_;
  uint64_t ring_pages_;
  uint64_t bytes_per_channel_;
  uint64_t channel_count_ = 1;
  std::vector<uint64_t> pages_;
  uint64_t zero_page_ = 0;
  bool coherent_ = false;
  bool initialized_ = false;
};

}  // namespace zxvp
