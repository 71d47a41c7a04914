// The view's projections: agenda (days, items, computed times), conflicts, the pledge board,
// SDG coverage, releases and decisions.
#include <set>

#include <catch2/catch.hpp>

#include "test_support.h"

using namespace kartiba;
using namespace kartiba::test;

namespace {
CommandOutcome schedule(TestEngine& t, const std::string& id, const std::string& start, const std::string& end,
                        json extra = json::object()) {
  json d = {{"item", id}, {"title", "T " + id}, {"start", time_at(start)}, {"end", time_at(end)}};
  for (auto& [k, v] : extra.items()) d[k] = v;
  return t.run("p", "schedule-item", d);
}
std::vector<json> conflicts_of(const json& view, const std::string& kind) {
  std::vector<json> out;
  for (auto& c : view["conflicts"])
    if (c["kind"] == kind) out.push_back(c);
  return out;
}
}  // namespace

TEST_CASE("view: plan fields, revision, updated_at and every list", "[projection]") {
  TestEngine t;
  seed(t);
  auto v = t.view("p");
  for (auto key : {"id", "title", "timezone", "language", "start_date", "end_date", "priority_sdgs", "revision",
                   "updated_at", "days", "items", "venues", "people", "pledges", "pledge_board", "decisions",
                   "releases", "conflicts", "sdg_coverage"})
    CHECK(v.contains(key));
  CHECK(v["id"] == "p");
  CHECK(v["revision"] == kSeedRevision);
  CHECK(v["updated_at"] == t.events("p").back()["at"]);
  for (auto list : {"items", "venues", "people", "pledges"})
    for (auto& e : v[list]) CHECK(e.contains("id"));
}

TEST_CASE("view: days list every plan date and every other date an item starts on", "[projection][agenda]") {
  TestEngine t;
  seed(t);
  REQUIRE_OK(schedule(t, "early", "2024-05-13T09:00", "2024-05-13T10:00"));
  t.ok("p", "set-day", {{"date", "2024-05-15"}, {"title", "Brisele"}, {"place", "Brisele"}});
  auto days = t.view("p")["days"];
  std::vector<std::string> dates;
  for (auto& d : days) dates.push_back(d["date"]);
  CHECK(dates == std::vector<std::string>{"2024-05-13", "2024-05-15", "2024-05-16", "2024-05-17"});
  CHECK(days[0]["items"] == json{"early"});
  CHECK(days[0]["title"].is_null());
  CHECK(days[1]["title"] == "Brisele");
  CHECK(days[1]["place"] == "Brisele");
  CHECK(days[1]["items"] == json{"talk", "lunch"});
  CHECK(days[2]["items"] == json::array());
}

TEST_CASE("view: items carry start_utc, end_utc, duration_min and day", "[projection][agenda]") {
  TestEngine t;
  seed(t);
  auto talk = find_by_id(t.view("p")["items"], "talk");
  CHECK(talk["start_utc"] == "2024-05-15T08:00:00Z");
  CHECK(talk["end_utc"] == "2024-05-15T09:00:00Z");
  CHECK(talk["duration_min"] == 60);
  CHECK(talk["day"] == "2024-05-15");
  CHECK(talk["venue"] == "hall");
  t.ok("p", "reschedule-item", {{"item", "talk"}, {"start", time_at("2024-05-16T07:15")}, {"end", time_at("2024-05-16T09:00")}});
  talk = find_by_id(t.view("p")["items"], "talk");
  CHECK(talk["start_utc"] == "2024-05-16T05:15:00Z");
  CHECK(talk["duration_min"] == 105);
  CHECK(talk["day"] == "2024-05-16");
  CHECK(t.view("p")["items"][0]["id"] == "lunch");
}

TEST_CASE("conflicts: a room double-booked", "[projection][conflicts]") {
  TestEngine t;
  seed(t);
  REQUIRE_OK(schedule(t, "clash", "2024-05-15T10:30", "2024-05-15T11:30", {{"venue", "hall"}}));
  REQUIRE_OK(schedule(t, "after", "2024-05-15T11:00", "2024-05-15T11:30", {{"venue", "room"}}));
  REQUIRE_OK(schedule(t, "touch", "2024-05-15T11:30", "2024-05-15T12:00", {{"venue", "hall"}}));  // starts as clash ends
  auto v = t.view("p");
  auto rooms = conflicts_of(v, "room");
  REQUIRE(rooms.size() == 1);
  CHECK(rooms[0]["items"] == json{"talk", "clash"});
  CHECK(rooms[0]["venue"] == "hall");
  CHECK(rooms[0]["message"]["en"].get<std::string>().find("Lielā zāle") != std::string::npos);
  CHECK(rooms[0]["message"]["lv"].get<std::string>().find("Ievadruna") != std::string::npos);
}

