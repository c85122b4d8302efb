#include "sw/workloads/memory_probe.h"

#include <iomanip>
#include <random>

#include "sim/params/units.h"

namespace zxvp {

MemoryProbe::MemoryProbe(DefaultPlatform& platform, uint64_t window_bytes)
    : platform_(platform), window_bytes_(window_bytes) {
  for (const bool write : {true, false}) {
    for (const uint64_t size : {uint64_t{64}, uint64_t{4096}}) {
      Pass pass;
      pass.name = std::string(write ? "write" : "read") + " " + format_bytes(size);
      pass.write = write;
      pass.access_bytes = size;
      passes_.push_back(pass);
    }
  }
}

void MemoryProbe::spawn() {
  sc_core::sc_spawn([this] { run(); }, "memory_probe");
}

void MemoryProbe::run() {
  TrafficInitiator& traffic = platform_.traffic;
  const uint64_t base = platform_.address_map().memory_base;
  const MemoryController& memory = platform_.memory.controller();
  const sc_core::sc_time hop = platform_.bus.hop_latency();
  // The closed form follows the rows the accesses open, bank by bank.
  std::vector<uint64_t> open_rows(memory.banks(), ~uint64_t{0});
  auto row_cost = [&](uint64_t local_address) {
    const uint64_t row = local_address / memory.row_bytes();
    uint64_t& open = open_rows[row % open_rows.size()];
    const bool hit = open == row;
    open = row;
    return hit ? sc_core::SC_ZERO_TIME : to_time(memory.row_miss());
  };

  std::vector<uint8_t> pattern(window_bytes_);
  std::mt19937_64 random(0x7A78'7670);
  for (auto& byte : pattern)
    byte = static_cast<uint8_t>(random());
  std::vector<uint8_t> readback(window_bytes_);

  for (Pass& pass : passes_) {
    const sc_core::sc_time start = traffic.local_time();
    for (uint64_t offset = 0; offset < window_bytes_; offset += pass.access_bytes) {
      const uint64_t length = std::min(pass.access_bytes, window_bytes_ - offset);
      const auto status = pass.write
                              ? traffic.write(base + offset, pattern.data() + offset, length)
                              : traffic.read(base + offset, readback.data() + offset, length);
      if (status != tlm::TLM_OK_RESPONSE) ++failed_accesses_;
      ++pass.accesses;
      pass.expected += hop +
                       to_time(memory.unloaded_latency(
                           pass.write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND, length)) +
                       row_cost(offset);
    }
    pass.simulated = traffic.local_time() - start;
    if (!pass.write) {
      for (uint64_t i = 0; i < window_bytes_; ++i)
        mismatched_bytes_ += readback[i] != pattern[i];
    }
  }
  traffic.sync();
  finished_ = true;
}

bool MemoryProbe::timing_ok() const {
  for (const Pass& pass : passes_) {
    if (pass.simulated != pass.expected) return false;
  }
  return true;
}

void MemoryProbe::print(std::ostream& out) const {
  out << "memory probe: " << format_bytes(window_bytes_) << " at 0x" << std::hex
      << platform_.address_map().memory_base << std::dec << ", DMI "
      << (platform_.sim_config().dmi ? "on" : "off") << "\n";
  out << "  " << std::left << std::setw(12) << "pass" << std::right << std::setw(10) << "accesses"
      << std::setw(16) << "simulated ns" << std::setw(16) << "closed form ns" << std::setw(12)
      << "ns/access" << std::setw(10) << "GB/s"
      << "\n";
  for (const Pass& pass : passes_) {
    const double ns = pass.simulated.to_seconds() * 1e9;
    out << "  " << std::left << std::setw(12) << pass.name << std::right << std::setw(10)
        << pass.accesses << std::fixed << std::setprecision(1) << std::setw(16) << ns
        << std::setw(16) << pass.expected.to_seconds() * 1e9 << std::setw(12)
        << ns / static_cast<double>(pass.accesses) << std::setprecision(2) << std::setw(10)
        << static_cast<double>(window_bytes_) / ns << "\n";
  }
  out << "  read-back: " << (data_ok() ? "every byte matches" : "MISMATCH") << " ("
      << mismatched_bytes_ << " bytes differ, " << failed_accesses_ << " accesses failed)\n";
  out << "  timing:    "
      << (timing_ok() ? "equals the closed form" : "DIFFERS from the closed form") << "\n";
}

}  // namespace zxvp
