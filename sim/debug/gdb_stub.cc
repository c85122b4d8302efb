#include "sim/debug/gdb_stub.h"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "sim/debug/gdb_packet.h"

namespace zxvp {

namespace {

constexpr const char* kMalformed = "E01";
constexpr const char* kBadAddress = "E14";  // EFAULT

std::string hex_number(uint64_t value) {
  char text[20];
  std::snprintf(text, sizeof text, "%llx", static_cast<unsigned long long>(value));
  return text;
}

std::string two_digits(int value) {
  char text[4];
  std::snprintf(text, sizeof text, "%02x", value & 0xff);
  return text;
}

// "ADDRESS,LENGTH" in hex.
bool parse_range(std::string_view text, uint64_t* address, uint64_t* length) {
  const size_t comma = text.find(',');
  if (comma == std::string_view::npos) return false;
  const auto first = gdb::parse_hex(text.substr(0, comma));
  const auto second = gdb::parse_hex(text.substr(comma + 1));
  if (!first || !second) return false;
  *address = *first;
  *length = *second;
  return true;
}

}  // namespace

GdbStub::Response GdbStub::handle(std::string_view payload) {
  if (payload.empty()) return {""};
  const std::string_view rest = payload.substr(1);
  switch (payload[0]) {
    case '?':
      return {last_stop_};
    case 'g':
      return rest.empty() ? read_registers() : Response{kMalformed};
    case 'G':
      return write_registers(rest);
    case 'p':
      return read_register(rest);
    case 'P':
      return write_register(rest);
    case 'm':
      return read_memory(rest);
    case 'M':
      return write_memory(rest, false);
    case 'X':
      return write_memory(rest, true);
    case 'Z':
      return point(rest, true);
    case 'z':
      return point(rest, false);
    case 'c':
    case 'C':
    case 's':
    case 'S':
      return resumption(payload[0]);
    case 'v':
      if (payload == "vCont?") return {"vCont;c;C;s;S"};
      if (payload.starts_with("vCont;")) return resume(payload.substr(6));
      if (payload.starts_with("vKill")) return {"OK", true, Action::kill};
      return {""};
    case 'q':
    case 'Q':
      return query(payload);
    case 'H': {
      // Hg / Hc with -1 (all threads), 0 (any) or our thread: there is one.
      const std::string_view thread = rest.empty() ? rest : rest.substr(1);
      const auto id = gdb::parse_hex(thread);
      const bool known = thread == "-1" || (id && (*id == 0 || *id == kThread));
      return {!rest.empty() && (rest[0] == 'g' || rest[0] == 'c') && known ? "OK" : kMalformed};
    }
    case 'T': {
      // Thread alive: only ours (any id GDB uses for it).
      const auto thread = gdb::parse_hex(rest);
      return {thread && *thread == kThread ? "OK" : kMalformed};
    }
    case 'D':
      return {"OK", true, Action::detach};
    case 'k':
      return {"", false, Action::kill};
    default:
      return {""};
  }
}

std::string GdbStub::stop_reply(const GdbStopEvent& event) {
  // What a T packet adds after the signal: the thread, then why.
  std::string why;
  switch (event.kind) {
    case GdbStopEvent::Kind::signal:
      break;
    case GdbStopEvent::Kind::software_break:
      why = "swbreak:;";
      break;
    case GdbStopEvent::Kind::hardware_break:
      why = "hwbreak:;";
      break;
    case GdbStopEvent::Kind::watch:
      why = "watch:" + hex_number(event.address) + ";";
      break;
    case GdbStopEvent::Kind::read_watch:
      why = "rwatch:" + hex_number(event.address) + ";";
      break;
    case GdbStopEvent::Kind::access_watch:
      why = "awatch:" + hex_number(event.address) + ";";
      break;
    case GdbStopEvent::Kind::exited:
      last_stop_ = std::string("W").append(two_digits(event.signal));
      return last_stop_;
    case GdbStopEvent::Kind::killed:
      last_stop_ = std::string("X").append(two_digits(event.signal));
      return last_stop_;
  }
  last_stop_ =
      std::string("T")
          .append(two_digits(event.kind == GdbStopEvent::Kind::signal ? event.signal
                                                                      : GdbStopEvent::kSigTrap))
          .append("thread:")
          .append(hex_number(kThread))
          .append(";")
          .append(why);
  return last_stop_;
}

std::string GdbStub::target_xml() const {
  std::string xml =
      "<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
      "<target version=\"1.0\">\n<architecture>" +
      std::string(target_.architecture()) + "</architecture>\n";
  std::string feature;
  for (const GdbRegister& reg : target_.registers()) {
    if (reg.feature != feature) {
      if (!feature.empty()) xml += "</feature>\n";
      feature = reg.feature;
      xml += "<feature name=\"" + feature + "\">\n";
    }
    xml += "  <reg name=\"" + reg.name + "\" bitsize=\"64\" type=\"" + reg.type + "\" regnum=\"" +
           std::to_string(reg.number) + "\"/>\n";
  }
  if (!feature.empty()) xml += "</feature>\n";
  return xml + "</target>\n";
}

GdbStub::Response GdbStub::read_registers() {
  std::string hex;
  for (const GdbRegister& reg : target_.registers()) {
    uint64_t value = 0;
    // A register the target cannot read now travels as unknown.
    hex +=
        target_.read_register(reg.number, &value) ? gdb::register_hex(value) : std::string(16, 'x');
  }
  return {hex};
}

GdbStub::Response GdbStub::write_registers(std::string_view hex) {
  const auto& registers = target_.registers();
  if (hex.size() != registers.size() * 16) return {kMalformed};
  std::vector<uint64_t> values;
  for (size_t i = 0; i < registers.size(); ++i) {
    const auto value = gdb::parse_register_hex(hex.substr(i * 16, 16));
    if (!value) return {kMalformed};
    values.push_back(*value);
  }
  // Read-only registers (the counters) keep their values; so does a register written with its
  // own value.
  for (size_t i = 0; i < registers.size(); ++i) {
    uint64_t old = 0;
    if (target_.read_register(registers[i].number, &old) && old != values[i]) {
      target_.write_register(registers[i].number, values[i]);
    }
  }
  return {"OK"};
}

GdbStub::Response GdbStub::read_register(std::string_view arguments) {
  const auto number = gdb::parse_hex(arguments);
  uint64_t value = 0;
  if (!number || *number > UINT32_MAX) return {kMalformed};
  if (!target_.read_register(static_cast<unsigned>(*number), &value)) return {kMalformed};
  return {gdb::register_hex(value)};
}

GdbStub::Response GdbStub::write_register(std::string_view arguments) {
  const size_t equals = arguments.find('=');
  if (equals == std::string_view::npos) return {kMalformed};
  const auto number = gdb::parse_hex(arguments.substr(0, equals));
  const auto value = gdb::parse_register_hex(arguments.substr(equals + 1));
  if (!number || !value || *number > UINT32_MAX) return {kMalformed};
  return {target_.write_register(static_cast<unsigned>(*number), *value) ? "OK" : kMalformed};
}

GdbStub::Response GdbStub::read_memory(std::string_view arguments) {
  uint64_t address = 0;
  uint64_t length = 0;
  if (!parse_range(arguments, &address, &length) || length == 0) return {kMalformed};
  // A reply may be shorter than asked: GDB asks again for the rest.
  length = std::min<uint64_t>(length, gdb::kMaxPayloadBytes / 2);
  std::vector<uint8_t> bytes(length);
  const size_t read = target_.read_memory(address, bytes.data(), bytes.size());
  if (read == 0) return {kBadAddress};
  return {gdb::to_hex(bytes.data(), read)};
}

GdbStub::Response GdbStub::write_memory(std::string_view arguments, bool binary) {
  const size_t colon = arguments.find(':');
  uint64_t address = 0;
  uint64_t length = 0;
  if (colon == std::string_view::npos ||
      !parse_range(arguments.substr(0, colon), &address, &length)) {
    return {kMalformed};
  }
  const std::string_view data = arguments.substr(colon + 1);
  std::vector<uint8_t> bytes;
  if (binary) {
    const auto unescaped = gdb::unescape_binary(data);
    if (!unescaped) return {kMalformed};
    bytes.assign(unescaped->begin(), unescaped->end());
  } else {
    auto decoded = gdb::from_hex(data);
    if (!decoded) return {kMalformed};
    bytes = std::move(*decoded);
  }
  if (bytes.size() != length) return {kMalformed};
  // `X addr,0:` is GDB's probe for the X packet.
  if (length == 0) return {"OK"};
  return {target_.write_memory(address, bytes.data(), bytes.size()) ? "OK" : kBadAddress};
}

GdbStub::Response GdbStub::point(std::string_view arguments, bool insert) {
  // TYPE,ADDRESS,KIND[;conditions]: conditions are not supported and ignored.
  const std::string_view fields = arguments.substr(0, arguments.find(';'));
  const size_t comma = fields.find(',');
  if (comma == std::string_view::npos) return {kMalformed};
  const auto type = gdb::parse_hex(fields.substr(0, comma));
  uint64_t address = 0;
  uint64_t length = 0;
  if (!type || !parse_range(fields.substr(comma + 1), &address, &length)) return {kMalformed};
  if (*type > 4) return {""};
  const auto kind = static_cast<GdbTarget::Point>(*type);
  const bool done = insert ? target_.insert_point(kind, address, length)
                           : target_.remove_point(kind, address, length);
  return {done ? "OK" : kMalformed};
}

GdbStub::Response GdbStub::resume(std::string_view actions) {
  // ACTION[:THREAD] separated by ';': the first that applies to our thread wins.
  while (!actions.empty()) {
    const size_t end = std::min(actions.find(';'), actions.size());
    const std::string_view action = actions.substr(0, end);
    actions = end < actions.size() ? actions.substr(end + 1) : std::string_view{};
    const size_t colon = action.find(':');
    if (colon != std::string_view::npos) {
      const std::string_view thread = action.substr(colon + 1);
      const auto id = gdb::parse_hex(thread);
      if (thread != "-1" && (!id || *id != kThread)) continue;
    }
    if (action.empty()) return {kMalformed};
    return resumption(action[0]);
  }
  return {kMalformed};
}

GdbStub::Response GdbStub::resumption(char command) {
  // The signal of C and S, and the address of c and s, are not used: the program goes on from
  // where it stopped, with nothing delivered.
  switch (command) {
    case 'c':
    case 'C':
      return {"", false, Action::resume};
    case 's':
    case 'S':
      return {"", false, Action::step};
    default:
      return {kMalformed};
  }
}

GdbStub::Response GdbStub::query(std::string_view payload) {
  if (payload.starts_with("qSupported")) {
    return {
        std::string("PacketSize=")
            .append(hex_number(gdb::kMaxPayloadBytes))
            .append(";qXfer:features:read+;swbreak+;hwbreak+;QStartNoAckMode+;vContSupported+")};
  }
  if (payload == "QStartNoAckMode") {
    no_ack_ = true;
    return {"OK"};
  }
  if (payload == "qAttached" || payload.starts_with("qAttached:")) return {"1"};
  if (payload == "qC") return {std::string("QC").append(hex_number(kThread))};
  if (payload == "qfThreadInfo") return {std::string("m").append(hex_number(kThread))};
  if (payload == "qsThreadInfo") return {"l"};
  if (payload.starts_with("qSymbol:")) return {"OK"};
  if (payload.starts_with("qXfer:features:read:")) {
    return features(payload.substr(std::string_view("qXfer:features:read:").size()));
  }
  if (payload.starts_with("qRcmd,")) {
    const auto command = gdb::from_hex(payload.substr(6));
    if (!command) return {kMalformed};
    const std::string output = target_.monitor(
        std::string_view(reinterpret_cast<const char*>(command->data()), command->size()));
    // As console output packets, each within a packet, then OK.
    Response response{"OK"};
    constexpr size_t kChunkBytes = gdb::kMaxPayloadBytes / 2 - 1;
    for (size_t at = 0; at < output.size(); at += kChunkBytes) {
      response.output.push_back(
          std::string("O").append(gdb::to_hex(std::string_view(output).substr(at, kChunkBytes))));
    }
    return response;
  }
  return {""};
}

GdbStub::Response GdbStub::features(std::string_view arguments) {
  // ANNEX:OFFSET,LENGTH
  const size_t colon = arguments.find(':');
  uint64_t offset = 0;
  uint64_t length = 0;
  if (colon == std::string_view::npos ||
      !parse_range(arguments.substr(colon + 1), &offset, &length)) {
    return {kMalformed};
  }
  if (arguments.substr(0, colon) != "target.xml") return {"E00"};
  const std::string xml = target_xml();
  if (offset >= xml.size()) return {"l"};
  // Escaping can double a byte: half a packet of XML always fits.
  length = std::min<uint64_t>({length, xml.size() - offset, gdb::kMaxPayloadBytes / 2});
  const bool last = offset + length == xml.size();
  return {std::string(last ? "l" : "m")
              .append(gdb::escape_binary(std::string_view(xml).substr(offset, length)))};
}

}  // namespace zxvp
