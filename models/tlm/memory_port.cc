#include "models/tlm/memory_port.h"

#include <algorithm>
#include <cstring>

namespace zxvp {

MemoryPort::MemoryPort(const char* socket_name, bool dmi_enabled)
    : socket(socket_name), dmi_enabled_(dmi_enabled) {
  socket.bind(*this);
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
    const DmiGrant& grant = region->grant;
    if (write) {
      std::memcpy(host, data, length_bytes);
      delay += grant.timing_valid ? grant.timing.write_time(length_bytes) : region->write_latency;
    } else {
      std::memcpy(data, host, length_bytes);
      delay += grant.timing_valid ? grant.timing.read_time(length_bytes) : region->read_latency;
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

sc_core::sc_time MemoryPort::blocks_time(const AccessTiming& timing, bool write, uint64_t address,
                                         uint64_t length_bytes, uint64_t block_bytes,
                                         uint64_t* transactions) {
  // Head block, whole blocks, tail block: each a transaction of its own.
  const uint64_t head = std::min(length_bytes, block_bytes - (address & (block_bytes - 1)));
  const sc_core::sc_time latency = write ? timing.write_latency : timing.read_latency;
  const uint64_t rest = length_bytes - head;
  const uint64_t whole_blocks = rest / block_bytes;
  const uint64_t tail = rest % block_bytes;
  *transactions = 1 + whole_blocks + (tail != 0 ? 1 : 0);
  uint64_t beats = timing.beats(head) + whole_blocks * timing.beats(block_bytes);
  if (tail != 0) beats += timing.beats(tail);
  return scaled(latency, *transactions) + scaled(timing.beat_period, beats);
}

tlm::tlm_response_status MemoryPort::copy_lines(uint64_t source, uint64_t destination,
                                                uint64_t length_bytes, uint64_t line_bytes,
                                                sc_core::sc_time& delay) {
  if (length_bytes == 0) return tlm::TLM_OK_RESPONSE;
  const DmiRegion* from = find_dmi(source, length_bytes, false);
  const DmiRegion* to = find_dmi(destination, length_bytes, true);
  if (from != nullptr && to != nullptr && from->grant.timing_valid && to->grant.timing_valid) {
    std::memmove(to->pointer + (destination - to->start), from->pointer + (source - from->start),
                 length_bytes);
    uint64_t reads = 0;
    uint64_t writes = 0;
    delay += blocks_time(from->grant.timing, false, source, length_bytes, line_bytes, &reads);
    delay += blocks_time(to->grant.timing, true, destination, length_bytes, line_bytes, &writes);
    from->grant.record(tlm::TLM_READ_COMMAND, length_bytes, reads);
    to->grant.record(tlm::TLM_WRITE_COMMAND, length_bytes, writes);
    return tlm::TLM_OK_RESPONSE;
  }
  if (bounce_.size() < length_bytes) bounce_.resize(length_bytes);
  const auto status = read_blocks(source, bounce_.data(), length_bytes, line_bytes, delay);
  if (status != tlm::TLM_OK_RESPONSE) return status;
  return write_blocks(destination, bounce_.data(), length_bytes, line_bytes, delay);
}

tlm::tlm_response_status MemoryPort::transport_blocks(tlm::tlm_command command, uint64_t address,
                                                      uint8_t* data, uint64_t length_bytes,
                                                      uint64_t block_bytes,
                                                      sc_core::sc_time& delay) {
  if (length_bytes == 0) return tlm::TLM_OK_RESPONSE;
  const bool write = command == tlm::TLM_WRITE_COMMAND;
  const uint64_t head = std::min(length_bytes, block_bytes - (address & (block_bytes - 1)));
  const DmiRegion* region = find_dmi(address, length_bytes, write);
  if (region == nullptr || !region->grant.timing_valid) {
    uint64_t done = 0;
    for (uint64_t chunk = head; done < length_bytes;
         done += chunk, chunk = std::min(block_bytes, length_bytes - done)) {
      const auto status = transport(command, address + done, data + done, chunk, delay);
      if (status != tlm::TLM_OK_RESPONSE) return status;
    }
    return tlm::TLM_OK_RESPONSE;
  }
  uint8_t* host = region->pointer + (address - region->start);
  if (write) {
    std::memcpy(host, data, length_bytes);
  } else {
    std::memcpy(data, host, length_bytes);
  }
  uint64_t transactions = 0;
  delay +=
      blocks_time(region->grant.timing, write, address, length_bytes, block_bytes, &transactions);
  region->grant.record(command, length_bytes, transactions);
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

MemoryPort::CopyResult MemoryPort::copy_blocks(uint64_t source, uint64_t destination,
                                               uint64_t length_bytes, uint64_t block_bytes,
                                               const sc_core::sc_time& block_overhead,
                                               sc_core::sc_time& delay) {
  CopyResult result;
  if (length_bytes == 0) return result;
  const DmiRegion* from = find_dmi(source, length_bytes, false);
  const DmiRegion* to = find_dmi(destination, length_bytes, true);
  const bool overlap = source < destination + length_bytes && destination < source + length_bytes;
  if (from != nullptr && to != nullptr && from->grant.timing_valid && to->grant.timing_valid &&
      !overlap) {
    std::memcpy(to->pointer + (destination - to->start), from->pointer + (source - from->start),
                length_bytes);
    const uint64_t whole_blocks = length_bytes / block_bytes;
    const uint64_t tail = length_bytes % block_bytes;
    const AccessTiming& read = from->grant.timing;
    const AccessTiming& write = to->grant.timing;
    const sc_core::sc_time per_block =
        read.read_time(block_bytes) + write.write_time(block_bytes) + block_overhead;
    delay += scaled(per_block, whole_blocks);
    if (tail != 0) delay += read.read_time(tail) + write.write_time(tail) + block_overhead;
    const uint64_t transactions = whole_blocks + (tail != 0 ? 1 : 0);
    from->grant.record(tlm::TLM_READ_COMMAND, length_bytes, transactions);
    to->grant.record(tlm::TLM_WRITE_COMMAND, length_bytes, transactions);
    result.bytes_done = length_bytes;
    return result;
  }
  if (bounce_.size() < block_bytes) bounce_.resize(block_bytes);
  while (result.bytes_done < length_bytes) {
    const uint64_t chunk = std::min(block_bytes, length_bytes - result.bytes_done);
    result.status =
        transport(tlm::TLM_READ_COMMAND, source + result.bytes_done, bounce_.data(), chunk, delay);
    if (result.status != tlm::TLM_OK_RESPONSE) return result;
    result.status = transport(tlm::TLM_WRITE_COMMAND, destination + result.bytes_done,
                              bounce_.data(), chunk, delay);
    if (result.status != tlm::TLM_OK_RESPONSE) {
      result.failed_on_write = true;
      return result;
    }
    delay += block_overhead;
    result.bytes_done += chunk;
  }
  return result;
}

tlm::tlm_response_status MemoryPort::charge(tlm::tlm_command command, uint64_t address,
                                            uint64_t length_bytes, sc_core::sc_time& delay) {
  const bool write = command == tlm::TLM_WRITE_COMMAND;
  if (const DmiRegion* region = find_dmi(address, length_bytes, write);
      region != nullptr && region->grant.timing_valid) {
    delay += write ? region->grant.timing.write_time(length_bytes)
                   : region->grant.timing.read_time(length_bytes);
    region->grant.record(command, length_bytes);
    return tlm::TLM_OK_RESPONSE;
  }
  if (scratch_.size() < length_bytes) scratch_.resize(length_bytes);
  if (write && debug_read(address, scratch_.data(), length_bytes) != length_bytes) {
    return tlm::TLM_ADDRESS_ERROR_RESPONSE;
  }
  return transport(command, address, scratch_.data(), length_bytes, delay);
}

tlm::tlm_response_status MemoryPort::charge_lines(tlm::tlm_command command, uint64_t address,
                                                  uint64_t line_count, uint64_t line_bytes,
                                                  sc_core::sc_time& delay) {
  const bool write = command == tlm::TLM_WRITE_COMMAND;
  if (const DmiRegion* region = find_dmi(address, line_count * line_bytes, write);
      region != nullptr && region->grant.timing_valid) {
    const sc_core::sc_time line_time = write ? region->grant.timing.write_time(line_bytes)
                                             : region->grant.timing.read_time(line_bytes);
    delay += scaled(line_time, line_count);
    region->grant.record(command, line_count * line_bytes, line_count);
    return tlm::TLM_OK_RESPONSE;
  }
  for (uint64_t line = 0; line < line_count; ++line) {
    const auto status = charge(command, address + line * line_bytes, line_bytes, delay);
    if (status != tlm::TLM_OK_RESPONSE) return status;
  }
  return tlm::TLM_OK_RESPONSE;
}

bool MemoryPort::charges_in_closed_form(uint64_t address, uint64_t length_bytes) const {
  const DmiRegion* readable = find_dmi(address, length_bytes, false);
  const DmiRegion* writable = find_dmi(address, length_bytes, true);
  return readable != nullptr && writable != nullptr && readable->grant.timing_valid &&
         writable->grant.timing_valid;
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
                                                 uint64_t length_bytes) {
  if (length_bytes == 0) return tlm::TLM_OK_RESPONSE;
  const DmiRegion* from = find_dmi(source, length_bytes, false);
  const DmiRegion* to = find_dmi(destination, length_bytes, true);
  if (from != nullptr && to != nullptr) {
    std::memmove(to->pointer + (destination - to->start), from->pointer + (source - from->start),
                 length_bytes);
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
