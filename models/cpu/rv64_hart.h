#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "models/cpu/cpu_core.h"
#include "models/cpu/rv64_instruction.h"
#include "sim/params/parameter_set.h"
#include "sim/stats/statistics.h"

namespace zxvp {

struct Rv64HartConfig {
  // In-order issue: every instruction costs the base; multiplies, divides, taken branches and a
  // load's result used by the next instruction add their cycles. The defaults are those of a
  // small in-order RV64 core (SiFive's U74 multiplies in 3 cycles and divides in 6 to 68).
  uint64_t base_cycles = 1;
  uint64_t multiply_cycles = 2;
  uint64_t divide_cycles = 20;
  uint64_t taken_branch_cycles = 2;
  uint64_t load_use_cycles = 1;
  // The hart's own TLBs in front of the MMU's (direct-mapped, a power of two of entries): a hit
  // costs nothing, a miss one MMU translation.
  uint64_t data_tlb_entries = 64;
  uint64_t fetch_tlb_entries = 16;

  void bind(ParameterBinding& binding);
};

// Why Rv64Hart::run() returned. The hart stops at the instruction that caused it (pc and
// registers as before it), except after `budget`, where every instruction ran.
enum class HartStop : uint8_t {
  ecall,                // software serves the call, then complete_ecall()
  page_fault,           // fault() says where and why; run() again retries the instruction
  breakpoint,           // ebreak
  illegal_instruction,  // no instruction of RV64IMAC, a privileged one, or a counter written
  misaligned,           // an atomic access not naturally aligned (plain ones are handled)
  bus_error,            // the memory system refused a fetch or an access
  budget,               // max_instructions retired
  debug,                // a debugger's stop (debug_stop() says which), before the instruction at pc
};
std::string_view hart_stop_name(HartStop stop);

struct HartFault {
  uint64_t address = 0;
  AccessType access = AccessType::read;
  Fault fault = Fault::none;
};

// What a debugger watches: writes, reads, or both (GDB's Z2, Z3, Z4).
enum class WatchKind : uint8_t { write, read, access };

// Why run() returned HartStop::debug.
struct HartDebugStop {
  enum class Event : uint8_t { breakpoint, step, watchpoint, poll };
  Event event = Event::breakpoint;
  uint64_t watch_address = 0;  // watchpoint: the first watched byte the access touched
  WatchKind watch_kind = WatchKind::write;
};

// A RISC-V RV64IMAC hart (Zicsr, Zifencei, the counters cycle, time and instret) running user
// code on a CpuCore: an interpreter over instructions decoded once and kept per physical page.
// Fetches, loads and stores take the core's MMU and caches (CpuCore's guest_* calls), and
// instructions advance the core's time: one cycle counter for instructions and for the kernel's
// work. Software (the kernel model) runs in between run() calls: system calls, page faults.
//
// Timing beyond the instructions' own cycles (Rv64HartConfig): a fetch costs an access to the
// fetch path when the pc enters a cache line other than the last two it fetched from (a fetch
// buffer of two lines: a loop across a line boundary costs nothing more); a load or store costs
// an access to the data path (the L1), except within a line the core's buffers hold: the lines
// of the last two loads and of the last store (a load from any, a store to the store's). As the
// kernel's copy loops are charged one access per line, a run of loads or stores through a line
// is charged once, even when two streams interleave (memcpy, memcmp). The buffers start over
// whenever software runs. The hart's own TLBs cost nothing on a hit, an MMU translation on a
// miss.
//
// Speed: the hart's TLB entries hold host pointers to pages of cached memory granted DMI; loads
// and stores through them charge the data path for their time and move their bytes with a
// memcpy (without DMI the bytes take the debug path, for the same time; uncached memory goes
// through the data path, bytes and all). Decoded pages are dropped when written: by a store of
// the hart (pages with decoded code never have a fast store entry), by software
// (invalidate_code()), or by fence.i; the TLBs are dropped when the MMU invalidated anything or
// the address space changed. Statistics are counted in plain members and added to the registry
// by publish_statistics().
class Rv64Hart {
 public:
  Rv64Hart(const std::string& name, CpuCore& core, const Rv64HartConfig& config,
           StatisticsRegistry& statistics);
  ~Rv64Hart();
  Rv64Hart(const Rv64Hart&) = delete;
  Rv64Hart& operator=(const Rv64Hart&) = delete;

  // A new program: registers zero, pc at `entry`, instret zero, decoded code and TLBs dropped.
  void reset(uint64_t entry);
  // Runs on the calling SystemC thread (which holds the core) until a stop.
  HartStop run(uint64_t max_instructions);
  // Ends the ecall the hart stopped at: a0 gets `result`, the ecall retires.
  void complete_ecall(uint64_t result);