TEST_CASE("conflicts: a speaker in two places at once", "[projection][conflicts]") {
  TestEngine t;
  seed(t);
  REQUIRE_OK(schedule(t, "panel", "2024-05-15T10:45", "2024-05-15T12:15", {{"venue", "room"}, {"speakers", {"janis", "anna"}}}));
  auto v = t.view("p");
  auto sp = conflicts_of(v, "speaker");
  REQUIRE(sp.size() == 1);
  CHECK(sp[0]["items"] == json{"talk", "panel"});
  CHECK(sp[0]["person"] == "anna");
  CHECK(sp[0]["message"]["en"].get<std::string>().find("Anna Bērziņa") != std::string::npos);
  CHECK(conflicts_of(v, "room").empty());
  // A lunch without speakers overlapping the panel is no speaker conflict.
  t.ok("p", "unassign-speaker", {{"item", "talk"}, {"person", "anna"}});
  CHECK(conflicts_of(t.view("p"), "speaker").empty());
}

TEST_CASE("conflicts: two items of one track overlap", "[projection][conflicts]") {
  TestEngine t;
  seed(t);
  REQUIRE_OK(schedule(t, "a", "2024-05-16T10:00", "2024-05-16T11:00", {{"track", "A"}}));
  REQUIRE_OK(schedule(t, "b", "2024-05-16T10:30", "2024-05-16T11:30", {{"track", "A"}}));
  REQUIRE_OK(schedule(t, "c", "2024-05-16T10:30", "2024-05-16T11:30", {{"track", "B"}}));
  REQUIRE_OK(schedule(t, "d", "2024-05-16T10:30", "2024-05-16T11:30"));
  REQUIRE_OK(schedule(t, "e", "2024-05-16T10:30", "2024-05-16T11:30", {{"track", ""}}));
  auto tr = conflicts_of(t.view("p"), "track");
  REQUIRE(tr.size() == 1);
  CHECK(tr[0]["items"] == json{"a", "b"});
  CHECK(tr[0]["track"] == "A");
}

TEST_CASE("conflicts: an item outside the plan's dates", "[projection][conflicts]") {
  TestEngine t;
  seed(t);
  REQUIRE_OK(schedule(t, "before", "2024-05-14T23:30", "2024-05-15T00:30"));
  REQUIRE_OK(schedule(t, "after", "2024-05-18T09:00", "2024-05-18T10:00"));
  REQUIRE_OK(schedule(t, "last", "2024-05-17T23:00", "2024-05-18T01:00"));  // starts inside
  auto out = conflicts_of(t.view("p"), "outside-dates");
  REQUIRE(out.size() == 2);
  CHECK(out[0]["items"] == json{"before"});
  CHECK(out[1]["items"] == json{"after"});
  CHECK(out[1]["message"]["en"].get<std::string>().find("2024-05-18") != std::string::npos);
  t.ok("p", "update-plan", {{"end_date", "2024-05-18"}});
  CHECK(conflicts_of(t.view("p"), "outside-dates").size() == 1);
}

TEST_CASE("conflicts: cancelled items take part in none", "[projection][conflicts]") {
  TestEngine t;
  seed(t);
  REQUIRE_OK(schedule(t, "clash", "2024-05-15T10:30", "2024-05-15T11:30",
                      {{"venue", "hall"}, {"speakers", {"anna"}}, {"track", "A"}}));
  t.ok("p", "edit-item", {{"item", "talk"}, {"track", "A"}});
  REQUIRE_OK(schedule(t, "away", "2024-05-20T10:00", "2024-05-20T11:00"));
  auto v = t.view("p");
  CHECK(conflicts_of(v, "room").size() == 1);
  CHECK(conflicts_of(v, "speaker").size() == 1);
  CHECK(conflicts_of(v, "track").size() == 1);
  CHECK(conflicts_of(v, "outside-dates").size() == 1);
  t.ok("p", "set-item-status", {{"item", "clash"}, {"status", "cancelled"}});
  t.ok("p", "set-item-status", {{"item", "away"}, {"status", "cancelled"}});
  CHECK(t.view("p")["conflicts"].empty());
  // Tentative items do count.
  t.ok("p", "set-item-status", {{"item", "clash"}, {"status", "tentative"}});
  CHECK(t.view("p")["conflicts"].size() == 3);
}

