// kartiba::server::HttpSession — one HTTP connection: reads requests, answers them through
// the router, and hands WebSocket upgrades of /ws to a WebSocketSession.
//
// One request at a time (no pipelining): the next read starts after the answer is written.
// Limits: header (--max-header, 431), body (--max-body, 413; an admin's import may be larger),
// idle keep-alive (--idle-timeout). After an error answer whose body was not read, the
// connection shuts down its sending side and reads and drops what the client still sends
// (lingering close, bounded by idleness, bytes and time) so that the client sees the answer.
//
// Lifetime: lives while an operation holds shared_from_this(). Thread-safety: all work runs
// on the connection's strand; post_close() may be called from any thread.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "beast.h"
#include "connections.h"
#include "http_types.h"

namespace kartiba::server {

struct App;

class HttpSession : public std::enable_shared_from_this<HttpSession>, public Closable {
 public:
  // `reject`: the server is at --max-connections; answer 503 and close.
  HttpSession(tcp::socket&& socket, std::shared_ptr<App> app, bool reject);
  ~HttpSession() override;
  HttpSession(const HttpSession&) = delete;
  HttpSession& operator=(const HttpSession&) = delete;

  void run();
  void post_close() override;

 private:
  void do_read();
  void on_read_header(beast::error_code ec, std::size_t bytes);
  void do_read_body();
  void on_read_body(beast::error_code ec, std::size_t bytes);
  void handle_request();
  void upgrade();
  void respond_now(HttpResponse response, bool close_after);
  void do_write(HttpResponse response);
  void on_write(bool keep_alive, beast::error_code ec, std::size_t bytes);
  void do_drain();
  void read_and_drop();
  void on_drain(beast::error_code ec, std::size_t bytes);
  void do_close();

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::shared_ptr<App> app_;
  const bool reject_;
  uint64_t conn_id_ = 0;
  std::optional<http::request_parser<http::string_body>> parser_;
  bool busy_ = false;        // a request is being answered
  bool close_after_ = false; // close once the answer is written
  bool drain_ = false;       // the request body was not read: drain before closing
  std::chrono::steady_clock::time_point started_;
  std::string log_method_;
  std::string log_target_;
  beast::flat_buffer drain_buffer_;
  size_t drained_ = 0;
  std::chrono::steady_clock::time_point linger_until_;
};

}  // namespace kartiba::server
