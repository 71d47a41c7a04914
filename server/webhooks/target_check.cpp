#include "webhooks/target_check.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <array>
#include <cstring>
#include <memory>

#include "webhooks/address_guard.h"

namespace kartiba::server::webhooks {

Status check_target_addresses(const TargetUrl& url, bool allow_private) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const int rc = getaddrinfo(url.host.c_str(), url.port.c_str(), &hints, &found);
  if (rc != 0) return Error::invalid("url: cannot resolve " + url.host + ": " + gai_strerror(rc), "/url");
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> guard(found, &freeaddrinfo);
  if (allow_private) return {};
  for (addrinfo* ai = found; ai; ai = ai->ai_next) {
    AddressClass c = AddressClass::global;
    char text[INET6_ADDRSTRLEN] = {0};
    if (ai->ai_family == AF_INET) {
      const auto* sin = reinterpret_cast<const sockaddr_in*>(ai->ai_addr);
      std::array<uint8_t, 4> bytes{};
      std::memcpy(bytes.data(), &sin->sin_addr, 4);
      c = classify_v4(bytes);
      inet_ntop(AF_INET, &sin->sin_addr, text, sizeof text);
    } else if (ai->ai_family == AF_INET6) {
      const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(ai->ai_addr);
      std::array<uint8_t, 16> bytes{};
      std::memcpy(bytes.data(), &sin6->sin6_addr, 16);
      c = classify_v6(bytes);
      inet_ntop(AF_INET6, &sin6->sin6_addr, text, sizeof text);
    } else {
      continue;
    }
    if (is_refused(c)) {
      return Error::invalid("url: " + url.host + " resolves to " + text + ", a " + std::string(describe(c)) +
                                " address; such targets are refused unless the server runs with --webhooks-allow-private",
                            "/url");
    }
  }
  return {};
}

}  // namespace kartiba::server::webhooks
