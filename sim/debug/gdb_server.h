#pragma once

#include <boost/asio.hpp>
#include <cstdint>
#include <deque>
#include <string>

#include "sim/debug/gdb_packet.h"
#include "sim/debug/gdb_stub.h"

namespace zxvp {

// GDB's remote protocol over TCP on 127.0.0.1 (Boost.Asio, blocking calls): one debugger at a
// time, its bytes framed into packets (acknowledged until it asks for no-ack mode, a bad checksum
// answered `-`) and served by a GdbStub. The calls block the host thread that makes them and
// nothing else: a simulation calling them from a SystemC thread stops outside simulated time.
class GdbServer {
 public:
  // Listens on 127.0.0.1:`port` (0: a free port the system picks; port() says which). Throws
  // boost::system::system_error when the port cannot be had.
  GdbServer(GdbStub& stub, uint16_t port);
  ~GdbServer();
  GdbServer(const GdbServer&) = delete;
  GdbServer& operator=(const GdbServer&) = delete;

  uint16_t port() const { return port_; }
  bool connected() const { return socket_.is_open(); }
  // Waits for a debugger to connect.
  void accept();
  // Takes a debugger that is connecting, without waiting; false when none is.
  bool accept_pending();
  // The target stopped (`stop_reply`, sent if GDB waits for one): serves packets until GDB
  // resumes the target (resume, step), detaches, kills it, or goes away (closed).
  GdbStub::Action serve(const std::string& stop_reply);
  // While the target runs: whether GDB sent an interrupt (Ctrl-C) since the last call, without
  // waiting. A closed connection reads as none, and connected() turns false.
  bool interrupted();
  // The target is gone (a W or X reply, when GDB waits for one): sends it and hangs up.
  void finish(const std::string& reply);

 private:
  void restart();
  // Reads what is there (waiting when `wait`); false when the connection closed.
  bool receive(bool wait);
  void send(const std::string& payload);
  void write(const std::string& bytes);
  void hang_up();

  GdbStub& stub_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::ip::tcp::socket socket_;
  uint16_t port_ = 0;
  gdb::PacketReader reader_;
  std::deque<gdb::PacketReader::Event> events_;
  std::string last_packet_;  // sent again on a `-`
  bool running_ = false;     // GDB resumed the target and waits for a stop reply
};

}  // namespace zxvp