TEST_CASE("conflicts: overlap is found across zones and past intervening items", "[projection][conflicts]") {
  TestEngine t;
  seed(t);
  // A long item in Riga time overlapping a Brussels-time item that starts after two others.
  REQUIRE_OK(t.run("p", "schedule-item", {{"item", "long"}, {"title", "Garš"}, {"venue", "room"},
                                          {"start", time_at("2024-05-15T09:00", "Europe/Riga")},
                                          {"end", time_at("2024-05-15T15:00", "Europe/Riga")}}));
  REQUIRE_OK(schedule(t, "late", "2024-05-15T13:30", "2024-05-15T14:30", {{"venue", "room"}}));
  REQUIRE_OK(schedule(t, "later", "2024-05-15T14:00", "2024-05-15T14:30", {{"venue", "room"}}));  // 12:00Z = end of long
  auto rooms = conflicts_of(t.view("p"), "room");
  std::set<std::string> pairs;
  for (auto& c : rooms) pairs.insert(c["items"][0].get<std::string>() + "+" + c["items"][1].get<std::string>());
  CHECK(pairs == std::set<std::string>{"long+late", "late+later"});
}

TEST_CASE("pledge board: by status, by municipality with progress, by SDG", "[projection][pledges]") {
  TestEngine t;
  seed(t);
  auto pledge = [&](const std::string& id, const std::string& muni, json sdgs) {
    t.ok("p", "make-pledge", {{"pledge", id}, {"by", {{"municipality", muni}}}, {"title", id}, {"sdgs", sdgs}});
  };
  pledge("a2", "Ādažu novads", {4});
  pledge("a3", "Ādažu novads", {4, 16});
  pledge("c1", "Cēsu novads", {16});
  t.ok("p", "report-pledge-progress", {{"pledge", "pl"}, {"percent", 40}});
  t.ok("p", "set-pledge-status", {{"pledge", "pl"}, {"status", "in-progress"}});
  t.ok("p", "set-pledge-status", {{"pledge", "a2"}, {"status", "fulfilled"}});
  t.ok("p", "report-pledge-progress", {{"pledge", "a3"}, {"percent", 90}});
  t.ok("p", "set-pledge-status", {{"pledge", "a3"}, {"status", "withdrawn"}});
  t.ok("p", "set-pledge-status", {{"pledge", "c1"}, {"status", "committed"}});
  t.ok("p", "report-pledge-progress", {{"pledge", "c1"}, {"percent", 25}});
  auto board = t.view("p")["pledge_board"];
  INFO(board.dump(2));
  CHECK(board["by_status"] == json{{"proposed", json::array()}, {"committed", {"c1"}}, {"in-progress", {"pl"}},
                                   {"fulfilled", {"a2"}}, {"withdrawn", {"a3"}}});
  auto munis = board["by_municipality"];
  REQUIRE(munis.size() == 2);
  auto adazi = munis[0]["municipality"] == "Ādažu novads" ? munis[0] : munis[1];
  auto cesis = munis[0]["municipality"] == "Cēsu novads" ? munis[0] : munis[1];
  CHECK(adazi["pledges"] == json{"a2", "a3", "pl"});
  CHECK(adazi["progress"] == 70);  // mean of 100 (fulfilled) and 40; the withdrawn one does not count
  CHECK(adazi["fulfilled"] == 1);
  CHECK(cesis["progress"] == 25);
  CHECK(cesis["fulfilled"] == 0);
  CHECK(board["by_sdg"] == json{{"4", {"a2", "a3"}}, {"13", {"pl"}}, {"16", {"a3", "c1"}}});
}

TEST_CASE("pledge board: a municipality whose pledges are all withdrawn has progress 0", "[projection][pledges]") {
  TestEngine t;
  seed(t);
  t.ok("p", "report-pledge-progress", {{"pledge", "pl"}, {"percent", 50}});
  t.ok("p", "set-pledge-status", {{"pledge", "pl"}, {"status", "withdrawn"}});
  auto m = t.view("p")["pledge_board"]["by_municipality"];
  REQUIRE(m.size() == 1);
  CHECK(m[0]["progress"] == 0);
  CHECK(find_by_id(t.view("p")["pledges"], "pl")["progress"] == 50);
}

