#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace zxvp {

// The platform files compiled into zxvp, so that it runs from any directory.
std::optional<std::string_view> builtin_platform_text(std::string_view name);
std::vector<std::string_view> builtin_platform_names();

}  // namespace zxvp
