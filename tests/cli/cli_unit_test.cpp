// The CLI's pure pieces: terminal widths, tables, server URLs.
#include <catch2/catch.hpp>

#include "net.h"
#include "text_width.h"

using namespace kartiba::cli;

TEST_CASE("cli: display width counts code points; Latvian letters are one column") {
  CHECK(display_width("") == 0);
  CHECK(display_width("Rīga") == 4);
  CHECK(display_width("Ādažu novads") == 12);
  CHECK(display_width("āčēģīķļņšūž") == 11);
  CHECK(display_width("Baños") == 5);
  CHECK(display_width("“Rīga”") == 6);
}

TEST_CASE("cli: East Asian wide characters are two columns, combining marks none") {
  CHECK(display_width("東京") == 4);
  CHECK(display_width("서울") == 4);
  CHECK(display_width("ｶﾀｶﾅ") == 4);       // halfwidth katakana: one column each
  CHECK(display_width("ＡＢ") == 4);        // fullwidth Latin
  CHECK(display_width("a\xCC\x84") == 1);  // a + combining macron
  CHECK(display_width("😀") == 2);
  CHECK(display_width("\xff") == 1);       // an invalid byte still takes a column
}

TEST_CASE("cli: truncation keeps whole characters and marks the cut") {
  CHECK(truncate_to_width("Ādažu novads", 20) == "Ādažu novads");
  CHECK(truncate_to_width("Ādažu novads", 6) == "Ādažu…");
  CHECK(display_width(truncate_to_width("東京都庁", 5)) <= 5);
  CHECK(truncate_to_width("東京都庁", 5) == "東京…");
  CHECK(pad_to_width("Rīga", 6) == "Rīga  ");
}

TEST_CASE("cli: tables align by display width, not bytes") {
  auto text = format_table({{"PLAN", "T"}, {"ādaži", "x"}, {"東京", "y"}, {"riga", "z"}});
  // Every second column starts at display column 7 (width 5 + two spaces).
  std::vector<std::string> lines;
  for (size_t start = 0, end; (end = text.find('\n', start)) != std::string::npos; start = end + 1)
    lines.push_back(text.substr(start, end - start));
  REQUIRE(lines.size() == 4);
  for (auto& l : lines) {
    INFO(l);
    CHECK(display_width(l) == 8);
  }
  CHECK(lines[1] == "ādaži  x");
  CHECK(lines[2] == "東京   y");
}

TEST_CASE("cli: tables shrink the widest column to fit a terminal") {
  std::string long_title(100, 'x');
  auto text = format_table({{"a", long_title}}, 40);
  CHECK(display_width(text.substr(0, text.size() - 1)) == 40);
  CHECK(text.find("…") != std::string::npos);
}

TEST_CASE("cli: server URLs") {
  auto u = parse_server_url("http://127.0.0.1:8080");
  REQUIRE(u);
  CHECK(u->host == "127.0.0.1");
  CHECK(u->port == "8080");
  CHECK(u->prefix.empty());
  u = parse_server_url("localhost:9000/kartiba/");
  REQUIRE(u);
  CHECK(u->host == "localhost");
  CHECK(u->prefix == "/kartiba");
  u = parse_server_url("http://[::1]:8080");
  REQUIRE(u);
  CHECK(u->host == "::1");
  CHECK(parse_server_url("http://example.org")->port == "80");
  std::string error;
  CHECK(!parse_server_url("https://example.org", &error));
  CHECK(error.find("https") != std::string::npos);
  CHECK(!parse_server_url("ftp://x"));
  CHECK(!parse_server_url("http://:80"));
  CHECK(!parse_server_url("http://host:port"));
}
