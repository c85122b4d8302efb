// The GDB stub's commands against a fake target: registers, memory, breakpoints and
// watchpoints, resumption, queries, stop replies, and an error reply for every malformed command.
#include "sim/debug/gdb_stub.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "sim/debug/gdb_packet.h"

namespace zxvp {
namespace {

class FakeTarget : public GdbTarget {
 public:
  FakeTarget() {
    registers_ = {{"zero", 0, "int", "org.gnu.gdb.riscv.cpu"},
                  {"ra", 1, "code_ptr", "org.gnu.gdb.riscv.cpu"},
                  {"pc", 32, "code_ptr", "org.gnu.gdb.riscv.cpu"},
                  {"cycle", 3137, "int", "org.gnu.gdb.riscv.csr"}};
    values_ = {{0, 0}, {1, 0x1234}, {32, 0x10000000}, {3137, 99}};
  }
  std::string_view architecture() const override { return "riscv:rv64"; }
  const std::vector<GdbRegister>& registers() const override { return registers_; }
  bool read_register(unsigned number, uint64_t* value) override {
    if (!values_.contains(number)) return false;
    *value = values_[number];
    return true;
  }
  bool write_register(unsigned number, uint64_t value) override {
    if (number == 3137 || !values_.contains(number)) return false;
    values_[number] = value;
    return true;
  }
  // 16 bytes of memory at 0x1000.
  size_t read_memory(uint64_t address, uint8_t* data, size_t length) override {
    size_t done = 0;
    while (done < length && address + done >= 0x1000 && address + done < 0x1010) {
      data[done] = memory_[address + done - 0x1000];
      ++done;
    }
    return done;
  }
  bool write_memory(uint64_t address, const uint8_t* data, size_t length) override {
    if (address < 0x1000 || length > 0x10 || address - 0x1000 > 0x10 - length) return false;
    std::copy(data, data + length, memory_ + (address - 0x1000));
    return true;
  }
  bool insert_point(Point type, uint64_t address, uint64_t length) override {
    points_.push_back({type, address, length});
    return true;
  }
  bool remove_point(Point type, uint64_t address, uint64_t length) override {
    for (auto it = points_.begin(); it != points_.end(); ++it) {
      if (it->type == type && it->address == address && it->length == length) {
        points_.erase(it);
        return true;
      }
    }
    return false;
  }
  std::string monitor(std::string_view command) override {
    return "you said " + std::string(command) + "\n";
  }

  struct PointSet {
    Point type;
    uint64_t address;
    uint64_t length;
  };
  std::vector<PointSet> points_;
  uint8_t memory_[16] = {0xde, 0xad, 0xbe, 0xef};
  std::map<unsigned, uint64_t> values_;

