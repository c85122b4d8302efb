#include "models/tlm/memory_port.h"

#include <algorithm>
#include <bit>
#include <cstring>

#include "models/memory/streaming_copy.h"

namespace zxvp {

MemoryPort::MemoryPort(const char* socket_name, bool dmi_enabled)
    : socket(socket_name), dmi_enabled_(dmi_enabled), unloaded_latency_(new UnloadedLatency) {
  socket.bind(*this);
  payload_.set_extension(unloaded_latency_);
}

const MemoryPort::DmiRegion* MemoryPort::find_dmi(uint64_t address, uint64_t length_bytes,
                                                  bool write) const {
  const uint64_t last = address + length_bytes - 1;
  if (length_bytes == 0 || last < address) return nullptr;
  for (const DmiRegion& region : dmi_regions_) {
    if (address >= region.start && last <= region.end &&
        (write ? region.writable : region.readable)) {
      return &region;
    }
  }
  return nullptr;
}

const MemoryPort::DmiRegion* MemoryPort::find_timed_dmi(uint64_t address, uint64_t length_bytes,
                                                        bool write) const {
  const DmiRegion* region = find_dmi(address, length_bytes, write);
  return region != nullptr && region->grant.controller != nullptr ? region : nullptr;
}

void MemoryPort::request_dmi(uint64_t address) {
  tlm::tlm_generic_payload request;
  DmiRegion region;
  request.set_address(address);
  request.set_command(tlm::TLM_READ_COMMAND);
  request.set_extension(&region.grant);
  tlm::tlm_dmi dmi;
  const bool granted = socket->get_direct_mem_ptr(request, dmi);
  request.clear_extension(&region.grant);
  if (!granted || dmi.get_dmi_ptr() == nullptr) return;
  region.start = dmi.get_start_address();
  region.end = dmi.get_end_address();
  region.pointer = dmi.get_dmi_ptr();
  region.readable = dmi.is_read_allowed();
  region.writable = dmi.is_write_allowed();
  region.read_latency = dmi.get_read_latency();
  region.write_latency = dmi.get_write_latency();
  dmi_regions_.push_back(region);
}

tlm::tlm_response_status MemoryPort::transport(tlm::tlm_command command, uint64_t address,
                                               uint8_t* data, uint64_t length_bytes,
                                               sc_core::sc_time& delay) {
  const bool write = command == tlm::TLM_WRITE_COMMAND;
  if (const DmiRegion* region = find_dmi(address, length_bytes, write)) {
    uint8_t* host = region->pointer + (address - region->start);
    if (write) {
      std::memcpy(host, data, length_bytes);
    } else {
      std::memcpy(data, host, length_bytes);
    }
    const DmiGrant& grant = region->grant;
    if (grant.controller != nullptr) {
      const Ticks now = to_ticks(sc_core::sc_time_stamp());
      const Span done = grant.controller->serve(command, region->local(address), length_bytes,
                                                {now + to_ticks(delay) + grant.hop_ticks, 0, 1});
      delay = to_time(done.last - now);
    } else {
      delay += write ? region->write_latency : region->read_latency;
    }
    grant.record(command, length_bytes);
    return tlm::TLM_OK_RESPONSE;
  }

  // A generic payload counts its length in 32 bits; longer accesses must be split by the caller.
  if (length_bytes > UINT32_MAX) return tlm::TLM_BURST_ERROR_RESPONSE;
  payload_.set_command(command);
  payload_.set_address(address);
  payload_.set_data_ptr(data);
  payload_.set_data_length(static_cast<unsigned int>(length_bytes));
  payload_.set_streaming_width(static_cast<unsigned int>(length_bytes));
  payload_.set_byte_enable_ptr(nullptr);
  payload_.set_byte_enable_length(0);
  payload_.set_dmi_allowed(false);
  payload_.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  unloaded_latency_->ticks = 0;
  ++transport_count_;
  socket->b_transport(payload_, delay);
  const tlm::tlm_response_status status = payload_.get_response_status();
  if (dmi_enabled_ && payload_.is_dmi_allowed() && status == tlm::TLM_OK_RESPONSE) {
    request_dmi(address);
  }
  return status;
}

tlm::tlm_response_status MemoryPort::read(uint64_t address, void* data, uint64_t length_bytes,
                                          sc_core::sc_time& delay) {
  return transport(tlm::TLM_READ_COMMAND, address, static_cast<uint8_t*>(data), length_bytes,
                   delay);
}

tlm::tlm_response_status MemoryPort::write(uint64_t address, const void* data,
                                           uint64_t length_bytes, sc_core::sc_time& delay) {
  // TLM payloads carry a non-const data pointer; a write command never writes through it.
  return transport(tlm::TLM_WRITE_COMMAND, address,
                   const_cast<uint8_t*>(static_cast<const uint8_t*>(data)), length_bytes, delay);
}

tlm::tlm_response_status MemoryPort::transport_blocks(tlm::tlm_command command, uint64_t address,
                                                      uint8_t* data, uint64_t length_bytes,
                                                      uint64_t block_bytes,
                                                      sc_core::sc_time& delay) {
  if (length_bytes == 0) return tlm::TLM_OK_RESPONSE;
  const bool write = command == tlm::TLM_WRITE_COMMAND;
  const uint64_t head = std::min(length_bytes, block_bytes - (address & (block_bytes - 1)));
  const DmiRegion* region = find_timed_dmi(address, length_bytes, write);
  if (region != nullptr) {
    // One memcpy; each block still waits for the one before.
    uint8_t* host = region->pointer + (address - region->start);
    if (write) {
      std::memcpy(host, data, length_bytes);
    } else {
      std::memcpy(data, host, length_bytes);
    }
  }
  uint64_t done = 0;
  for (uint64_t chunk = head; done < length_bytes;
       done += chunk, chunk = std::min(block_bytes, length_bytes - done)) {
    if (region != nullptr) {
      const Ticks now = to_ticks(sc_core::sc_time_stamp());
      const Span finished =
          region->grant.controller->serve(command, region->local(address + done), chunk,
                                          {now + to_ticks(delay) + region->grant.hop_ticks, 0, 1});
      delay = to_time(finished.last - now);
      region->grant.record(command, chunk);
    } else if (const auto status = transport(command, address + done, data + done, chunk, delay);
               status != tlm::TLM_OK_RESPONSE) {
      return status;
    }
  }
  return tlm::TLM_OK_RESPONSE;
}

tlm::tlm_response_status MemoryPort::read_blocks(uint64_t address, void* data,
                                                 uint64_t length_bytes, uint64_t block_bytes,
                                                 sc_core::sc_time& delay) {
  return transport_blocks(tlm::TLM_READ_COMMAND, address, static_cast<uint8_t*>(data), length_bytes,
                          block_bytes, delay);
}

tlm::tlm_response_status MemoryPort::write_blocks(uint64_t address, const void* data,
                                                  uint64_t length_bytes, uint64_t block_bytes,
                                                  sc_core::sc_time& delay) {
  return transport_blocks(tlm::TLM_WRITE_COMMAND, address,
                          const_cast<uint8_t*>(static_cast<const uint8_t*>(data)), length_bytes,
                          block_bytes, delay);
}

MemoryPort::Timed MemoryPort::transfer_units(tlm::tlm_command command, uint64_t address,
                                             uint8_t* data, uint64_t length_bytes,
                                             uint64_t unit_bytes, const Arrivals& arrivals,
                                             uint64_t* units_done) {
  Timed timed;
  *units_done = 0;
  if (arrivals.count == 0) return timed;
  const bool write = command == tlm::TLM_WRITE_COMMAND;
  if (const DmiRegion* region = find_timed_dmi(address, length_bytes, write)) {
    const DmiGrant& grant = region->grant;
    if (data != nullptr) {
      uint8_t* host = region->pointer + (address - region->start);
      if (write) {
        std::memcpy(host, data, length_bytes);
      } else {
        std::memcpy(data, host, length_bytes);
      }
    }
    timed.done = grant.controller->serve_range(
        command, region->local(address), unit_bytes, length_bytes,
        {arrivals.first + grant.hop_ticks, arrivals.step, arrivals.count});
    timed.unloaded_latency =
        grant.hop_ticks + grant.controller->unloaded_latency(command, unit_bytes);
    grant.record(command, length_bytes, arrivals.count);
    *units_done = arrivals.count;
    return timed;
  }
  const Ticks now = to_ticks(sc_core::sc_time_stamp());
  for (uint64_t index = 0; index < arrivals.count; ++index) {
    const uint64_t offset = index * unit_bytes;
    const uint64_t piece = std::min(unit_bytes, length_bytes - offset);
    uint8_t* bytes = data != nullptr ? data + offset : nullptr;
    if (bytes == nullptr) {
      // Timing only: a write carries what memory already holds.
      if (scratch_.size() < piece) scratch_.resize(piece);
      bytes = scratch_.data();
      if (write && debug_read(address + offset, bytes, piece) != piece) {
        timed.status = tlm::TLM_ADDRESS_ERROR_RESPONSE;
        return timed;
      }
    }
    sc_core::sc_time delay = to_time(arrivals.at(index) - now);
    timed.status = transport(command, address + offset, bytes, piece, delay);
    if (timed.status != tlm::TLM_OK_RESPONSE) return timed;
    const Ticks done = now + to_ticks(delay);
    if (index == 0) timed.done.first = done;
    timed.done.last = done;
    timed.unloaded_latency = unloaded_latency_->ticks;
    ++*units_done;
  }
  return timed;
}

MemoryPort::Timed MemoryPort::charge_lines(tlm::tlm_command command, uint64_t page_address,
                                           uint64_t line_mask, uint64_t line_bytes,
                                           const Arrivals& arrivals) {
  Timed timed;
  if (line_mask == 0) return timed;
  const bool write = command == tlm::TLM_WRITE_COMMAND;
  const auto first_line = static_cast<uint64_t>(std::countr_zero(line_mask));
  const uint64_t last_line = 63 - static_cast<uint64_t>(std::countl_zero(line_mask));
  const uint64_t first_address = page_address + first_line * line_bytes;
  const uint64_t span_bytes = (last_line - first_line + 1) * line_bytes;
  if (const DmiRegion* region = find_timed_dmi(first_address, span_bytes, write)) {
    // The lines of a page share a row: one batch, whatever the gaps between them.
    const DmiGrant& grant = region->grant;
    timed.done =
        grant.controller->serve(command, region->local(first_address), line_bytes,
                                {arrivals.first + grant.hop_ticks, arrivals.step, arrivals.count});
    timed.unloaded_latency =
        grant.hop_ticks + grant.controller->unloaded_latency(command, line_bytes);
    grant.record(command, arrivals.count * line_bytes, arrivals.count);
    return timed;
  }
  uint64_t index = 0;
  for (uint64_t rest = line_mask; rest != 0; rest &= rest - 1, ++index) {
    const uint64_t line = static_cast<uint64_t>(std::countr_zero(rest));
    uint64_t done = 0;
    const Timed one = transfer_units(command, page_address + line * line_bytes, nullptr, line_bytes,
                                     line_bytes, {arrivals.at(index), 0, 1}, &done);
    if (one.status != tlm::TLM_OK_RESPONSE) {
      timed.status = one.status;
      return timed;
    }
    if (index == 0) timed.done.first = one.done.first;
    timed.done.last = one.done.last;
    timed.unloaded_latency = one.unloaded_latency;
  }
  return timed;
}

MemoryPort::CopyResult MemoryPort::copy_blocks(uint64_t source, uint64_t destination,
                                               uint64_t length_bytes, uint64_t block_bytes,
                                               Ticks issue_ticks, uint64_t outstanding,
                                               sc_core::sc_time& delay) {
  CopyResult result;
  result.next_issue = delay;
  if (length_bytes == 0) return result;
  const Ticks now = to_ticks(sc_core::sc_time_stamp());
  const uint64_t blocks = (length_bytes + block_bytes - 1) / block_bytes;
  const Arrivals issue{now + to_ticks(delay), issue_ticks, blocks};
  const DmiRegion* from = find_timed_dmi(source, length_bytes, false);
  const DmiRegion* to = find_timed_dmi(destination, length_bytes, true);
  const bool overlap = source < destination + length_bytes && destination < source + length_bytes;
  const bool direct = from != nullptr && to != nullptr && !overlap;
  uint8_t* bytes = nullptr;
  if (direct) {
    std::memcpy(to->pointer + (destination - to->start), from->pointer + (source - from->start),
                length_bytes);
  } else {
    if (bounce_.size() < length_bytes) bounce_.resize(length_bytes);
    bytes = bounce_.data();
  }
  uint64_t blocks_read = 0;
  Timed reads = transfer_units(tlm::TLM_READ_COMMAND, source, bytes, length_bytes, block_bytes,
                               issue, &blocks_read);
  // Little's law: `outstanding` reads in flight complete at most that many per unloaded latency.
  if (blocks_read > 1) {
    const Ticks spacing = (reads.unloaded_latency + outstanding - 1) / outstanding;
    reads.done.last = std::max(reads.done.last, reads.done.first + (blocks_read - 1) * spacing);
  }
  // The read of block i + outstanding waits for the read of block i.
  const Arrivals completions = reads.done.as_arrivals(blocks_read);
  Ticks next_issue = issue.at(blocks);
  if (blocks >= outstanding && blocks_read == blocks) {
    next_issue = std::max(next_issue, completions.at(blocks - outstanding));
  }
  const uint64_t readable = std::min(length_bytes, blocks_read * block_bytes);
  uint64_t blocks_written = 0;
  const Timed writes = transfer_units(tlm::TLM_WRITE_COMMAND, destination, bytes, readable,
                                      block_bytes, completions, &blocks_written);
  result.bytes_done = std::min(length_bytes, blocks_written * block_bytes);
  delay = to_time((blocks_written != 0 ? writes.done.last : reads.done.last) - now);
  result.next_issue = to_time(next_issue - now);
  if (reads.status != tlm::TLM_OK_RESPONSE) {
    result.status = reads.status;
  } else if (writes.status != tlm::TLM_OK_RESPONSE) {
    result.status = writes.status;
    result.failed_on_write = true;
  }
  return result;
}

tlm::tlm_response_status MemoryPort::zero(uint64_t address, uint64_t length_bytes) {
  static const std::vector<uint8_t> zeros(4096, 0);
  for (uint64_t done = 0; done < length_bytes;) {
    const uint64_t piece = std::min<uint64_t>(zeros.size(), length_bytes - done);
    if (const DmiRegion* region = find_dmi(address + done, piece, true)) {
      uint8_t* host = region->pointer + (address + done - region->start);
      if (std::memcmp(host, zeros.data(), piece) != 0) std::memset(host, 0, piece);
    } else if (const auto status = move(tlm::TLM_WRITE_COMMAND, address + done,
                                        const_cast<uint8_t*>(zeros.data()), piece);
               status != tlm::TLM_OK_RESPONSE) {
      return status;
    }
    done += piece;
  }
  return tlm::TLM_OK_RESPONSE;
}

tlm::tlm_response_status MemoryPort::move(tlm::tlm_command command, uint64_t address, uint8_t* data,
                                          uint64_t length_bytes) {
  const bool write = command == tlm::TLM_WRITE_COMMAND;
  if (const DmiRegion* region = find_dmi(address, length_bytes, write)) {
    uint8_t* host = region->pointer + (address - region->start);
    if (write) {
      std::memcpy(host, data, length_bytes);
    } else {
      std::memcpy(data, host, length_bytes);
    }
    return tlm::TLM_OK_RESPONSE;
  }
  const uint64_t done = debug_transport(command, address, data, length_bytes);
  if (done == length_bytes) {
    // No grant yet: ask for one, so that the next move is a plain memcpy.
    if (dmi_enabled_ && dmi_regions_.empty()) request_dmi(address);
    return tlm::TLM_OK_RESPONSE;
  }
  return tlm::TLM_ADDRESS_ERROR_RESPONSE;
}

tlm::tlm_response_status MemoryPort::move_within(uint64_t source, uint64_t destination,
                                                 uint64_t length_bytes, HostStores stores) {
  if (length_bytes == 0) return tlm::TLM_OK_RESPONSE;
  const DmiRegion* from = find_dmi(source, length_bytes, false);
  const DmiRegion* to = find_dmi(destination, length_bytes, true);
  if (from != nullptr && to != nullptr) {
    uint8_t* const target = to->pointer + (destination - to->start);
    const uint8_t* const origin = from->pointer + (source - from->start);
    const bool apart = origin + length_bytes <= target || target + length_bytes <= origin;
    if (stores == HostStores::streaming && apart) {
      copy_streaming(target, origin, length_bytes);
    } else {
      std::memmove(target, origin, length_bytes);
    }
    return tlm::TLM_OK_RESPONSE;
  }
  if (bounce_.size() < length_bytes) bounce_.resize(length_bytes);
  const auto status = move(tlm::TLM_READ_COMMAND, source, bounce_.data(), length_bytes);
  if (status != tlm::TLM_OK_RESPONSE) return status;
  return move(tlm::TLM_WRITE_COMMAND, destination, bounce_.data(), length_bytes);
}

uint64_t MemoryPort::debug_transport(tlm::tlm_command command, uint64_t address, uint8_t* data,
                                     uint64_t length_bytes) {
  if (length_bytes > UINT32_MAX) return 0;
  tlm::tlm_generic_payload request;
  request.set_command(command);
  request.set_address(address);
  request.set_data_ptr(data);
  request.set_data_length(static_cast<unsigned int>(length_bytes));
  return socket->transport_dbg(request);
}

uint64_t MemoryPort::debug_read(uint64_t address, void* data, uint64_t length_bytes) {
  return debug_transport(tlm::TLM_READ_COMMAND, address, static_cast<uint8_t*>(data), length_bytes);
}

uint64_t MemoryPort::debug_write(uint64_t address, const void* data, uint64_t length_bytes) {
  return debug_transport(tlm::TLM_WRITE_COMMAND, address,
                         const_cast<uint8_t*>(static_cast<const uint8_t*>(data)), length_bytes);
}

tlm::tlm_sync_enum MemoryPort::nb_transport_bw(tlm::tlm_generic_payload&, tlm::tlm_phase&,
                                               sc_core::sc_time&) {
  // Only blocking transport is issued, so no backward call is ever owed.
  return tlm::TLM_COMPLETED;
}

uint8_t* MemoryPort::dmi_pointer(uint64_t address, uint64_t length_bytes) {
  if (!dmi_enabled_) return nullptr;
  const DmiRegion* region = find_dmi(address, length_bytes, true);
  if (region == nullptr) {
    request_dmi(address);
    region = find_dmi(address, length_bytes, true);
  }
  if (region == nullptr || !region->readable) return nullptr;
  return region->pointer + (address - region->start);
}

void MemoryPort::invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end) {
  ++dmi_invalidations_;
  std::erase_if(dmi_regions_, [&](const DmiRegion& region) {
    return region.start <= end && start <= region.end;
  });
}

}  // namespace zxvp
