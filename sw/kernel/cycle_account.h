#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "models/cpu/cpu_core.h"
#include "sw/api/zircon/types.h"

namespace zxvp {

// Where the cycles of a system call (or of a user load or store) went.
enum class CyclePhase : uint8_t {
  entry,        // trap into the kernel
  checks,       // argument and handle checks
  translate,    // translating the user buffer (TLB, walks)
  fault,        // soft page faults on the user buffer (exception, lookup)
  lookup,       // finding each page of the VMO the call touches (the page list)
  commit,       // allocating, zero-filling and forking VMO pages
  map,          // writing page-table entries, TLB invalidations
  copy,         // moving the bytes
  cache_maint,  // cache cleaning and invalidation
  dma_setup,    // building descriptors, programming the engine
  dma_wait,     // waiting for the engine's completion interrupt
  exit,         // return to user mode
  user,         // guest code between kernel entries: instructions, their fetches and accesses
};
inline constexpr size_t kCyclePhaseCount = 13;
std::string_view cycle_phase_name(CyclePhase phase);

struct PhaseSegment {
  CyclePhase phase;
  uint64_t start_cycle;
  uint64_t end_cycle;
};

struct CallRecord {
  std::string_view name;
  zx_status_t status = ZX_OK;
  uint64_t start_cycle = 0;
  uint64_t cycles = 0;
  std::array<uint64_t, kCyclePhaseCount> breakdown{};
  std::vector<PhaseSegment> segments;  // in time order, when kept (for traces)
};

// Charges the core's time between marks to the current phase. Cycle counts are differences of
// the core's cycle counter at the marks, so the phases of a call always add up to its total.
//
// The core overlaps memory work with what follows it. Translating the next page, finding it and
// copying go on while earlier loads and stores are in flight; any other phase is software that
// waits for them (its instructions retire behind them), so entering it first waits for the core's
// memory work, and that wait counts in the phase that issued the work. Returning from one of the
// overlapping phases to the phase around it (a call's page loop between two pages) enters no
// software: a copy's loads and stores stay in flight across the loop, as a stream's do on a
// real core. What the core does while a copy's memory work is in flight is hidden under it: that
// time counts in the copy, and only what runs past the copy's end counts in its own phase, so
// a memory-bound copy's phase holds the copy's whole time, lookups and translations between its
// pages included, and a lookup keeps only what runs past the copy's memory work.
class CycleAccount {
 public:
  explicit CycleAccount(CpuCore& cpu) : cpu_(cpu) {}

  // Whether calls keep their phase segments: a trace wants them; a 1 GiB write has half a million
  // of them, so nothing else pays for them.
  void set_keep_segments(bool keep) { keep_segments_ = keep; }

  void begin(std::string_view name, CyclePhase first);
  // Makes `phase` current from now; returns the phase it replaces.
  CyclePhase switch_to(CyclePhase phase);
  // Makes `phase`, the one a scope replaced, current again.
  void return_to(CyclePhase phase);
  // The current phase waits for the core's memory work (a locked instruction in it); the wait
  // counts in it, not in the copy that issued the work.
  void wait_for_memory();
  const CallRecord& finish(zx_status_t status);
  bool active() const { return active_; }
  const CallRecord& last() const { return record_; }

  // Makes a phase current for a scope, then returns to the one before.
  class Scope {
   public:
    Scope(CycleAccount& account, CyclePhase phase)
        : account_(account), previous_(account.switch_to(phase)) {}
    ~Scope() { account_.return_to(previous_); }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    CycleAccount& account_;
    CyclePhase previous_;
  };

 private:
  uint64_t now() const { return cpu_.cycles(); }
  void close_segment();
  void charge(CyclePhase phase, uint64_t from, uint64_t to);
  static bool overlaps_memory_work(CyclePhase phase) {
    return phase == CyclePhase::translate || phase == CyclePhase::lookup ||
           phase == CyclePhase::copy;
  }

  CpuCore& cpu_;
  bool active_ = false;
  // The cycle by which the copies' memory work is done (0: none in flight, or waited for).
  uint64_t copy_done_cycle_ = 0;
  bool keep_segments_ = false;
  CyclePhase phase_ = CyclePhase::entry;
  uint64_t mark_ = 0;
  CallRecord record_;
};

}  // namespace zxvp
