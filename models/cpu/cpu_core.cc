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
                             "transactions (a power of two, at most 64 lines a page)",
                             64, 4096});
  binding.field("register_bytes", register_bytes,
                UnsignedSpec{"bytes",
                             "widest load or store: the size of uncached transactions "
                             "(a power of two)",
                             1, 64});
  binding.field("outstanding_lines", outstanding_lines,
                UnsignedSpec{"lines",
                             "lines of loads a copy may have in flight before the core waits for "
                             "the oldest (its load queue)",
                             1, 1 << 20});
  binding.field("write_streaming", write_streaming,
                BoolSpec{"stores that write whole lines (a copy's) allocate them without reading "
                         "them first (no read-for-ownership)"});
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

Ticks CpuCore::run_for_caller(Ticks start, const std::function<void()>& work) {
  core_.lock();
  resume();
  quantum_.advance_to(start);
  work();
  flush_pending();
  busy_until_ = now();
  horizon_known_ = false;
  core_.unlock();
  return busy_until_;
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
  quantum_.advance_to(busy_until_);
  horizon_known_ = false;
}

void CpuCore::defer_move(uint64_t source, uint64_t destination, uint64_t length_bytes) {
  constexpr uint64_t kLongestRun = uint64_t{64} * 1024;
  // Beyond a host core's private caches (1 MiB of L2 on the project's machine, where streaming
  // copies 64 KiB runs at 22 GB/s against memmove's 14 from 1 MiB up).
  constexpr uint64_t kStreamingAfterBytes = uint64_t{1} << 20;
  MoveStreak& streak = move_streak_;
  // One side is enough: a user buffer's pages are interleaved with the page tables that map them.
  const bool continues = source == streak.source_end || destination == streak.destination_end;
  streak = {source + length_bytes, destination + length_bytes,
            (continues ? streak.length_bytes : 0) + length_bytes};
  const MemoryPort::HostStores stores = streak.length_bytes > kStreamingAfterBytes
                                            ? MemoryPort::HostStores::streaming
                                            : MemoryPort::HostStores::cached;
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
    run.stores = stores;
    return;
  }
  // The ranges were just charged as cached accesses, so they are memory: moving cannot fail.
  // Without DMI the bytes go by debug transport, one access a piece as before.
  flush_pending();
  if (!data_port.dmi_enabled()) {
    data_port.move_within(source, destination, length_bytes);
    return;
  }
  run = {source, destination, length_bytes, stores};
}

void CpuCore::flush_pending() {
  if (pending_zero_.length_bytes != 0) {
    data_port.zero(pending_zero_.address, pending_zero_.length_bytes);
    pending_zero_.length_bytes = 0;
  }
  if (pending_move_.length_bytes != 0) {
    data_port.move_within(pending_move_.source, pending_move_.destination,
                          pending_move_.length_bytes, pending_move_.stores);
    pending_move_.length_bytes = 0;
  }
}

LineRequest CpuCore::line_request(LineAccess access, uint64_t physical_address,
                                  uint64_t length_bytes, Arrivals arrivals,
                                  bool whole_lines_without_fill) const {
  return page_lines(access, physical_address, length_bytes, config_.line_bytes, arrivals,
                    whole_lines_without_fill);
}

LineResult CpuCore::issue_loads(uint64_t physical_address, uint64_t length_bytes) {
  const LineRequest request =
      line_request(LineAccess::read, physical_address, length_bytes, {now(), 0, 0}, false);
  const uint64_t lines = request.arrivals.count;
  // Room in the load queue: the oldest loads leave when they complete.
  size_t oldest = 0;
  while (oldest < loads_in_flight_.size() &&
         (loads_in_flight_[oldest].done <= now() ||
          lines_in_flight_ + lines > config_.outstanding_lines)) {
    quantum_.advance_to(loads_in_flight_[oldest].done);
    lines_in_flight_ -= loads_in_flight_[oldest].lines;
    ++oldest;
  }
  loads_in_flight_.erase(loads_in_flight_.begin(),
                         loads_in_flight_.begin() + static_cast<ptrdiff_t>(oldest));
  LineRequest issued = request;
  issued.arrivals.first = now();
  const LineResult loaded = data_path_->lines(issued);
  if (loaded.status == tlm::TLM_OK_RESPONSE) {
    loads_in_flight_.push_back({loaded.done.last, lines});
    lines_in_flight_ += lines;
  }
  return loaded;
}

LineResult CpuCore::issue_stores(uint64_t physical_address, uint64_t length_bytes,
                                 const Arrivals& arrivals, bool whole_lines_without_fill) {
  const LineResult stored = data_path_->lines(line_request(
      LineAccess::write, physical_address, length_bytes, arrivals, whole_lines_without_fill));
  if (stored.status == tlm::TLM_OK_RESPONSE)
    stores_done_ = std::max(stores_done_, stored.done.last);
  return stored;
}

Ticks CpuCore::memory_done() const {
  Ticks done = stores_done_;
  for (const LoadsInFlight& loads : loads_in_flight_)
    done = std::max(done, loads.done);
  return done;
}

