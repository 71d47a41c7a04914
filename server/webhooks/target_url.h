// A webhook's target URL, parsed: only http and https, a host, an optional port, a path.
//
// Refused here (400 at registration): other schemes, user:password@ parts (secrets belong in
// the path or query, which the deliveries log never shows), fragments, empty hosts, control
// characters and spaces, URLs over 2,048 bytes. The address the host resolves to is judged
// later, at registration and at every connection (address_guard.h).
//
// Thread-safety: pure functions on a plain value type.
#pragma once

#include <string>
#include <string_view>

#include "kartiba/error.h"

namespace kartiba::server::webhooks {

struct TargetUrl {
  bool tls = false;      // https
  std::string host;      // a name or an address; IPv6 without brackets
  std::string port;      // "443", "8080"
  std::string target;    // path and query as sent in the request line, at least "/"
  std::string host_header;  // what the Host header carries: host[:port]
};

// The URL parsed, or 400 invalid with path "/url".
Result<TargetUrl> parse_target_url(std::string_view url);

}  // namespace kartiba::server::webhooks