  uint64_t reg(unsigned number) const { return x_[number & 31]; }
  void set_reg(unsigned number, uint64_t value) {
    if ((number & 31) != 0) x_[number & 31] = value;
  }
  uint64_t pc() const { return pc_; }
  uint64_t instructions_retired() const { return instret_; }
  const HartFault& fault() const { return fault_; }
  // The instruction the hart stopped at, when it was fetched (not after a fetch fault).
  const Rv64Instruction* stop_instruction() const {
    return stop_fetched_ ? &stop_instruction_ : nullptr;
  }
  // Charges the core the cycles of the instructions run since the last stop that did (a debug
  // stop leaves them pending); for a program that ends at a debug stop (killed by its debugger).
  void charge_pending_cycles();
  // Adds what the hart counted to the statistics registry. run() does it at every stop but an
  // ecall (a loop of system calls would pay for it at every call); whoever ends a program calls
  // it then.
  void publish_statistics();
  // Bytes of physical memory were written by something other than this hart (the kernel's
  // copies): decoded code there is dropped.
  void invalidate_code(uint64_t physical_address, uint64_t length_bytes);
  // The value of counter `csr` (cycle, time, instret) as an instruction would read it now; false
  // for any other CSR.
  bool read_counter(int64_t csr, uint64_t* value) const;

  // --- A debugger (HartStop::debug) ---
  // Debug stops happen before an instruction, outside simulated time: they leave the pending
  // cycles, the line buffers and the TLBs as they are, so that a program costs the same cycles
  // with a debugger as without. With nothing set the interpreter pays two tests of a flag a step.
  // A breakpoint stops before the instruction at its address (except the first instruction run
  // after a debug stop there); a step after one instruction retires (an ecall retires in
  // complete_ecall); a watchpoint once the instruction that touched the range retired (a
  // software access, note_software_access(), once the ecall retired); a poll every
  // `instructions` retired (0: never), so that a debugger can look at its connection. Any stop but
  // a poll ends a step.
  void set_pc(uint64_t pc) { pc_ = pc; }
  void add_breakpoint(uint64_t address);
  bool remove_breakpoint(uint64_t address);
  void add_watchpoint(uint64_t address, uint64_t length_bytes, WatchKind kind);
  bool remove_watchpoint(uint64_t address, uint64_t length_bytes, WatchKind kind);
  void step() {
    step_from_ = instret_;
    stepping_ = true;
    update_debug();
  }
  void poll_every(uint64_t instructions) {
    poll_every_ = instructions;
    poll_at_ = instret_ + instructions;
    update_debug();
  }
  // Drops every breakpoint, watchpoint and step (a debugger went away); polling stays.
  void clear_debug();
  // User memory that software (the kernel's user copies) read or wrote for the current ecall.
  void note_software_access(uint64_t address, uint64_t length_bytes, bool write);
  const HartDebugStop& debug_stop() const { return debug_stop_; }

 private:
  static constexpr unsigned kPageShift = 12;
  static constexpr uint64_t kPageSize = uint64_t{1} << kPageShift;
  static constexpr uint64_t kPageMask = kPageSize - 1;
  static constexpr uint64_t kNoPage = ~uint64_t{0};

  // A page of code: a slot for every 2-byte position, decoded on first execution.
  struct CodePage {
    uint64_t physical_page = 0;
    uint8_t* host = nullptr;  // null without DMI: bytes are read through the fetch path
    bool live = false;        // some slot is decoded
    std::array<Rv64Instruction, kPageSize / 2> slots{};
  };
  struct DataEntry {
    uint64_t tag = kNoPage;  // virtual page number
    uint64_t physical_page = 0;
    uint8_t* host = nullptr;
    MemoryType memory_type = MemoryType::cached;
    uint8_t flags = 0;
  };
  static constexpr uint8_t kReadable = 1;
  static constexpr uint8_t kWritable = 2;
  static constexpr uint8_t kHostLoad = 4;   // loads may take the host pointer
  static constexpr uint8_t kHostStore = 8;  // stores may (the page holds no decoded code)
  struct FetchEntry {
    uint64_t tag = kNoPage;
    CodePage* code = nullptr;
  };

