#include "models/mmu/translation.h"

namespace zxvp {

std::string_view fault_name(Fault fault) {
  switch (fault) {
    case Fault::none:
      return "none";
    case Fault::not_mapped:
      return "not mapped";
    case Fault::address_size:
      return "address outside the 48-bit space";
    case Fault::permission_read:
      return "no read permission";
    case Fault::permission_write:
      return "no write permission";
    case Fault::permission_execute:
      return "no execute permission";
    case Fault::permission_user:
      return "not a user page";
  }
  return "unknown";
}

std::string_view fault_id(Fault fault) {
  switch (fault) {
    case Fault::none:
      return "none";
    case Fault::not_mapped:
      return "not_mapped";
    case Fault::address_size:
      return "address_size";
    case Fault::permission_read:
      return "permission_read";
    case Fault::permission_write:
      return "permission_write";
    case Fault::permission_execute:
      return "permission_execute";
    case Fault::permission_user:
      return "permission_user";
  }
  return "unknown";
}

std::string_view memory_type_name(MemoryType type) {
  switch (type) {
    case MemoryType::cached:
      return "cached";
    case MemoryType::uncached:
      return "uncached";
    case MemoryType::uncached_device:
      return "uncached-device";
    case MemoryType::write_combining:
      return "write-combining";
  }
  return "unknown";
}

}  // namespace zxvp
