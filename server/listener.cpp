#include "listener.h"

#include "app.h"
#include "http_session.h"
#include "log.h"

namespace kartiba::server {

void fail(beast::error_code ec, const char* what) {
  if (ec == net::error::operation_aborted || ec == websocket::error::closed) return;
  if (log::enabled(LogLevel::debug)) log::debug(std::string(what) + ": " + ec.message());
}

Listener::Listener(net::io_context& ioc, tcp::endpoint endpoint, std::shared_ptr<App> app,
                   beast::error_code& ec)
    : ioc_(ioc), acceptor_(net::make_strand(ioc)), backoff_(acceptor_.get_executor()), app_(std::move(app)) {
  acceptor_.open(endpoint.protocol(), ec);
  if (ec) return;
  acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (ec) return;
  acceptor_.bind(endpoint, ec);
  if (ec) return;
  acceptor_.listen(net::socket_base::max_listen_connections, ec);
}

tcp::endpoint Listener::local_endpoint() const {
  beast::error_code ec;
  return acceptor_.local_endpoint(ec);
}

void Listener::run() {
  net::dispatch(acceptor_.get_executor(), beast::bind_front_handler(&Listener::do_accept, shared_from_this()));
}

void Listener::stop() {
  net::post(acceptor_.get_executor(), [self = shared_from_this()] {
    beast::error_code ec;
    self->backoff_.cancel();
    self->acceptor_.close(ec);
  });
}

void Listener::do_accept() {
  // Each connection gets its own strand.
  acceptor_.async_accept(net::make_strand(ioc_), beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
}

void Listener::on_accept(beast::error_code ec, tcp::socket socket) {
  if (ec) {
    if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;  // stopped
    log::warn("accept: " + ec.message());
    // Out of descriptors or similar: back off instead of spinning.
    backoff_.expires_after(std::chrono::milliseconds(100));
    backoff_.async_wait(beast::bind_front_handler(&Listener::on_backoff, shared_from_this()));
    return;
  }
  const bool reject = app_->connections.size() >= app_->config.max_connections;
  if (reject) app_->metrics.connections_rejected_total.fetch_add(1);
  std::make_shared<HttpSession>(std::move(socket), app_, reject)->run();
  do_accept();
}

void Listener::on_backoff(beast::error_code ec) {
  if (ec || !acceptor_.is_open()) return;
  do_accept();
}

}  // namespace kartiba::server
