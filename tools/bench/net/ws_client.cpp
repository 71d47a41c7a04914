#include "ws_client.h"

#include <cstring>
#include <deque>
#include <stdexcept>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

namespace kartiba::bench {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

class Session final : public WsClient, public std::enable_shared_from_this<Session> {
 public:
  Session(net::io_context& io, std::string host, unsigned short port, std::string token, OnReady ready, OnMessage msg,
          OnClosed closed)
      : ws_(io), host_(std::move(host)), port_(port), token_(std::move(token)), ready_(std::move(ready)),
        msg_(std::move(msg)), closed_(std::move(closed)) {}

  void run() {
    tcp::endpoint ep(net::ip::make_address(host_), port_);
    beast::get_lowest_layer(ws_).async_connect(ep, [self = shared_from_this()](beast::error_code ec) {
      if (ec) return self->fail(ec, "connect");
      self->ws_.next_layer().socket().set_option(tcp::no_delay(true));
      std::string origin = "http://" + self->host_ + ":" + std::to_string(self->port_);
      self->ws_.set_option(websocket::stream_base::decorator([origin](websocket::request_type& req) {
        req.set(http::field::origin, origin);
      }));
      self->ws_.async_handshake(self->host_ + ":" + std::to_string(self->port_), "/ws",
                                [self](beast::error_code ec) {
                                  if (ec) return self->fail(ec, "handshake");
                                  self->ws_.text(true);
                                  self->send("{\"type\":\"auth\",\"token\":\"" + self->token_ + "\"}");
                                  self->read();
                                });
    });
  }

  void send(std::string text) override {
    queue_.push_back(std::move(text));
    if (queue_.size() == 1) write();
  }

  void close() override {
    closing_ = true;
    beast::error_code ec;
    beast::get_lowest_layer(ws_).socket().shutdown(tcp::socket::shutdown_both, ec);
  }

 private:
  void write() {
    ws_.async_write(net::buffer(queue_.front()), [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return self->fail(ec, "write");
      self->queue_.pop_front();
      if (!self->queue_.empty()) self->write();
    });
  }

  void read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return self->fail(ec, "read");
      auto data = self->buffer_.cdata();
      std::string_view text(static_cast<const char*>(data.data()), data.size());
      if (!self->welcomed_) {
        if (text.find("\"welcome\"") == std::string_view::npos)
          throw std::runtime_error("expected welcome, got " + std::string(text));
        self->welcomed_ = true;
        self->buffer_.consume(self->buffer_.size());
        self->ready_(*self);
      } else {
        self->msg_(*self, text);
        self->buffer_.consume(self->buffer_.size());
      }
      self->read();
    });
  }

  void fail(beast::error_code ec, const char* what) {
    if (closing_) return;
    if (closed_) {
      closing_ = true;  // report once
      std::string why = std::string(what) + ": " + ec.message();
      if (ec == websocket::error::closed) why += " (close code " + std::to_string(ws_.reason().code) + ")";
      closed_(*this, why);
      return;
    }
    if (ec == websocket::error::closed || ec == net::error::operation_aborted) return;
    throw std::runtime_error(std::string("websocket ") + what + ": " + ec.message());
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  std::deque<std::string> queue_;
  std::string host_;
  unsigned short port_;
  std::string token_;
  OnReady ready_;
  OnMessage msg_;
  OnClosed closed_;
  bool welcomed_ = false;
  bool closing_ = false;
};


// The lean client (WsClient::start_lean): HTTP upgrade by hand, then frames parsed in place
// from a read buffer; one read syscall takes as many frames as have arrived.
class LeanSession final : public WsClient, public std::enable_shared_from_this<LeanSession> {
 public:
  using Socket = net::basic_stream_socket<tcp, net::io_context::executor_type>;

  LeanSession(net::io_context& io, std::string host, unsigned short port, std::string token, OnReady ready,
              OnMessage msg, OnClosed closed)
      : socket_(io.get_executor()), host_(std::move(host)), port_(port), token_(std::move(token)),
        ready_(std::move(ready)), msg_(std::move(msg)), closed_(std::move(closed)) {
    buffer_.resize(64 * 1024);
  }

