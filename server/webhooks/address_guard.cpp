#include "webhooks/address_guard.h"

#include <arpa/inet.h>

#include <string>

namespace kartiba::server::webhooks {

AddressClass classify_v4(const std::array<uint8_t, 4>& a) {
  const uint8_t b0 = a[0], b1 = a[1];
  if (b0 == 0) return AddressClass::unspecified;
  if (b0 == 127) return AddressClass::loopback;
  if (b0 == 10) return AddressClass::private_net;
  if (b0 == 172 && (b1 & 0xF0) == 16) return AddressClass::private_net;
  if (b0 == 192 && b1 == 168) return AddressClass::private_net;
  if (b0 == 169 && b1 == 254) return AddressClass::link_local;
  if (b0 == 100 && (b1 & 0xC0) == 64) return AddressClass::cgnat;
  if ((b0 & 0xF0) == 224) return AddressClass::multicast;
  if ((b0 & 0xF0) == 240) return AddressClass::reserved;  // includes 255.255.255.255
  return AddressClass::global;
}

AddressClass classify_v6(const std::array<uint8_t, 16>& a) {
  auto zero_until = [&a](size_t n) {
    for (size_t i = 0; i < n; ++i) {
      if (a[i] != 0) return false;
    }
    return true;
  };
  auto embedded_v4 = [&a](size_t at) {
    return classify_v4({a[at], a[at + 1], a[at + 2], a[at + 3]});
  };
  if (zero_until(16)) return AddressClass::unspecified;
  if (zero_until(15) && a[15] == 1) return AddressClass::loopback;
  // ::ffff:a.b.c.d — the IPv4 address itself, as a dual-stack socket would reach it.
  if (zero_until(10) && a[10] == 0xFF && a[11] == 0xFF) return embedded_v4(12);
  // ::a.b.c.d (deprecated IPv4-compatible): never a legitimate target.
  if (zero_until(12)) return AddressClass::reserved;
  // 64:ff9b::/96, NAT64: the gateway forwards to the embedded IPv4 address.
  if (a[0] == 0x00 && a[1] == 0x64 && a[2] == 0xFF && a[3] == 0x9B) {
    bool zeros = true;
    for (size_t i = 4; i < 12; ++i) zeros = zeros && a[i] == 0;
    if (zeros) return embedded_v4(12);
  }
  // 2002::/16, 6to4: the relay forwards to the IPv4 address in bytes 2..5.
  if (a[0] == 0x20 && a[1] == 0x02) return embedded_v4(2);
  if ((a[0] & 0xFE) == 0xFC) return AddressClass::unique_local;
  if (a[0] == 0xFE && (a[1] & 0xC0) == 0x80) return AddressClass::link_local;
  if (a[0] == 0xFE && (a[1] & 0xC0) == 0xC0) return AddressClass::reserved;  // site-local
  if (a[0] == 0xFF) return AddressClass::multicast;
  return AddressClass::global;
}

std::optional<AddressClass> classify_text(std::string_view text) {
  const std::string s(text);
  std::array<uint8_t, 4> v4{};
  if (inet_pton(AF_INET, s.c_str(), v4.data()) == 1) return classify_v4(v4);
  std::array<uint8_t, 16> v6{};
  if (inet_pton(AF_INET6, s.c_str(), v6.data()) == 1) return classify_v6(v6);
  return std::nullopt;
}

std::string_view describe(AddressClass c) {
  switch (c) {
    case AddressClass::global: return "public";
    case AddressClass::loopback: return "loopback";
    case AddressClass::private_net: return "private";
    case AddressClass::unique_local: return "unique-local";
    case AddressClass::link_local: return "link-local";
    case AddressClass::cgnat: return "carrier-grade NAT";
    case AddressClass::unspecified: return "unspecified";
    case AddressClass::multicast: return "multicast";
    case AddressClass::reserved: return "reserved";
  }
  return "unknown";
}

}  // namespace kartiba::server::webhooks
