#pragma once

#include <systemc>
#include <tlm_utils/tlm_quantumkeeper.h>

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

 private:
  sc_core::sc_time systemc_time_;
};

}  // namespace zxvp
