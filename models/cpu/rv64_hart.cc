#include "models/cpu/rv64_hart.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>
#include <type_traits>
#include <utility>

#include "models/cpu/rv64_decoder.h"
#include "sim/params/config_error.h"

namespace zxvp {

namespace {

constexpr int64_t kCsrCycle = 0xc00;
constexpr int64_t kCsrTime = 0xc01;
constexpr int64_t kCsrInstret = 0xc02;

constexpr uint64_t sign_extend_word(uint64_t value) {
  return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(value)));
}

}  // namespace

void Rv64HartConfig::bind(ParameterBinding& binding) {
  binding.field("base_cycles", base_cycles,
                UnsignedSpec{"cycles", "cycles of every guest instruction", 1, 1000});
  binding.field("multiply_cycles", multiply_cycles,
                UnsignedSpec{"cycles", "cycles a multiply adds to the base", 0, 10'000});
  binding.field("divide_cycles", divide_cycles,
                UnsignedSpec{"cycles", "cycles a divide or remainder adds to the base", 0, 10'000});
  binding.field("taken_branch_cycles", taken_branch_cycles,
                UnsignedSpec{"cycles", "cycles a taken conditional branch adds", 0, 10'000});
  binding.field("load_use_cycles", load_use_cycles,
                UnsignedSpec{"cycles",
                             "cycles an instruction waits for the load just before it that "
                             "gives one of its operands",
                             0, 10'000});
  binding.field("data_tlb_entries", data_tlb_entries,
                UnsignedSpec{"entries",
                             "the hart's data TLB in front of the MMU's (direct-mapped, a "
                             "power of two)",
                             1, 4096});
  binding.field("fetch_tlb_entries", fetch_tlb_entries,
                UnsignedSpec{"entries",
                             "the hart's instruction TLB in front of the MMU's (direct-mapped, "
                             "a power of two)",
                             1, 4096});
}

std::string_view hart_stop_name(HartStop stop) {
  switch (stop) {
    case HartStop::ecall:
      return "ecall";
    case HartStop::page_fault:
      return "page fault";
    case HartStop::breakpoint:
      return "breakpoint (ebreak)";
    case HartStop::illegal_instruction:
      return "illegal instruction";
    case HartStop::misaligned:
      return "misaligned atomic access";
    case HartStop::bus_error:
      return "bus error";
    case HartStop::budget:
      return "instruction budget spent";
    case HartStop::debug:
      return "debugger stop";
  }
  return "unknown";
}

Rv64Hart::Rv64Hart(const std::string& name, CpuCore& core, const Rv64HartConfig& config,
                   StatisticsRegistry& statistics)
    : core_(core),
      config_(config),
      line_shift_(static_cast<unsigned>(std::countr_zero(core.line_bytes()))),
      instructions_(statistics.counter(name + ".instructions", "guest instructions retired")),
      fetch_tlb_misses_(statistics.counter(name + ".fetch_tlb_misses",
                                           "fetches that asked the MMU for a translation")),
      data_tlb_misses_(
          statistics.counter(name + ".data_tlb_misses", "loads and stores that asked the MMU")),
      decoded_(statistics.counter(name + ".decoded", "instructions decoded (once per slot)")),
      code_drops_(statistics.counter(name + ".code_drops",
                                     "pages of decoded code dropped (written, fence.i)")),
      fetch_lines_(statistics.counter(name + ".fetch_lines",
                                      "instruction fetches charged (a line entered)")),
      line_buffer_hits_(statistics.counter(name + ".line_buffer_hits",
                                           "loads and stores within the line of the last load "
                                           "or store (no cache access)")) {
  for (const auto& [key, entries] :
       {std::pair{"hart.data_tlb_entries", config.data_tlb_entries},
        std::pair{"hart.fetch_tlb_entries", config.fetch_tlb_entries}}) {
    if (!std::has_single_bit(entries)) {
      throw ConfigError(std::string(key) + ": " + std::to_string(entries) +
                        " is not a power of two");
    }
  }
  data_tlb_.resize(config.data_tlb_entries);
  fetch_tlb_.resize(config.fetch_tlb_entries);
  data_tlb_shift_ = 64 - static_cast<unsigned>(std::countr_zero(config.data_tlb_entries));
  fetch_tlb_shift_ = 64 - static_cast<unsigned>(std::countr_zero(config.fetch_tlb_entries));
}

Rv64Hart::~Rv64Hart() = default;

void Rv64Hart::reset(uint64_t entry) {
  publish_statistics();
  x_.fill(0);
  pc_ = entry;
  instret_ = 0;
  published_instret_ = 0;
  pending_cycles_ = 0;
  load_destination_ = 0;
  fetch_lines_held_ = {kNoPage, kNoPage};
  reservation_ = {};
  stop_fetched_ = false;
  flush_tlbs();
  code_pages_.clear();
  code_page_filter_ = 0;
  clear_debug();
  poll_every(0);
}

void Rv64Hart::flush_tlbs() {
  std::fill(data_tlb_.begin(), data_tlb_.end(), DataEntry{});
  std::fill(fetch_tlb_.begin(), fetch_tlb_.end(), FetchEntry{});
  code_vpn_ = kNoPage;
  code_ = nullptr;
  other_code_vpn_ = kNoPage;
  other_code_ = nullptr;
  forget_data_lines();
}

void Rv64Hart::enter() {
  core_.guest_enter();
  const Mmu& mmu = core_.mmu();
  if (mmu.invalidation_generation() != mmu_generation_ || mmu.root_table() != root_table_ ||
      mmu.asid() != asid_) {
    mmu_generation_ = mmu.invalidation_generation();
    root_table_ = mmu.root_table();
    asid_ = mmu.asid();
    flush_tlbs();
  }
  if (core_.data_port.dmi_invalidations() != dmi_generation_) {
    // Host pointers went stale; decoded code did not, but its pages must find their bytes anew.
    dmi_generation_ = core_.data_port.dmi_invalidations();
    flush_tlbs();
    code_pages_.clear();
    code_page_filter_ = 0;
  }
}

void Rv64Hart::publish_statistics() {
  instructions_.add(instret_ - published_instret_);
  published_instret_ = instret_;
  fetch_tlb_misses_.add(tally_.fetch_tlb_misses - published_.fetch_tlb_misses);
  data_tlb_misses_.add(tally_.data_tlb_misses - published_.data_tlb_misses);
  decoded_.add(tally_.decoded - published_.decoded);
  code_drops_.add(tally_.code_drops - published_.code_drops);
  fetch_lines_.add(tally_.fetch_lines - published_.fetch_lines);
  line_buffer_hits_.add(tally_.line_buffer_hits - published_.line_buffer_hits);
  published_ = tally_;
}

void Rv64Hart::charge_pending_cycles() {
  core_.compute(pending_cycles_);
  pending_cycles_ = 0;
}

HartStop Rv64Hart::stop(HartStop reason, const Rv64Instruction* instruction) {
  stop_fetched_ = instruction != nullptr;
  if (instruction != nullptr) stop_instruction_ = *instruction;
  // Software runs now: the time of the instructions so far is the core's. A system call ends a
  // reservation (the kernel may write anything); a page fault does not (the kernel writes no
  // user byte to serve it, and an LR/SC loop on a page that faults once must not fail forever).
  core_.compute(pending_cycles_);
  pending_cycles_ = 0;
  if (reason != HartStop::page_fault) reservation_ = {};
  // Software may evict any line from the caches: the line buffers start over.
  forget_data_lines();
  // Counts go to the registry when the program's software has its say, not at every call.
  if (reason != HartStop::ecall) publish_statistics();
  return reason;
}

void Rv64Hart::complete_ecall(uint64_t result) {
  x_[10] = result;
  pc_ += 4;
  ++instret_;
  load_destination_ = 0;
}

void Rv64Hart::invalidate_code(uint64_t physical_address, uint64_t length_bytes) {
  if (code_pages_.empty() || length_bytes == 0) return;
  const uint64_t first = physical_address & ~kPageMask;
  const uint64_t last = (physical_address + length_bytes - 1) & ~kPageMask;
  for (uint64_t page = first; page <= last; page += kPageSize) {
    if ((code_page_filter_ & filter_bit(page)) == 0) continue;  // surely no code there
    const auto it = code_pages_.find(page);
    if (it != code_pages_.end() && it->second->live) drop_code(*it->second);
  }
}

void Rv64Hart::drop_code(CodePage& page) {
  std::fill(page.slots.begin(), page.slots.end(), Rv64Instruction{});
  page.live = false;
  ++tally_.code_drops;
}

// --- Fetch ---

Rv64Hart::CodePage* Rv64Hart::code_page(uint64_t physical_page, uint8_t* host) {
  auto& page = code_pages_[physical_page];
  if (!page) {
    page = std::make_unique<CodePage>();
    page->physical_page = physical_page;
    code_page_filter_ |= filter_bit(physical_page);
  }
  page->host = host;
  return page.get();
}

bool Rv64Hart::enter_code_page() {
  const uint64_t vpn = pc_ >> kPageShift;
  FetchEntry& entry = fetch_tlb_[slot(vpn, fetch_tlb_shift_)];
  if (entry.tag != vpn) {
    ++tally_.fetch_tlb_misses;
    const CpuCore::GuestPage page =
        core_.guest_translate(pc_, AccessType::execute, pending_cycles_);
    pending_cycles_ = 0;
    if (!page.translation.ok()) {
      fault_ = {pc_, AccessType::execute, page.translation.fault};
      return false;
    }
    entry.tag = vpn;
    entry.code = code_page(page.translation.physical_address & ~kPageMask, page.host_page);
  }
  code_ = entry.code;
  code_vpn_ = vpn;
  return true;
}

uint16_t Rv64Hart::code_parcel(const CodePage& page, uint64_t offset) {
  uint16_t parcel = 0;
  if (page.host != nullptr) {
    std::memcpy(&parcel, page.host + offset, sizeof parcel);
  } else {
    uint8_t bytes[2] = {};
    core_.guest_read_code(page.physical_page + offset, bytes, sizeof bytes);
    parcel = static_cast<uint16_t>(bytes[0] | bytes[1] << 8);
  }
  return parcel;
}

void Rv64Hart::finish_decode(Rv64Instruction& instruction) const {
  uint64_t cost = config_.base_cycles;
  switch (rv64_op_info(instruction.op).timing) {
    case Rv64Timing::multiply:
      cost += config_.multiply_cycles;
      break;
    case Rv64Timing::divide:
      cost += config_.divide_cycles;
      break;
    default:
      break;
  }
  instruction.cost_cycles = static_cast<uint16_t>(std::min<uint64_t>(cost, UINT16_MAX));
}

const Rv64Instruction* Rv64Hart::decode_at_pc(Rv64Instruction* slot, Rv64Instruction* straddling) {
  const uint64_t offset = pc_ & kPageMask;
  const uint16_t first = code_parcel(*code_, offset);
  uint32_t raw = first;
  if (rv64_instruction_length(first) == 4) {
    if (offset + 2 == kPageSize) {
      // The second half is on the next page: translated (and charged) every time, never kept,
      // since that page may change on its own.
      const uint64_t next = pc_ + 2;
      const CpuCore::GuestPage page =
          core_.guest_translate(next, AccessType::execute, pending_cycles_);
      pending_cycles_ = 0;
      if (!page.translation.ok()) {
        fault_ = {next, AccessType::execute, page.translation.fault};
        return nullptr;
      }
      CodePage next_page;
      next_page.physical_page = page.translation.physical_address & ~kPageMask;
      next_page.host = page.host_page;
      raw |= uint32_t{code_parcel(next_page, 0)} << 16;
      *straddling = rv64_decode(raw);
      finish_decode(*straddling);
      const uint64_t first_line = pc_ >> line_shift_;
      const uint64_t last_line = next >> line_shift_;
      if (!fetch_lines(first_line, first_line, code_->physical_page) ||
          !fetch_lines(last_line, last_line, next_page.physical_page)) {
        return nullptr;
      }
      return straddling;
    }
    raw |= uint32_t{code_parcel(*code_, offset + 2)} << 16;
  }
  *slot = rv64_decode(raw);
  finish_decode(*slot);
  ++tally_.decoded;
  if (!code_->live) {
    // The page holds code from now on: stores to it must go the slow way, which drops it.
    code_->live = true;
    for (DataEntry& entry : data_tlb_) {
      if (entry.physical_page == code_->physical_page) entry.flags &= ~kHostStore;
    }
  }
  return slot;
}

bool Rv64Hart::fetch_lines(uint64_t first_line, uint64_t last_line, uint64_t physical_page) {
  for (uint64_t line = first_line; line <= last_line; ++line) {
    if (line == fetch_lines_held_[0]) continue;
    // The other line held: a loop across a line boundary runs from the two buffers.
    if (line == fetch_lines_held_[1]) {
      std::swap(fetch_lines_held_[0], fetch_lines_held_[1]);
      continue;
    }
    fetch_lines_held_[1] = fetch_lines_held_[0];
    fetch_lines_held_[0] = line;
    const uint64_t physical = physical_page | ((line << line_shift_) & kPageMask);
    ++tally_.fetch_lines;
    // A fetch through a unified L1 may push the buffered data lines out of it.
    if (core_.fetches_through_data_path()) forget_data_lines();
    const auto status = core_.guest_fetch(physical, 1, pending_cycles_);
    pending_cycles_ = 0;
    if (status != tlm::TLM_OK_RESPONSE) {
      fault_ = {line << line_shift_, AccessType::execute, Fault::none};
      return false;
    }
  }
  return true;
}

// --- Data ---

Rv64Hart::DataEntry* Rv64Hart::data_entry(uint64_t address, uint8_t permission) {
  const uint64_t vpn = address >> kPageShift;
  DataEntry& entry = data_tlb_[slot(vpn, data_tlb_shift_)];
  if (entry.tag == vpn && (entry.flags & permission) != 0) return &entry;
  ++tally_.data_tlb_misses;
  const AccessType access = permission == kWritable ? AccessType::write : AccessType::read;
  const CpuCore::GuestPage page = core_.guest_translate(address, access, pending_cycles_);
  pending_cycles_ = 0;
  if (!page.translation.ok()) {
    fault_ = {address, access, page.translation.fault};
    return nullptr;
  }
  const uint64_t physical_page = page.translation.physical_address & ~kPageMask;
  if (entry.tag != vpn || entry.physical_page != physical_page) {
    entry = DataEntry{vpn, physical_page, page.host_page, page.translation.memory_type, 0};
  }
  entry.flags |= permission;
  if (entry.host != nullptr) {
    if ((entry.flags & kReadable) != 0) entry.flags |= kHostLoad;
    const auto code = code_pages_.find(physical_page);
    if ((entry.flags & kWritable) != 0 && (code == code_pages_.end() || !code->second->live)) {
      entry.flags |= kHostStore;
    }
  }
  return &entry;
}

inline bool Rv64Hart::charge_data(tlm::tlm_command command, uint64_t physical, unsigned length) {
  const uint64_t line = physical >> line_shift_;
  const uint64_t last_line = (physical + length - 1) >> line_shift_;
  const bool read = command == tlm::TLM_READ_COMMAND;
  // Within a line a load buffer or the store buffer holds, a load is part of that line's access;
  // within the store buffer's line, so is a store (see the class comment).
  if (line == last_line &&
      (line == store_line_ || (read && (line == load_lines_[0] || line == load_lines_[1])))) {
    ++tally_.line_buffer_hits;
    return true;
  }
  const auto status = core_.guest_charge(command, physical, length, pending_cycles_);
  pending_cycles_ = 0;
  if (read) {
    load_lines_[1] = load_lines_[0];
    load_lines_[0] = last_line;
  } else {
    store_line_ = last_line;
  }
  return status == tlm::TLM_OK_RESPONSE;
}

template <typename T>
inline bool Rv64Hart::load(uint64_t address, T* value) {
  const uint64_t vpn = address >> kPageShift;
  const uint64_t offset = address & kPageMask;
  const DataEntry& entry = data_tlb_[slot(vpn, data_tlb_shift_)];
  if (entry.tag == vpn && (entry.flags & kHostLoad) != 0 && offset + sizeof(T) <= kPageSize)
      [[likely]] {
    if (!charge_data(tlm::TLM_READ_COMMAND, entry.physical_page | offset, sizeof(T))) {
      fault_ = {address, AccessType::read, Fault::none};
      return false;
    }
    std::memcpy(value, entry.host + offset, sizeof(T));
    return true;
  }
  uint8_t bytes[sizeof(T)];
  if (!load_slow(address, bytes, sizeof(T))) return false;
  std::memcpy(value, bytes, sizeof(T));
  return true;
}

template <typename T>
inline bool Rv64Hart::store(uint64_t address, T value) {
  const uint64_t vpn = address >> kPageShift;
  const uint64_t offset = address & kPageMask;
  const DataEntry& entry = data_tlb_[slot(vpn, data_tlb_shift_)];
  if (entry.tag == vpn && (entry.flags & kHostStore) != 0 && offset + sizeof(T) <= kPageSize)
      [[likely]] {
    if (!charge_data(tlm::TLM_WRITE_COMMAND, entry.physical_page | offset, sizeof(T))) {
      fault_ = {address, AccessType::write, Fault::none};
      return false;
    }
    std::memcpy(entry.host + offset, &value, sizeof(T));
    return true;
  }
  uint8_t bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));
  return store_slow(address, bytes, sizeof(T));
}

bool Rv64Hart::load_slow(uint64_t address, uint8_t* data, unsigned length) {
  const unsigned first_part =
      static_cast<unsigned>(std::min<uint64_t>(length, kPageSize - (address & kPageMask)));
  if (first_part < length) {
    // A misaligned load across a page end: both pages are translated before any byte moves.
    if (data_entry(address, kReadable) == nullptr) return false;
    if (data_entry(address + first_part, kReadable) == nullptr) return false;
    return load_slow(address, data, first_part) &&
           load_slow(address + first_part, data + first_part, length - first_part);
  }
  const DataEntry* entry = data_entry(address, kReadable);
  if (entry == nullptr) return false;
  const uint64_t physical = entry->physical_page | (address & kPageMask);
  tlm::tlm_response_status status = tlm::TLM_OK_RESPONSE;
  if (entry->memory_type != MemoryType::cached) {
    status = core_.guest_access(tlm::TLM_READ_COMMAND, physical, data, length, entry->memory_type,
                                pending_cycles_);
    pending_cycles_ = 0;
  } else if (!charge_data(tlm::TLM_READ_COMMAND, physical, length)) {
    status = tlm::TLM_GENERIC_ERROR_RESPONSE;
  } else if (entry->host != nullptr) {
    std::memcpy(data, entry->host + (address & kPageMask), length);
  } else {
    // Without DMI the bytes take the debug path; the time is the same either way.
    status = core_.guest_move(tlm::TLM_READ_COMMAND, physical, data, length);
  }
  if (status != tlm::TLM_OK_RESPONSE) {
    fault_ = {address, AccessType::read, Fault::none};
    return false;
  }
  return true;
}

bool Rv64Hart::store_slow(uint64_t address, const uint8_t* data, unsigned length) {
  const unsigned first_part =
      static_cast<unsigned>(std::min<uint64_t>(length, kPageSize - (address & kPageMask)));
  if (first_part < length) {
    // Translate both pages first, so that a fault on the second writes nothing.
    if (data_entry(address, kWritable) == nullptr) return false;
    if (data_entry(address + first_part, kWritable) == nullptr) return false;
    return store_slow(address, data, first_part) &&
           store_slow(address + first_part, data + first_part, length - first_part);
  }
  DataEntry* entry = data_entry(address, kWritable);
  if (entry == nullptr) return false;
  // A store into decoded code drops it (the pc's page included: its next instruction is
  // decoded from the new bytes).
  if (const auto code = code_pages_.find(entry->physical_page);
      code != code_pages_.end() && code->second->live) {
    drop_code(*code->second);
    if (entry->host != nullptr) entry->flags |= kHostStore;
  }
  const uint64_t physical = entry->physical_page | (address & kPageMask);
  tlm::tlm_response_status status = tlm::TLM_OK_RESPONSE;
  if (entry->memory_type != MemoryType::cached) {
    status = core_.guest_access(tlm::TLM_WRITE_COMMAND, physical, const_cast<uint8_t*>(data),
                                length, entry->memory_type, pending_cycles_);
    pending_cycles_ = 0;
  } else if (!charge_data(tlm::TLM_WRITE_COMMAND, physical, length)) {
    status = tlm::TLM_GENERIC_ERROR_RESPONSE;
  } else if (entry->host != nullptr) {
    std::memcpy(entry->host + (address & kPageMask), data, length);
  } else {
    status = core_.guest_move(tlm::TLM_WRITE_COMMAND, physical, const_cast<uint8_t*>(data), length);
  }
  if (status != tlm::TLM_OK_RESPONSE) {
    fault_ = {address, AccessType::write, Fault::none};
    return false;
  }
  return true;
}

template <typename T, typename Apply>
bool Rv64Hart::atomic(uint64_t address, unsigned destination, Apply&& apply) {
  // An AMO reads and writes: it needs both permissions, and its fault is a store fault.
  if (data_entry(address, kReadable) == nullptr) return false;
  if (data_entry(address, kWritable) == nullptr) return false;
  T old_value{};
  if (!load(address, &old_value)) return false;
  if (!store(address, static_cast<T>(apply(old_value)))) return false;
  x_[destination] =
      static_cast<uint64_t>(static_cast<int64_t>(static_cast<std::make_signed_t<T>>(old_value)));
  return true;
}

// --- Debugging ---

void Rv64Hart::add_breakpoint(uint64_t address) {
  if (std::find(breakpoints_.begin(), breakpoints_.end(), address) == breakpoints_.end()) {
    breakpoints_.push_back(address);
  }
  update_debug();
}

bool Rv64Hart::remove_breakpoint(uint64_t address) {
  const auto removed = std::erase(breakpoints_, address);
  update_debug();
  return removed != 0;
}

void Rv64Hart::add_watchpoint(uint64_t address, uint64_t length_bytes, WatchKind kind) {
  watchpoints_.push_back({address, length_bytes, kind});
  update_debug();
}

bool Rv64Hart::remove_watchpoint(uint64_t address, uint64_t length_bytes, WatchKind kind) {
  const auto removed = std::erase_if(watchpoints_, [&](const Watchpoint& watch) {
    return watch.address == address && watch.length_bytes == length_bytes && watch.kind == kind;
  });
  update_debug();
  return removed != 0;
}

void Rv64Hart::clear_debug() {
  breakpoints_.clear();
  watchpoints_.clear();
  stepping_ = false;
  watch_hit_ = {};
  resume_pc_ = kNoPage;
  resume_instret_ = kNoPage;
  update_debug();
}

void Rv64Hart::watch_access(uint64_t address, uint64_t length_bytes, bool write, uint64_t instret) {
  for (const Watchpoint& watch : watchpoints_) {
    const bool kind_matches =
        watch.kind == WatchKind::access || (watch.kind == WatchKind::write) == write;
    const uint64_t start = std::max(address, watch.address);
    // Overlap of [address, + length) and the watched range, without overflow.
    if (!kind_matches || length_bytes == 0 || watch.length_bytes == 0 ||
        start - address >= length_bytes || start - watch.address >= watch.length_bytes) {
      continue;
    }
    watch_hit_ = {instret, start, watch.kind};
    return;
  }
}

void Rv64Hart::note_software_access(uint64_t address, uint64_t length_bytes, bool write) {
  if (!watchpoints_.empty()) watch_access(address, length_bytes, write, instret_);
}

void Rv64Hart::watch_instruction(const Rv64Instruction& d, uint64_t instret) {
  const Rv64Timing timing = rv64_op_info(d.op).timing;
  if (timing != Rv64Timing::load && timing != Rv64Timing::store && timing != Rv64Timing::atomic) {
    return;
  }
  unsigned size = 8;
  switch (d.op) {
    case Rv64Op::lb:
    case Rv64Op::lbu:
    case Rv64Op::sb:
      size = 1;
      break;
    case Rv64Op::lh:
    case Rv64Op::lhu:
    case Rv64Op::sh:
      size = 2;
      break;
    case Rv64Op::lw:
    case Rv64Op::lwu:
    case Rv64Op::sw:
      size = 4;
      break;
    default:
      // The atomics' mnemonics end in .w or .d.
      if (timing == Rv64Timing::atomic && rv64_op_info(d.op).mnemonic.ends_with(".w")) size = 4;
      break;
  }
  // Atomics address x[rs1] itself; loads and stores add their offset.
  const uint64_t address =
      x_[d.rs1] + (timing == Rv64Timing::atomic ? 0 : static_cast<uint64_t>(d.imm));
  const bool reads = timing != Rv64Timing::store && d.op != Rv64Op::sc_w && d.op != Rv64Op::sc_d;
  const bool writes = timing != Rv64Timing::load && d.op != Rv64Op::lr_w && d.op != Rv64Op::lr_d;
  if (writes) watch_access(address, size, true, instret);
  if (reads && watch_hit_.instret != instret) watch_access(address, size, false, instret);
}

bool Rv64Hart::debug_stop_before() {
  if (watch_hit_.instret != kNoPage && instret_ > watch_hit_.instret) {
    debug_stop_ = {HartDebugStop::Event::watchpoint, watch_hit_.address, watch_hit_.kind};
    watch_hit_ = {};
  } else if (stepping_ && instret_ != step_from_) {
    debug_stop_ = {HartDebugStop::Event::step};
  } else if ((pc_ != resume_pc_ || instret_ != resume_instret_) &&
             std::find(breakpoints_.begin(), breakpoints_.end(), pc_) != breakpoints_.end()) {
    debug_stop_ = {HartDebugStop::Event::breakpoint};
  } else if (poll_every_ != 0 && instret_ >= poll_at_) {
    // A look at the debugger's connection: a step or a breakpoint here still stands.
    debug_stop_ = {HartDebugStop::Event::poll};
    poll_at_ = instret_ + poll_every_;
    return true;
  } else {
    return false;
  }
  // Any other stop ends a step, and its breakpoint does not stop the hart again here.
  stepping_ = false;
  resume_pc_ = pc_;
  resume_instret_ = instret_;
  update_debug();
  return true;
}

bool Rv64Hart::read_counter(int64_t csr, uint64_t* value) const {
  switch (csr) {
    case kCsrCycle:
      *value = core_.cycles() + pending_cycles_;
      return true;
    case kCsrTime:
      // Nanoseconds of simulated time (a 1 GHz timebase; zx_ticks_per_second says the same).
      *value = (core_.local_time() + core_.clock().cycles(pending_cycles_)).value() / 1000;
      return true;
    case kCsrInstret:
      *value = instret_;
      return true;
    default:
      return false;
  }
}

// --- The interpreter ---

HartStop Rv64Hart::run(uint64_t max_instructions) {
  enter();
  const uint64_t limit = max_instructions > std::numeric_limits<uint64_t>::max() - instret_
                             ? std::numeric_limits<uint64_t>::max()
                             : instret_ + max_instructions;
  // The hot state lives in locals while instructions run: the compiler cannot keep members in
  // registers across the stores into x_, which may alias them. The members are written back
  // (sync) before any call that reads them, and the cycles read again after one that adds to them.
  uint64_t pc = pc_;
  uint64_t instret = instret_;
  uint64_t pending = pending_cycles_;
  unsigned load_destination = load_destination_;
  uint64_t* const x = x_.data();
  // The current page of code and the latest line fetched, kept here for the same reason.
  const CodePage* code = code_;
  uint64_t code_vpn = code_vpn_;
  uint64_t fetched_line = fetch_lines_held_[0];
  const unsigned line_shift = line_shift_;
  const uint64_t load_use_cycles = config_.load_use_cycles;
  const uint64_t taken_branch_cycles = config_.taken_branch_cycles;
  auto sync = [&] {
    pc_ = pc;
    instret_ = instret;
    pending_cycles_ = pending;
    load_destination_ = load_destination;
  };
  // Fixed for the run: breakpoints and watchpoints change only while the hart is stopped.
  const bool debug = debug_;
  const bool watching = !watchpoints_.empty();
  Rv64Instruction straddling;
  while (instret < limit) {
    if (debug) [[unlikely]] {
      // Before anything of the instruction happens: a stop here leaves no trace in its timing.
      sync();
      if (debug_stop_before()) {
        stop_fetched_ = false;  // the instruction at pc is not fetched yet
        return HartStop::debug;
      }
    }
    if ((pc >> kPageShift) != code_vpn) [[unlikely]] {
      if ((pc >> kPageShift) == other_code_vpn_) {
        // Back to the page before (a call and its return): its fetch TLB entry still holds.
        std::swap(code_, other_code_);
        std::swap(code_vpn_, other_code_vpn_);
      } else {
        sync();
        CodePage* const previous = code_;
        const uint64_t previous_vpn = code_vpn_;
        if (!enter_code_page()) return stop(HartStop::page_fault, nullptr);
        pending = pending_cycles_;
        other_code_ = previous;
        other_code_vpn_ = previous_vpn;
      }
      code = code_;
      code_vpn = code_vpn_;
    }
    const Rv64Instruction* slot = &code->slots[(pc & kPageMask) >> 1];
    if (slot->op == Rv64Op::undecoded) [[unlikely]] {
      sync();
      slot = decode_at_pc(const_cast<Rv64Instruction*>(slot), &straddling);
      if (slot == nullptr) {
        return stop(fault_.fault == Fault::none ? HartStop::bus_error : HartStop::page_fault,
                    nullptr);
      }
      pending = pending_cycles_;
      fetched_line = fetch_lines_held_[0];
    }
    // What is needed after the instruction ran is read now: a store may drop the page the slot
    // lives in (its fields then read as undecoded).
    const Rv64Instruction& d = *slot;
    const uint64_t cost = d.cost_cycles;
    uint64_t next_pc = pc + d.length;
    const uint64_t last_line = (next_pc - 1) >> line_shift;
    if (last_line != fetched_line) [[unlikely]] {
      sync();
      if (!fetch_lines(pc >> line_shift, last_line, code->physical_page)) {
        return stop(HartStop::bus_error, &d);
      }
      pending = pending_cycles_;
      fetched_line = last_line;
    }
    if (watching) [[unlikely]]
      watch_instruction(d, instret);
    // Load-use: bit 0 of `sources` is never set, so no load (destination 0) costs nothing.
    pending += ((d.sources >> load_destination) & 1) * load_use_cycles;
    load_destination = 0;
    const uint64_t a = x[d.rs1];
    const uint64_t b = x[d.rs2];
    const auto sa = static_cast<int64_t>(a);
    const auto sb = static_cast<int64_t>(b);
    const auto imm = static_cast<uint64_t>(d.imm);
    const unsigned rd_index = d.rd;
    uint64_t& rd = x[rd_index];

// A load or store that stopped (a fault) leaves the instruction to run again.
#define ZXVP_MEMORY(call)                                                                      \
  pending_cycles_ = pending;                                                                   \
  if (!(call)) {                                                                               \
    pending = pending_cycles_;                                                                 \
    sync();                                                                                    \
    return stop(fault_.fault == Fault::none ? HartStop::bus_error : HartStop::page_fault, &d); \
  }                                                                                            \
  pending = pending_cycles_;
#define ZXVP_LOAD(type, extend)                \
  {                                            \
    type value{};                              \
    ZXVP_MEMORY(load(a + imm, &value));        \
    rd = static_cast<uint64_t>(extend(value)); \
    load_destination = rd_index;               \
    break;                                     \
  }
#define ZXVP_ALIGNED_OR_STOP(size)                \
  if ((a & ((size)-1)) != 0) {                    \
    fault_ = {a, AccessType::write, Fault::none}; \
    sync();                                       \
    return stop(HartStop::misaligned, &d);        \
  }

    switch (d.op) {
      case Rv64Op::undecoded:
      case Rv64Op::illegal:
        sync();
        return stop(HartStop::illegal_instruction, &d);
      case Rv64Op::lui:
        rd = imm;
        break;
      case Rv64Op::auipc:
        rd = pc + imm;
        break;
      case Rv64Op::jal:
        rd = next_pc;
        next_pc = pc + imm;
        break;
      case Rv64Op::jalr:
        rd = next_pc;
        next_pc = (a + imm) & ~uint64_t{1};
        break;
#define ZXVP_BRANCH(condition)      \
  if (condition) {                  \
    next_pc = pc + imm;             \
    pending += taken_branch_cycles; \
  }                                 \
  break;
      case Rv64Op::beq:
        ZXVP_BRANCH(a == b)
      case Rv64Op::bne:
        ZXVP_BRANCH(a != b)
      case Rv64Op::blt:
        ZXVP_BRANCH(sa < sb)
      case Rv64Op::bge:
        ZXVP_BRANCH(sa >= sb)
      case Rv64Op::bltu:
        ZXVP_BRANCH(a < b)
      case Rv64Op::bgeu:
        ZXVP_BRANCH(a >= b)
#undef ZXVP_BRANCH
      case Rv64Op::lb:
        ZXVP_LOAD(int8_t, static_cast<int64_t>)
      case Rv64Op::lh:
        ZXVP_LOAD(int16_t, static_cast<int64_t>)
      case Rv64Op::lw:
        ZXVP_LOAD(int32_t, static_cast<int64_t>)
      case Rv64Op::ld:
        ZXVP_LOAD(uint64_t, static_cast<uint64_t>)
      case Rv64Op::lbu:
        ZXVP_LOAD(uint8_t, static_cast<uint64_t>)
      case Rv64Op::lhu:
        ZXVP_LOAD(uint16_t, static_cast<uint64_t>)
      case Rv64Op::lwu:
        ZXVP_LOAD(uint32_t, static_cast<uint64_t>)
      case Rv64Op::sb:
        ZXVP_MEMORY(store(a + imm, static_cast<uint8_t>(b)));
        break;
      case Rv64Op::sh:
        ZXVP_MEMORY(store(a + imm, static_cast<uint16_t>(b)));
        break;
      case Rv64Op::sw:
        ZXVP_MEMORY(store(a + imm, static_cast<uint32_t>(b)));
        break;
      case Rv64Op::sd:
        ZXVP_MEMORY(store(a + imm, b));
        break;
      case Rv64Op::addi:
        rd = a + imm;
        break;
      case Rv64Op::slti:
        rd = sa < d.imm ? 1 : 0;
        break;
      case Rv64Op::sltiu:
        rd = a < imm ? 1 : 0;
        break;
      case Rv64Op::xori:
        rd = a ^ imm;
        break;
      case Rv64Op::ori:
        rd = a | imm;
        break;
      case Rv64Op::andi:
        rd = a & imm;
        break;
      case Rv64Op::slli:
        rd = a << (imm & 63);
        break;
      case Rv64Op::srli:
        rd = a >> (imm & 63);
        break;
      case Rv64Op::srai:
        rd = static_cast<uint64_t>(sa >> (imm & 63));
        break;
      case Rv64Op::add:
        rd = a + b;
        break;
      case Rv64Op::sub:
        rd = a - b;
        break;
      case Rv64Op::sll:
        rd = a << (b & 63);
        break;
      case Rv64Op::slt:
        rd = sa < sb ? 1 : 0;
        break;
      case Rv64Op::sltu:
        rd = a < b ? 1 : 0;
        break;
      case Rv64Op::xor_:
        rd = a ^ b;
        break;
      case Rv64Op::srl:
        rd = a >> (b & 63);
        break;
      case Rv64Op::sra:
        rd = static_cast<uint64_t>(sa >> (b & 63));
        break;
      case Rv64Op::or_:
        rd = a | b;
        break;
      case Rv64Op::and_:
        rd = a & b;
        break;
      case Rv64Op::fence:
        break;
      case Rv64Op::fence_i:
        for (auto& [physical, page] : code_pages_) {
          if (page->live) drop_code(*page);
        }
        break;
      case Rv64Op::ecall:
        sync();
        return stop(HartStop::ecall, &d);
      case Rv64Op::ebreak:
        sync();
        return stop(HartStop::breakpoint, &d);
      case Rv64Op::addiw:
        rd = sign_extend_word(a + imm);
        break;
      case Rv64Op::slliw:
        rd = sign_extend_word(static_cast<uint32_t>(a) << (imm & 31));
        break;
      case Rv64Op::srliw:
        rd = sign_extend_word(static_cast<uint32_t>(a) >> (imm & 31));
        break;
      case Rv64Op::sraiw:
        rd = sign_extend_word(static_cast<uint32_t>(static_cast<int32_t>(a) >> (imm & 31)));
        break;
      case Rv64Op::addw:
        rd = sign_extend_word(a + b);
        break;
      case Rv64Op::subw:
        rd = sign_extend_word(a - b);
        break;
      case Rv64Op::sllw:
        rd = sign_extend_word(static_cast<uint32_t>(a) << (b & 31));
        break;
      case Rv64Op::srlw:
        rd = sign_extend_word(static_cast<uint32_t>(a) >> (b & 31));
        break;
      case Rv64Op::sraw:
        rd = sign_extend_word(static_cast<uint32_t>(static_cast<int32_t>(a) >> (b & 31)));
        break;
      case Rv64Op::mul:
        rd = a * b;
        break;
      case Rv64Op::mulh:
        rd = static_cast<uint64_t>((static_cast<__int128>(sa) * static_cast<__int128>(sb)) >> 64);
        break;
      case Rv64Op::mulhsu:
        rd = static_cast<uint64_t>((static_cast<__int128>(sa) * static_cast<__int128>(b)) >> 64);
        break;
      case Rv64Op::mulhu:
        rd = static_cast<uint64_t>(
            (static_cast<unsigned __int128>(a) * static_cast<unsigned __int128>(b)) >> 64);
        break;
      // Division never traps: by zero it gives all ones (remainder: the dividend), and the one
      // overflow, the most negative number over -1, gives the dividend (remainder 0).
      case Rv64Op::div:
        rd = b == 0                          ? ~uint64_t{0}
             : (sa == INT64_MIN && sb == -1) ? a
                                             : static_cast<uint64_t>(sa / sb);
        break;
      case Rv64Op::divu:
        rd = b == 0 ? ~uint64_t{0} : a / b;
        break;
      case Rv64Op::rem:
        rd = b == 0 ? a : (sa == INT64_MIN && sb == -1) ? 0 : static_cast<uint64_t>(sa % sb);
        break;
      case Rv64Op::remu:
        rd = b == 0 ? a : a % b;
        break;
      case Rv64Op::mulw:
        rd = sign_extend_word(a * b);
        break;
      case Rv64Op::divw: {
        const auto x = static_cast<int32_t>(a);
        const auto y = static_cast<int32_t>(b);
        rd = y == 0                        ? ~uint64_t{0}
             : (x == INT32_MIN && y == -1) ? sign_extend_word(static_cast<uint32_t>(x))
                                           : sign_extend_word(static_cast<uint32_t>(x / y));
        break;
      }
      case Rv64Op::divuw: {
        const auto x = static_cast<uint32_t>(a);
        const auto y = static_cast<uint32_t>(b);
        rd = y == 0 ? ~uint64_t{0} : sign_extend_word(x / y);
        break;
      }
      case Rv64Op::remw: {
        const auto x = static_cast<int32_t>(a);
        const auto y = static_cast<int32_t>(b);
        rd = y == 0                        ? sign_extend_word(static_cast<uint32_t>(x))
             : (x == INT32_MIN && y == -1) ? 0
                                           : sign_extend_word(static_cast<uint32_t>(x % y));
        break;
      }
      case Rv64Op::remuw: {
        const auto x = static_cast<uint32_t>(a);
        const auto y = static_cast<uint32_t>(b);
        rd = sign_extend_word(y == 0 ? x : x % y);
        break;
      }
      case Rv64Op::lr_w:
      case Rv64Op::lr_d: {
        const unsigned size = d.op == Rv64Op::lr_w ? 4 : 8;
        ZXVP_ALIGNED_OR_STOP(size)
        if (size == 4) {
          int32_t value = 0;
          ZXVP_MEMORY(load(a, &value));
          rd = static_cast<uint64_t>(static_cast<int64_t>(value));
        } else {
          ZXVP_MEMORY(load(a, &rd));
        }
        reservation_ = {a, size};
        load_destination = rd_index;
        break;
      }
      case Rv64Op::sc_w:
      case Rv64Op::sc_d: {
        const unsigned size = d.op == Rv64Op::sc_w ? 4 : 8;
        ZXVP_ALIGNED_OR_STOP(size)
        // The reservation ends here whatever happens; without one, nothing is written.
        const bool reserved = reservation_.size == size && reservation_.address == a;
        if (reserved) {
          if (size == 4) {
            ZXVP_MEMORY(store(a, static_cast<uint32_t>(b)));
          } else {
            ZXVP_MEMORY(store(a, b));
          }
        }
        reservation_ = {};
        rd = reserved ? 0 : 1;
        break;
      }
#define ZXVP_AMO(size, type, expression)                                                       \
  {                                                                                            \
    ZXVP_ALIGNED_OR_STOP(size)                                                                 \
    ZXVP_MEMORY(atomic<type>(a, rd_index,                                                      \
                             [&]([[maybe_unused]] type old) -> type { return (expression); })) \
    break;                                                                                     \
  }
      case Rv64Op::amoswap_w:
        ZXVP_AMO(4, uint32_t, static_cast<uint32_t>(b))
      case Rv64Op::amoadd_w:
        ZXVP_AMO(4, uint32_t, old + static_cast<uint32_t>(b))
      case Rv64Op::amoxor_w:
        ZXVP_AMO(4, uint32_t, old ^ static_cast<uint32_t>(b))
      case Rv64Op::amoand_w:
        ZXVP_AMO(4, uint32_t, old & static_cast<uint32_t>(b))
      case Rv64Op::amoor_w:
        ZXVP_AMO(4, uint32_t, old | static_cast<uint32_t>(b))
      case Rv64Op::amomin_w:
        ZXVP_AMO(
            4, uint32_t,
            static_cast<int32_t>(old) < static_cast<int32_t>(b) ? old : static_cast<uint32_t>(b))
      case Rv64Op::amomax_w:
        ZXVP_AMO(
            4, uint32_t,
            static_cast<int32_t>(old) > static_cast<int32_t>(b) ? old : static_cast<uint32_t>(b))
      case Rv64Op::amominu_w:
        ZXVP_AMO(4, uint32_t, std::min(old, static_cast<uint32_t>(b)))
      case Rv64Op::amomaxu_w:
        ZXVP_AMO(4, uint32_t, std::max(old, static_cast<uint32_t>(b)))
      case Rv64Op::amoswap_d:
        ZXVP_AMO(8, uint64_t, b)
      case Rv64Op::amoadd_d:
        ZXVP_AMO(8, uint64_t, old + b)
      case Rv64Op::amoxor_d:
        ZXVP_AMO(8, uint64_t, old ^ b)
      case Rv64Op::amoand_d:
        ZXVP_AMO(8, uint64_t, old & b)
      case Rv64Op::amoor_d:
        ZXVP_AMO(8, uint64_t, old | b)
      case Rv64Op::amomin_d:
        ZXVP_AMO(8, uint64_t, static_cast<int64_t>(old) < sb ? old : b)
      case Rv64Op::amomax_d:
        ZXVP_AMO(8, uint64_t, static_cast<int64_t>(old) > sb ? old : b)
      case Rv64Op::amominu_d:
        ZXVP_AMO(8, uint64_t, std::min(old, b))
      case Rv64Op::amomaxu_d:
        ZXVP_AMO(8, uint64_t, std::max(old, b))
#undef ZXVP_AMO
      case Rv64Op::csrrw:
      case Rv64Op::csrrs:
      case Rv64Op::csrrc:
      case Rv64Op::csrrwi:
      case Rv64Op::csrrsi:
      case Rv64Op::csrrci: {
        // The counters are read-only in user mode: only the forms that write nothing (csrrs and
        // csrrc with x0 or a zero immediate) are allowed.
        const bool writes = d.op == Rv64Op::csrrw || d.op == Rv64Op::csrrwi || d.rs1 != 0;
        uint64_t value = 0;
        sync();
        if (writes || !read_counter(d.imm, &value)) return stop(HartStop::illegal_instruction, &d);
        rd = value;
        break;
      }
    }
#undef ZXVP_LOAD
#undef ZXVP_MEMORY
#undef ZXVP_ALIGNED_OR_STOP
    x[0] = 0;
    pc = next_pc;
    ++instret;
    pending += cost;
  }
  sync();
  return stop(HartStop::budget, nullptr);
}

}  // namespace zxvp