  // Drops the TLBs when the MMU or DMI changed while software ran.
  void enter();
  void flush_tlbs();
  // The TLB slot of a virtual page: Fibonacci hashing, so that pages a power of two apart (two
  // buffers a copy goes between) do not share one. `shift` is 64 - log2(entries).
  static size_t slot(uint64_t virtual_page, unsigned shift) {
    return shift == 64 ? 0 : static_cast<size_t>((virtual_page * 0x9e37'79b9'7f4a'7c15) >> shift);
  }
  HartStop stop(HartStop reason, const Rv64Instruction* instruction);

  // Makes the page of pc the current code page; false on a fetch fault.
  bool enter_code_page();
  CodePage* code_page(uint64_t physical_page, uint8_t* host);
  // Decodes the slot at pc; a 32-bit instruction across the page end is decoded into
  // `straddling` every time instead. Null on a fetch fault.
  const Rv64Instruction* decode_at_pc(Rv64Instruction* slot, Rv64Instruction* straddling);
  uint16_t code_parcel(const CodePage& page, uint64_t offset);
  void finish_decode(Rv64Instruction& instruction) const;
  bool fetch_lines(uint64_t first_line, uint64_t last_line, uint64_t physical_page);
  void drop_code(CodePage& page);

  // The data TLB entry for `address` with `permission` (kReadable or kWritable); null on a
  // fault (recorded in fault_).
  DataEntry* data_entry(uint64_t address, uint8_t permission);
  template <typename T>
  bool load(uint64_t address, T* value);
  template <typename T>
  bool store(uint64_t address, T value);
  // Charges a cached access of the hart's own (the line buffers first); false on an error.
  bool charge_data(tlm::tlm_command command, uint64_t physical, unsigned length);
  bool load_slow(uint64_t address, uint8_t* data, unsigned length);
  bool store_slow(uint64_t address, const uint8_t* data, unsigned length);
  // Atomic read-modify-write of an aligned word or doubleword: `apply` gets the old value and
  // returns the new; x[destination] gets the old value sign-extended.
  template <typename T, typename Apply>
  bool atomic(uint64_t address, unsigned destination, Apply&& apply);
  // Debugging: whether to stop before the instruction at pc (members in sync); what `d` is about
  // to access, checked against the watchpoints (the hit is reported once it retired).
  bool debug_stop_before();
  void watch_instruction(const Rv64Instruction& d, uint64_t instret);
  void watch_access(uint64_t address, uint64_t length_bytes, bool write, uint64_t instret);
  void update_debug() {
    debug_ = !breakpoints_.empty() || !watchpoints_.empty() || stepping_ || poll_every_ != 0;
  }

  CpuCore& core_;
  Rv64HartConfig config_;
  unsigned line_shift_;
  std::array<uint64_t, 32> x_{};
  uint64_t pc_ = 0;
  uint64_t instret_ = 0;
  // Cycles of instructions not yet added to the core's time (added before each access).
  uint64_t pending_cycles_ = 0;
  // The destination of the previous instruction when it was a load, else 0 (for load-use).
  unsigned load_destination_ = 0;
  // Virtual line numbers of the last two lines fetched, the latest first.
  std::array<uint64_t, 2> fetch_lines_held_{kNoPage, kNoPage};
  // Physical line numbers in the two load buffers (the latest first) and the store buffer.
  std::array<uint64_t, 2> load_lines_{kNoPage, kNoPage};
  uint64_t store_line_ = kNoPage;
  void forget_data_lines() {
    load_lines_ = {kNoPage, kNoPage};
    store_line_ = kNoPage;
  }
  uint64_t code_vpn_ = kNoPage;
  CodePage* code_ = nullptr;
  // The page of code before the current one, to go back to without a lookup.
  uint64_t other_code_vpn_ = kNoPage;
  CodePage* other_code_ = nullptr;
  std::unordered_map<uint64_t, std::unique_ptr<CodePage>> code_pages_;  // by physical page
  // A bit for every page of code_pages_ (its number modulo 64), so that the kernel's writes to
  // other pages cost no lookup.
  uint64_t code_page_filter_ = 0;
  static uint64_t filter_bit(uint64_t physical_page) {
    return uint64_t{1} << ((physical_page >> kPageShift) & 63);
  }
  std::vector<DataEntry> data_tlb_;
  std::vector<FetchEntry> fetch_tlb_;
  unsigned data_tlb_shift_ = 64;
  unsigned fetch_tlb_shift_ = 64;
  uint64_t mmu_generation_ = 0;
  uint64_t dmi_generation_ = 0;
  uint64_t root_table_ = 0;
  uint16_t asid_ = 0;
  struct Reservation {
    uint64_t address = 0;
    unsigned size = 0;  // 0: none
  } reservation_;
  HartFault fault_;
  Rv64Instruction stop_instruction_;
  bool stop_fetched_ = false;

  bool debug_ = false;
  std::vector<uint64_t> breakpoints_;
  struct Watchpoint {
    uint64_t address = 0;
    uint64_t length_bytes = 0;
    WatchKind kind = WatchKind::write;
  };
  std::vector<Watchpoint> watchpoints_;
  bool stepping_ = false;
  uint64_t step_from_ = 0;
  uint64_t poll_every_ = 0;
  uint64_t poll_at_ = 0;
  // A watchpoint hit by the instruction that retires as instret `instret` (kNoPage: none).
  struct WatchHit {
    uint64_t instret = kNoPage;
    uint64_t address = 0;
    WatchKind kind = WatchKind::write;
  } watch_hit_;
  // Where the last debug stop was (pc and instret): its breakpoint does not stop again.
  uint64_t resume_pc_ = kNoPage;
  uint64_t resume_instret_ = kNoPage;
  HartDebugStop debug_stop_;

  uint64_t published_instret_ = 0;
  struct Tally {
    uint64_t fetch_tlb_misses = 0;
    uint64_t data_tlb_misses = 0;
    uint64_t decoded = 0;
    uint64_t code_drops = 0;
    uint64_t fetch_lines = 0;
    uint64_t line_buffer_hits = 0;
  } tally_, published_;
  Counter& instructions_;
  Counter& fetch_tlb_misses_;
  Counter& data_tlb_misses_;
  Counter& decoded_;
  Counter& code_drops_;
  Counter& fetch_lines_;
  Counter& line_buffer_hits_;
};

}  // namespace zxvp
