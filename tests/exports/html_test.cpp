// agenda.html: escaping, language, layout of the demo plan.
#include <catch2/catch.hpp>

#include "export_test_support.h"
#include "exports/export_util.h"
#include "exports/html.h"

using namespace kartiba;
using namespace kartiba::test;

namespace {
size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}
}  // namespace

TEST_CASE("html: escaping") {
  CHECK(exports::html_escape("<script>alert('x')</script> & \"q\"") ==
        "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;");
  CHECK(exports::html_escape("Ādaži") == "Ādaži");
}

TEST_CASE("html: the demo agenda in Latvian, laid out day by day") {
  ExportEngine e;
  auto view = e.load_demo();
  auto html = exports::agenda_html(view, "lv");
  CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(html.find("<html lang=\"lv\">") != std::string::npos);
  CHECK(html.find("<meta charset=\"utf-8\">") != std::string::npos);
  CHECK(html.find("@media print") != std::string::npos);
  CHECK(html.find("<h2>Darba kārtība</h2>") != std::string::npos);
  CHECK(html.find("2024. gada 15.–17. maijs") != std::string::npos);
  CHECK(html.find("<h3>trešdiena, 15. maijs, Brisele</h3>") != std::string::npos);
  CHECK(html.find("<h3>ceturtdiena, 16. maijs, Flandrija</h3>") != std::string::npos);
  CHECK(count(html, "<section class=\"day\"") == 3);
  CHECK(count(html, "<div class=\"item ") == view["items"].size());
  // The flight shows both ends' zones; tentative meetings say so.
  CHECK(html.find("07:30 – 08:55<small>Riga → Brussels</small>") != std::string::npos);
  CHECK(html.find("(DG INTPA) pārstāvjiem <span class=\"badge\">(tbc)</span>") != std::string::npos);
  CHECK(html.find("<li><strong>Philippe Latriche</strong>, padomnieks, IAM un nevienlīdzība, DG INTPA</li>") !=
        std::string::npos);
  CHECK(html.find("Vieta: Eiropas Reģionu komiteja, BvS 858, Rue Montoyer 90-102, B-1040 Brussels") !=
        std::string::npos);
  // Quotation marks in the title are escaped, not dropped.
  CHECK(html.find("izpētes vizīte “Attīstības sadarbība") != std::string::npos);
}

TEST_CASE("html: English headings and dates") {
  ExportEngine e;
  auto html = exports::agenda_html(e.load_demo(), "en");
  CHECK(html.find("<html lang=\"en\">") != std::string::npos);
  CHECK(html.find("<h2>Agenda</h2>") != std::string::npos);
  CHECK(html.find("15–17 May 2024") != std::string::npos);
  CHECK(html.find("<h3>Wednesday 15 May, Brisele</h3>") != std::string::npos);
  CHECK(html.find("Venue: ") != std::string::npos);
}

TEST_CASE("html: user text never becomes markup") {
  ExportEngine e;
  REQUIRE(e.engine->create_plan(R"({"id":"p","title":"<b>bold</b>","timezone":"Europe/Riga","start_date":"2024-05-15","end_date":"2024-05-15"})",
                                "admin")
              .ok);
  e.ok("p", {{"type", "add-person"}, {"data", {{"person", "x"}, {"name", "<img src=x onerror=alert(1)>"}}}});
  e.ok("p", {{"type", "schedule-item"},
             {"data", {{"item", "i"}, {"title", "</p><script>alert(1)</script>"}, {"topics", {"a & b < c"}},
                       {"description", "\"quoted\"\nnext line"}, {"speakers", {"x"}},
                       {"start", {{"local", "2024-05-15T10:00"}}}, {"end", {{"local", "2024-05-15T11:00"}}}}}});
  auto html = exports::agenda_html(e.view("p"), "lv");
  CHECK(html.find("<script>") == std::string::npos);
  CHECK(html.find("<img") == std::string::npos);
  CHECK(html.find("<b>bold") == std::string::npos);
  CHECK(html.find("&lt;/p&gt;&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
  CHECK(html.find("<li>a &amp; b &lt; c</li>") != std::string::npos);
  CHECK(html.find("&quot;quoted&quot;<br>next line") != std::string::npos);
}

TEST_CASE("html: cancelled items are struck through and labelled") {
  ExportEngine e;
  e.load_demo();
  e.ok("brussels-2024", {{"type", "set-item-status"}, {"data", {{"item", "mechelen"}, {"status", "cancelled"}}}});
  auto html = exports::agenda_html(e.view("brussels-2024"), "en");
  CHECK(html.find("status-cancelled cancelled\" id=\"item-mechelen\"") != std::string::npos);
  CHECK(html.find("<span class=\"badge\">CANCELLED</span>") != std::string::npos);
}
