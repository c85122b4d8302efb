#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <systemc>
#include <tlm>
#include <vector>

#include "models/dma/dma_registers.h"
#include "models/tlm/memory_port.h"
#include "sim/params/parameter_set.h"
#include "sim/stats/statistics.h"
#include "sim/time/clock.h"

namespace zxvp {

struct DmaConfig {
  uint64_t channels = 4;
  uint64_t clock_mhz = 1000;
  uint64_t setup_cycles = 40;
  uint64_t descriptor_cycles = 8;
  uint64_t burst_bytes = 256;
  uint64_t burst_overhead_cycles = 2;
  uint64_t outstanding = 16;
  uint64_t register_latency_cycles = 4;
  bool coherent = false;

  void bind(ParameterBinding& binding);
};

// A scatter-gather DMA engine. Software writes a chain of descriptors to memory, points a
// channel at it and starts it through the register block (`registers`, a TLM target); the
// channel's own SystemC thread fetches each descriptor with a TLM read, moves its bytes through
// `port` in bursts, and at the end of the chain (or on the first bus error) sets its status and,
// if enabled, its bit in IRQ_STATUS, which drives `irq`.
//
// A channel issues a burst read every burst_overhead cycles with up to `outstanding` in flight,
// and writes each burst when its read has returned; channels run concurrently, and share the
// memory (its bus and rows) with each other and with the core, a page of a descriptor at a time
// (models/dma/REGISTERS.md gives the timing).
class DmaEngine : public sc_core::sc_module, public tlm::tlm_fw_transport_if<> {
 public:
  tlm::tlm_target_socket<> registers;
  MemoryPort port;
  sc_core::sc_out<bool> irq;

  DmaEngine(const sc_core::sc_module_name& name, const DmaConfig& config, bool dmi,
            StatisticsRegistry& statistics);

  bool coherent() const { return config_.coherent; }
  size_t channel_count() const { return channels_.size(); }
  const Clock& clock() const { return clock_; }
  const DmaConfig& config() const { return config_; }
  // High while any channel is busy (for traces).
  const sc_core::sc_signal<bool>& busy() const { return busy_; }

  // Told of every chain when it ends: channel, start and end time, bytes moved, success.
  using TransferObserver =
      std::function<void(size_t channel, const sc_core::sc_time& start, const sc_core::sc_time& end,
                         uint64_t bytes, bool ok)>;
  void set_transfer_observer(TransferObserver observer) { observer_ = std::move(observer); }

  void b_transport(tlm::tlm_generic_payload& payload, sc_core::sc_time& delay) override;
  tlm::tlm_sync_enum nb_transport_fw(tlm::tlm_generic_payload& payload, tlm::tlm_phase& phase,
                                     sc_core::sc_time& delay) override;
  bool get_direct_mem_ptr(tlm::tlm_generic_payload& payload, tlm::tlm_dmi& dmi) override;
  unsigned int transport_dbg(tlm::tlm_generic_payload& payload) override;

 private:
  struct Channel {
    uint64_t descriptor_address = 0;
    uint32_t control = 0;
    uint32_t status = 0;
    uint64_t error_descriptor = 0;
    uint64_t bytes_done = 0;
    uint32_t descriptors_done = 0;
    sc_core::sc_event start;
    sc_core::sc_time started;
    Counter* transfers = nullptr;
    Counter* bytes = nullptr;
    Counter* busy_cycles = nullptr;
    Counter* errors = nullptr;
  };

  void run_channel(size_t index);
  void run_chain(Channel& channel, size_t index);
  void finish(Channel& channel, size_t index, dma_registers::ChannelState state,
              dma_registers::ChannelError error, uint64_t descriptor);
  bool register_read(uint64_t offset, unsigned int length, uint64_t& value) const;
  // `delay`: when, after the current SystemC time, the write lands (a START then starts).
  bool register_write(uint64_t offset, unsigned int length, uint64_t value,
                      const sc_core::sc_time& delay);
  void update_irq(const sc_core::sc_time& delay = sc_core::SC_ZERO_TIME);

  // A channel moves a descriptor's bytes a page at a time (see run_chain).
  static constexpr uint64_t kChunkBytes = 4096;

  DmaConfig config_;
  Clock clock_;
  std::vector<std::unique_ptr<Channel>> channels_;
  uint32_t irq_status_ = 0;
  size_t busy_channels_ = 0;
  sc_core::sc_signal<bool> busy_{"busy"};
  sc_core::sc_event irq_changed_;
  TransferObserver observer_;
  Counter& descriptors_;
  Counter& starts_while_busy_;
  Counter& register_errors_;
};

}  // namespace zxvp
