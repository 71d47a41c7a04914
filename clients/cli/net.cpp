// Boost.Beast lives here and nowhere else in the CLI.
#include "net.h"

#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/version.hpp>
#include <boost/beast/websocket.hpp>

namespace kartiba::cli {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

std::string ServerUrl::text() const { return "http://" + host + ":" + port + prefix; }

std::optional<ServerUrl> parse_server_url(const std::string& url, std::string* error) {
  auto fail = [&](const std::string& why) -> std::optional<ServerUrl> {
    if (error) *error = why;
    return std::nullopt;
  };
  std::string rest = url;
  if (rest.rfind("https://", 0) == 0) return fail("https is not supported by the kartiba CLI; use http (or a local TLS proxy)");
  if (rest.rfind("http://", 0) == 0) rest = rest.substr(7);
  else if (rest.find("://") != std::string::npos) return fail("the server URL must start with http://");
  ServerUrl u;
  auto slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  if (slash != std::string::npos) u.prefix = rest.substr(slash);
  while (!u.prefix.empty() && u.prefix.back() == '/') u.prefix.pop_back();
  if (authority.empty()) return fail("the server URL has no host");
  if (authority.front() == '[') {  // [::1]:8080
    auto close = authority.find(']');
    if (close == std::string::npos) return fail("bad IPv6 address in the server URL");
    u.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size() && authority[close + 1] == ':') u.port = authority.substr(close + 2);
  } else {
    auto colon = authority.rfind(':');
    u.host = authority.substr(0, colon);
    if (colon != std::string::npos) u.port = authority.substr(colon + 1);
  }
  if (u.host.empty() || u.port.empty() || u.port.find_first_not_of("0123456789") != std::string::npos)
    return fail("the server URL must look like http://HOST:PORT");
  return u;
}

namespace {

void set_timeouts(tcp::socket& socket, std::chrono::seconds timeout) {
  timeval tv{};
  tv.tv_sec = static_cast<long>(timeout.count());
  setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(socket.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

std::string host_header(const ServerUrl& s) {
  std::string host = s.host.find(':') != std::string::npos ? "[" + s.host + "]" : s.host;
  return host + ":" + s.port;
}

}  // namespace

HttpReply http_request(const ServerUrl& server, const std::string& token, const std::string& method,
                       const std::string& target, const std::string& body, std::chrono::seconds timeout) {
  HttpReply reply;
  try {
    net::io_context ioc;
    tcp::resolver resolver(ioc);
    beast::tcp_stream stream(ioc);
    auto results = resolver.resolve(server.host, server.port);
    stream.connect(results);
    set_timeouts(stream.socket(), timeout);

    http::request<http::string_body> req{http::string_to_verb(method), server.prefix + target, 11};
    req.set(http::field::host, host_header(server));
    req.set(http::field::user_agent, "kartiba-cli/0.1");
    req.set(http::field::accept, "application/json, */*");
    if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
    if (!body.empty() || method == "POST" || method == "PUT") {
      req.set(http::field::content_type, "application/json");
      req.body() = body;
      req.prepare_payload();
    }
    http::write(stream, req);

    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(512 * 1024 * 1024);
    http::read(stream, buffer, parser);
    auto& res = parser.get();
    reply.status = static_cast<int>(res.result_int());
    reply.content_type = std::string(res[http::field::content_type]);
    reply.body = std::move(res.body());
    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  } catch (const std::exception& e) {
    reply.status = 0;
    reply.transport_error = e.what();
  }
  return reply;
}

namespace {

class BeastWs final : public WsConnection {
 public:
  explicit BeastWs() : ws_(ioc_) {}

  bool open(const ServerUrl& server, std::string& error) {
    try {
      tcp::resolver resolver(ioc_);
      auto results = resolver.resolve(server.host, server.port);
      net::connect(ws_.next_layer(), results);
      ws_.set_option(websocket::stream_base::decorator([](websocket::request_type& req) {
        req.set(http::field::user_agent, "kartiba-cli/0.1");
      }));
      ws_.read_message_max(64 * 1024 * 1024);
      ws_.handshake(host_header(server), server.prefix + "/ws");
      ws_.text(true);
      return true;
    } catch (const std::exception& e) {
      error = e.what();
      return false;
    }
  }

  bool send(const std::string& text, std::string& error) override {
    beast::error_code ec;
    ws_.write(net::buffer(text), ec);
    if (ec) error = ec.message();
    return !ec;
  }

  std::optional<std::string> receive(std::string& error) override {
    beast::flat_buffer buffer;
    beast::error_code ec;
    ws_.read(buffer, ec);
    if (ec) {
      if (ec == websocket::error::closed) {
        auto reason = ws_.reason();
        error = "the server closed the connection (" + std::to_string(reason.code) +
                (reason.reason.empty() ? "" : ": " + std::string(reason.reason.c_str())) + ")";
      } else {
        error = ec.message();
      }
      return std::nullopt;
    }
    return beast::buffers_to_string(buffer.data());
  }

  void close() override {
    beast::error_code ec;
    if (ws_.is_open()) ws_.close(websocket::close_code::normal, ec);
  }

 private:
  net::io_context ioc_;
  websocket::stream<tcp::socket> ws_;
};

}  // namespace

std::unique_ptr<WsConnection> ws_connect(const ServerUrl& server, std::string& error) {
  auto ws = std::make_unique<BeastWs>();
  if (!ws->open(server, error)) return nullptr;
  return ws;
}

}  // namespace kartiba::cli
