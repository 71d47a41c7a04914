// The audit trail: one entry per event with a sentence in Latvian or English.
#include <catch2/catch.hpp>

#include "test_support.h"

using namespace kartiba;
using namespace kartiba::test;

namespace {
std::string last_text(TestEngine& t, const std::string& lang) { return t.history("p", lang)["entries"].back()["text"]; }
}  // namespace

TEST_CASE("history: the Bornem example, in Latvian and English", "[history][demo]") {
  TestEngine t;
  t.load_demo();
  t.ok("brussels-2024", "reschedule-item",
       {{"item", "bornem"}, {"start", time_at("2024-05-16T10:30")}, {"end", time_at("2024-05-16T12:30")}},
       {{"reason", "Bornem lūdza 10:30"}});
  auto lv = t.history("brussels-2024", "lv")["entries"].back();
  CHECK(lv["text"] == "K. Miķelsone pārcēla 'Tikšanās Bornem pašvaldībā' no 10:00 uz 10:30 — Bornem lūdza 10:30");
  CHECK(lv["actor"] == "K. Miķelsone");
  CHECK(lv["type"] == "ItemRescheduled");
  CHECK(lv["reason"] == "Bornem lūdza 10:30");
  auto en = t.history("brussels-2024", "en")["entries"].back();
  CHECK(en["text"] == "K. Miķelsone moved 'Tikšanās Bornem pašvaldībā' from 10:00 to 10:30 — Bornem lūdza 10:30");
}

TEST_CASE("history: one entry per event with revision, time, actor, type and reason", "[history]") {
  TestEngine t;
  seed(t);
  auto h = t.history("p");
  auto evs = t.events("p");
  REQUIRE(h["entries"].size() == evs.size());
  for (size_t i = 0; i < evs.size(); ++i) {
    auto& e = h["entries"][i];
    CHECK(e["revision"] == evs[i]["revision"]);
    CHECK(e["at"] == evs[i]["at"]);
    CHECK(e["actor"] == evs[i]["actor"]);
    CHECK(e["type"] == evs[i]["type"]);
    CHECK(e["reason"] == "");
    CHECK_FALSE(e["text"].get<std::string>().empty());
  }
  CHECK(h["next"].is_null());
}

TEST_CASE("history: sentences for the seed plan", "[history]") {
  TestEngine t;
  seed(t);
  std::vector<std::string> lv, en;
  auto hlv = t.history("p", "lv"), hen = t.history("p", "en");
  for (auto& e : hlv["entries"]) lv.push_back(e["text"]);
  for (auto& e : hen["entries"]) en.push_back(e["text"]);
  CHECK(lv == std::vector<std::string>{
                  "admin izveidoja plānu 'Plāns'",
                  "K. Miķelsone pievienoja norises vietu 'Lielā zāle'",
                  "K. Miķelsone pievienoja norises vietu 'Mazā istaba'",
                  "K. Miķelsone pievienoja personu Anna Bērziņa",
                  "K. Miķelsone pievienoja personu Jānis Kalniņš",
                  "K. Miķelsone ieplānoja 'Ievadruna' 2024-05-15 10:00–11:00",
                  "K. Miķelsone ieplānoja 'Pusdienas' 2024-05-15 12:00–13:00",
                  "K. Miķelsone reģistrēja apņemšanos 'Klimata stunda' (Ādažu novads)",
              });
  CHECK(en == std::vector<std::string>{
                  "admin created the plan 'Plāns'",
                  "K. Miķelsone added the venue 'Lielā zāle'",
                  "K. Miķelsone added the venue 'Mazā istaba'",
                  "K. Miķelsone added Anna Bērziņa",
                  "K. Miķelsone added Jānis Kalniņš",
                  "K. Miķelsone scheduled 'Ievadruna' 2024-05-15 10:00–11:00",
                  "K. Miķelsone scheduled 'Pusdienas' 2024-05-15 12:00–13:00",
                  "K. Miķelsone recorded the pledge 'Klimata stunda' (Ādažu novads)",
              });
}