TEST_CASE("sdg coverage: 17 goals with names in lv and en, colours and priority marks", "[projection][sdg]") {
  TestEngine t;
  seed(t);
  t.ok("p", "update-plan", {{"priority_sdgs", {4, 13, 16}}});
  auto cov = t.view("p")["sdg_coverage"];
  REQUIRE(cov.size() == 17);
  for (int g = 1; g <= 17; ++g) {
    auto& c = cov[g - 1];
    INFO(c.dump());
    CHECK(c["goal"] == g);
    CHECK(c["name"]["en"].is_string());
    CHECK(c["name"]["lv"].is_string());
    CHECK_FALSE(c["name"]["lv"].get<std::string>().empty());
    CHECK(c["colour"].get<std::string>().size() == 7);
    CHECK(c["priority"] == (g == 4 || g == 13 || g == 16));
  }
  CHECK(cov[3]["name"]["en"] == "Quality Education");
  CHECK(cov[3]["name"]["lv"] == "Kvalitatīva izglītība");
  CHECK(cov[3]["colour"] == "#c5192d");
  CHECK(cov[12]["name"]["lv"] == "Rīcība klimata jomā");
  CHECK(cov[15]["name"]["lv"] == "Miers, taisnīgums un stipras un iekļaujošas institūcijas");
  CHECK(cov[3]["items"] == json{"talk"});
  CHECK(cov[12]["pledges"] == json{"pl"});
  CHECK(cov[0]["items"] == json::array());
  t.ok("p", "tag-item", {{"item", "lunch"}, {"sdgs", {2, 4}}});
  cov = t.view("p")["sdg_coverage"];
  CHECK(cov[1]["items"] == json{"lunch"});
  CHECK(cov[3]["items"] == json{"lunch", "talk"});
}

TEST_CASE("view: decisions in the order they were recorded, releases listed", "[projection]") {
  TestEngine t;
  seed(t);
  t.ok("p", "record-decision", {{"decision", "z"}, {"title", "Pirmais"}});
  t.ok("p", "record-decision", {{"decision", "a"}, {"title", "Otrais"}});
  t.ok("p", "publish-release", {{"name", "v1"}});
  auto v = t.view("p");
  REQUIRE(v["decisions"].size() == 2);
  CHECK(v["decisions"][0]["id"] == "z");
  CHECK(v["decisions"][1]["id"] == "a");
  auto rel = json::parse(t.engine->releases("p").value());
  REQUIRE(rel["releases"].size() == 1);
  CHECK(rel["releases"][0]["name"] == "v1");
  CHECK(rel["releases"][0]["revision"] == kSeedRevision + 3);
  CHECK(rel["releases"][0]["note"] == "");
  CHECK(rel["releases"] == v["releases"]);
}

TEST_CASE("view: time travel by revision and by time", "[projection][time-travel]") {
  TestEngine t;
  seed(t);
  auto at_seed = t.view("p");
  t.ok("p", "edit-item", {{"item", "talk"}, {"title", "Jauns"}});
  CHECK(t.view("p", ViewAt{kSeedRevision, {}}) == at_seed);
  auto first = t.view("p", ViewAt{1, {}});
  CHECK(first["revision"] == 1);
  CHECK(first["items"].empty());
  CHECK(t.engine->view("p", ViewAt{0, {}}).error().code() == ErrorCode::not_found);
  CHECK(t.engine->view("p", ViewAt{kSeedRevision + 2, {}}).error().code() == ErrorCode::not_found);
  // As of a time: the last event at or before it.
  auto evs = t.events("p");
  int64_t seed_ms = 1715752800000 + 1000LL * kSeedRevision;  // FakeClock: one second per event
  REQUIRE(evs[kSeedRevision - 1]["at"] == "2024-05-15T06:00:08.000Z");
  CHECK(t.view("p", ViewAt{{}, seed_ms}) == at_seed);
  CHECK(t.view("p", ViewAt{{}, seed_ms + 500}) == at_seed);
  CHECK(t.engine->view("p", ViewAt{{}, 0}).error().code() == ErrorCode::not_found);
}
