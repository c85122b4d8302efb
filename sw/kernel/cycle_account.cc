#include "sw/kernel/cycle_account.h"

#include <algorithm>
#include <array>

namespace zxvp {

std::string_view cycle_phase_name(CyclePhase phase) {
  static constexpr std::array<std::string_view, kCyclePhaseCount> kNames = {
      "entry", "checks",      "translate", "fault",    "lookup", "commit", "map",
      "copy",  "cache_maint", "dma_setup", "dma_wait", "exit",   "user"};
  return kNames[static_cast<size_t>(phase)];
}

void CycleAccount::begin(std::string_view name, CyclePhase first) {
  active_ = true;
  phase_ = first;
  mark_ = now();
  copy_done_cycle_ = 0;
  record_ = CallRecord{};
  record_.name = name;
  record_.start_cycle = mark_;
}

void CycleAccount::charge(CyclePhase phase, uint64_t from, uint64_t to) {
  if (to == from) return;
  record_.breakdown[static_cast<size_t>(phase)] += to - from;
  if (!keep_segments_) return;
  if (!record_.segments.empty() && record_.segments.back().phase == phase &&
      record_.segments.back().end_cycle == from) {
    record_.segments.back().end_cycle = to;
  } else {
    record_.segments.push_back({phase, from, to});
  }
}

void CycleAccount::close_segment() {
  const uint64_t at = now();
  if (at == mark_) return;
  uint64_t own_from = mark_;
  if (phase_ != CyclePhase::copy && copy_done_cycle_ > mark_) {
    own_from = std::min(at, copy_done_cycle_);
    charge(CyclePhase::copy, mark_, own_from);
  }
  charge(phase_, own_from, at);
  mark_ = at;
}

CyclePhase CycleAccount::switch_to(CyclePhase phase) {
  const CyclePhase previous = phase_;
  // The wait is split as any segment is: up to the copy's end it counts in the copy.
  if (active_ && phase != phase_ && !overlaps_memory_work(phase)) cpu_.drain();
  if (active_) close_segment();
  if (!overlaps_memory_work(phase)) copy_done_cycle_ = 0;
  phase_ = phase;
  return previous;
}

void CycleAccount::return_to(CyclePhase phase) {
  if (!active_ || phase == phase_ || !overlaps_memory_work(phase_)) {
    switch_to(phase);
    return;
  }
  close_segment();
  if (phase_ == CyclePhase::copy) copy_done_cycle_ = cpu_.memory_done_cycles();
  phase_ = phase;
}

void CycleAccount::wait_for_memory() {
  if (active_) close_segment();
  copy_done_cycle_ = 0;
  cpu_.drain();
}

const CallRecord& CycleAccount::finish(zx_status_t status) {
  close_segment();
  active_ = false;
  copy_done_cycle_ = 0;
  record_.status = status;
  record_.cycles = mark_ - record_.start_cycle;
  return record_;
}

}  // namespace zxvp