  void run() {
    tcp::endpoint ep(net::ip::make_address(host_), port_);
    socket_.async_connect(ep, [self = shared_from_this()](beast::error_code ec) {
      if (ec) return self->fail(ec, "connect");
      beast::error_code ignored;
      self->socket_.set_option(tcp::no_delay(true), ignored);
      const std::string authority = self->host_ + ":" + std::to_string(self->port_);
      self->handshake_ = "GET /ws HTTP/1.1\r\nHost: " + authority +
                         "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                         "Sec-WebSocket-Key: a2FydGliYS1iZW5jaC0wMQ==\r\nOrigin: http://" + authority + "\r\n\r\n";
      net::async_write(self->socket_, net::buffer(self->handshake_), [self](beast::error_code ec, size_t) {
        if (ec) return self->fail(ec, "handshake");
        net::async_read_until(self->socket_, net::dynamic_buffer(self->response_), "\r\n\r\n",
                              [self](beast::error_code ec, size_t header) {
                                if (ec) return self->fail(ec, "handshake");
                                if (self->response_.rfind("HTTP/1.1 101", 0) != 0)
                                  return self->fail({}, ("upgrade refused: " + self->response_.substr(0, 80)).c_str());
                                // Bytes after the header are the first frames.
                                std::string rest = self->response_.substr(header);
                                std::memcpy(self->buffer_.data(), rest.data(), rest.size());
                                self->end_ = rest.size();
                                self->response_.clear();
                                self->send("{\"type\":\"auth\",\"token\":\"" + self->token_ + "\"}");
                                if (self->parse()) self->read();
                              });
      });
    });
  }

  void send(std::string text) override { send_frame(0x1, text); }

