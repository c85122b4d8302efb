#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "sw/api/zircon/status.h"
#include "sw/api/zircon/types.h"

namespace zxvp {

// The value of a Zircon constant by its full name: statuses, rights and right groups, VMO and
// child options, cache policies, op_range ops, VM options. Used to read scenarios.
std::optional<int64_t> zircon_constant(std::string_view name);

}  // namespace zxvp
