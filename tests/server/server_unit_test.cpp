// Unit tests of the server's pure pieces: JSON checks, URL parsing, RFC 3339, the rate
// limiter, static-file path safety, the metrics label set.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "json_check.h"
#include "metrics.h"
#include "rate_limiter.h"
#include "static_files.h"
#include "time_util.h"
#include "url.h"

using namespace kartiba;
using namespace kartiba::server;

TEST_CASE("valid_utf8 accepts UTF-8 and refuses the rest", "[server][json]") {
  CHECK(valid_utf8("plain"));
  CHECK(valid_utf8("Ādaži, ķēķis, €, 𝄞"));
  CHECK_FALSE(valid_utf8("\xc3\x28"));          // bad continuation
  CHECK_FALSE(valid_utf8("\xc0\xaf"));          // overlong
  CHECK_FALSE(valid_utf8("\xed\xa0\x80"));      // surrogate
  CHECK_FALSE(valid_utf8("\xf4\x90\x80\x80"));  // past U+10FFFF
  CHECK_FALSE(valid_utf8("\xe2\x82"));          // cut short
}

TEST_CASE("json_depth counts outside strings only", "[server][json]") {
  CHECK(json_depth(R"({"a":[1,{"b":2}]})", 100) == 3);
  CHECK(json_depth(R"({"a":"[[[[{{{{"})", 100) == 1);
  CHECK(json_depth(R"({"a":"\"[[["})", 100) == 1);
  CHECK(json_depth("1", 100) == 0);
}

TEST_CASE("parse_json enforces the depth limit and reports invalid JSON", "[server][json]") {
  std::string deep = std::string(65, '[') + std::string(65, ']');
  auto r = parse_json(deep, 64);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == ErrorCode::invalid);
  CHECK(parse_json(std::string(64, '[') + std::string(64, ']'), 64).ok());
  CHECK_FALSE(parse_json("{\"a\":", 64).ok());
  CHECK_FALSE(parse_json_object("[1]", 64).ok());
  CHECK(parse_json_object(R"({"a":1})", 64).ok());
}

TEST_CASE("parse_target decodes path and query", "[server][url]") {
  auto t = parse_target("/api/plans/x%2Dy/events?from=3&limit=10&q=a+b%20c");
  REQUIRE(t);
  CHECK(t->path == "/api/plans/x-y/events");
  CHECK(t->query["from"] == "3");
  CHECK(t->query["q"] == "a b c");
  CHECK_FALSE(parse_target("/bad%zz"));
  CHECK_FALSE(parse_target("/nul%00"));
  CHECK_FALSE(parse_target("/cut%4"));
  CHECK(split_path("//a/b//c/") == std::vector<std::string>{"a", "b", "c"});
  CHECK(redact_target("/?token=secret&plan=p") == "/?token=REDACTED&plan=p");
  CHECK(parse_uint("42") == 42u);
  CHECK_FALSE(parse_uint("-1"));
  CHECK_FALSE(parse_uint(""));
  CHECK_FALSE(parse_uint("99999999999999999999"));
}

TEST_CASE("RFC 3339 round trip", "[server][time]") {
  CHECK(parse_rfc3339_ms("1970-01-01T00:00:00Z") == 0);
  CHECK(parse_rfc3339_ms("2024-05-15T07:30:00Z") == 1715758200000);
  CHECK(parse_rfc3339_ms("2024-05-15T09:30:00.250+02:00") == 1715758200250);
  CHECK(parse_rfc3339_ms("2024-05-15T07:30Z") == 1715758200000);
  CHECK_FALSE(parse_rfc3339_ms("2024-05-15"));
  CHECK_FALSE(parse_rfc3339_ms("2024-05-15T07:30:00"));
  CHECK_FALSE(parse_rfc3339_ms("2024-13-15T07:30:00Z"));
  CHECK(format_rfc3339_ms(1715758200250) == "2024-05-15T07:30:00.250Z");
  CHECK(format_rfc3339_ms(0) == "1970-01-01T00:00:00.000Z");
}

TEST_CASE("the rate limiter lets a burst through, then the rate", "[server][rate]") {
  RateLimiter limiter(2.0, 3.0);
  const auto t0 = RateLimiter::Clock::now();
  CHECK(limiter.allow("a", t0));
  CHECK(limiter.allow("a", t0));
  CHECK(limiter.allow("a", t0));
  CHECK_FALSE(limiter.allow("a", t0));
  CHECK(limiter.allow("b", t0));  // buckets are per key
  CHECK(limiter.allow("a", t0 + std::chrono::milliseconds(500)));
  CHECK_FALSE(limiter.allow("a", t0 + std::chrono::milliseconds(500)));
  RateLimiter off(0, 1);
  for (int i = 0; i < 1000; ++i) REQUIRE(off.allow("x", t0));
}

TEST_CASE("static files stay inside the web directory", "[server][static]") {
  namespace fs = std::filesystem;
  const fs::path root = fs::temp_directory_path() / ("kartiba-static-" + std::to_string(::getpid()));
  // Removed however the test ends (a failed REQUIRE throws past the end).
  struct RemoveAtEnd {
    fs::path path;
    ~RemoveAtEnd() {
      std::error_code ec;
      fs::remove_all(path, ec);
    }
  } remove_at_end{root};
  fs::create_directories(root / "web" / "js");
  std::ofstream(root / "web" / "index.html") << "<html>home</html>";
  std::ofstream(root / "web" / "js" / "app.js") << "console.log(1)";
  std::ofstream(root / "secret.txt") << "secret";
  fs::create_symlink(root / "secret.txt", root / "web" / "link.txt");
  const std::string web = (root / "web").string();
  HttpRequest get;
  get.method = "GET";

  auto home = serve_static(web, "/", get);
  CHECK(home.status == 200);
  CHECK(home.body == "<html>home</html>");
  CHECK(home.content_type.rfind("text/html", 0) == 0);
  auto js = serve_static(web, "/js/app.js", get);
  CHECK(js.status == 200);
  CHECK(js.content_type.rfind("text/javascript", 0) == 0);
  CHECK(serve_static(web, "/../secret.txt", get).status == 404);
  CHECK(serve_static(web, "/js/../../secret.txt", get).status == 404);
  CHECK(serve_static(web, "/link.txt", get).status == 404);
  CHECK(serve_static(web, "/.hidden", get).status == 404);
  CHECK(serve_static(web, "/nope.js", get).status == 404);

  std::string etag;
  for (const auto& [k, v] : home.headers) {
    if (k == "ETag") etag = v;
  }
  REQUIRE_FALSE(etag.empty());
  HttpRequest cond = get;
  cond.if_none_match = etag;
  CHECK(serve_static(web, "/index.html", cond).status == 304);
}

TEST_CASE("metric command types are a bounded set", "[server][metrics]") {
  CHECK(metric_command_type("reschedule-item") == "reschedule-item");
  CHECK(metric_command_type("drop-table") == "other");
  CHECK(metric_command_type("") == "other");
}
