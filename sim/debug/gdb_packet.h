#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace zxvp::gdb {

// GDB's remote serial protocol, the framing and encodings (GDB manual, "Overview" of the Remote
// Protocol): a packet is `$payload#cc`, cc the payload's bytes summed modulo 256 in two hex
// digits; binary data escapes `#`, `$`, `}` and `*` as `}` then the byte XOR 0x20. Pure
// functions: no sockets here.

// The largest payload accepted or sent (what qSupported announces as PacketSize).
inline constexpr size_t kMaxPayloadBytes = 0x4000;

uint8_t checksum(std::string_view payload);
// `$payload#cc` (the payload must already be escaped where it carries binary data).
std::string frame(std::string_view payload);
std::string escape_binary(std::string_view data);
// Undoes escape_binary; nullopt for a `}` at the end.
std::optional<std::string> unescape_binary(std::string_view data);

// Two hex digits a byte, lowercase.
std::string to_hex(const uint8_t* data, size_t length);
std::string to_hex(std::string_view text);
// nullopt for an odd length or a character that is no hex digit.
std::optional<std::vector<uint8_t>> from_hex(std::string_view hex);
// A number in hex, 1 to 16 digits; nullopt otherwise.
std::optional<uint64_t> parse_hex(std::string_view text);
// A 64-bit value in the target's byte order (little-endian), as registers travel.
std::string register_hex(uint64_t value);
std::optional<uint64_t> parse_register_hex(std::string_view hex);

// Splits what GDB sends into packets, acknowledgements and interrupts (a 0x03 byte outside a
// packet). Bytes outside packets that mean nothing are skipped; a packet with a wrong checksum,
// or larger than twice kMaxPayloadBytes (escapes included), is reported bad.
class PacketReader {
 public:
  struct Event {
    enum class Kind : uint8_t { packet, bad_packet, interrupt, ack, nack };
    Kind kind = Kind::packet;
    std::string payload;  // packet only
  };

  // Consumes `bytes`; appends the events they complete to `events`.
  void feed(std::string_view bytes, std::vector<Event>* events);

 private:
  enum class State : uint8_t { idle, payload, checksum_high, checksum_low };
  State state_ = State::idle;
  std::string payload_;
  uint8_t sent_checksum_ = 0;
  bool bad_ = false;  // too long, or a checksum digit that is no hex digit
};

}  // namespace zxvp::gdb
