#include "webhooks/target_url.h"

#include <cctype>

namespace kartiba::server::webhooks {
namespace {

constexpr size_t kMaxUrl = 2048;

Error bad(const std::string& why) { return Error::invalid("url: " + why, "/url"); }

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  }
  return true;
}

}  // namespace

Result<TargetUrl> parse_target_url(std::string_view url) {
  if (url.empty()) return bad("must not be empty");
  if (url.size() > kMaxUrl) return bad("longer than 2048 bytes");
  for (unsigned char c : url) {
    if (c <= 0x20 || c == 0x7F) return bad("spaces and control characters are not allowed (percent-encode them)");
  }
  TargetUrl out;
  std::string_view rest;
  if (starts_with_ci(url, "https://")) {
    out.tls = true;
    rest = url.substr(8);
  } else if (starts_with_ci(url, "http://")) {
    rest = url.substr(7);
  } else {
    return bad("only http:// and https:// targets are allowed");
  }
  if (rest.find('#') != std::string_view::npos) return bad("a fragment (#…) is not sent to a server; remove it");
  const size_t authority_end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view path = authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);
  if (authority.find('@') != std::string_view::npos) return bad("user:password@ is not allowed; put a secret in the path or query");
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad("unclosed [ in the host");
    out.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad("unexpected text after ]");
      port = after.substr(1);
    }
  } else {
    const size_t colon = authority.find(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (out.host.empty()) return bad("has no host");
  for (char& c : out.host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (authority.find(':') != std::string_view::npos && port.empty() && authority.front() != '[') {
    return bad("empty port");
  }
  if (!port.empty()) {
    if (port.size() > 5) return bad("port out of range");
    unsigned value = 0;
    for (char c : port) {
      if (c < '0' || c > '9') return bad("port must be a number");
      value = value * 10 + static_cast<unsigned>(c - '0');
    }
    if (value == 0 || value > 65535) return bad("port out of range");
    out.port = std::to_string(value);
  } else {
    out.port = out.tls ? "443" : "80";
  }
  out.target = path.empty() ? "/" : (path.front() == '?' ? "/" + std::string(path) : std::string(path));
  const bool default_port = out.port == (out.tls ? "443" : "80");
  const std::string host = out.host.find(':') != std::string::npos ? "[" + out.host + "]" : out.host;
  out.host_header = default_port ? host : host + ":" + out.port;
  return out;
}

}  // namespace kartiba::server::webhooks