  void close() override {
    closing_ = true;
    beast::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_both, ec);
  }

 private:
  // A masked frame (clients must mask; the key need not be secret here).
  void send_frame(unsigned opcode, std::string_view payload) {
    std::string f;
    f.reserve(payload.size() + 14);
    f += char(0x80 | opcode);
    const uint64_t len = payload.size();
    if (len < 126) {
      f += char(0x80 | len);
    } else if (len <= 0xffff) {
      f += char(0x80 | 126);
      f += char(len >> 8);
      f += char(len & 0xff);
    } else {
      f += char(0x80 | 127);
      for (int shift = 56; shift >= 0; shift -= 8) f += char((len >> shift) & 0xff);
    }
    const unsigned char key[4] = {0x6b, 0x61, 0x72, 0x74};
    f.append(reinterpret_cast<const char*>(key), 4);
    for (size_t i = 0; i < payload.size(); ++i) f += char(payload[i] ^ key[i % 4]);
    queue_.push_back(std::move(f));
    if (queue_.size() == 1) write();
  }

  void write() {
    net::async_write(socket_, net::buffer(queue_.front()), [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return self->fail(ec, "write");
      self->queue_.pop_front();
      if (!self->queue_.empty()) self->write();
    });
  }

  void read() {
    if (end_ == buffer_.size()) buffer_.resize(buffer_.size() * 2);  // a frame larger than the buffer
    socket_.async_read_some(net::buffer(buffer_.data() + end_, buffer_.size() - end_),
                            [self = shared_from_this()](beast::error_code ec, size_t n) {
                              if (ec) return self->fail(ec, "read");
                              self->end_ += n;
                              if (self->parse()) self->read();
                            });
  }

  // Handles every whole frame in the buffer; false once the connection is done.
  bool parse() {
    const auto* b = reinterpret_cast<const unsigned char*>(buffer_.data());
    size_t pos = 0;
    while (end_ - pos >= 2) {
      const unsigned fin = b[pos] & 0x80, opcode = b[pos] & 0x0f;
      uint64_t len = b[pos + 1] & 0x7f;
      size_t head = 2;
      if (len == 126) {
        if (end_ - pos < 4) break;
        len = (uint64_t(b[pos + 2]) << 8) | b[pos + 3];
        head = 4;
      } else if (len == 127) {
        if (end_ - pos < 10) break;
        len = 0;
        for (int i = 0; i < 8; ++i) len = (len << 8) | b[pos + 2 + i];
        head = 10;
      }
      if (b[pos + 1] & 0x80) return fail({}, "masked frame from the server"), false;
      if (end_ - pos < head + len) {
        if (head + len > buffer_.size()) buffer_.resize(head + len);  // grow to hold this frame
        b = reinterpret_cast<const unsigned char*>(buffer_.data());
        break;
      }
      std::string_view payload(buffer_.data() + pos + head, len);
      pos += head + len;
      if (opcode == 0x8) {  // close
        const unsigned code = payload.size() >= 2 ? (unsigned(uint8_t(payload[0])) << 8) | uint8_t(payload[1]) : 1005;
        return fail({}, ("closed by the server (close code " + std::to_string(code) + ")").c_str()), false;
      }
      if (opcode == 0x9) {  // ping
        send_frame(0xA, payload);
        continue;
      }
      if (opcode == 0xA) continue;  // pong
      if (!fin || opcode == 0x0) {  // a fragmented message: put together
        fragments_.append(payload);
        if (!fin) continue;
        deliver(fragments_);
        fragments_.clear();
      } else {
        deliver(payload);
      }
      if (closing_) return false;
    }
    // Keep the partial frame at the front.
    if (pos > 0) {
      std::memmove(buffer_.data(), buffer_.data() + pos, end_ - pos);
      end_ -= pos;
    }
    return true;
  }

  void deliver(std::string_view text) {
    if (!welcomed_) {
      if (text.find("\"welcome\"") == std::string_view::npos)
        throw std::runtime_error("expected welcome, got " + std::string(text));
      welcomed_ = true;
      ready_(*this);
      return;
    }
    msg_(*this, text);
  }

  void fail(beast::error_code ec, const char* what) {
    if (closing_) return;
    closing_ = true;
    std::string why = std::string(what) + (ec ? ": " + ec.message() : std::string());
    if (closed_) return closed_(*this, why);
    throw std::runtime_error("websocket " + why);
  }

  Socket socket_;
  std::string host_;
  unsigned short port_;
  std::string token_;
  OnReady ready_;
  OnMessage msg_;
  OnClosed closed_;
  std::string handshake_, response_, fragments_;
  std::vector<char> buffer_;
  size_t end_ = 0;
  std::deque<std::string> queue_;
  bool welcomed_ = false;
  bool closing_ = false;
};

}  // namespace

std::shared_ptr<WsClient> WsClient::start_lean(net::io_context& io, const std::string& host, unsigned short port,
                                               const std::string& token, OnReady on_ready, OnMessage on_message,
                                               OnClosed on_closed) {
  auto s = std::make_shared<LeanSession>(io, host, port, token, std::move(on_ready), std::move(on_message),
                                         std::move(on_closed));
  s->run();
  return s;
}

std::shared_ptr<WsClient> WsClient::start(net::io_context& io, const std::string& host, unsigned short port,
                                          const std::string& token, OnReady on_ready, OnMessage on_message,
                                          OnClosed on_closed) {
  auto s = std::make_shared<Session>(io, host, port, token, std::move(on_ready), std::move(on_message),
                                     std::move(on_closed));
  s->run();
  return s;
}

int http_request(const std::string& host, unsigned short port, const std::string& method, const std::string& target,
                 const std::string& token, const std::string& body_in, std::string* body_out) {
  net::io_context io;
  beast::tcp_stream stream(io);
  stream.connect(tcp::endpoint(net::ip::make_address(host), port));
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  req.set(http::field::host, host);
  if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
  if (!body_in.empty()) {
    req.set(http::field::content_type, "application/json");
    req.body() = body_in;
  }
  req.prepare_payload();
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(1ull << 30);
  http::read(stream, buffer, parser);
  if (body_out) *body_out = parser.get().body();
  beast::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  return static_cast<int>(parser.get().result_int());
}

}  // namespace kartiba::bench
