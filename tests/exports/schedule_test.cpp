// schedule.json: the frab/c3voc structure (the schema itself is checked by the Node test).
#include <catch2/catch.hpp>

#include <regex>
#include <set>

#include "export_test_support.h"
#include "exports/schedule.h"

using namespace kartiba;
using namespace kartiba::test;

TEST_CASE("schedule: acronym fits the schema's pattern") {
  std::regex pattern("^[a-z0-9_-][a-z0-9_]{3,}(-2[0-9]{3}-[a-z]+)?$");
  for (std::string id : {"brussels-2024", "p", "a-b", "x-2024-y", "riga"}) {
    INFO(id);
    CHECK(std::regex_match(exports::schedule_acronym(id), pattern));
  }
}

TEST_CASE("schedule: the demo plan — days, rooms, events in the plan's zone") {
  ExportEngine e;
  auto view = e.load_demo();
  auto doc = json::parse(exports::schedule_json(view, {"https://kartiba.example/", "0.1.0"}));
  auto& s = doc["schedule"];
  CHECK(s["version"] == std::to_string(view["revision"].get<int>()));
  CHECK(s["base_url"] == "https://kartiba.example/");
  auto& c = s["conference"];
  CHECK(c["acronym"] == "brussels_2024");
  CHECK(c["start"] == "2024-05-15");
  CHECK(c["end"] == "2024-05-17");
  CHECK(c["daysCount"] == 3);
  CHECK(c["time_zone_name"] == "Europe/Brussels");
  REQUIRE(c["days"].size() == 3);
  CHECK(c["days"][0]["index"] == 1);
  CHECK(c["days"][0]["date"] == "2024-05-15");
  CHECK(c["days"][0]["day_start"] == "2024-05-15T00:00:00+02:00");

  std::regex uuid("^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  std::regex slug("^[a-z0-9_-]+[a-z0-9]$");
  std::set<std::string> guids;
  size_t events = 0;
  for (auto& day : c["days"])
    for (auto& [room, list] : day["rooms"].items())
      for (auto& ev : list) {
        ++events;
        INFO(ev.dump());
        CHECK(ev["room"] == room);
        CHECK(std::regex_match(ev["guid"].get<std::string>(), uuid));
        CHECK(std::regex_match(ev["slug"].get<std::string>(), slug));
        CHECK(ev["id"].get<int64_t>() >= 1);
        CHECK(guids.insert(ev["guid"]).second);
        CHECK(ev["url"].get<std::string>().rfind("https://kartiba.example/?plan=brussels-2024&item=", 0) == 0);
      }
  CHECK(events == view["items"].size());  // none cancelled in the demo

  // The flight leaves Riga at 07:30 local: 06:30 in Brussels, the conference's zone.
  for (auto& ev : c["days"][0]["rooms"]["Starptautiskā lidosta “Rīga” (RIX)"]) {
    CHECK(ev["title"] == "Lidojums Rīga - Brisele");
    CHECK(ev["date"] == "2024-05-15T06:30:00+02:00");
    CHECK(ev["start"] == "06:30");
    CHECK(ev["duration"] == "02:25");
    CHECK(ev["type"] == "travel");
    CHECK(ev["description"].get<std::string>().find("07:30 Riga – 08:55 Brussels") != std::string::npos);
  }
  auto& cemr = c["days"][0]["rooms"]["Eiropas Vietējo un reģionālo pašvaldību padome (CEMR) un PLATFORMA"][0];
  CHECK(cemr["persons"].size() == 2);
  CHECK(cemr["persons"][0]["name"] == "Pedro Bizarro");
  CHECK(!cemr["persons"][0].contains("public_name"));  // exactly one of the schema's person shapes
}

TEST_CASE("schedule: stable ids; cancelled items left out; tentative ones flagged") {
  ExportEngine e;
  auto before = json::parse(exports::schedule_json(e.load_demo()));
  e.ok("brussels-2024", {{"type", "set-item-status"}, {"data", {{"item", "mechelen"}, {"status", "cancelled"}}}});
  e.ok("brussels-2024", {{"type", "reschedule-item"},
                         {"data", {{"item", "cor"}, {"start", {{"local", "2024-05-15T10:15"}}}}}});
  auto after = json::parse(exports::schedule_json(e.view("brussels-2024")));
  auto find = [](const json& doc, const std::string& title) -> json {
    for (auto& day : doc["schedule"]["conference"]["days"])
      for (auto& [room, list] : day["rooms"].items())
        for (auto& ev : list)
          if (ev["title"] == title) return ev;
    return nullptr;
  };
  CHECK(find(after, "Tikšanās Mechelen pašvaldībā").is_null());
  auto cor_before = find(before, "Eiropas Reģionu komiteja (RK): pašvaldību pārstāve Eiropas Savienībā");
  auto cor_after = find(after, "Eiropas Reģionu komiteja (RK): pašvaldību pārstāve Eiropas Savienībā");
  CHECK(cor_before["guid"] == cor_after["guid"]);
  CHECK(cor_before["id"] == cor_after["id"]);
  CHECK(cor_after["start"] == "10:15");
  CHECK(cor_after["url"].get<std::string>().rfind("urn:uuid:", 0) == 0);
  CHECK(find(after, "Tikšanās Bornem pašvaldībā")["subtitle"] == "vēl jāapstiprina (tbc)");
}
