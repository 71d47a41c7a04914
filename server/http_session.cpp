#include "http_session.h"
#include "http_request.h"

#include "app.h"
#include "log.h"
#include "router.h"
#include "url.h"
#include "websocket_session.h"

namespace kartiba::server {
namespace {

constexpr size_t kMaxImportBody = 256 * 1024 * 1024;
// Lingering close, as nginx does it (lingering_time 30 s, lingering_timeout 5 s): after an error
// answer to a request whose body was not read, keep reading and dropping what the client sends
// until it closes, is quiet for kLingerIdle, has sent kLingerMaxBytes, or kLingerTime has passed.
// Closing with unread bytes makes the kernel send a reset, and a reset discards the answer at
// the client if it has not read it yet (EPIPE/ECONNRESET instead of 413). A loaded server or
// client can take seconds over a 10 MB body, so the bound is idleness, not a short total time.
constexpr auto kLingerTime = std::chrono::seconds(30);
constexpr auto kLingerIdle = std::chrono::seconds(5);
constexpr size_t kLingerMaxBytes = 64 * 1024 * 1024;
constexpr size_t kLingerChunk = 64 * 1024;

std::string_view sv(beast::string_view s) { return {s.data(), s.size()}; }

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// "http://host:port" → "host:port" (lowercase); "" when not an http(s) origin.
std::string origin_authority(const std::string& origin) {
  const std::string o = lower(origin);
  for (std::string_view scheme : {"http://", "https://"}) {
    if (o.rfind(scheme, 0) == 0) {
      std::string rest = o.substr(scheme.size());
      if (auto slash = rest.find('/'); slash != std::string::npos) rest.resize(slash);
      return rest;
    }
  }
  return {};
}

// A WebSocket's Origin is allowed when it is one of --allowed-origin, or, without that flag,
// when it names the same host as the Host header. Clients that send no Origin (scripts) pass:
// the check protects browsers' users from other sites, not the server from scripts.
bool origin_allowed(const App& app, const std::string& origin, const std::string& host) {
  if (origin.empty()) return true;
  if (!app.config.allowed_origins.empty()) {
    for (const auto& allowed : app.config.allowed_origins) {
      if (allowed == "*" || lower(allowed) == lower(origin)) return true;
    }
    return false;
  }
  const std::string authority = origin_authority(origin);
  return !authority.empty() && authority == lower(host);
}

bool is_import_target(std::string_view target) {
  return target.substr(0, target.find('?')) == "/api/plans/import";
}

}  // namespace

HttpSession::HttpSession(tcp::socket&& socket, std::shared_ptr<App> app, bool reject)
    : stream_(std::move(socket)), app_(std::move(app)), reject_(reject) {}

HttpSession::~HttpSession() {
  if (conn_id_) app_->connections.remove(conn_id_);
}

void HttpSession::run() {
  if (!reject_) conn_id_ = app_->connections.add(weak_from_this());
  // Start on the connection's strand.
  net::dispatch(stream_.get_executor(), beast::bind_front_handler(&HttpSession::do_read, shared_from_this()));
}

void HttpSession::post_close() {
  net::post(stream_.get_executor(), [self = shared_from_this()] {
    // An answer in progress finishes first; an idle keep-alive read is cut now.
    self->close_after_ = true;
    if (!self->busy_) self->do_close();
  });
}

void HttpSession::do_read() {
  if (app_->stopping.load()) return do_close();
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(app_->config.max_header));
  // The real limit is set once the header says what the request is (see on_read_header).
  parser_->body_limit(std::max<uint64_t>(app_->config.max_body, kMaxImportBody));
  stream_.expires_after(reject_ ? std::chrono::seconds(5) : std::chrono::seconds(app_->config.idle_timeout_s));
  // Read the header first: the body limit depends on who asks for what.
  http::async_read_header(stream_, buffer_, *parser_,
                          beast::bind_front_handler(&HttpSession::on_read_header, shared_from_this()));
}

void HttpSession::on_read_header(beast::error_code ec, std::size_t) {
  if (ec == http::error::end_of_stream || ec == net::error::eof) return do_close();
  started_ = std::chrono::steady_clock::now();
  if (ec == http::error::header_limit) {
    log_method_ = "-";
    log_target_ = "-";
    drain_ = true;
    HttpResponse r = HttpResponse::error(Error::too_large(
        "request header over " + std::to_string(app_->config.max_header) + " bytes"));
    r.status = 431;
    return respond_now(std::move(r), true);
  }
  if (ec) return fail(ec, "read header");  // timeout, reset, malformed: just close
  const auto& req = parser_->get();
  log_method_ = std::string(req.method_string());
  log_target_ = redact_target(sv(req.target()));
  busy_ = true;

  if (reject_) {
    drain_ = true;
    return respond_now(HttpResponse::error(Error::unavailable("too many connections; try again later")), true);
  }
  if (websocket::is_upgrade(req)) return upgrade();

  uint64_t limit = app_->config.max_body;
  if (is_import_target(sv(req.target())) && req.method() == http::verb::post) {
    auto who = authenticate_bearer(*app_, header_value(req, http::field::authorization));
    if (who && who->is_admin()) limit = std::max<uint64_t>(limit, kMaxImportBody);
  }
  if (auto length = parser_->content_length(); length && *length > limit) {
    drain_ = true;
    return respond_now(HttpResponse::error(Error::too_large("request body over " + std::to_string(limit) + " bytes")),
                       true);
  }
  parser_->body_limit(limit);
  if (beast::iequals(header_value(req, http::field::expect), "100-continue")) {
    // curl and others wait for this before sending a large body.
    static const std::string kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    net::async_write(stream_, net::buffer(kContinue), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return fail(ec, "write 100-continue");
      self->do_read_body();
    });
    return;
  }
  do_read_body();
}

