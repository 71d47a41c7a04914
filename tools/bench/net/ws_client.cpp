#include "ws_client.h"

#include <deque>
#include <stdexcept>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
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

}  // namespace

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
