#include "webhooks/poster.h"

#include <chrono>

#include <boost/asio/ssl.hpp>
#include <boost/beast/ssl.hpp>

#include "beast.h"
#include "log.h"
#include "webhooks/address_guard.h"

namespace kartiba::server::webhooks {

namespace ssl = net::ssl;

struct Poster::Impl {
  net::io_context& ioc;
  WebhookOptions options;
  ssl::context tls{ssl::context::tls_client};

  Impl(net::io_context& io, const WebhookOptions& opts) : ioc(io), options(opts) {
    tls.set_default_verify_paths();
    tls.set_verify_mode(ssl::verify_peer);
    if (!options.ca_file.empty()) {
      beast::error_code ec;
      tls.load_verify_file(options.ca_file, ec);
      if (ec) log::error("webhooks: cannot load --webhooks-ca-file " + options.ca_file + ": " + ec.message());
    }
  }
};

namespace {

// One POST: owns its sockets and buffers while an operation holds shared_from_this().
// Every handler runs on the attempt's own strand.
class Attempt : public std::enable_shared_from_this<Attempt> {
 public:
  Attempt(Poster::Impl& poster, PostRequest request, std::function<void(PostResult)> done)
      : poster_(poster),
        strand_(net::make_strand(poster.ioc)),
        resolver_(strand_),
        stream_(strand_, poster.tls),
        timer_(strand_),
        request_(std::move(request)),
        done_(std::move(done)),
        started_(std::chrono::steady_clock::now()) {}

  void run() {
    net::dispatch(strand_, [self = shared_from_this()] { self->start(); });
  }

 private:
  void start() {
    http_request_.method(http::verb::post);
    http_request_.target(request_.url.target);
    http_request_.version(11);
    http_request_.set(http::field::host, request_.url.host_header);
    http_request_.set(http::field::user_agent, "kartiba-webhooks/1");
    http_request_.set(http::field::content_type, "application/json");
    http_request_.set(http::field::connection, "close");
    for (const auto& [name, value] : request_.headers) http_request_.set(name, value);
    http_request_.body() = std::move(request_.body);
    http_request_.prepare_payload();
    parser_.body_limit(boost::none);  // the body is never read; its length must not fail the headers

    timer_.expires_after(std::chrono::milliseconds(poster_.options.timeout_ms));
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;  // cancelled: finished in time
      self->timed_out_ = true;
      self->resolver_.cancel();
      beast::error_code ignored;
      beast::get_lowest_layer(self->stream_).socket().close(ignored);
    });
    resolver_.async_resolve(request_.url.host, request_.url.port,
                            [self = shared_from_this()](beast::error_code ec, tcp::resolver::results_type results) {
                              self->on_resolve(ec, std::move(results));
                            });
  }

  void on_resolve(beast::error_code ec, tcp::resolver::results_type results) {
    if (ec) return finish("cannot resolve " + request_.url.host + ": " + ec.message());
    std::vector<tcp::endpoint> allowed;
    std::string refused;
    for (const auto& entry : results) {
      const auto address = entry.endpoint().address();
      if (!poster_.options.allow_private) {
        AddressClass c = address.is_v4() ? classify_v4(address.to_v4().to_bytes())
                                         : classify_v6(address.to_v6().to_bytes());
        if (is_refused(c)) {
          refused = address.to_string() + " is " + std::string(describe(c));
          continue;
        }
      }
      allowed.push_back(entry.endpoint());
    }
    if (allowed.empty()) {
      return finish(refused.empty() ? "no address for " + request_.url.host
                                    : "refused: " + refused + " (allowed only with --webhooks-allow-private)");
    }
    beast::get_lowest_layer(stream_).async_connect(
        allowed, [self = shared_from_this()](beast::error_code ec, const tcp::endpoint&) { self->on_connect(ec); });
  }

  void on_connect(beast::error_code ec) {
    if (ec) return finish("cannot connect: " + ec.message());
    if (!request_.url.tls) return write();
    // SNI carries names only (RFC 6066); the certificate is checked against the host either way.
    const bool literal = classify_text(request_.url.host).has_value();
    if (!literal && !SSL_set_tlsext_host_name(stream_.native_handle(), request_.url.host.c_str())) {
      return finish("TLS: cannot set the server name");
    }
    stream_.set_verify_callback(ssl::host_name_verification(request_.url.host));
    stream_.async_handshake(ssl::stream_base::client,
                            [self = shared_from_this()](beast::error_code ec) {
                              if (ec) return self->finish("TLS handshake: " + ec.message());
                              self->write();
                            });
  }

  void write() {
    auto on_write = [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return self->finish("cannot send: " + ec.message());
      self->read();
    };
    if (request_.url.tls) {
      http::async_write(stream_, http_request_, std::move(on_write));
    } else {
      http::async_write(stream_.next_layer(), http_request_, std::move(on_write));
    }
  }

  void read() {
    // Only the status line and headers: the body of the answer means nothing to us.
    auto on_read = [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return self->finish("no answer: " + ec.message());
      self->finish({}, self->parser_.get().result_int());
    };
    if (request_.url.tls) {
      http::async_read_header(stream_, buffer_, parser_, std::move(on_read));
    } else {
      http::async_read_header(stream_.next_layer(), buffer_, parser_, std::move(on_read));
    }
  }

  void finish(std::string error, int status = 0) {
    if (!done_) return;
    timer_.cancel();
    beast::error_code ignored;
    beast::get_lowest_layer(stream_).socket().shutdown(tcp::socket::shutdown_both, ignored);
    beast::get_lowest_layer(stream_).socket().close(ignored);
    PostResult result;
    result.status = status;
    result.error = timed_out_ ? "timed out after " + std::to_string(poster_.options.timeout_ms) + " ms"
                              : std::move(error);
    result.duration_ms = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                   std::chrono::steady_clock::now() - started_)
                                                   .count());
    auto done = std::move(done_);
    done_ = nullptr;
    done(std::move(result));
  }

  Poster::Impl& poster_;
  net::strand<net::io_context::executor_type> strand_;
  tcp::resolver resolver_;
  beast::ssl_stream<beast::tcp_stream> stream_;
  net::steady_timer timer_;
  PostRequest request_;
  std::function<void(PostResult)> done_;
  std::chrono::steady_clock::time_point started_;
  http::request<http::string_body> http_request_;
  http::response_parser<http::empty_body> parser_;
  beast::flat_buffer buffer_;
  bool timed_out_ = false;
};

}  // namespace

Poster::Poster(net::io_context& ioc, const WebhookOptions& options)
    : impl_(std::make_unique<Impl>(ioc, options)) {}

Poster::~Poster() = default;

void Poster::post(PostRequest request, std::function<void(PostResult)> done) {
  std::make_shared<Attempt>(*impl_, std::move(request), std::move(done))->run();
}

}  // namespace kartiba::server::webhooks