uint64_t CpuCore::memory_done_cycles() const {
  return clock_.cycles_in_ticks(std::max(memory_done(), now()));
}

void CpuCore::drain() {
  if (loads_in_flight_.empty() && stores_done_ <= now()) return;
  const Ticks done = memory_done();
  loads_in_flight_.clear();
  lines_in_flight_ = 0;
  quantum_.advance_to(done);
  maybe_sync();
}

tlm::tlm_response_status CpuCore::cached_access(tlm::tlm_command command, uint64_t physical_address,
                                                uint8_t* data, uint64_t length_bytes) {
  if (command == tlm::TLM_READ_COMMAND) {
    const LineResult loaded = data_path_->lines(
        line_request(LineAccess::read, physical_address, length_bytes, {now(), 0, 0}, false));
    if (loaded.status != tlm::TLM_OK_RESPONSE) return loaded.status;
    quantum_.advance_to(loaded.done.last);
  } else {
    const LineResult stored =
        issue_stores(physical_address, length_bytes, {now(), 0, 0}, config_.write_streaming);
    if (stored.status != tlm::TLM_OK_RESPONSE) return stored.status;
  }
  return data_path_->functional(command, physical_address, data, length_bytes);
}

tlm::tlm_response_status CpuCore::uncached_access(tlm::tlm_command command,
                                                  uint64_t physical_address, uint8_t* data,
                                                  uint64_t length_bytes, MemoryType memory_type) {
  drain();
  Ticks time = now();
  const auto status =
      data_path_->access_uncached(command, physical_address, data, length_bytes, memory_type, time);
  quantum_.advance_to(time);
  return status;
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
    Ticks time = now();
    Translation translation = mmu_.translate(address, type, privilege, time);
    quantum_.advance_to(time);
    if (!translation.ok() && fault_handler_) {
      const bool repaired = fault_handler_(address, type, translation.fault);
      if (repaired) {
        time = now();
        translation = mmu_.translate(address, type, privilege, time);
        quantum_.advance_to(time);
      }
    }
    if (!translation.ok()) {
      translation_faults_.add();
      result.fault = translation.fault;
      result.fault_address = address;
      break;
    }
    uint8_t* bytes = data + result.bytes_done;
    result.bus_status = translation.memory_type == MemoryType::cached
                            ? cached_access(command, translation.physical_address, bytes, chunk)
                            : uncached_access(command, translation.physical_address, bytes, chunk,
                                              translation.memory_type);
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

tlm::tlm_response_status CpuCore::physical_access(tlm::tlm_command command,
                                                  uint64_t physical_address, uint8_t* data,
                                                  uint64_t length_bytes, MemoryType memory_type) {
  flush_pending();
  tlm::tlm_response_status status = tlm::TLM_OK_RESPONSE;
  for (uint64_t done = 0; done < length_bytes && status == tlm::TLM_OK_RESPONSE;) {
    const uint64_t address = physical_address + done;
    const uint64_t piece =
        std::min(length_bytes - done, DataPath::kPageBytes - (address % DataPath::kPageBytes));
    status = memory_type == MemoryType::cached
                 ? cached_access(command, address, data + done, piece)
                 : uncached_access(command, address, data + done, piece, memory_type);
    done += piece;
  }
  maybe_sync();
  return status;
}

tlm::tlm_response_status CpuCore::physical_read(uint64_t physical_address, void* data,
                                                uint64_t length_bytes, MemoryType memory_type) {
  return physical_access(tlm::TLM_READ_COMMAND, physical_address, static_cast<uint8_t*>(data),
                         length_bytes, memory_type);
}

tlm::tlm_response_status CpuCore::physical_write(uint64_t physical_address, const void* data,
                                                 uint64_t length_bytes, MemoryType memory_type) {
  // The data pointer of a write is never written through.
  return physical_access(tlm::TLM_WRITE_COMMAND, physical_address,
                         const_cast<uint8_t*>(static_cast<const uint8_t*>(data)), length_bytes,
                         memory_type);
}

tlm::tlm_response_status CpuCore::physical_zero(uint64_t physical_address, uint64_t length_bytes) {
  flush_pending();
  for (uint64_t done = 0; done < length_bytes;) {
    const uint64_t address = physical_address + done;
    const uint64_t piece =
        std::min(length_bytes - done, DataPath::kPageBytes - (address % DataPath::kPageBytes));
    // Whole lines are zeroed in place without a fill (DC ZVA), whatever write_streaming says.
    const LineResult zeroed = issue_stores(address, piece, {now(), 0, 0}, true);
    if (zeroed.status != tlm::TLM_OK_RESPONSE) return zeroed.status;
    done += piece;
  }
  // Without DMI the bytes go by debug transport, one access a piece as before.
  pending_zero_ = {physical_address, length_bytes};
  if (!data_port.dmi_enabled()) flush_pending();
  maybe_sync();
  return tlm::TLM_OK_RESPONSE;
}

tlm::tlm_response_status CpuCore::copy_physical(uint64_t source, uint64_t destination,
                                                uint64_t length_bytes, MemoryType source_type,
                                                MemoryType destination_type) {
  tlm::tlm_response_status status = tlm::TLM_OK_RESPONSE;
  if (source_type == MemoryType::cached && destination_type == MemoryType::cached) {
    // The data path times the loads and the stores (each store waits for its load's data); the
    // bytes move once, as memmove (the loads see the bytes before any store).
    for (uint64_t done = 0; done < length_bytes && status == tlm::TLM_OK_RESPONSE;) {
      const uint64_t from = source + done;
      const uint64_t to = destination + done;
      const uint64_t piece =
          std::min({length_bytes - done, DataPath::kPageBytes - (from % DataPath::kPageBytes),
                    DataPath::kPageBytes - (to % DataPath::kPageBytes)});
      const LineResult loaded = issue_loads(from, piece);
      status = loaded.status;
      if (status == tlm::TLM_OK_RESPONSE) {
        const uint64_t store_lines =
            line_request(LineAccess::write, to, piece, {}, false).arrivals.count;
        status =
            issue_stores(to, piece, loaded.done.as_arrivals(store_lines), config_.write_streaming)
                .status;
      }
      if (status == tlm::TLM_OK_RESPONSE) defer_move(from, to, piece);
      done += piece;
    }
  } else {
    flush_pending();
    if (bounce_.size() < length_bytes) bounce_.resize(length_bytes);
    status = physical_read(source, bounce_.data(), length_bytes, source_type);
    if (status == tlm::TLM_OK_RESPONSE) {
      status = physical_write(destination, bounce_.data(), length_bytes, destination_type);
    }
  }
  maybe_sync();
  return status;
}

void CpuCore::maintain_caches(CacheMaintenance operation, uint64_t physical_address,
                              uint64_t length_bytes) {
  drain();
  quantum_.advance_to(data_path_->maintain(operation, physical_address, length_bytes, now()));
  maybe_sync();
}

Translation CpuCore::translate(uint64_t virtual_address, AccessType access, Privilege privilege) {
  Ticks time = now();
  const Translation translation = mmu_.translate(virtual_address, access, privilege, time);
  quantum_.advance_to(time);
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
  drain();
  add_time(clock_.cycles(config_.trap_exit_cycles));
}

void CpuCore::compute(uint64_t cycles) {
  // Software's instructions retire in order behind the loads and stores issued before them: a
  // few hundred of them fill the reorder buffer, so their work does not hide memory time.
  drain();
  add_time(clock_.cycles(cycles));
}

void CpuCore::compute_beside_memory(uint64_t cycles) {
  add_time(clock_.cycles(cycles));
}

void CpuCore::wait_for_interrupt(size_t line) {
  interrupts_waited_.add();
  drain();
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

void CpuCore::guest_advance(uint64_t cycles) {
  // The hart's instructions between its accesses: an in-order core goes on while its stores
  // drain (loads it waited for already), so the time just passes.
  if (cycles != 0) quantum_.inc(clock_.cycles(cycles));
}

CpuCore::GuestPage CpuCore::guest_translate(uint64_t virtual_address, AccessType access,
                                            uint64_t cycles_before) {
  flush_pending();
  guest_advance(cycles_before);
  Ticks time = now();
  GuestPage page;
  page.translation = mmu_.translate(virtual_address, access, Privilege::user, time);
  quantum_.advance_to(time);
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
  guest_advance(cycles_before);
  DataPath& path = fetch_path_ != nullptr ? *fetch_path_ : *data_path_;
  // The fetch waits for its line, as a load does.
  const LineResult fetched = path.lines(
      line_request(LineAccess::read, physical_address, length_bytes, {now(), 0, 0}, false));
  if (fetched.status == tlm::TLM_OK_RESPONSE) quantum_.advance_to(fetched.done.last);
  maybe_sync();
  return fetched.status;
}

tlm::tlm_response_status CpuCore::guest_charge(tlm::tlm_command command, uint64_t physical_address,
                                               uint64_t length_bytes, uint64_t cycles_before) {
  guest_advance(cycles_before);
  // The timing of cached_access(): a load waits for its data, a store is posted.
  tlm::tlm_response_status status = tlm::TLM_OK_RESPONSE;
  if (command == tlm::TLM_READ_COMMAND) {
    const LineResult loaded = data_path_->lines(
        line_request(LineAccess::read, physical_address, length_bytes, {now(), 0, 0}, false));
    status = loaded.status;
    if (status == tlm::TLM_OK_RESPONSE) quantum_.advance_to(loaded.done.last);
    loads_.add();
    load_bytes_.add(length_bytes);
  } else {
    status =
        issue_stores(physical_address, length_bytes, {now(), 0, 0}, config_.write_streaming).status;
    stores_.add();
    store_bytes_.add(length_bytes);
  }
  maybe_sync();
  return status;
}

tlm::tlm_response_status CpuCore::guest_access(tlm::tlm_command command, uint64_t physical_address,
                                               uint8_t* data, uint64_t length_bytes,
                                               MemoryType memory_type, uint64_t cycles_before) {
  flush_pending();
  guest_advance(cycles_before);
  const auto status = uncached_access(command, physical_address, data, length_bytes, memory_type);
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
