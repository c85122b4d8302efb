#include "sw/kernel/process.h"

namespace zxvp {

namespace {
// A root VMAR is created with CAN_MAP_READ/WRITE/EXECUTE and CAN_MAP_SPECIFIC, so its handle
// carries READ, WRITE and EXECUTE besides the default VMAR rights.
constexpr zx_rights_t kRootVmarRights =
    ZX_DEFAULT_VMAR_RIGHTS | ZX_RIGHT_READ | ZX_RIGHT_WRITE | ZX_RIGHT_EXECUTE;
}  // namespace

Process::Process(std::string name, zx_koid_t koid, uint16_t asid, uint32_t handle_secret,
                 uint32_t& next_handle_id, std::shared_ptr<VmAddressRegion> root_vmar)
    : name_(std::move(name)),
      koid_(koid),
      asid_(asid),
      root_vmar_(std::move(root_vmar)),
      handles_(handle_secret, next_handle_id),
      root_vmar_handle_(handles_.add(root_vmar_, kRootVmarRights)) {}

}  // namespace zxvp
