#include "models/dma/dma_engine.h"

#include <endian.h>

#include <bit>
#include <cstring>
#include <string>

#include "sim/log/logger.h"
#include "sim/params/config_error.h"

namespace zxvp {

namespace regs = dma_registers;

void DmaConfig::bind(ParameterBinding& binding) {
  binding.field("channels", channels, UnsignedSpec{"channels", "independent DMA channels", 1, 32});
  binding.field("clock_mhz", clock_mhz, UnsignedSpec{"MHz", "DMA engine clock", 1, 100'000});
  binding.field(
      "setup_cycles", setup_cycles,
      UnsignedSpec{"cycles", "from a channel's start to its first descriptor fetch", 0, 1'000'000});
  binding.field(
      "descriptor_cycles", descriptor_cycles,
      UnsignedSpec{"cycles", "processing of each descriptor after its fetch", 0, 1'000'000});
  binding.field(
      "burst_bytes", burst_bytes,
      UnsignedSpec{"bytes", "largest read or write the engine issues (a power of two)", 8, 4096});
  binding.field(
      "burst_overhead_cycles", burst_overhead_cycles,
      UnsignedSpec{"cycles", "engine cycles between the issue of two bursts' reads", 0, 1'000'000});
  binding.field("outstanding", outstanding,
                UnsignedSpec{"bursts", "burst reads a channel keeps in flight", 1, 1024});
  binding.field("register_latency_cycles", register_latency_cycles,
                UnsignedSpec{"cycles", "cost of one register access", 0, 1'000'000});
  binding.field("coherent", coherent,
                BoolSpec{"the engine snoops the CPU caches; when false the kernel cleans and "
                         "invalidates lines around a transfer"});
}

DmaEngine::DmaEngine(const sc_core::sc_module_name& name, const DmaConfig& config, bool dmi,
                     StatisticsRegistry& statistics)
    : sc_module(name),
      registers("registers"),
      port("socket", dmi),
      irq("irq"),
      config_(config),
      clock_(config.clock_mhz),
      descriptors_(
          statistics.counter(std::string(basename()) + ".descriptors", "descriptors processed")),
      starts_while_busy_(statistics.counter(std::string(basename()) + ".starts_while_busy",
                                            "start requests ignored: channel busy")),
      register_errors_(statistics.counter(std::string(basename()) + ".register_errors",
                                          "register accesses refused")) {
  if (!std::has_single_bit(config.burst_bytes)) {
    throw ConfigError("dma.burst_bytes: " + std::to_string(config.burst_bytes) +
                      " is not a power of two");
  }
  registers.bind(*this);
  for (size_t i = 0; i < config.channels; ++i) {
    auto channel = std::make_unique<Channel>();
    const std::string prefix = std::string(basename()) + ".channel" + std::to_string(i);
    channel->transfers = &statistics.counter(prefix + ".transfers", "chains started");
    channel->bytes = &statistics.counter(prefix + ".bytes", "bytes moved");
    channel->busy_cycles = &statistics.counter(prefix + ".busy_cycles", "engine cycles busy");
    channel->errors = &statistics.counter(prefix + ".errors", "chains stopped by an error");
    channels_.push_back(std::move(channel));
    sc_core::sc_spawn([this, i] { run_channel(i); }, ("channel" + std::to_string(i)).c_str());
  }
  // Only this method drives the output signals, whichever thread changed the state.
  sc_core::sc_spawn_options outputs;
  outputs.spawn_method();
  outputs.set_sensitivity(&irq_changed_);
  outputs.dont_initialize();
  sc_core::sc_spawn(
      [this] {
        irq.write(irq_status_ != 0);
        busy_.write(busy_channels_ != 0);
      },
      "drive_outputs", &outputs);
}

void DmaEngine::update_irq(const sc_core::sc_time& delay) {
  irq_changed_.notify(delay);
}

void DmaEngine::run_channel(size_t index) {
  Channel& channel = *channels_[index];
  while (true) {
    sc_core::wait(channel.start);
    run_chain(channel, index);
  }
}

void DmaEngine::run_chain(Channel& channel, size_t index) {
  channel.transfers->add();
  channel.status = regs::status_value(regs::ChannelState::busy, regs::ChannelError::none);
  channel.bytes_done = 0;
  channel.descriptors_done = 0;
  ++busy_channels_;
  update_irq();
  channel.started = sc_core::sc_time_stamp();
  const Ticks burst_issue = to_ticks(clock_.cycles(config_.burst_overhead_cycles));
  const Ticks quantum = to_ticks(tlm::tlm_global_quantum::instance().get());
  // Absolute times: when the engine may issue its next access, and when its last write is done.
  Ticks issue = to_ticks(channel.started + clock_.cycles(config_.setup_cycles));
  Ticks finished = issue;
  // Waits for SystemC time to catch up with the channel once it is a quantum ahead, so that the
  // core and other channels take their turns at the memory in time order.
  auto keep_quantum = [&] {
    const Ticks now = to_ticks(sc_core::sc_time_stamp());
    if (issue >= now + quantum) sc_core::wait(to_time(issue - now));
  };
  auto wait_until = [](Ticks time) {
    const Ticks now = to_ticks(sc_core::sc_time_stamp());
    if (time > now) sc_core::wait(to_time(time - now));
  };
  uint64_t address = channel.descriptor_address;
  while (true) {
    uint8_t raw[regs::kDescriptorBytes];
    sc_core::sc_time delay = to_time(issue - to_ticks(sc_core::sc_time_stamp()));
    const bool fetched = port.read(address, raw, sizeof raw, delay) == tlm::TLM_OK_RESPONSE;
    issue = to_ticks(sc_core::sc_time_stamp() + delay);
    if (!fetched) {
      wait_until(std::max(issue, finished));
      return finish(channel, index, regs::ChannelState::error, regs::ChannelError::descriptor_fetch,
                    address);
    }
    regs::Descriptor descriptor;
    std::memcpy(&descriptor, raw, sizeof descriptor);
    descriptor.source = le64toh(descriptor.source);
    descriptor.destination = le64toh(descriptor.destination);
    descriptor.length_bytes = le32toh(descriptor.length_bytes);
    descriptor.flags = le32toh(descriptor.flags);
    descriptor.next = le64toh(descriptor.next);
    descriptors_.add();
    issue += to_ticks(clock_.cycles(config_.descriptor_cycles));
    if ((descriptor.flags & regs::kDescriptorReservedFlags) != 0) {
      wait_until(std::max(issue, finished));
      return finish(channel, index, regs::ChannelState::error, regs::ChannelError::bad_descriptor,
                    address);
    }
    // A page at a time, so that the channel gives way to others every quantum.
    for (uint64_t done = 0; done < descriptor.length_bytes;) {
      const uint64_t chunk = std::min<uint64_t>(kChunkBytes, descriptor.length_bytes - done);
      const Ticks now = to_ticks(sc_core::sc_time_stamp());
      sc_core::sc_time chunk_delay = to_time(issue - now);
      const MemoryPort::CopyResult copy =
          port.copy_blocks(descriptor.source + done, descriptor.destination + done, chunk,
                           config_.burst_bytes, burst_issue, config_.outstanding, chunk_delay);
      finished = std::max(finished, now + to_ticks(chunk_delay));
      issue = now + to_ticks(copy.next_issue);
      channel.bytes_done += copy.bytes_done;
      channel.bytes->add(copy.bytes_done);
      if (copy.status != tlm::TLM_OK_RESPONSE) {
        wait_until(finished);
        return finish(
            channel, index, regs::ChannelState::error,
            copy.failed_on_write ? regs::ChannelError::destination : regs::ChannelError::source,
            address);
      }
      done += chunk;
      keep_quantum();
    }
    ++channel.descriptors_done;
    if ((descriptor.flags & regs::kDescriptorLast) != 0 || descriptor.next == 0) break;
    address = descriptor.next;
  }
  wait_until(std::max(issue, finished));
  finish(channel, index, regs::ChannelState::done, regs::ChannelError::none, 0);
}

void DmaEngine::finish(Channel& channel, size_t index, regs::ChannelState state,
                       regs::ChannelError error, uint64_t descriptor) {
  if (state == regs::ChannelState::error) {
    channel.errors->add();
    channel.error_descriptor = descriptor;
    ZXVP_LOG(LogLevel::warning, name())
        << "channel " << index << " stopped at descriptor 0x" << std::hex << descriptor
        << ", error " << static_cast<uint32_t>(error);
  } else {
    ZXVP_LOG(LogLevel::info, name())
        << "channel " << index << " moved " << channel.bytes_done << " bytes";
  }
  channel.status = regs::status_value(state, error);
  channel.busy_cycles->add(clock_.cycles_covering(sc_core::sc_time_stamp() - channel.started));
  --busy_channels_;
  if ((channel.control & regs::kControlIrqEnable) != 0) irq_status_ |= 1u << index;
  update_irq();
  if (observer_) {
    observer_(index, channel.started, sc_core::sc_time_stamp(), channel.bytes_done,
              state == regs::ChannelState::done);
  }
}

bool DmaEngine::register_read(uint64_t offset, unsigned int length, uint64_t& value) const {
  if (offset < regs::kChannelBase) {
    if (length != 4) return false;
    switch (offset) {
      case regs::kId:
        value = regs::kIdValue;
        return true;
      case regs::kChannelCount:
        value = channels_.size();
        return true;
      case regs::kIrqStatus:
        value = irq_status_;
        return true;
      case regs::kCoherent:
        value = config_.coherent ? 1 : 0;
        return true;
      default:
        return false;
    }
  }
  const uint64_t index = (offset - regs::kChannelBase) / regs::kChannelStride;
  if (index >= channels_.size()) return false;
  const Channel& channel = *channels_[index];
  switch ((offset - regs::kChannelBase) % regs::kChannelStride) {
    case regs::kDescriptorAddress:
      value = channel.descriptor_address;
      return length == 8;
    case regs::kControl:
      value = channel.control;
      return length == 4;
    case regs::kStatus:
      value = channel.status;
      return length == 4;
    case regs::kErrorDescriptor:
      value = channel.error_descriptor;
      return length == 8;
    case regs::kBytesDone:
      value = channel.bytes_done;
      return length == 8;
    case regs::kDescriptorsDone:
      value = channel.descriptors_done;
      return length == 4;
    default:
      return false;
  }
}

bool DmaEngine::register_write(uint64_t offset, unsigned int length, uint64_t value,
                               const sc_core::sc_time& delay) {
  if (offset == regs::kIrqStatus && length == 4) {
    irq_status_ &= ~static_cast<uint32_t>(value);
    update_irq(delay);
    return true;
  }
  if (offset < regs::kChannelBase) return false;
  const uint64_t index = (offset - regs::kChannelBase) / regs::kChannelStride;
  if (index >= channels_.size()) return false;
  Channel& channel = *channels_[index];
  const bool busy = regs::status_state(channel.status) == regs::ChannelState::busy;
  switch ((offset - regs::kChannelBase) % regs::kChannelStride) {
    case regs::kDescriptorAddress:
      if (length != 8) return false;
      if (!busy) channel.descriptor_address = value;
      return true;
    case regs::kControl:
      if (length != 4) return false;
      channel.control = static_cast<uint32_t>(value) & regs::kControlIrqEnable;
      if ((value & regs::kControlStart) != 0) {
        if (busy) {
          starts_while_busy_.add();
        } else {
          // Busy from the moment of the write, so that a status read right after sees it.
          channel.status = regs::status_value(regs::ChannelState::busy, regs::ChannelError::none);
          channel.start.notify(delay);
        }
      }
      return true;
    default:
      return false;
  }
}

void DmaEngine::b_transport(tlm::tlm_generic_payload& payload, sc_core::sc_time& delay) {
  delay += clock_.cycles(config_.register_latency_cycles);
  const uint64_t offset = payload.get_address();
  const unsigned int length = payload.get_data_length();
  if ((length != 4 && length != 8) || offset % length != 0 ||
      payload.get_byte_enable_ptr() != nullptr) {
    register_errors_.add();
    payload.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
    return;
  }
  uint64_t value = 0;
  bool ok = false;
  if (payload.is_read()) {
    ok = register_read(offset, length, value);
    value = htole64(value);
    if (ok) std::memcpy(payload.get_data_ptr(), &value, length);
  } else if (payload.is_write()) {
    std::memcpy(&value, payload.get_data_ptr(), length);
    ok = register_write(offset, length, le64toh(value), delay);
  }
  if (!ok) register_errors_.add();
  payload.set_response_status(ok ? tlm::TLM_OK_RESPONSE : tlm::TLM_ADDRESS_ERROR_RESPONSE);
}

tlm::tlm_sync_enum DmaEngine::nb_transport_fw(tlm::tlm_generic_payload& payload,
                                              tlm::tlm_phase& phase, sc_core::sc_time& delay) {
  b_transport(payload, delay);
  phase = tlm::END_RESP;
  return tlm::TLM_COMPLETED;
}

bool DmaEngine::get_direct_mem_ptr(tlm::tlm_generic_payload&, tlm::tlm_dmi&) {
  return false;  // registers have side effects
}

unsigned int DmaEngine::transport_dbg(tlm::tlm_generic_payload& payload) {
  if (!payload.is_read()) return 0;
  const unsigned int length = payload.get_data_length();
  uint64_t value = 0;
  if ((length != 4 && length != 8) || !register_read(payload.get_address(), length, value)) {
    return 0;
  }
  value = htole64(value);
  std::memcpy(payload.get_data_ptr(), &value, length);
  return length;
}

}  // namespace zxvp
