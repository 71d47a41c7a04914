// Unit tests of the webhooks' pure pieces: the SSRF address classifier, target URLs, the
// backoff, the signature, and the event type list against the engine's.
#include <catch2/catch.hpp>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "webhooks/address_guard.h"
#include "webhooks/backoff.h"
#include "webhooks/event_names.h"
#include "webhooks/signature.h"
#include "webhooks/target_check.h"
#include "webhooks/target_url.h"

using namespace kartiba;
using namespace kartiba::server::webhooks;

namespace {

AddressClass klass(const char* text) {
  auto c = classify_text(text);
  REQUIRE(c.has_value());
  return *c;
}

}  // namespace

TEST_CASE("address classifier: IPv4 ranges", "[server][webhooks]") {
  CHECK(klass("93.184.216.34") == AddressClass::global);
  CHECK(klass("8.8.8.8") == AddressClass::global);
  CHECK(klass("127.0.0.1") == AddressClass::loopback);
  CHECK(klass("127.255.255.254") == AddressClass::loopback);
  CHECK(klass("10.0.0.1") == AddressClass::private_net);
  CHECK(klass("172.16.0.1") == AddressClass::private_net);
  CHECK(klass("172.31.255.255") == AddressClass::private_net);
  CHECK(klass("172.15.255.255") == AddressClass::global);
  CHECK(klass("172.32.0.0") == AddressClass::global);
  CHECK(klass("192.168.1.1") == AddressClass::private_net);
  CHECK(klass("192.169.0.1") == AddressClass::global);
  CHECK(klass("169.254.169.254") == AddressClass::link_local);  // cloud metadata
  CHECK(klass("100.64.0.1") == AddressClass::cgnat);
  CHECK(klass("100.127.255.255") == AddressClass::cgnat);
  CHECK(klass("100.63.255.255") == AddressClass::global);
  CHECK(klass("100.128.0.0") == AddressClass::global);
  CHECK(klass("0.0.0.0") == AddressClass::unspecified);
  CHECK(klass("224.0.0.1") == AddressClass::multicast);
  CHECK(klass("239.255.255.250") == AddressClass::multicast);
  CHECK(klass("255.255.255.255") == AddressClass::reserved);
  CHECK(klass("240.0.0.1") == AddressClass::reserved);
}

TEST_CASE("address classifier: IPv6 ranges and embedded IPv4", "[server][webhooks]") {
  CHECK(klass("2606:4700::1111") == AddressClass::global);
  CHECK(klass("::1") == AddressClass::loopback);
  CHECK(klass("::") == AddressClass::unspecified);
  CHECK(klass("fc00::1") == AddressClass::unique_local);
  CHECK(klass("fd12:3456::1") == AddressClass::unique_local);
  CHECK(klass("fe80::1") == AddressClass::link_local);
  CHECK(klass("febf::1") == AddressClass::link_local);
  CHECK(klass("fec0::1") == AddressClass::reserved);
  CHECK(klass("ff02::1") == AddressClass::multicast);
  CHECK(klass("::ffff:127.0.0.1") == AddressClass::loopback);
  CHECK(klass("::ffff:10.1.2.3") == AddressClass::private_net);
  CHECK(klass("::ffff:93.184.216.34") == AddressClass::global);
  CHECK(klass("::127.0.0.1") == AddressClass::reserved);
  CHECK(klass("64:ff9b::a9fe:a9fe") == AddressClass::link_local);  // NAT64 of 169.254.169.254
  CHECK(klass("64:ff9b::808:808") == AddressClass::global);
  CHECK(klass("2002:7f00:1::") == AddressClass::loopback);  // 6to4 of 127.0.0.1
  CHECK(klass("2002:5db8:d822::") == AddressClass::global);
  CHECK_FALSE(classify_text("localhost").has_value());
  CHECK_FALSE(classify_text("1.2.3").has_value());
  CHECK(is_refused(AddressClass::cgnat));
  CHECK_FALSE(is_refused(AddressClass::global));
}

