// The CLI's network: HTTP requests and a WebSocket client for one kartiba server, without
// Beast in the header (net.cpp is the one translation unit that includes Boost.Beast).
//
// Blocking calls with socket timeouts; one object per thread.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace kartiba::cli {

// "http://127.0.0.1:8080/prefix" → parts. Only http is supported (put TLS in a proxy).
struct ServerUrl {
  std::string host;
  std::string port = "80";
  std::string prefix;  // path prefix without a trailing '/', "" for the root
  std::string text() const;
};
std::optional<ServerUrl> parse_server_url(const std::string& url, std::string* error = nullptr);

struct HttpReply {
  int status = 0;              // 0: no answer (see transport_error)
  std::string transport_error; // connect/read failure, "" when the server answered
  std::string content_type;
  std::string body;
};

// One request: method, target (path and query, starting with '/'), optional JSON body.
// Sends "Authorization: Bearer token" when the token is not empty.
HttpReply http_request(const ServerUrl& server, const std::string& token, const std::string& method,
                       const std::string& target, const std::string& body = {},
                       std::chrono::seconds timeout = std::chrono::seconds(60));

// A WebSocket connection to server/ws: text frames in and out.
class WsConnection {
 public:
  virtual ~WsConnection() = default;
  // Sends one text frame; false (with error) on failure.
  virtual bool send(const std::string& text, std::string& error) = 0;
  // The next text frame; nullopt when the connection closed or failed (error says which).
  virtual std::optional<std::string> receive(std::string& error) = 0;
  virtual void close() = 0;
};
std::unique_ptr<WsConnection> ws_connect(const ServerUrl& server, std::string& error);

}  // namespace kartiba::cli
