// X-Kartiba-Signature: "sha256=" + lowercase hex HMAC-SHA256 of the exact request body, keyed
// with the webhook's secret (OpenSSL).
// Thread-safety: pure function.
#pragma once

#include <string>
#include <string_view>

namespace kartiba::server::webhooks {

std::string hmac_sha256_hex(std::string_view key, std::string_view message);
inline std::string signature_header(std::string_view secret, std::string_view body) {
  return "sha256=" + hmac_sha256_hex(secret, body);
}

}  // namespace kartiba::server::webhooks
