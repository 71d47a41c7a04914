// kartiba::server::webhooks::Poster — sends one webhook POST and reports what came of it.
//
// Each post resolves the target's name, drops every resolved address the SSRF guard refuses
// (address_guard.h; unless allow_private), connects only to the addresses left — so a name
// that resolves to 127.0.0.1 is refused at connect time, whatever it resolved to when it was
// registered — then TLS (https: SNI, certificate and host name verified), writes the request
// with "Connection: close", reads the response's status line and headers, and closes. One
// deadline covers all of it. Redirects are not followed: a 3xx is reported like any non-2xx.
//
// Thread-safety: post() may be called from any thread; `done` runs once, on an io_context
// thread, and must not block.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "webhooks/target_url.h"
#include "webhooks/webhook_options.h"

namespace boost::asio {
class io_context;
}

namespace kartiba::server::webhooks {

struct PostRequest {
  TargetUrl url;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

struct PostResult {
  int status = 0;          // the response's status; 0 when none came
  std::string error;       // why there was no response ("" when there was one)
  uint64_t duration_ms = 0;
  bool ok() const { return error.empty() && status >= 200 && status < 300; }
};

class Poster {
 public:
  Poster(boost::asio::io_context& ioc, const WebhookOptions& options);
  ~Poster();
  Poster(const Poster&) = delete;
  Poster& operator=(const Poster&) = delete;

  void post(PostRequest request, std::function<void(PostResult)> done);

  struct Impl;  // poster.cpp's; public so that its attempts can name it

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace kartiba::server::webhooks
