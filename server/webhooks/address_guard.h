// The webhook SSRF guard's address classifier: which IP addresses a webhook may be delivered to.
//
// A webhook target is refused when the address it resolves to is loopback, private (RFC 1918,
// IPv6 unique-local fc00::/7), link-local (169.254/16, fe80::/10), carrier-grade NAT
// (100.64/10), unspecified, multicast or otherwise reserved, unless the server runs with
// --webhooks-allow-private. IPv6 forms that embed an IPv4 address (::ffff:a.b.c.d, NAT64
// 64:ff9b::/96, 6to4 2002::/16) are judged by the IPv4 address they carry.
//
// Thread-safety: pure functions.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace kartiba::server::webhooks {

enum class AddressClass {
  global,        // an ordinary public unicast address: allowed
  loopback,      // 127/8, ::1
  private_net,   // 10/8, 172.16/12, 192.168/16
  unique_local,  // fc00::/7
  link_local,    // 169.254/16, fe80::/10
  cgnat,         // 100.64/10 (RFC 6598)
  unspecified,   // 0/8, ::
  multicast,     // 224/4, ff00::/8
  reserved,      // 240/4 and 255.255.255.255, deprecated site-local fec0::/10, ::/96
};

AddressClass classify_v4(const std::array<uint8_t, 4>& a);
AddressClass classify_v6(const std::array<uint8_t, 16>& a);
// The class of an address in text ("127.0.0.1", "::1", "fe80::1"); nullopt when not an address.
std::optional<AddressClass> classify_text(std::string_view text);

// True for every class but `global`.
inline bool is_refused(AddressClass c) { return c != AddressClass::global; }
// "loopback", "private", … for error messages and the deliveries log.
std::string_view describe(AddressClass c);

}  // namespace kartiba::server::webhooks
