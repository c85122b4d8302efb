#include "sw/kernel/cycle_account.h"

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
  record_ = CallRecord{};
  record_.name = name;
  record_.start_cycle = mark_;
}

void CycleAccount::close_segment() {
  const uint64_t at = now();
  if (at == mark_) return;
  record_.breakdown[static_cast<size_t>(phase_)] += at - mark_;
  if (keep_segments_) {
    if (!record_.segments.empty() && record_.segments.back().phase == phase_ &&
        record_.segments.back().end_cycle == mark_) {
      record_.segments.back().end_cycle = at;
    } else {
      record_.segments.push_back({phase_, mark_, at});
    }
  }
  mark_ = at;
}

CyclePhase CycleAccount::switch_to(CyclePhase phase) {
  const CyclePhase previous = phase_;
  if (active_ && phase != phase_ && !overlaps_memory_work(phase)) cpu_.drain();
  if (active_) close_segment();
  phase_ = phase;
  return previous;
}

const CallRecord& CycleAccount::finish(zx_status_t status) {
  close_segment();
  active_ = false;
  record_.status = status;
  record_.cycles = mark_ - record_.start_cycle;
  return record_;
}

}  // namespace zxvp