TEST_CASE("target URLs: http(s) only, host, port and path", "[server][webhooks]") {
  auto u = parse_target_url("https://hooks.example.org/in/abc?x=1");
  REQUIRE(u.ok());
  CHECK(u->tls);
  CHECK(u->host == "hooks.example.org");
  CHECK(u->port == "443");
  CHECK(u->target == "/in/abc?x=1");
  CHECK(u->host_header == "hooks.example.org");

  auto p = parse_target_url("HTTP://127.0.0.1:8081");
  REQUIRE(p.ok());
  CHECK_FALSE(p->tls);
  CHECK(p->port == "8081");
  CHECK(p->target == "/");
  CHECK(p->host_header == "127.0.0.1:8081");

  auto v6 = parse_target_url("http://[::1]:9000/x");
  REQUIRE(v6.ok());
  CHECK(v6->host == "::1");
  CHECK(v6->host_header == "[::1]:9000");

  for (const char* bad : {"ftp://example.org/", "file:///etc/passwd", "gopher://x", "http://", "http:///x",
                          "https://user:pw@example.org/", "http://example.org:0/", "http://example.org:99999/",
                          "http://example.org:abc/", "http://exa mple.org/", "http://example.org/#frag",
                          "http://[::1/x", "", "example.org"}) {
    auto r = parse_target_url(bad);
    INFO(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code() == ErrorCode::invalid);
    CHECK(r.error().path() == "/url");
  }
}

TEST_CASE("registration check refuses names that resolve to non-public addresses", "[server][webhooks]") {
  auto local = parse_target_url("http://localhost:9/");
  REQUIRE(local.ok());
  Status refused = check_target_addresses(*local, false);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().message().find("loopback") != std::string::npos);
  CHECK(check_target_addresses(*local, true).ok());

  auto literal = parse_target_url("http://169.254.169.254/latest/meta-data");
  REQUIRE(literal.ok());
  CHECK_FALSE(check_target_addresses(*literal, false).ok());
}

TEST_CASE("backoff doubles up to the maximum, with jitter in [d/2, d]", "[server][webhooks]") {
  CHECK(retry_delay_ms(1, 1000, 600000, 1.0) == 1000);
  CHECK(retry_delay_ms(1, 1000, 600000, 0.0) == 500);
  CHECK(retry_delay_ms(2, 1000, 600000, 1.0) == 2000);
  CHECK(retry_delay_ms(5, 1000, 600000, 1.0) == 16000);
  CHECK(retry_delay_ms(40, 1000, 600000, 1.0) == 600000);
  CHECK(retry_delay_ms(40, 1000, 600000, 0.0) == 300000);
  for (uint32_t n = 1; n < 30; ++n) {
    const uint64_t lo = retry_delay_ms(n, 100, 60000, 0.0);
    const uint64_t hi = retry_delay_ms(n, 100, 60000, 1.0);
    CHECK(lo <= hi);
    CHECK(retry_delay_ms(n, 100, 60000, 0.5) >= lo);
    CHECK(retry_delay_ms(n, 100, 60000, 0.5) <= hi);
    CHECK(retry_delay_ms(n + 1, 100, 60000, 0.0) >= lo);  // never shrinks
  }
}

TEST_CASE("signature is HMAC-SHA256 in hex (RFC 4231 test case 2)", "[server][webhooks]") {
  CHECK(hmac_sha256_hex("Jefe", "what do ya want for nothing?") ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  CHECK(signature_header("Jefe", "what do ya want for nothing?").rfind("sha256=5bdcc146", 0) == 0);
}

TEST_CASE("the webhook event types are exactly the engine's", "[server][webhooks]") {
  // The engine's table is private API; read its source so that a new event type fails here.
  std::ifstream in(KARTIBA_SOURCE_DIR "/engine/src/domain/event_types.cpp");
  REQUIRE(in.good());
  std::stringstream text;
  text << in.rdbuf();
  const std::string source = text.str();
  std::set<std::string> engine;
  std::regex entry(R"re(\{"([A-Za-z]+)",\s*\{Shape::)re");
  for (auto it = std::sregex_iterator(source.begin(), source.end(), entry); it != std::sregex_iterator(); ++it) {
    engine.insert((*it)[1].str());
  }
  REQUIRE(engine.size() > 10);
  std::set<std::string> ours;
  for (auto t : known_event_types()) ours.insert(std::string(t));
  CHECK(ours == engine);
  CHECK(is_known_event_type("ItemRescheduled"));
  CHECK_FALSE(is_known_event_type("ItemMoved"));
}
