// agenda.ics: folding, escaping, VTIMEZONE, TZID, UIDs, SEQUENCE, statuses.
#include <catch2/catch.hpp>

#include <algorithm>

#include "export_test_support.h"
#include "exports/ics.h"
#include "exports/export_util.h"

using namespace kartiba;
using namespace kartiba::test;
using exports::ics_escape_text;
using exports::ics_fold;

namespace {

bool valid_utf8(const std::string& s) {
  for (size_t i = 0; i < s.size();) {
    size_t n = exports::utf8_sequence_length(static_cast<unsigned char>(s[i]));
    if (i + n > s.size()) return false;
    if (n == 1 && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) return false;
    for (size_t k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    i += n;
  }
  return true;
}

std::vector<std::string> with_prefix(const std::vector<std::string>& lines, const std::string& prefix) {
  std::vector<std::string> out;
  for (auto& l : lines)
    if (l.rfind(prefix, 0) == 0) out.push_back(l);
  return out;
}

// The content lines of the VEVENT whose UID is uid.
std::vector<std::string> vevent(const std::vector<std::string>& lines, const std::string& uid) {
  std::vector<std::string> cur;
  bool in = false;
  for (auto& l : lines) {
    if (l == "BEGIN:VEVENT") {
      in = true;
      cur.clear();
    }
    if (in) cur.push_back(l);
    if (l == "END:VEVENT") {
      in = false;
      if (std::find(cur.begin(), cur.end(), "UID:" + uid) != cur.end()) return cur;
    }
  }
  return {};
}

}  // namespace

TEST_CASE("ics: text escaping of backslash, semicolon, comma and newlines") {
  CHECK(ics_escape_text("a\\b;c,d\ne") == "a\\\\b\\;c\\,d\\ne");
  CHECK(ics_escape_text("one\r\ntwo") == "one\\ntwo");
  CHECK(ics_escape_text("Rīga: 07:30") == "Rīga: 07:30");  // colons stay
  CHECK(ics_escape_text("tab\there") == "tab here");
}

TEST_CASE("ics: short lines are not folded") {
  CHECK(ics_fold("SUMMARY:short") == "SUMMARY:short\r\n");
  std::string exactly75(75, 'x');
  CHECK(ics_fold(exactly75) == exactly75 + "\r\n");
}

TEST_CASE("ics: long lines fold at 75 octets with a leading space") {
  std::string line = "DESCRIPTION:" + std::string(200, 'a');
  auto folded = ics_fold(line);
  auto physical = crlf_lines(folded);
  REQUIRE(physical.size() == 3);
  CHECK(physical[0].size() == 75);
  CHECK(physical[1].size() == 75);
  CHECK(physical[1][0] == ' ');
  CHECK(unfold(physical)[0] == line);
}

TEST_CASE("ics: folding never splits a UTF-8 sequence") {
  // Two-, three- and four-byte characters at every alignment.
  for (const std::string ch : {"ā", "ž", "“", "€", "😀"}) {
    for (size_t pad = 0; pad < 4; ++pad) {
      std::string line = "SUMMARY:" + std::string(pad, 'x');
      for (int i = 0; i < 60; ++i) line += ch;
      auto physical = crlf_lines(ics_fold(line));
      for (auto& p : physical) {
        CHECK(p.size() <= 75);
        CHECK(valid_utf8(p.substr(p[0] == ' ' ? 1 : 0)));
      }
      CHECK(unfold(physical)[0] == line);
    }
  }
}

TEST_CASE("ics: VTIMEZONE for Europe/Riga in 2024 has the real transitions") {
  auto text = exports::ics_vtimezone("Europe/Riga", 2024, 2024);
  auto lines = crlf_lines(text);
  CHECK(lines.front() == "BEGIN:VTIMEZONE");
  CHECK(lines[1] == "TZID:Europe/Riga");
  CHECK(lines.back() == "END:VTIMEZONE");
  // In force on 1 January (from October 2023), then DST on 31 March and back on 27 October.
  auto starts = with_prefix(lines, "DTSTART:");
  REQUIRE(starts == std::vector<std::string>{"DTSTART:20231029T040000", "DTSTART:20240331T030000",
                                             "DTSTART:20241027T040000"});
  CHECK(with_prefix(lines, "TZOFFSETTO:") == std::vector<std::string>{"TZOFFSETTO:+0200", "TZOFFSETTO:+0300",
                                                                      "TZOFFSETTO:+0200"});
  CHECK(with_prefix(lines, "TZOFFSETFROM:") == std::vector<std::string>{"TZOFFSETFROM:+0300", "TZOFFSETFROM:+0200",
                                                                        "TZOFFSETFROM:+0300"});
  CHECK(std::count(lines.begin(), lines.end(), "BEGIN:DAYLIGHT") == 1);
  CHECK(std::count(lines.begin(), lines.end(), "BEGIN:STANDARD") == 2);
}

TEST_CASE("ics: VTIMEZONE spans every year of the plan") {
  auto lines = crlf_lines(exports::ics_vtimezone("Europe/Brussels", 2024, 2026));
  CHECK(std::count(lines.begin(), lines.end(), "BEGIN:DAYLIGHT") == 3);
  CHECK(with_prefix(lines, "DTSTART:").back() == "DTSTART:20261025T030000");
}

TEST_CASE("ics: a zone without daylight saving time has one observance") {
  auto lines = crlf_lines(exports::ics_vtimezone("Asia/Tokyo", 2024, 2024));
  CHECK(std::count(lines.begin(), lines.end(), "BEGIN:STANDARD") == 1);
  CHECK(std::count(lines.begin(), lines.end(), "BEGIN:DAYLIGHT") == 0);
  CHECK(with_prefix(lines, "TZOFFSETTO:") == std::vector<std::string>{"TZOFFSETTO:+0900"});
  CHECK(exports::ics_vtimezone("Mars/Olympus_Mons", 2024, 2024).empty());
}

TEST_CASE("ics: the demo plan — TZID on every time, a VTIMEZONE per zone used, CRLF, folded") {
  ExportEngine e;
  auto view = e.load_demo();
  auto text = exports::agenda_ics(view);
  auto physical = crlf_lines(text);
  for (auto& p : physical) {
    INFO(p);
    CHECK(p.size() <= 75);
    CHECK(valid_utf8(p.substr(!p.empty() && p[0] == ' ' ? 1 : 0)));
  }
  auto lines = unfold(physical);
  CHECK(lines.front() == "BEGIN:VCALENDAR");
  CHECK(lines.back() == "END:VCALENDAR");
  CHECK(std::count(lines.begin(), lines.end(), "VERSION:2.0") == 1);
  CHECK(with_prefix(lines, "PRODID:").size() == 1);
  CHECK(with_prefix(lines, "TZID:") == std::vector<std::string>{"TZID:Europe/Brussels", "TZID:Europe/Riga"});

  auto dtstarts = with_prefix(lines, "DTSTART;");
  auto dtends = with_prefix(lines, "DTEND;");
  CHECK(dtstarts.size() == view["items"].size());
  CHECK(dtends.size() == view["items"].size());
  for (auto& l : dtstarts) CHECK(l.find(";TZID=Europe/") != std::string::npos);

  // The flight leaves Riga and lands in Brussels: each end in its own zone.
  auto flight = vevent(lines, "flight-riga-brussels@brussels-2024.kartiba");
  REQUIRE(!flight.empty());
  CHECK(std::count(flight.begin(), flight.end(), "DTSTART;TZID=Europe/Riga:20240515T073000") == 1);
  CHECK(std::count(flight.begin(), flight.end(), "DTEND;TZID=Europe/Brussels:20240515T085500") == 1);
  CHECK(std::count(flight.begin(), flight.end(), "SUMMARY:Lidojums Rīga - Brisele") == 1);

  auto intpa = vevent(lines, "dg-intpa@brussels-2024.kartiba");
  CHECK(std::count(intpa.begin(), intpa.end(), "STATUS:TENTATIVE") == 1);
  auto description = with_prefix(intpa, "DESCRIPTION:");
  REQUIRE(description.size() == 1);
  CHECK(description[0].find("Philippe Latriche\\, padomnieks\\, IAM un nevienlīdzība\\, DG INTPA") !=
        std::string::npos);
  CHECK(description[0].find("Tēmas:\\n• Attīstības sadarbības") != std::string::npos);

  auto cor = vevent(lines, "cor@brussels-2024.kartiba");
  CHECK(std::count(cor.begin(), cor.end(),
                   "LOCATION:Eiropas Reģionu komiteja\\, BvS 858\\, Rue Montoyer 90-102\\, B-1040 Brussels") == 1);
  CHECK(std::count(cor.begin(), cor.end(), "STATUS:CONFIRMED") == 1);
  CHECK(with_prefix(cor, "DTSTAMP:").size() == 1);
}

TEST_CASE("ics: SEQUENCE counts the item's changes; cancelled items stay, as CANCELLED") {
  ExportEngine e;
  e.load_demo();
  e.ok("brussels-2024", {{"type", "reschedule-item"},
                         {"data", {{"item", "bornem"}, {"start", {{"local", "2024-05-16T10:30"}}},
                                   {"end", {{"local", "2024-05-16T12:30"}}}}}});
  e.ok("brussels-2024", {{"type", "set-item-status"}, {"data", {{"item", "bornem"}, {"status", "confirmed"}}}});
  e.ok("brussels-2024", {{"type", "set-item-status"}, {"data", {{"item", "mechelen"}, {"status", "cancelled"}}}});
  auto events = e.engine->events("brussels-2024", 0, 100000);
  REQUIRE(events.ok());
  auto histories = exports::item_histories(*events);
  CHECK(histories["bornem"].changes == 3);
  CHECK(histories["cor"].changes == 1);

  auto lines = unfold(crlf_lines(exports::agenda_ics(e.view("brussels-2024"), histories)));
  auto bornem = vevent(lines, "bornem@brussels-2024.kartiba");
  CHECK(std::count(bornem.begin(), bornem.end(), "SEQUENCE:2") == 1);
  CHECK(std::count(bornem.begin(), bornem.end(), "DTSTART;TZID=Europe/Brussels:20240516T103000") == 1);
  CHECK(std::count(bornem.begin(), bornem.end(), "STATUS:CONFIRMED") == 1);
  auto cor = vevent(lines, "cor@brussels-2024.kartiba");
  CHECK(std::count(cor.begin(), cor.end(), "SEQUENCE:0") == 1);
  auto mechelen = vevent(lines, "mechelen@brussels-2024.kartiba");
  CHECK(std::count(mechelen.begin(), mechelen.end(), "STATUS:CANCELLED") == 1);
}

TEST_CASE("ics: a local time that happens twice (DST ends) is written in UTC, both occurrences") {
  ExportEngine e;
  auto created = e.engine->create_plan(
      R"({"id":"autumn","title":"Rudens","timezone":"Europe/Riga","start_date":"2024-10-27","end_date":"2024-10-27"})",
      "admin");
  REQUIRE(created.ok);
  // 03:30 happens twice in Riga on 27 October 2024; +02:00 is the second time (01:30Z).
  e.ok("autumn", {{"type", "schedule-item"},
                  {"data", {{"item", "late"}, {"title", "Otrreiz"},
                            {"start", {{"local", "2024-10-27T03:30"}, {"offset", "+02:00"}}},
                            {"end", {{"local", "2024-10-27T04:30"}}}}}});
  e.ok("autumn", {{"type", "schedule-item"},
                  {"data", {{"item", "early"}, {"title", "Pirmoreiz"},
                            {"start", {{"local", "2024-10-27T03:30"}, {"offset", "+03:00"}}},
                            {"end", {{"local", "2024-10-27T04:30"}}}}}});
  auto lines = unfold(crlf_lines(exports::agenda_ics(e.view("autumn"))));
  auto late = vevent(lines, "late@autumn.kartiba");
  CHECK(std::count(late.begin(), late.end(), "DTSTART:20241027T013000Z") == 1);
  auto early = vevent(lines, "early@autumn.kartiba");
  CHECK(std::count(early.begin(), early.end(), "DTSTART:20241027T003000Z") == 1);
  // The end, 04:30, happens once: TZID as usual.
  CHECK(std::count(early.begin(), early.end(), "DTEND;TZID=Europe/Riga:20241027T043000") == 1);
}

TEST_CASE("ics: user text with separators and newlines survives as escaped TEXT") {
  ExportEngine e;
  REQUIRE(e.engine->create_plan(R"({"id":"p","title":"A; B, C\\D","timezone":"Europe/Brussels"})", "admin").ok);
  e.ok("p", {{"type", "schedule-item"},
             {"data", {{"item", "x"}, {"title", "Tikšanās; ar, komiteju"}, {"description", "Pirmā rinda\nOtrā; rinda"},
                       {"start", {{"local", "2024-05-15T10:00"}}}, {"end", {{"local", "2024-05-15T11:00"}}}}}});
  auto lines = unfold(crlf_lines(exports::agenda_ics(e.view("p"))));
  CHECK(std::count(lines.begin(), lines.end(), "SUMMARY:Tikšanās\\; ar\\, komiteju") == 1);
  CHECK(std::count(lines.begin(), lines.end(), "X-WR-CALNAME:A\\; B\\, C\\\\D") == 1);
  CHECK(with_prefix(lines, "DESCRIPTION:Pirmā rinda\\nOtrā\\; rinda").size() == 1);
}
