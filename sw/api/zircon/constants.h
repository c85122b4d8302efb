#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "sw/api/zircon/types.h"

// Zircon's own name for a status ("ZX_ERR_BAD_STATE"); "(UNKNOWN)" for a value it has no name for.
const char* zx_status_get_string(zx_status_t status);

namespace zxvp {

// The value of a Zircon constant by its full name: statuses, rights and right groups, VMO and
// child options, cache policies, op_range ops, VM options. Used to read scenarios.
std::optional<int64_t> zircon_constant(std::string_view name);

}  // namespace zxvp
