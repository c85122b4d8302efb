#include "sim/params/units.h"

#include <array>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <limits>
#include <utility>

namespace zxvp {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

constexpr std::array<std::pair<std::string_view, uint64_t>, 5> kByteUnits = {{
    {"B", 1},
    {"KiB", KiB},
    {"MiB", MiB},
    {"GiB", GiB},
    {"TiB", TiB},
}};

}  // namespace

std::optional<uint64_t> parse_unsigned(std::string_view text, std::string& why) {
  text = trim(text);
  if (text.empty()) {
    why = "empty value";
    return std::nullopt;
  }
  if (text.front() == '-') {
    why = "negative numbers are not allowed";
    return std::nullopt;
  }
  if (text.front() == '+') text.remove_prefix(1);
  int base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    base = 16;
    text.remove_prefix(2);
  }
  uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (error == std::errc::result_out_of_range) {
    why = "does not fit in 64 bits";
    return std::nullopt;
  }
  if (error != std::errc() || end == text.data()) {
    why = "not an unsigned integer";
    return std::nullopt;
  }
  const std::string_view unit = trim(std::string_view(end, text.data() + text.size() - end));
  if (unit.empty()) return value;
  if (base == 16) {
    why = "a hex number takes no unit";
    return std::nullopt;
  }
  for (const auto& [name, scale] : kByteUnits) {
    if (unit != name) continue;
    if (value > std::numeric_limits<uint64_t>::max() / scale) {
      why = "does not fit in 64 bits";
      return std::nullopt;
    }
    return value * scale;
  }
  why = "unknown unit '" + std::string(unit) + "' (units: B, KiB, MiB, GiB, TiB)";
  return std::nullopt;
}

std::optional<double> parse_real(std::string_view text, std::string& why) {
  text = trim(text);
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) {
    why = "not a number";
    return std::nullopt;
  }
  return value;
}

std::optional<bool> parse_bool(std::string_view text, std::string& why) {
  text = trim(text);
  if (text == "true" || text == "yes" || text == "on" || text == "1") return true;
  if (text == "false" || text == "no" || text == "off" || text == "0") return false;
  why = "not a boolean (true or false)";
  return std::nullopt;
}

std::string format_bytes(uint64_t bytes) {
  for (auto it = kByteUnits.rbegin(); it != kByteUnits.rend(); ++it) {
    if (it->second > 1 && bytes >= it->second && bytes % it->second == 0) {
      return std::to_string(bytes / it->second) + std::string(it->first);
    }
  }
  return std::to_string(bytes) + " B";
}

std::string format_hex(uint64_t value) {
  char text[24];
  std::snprintf(text, sizeof text, "0x%llx", static_cast<unsigned long long>(value));
  return text;
}

}  // namespace zxvp
