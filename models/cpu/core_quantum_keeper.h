#pragma once

#include <systemc>
#include <tlm_utils/tlm_quantumkeeper.h>

#include "sim/time/batch_timing.h"

namespace zxvp {

// The core's quantum keeper: TLM-2.0's, with SystemC's time remembered at every reset (after a
// synchronisation, or when a thread takes the core). SystemC time cannot move while the core's
// thread runs, and sc_time_stamp() is an out-of-line call that the base class makes on every
// question, several times per page of a simulated copy. Only the thread holding the core may
// ask it.
class CoreQuantumKeeper : public tlm_utils::tlm_quantumkeeper {
 public:
  void reset() override {
    systemc_time_ = sc_core::sc_time_stamp();
    tlm_utils::tlm_quantumkeeper::reset();
  }
  bool need_sync() const override { return systemc_time_ + m_local_time >= m_next_sync_point; }
  sc_core::sc_time get_current_time() const override { return systemc_time_ + m_local_time; }

  // The core's time in absolute ticks, and a move of it to a later absolute time.
  Ticks now() const { return to_ticks(systemc_time_) + to_ticks(m_local_time); }
  void advance_to(Ticks time) {
    if (time > now()) m_local_time = to_time(time - to_ticks(systemc_time_));
  }

 private:
  sc_core::sc_time systemc_time_;
};

}  // namespace zxvp
