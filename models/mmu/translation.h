#pragma once

#include <cstdint>
#include <string_view>

namespace zxvp {

// The memory types a page-table entry can give a page: Zircon's four cache policies, with the
// same numbers (ZX_CACHE_POLICY_CACHED = 0 ... WRITE_COMBINING = 3).
enum class MemoryType : uint8_t {
  cached = 0,
  uncached = 1,
  uncached_device = 2,
  write_combining = 3,
};

enum class AccessType : uint8_t { read, write, execute };

enum class Privilege : uint8_t { kernel, user };

// Why a translation failed. `not_mapped` covers an invalid entry at any level; an address
// outside the 48-bit space (bits 63..48 not zero) is `address_size`; the permission faults say
// which permission the page lacked.
enum class Fault : uint8_t {
  none,
  not_mapped,
  address_size,
  permission_read,
  permission_write,
  permission_execute,
  permission_user,
};

// A phrase for messages ("no write permission") and an identifier for statistics keys.
std::string_view fault_name(Fault fault);
std::string_view fault_id(Fault fault);
std::string_view memory_type_name(MemoryType type);

struct Translation {
  Fault fault = Fault::none;
  uint64_t physical_address = 0;
  MemoryType memory_type = MemoryType::cached;

  bool ok() const { return fault == Fault::none; }
};

}  // namespace zxvp
