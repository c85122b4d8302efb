// GDB's remote protocol framing: checksums, escapes, hex, and the reader that splits a byte
// stream into packets, acknowledgements and interrupts, bad input included.
#include "sim/debug/gdb_packet.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace zxvp::gdb {
namespace {

std::vector<PacketReader::Event> feed(PacketReader& reader, std::string_view bytes) {
  std::vector<PacketReader::Event> events;
  reader.feed(bytes, &events);
  return events;
}

TEST(GdbPacket, FramesWithTheChecksumOfThePayload) {
  EXPECT_EQ(frame("OK"), "$OK#9a");
  EXPECT_EQ(frame(""), "$#00");
  EXPECT_EQ(checksum("qSupported"), 0x37);
}

TEST(GdbPacket, EscapesAndUnescapesBinaryData) {
  const std::string data = std::string("a#b$c}d*e\0f", 11);
  const std::string escaped = escape_binary(data);
  EXPECT_EQ(escaped.find_first_of("#$*"), std::string::npos);
  EXPECT_EQ(unescape_binary(escaped), data);
  EXPECT_FALSE(unescape_binary("abc}").has_value());
}

TEST(GdbPacket, HexAndRegistersInTheTargetsByteOrder) {
  EXPECT_EQ(to_hex("OK"), "4f4b");
  EXPECT_EQ(from_hex("4f4B"), (std::vector<uint8_t>{0x4f, 0x4b}));
  EXPECT_FALSE(from_hex("4f4").has_value());
  EXPECT_FALSE(from_hex("zz").has_value());
  EXPECT_EQ(parse_hex("10000134"), 0x10000134u);
  EXPECT_FALSE(parse_hex("").has_value());
  EXPECT_FALSE(parse_hex("12345678901234567").has_value());  // more than 64 bits
  EXPECT_FALSE(parse_hex("-1").has_value());
  EXPECT_EQ(register_hex(0x10000134), "3401001000000000");
  EXPECT_EQ(parse_register_hex("3401001000000000"), 0x10000134u);
  EXPECT_FALSE(parse_register_hex("34010010").has_value());
}

TEST(GdbPacket, TheReaderSplitsPacketsAcksAndInterrupts) {
  PacketReader reader;
  const auto events = feed(reader, "+$qC#b4\x03-$g#6");
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[0].kind, PacketReader::Event::Kind::ack);
  EXPECT_EQ(events[1].kind, PacketReader::Event::Kind::packet);
  EXPECT_EQ(events[1].payload, "qC");
  EXPECT_EQ(events[2].kind, PacketReader::Event::Kind::interrupt);
  EXPECT_EQ(events[3].kind, PacketReader::Event::Kind::nack);
  // The rest of a packet in the next read.
  const auto rest = feed(reader, "7");
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0].payload, "g");
}

TEST(GdbPacket, BadChecksumsMalformedAndOverlongPacketsAreReportedBad) {
  PacketReader reader;
  for (const std::string bad : {"$qC#00", "$qC#zz", "$qC$g#67"}) {
    const auto events = feed(reader, bad);
    ASSERT_FALSE(events.empty()) << bad;
    EXPECT_EQ(events[0].kind, PacketReader::Event::Kind::bad_packet) << bad;
  }
  const std::string huge = "$" + std::string(3 * kMaxPayloadBytes, 'a') + "#00";
  const auto events = feed(reader, huge);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, PacketReader::Event::Kind::bad_packet);
  // The reader goes on after them.
  const auto good = feed(reader, "garbage$qC#b4");
  ASSERT_EQ(good.size(), 1u);
  EXPECT_EQ(good[0].payload, "qC");
}

}  // namespace
}  // namespace zxvp::gdb
