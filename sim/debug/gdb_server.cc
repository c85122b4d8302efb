#include "sim/debug/gdb_server.h"

#include <poll.h>

#include <array>
#include <vector>

namespace zxvp {

namespace asio = boost::asio;
using asio::ip::tcp;

GdbServer::GdbServer(GdbStub& stub, uint16_t port) : stub_(stub), acceptor_(io_), socket_(io_) {
  const tcp::endpoint endpoint(asio::ip::make_address_v4("127.0.0.1"), port);
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(tcp::acceptor::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen(1);
  port_ = acceptor_.local_endpoint().port();
}

GdbServer::~GdbServer() {
  hang_up();
}

void GdbServer::restart() {
  reader_ = {};
  events_.clear();
  last_packet_.clear();
  running_ = false;
  stub_.restart();
  boost::system::error_code ignored;
  socket_.set_option(tcp::no_delay(true), ignored);
}

void GdbServer::accept() {
  hang_up();
  acceptor_.non_blocking(false);
  acceptor_.accept(socket_);
  restart();
}

bool GdbServer::accept_pending() {
  if (connected()) return false;
  boost::system::error_code error;
  acceptor_.non_blocking(true);
  acceptor_.accept(socket_, error);
  if (error) {
    if (socket_.is_open()) socket_.close(error);
    return false;
  }
  socket_.non_blocking(false);
  restart();
  return true;
}

void GdbServer::hang_up() {
  boost::system::error_code ignored;
  if (socket_.is_open()) {
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }
}

bool GdbServer::receive(bool wait) {
  if (!connected()) return false;
  if (!wait) {
    pollfd descriptor{socket_.native_handle(), POLLIN, 0};
    if (::poll(&descriptor, 1, 0) <= 0) return true;
  }
  std::array<char, 4096> buffer{};
  boost::system::error_code error;
  const size_t read = socket_.read_some(asio::buffer(buffer), error);
  if (error) {
    hang_up();
    return false;
  }
  std::vector<gdb::PacketReader::Event> events;
  reader_.feed(std::string_view(buffer.data(), read), &events);
  for (auto& event : events)
    events_.push_back(std::move(event));
  return true;
}

void GdbServer::write(const std::string& bytes) {
  if (!connected()) return;
  boost::system::error_code error;
  asio::write(socket_, asio::buffer(bytes), error);
  if (error) hang_up();
}

void GdbServer::send(const std::string& payload) {
  last_packet_ = gdb::frame(payload);
  write(last_packet_);
}

GdbStub::Action GdbServer::serve(const std::string& stop_reply) {
  if (running_) {
    running_ = false;
    send(stop_reply);
  }
  while (connected()) {
    if (events_.empty()) {
      if (!receive(true)) break;
      continue;
    }
    const gdb::PacketReader::Event event = std::move(events_.front());
    events_.pop_front();
    switch (event.kind) {
      case gdb::PacketReader::Event::Kind::ack:
      case gdb::PacketReader::Event::Kind::interrupt:  // stopped already
        break;
      case gdb::PacketReader::Event::Kind::nack:
        if (!stub_.no_ack() && !last_packet_.empty()) write(last_packet_);
        break;
      case gdb::PacketReader::Event::Kind::bad_packet:
        if (!stub_.no_ack()) write("-");
        break;
      case gdb::PacketReader::Event::Kind::packet: {
        if (!stub_.no_ack()) write("+");
        const GdbStub::Response response = stub_.handle(event.payload);
        for (const std::string& output : response.output)
          send(output);
        if (response.send) send(response.reply);
        switch (response.action) {
          case GdbStub::Action::none:
          case GdbStub::Action::closed:
            break;
          case GdbStub::Action::resume:
          case GdbStub::Action::step:
            running_ = true;
            return response.action;
          case GdbStub::Action::detach:
            hang_up();
            return response.action;
          case GdbStub::Action::kill:
            // After `k` GDB may wait for the exit reply; vKill had its OK.
            running_ = !response.send;
            return response.action;
        }
        break;
      }
    }
  }
  return GdbStub::Action::closed;
}

bool GdbServer::interrupted() {
  if (!receive(false)) return false;
  bool interrupt = false;
  // GDB sends nothing but an interrupt while the target runs; anything else waits for the stop.
  for (auto it = events_.begin(); it != events_.end();) {
    if (it->kind == gdb::PacketReader::Event::Kind::interrupt) {
      interrupt = true;
      it = events_.erase(it);
    } else {
      ++it;
    }
  }
  return interrupt;
}

void GdbServer::finish(const std::string& reply) {
  if (running_) send(reply);
  running_ = false;
  hang_up();
}

}  // namespace zxvp