 private:
  std::vector<GdbRegister> registers_;
};

std::string hex(uint64_t value) {
  char text[20];
  std::snprintf(text, sizeof text, "%llx", static_cast<unsigned long long>(value));
  return text;
}

std::string reply(GdbStub& stub, std::string_view payload) {
  return stub.handle(payload).reply;
}

TEST(GdbStub, RegistersInTheGPacketsOrderAndOneByOne) {
  FakeTarget target;
  GdbStub stub(target);
  EXPECT_EQ(reply(stub, "g"), gdb::register_hex(0) + gdb::register_hex(0x1234) +
                                  gdb::register_hex(0x10000000) + gdb::register_hex(99));
  EXPECT_EQ(reply(stub, "p20"), gdb::register_hex(0x10000000));
  EXPECT_EQ(reply(stub, "pc41"), gdb::register_hex(99));
  EXPECT_EQ(reply(stub, "P1=" + gdb::register_hex(0x42)), "OK");
  EXPECT_EQ(target.values_[1], 0x42u);
  // G writes what changed; the read-only counter keeps its value without an error.
  EXPECT_EQ(reply(stub, std::string("G") + gdb::register_hex(0) + gdb::register_hex(7) +
                            gdb::register_hex(0x10000004) + gdb::register_hex(99)),
            "OK");
  EXPECT_EQ(target.values_[32], 0x10000004u);
  for (const char* bad : {"p", "p99", "pzz", "P1", "P1=12",
                          "Pc41="
                          "0000000000000000",
                          "G00", "gg", "p123456789012345678"}) {
    EXPECT_EQ(reply(stub, bad)[0], 'E') << bad;
  }
}

TEST(GdbStub, MemoryReadsWritesAndErrors) {
  FakeTarget target;
  GdbStub stub(target);
  EXPECT_EQ(reply(stub, "m1000,4"), "deadbeef");
  EXPECT_EQ(reply(stub, "m100e,8"), "0000");  // as far as it can
  EXPECT_EQ(reply(stub, "m2000,4"), "E14");
  EXPECT_EQ(reply(stub, "mffffffffffffffff,ffffffffffffffff"), "E14");
  EXPECT_EQ(reply(stub, "M1004,2:0102"), "OK");
  EXPECT_EQ(target.memory_[4], 1);
  EXPECT_EQ(reply(stub, "X1006,3:}]"), "E01");  // one byte, not three
  EXPECT_EQ(reply(stub, "X1006,1:}]"), "OK");   // an escaped `}`
  EXPECT_EQ(target.memory_[6], '}');
  EXPECT_EQ(reply(stub, "X1006,0:"), "OK");
  for (const char* bad : {"m", "m1000", "m1000,", "m,4", "mxyz,4", "m1000,0", "M1000,2:01",
                          "M1000,1:zz", "M1000,1", "X1000,1:}", "M2000,1:00"}) {
    EXPECT_EQ(reply(stub, bad)[0], 'E') << bad;
  }
}

TEST(GdbStub, BreakpointsAndWatchpoints) {
  FakeTarget target;
  GdbStub stub(target);
  EXPECT_EQ(reply(stub, "Z0,10000134,2"), "OK");
  EXPECT_EQ(reply(stub, "Z2,20000,4;X1,ff"), "OK");
  EXPECT_EQ(reply(stub, "Z4,20000,8"), "OK");
  ASSERT_EQ(target.points_.size(), 3u);
  EXPECT_EQ(target.points_[1].type, GdbTarget::Point::write_watch);
  EXPECT_EQ(target.points_[1].length, 4u);
  EXPECT_EQ(reply(stub, "z0,10000134,2"), "OK");
  EXPECT_EQ(reply(stub, "z0,10000134,2"), "E01");  // not there
  EXPECT_EQ(reply(stub, "Z9,1000,4"), "");         // no such kind
  for (const char* bad : {"Z", "Z0", "Z0,", "Z0,1000", "Zx,1000,4", "Z0,1000,zz"})
    EXPECT_EQ(reply(stub, bad), "E01") << bad;
}

TEST(GdbStub, ResumingStepsDetachAndKill) {
  FakeTarget target;
  GdbStub stub(target);
  EXPECT_EQ(stub.handle("c").action, GdbStub::Action::resume);
  EXPECT_FALSE(stub.handle("c").send);
  EXPECT_EQ(stub.handle("s").action, GdbStub::Action::step);
  EXPECT_EQ(stub.handle("C0b").action, GdbStub::Action::resume);
  EXPECT_EQ(reply(stub, "vCont?"), "vCont;c;C;s;S");
  EXPECT_EQ(stub.handle("vCont;s:1;c").action, GdbStub::Action::step);
  EXPECT_EQ(stub.handle("vCont;s:2;c").action, GdbStub::Action::resume);  // not our thread
  EXPECT_EQ(stub.handle("vCont;c:-1").action, GdbStub::Action::resume);
  EXPECT_EQ(stub.handle("vCont;x").action, GdbStub::Action::none);
  EXPECT_EQ(reply(stub, "vCont;"), "E01");
  EXPECT_EQ(reply(stub, "vCont;;;"), "E01");
  const auto detach = stub.handle("D");
  EXPECT_EQ(detach.reply, "OK");
  EXPECT_EQ(detach.action, GdbStub::Action::detach);
  EXPECT_EQ(stub.handle("k").action, GdbStub::Action::kill);
  EXPECT_EQ(stub.handle("vKill;1").action, GdbStub::Action::kill);
}

TEST(GdbStub, QueriesAndTheTargetDescription) {
  FakeTarget target;
  GdbStub stub(target);
  const std::string supported = reply(stub, "qSupported:multiprocess+;swbreak+");
  EXPECT_NE(supported.find("PacketSize=4000"), std::string::npos);
  EXPECT_NE(supported.find("qXfer:features:read+"), std::string::npos);
  EXPECT_NE(supported.find("swbreak+"), std::string::npos);
  EXPECT_NE(supported.find("hwbreak+"), std::string::npos);
  EXPECT_EQ(reply(stub, "qAttached"), "1");
  EXPECT_EQ(reply(stub, "qC"), "QC1");
  EXPECT_EQ(reply(stub, "qfThreadInfo"), "m1");
  EXPECT_EQ(reply(stub, "qsThreadInfo"), "l");
  EXPECT_EQ(reply(stub, "Hg0"), "OK");
  EXPECT_EQ(reply(stub, "Hc-1"), "OK");
  EXPECT_EQ(reply(stub, "Hg1"), "OK");
  EXPECT_EQ(reply(stub, "Hg2"), "E01");
  EXPECT_EQ(reply(stub, "Hgzz"), "E01");
  EXPECT_EQ(reply(stub, "Hx1"), "E01");
  EXPECT_EQ(reply(stub, "H"), "E01");
  EXPECT_EQ(reply(stub, "T1"), "OK");
  EXPECT_EQ(reply(stub, "T2"), "E01");
  EXPECT_EQ(reply(stub, "vMustReplyEmpty"), "");
  EXPECT_EQ(reply(stub, "qUnknownThing"), "");
  // The description, read in pieces.
  std::string xml;
  for (uint64_t offset = 0;;) {
    const std::string piece = reply(stub, "qXfer:features:read:target.xml:" + hex(offset) + ",40");
    ASSERT_FALSE(piece.empty());
    xml += *gdb::unescape_binary(piece.substr(1));
    offset += piece.size() - 1;
    if (piece[0] == 'l') break;
    ASSERT_EQ(piece[0], 'm');
  }
  EXPECT_EQ(xml, stub.target_xml());
  EXPECT_NE(xml.find("<architecture>riscv:rv64</architecture>"), std::string::npos);
  EXPECT_NE(xml.find("<feature name=\"org.gnu.gdb.riscv.cpu\">"), std::string::npos);
  EXPECT_NE(xml.find("<reg name=\"pc\" bitsize=\"64\" type=\"code_ptr\" regnum=\"32\"/>"),
            std::string::npos);
  EXPECT_NE(xml.find("<feature name=\"org.gnu.gdb.riscv.csr\">"), std::string::npos);
  EXPECT_EQ(reply(stub, "qXfer:features:read:target.xml:100000,40"), "l");
  EXPECT_EQ(reply(stub, "qXfer:features:read:other.xml:0,40"), "E00");
  EXPECT_EQ(reply(stub, "qXfer:features:read:target.xml:0"), "E01");
  EXPECT_EQ(reply(stub, "QStartNoAckMode"), "OK");
  EXPECT_TRUE(stub.no_ack());
  stub.restart();
  EXPECT_FALSE(stub.no_ack());
}

TEST(GdbStub, MonitorOutputIsConsoleOutputThenOk) {
  FakeTarget target;
  GdbStub stub(target);
  const auto response = stub.handle(std::string("qRcmd,").append(gdb::to_hex("cycles")));
  EXPECT_EQ(response.reply, "OK");
  ASSERT_EQ(response.output.size(), 1u);
  EXPECT_EQ(response.output[0], std::string("O").append(gdb::to_hex("you said cycles\n")));
  EXPECT_EQ(reply(stub, "qRcmd,zz"), "E01");
}

TEST(GdbStub, StopRepliesSayWhyAndAreTheAnswerToTheQuestionMark) {
  FakeTarget target;
  GdbStub stub(target);
  EXPECT_EQ(stub.stop_reply({}), "T05thread:1;");
  EXPECT_EQ(reply(stub, "?"), "T05thread:1;");
  EXPECT_EQ(stub.stop_reply({GdbStopEvent::Kind::software_break}), "T05thread:1;swbreak:;");
  EXPECT_EQ(stub.stop_reply({GdbStopEvent::Kind::watch, 5, 0x10003000}),
            "T05thread:1;watch:10003000;");
  EXPECT_EQ(stub.stop_reply({GdbStopEvent::Kind::signal, GdbStopEvent::kSigSegv}), "T0bthread:1;");
  EXPECT_EQ(stub.stop_reply({GdbStopEvent::Kind::exited, 3}), "W03");
  EXPECT_EQ(stub.stop_reply({GdbStopEvent::Kind::killed, GdbStopEvent::kSigSegv}), "X0b");
  EXPECT_EQ(reply(stub, "?"), "X0b");
}

}  // namespace
}  // namespace zxvp
