// The GDB stub under bad input: a client sends random bytes, random and malformed packets
// (wrong checksums, cut short, overlong, unknown commands, every command with garbage
// arguments, huge lengths, addresses outside the user address space) to a stopped program.
// Every packet gets a well-formed reply (or `-`), the stub answers a known query after each
// burst, and the program then runs to its end: zxvp exits with the program's status, no crash.
// Closing the connection mid-packet leaves a --gdb-wait program stopped for the next debugger;
// an interrupt (Ctrl-C) stops a running program.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "sim/debug/gdb_packet.h"
#include "tests/support/background_zxvp.h"

namespace {

using zxvp::testing::kBackgroundTimeout;

// `zxvp run --gdb 0 --gdb-wait debuggee ARGUMENT` in the background.
class DebuggedProgram : public zxvp::testing::BackgroundZxvp {
 public:
  explicit DebuggedProgram(const std::string& argument = "")
      : BackgroundZxvp(ZXVP_BINARY, arguments(argument)) {}
  int port() const { return gdb_port(); }

 private:
  static std::vector<std::string> arguments(const std::string& argument) {
    std::vector<std::string> list{"run", "--gdb", "0", "--gdb-wait",
                                  std::string(ZXVP_GUEST_DIR) + "/debuggee.elf"};
    if (!argument.empty()) list.push_back(argument);
    return list;
  }
};

// A GDB client on a plain socket.
class Client {
 public:
  explicit Client(int port) {
    socket_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(socket_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  }
  ~Client() { close(); }
  void close() {
    if (socket_ >= 0) ::close(socket_);
    socket_ = -1;
  }
  bool connected() const { return connected_; }

  void send_raw(const std::string& bytes) {
    size_t sent = 0;
    while (sent < bytes.size()) {
      const ssize_t n = ::send(socket_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return;
      sent += static_cast<size_t>(n);
    }
  }
  void send(const std::string& payload) { send_raw(zxvp::gdb::frame(payload)); }

  // The next reply packet's payload, skipping acks; nullopt on a closed connection or after the
  // timeout. A reply with a wrong checksum fails the test.
  std::optional<std::string> reply() {
    const auto deadline = std::chrono::steady_clock::now() + kBackgroundTimeout;
    while (std::chrono::steady_clock::now() < deadline) {
      const size_t start = buffer_.find('$');
      const size_t end = start == std::string::npos ? start : buffer_.find('#', start);
      if (end != std::string::npos && end + 2 < buffer_.size()) {
        const std::string payload = buffer_.substr(start + 1, end - start - 1);
        const auto sum = zxvp::gdb::parse_hex(buffer_.substr(end + 1, 2));
        buffer_.erase(0, end + 3);
        EXPECT_EQ(sum, zxvp::gdb::checksum(payload)) << payload;
        return payload;
      }
      pollfd descriptor{socket_, POLLIN, 0};
      if (::poll(&descriptor, 1, 100) <= 0) continue;
      char chunk[4096];
      const ssize_t n = ::recv(socket_, chunk, sizeof chunk, 0);
      if (n <= 0) return std::nullopt;
      buffer_.append(chunk, static_cast<size_t>(n));
    }
    return std::nullopt;
  }
  // After the replies to everything sent so far, the reply to a query only this asks (a monitor
  // command naming a statistic that is not there, with a number of its own): the stub is alive
  // and in step.
  bool in_sync() {
    const std::string token = "sync-" + std::to_string(++syncs_);
    send(std::string("qRcmd,").append(zxvp::gdb::to_hex("stats " + token)));
    const std::string expected =
        std::string("O").append(zxvp::gdb::to_hex("no statistic named " + token + "...\n"));
    for (int i = 0; i < 10000; ++i) {
      const auto answer = reply();
      if (!answer) return false;
      if (*answer == expected) return reply() == "OK";
    }
    return false;
  }

 private:
  int socket_ = -1;
  bool connected_ = false;
  std::string buffer_;
  int syncs_ = 0;
};

// A payload that cannot resume, detach or kill the program.
bool harmless(const std::string& payload) {
  if (payload.empty()) return true;
  const char first = payload[0];
  return first != 'c' && first != 'C' && first != 's' && first != 'S' && first != 'D' &&
         first != 'k' && !payload.starts_with("vCont;") && !payload.starts_with("vKill") &&
         payload.find('#') == std::string::npos && payload.find('$') == std::string::npos;
}

std::string random_bytes(std::mt19937_64& random, size_t length) {
  std::string bytes(length, '\0');
  for (char& c : bytes)
    c = static_cast<char>(random() & 0xff);
  return bytes;
}

// Commands with garbage, extreme or wrong arguments.
std::string malformed_command(std::mt19937_64& random) {
  static const std::vector<std::string> kCommands = {
      "m",      "M",           "X",           "g",   "G",
      "p",      "P",           "Z0,",         "Z1,", "Z2,",
      "Z3,",    "Z4,",         "z0,",         "z2,", "qXfer:features:read:target.xml:",
      "qRcmd,", "qSupported:", "vCont?",      "H",   "T",
      "?",      "qAttached",   "qfThreadInfo"};
  static const std::vector<std::string> kArguments = {
      "",
      "0,ffffffffffffffff",
      "ffffffffffffffff,ffffffffffffffff",
      "10000000,4000",
      "10000000,1:",
      "7ff000000000,10",
      "ffff800000000000,8",
      "1000,8",
      "0,0",
      ",",
      "zz,zz",
      "10000000,4:00",
      "10003000,2:}",
      "10003000,ffffffff:00",
      "1=" + std::string(16, 'f'),
      "20=1",
      "ffffffff",
      "fffffffffffffffffff",
      "10003000,100001",
      "0,1000000",
      "626164",
      "7a7a7a",
      std::string(10000, '0'),
  };
  return kCommands[random() % kCommands.size()] + kArguments[random() % kArguments.size()];
}

TEST(GdbStubFuzz, RandomAndMalformedPacketsGetRepliesAndNeverACrash) {
  DebuggedProgram program;
  const int port = program.port();
  ASSERT_NE(port, 0) << program.error();
  Client client(port);
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.in_sync());
  std::mt19937_64 random(16);
  for (int round = 0; round < 300; ++round) {
    switch (random() % 5) {
      case 0:  // bytes with no framing (no `$`, so no packet starts; no 0x03)
      {
        std::string bytes = random_bytes(random, 1 + random() % 64);
        for (char& c : bytes) {
          if (c == '$' || c == '\x03') c = '.';
        }
        client.send_raw(bytes);
        break;
      }
      case 1: {  // a random payload, framed
        std::string payload = random_bytes(random, random() % 200);
        if (!harmless(payload)) payload = std::string("q").append(zxvp::gdb::to_hex(payload));
        client.send(payload);
        ASSERT_TRUE(client.reply().has_value()) << "round " << round;
        break;
      }
      case 2: {  // a command with bad arguments
        const std::string payload = malformed_command(random);
        if (!harmless(payload)) break;
        client.send(payload);
        ASSERT_TRUE(client.reply().has_value()) << payload;
        break;
      }
      case 3:  // a wrong checksum, a packet cut short by another, an overlong one
        client.send_raw("$qC#00");
        client.send_raw("$m10000000,4$qC#b4");
        if (random() % 8 == 0) client.send_raw(std::string("$").append(70000, 'm').append("#00"));
        break;
      case 4:  // a `-`: the last reply again
        client.send_raw("-");
        break;
    }
    if (round % 10 == 9) {
      ASSERT_TRUE(client.in_sync()) << "round " << round;
    }
  }
  ASSERT_TRUE(client.in_sync());
  // Still the program it was: it runs to its end.
  client.send("vCont;c");
  EXPECT_EQ(client.reply(), "W03");
  EXPECT_EQ(program.wait(), 3) << program.error();
}

TEST(GdbStubFuzz, AConnectionClosedMidPacketLeavesAWaitingProgramStoppedForTheNext) {
  DebuggedProgram program;
  const int port = program.port();
  ASSERT_NE(port, 0) << program.error();
  {
    Client client(port);
    ASSERT_TRUE(client.in_sync());
    client.send_raw("$m1000000");
  }
  Client next(port);
  ASSERT_TRUE(next.connected());
  ASSERT_TRUE(next.in_sync());
  next.send("?");
  EXPECT_EQ(next.reply(), "T05thread:1;");
  next.send("c");
  EXPECT_EQ(next.reply(), "W03");
  EXPECT_EQ(program.wait(), 3) << program.error();
}

TEST(GdbStubFuzz, AnInterruptStopsARunningProgramWithSigint) {
  DebuggedProgram program("spin");
  const int port = program.port();
  ASSERT_NE(port, 0) << program.error();
  Client client(port);
  ASSERT_TRUE(client.in_sync());
  client.send("vCont;c");
  client.send_raw("\x03");
  EXPECT_EQ(client.reply(), "T02thread:1;");
  client.send("k");
  EXPECT_EQ(client.reply(), "X09");
  EXPECT_EQ(program.wait(), 1) << program.error();
  EXPECT_NE(program.error().find("killed by the debugger"), std::string::npos);
}

}  // namespace