TEST_CASE("history: item changes name the item as it was before", "[history]") {
  TestEngine t;
  seed(t);
  t.ok("p", "edit-item", {{"item", "talk"}, {"title", "Atklāšana"}});
  CHECK(last_text(t, "lv") == "K. Miķelsone laboja 'Ievadruna' (title)");
  CHECK(last_text(t, "en") == "K. Miķelsone edited 'Ievadruna' (title)");
  t.ok("p", "reschedule-item", {{"item", "talk"}, {"start", time_at("2024-05-16T09:00")}, {"end", time_at("2024-05-16T10:00")}});
  CHECK(last_text(t, "lv") == "K. Miķelsone pārcēla 'Atklāšana' no 2024-05-15 10:00 uz 2024-05-16 09:00");
  CHECK(last_text(t, "en") == "K. Miķelsone moved 'Atklāšana' from 2024-05-15 10:00 to 2024-05-16 09:00");
  t.ok("p", "reschedule-item", {{"item", "talk"}, {"end", time_at("2024-05-16T10:30")}});
  CHECK(last_text(t, "lv") == "K. Miķelsone mainīja beigu laiku 'Atklāšana' no 10:00 uz 10:30");
  CHECK(last_text(t, "en") == "K. Miķelsone changed the end of 'Atklāšana' from 10:00 to 10:30");
  t.ok("p", "set-item-status", {{"item", "talk"}, {"status", "tentative"}});
  CHECK(last_text(t, "lv") == "K. Miķelsone mainīja statusu 'Atklāšana': apstiprināts → provizorisks (tbc)");
  CHECK(last_text(t, "en") == "K. Miķelsone changed the status of 'Atklāšana': confirmed → tentative (tbc)");
  t.ok("p", "set-item-venue", {{"item", "talk"}, {"venue", "room"}});
  CHECK(last_text(t, "lv") == "K. Miķelsone mainīja norises vietu 'Atklāšana' uz 'Mazā istaba'");
  CHECK(last_text(t, "en") == "K. Miķelsone set the venue of 'Atklāšana' to 'Mazā istaba'");
  t.ok("p", "tag-item", {{"item", "talk"}, {"sdgs", {4, 13}}});
  CHECK(last_text(t, "lv") == "K. Miķelsone piešķīra IAM 'Atklāšana': 4, 13");
  CHECK(last_text(t, "en") == "K. Miķelsone tagged 'Atklāšana' with SDGs 4, 13");
  t.ok("p", "assign-speaker", {{"item", "talk"}, {"person", "janis"}});
  CHECK(last_text(t, "lv") == "K. Miķelsone pievienoja runātāju Jānis Kalniņš pie 'Atklāšana'");
  CHECK(last_text(t, "en") == "K. Miķelsone added the speaker Jānis Kalniņš to 'Atklāšana'");
  t.ok("p", "unassign-speaker", {{"item", "talk"}, {"person", "janis"}});
  CHECK(last_text(t, "en") == "K. Miķelsone removed the speaker Jānis Kalniņš from 'Atklāšana'");
  t.ok("p", "remove-item", {{"item", "lunch"}}, {{"reason", "nav laika"}}, "Ilze");
  CHECK(last_text(t, "lv") == "Ilze izņēma no darba kārtības 'Pusdienas' — nav laika");
  CHECK(last_text(t, "en") == "Ilze removed from the agenda 'Pusdienas' — nav laika");
}

TEST_CASE("history: pledges, decisions, releases, venues, people, plan and days", "[history]") {
  TestEngine t;
  seed(t);
  t.ok("p", "set-pledge-status", {{"pledge", "pl"}, {"status", "committed"}});
  CHECK(last_text(t, "lv") == "K. Miķelsone mainīja apņemšanās 'Klimata stunda' statusu uz: apņemta");
  CHECK(last_text(t, "en") == "K. Miķelsone set the pledge 'Klimata stunda' to committed");
  t.ok("p", "report-pledge-progress", {{"pledge", "pl"}, {"percent", 40}});
  CHECK(last_text(t, "lv") == "K. Miķelsone ziņoja par apņemšanās 'Klimata stunda' izpildi: 40%");
  CHECK(last_text(t, "en") == "K. Miķelsone reported progress on 'Klimata stunda': 40%");
  t.ok("p", "record-decision", {{"decision", "d"}, {"title", "Rīkot nedēļu"}});
  CHECK(last_text(t, "lv") == "K. Miķelsone pierakstīja lēmumu 'Rīkot nedēļu'");
  CHECK(last_text(t, "en") == "K. Miķelsone recorded the decision 'Rīkot nedēļu'");
  t.ok("p", "publish-release", {{"name", "v1"}});
  CHECK(last_text(t, "lv") == "K. Miķelsone publicēja versiju 'v1'");
  CHECK(last_text(t, "en") == "K. Miķelsone published the release 'v1'");
  t.ok("p", "update-venue", {{"venue", "hall"}, {"room", "101"}});
  CHECK(last_text(t, "en") == "K. Miķelsone edited the venue 'Lielā zāle' (room)");
  t.ok("p", "update-person", {{"person", "janis"}, {"role", "vadītājs"}});
  CHECK(last_text(t, "en") == "K. Miķelsone edited the details of Jānis Kalniņš");
  t.ok("p", "remove-person", {{"person", "janis"}});
  CHECK(last_text(t, "lv") == "K. Miķelsone izņēma personu Jānis Kalniņš");
  t.ok("p", "update-plan", {{"title", "Jauns"}, {"place", "Rīga"}});
  CHECK(last_text(t, "en") == "K. Miķelsone changed the plan's place, title");
  t.ok("p", "set-day", {{"date", "2024-05-16"}, {"title", "Flandrija"}});
  CHECK(last_text(t, "lv") == "K. Miķelsone iestatīja dienu 2024-05-16: Flandrija");
  CHECK(last_text(t, "en") == "K. Miķelsone set the day 2024-05-16: Flandrija");
}

TEST_CASE("history: paging with from and limit", "[history]") {
  TestEngine t;
  seed(t);
  auto page = json::parse(t.engine->history("p", "en", 2, 3).value());
  REQUIRE(page["entries"].size() == 3);
  CHECK(page["entries"][0]["revision"] == 3);
  CHECK(page["entries"][2]["revision"] == 5);
  CHECK(page["next"] == 5);
  // The sentence of a later page still names entities as they were.
  CHECK(page["entries"][2]["text"] == "K. Miķelsone added Jānis Kalniņš");
  auto rest = json::parse(t.engine->history("p", "en", 5, 100).value());
  CHECK(rest["entries"].size() == kSeedRevision - 5);
  CHECK(rest["next"].is_null());
  auto none = json::parse(t.engine->history("p", "en", kSeedRevision, 100).value());
  CHECK(none["entries"].empty());
}

TEST_CASE("history: errors", "[history]") {
  TestEngine t;
  seed(t);
  auto bad = t.engine->history("p", "de", 0, 10);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code() == ErrorCode::invalid);
  CHECK(bad.error().path() == "/lang");
  CHECK(t.engine->history("nope", "lv", 0, 10).error().code() == ErrorCode::not_found);
}
