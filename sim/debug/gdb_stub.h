#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/debug/gdb_target.h"

namespace zxvp {

// Why a debugged target stopped, as a stop reply tells GDB. Signals are GDB's numbers (the
// remote protocol's, which are Linux's for these).
struct GdbStopEvent {
  static constexpr int kSigInt = 2;
  static constexpr int kSigIll = 4;
  static constexpr int kSigTrap = 5;
  static constexpr int kSigKill = 9;
  static constexpr int kSigBus = 10;
  static constexpr int kSigSegv = 11;
  static constexpr int kSigXcpu = 24;

  enum class Kind : uint8_t {
    signal,
    software_break,
    hardware_break,
    watch,
    read_watch,
    access_watch,
    exited,
    killed
  };
  Kind kind = Kind::signal;
  int signal = kSigTrap;  // exited: the status; killed: the signal
  uint64_t address = 0;   // watchpoints: the data address
};

// The commands of GDB's remote serial protocol, served against a GdbTarget: one payload in, one
// reply out, and what the target is to do. No sockets here (GdbServer carries the bytes), so
// every command and every malformed one can be tested alone. Bad input gets an error reply
// (`E01` malformed, `E14` a bad address: EFAULT) or the empty reply of an unknown command.
class GdbStub {
 public:
  // `closed` is GdbServer's: the connection went away.
  enum class Action : uint8_t { none, resume, step, detach, kill, closed };
  struct Response {
    Response(std::string reply_text, bool send_now = true, Action then = Action::none)
        : reply(std::move(reply_text)), send(send_now), action(then) {}
    std::string reply;
    bool send = true;  // false: no reply now (a resume's reply is the next stop)
    Action action = Action::none;
    std::vector<std::string> output;  // console output packets (O) sent before the reply
  };

  // The thread id GDB sees (one thread).
  static constexpr int kThread = 1;

  explicit GdbStub(GdbTarget& target) : target_(target) {}

  Response handle(std::string_view payload);
  // The stop reply of `event` (T, W or X packet), remembered as the answer to `?`.
  std::string stop_reply(const GdbStopEvent& event);
  // A new connection: acknowledgements again.
  void restart() { no_ack_ = false; }
  // Whether GDB asked for no acknowledgements (QStartNoAckMode).
  bool no_ack() const { return no_ack_; }
  std::string target_xml() const;

 private:
  Response read_registers();
  Response write_registers(std::string_view hex);
  Response read_register(std::string_view arguments);
  Response write_register(std::string_view arguments);
  Response read_memory(std::string_view arguments);
  Response write_memory(std::string_view arguments, bool binary);
  Response point(std::string_view arguments, bool insert);
  Response resume(std::string_view arguments);
  // What a resuming command (c, C, s or S, alone or in a vCont action) asks for.
  static Response resumption(char command);
  Response query(std::string_view payload);
  Response features(std::string_view arguments);

  GdbTarget& target_;
  std::string last_stop_ = "S05";
  bool no_ack_ = false;
};

}  // namespace zxvp
