// How webhooks are delivered: the --webhooks-* flags of kartiba-server (docs/SERVER.md).
// Plain value type, filled by main() and then only read.
#pragma once

#include <cstdint>
#include <string>

namespace kartiba::server::webhooks {

struct WebhookOptions {
  // --webhooks-allow-private: allow loopback, private, link-local, CGNAT, … targets.
  bool allow_private = false;
  // --webhooks-timeout-ms: one attempt (resolve, connect, TLS, request, response headers).
  uint64_t timeout_ms = 10'000;
  // --webhooks-retry-base-ms / --webhooks-retry-max-ms: the first retry waits about base,
  // doubling up to max (with jitter, backoff.h).
  uint64_t retry_base_ms = 1'000;
  uint64_t retry_max_ms = 10 * 60 * 1'000;
  // --webhooks-disable-after: seconds of continuous failure after which a webhook is disabled.
  uint64_t disable_after_s = 24 * 60 * 60;
  // --webhooks-ca-file: extra PEM certificates trusted for https targets (besides the system's).
  std::string ca_file;
};

}  // namespace kartiba::server::webhooks
