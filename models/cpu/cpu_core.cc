#include "models/cpu/cpu_core.h"

#include <bit>

#include "models/mmu/page_table_format.h"
#include "sim/params/config_error.h"

namespace zxvp {

void CpuConfig::bind(ParameterBinding& binding) {
  binding.field("clock_mhz", clock_mhz, UnsignedSpec{"MHz", "core clock", 1, 100'000});
  binding.field(
      "trap_entry_cycles", trap_entry_cycles,
      UnsignedSpec{"cycles", "cost of entering the kernel from a system call", 0, 1'000'000});
  binding.field(
      "trap_exit_cycles", trap_exit_cycles,
      UnsignedSpec{"cycles", "cost of returning from the kernel to user mode", 0, 1'000'000});
  binding.field("interrupt_latency_cycles", interrupt_latency_cycles,
                UnsignedSpec{"cycles",
                             "from an interrupt line rising to the waiting software "
                             "running again",
                             0, 1'000'000});
  binding.field("line_bytes", line_bytes,
                UnsignedSpec{"bytes",
                             "cache line: the size of the core's cached memory "
                             "transactions (a power of two)",
                             8, 4096});
  binding.field("register_bytes", register_bytes,
                UnsignedSpec{"bytes",
                             "widest load or store: the size of uncached transactions "
                             "(a power of two)",
                             1, 64});
}

CpuCore::CpuCore(const sc_core::sc_module_name& name, const CpuConfig& config, Mmu& mmu,
                 size_t interrupt_lines, bool dmi, StatisticsRegistry& statistics)
    : sc_module(name),
      data_port("data_socket", dmi),
      irq("irq", interrupt_lines),
      clock_(config.clock_mhz),
      config_(config),
      mmu_(mmu),
      bus_path_(data_port, config.line_bytes, config.register_bytes),
      data_path_(&bus_path_),
      core_("core"),
      loads_(statistics.counter(std::string(basename()) + ".loads", "user or kernel loads")),
      stores_(statistics.counter(std::string(basename()) + ".stores", "user or kernel stores")),
      load_bytes_(statistics.counter(std::string(basename()) + ".load_bytes", "bytes loaded")),
      store_bytes_(statistics.counter(std::string(basename()) + ".store_bytes", "bytes stored")),
      traps_(statistics.counter(std::string(basename()) + ".traps", "kernel entries")),
      translation_faults_(statistics.counter(std::string(basename()) + ".translation_faults",
                                             "loads and stores that took a translation fault")),
      interrupts_waited_(statistics.counter(std::string(basename()) + ".interrupts_waited",
                                            "waits for an interrupt line")) {
  if (!std::has_single_bit(config.line_bytes)) {
    throw ConfigError("cpu.line_bytes: " + std::to_string(config.line_bytes) +
                      " is not a power of two");
  }
  if (!std::has_single_bit(config.register_bytes)) {
    throw ConfigError("cpu.register_bytes: " + std::to_string(config.register_bytes) +
                      " is not a power of two");
  }
  quantum_.reset();
}

void CpuCore::start_thread(const std::string& name, std::function<void()> program) {
  sc_core::sc_spawn(
      [this, program = std::move(program)] {
        core_.lock();
        resume();
        program();
        sync();
        core_.unlock();
      },
      name.c_str());
}

void CpuCore::add_time(const sc_core::sc_time& time) {
  quantum_.inc(time);
  maybe_sync();
}

void CpuCore::maybe_sync() {
  // The quantum bounds how far the core runs ahead of the rest of the platform. While nothing
  // else is scheduled before the core's local time, nothing can observe the lag, and a
  // synchronisation would only cost host time (a context switch per quantum of a long copy).
  if (!quantum_.need_sync()) return;
  // Nothing else runs until the core yields, so only the core's own transactions (a device
  // register written) can schedule anything new: the horizon holds until one goes out.
  const uint64_t transports = data_port.transport_count() + mmu_.walker_port.transport_count();
  if (!horizon_known_ || transports != transports_at_horizon_) {
    horizon_ = sc_core::sc_time_to_pending_activity();
    transports_at_horizon_ = transports;
    horizon_known_ = true;
  }
  if (horizon_ <= quantum_.get_local_time()) sync();
}

void CpuCore::sync() {
  flush_pending();
  quantum_.sync();
  horizon_known_ = false;
}

void CpuCore::resume() {
  quantum_.reset();
  horizon_known_ = false;
}

void CpuCore::defer_move(uint64_t source, uint64_t destination, uint64_t length_bytes) {
  constexpr uint64_t kLongestRun = uint64_t{64} * 1024;
  if (pending_zero_.length_bytes != 0) {
    const PendingZero& zero = pending_zero_;
    const bool overwrites = destination <= zero.address &&
                            zero.address + zero.length_bytes <= destination + length_bytes;
    const bool reads_it =
        source < zero.address + zero.length_bytes && zero.address < source + length_bytes;
    if (overwrites && !reads_it) {
      pending_zero_.length_bytes = 0;  // every zero would be overwritten unread
    } else {
      flush_pending();
    }
  }
  PendingMove& run = pending_move_;
  const uint64_t joined = run.length_bytes + length_bytes;
  const bool extends = run.length_bytes != 0 && source == run.source + run.length_bytes &&
                       destination == run.destination + run.length_bytes && joined <= kLongestRun;
  // Moving the joined run at once is the same as moving its pieces in turn only when its source
  // and destination do not overlap.
  if (extends &&
      (run.source + joined <= run.destination || run.destination + joined <= run.source)) {
    run.length_bytes = joined;
    return;
  }
  // The ranges were just charged as cached accesses, so they are memory: moving cannot fail.
  // Without DMI the bytes go by debug transport, one access a piece as before.
  flush_pending();
  if (!data_port.dmi_enabled()) {
    data_port.move_within(source, destination, length_bytes);
    return;
  }
  run = {source, destination, length_bytes};
}

void CpuCore::flush_pending() {
  if (pending_zero_.length_bytes != 0) {
    data_port.zero(pending_zero_.address, pending_zero_.length_bytes);
    pending_zero_.length_bytes = 0;
  }
  if (pending_move_.length_bytes != 0) {
    data_port.move_within(pending_move_.source, pending_move_.destination,
                          pending_move_.length_bytes);
    pending_move_.length_bytes = 0;
  }
}

tlm::tlm_response_status CpuCore::data_access(tlm::tlm_command command, uint64_t physical_address,
                                              uint8_t* data, uint64_t length_bytes,
                                              MemoryType memory_type, sc_core::sc_time& delay) {
  return data_path_->access(command, physical_address, data, length_bytes, memory_type, delay);
}

MemoryAccess CpuCore::access(tlm::tlm_command command, uint64_t virtual_address, uint8_t* data,
                             uint64_t length_bytes, Privilege privilege) {
  flush_pending();
  const AccessType type = command == tlm::TLM_READ_COMMAND ? AccessType::read : AccessType::write;
  (type == AccessType::read ? loads_ : stores_).add();
  MemoryAccess result;
  while (result.bytes_done < length_bytes) {
    const uint64_t address = virtual_address + result.bytes_done;
    if (address < virtual_address) {  // wrapped past the top of the address space
      result.fault = Fault::address_size;
      result.fault_address = address;
      break;
    }
    const uint64_t page_room = page_table::kPageSize - (address & (page_table::kPageSize - 1));
    const uint64_t chunk = std::min(length_bytes - result.bytes_done, page_room);
    sc_core::sc_time delay = quantum_.get_local_time();
    Translation translation = mmu_.translate(address, type, privilege, delay);
    if (!translation.ok() && fault_handler_) {
      quantum_.set(delay);
      const bool repaired = fault_handler_(address, type, translation.fault);
      delay = quantum_.get_local_time();
      if (repaired) translation = mmu_.translate(address, type, privilege, delay);
    }
    if (!translation.ok()) {
      quantum_.set(delay);
      translation_faults_.add();
      result.fault = translation.fault;
      result.fault_address = address;
      break;
    }
    result.bus_status = data_access(command, translation.physical_address, data + result.bytes_done,
                                    chunk, translation.memory_type, delay);
    quantum_.set(delay);
    if (result.bus_status != tlm::TLM_OK_RESPONSE) {
      result.fault_address = address;
      break;
    }
    result.bytes_done += chunk;
    maybe_sync();
  }
  (type == AccessType::read ? load_bytes_ : store_bytes_).add(result.bytes_done);
  maybe_sync();
  return result;
}

MemoryAccess CpuCore::load(uint64_t virtual_address, void* data, uint64_t length_bytes,
                           Privilege privilege) {
  return access(tlm::TLM_READ_COMMAND, virtual_address, static_cast<uint8_t*>(data), length_bytes,
                privilege);
}

MemoryAccess CpuCore::store(uint64_t virtual_address, const void* data, uint64_t length_bytes,
                            Privilege privilege) {
  // The data pointer of a write is never written through.
  return access(tlm::TLM_WRITE_COMMAND, virtual_address,
                const_cast<uint8_t*>(static_cast<const uint8_t*>(data)), length_bytes, privilege);
}

tlm::tlm_response_status CpuCore::physical_read(uint64_t physical_address, void* data,
                                                uint64_t length_bytes, MemoryType memory_type) {
  flush_pending();
  sc_core::sc_time delay = quantum_.get_local_time();
  const auto status = data_access(tlm::TLM_READ_COMMAND, physical_address,
                                  static_cast<uint8_t*>(data), length_bytes, memory_type, delay);
  quantum_.set(delay);
  maybe_sync();
  return status;
}

tlm::tlm_response_status CpuCore::physical_write(uint64_t physical_address, const void* data,
                                                 uint64_t length_bytes, MemoryType memory_type) {
  flush_pending();
  sc_core::sc_time delay = quantum_.get_local_time();
  const auto status = data_access(tlm::TLM_WRITE_COMMAND, physical_address,
                                  const_cast<uint8_t*>(static_cast<const uint8_t*>(data)),
                                  length_bytes, memory_type, delay);
  quantum_.set(delay);
  maybe_sync();
  return status;
}

tlm::tlm_response_status CpuCore::physical_zero(uint64_t physical_address, uint64_t length_bytes) {
  flush_pending();
  sc_core::sc_time delay = quantum_.get_local_time();
  const auto status = data_path_->charge_zero(physical_address, length_bytes, delay);
  if (status == tlm::TLM_OK_RESPONSE) {
    // Without DMI the bytes go by debug transport, one access a piece as before.
    pending_zero_ = {physical_address, length_bytes};
    if (!data_port.dmi_enabled()) flush_pending();
  }
  quantum_.set(delay);
  maybe_sync();
  return status;
}

tlm::tlm_response_status CpuCore::copy_physical(uint64_t source, uint64_t destination,
                                                uint64_t length_bytes, MemoryType source_type,
                                                MemoryType destination_type) {
  sc_core::sc_time delay = quantum_.get_local_time();
  tlm::tlm_response_status status = tlm::TLM_OK_RESPONSE;
  if (data_path_ == &bus_path_ && source_type == MemoryType::cached &&
      destination_type == MemoryType::cached) {
    // No caches: the same line transactions as the loop below, with one host memmove.
    flush_pending();
    status = data_port.copy_lines(source, destination, length_bytes, config_.line_bytes, delay);
  } else if (source_type == MemoryType::cached && destination_type == MemoryType::cached) {
    // The caches time the loads and the stores; the bytes move once, as memmove (the loads see
    // the bytes before any store).
    status = data_path_->charge_cached(tlm::TLM_READ_COMMAND, source, length_bytes, delay);
    if (status == tlm::TLM_OK_RESPONSE) {
      status = data_path_->charge_cached(tlm::TLM_WRITE_COMMAND, destination, length_bytes, delay);
    }
    if (status == tlm::TLM_OK_RESPONSE) defer_move(source, destination, length_bytes);
  } else {
    flush_pending();
    if (bounce_.size() < length_bytes) bounce_.resize(length_bytes);
    status = data_path_->access(tlm::TLM_READ_COMMAND, source, bounce_.data(), length_bytes,
                                source_type, delay);
    if (status == tlm::TLM_OK_RESPONSE) {
      status = data_path_->access(tlm::TLM_WRITE_COMMAND, destination, bounce_.data(), length_bytes,
                                  destination_type, delay);
    }
  }
  quantum_.set(delay);
  maybe_sync();
  return status;
}

void CpuCore::maintain_caches(CacheMaintenance operation, uint64_t physical_address,
                              uint64_t length_bytes) {
  sc_core::sc_time delay = quantum_.get_local_time();
  data_path_->maintain(operation, physical_address, length_bytes, delay);
  quantum_.set(delay);
  maybe_sync();
}

Translation CpuCore::translate(uint64_t virtual_address, AccessType access, Privilege privilege) {
  sc_core::sc_time delay = quantum_.get_local_time();
  const Translation translation = mmu_.translate(virtual_address, access, privilege, delay);
  quantum_.set(delay);
  maybe_sync();
  return translation;
}

void CpuCore::set_address_space(uint64_t root_table_physical, uint16_t asid) {
  mmu_.set_address_space(root_table_physical, asid);
}

void CpuCore::trap_entry() {
  traps_.add();
  add_time(clock_.cycles(config_.trap_entry_cycles));
}

void CpuCore::trap_exit() {
  flush_pending();  // the call's bytes are in place when it returns
  add_time(clock_.cycles(config_.trap_exit_cycles));
}

void CpuCore::compute(uint64_t cycles) {
  add_time(clock_.cycles(cycles));
}

void CpuCore::wait_for_interrupt(size_t line) {
  interrupts_waited_.add();
  sync();
  if (!irq.at(line).read()) {
    core_.unlock();
    while (!irq[line].read())
      sc_core::wait(irq[line].value_changed_event());
    core_.lock();
    resume();
  }
  add_time(clock_.cycles(config_.interrupt_latency_cycles));
}

void CpuCore::guest_enter() {
  flush_pending();
}

CpuCore::GuestPage CpuCore::guest_translate(uint64_t virtual_address, AccessType access,
                                            uint64_t cycles_before) {
  flush_pending();
  sc_core::sc_time delay = quantum_.get_local_time() + clock_.cycles(cycles_before);
  GuestPage page;
  page.translation = mmu_.translate(virtual_address, access, Privilege::user, delay);
  quantum_.set(delay);
  if (!page.translation.ok()) {
    translation_faults_.add();
  } else if (page.translation.memory_type == MemoryType::cached) {
    const uint64_t page_address = page.translation.physical_address & ~(page_table::kPageSize - 1);
    page.host_page = data_port.dmi_pointer(page_address, page_table::kPageSize);
  }
  maybe_sync();
  return page;
}

tlm::tlm_response_status CpuCore::guest_fetch(uint64_t physical_address, uint64_t length_bytes,
                                              uint64_t cycles_before) {
  sc_core::sc_time delay = quantum_.get_local_time() + clock_.cycles(cycles_before);
  DataPath& path = fetch_path_ != nullptr ? *fetch_path_ : *data_path_;
  const auto status =
      path.charge_cached(tlm::TLM_READ_COMMAND, physical_address, length_bytes, delay);
  quantum_.set(delay);
  maybe_sync();
  return status;
}

tlm::tlm_response_status CpuCore::guest_charge(tlm::tlm_command command, uint64_t physical_address,
                                               uint64_t length_bytes, uint64_t cycles_before) {
  sc_core::sc_time delay = quantum_.get_local_time() + clock_.cycles(cycles_before);
  const auto status = data_path_->charge_cached(command, physical_address, length_bytes, delay);
  quantum_.set(delay);
  (command == tlm::TLM_READ_COMMAND ? loads_ : stores_).add();
  (command == tlm::TLM_READ_COMMAND ? load_bytes_ : store_bytes_).add(length_bytes);
  maybe_sync();
  return status;
}

tlm::tlm_response_status CpuCore::guest_access(tlm::tlm_command command, uint64_t physical_address,
                                               uint8_t* data, uint64_t length_bytes,
                                               MemoryType memory_type, uint64_t cycles_before) {
  flush_pending();
  sc_core::sc_time delay = quantum_.get_local_time() + clock_.cycles(cycles_before);
  const auto status =
      data_access(command, physical_address, data, length_bytes, memory_type, delay);
  quantum_.set(delay);
  (command == tlm::TLM_READ_COMMAND ? loads_ : stores_).add();
  (command == tlm::TLM_READ_COMMAND ? load_bytes_ : store_bytes_).add(length_bytes);
  maybe_sync();
  return status;
}

tlm::tlm_response_status CpuCore::guest_move(tlm::tlm_command command, uint64_t physical_address,
                                             uint8_t* data, uint64_t length_bytes) {
  flush_pending();
  return data_path_->functional(command, physical_address, data, length_bytes);
}

tlm::tlm_response_status CpuCore::guest_read_code(uint64_t physical_address, uint8_t* data,
                                                  uint64_t length_bytes) {
  flush_pending();
  DataPath& path = fetch_path_ != nullptr ? *fetch_path_ : *data_path_;
  return path.functional(tlm::TLM_READ_COMMAND, physical_address, data, length_bytes);
}

}  // namespace zxvp
