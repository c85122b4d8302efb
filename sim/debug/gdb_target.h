#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace zxvp {

// A register as GDB's target description names it: `number` is its number in the protocol
// (p and P packets, and the g packet's order), `feature` the description's feature it goes in.
struct GdbRegister {
  std::string name;
  unsigned number = 0;
  std::string type;  // "int", "code_ptr", "data_ptr"
  std::string feature;
};

// What a GDB stub (GdbStub) debugs: one thread, 64-bit registers, memory by virtual address.
// Everything here is the debugger looking: no simulated time passes and no statistic counts.
class GdbTarget {
 public:
  enum class Point : uint8_t { software, hardware, write_watch, read_watch, access_watch };

  virtual ~GdbTarget() = default;

  // GDB's name of the architecture ("riscv:rv64").
  virtual std::string_view architecture() const = 0;
  // In the g packet's order.
  virtual const std::vector<GdbRegister>& registers() const = 0;
  virtual bool read_register(unsigned number, uint64_t* value) = 0;
  virtual bool write_register(unsigned number, uint64_t value) = 0;
  // Reads up to `length` bytes from `address`; returns how many could be read from the start.
  virtual size_t read_memory(uint64_t address, uint8_t* data, size_t length) = 0;
  // All or nothing.
  virtual bool write_memory(uint64_t address, const uint8_t* data, size_t length) = 0;
  virtual bool insert_point(Point type, uint64_t address, uint64_t length) = 0;
  virtual bool remove_point(Point type, uint64_t address, uint64_t length) = 0;
  // A `monitor` command's output.
  virtual std::string monitor(std::string_view command) = 0;
};

}  // namespace zxvp
