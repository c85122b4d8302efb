#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace zxvp {

inline constexpr uint64_t KiB = 1024;
inline constexpr uint64_t MiB = 1024 * KiB;
inline constexpr uint64_t GiB = 1024 * MiB;
inline constexpr uint64_t TiB = 1024 * GiB;

// Parses an unsigned 64-bit integer written in decimal or 0x hex, optionally followed by a binary
// unit (B, KiB, MiB, GiB, TiB; spaces allowed before the unit). On failure returns nullopt and
// says why in `why`: a sign, a number too large for 64 bits, an unknown unit, stray characters.
std::optional<uint64_t> parse_unsigned(std::string_view text, std::string& why);

// Parses a real number (decimal, optional exponent); refuses trailing characters.
std::optional<double> parse_real(std::string_view text, std::string& why);

// Parses true/false (also yes/no, on/off, 1/0).
std::optional<bool> parse_bool(std::string_view text, std::string& why);

// "64GiB", "4KiB", "12345 B": the largest binary unit that divides the value exactly.
std::string format_bytes(uint64_t bytes);

// "0x10000130": an address or a raw value, in lower-case hex.
std::string format_hex(uint64_t value);

}  // namespace zxvp
