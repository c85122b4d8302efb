#include "sw/kernel/dma_driver.h"

#include <endian.h>

#include <algorithm>
#include <array>

#include "models/dma/dma_registers.h"

namespace zxvp {

namespace regs = dma_registers;

namespace {
constexpr uint64_t kPageSize = ZX_PAGE_SIZE;
constexpr uint64_t kChannel = 0;

uint64_t channel_register(uint64_t offset) {
  return regs::kChannelBase + kChannel * regs::kChannelStride + offset;
}
}  // namespace

DmaDriver::DmaDriver(CpuCore& cpu, PhysicalMemoryManager& pmm, CycleAccount& account,
                     const DmaDevice& device, uint64_t ring_pages)
    : cpu_(cpu), pmm_(pmm), account_(account), device_(device), ring_pages_(ring_pages) {}

DmaDriver::~DmaDriver() {
  for (uint64_t page : pages_)
    pmm_.free(page);
}

bool DmaDriver::ready() {
  if (initialized_) return true;
  CycleAccount::Scope phase(account_, CyclePhase::dma_setup);
  for (uint64_t i = pages_.size(); i < ring_pages_ + 1; ++i) {
    const auto page = pmm_.allocate();
    if (!page) return false;
    pages_.push_back(*page);
  }
  zero_page_ = pages_.back();
  cpu_.physical_zero(zero_page_, kPageSize);
  coherent_ = read_register32(regs::kCoherent) != 0;
  initialized_ = true;
  return true;
}

uint32_t DmaDriver::read_register32(uint64_t offset) {
  uint32_t value = 0;
  cpu_.physical_read(device_.register_base + offset, &value, sizeof value,
                     MemoryType::uncached_device);
  return le32toh(value);
}

void DmaDriver::write_register32(uint64_t offset, uint32_t value) {
  value = htole32(value);
  cpu_.physical_write(device_.register_base + offset, &value, sizeof value,
                      MemoryType::uncached_device);
}

void DmaDriver::write_register64(uint64_t offset, uint64_t value) {
  value = htole64(value);
  cpu_.physical_write(device_.register_base + offset, &value, sizeof value,
                      MemoryType::uncached_device);
}

bool DmaDriver::overlapping(const std::vector<Segment>& pieces) {
  // Does any piece read bytes that another piece writes? Destinations sorted by start, each
  // source looked up among them.
  std::vector<std::pair<uint64_t, uint64_t>> written;
  written.reserve(pieces.size());
  for (const Segment& piece : pieces) {
    written.emplace_back(piece.destination, piece.destination + piece.length_bytes);
  }
  std::sort(written.begin(), written.end());
  for (const Segment& piece : pieces) {
    const uint64_t end = piece.source + piece.length_bytes;
    auto it = std::lower_bound(written.begin(), written.end(), std::make_pair(end, uint64_t{0}));
    // Candidates start before the source's end; the nearest ones are just before `it`.
    while (it != written.begin()) {
      --it;
      if (it->second > piece.source) return true;
      if (it->first + kPageSize <= piece.source) break;  // no piece is longer than a page
    }
  }
  return false;
}

std::vector<DmaDriver::Segment> DmaDriver::merged(const std::vector<Segment>& pieces) {
  std::vector<Segment> segments;
  for (const Segment& piece : pieces) {
    if (!segments.empty()) {
      Segment& last = segments.back();
      if (last.source + last.length_bytes == piece.source &&
          last.destination + last.length_bytes == piece.destination &&
          last.length_bytes + piece.length_bytes <= UINT32_MAX) {
        last.length_bytes += piece.length_bytes;
        continue;
      }
    }
    segments.push_back(piece);
  }
  return segments;
}

zx_status_t DmaDriver::copy(const std::vector<Segment>& pieces) {
  const std::vector<Segment> segments = merged(pieces);
  if (!coherent_) {
    CycleAccount::Scope phase(account_, CyclePhase::cache_maint);
    for (const Segment& segment : segments) {
      cpu_.maintain_caches(CacheMaintenance::clean, segment.source, segment.length_bytes);
      cpu_.maintain_caches(CacheMaintenance::clean_invalidate, segment.destination,
                           segment.length_bytes);
    }
  }
  const size_t per_chain = ring_pages_ * kPageSize / regs::kDescriptorBytes;
  for (size_t first = 0; first < segments.size(); first += per_chain) {
    const size_t count = std::min(per_chain, segments.size() - first);
    if (const zx_status_t status = run_chain(&segments[first], count); status != ZX_OK) {
      return status;
    }
  }
  return ZX_OK;
}

zx_status_t DmaDriver::run_chain(const Segment* segments, size_t count) {
  {
    CycleAccount::Scope phase(account_, CyclePhase::dma_setup);
    for (size_t i = 0; i < count; ++i) {
      const uint64_t slot =
          pages_[i * regs::kDescriptorBytes / kPageSize] + (i * regs::kDescriptorBytes) % kPageSize;
      const uint64_t next_slot =
          pages_[(i + 1) * regs::kDescriptorBytes / kPageSize % ring_pages_] +
          ((i + 1) * regs::kDescriptorBytes) % kPageSize;
      regs::Descriptor descriptor;
      descriptor.source = htole64(segments[i].source);
      descriptor.destination = htole64(segments[i].destination);
      descriptor.length_bytes = htole32(static_cast<uint32_t>(segments[i].length_bytes));
      descriptor.flags = htole32(i + 1 == count ? regs::kDescriptorLast : 0);
      descriptor.next = htole64(i + 1 == count ? 0 : next_slot);
      cpu_.physical_write(slot, &descriptor, sizeof descriptor, MemoryType::write_combining);
    }
    write_register64(channel_register(regs::kDescriptorAddress), pages_[0]);
    write_register32(channel_register(regs::kControl),
                     regs::kControlStart | regs::kControlIrqEnable);
  }
  CycleAccount::Scope phase(account_, CyclePhase::dma_wait);
  cpu_.wait_for_interrupt(device_.interrupt_line);
  const uint32_t status = read_register32(channel_register(regs::kStatus));
  write_register32(regs::kIrqStatus, 1u << kChannel);
  return regs::status_state(status) == regs::ChannelState::done ? ZX_OK : ZX_ERR_IO;
}

}  // namespace zxvp