void HttpSession::do_read_body() {
  http::async_read(stream_, buffer_, *parser_,
                   beast::bind_front_handler(&HttpSession::on_read_body, shared_from_this()));
}

void HttpSession::on_read_body(beast::error_code ec, std::size_t) {
  if (ec == http::error::body_limit) {
    drain_ = true;
    return respond_now(HttpResponse::error(Error::too_large("request body over the limit")), true);
  }
  if (ec) return fail(ec, "read body");
  handle_request();
}

void HttpSession::handle_request() {
  auto& req = parser_->get();
  HttpRequest request = to_http_request(req);
  close_after_ = close_after_ || !req.keep_alive();
  // The router answers from any thread: come back to this connection's strand to write.
  route(app_, std::move(request), [self = shared_from_this()](HttpResponse response) {
    net::post(self->stream_.get_executor(), [self, response = std::move(response)]() mutable {
      self->do_write(std::move(response));
    });
  });
}

void HttpSession::upgrade() {
  const auto& req = parser_->get();
  const std::string path = std::string(req.target().substr(0, req.target().find('?')));
  if (path != "/ws") {
    return respond_now(HttpResponse::error(Error::not_found("WebSocket endpoint is /ws")), true);
  }
  if (!origin_allowed(*app_, header_value(req, http::field::origin), header_value(req, http::field::host))) {
    return respond_now(HttpResponse::error(Error::forbidden("origin not allowed")), true);
  }
  if (app_->stopping.load()) {
    return respond_now(HttpResponse::error(Error::unavailable("server is stopping")), true);
  }
  app_->metrics.count_http(101);
  if (log::enabled(LogLevel::info)) log::info("http GET " + log_target_ + " 101 websocket");
  // The WebSocket session takes the socket; this session ends when the handler returns.
  stream_.expires_never();
  std::make_shared<WebSocketSession>(stream_.release_socket(), app_)->run(parser_->release());
}

void HttpSession::respond_now(HttpResponse response, bool close_after) {
  busy_ = true;
  close_after_ = close_after_ || close_after;
  do_write(std::move(response));
}

void HttpSession::do_write(HttpResponse r) {
  const auto& req = parser_->get();
  const bool keep_alive = !close_after_ && req.keep_alive() && !app_->stopping.load();
  http::response<http::string_body> res{static_cast<http::status>(r.status), req.version()};
  res.set(http::field::server, "kartiba");
  if (r.status != 304) res.set(http::field::content_type, r.content_type);
  for (const auto& [name, value] : r.headers) res.set(name, value);
  const size_t body_size = r.body.size();
  if (r.status == 304 || r.status == 204) {
    // No body, no length.
  } else if (r.head) {
    res.content_length(body_size);
  } else {
    res.body() = std::move(r.body);
    res.prepare_payload();
  }
  res.keep_alive(keep_alive);

  app_->metrics.count_http(r.status);
  if (log::enabled(LogLevel::info)) {
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started_).count();
    log::info("http " + log_method_ + " " + log_target_ + " " + std::to_string(r.status) +
              (r.actor.empty() ? std::string() : " actor=" + log::quote(r.actor)) + " " + log::format_ms(ms));
  }

  auto msg = std::make_shared<http::response<http::string_body>>(std::move(res));
  stream_.expires_after(std::chrono::seconds(30));
  // A HEAD answer has the length of the body it does not send: write the header only.
  auto handler = [self = shared_from_this(), msg, keep_alive](beast::error_code ec, std::size_t n) {
    self->on_write(keep_alive, ec, n);
  };
  if (r.head && r.status != 304 && r.status != 204) {
    auto sr = std::make_shared<http::response_serializer<http::string_body>>(*msg);
    http::async_write_header(stream_, *sr, [handler, sr](beast::error_code ec, std::size_t n) { handler(ec, n); });
  } else {
    http::async_write(stream_, *msg, handler);
  }
}

void HttpSession::on_write(bool keep_alive, beast::error_code ec, std::size_t) {
  busy_ = false;
  // Beast reports end_of_stream once it has written a message that closes the connection: the
  // answer went out whole. (Taken for a failure, it skipped the lingering close below and
  // dropped the socket with the client's body unread: a reset, and EPIPE at the client.)
  if (ec == http::error::end_of_stream) ec = {};
  if (ec) return fail(ec, "write");
  if (!keep_alive) {
    if (drain_) return do_drain();
    return do_close();
  }
  do_read();
}

void HttpSession::do_drain() {
  // Stop sending (the client sees the end of the answer), then read and drop what it still sends.
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  linger_until_ = std::chrono::steady_clock::now() + kLingerTime;
  drained_ = 0;
  read_and_drop();
}

void HttpSession::read_and_drop() {
  const auto now = std::chrono::steady_clock::now();
  if (now >= linger_until_) return do_close();
  // beast's stream closes the socket when this expires: the bound on a silent client.
  stream_.expires_at(std::min(now + kLingerIdle, linger_until_));
  drain_buffer_.clear();
  stream_.async_read_some(drain_buffer_.prepare(kLingerChunk),
                          beast::bind_front_handler(&HttpSession::on_drain, shared_from_this()));
}

void HttpSession::on_drain(beast::error_code ec, std::size_t bytes) {
  drained_ += bytes;
  // eof: the client read the answer and closed; other errors: reset, or quiet for too long.
  if (ec || drained_ >= kLingerMaxBytes) return do_close();
  read_and_drop();
}

void HttpSession::do_close() {
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  stream_.socket().close(ec);
}

}  // namespace kartiba::server
