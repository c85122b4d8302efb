#pragma once

#include <cstdint>

// The DMA engine's programming interface; REGISTERS.md beside this file documents it. Shared by
// the model and by the software that drives it (the kernel model's DMA driver).
namespace zxvp::dma_registers {

// Global registers.
inline constexpr uint64_t kId = 0x000;             // RO 32: kIdValue
inline constexpr uint64_t kChannelCount = 0x004;   // RO 32
inline constexpr uint64_t kIrqStatus = 0x008;      // RW1C 32: bit n = channel n finished
inline constexpr uint64_t kCoherent = 0x00C;       // RO 32: 1 when coherent with CPU caches
inline constexpr uint32_t kIdValue = 0x5A58'444D;  // "ZXDM"

// Channel n's registers start at kChannelBase + n * kChannelStride.
inline constexpr uint64_t kChannelBase = 0x100;
inline constexpr uint64_t kChannelStride = 0x40;
inline constexpr uint64_t kDescriptorAddress = 0x00;  // RW 64: first descriptor (physical)
inline constexpr uint64_t kControl = 0x08;            // RW 32: kControl* bits
inline constexpr uint64_t kStatus = 0x0C;             // RO 32: state | error << 8
inline constexpr uint64_t kErrorDescriptor = 0x10;    // RO 64: the descriptor that failed
inline constexpr uint64_t kBytesDone = 0x18;          // RO 64
inline constexpr uint64_t kDescriptorsDone = 0x20;    // RO 32
inline constexpr uint64_t kRegisterBlockBytes = 0x1000;

inline constexpr uint32_t kControlStart = 1u << 0;  // write 1 to start; reads as 0
inline constexpr uint32_t kControlIrqEnable = 1u << 1;

enum class ChannelState : uint32_t { idle = 0, busy = 1, done = 2, error = 3 };
enum class ChannelError : uint32_t {
  none = 0,
  descriptor_fetch = 1,  // the descriptor's address got a bus error
  source = 2,            // a source read got a bus error
  destination = 3,       // a destination write got a bus error
  bad_descriptor = 4,    // reserved flag bits set
};
inline constexpr uint32_t status_value(ChannelState state, ChannelError error) {
  return static_cast<uint32_t>(state) | static_cast<uint32_t>(error) << 8;
}
inline constexpr ChannelState status_state(uint32_t status) {
  return static_cast<ChannelState>(status & 0xFF);
}
inline constexpr ChannelError status_error(uint32_t status) {
  return static_cast<ChannelError>((status >> 8) & 0xFF);
}

// A descriptor in memory: 32 bytes, little endian, 8-byte aligned.
inline constexpr uint64_t kDescriptorBytes = 32;
struct Descriptor {
  uint64_t source = 0;       // physical
  uint64_t destination = 0;  // physical
  uint32_t length_bytes = 0;
  uint32_t flags = 0;  // kDescriptorLast; other bits reserved (must be 0)
  uint64_t next = 0;   // physical address of the next descriptor; 0 ends the chain
};
static_assert(sizeof(Descriptor) == kDescriptorBytes);
inline constexpr uint32_t kDescriptorLast = 1u << 0;
inline constexpr uint32_t kDescriptorReservedFlags = ~kDescriptorLast;

}  // namespace zxvp::dma_registers
