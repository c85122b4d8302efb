#include "sim/debug/gdb_packet.h"

namespace zxvp::gdb {

namespace {

constexpr char kDigits[] = "0123456789abcdef";

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool needs_escape(char c) {
  return c == '#' || c == '$' || c == '}' || c == '*';
}

}  // namespace

uint8_t checksum(std::string_view payload) {
  uint8_t sum = 0;
  for (const char c : payload)
    sum = static_cast<uint8_t>(sum + static_cast<uint8_t>(c));
  return sum;
}

std::string frame(std::string_view payload) {
  const uint8_t sum = checksum(payload);
  std::string packet;
  packet.reserve(payload.size() + 4);
  packet += '$';
  packet += payload;
  packet += '#';
  packet += kDigits[sum >> 4];
  packet += kDigits[sum & 15];
  return packet;
}

std::string escape_binary(std::string_view data) {
  std::string escaped;
  escaped.reserve(data.size());
  for (const char c : data) {
    if (needs_escape(c)) {
      escaped += '}';
      escaped += static_cast<char>(c ^ 0x20);
    } else {
      escaped += c;
    }
  }
  return escaped;
}

std::optional<std::string> unescape_binary(std::string_view data) {
  std::string bytes;
  bytes.reserve(data.size());
  for (size_t i = 0; i < data.size(); ++i) {
    if (data[i] != '}') {
      bytes += data[i];
      continue;
    }
    if (++i == data.size()) return std::nullopt;
    bytes += static_cast<char>(data[i] ^ 0x20);
  }
  return bytes;
}

std::string to_hex(const uint8_t* data, size_t length) {
  std::string hex;
  hex.reserve(length * 2);
  for (size_t i = 0; i < length; ++i) {
    hex += kDigits[data[i] >> 4];
    hex += kDigits[data[i] & 15];
  }
  return hex;
}

std::string to_hex(std::string_view text) {
  return to_hex(reinterpret_cast<const uint8_t*>(text.data()), text.size());
}

std::optional<std::vector<uint8_t>> from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::vector<uint8_t> bytes(hex.size() / 2);
  for (size_t i = 0; i < bytes.size(); ++i) {
    const int high = hex_value(hex[2 * i]);
    const int low = hex_value(hex[2 * i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    bytes[i] = static_cast<uint8_t>(high << 4 | low);
  }
  return bytes;
}

std::optional<uint64_t> parse_hex(std::string_view text) {
  if (text.empty() || text.size() > 16) return std::nullopt;
  uint64_t value = 0;
  for (const char c : text) {
    const int digit = hex_value(c);
    if (digit < 0) return std::nullopt;
    value = value << 4 | static_cast<uint64_t>(digit);
  }
  return value;
}

std::string register_hex(uint64_t value) {
  uint8_t bytes[8];
  for (unsigned i = 0; i < 8; ++i)
    bytes[i] = static_cast<uint8_t>(value >> (8 * i));
  return to_hex(bytes, sizeof bytes);
}

std::optional<uint64_t> parse_register_hex(std::string_view hex) {
  if (hex.size() != 16) return std::nullopt;
  const auto bytes = from_hex(hex);
  if (!bytes) return std::nullopt;
  uint64_t value = 0;
  for (unsigned i = 0; i < 8; ++i)
    value |= uint64_t{(*bytes)[i]} << (8 * i);
  return value;
}

void PacketReader::feed(std::string_view bytes, std::vector<Event>* events) {
  for (const char c : bytes) {
    switch (state_) {
      case State::idle:
        if (c == '$') {
          state_ = State::payload;
          payload_.clear();
          bad_ = false;
        } else if (c == '\x03') {
          events->push_back({Event::Kind::interrupt, {}});
        } else if (c == '+') {
          events->push_back({Event::Kind::ack, {}});
        } else if (c == '-') {
          events->push_back({Event::Kind::nack, {}});
        }
        break;
      case State::payload:
        if (c == '#') {
          state_ = State::checksum_high;
        } else if (c == '$') {
          // A packet cut short and a new one started: the first is lost.
          events->push_back({Event::Kind::bad_packet, {}});
          payload_.clear();
          bad_ = false;
        } else if (payload_.size() < 2 * kMaxPayloadBytes) {
          payload_ += c;
        } else {
          bad_ = true;
        }
        break;
      case State::checksum_high: {
        const int digit = hex_value(c);
        if (digit < 0) bad_ = true;
        sent_checksum_ = static_cast<uint8_t>(digit < 0 ? 0 : digit << 4);
        state_ = State::checksum_low;
        break;
      }
      case State::checksum_low: {
        const int digit = hex_value(c);
        const bool good = digit >= 0 && !bad_ &&
                          static_cast<uint8_t>(sent_checksum_ | digit) == checksum(payload_);
        events->push_back(good ? Event{Event::Kind::packet, std::move(payload_)}
                               : Event{Event::Kind::bad_packet, {}});
        payload_.clear();
        state_ = State::idle;
        break;
      }
    }
  }
}

}  // namespace zxvp::gdb
