#include "sw/kernel/dma_driver.h"

#include <endian.h>

#include <algorithm>
#include <array>

#include "models/dma/dma_registers.h"

namespace zxvp {

namespace regs = dma_registers;

namespace {
constexpr uint64_t kPageSize = ZX_PAGE_SIZE;

uint64_t channel_register(uint64_t channel, uint64_t offset) {
  return regs::kChannelBase + channel * regs::kChannelStride + offset;
}
}  // namespace

DmaDriver::DmaDriver(CpuCore& cpu, PhysicalMemoryManager& pmm, CycleAccount& account,
                     const DmaDevice& device, uint64_t ring_pages, uint64_t bytes_per_channel)
    : cpu_(cpu),
      pmm_(pmm),
      account_(account),
      device_(device),
      ring_pages_(ring_pages),
      bytes_per_channel_(bytes_per_channel) {}

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
  channel_count_ = std::max<uint32_t>(1, read_register32(regs::kChannelCount));
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

std::vector<std::vector<DmaDriver::Segment>> DmaDriver::spread(const std::vector<Segment>& segments,
                                                               uint64_t channels) {
  uint64_t total = 0;
  for (const Segment& segment : segments)
    total += segment.length_bytes;
  // Shares end on page boundaries of the transfer, so that no page is split between channels.
  const uint64_t share =
      std::max<uint64_t>(kPageSize, (total / channels + kPageSize - 1) / kPageSize * kPageSize);
  std::vector<std::vector<Segment>> lists(1);
  uint64_t room = share;
  for (Segment segment : segments) {
    while (segment.length_bytes > room && lists.size() < channels) {
      if (room != 0) {
        Segment head = segment;
        head.length_bytes = room;
        lists.back().push_back(head);
        segment.source += room;
        segment.destination += room;
        segment.length_bytes -= room;
      }
      lists.emplace_back();
      room = share;
    }
    room -= std::min(room, segment.length_bytes);
    lists.back().push_back(segment);
  }
  return lists;
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
  uint64_t total = 0;
  for (const Segment& segment : segments)
    total += segment.length_bytes;
  const uint64_t channels =
      std::clamp<uint64_t>(total / std::max<uint64_t>(1, bytes_per_channel_), 1, channel_count_);
  const std::vector<std::vector<Segment>> lists = spread(segments, channels);
  // The ring is shared out among the chains that run at once; longer lists run in rounds.
  const size_t per_chain =
      ring_pages_ * kPageSize / regs::kDescriptorBytes / std::max<size_t>(1, lists.size());
  std::vector<size_t> next(lists.size(), 0);
  while (true) {
    std::vector<const Segment*> firsts;
    std::vector<size_t> counts;
    for (size_t channel = 0; channel < lists.size(); ++channel) {
      const size_t count = std::min(per_chain, lists[channel].size() - next[channel]);
      firsts.push_back(count == 0 ? nullptr : &lists[channel][next[channel]]);
      counts.push_back(count);
      next[channel] += count;
    }
    if (std::all_of(counts.begin(), counts.end(), [](size_t count) { return count == 0; })) break;
    if (const zx_status_t status = run_chains(firsts, counts); status != ZX_OK) return status;
  }
  return ZX_OK;
}

zx_status_t DmaDriver::run_chains(const std::vector<const Segment*>& firsts,
                                  const std::vector<size_t>& counts) {
  const size_t per_chain = ring_pages_ * kPageSize / regs::kDescriptorBytes / firsts.size();
  auto slot_address = [this](size_t slot) {
    return pages_[slot * regs::kDescriptorBytes / kPageSize] +
           (slot * regs::kDescriptorBytes) % kPageSize;
  };
  uint32_t started = 0;
  {
    CycleAccount::Scope phase(account_, CyclePhase::dma_setup);
    for (size_t channel = 0; channel < firsts.size(); ++channel) {
      const size_t base = channel * per_chain;
      for (size_t i = 0; i < counts[channel]; ++i) {
        const Segment& segment = firsts[channel][i];
        const bool last = i + 1 == counts[channel];
        regs::Descriptor descriptor;
        descriptor.source = htole64(segment.source);
        descriptor.destination = htole64(segment.destination);
        descriptor.length_bytes = htole32(static_cast<uint32_t>(segment.length_bytes));
        descriptor.flags = htole32(last ? regs::kDescriptorLast : 0);
        descriptor.next = htole64(last ? 0 : slot_address(base + i + 1));
        cpu_.physical_write(slot_address(base + i), &descriptor, sizeof descriptor,
                            MemoryType::write_combining);
      }
    }
    for (size_t channel = 0; channel < firsts.size(); ++channel) {
      if (counts[channel] == 0) continue;
      write_register64(channel_register(channel, regs::kDescriptorAddress),
                       slot_address(channel * per_chain));
      write_register32(channel_register(channel, regs::kControl),
                       regs::kControlStart | regs::kControlIrqEnable);
      started |= 1u << channel;
    }
  }
  CycleAccount::Scope phase(account_, CyclePhase::dma_wait);
  // One interrupt line for the engine: each wake-up reports the channels done by then.
  uint32_t finished = 0;
  while ((finished & started) != started) {
    cpu_.wait_for_interrupt(device_.interrupt_line);
    const uint32_t reported = read_register32(regs::kIrqStatus) & started;
    write_register32(regs::kIrqStatus, reported);
    finished |= reported;
  }
  for (size_t channel = 0; channel < firsts.size(); ++channel) {
    if ((started & (1u << channel)) == 0) continue;
    const uint32_t status = read_register32(channel_register(channel, regs::kStatus));
    if (regs::status_state(status) != regs::ChannelState::done) return ZX_ERR_IO;
  }
  return ZX_OK;
}

}  // namespace zxvp
