// kartiba::server::Listener — accepts TCP connections and starts an http_session for each.
//
// Past --max-connections a connection still gets a session, in reject mode: it answers its
// first request 503 unavailable and closes.
// Thread-safety: run() and stop() may be called from any thread; the accept loop runs on the
// listener's own strand.
#pragma once

#include <memory>

#include "beast.h"

namespace kartiba::server {

struct App;

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  // Binds and listens; on failure `ec` is set and the listener is useless.
  Listener(net::io_context& ioc, tcp::endpoint endpoint, std::shared_ptr<App> app, beast::error_code& ec);

  // The bound address (the real port when 0 was asked for).
  tcp::endpoint local_endpoint() const;
  void run();
  // Stops accepting: closes the acceptor on its strand.
  void stop();

 private:
  void do_accept();
  void on_accept(beast::error_code ec, tcp::socket socket);
  void on_backoff(beast::error_code ec);

  net::io_context& ioc_;
  tcp::acceptor acceptor_;
  net::steady_timer backoff_;
  std::shared_ptr<App> app_;
};

}  // namespace kartiba::server
