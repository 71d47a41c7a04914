// Times: each end of an item in its own zone, DST gaps and overlaps, ordering by real
// instants, the item's day.
#include <catch2/catch.hpp>

#include "test_support.h"

using namespace kartiba;
using namespace kartiba::test;

namespace {
CommandOutcome schedule(TestEngine& t, const std::string& id, json start, json end) {
  return t.run("p", "schedule-item", {{"item", id}, {"title", id}, {"start", start}, {"end", end}});
}
json item_in_view(TestEngine& t, const std::string& id) { return find_by_id(t.view("p")["items"], id); }
}  // namespace

TEST_CASE("time: a flight Riga 07:30 → Brussels 08:55 lasts 145 minutes", "[time]") {
  TestEngine t;
  t.create_plan();
  REQUIRE_OK(schedule(t, "out", time_at("2024-05-15T07:30", "Europe/Riga"), time_at("2024-05-15T08:55", "Europe/Brussels")));
  auto v = item_in_view(t, "out");
  CHECK(v["start_utc"] == "2024-05-15T04:30:00Z");
  CHECK(v["end_utc"] == "2024-05-15T06:55:00Z");
  CHECK(v["duration_min"] == 145);
  CHECK(v["day"] == "2024-05-15");
  CHECK(v["start"] == json{{"local", "2024-05-15T07:30"}, {"tz", "Europe/Riga"}});
  CHECK(v["end"] == json{{"local", "2024-05-15T08:55"}, {"tz", "Europe/Brussels"}});
}

TEST_CASE("time: the return flight Brussels 09:40 → Riga 13:05 lasts 145 minutes", "[time]") {
  TestEngine t;
  t.create_plan();
  REQUIRE_OK(schedule(t, "back", time_at("2024-05-17T09:40", "Europe/Brussels"), time_at("2024-05-17T13:05", "Europe/Riga")));
  auto v = item_in_view(t, "back");
  CHECK(v["start_utc"] == "2024-05-17T07:40:00Z");
  CHECK(v["end_utc"] == "2024-05-17T10:05:00Z");
  CHECK(v["duration_min"] == 145);
}

TEST_CASE("time: tz omitted means the plan's zone, stored explicitly", "[time]") {
  TestEngine t;
  t.create_plan("p", "Europe/Riga");
  REQUIRE_OK(schedule(t, "x", time_at("2024-05-15T10:00"), time_at("2024-05-15T10:45:30")));
  auto v = item_in_view(t, "x");
  CHECK(v["start"]["tz"] == "Europe/Riga");
  CHECK(v["start_utc"] == "2024-05-15T07:00:00Z");
  CHECK(v["end"]["local"] == "2024-05-15T10:45:30");
  CHECK(v["duration_min"] == 45);
}

TEST_CASE("time: a local time in the DST gap is rejected at /data/start/local", "[time][dst]") {
  TestEngine t;
  t.create_plan();
  auto o = schedule(t, "gap", time_at("2024-03-31T02:30", "Europe/Brussels"), time_at("2024-03-31T04:00", "Europe/Brussels"));
  REQUIRE_REJECTED(o, "invalid", "/data/start/local");
  std::string msg = error_body(o)["message"];
  INFO(msg);
  CHECK(msg.find("2024-03-31T02:30") != std::string::npos);
  CHECK(msg.find("does not exist") != std::string::npos);
  CHECK(msg.find("Europe/Brussels") != std::string::npos);
  // An offset does not make a skipped time exist.
  REQUIRE_REJECTED(schedule(t, "gap", {{"local", "2024-03-31T02:30"}, {"tz", "Europe/Brussels"}, {"offset", "+01:00"}},
                            time_at("2024-03-31T04:00")),
                   "invalid", "/data/start/local");
  // The end too, and on a reschedule.
  REQUIRE_REJECTED(schedule(t, "gap", time_at("2024-03-31T01:00"), time_at("2024-03-31T02:15")), "invalid",
                   "/data/end/local");
  REQUIRE_OK(schedule(t, "ok", time_at("2024-03-31T01:30"), time_at("2024-03-31T03:30")));
  CHECK(item_in_view(t, "ok")["duration_min"] == 60);  // the clocks skipped an hour
  REQUIRE_REJECTED(t.run("p", "reschedule-item", {{"item", "ok"}, {"start", time_at("2024-03-31T02:00")}}), "invalid",
                   "/data/start/local");
  // Riga skips 03:00–04:00 on the same day.
  REQUIRE_REJECTED(schedule(t, "gap2", time_at("2024-03-31T03:30", "Europe/Riga"), time_at("2024-03-31T05:00", "Europe/Riga")),
                   "invalid", "/data/start/local");
}

TEST_CASE("time: an ambiguous local time needs an offset", "[time][dst]") {
  TestEngine t;
  t.create_plan();
  auto o = schedule(t, "amb", time_at("2024-10-27T02:30", "Europe/Brussels"), time_at("2024-10-27T04:00", "Europe/Brussels"));
  REQUIRE_REJECTED(o, "invalid", "/data/start/local");
  std::string msg = error_body(o)["message"];
  INFO(msg);
  CHECK(msg.find("offset") != std::string::npos);
  CHECK(msg.find("+02:00") != std::string::npos);
  CHECK(msg.find("+01:00") != std::string::npos);

  json summer = {{"local", "2024-10-27T02:30"}, {"tz", "Europe/Brussels"}, {"offset", "+02:00"}};
  json winter = {{"local", "2024-10-27T02:30"}, {"tz", "Europe/Brussels"}, {"offset", "+01:00"}};
  REQUIRE_OK(schedule(t, "first", summer, time_at("2024-10-27T04:00")));
  REQUIRE_OK(schedule(t, "second", winter, time_at("2024-10-27T04:00")));
  auto a = item_in_view(t, "first");
  auto b = item_in_view(t, "second");
  CHECK(a["start_utc"] == "2024-10-27T00:30:00Z");
  CHECK(b["start_utc"] == "2024-10-27T01:30:00Z");
  CHECK(a["duration_min"] == 150);
  CHECK(b["duration_min"] == 90);
  CHECK(a["start"]["offset"] == "+02:00");  // kept, so the instant survives replay
  auto items = t.view("p")["items"];
  CHECK(items[0]["id"] == "first");
  CHECK(items[1]["id"] == "second");
}

TEST_CASE("time: an offset must fit the zone", "[time][dst]") {
  TestEngine t;
  t.create_plan();
  REQUIRE_REJECTED(schedule(t, "x", {{"local", "2024-10-27T02:30"}, {"tz", "Europe/Brussels"}, {"offset", "+03:00"}},
                            time_at("2024-10-27T04:00")),
                   "invalid", "/data/start/offset");
  REQUIRE_REJECTED(schedule(t, "x", {{"local", "2024-05-15T10:00"}, {"offset", "+01:00"}}, time_at("2024-05-15T11:00")),
                   "invalid", "/data/start/offset");
  REQUIRE_REJECTED(schedule(t, "x", {{"local", "2024-05-15T10:00"}, {"offset", "2h"}}, time_at("2024-05-15T11:00")),
                   "invalid", "/data/start/offset");
  REQUIRE_OK(schedule(t, "x", {{"local", "2024-05-15T10:00"}, {"offset", "+02:00"}}, time_at("2024-05-15T11:00")));
  // A unique time does not keep a redundant offset.
  CHECK_FALSE(item_in_view(t, "x")["start"].contains("offset"));
}

TEST_CASE("time: end before start is rejected by real instants, across zones", "[time]") {
  TestEngine t;
  t.create_plan();
  // 10:00 in Brussels is 08:00Z; 10:30 in Riga is 07:30Z: the end is earlier although its clock reads later.
  auto o = schedule(t, "x", time_at("2024-05-15T10:00", "Europe/Brussels"), time_at("2024-05-15T10:30", "Europe/Riga"));
  REQUIRE_REJECTED(o, "invalid", "/data/end");
  // And the other way: 10:00 Riga (07:00Z) to 09:30 Brussels (07:30Z) is 30 minutes.
  REQUIRE_OK(schedule(t, "y", time_at("2024-05-15T10:00", "Europe/Riga"), time_at("2024-05-15T09:30", "Europe/Brussels")));
  CHECK(item_in_view(t, "y")["duration_min"] == 30);
  REQUIRE_REJECTED(t.run("p", "reschedule-item", {{"item", "y"}, {"start", time_at("2024-05-15T09:30", "Europe/Brussels")}}),
                   "invalid", "/data/start");
}

TEST_CASE("time: items are ordered by real instants, not by clock readings", "[time][projection]") {
  TestEngine t;
  t.create_plan();
  // b reads 09:30 (Brussels, 07:30Z); a reads 10:00 (Riga, 07:00Z); c 07:30Z too but ends later.
  REQUIRE_OK(schedule(t, "b", time_at("2024-05-15T09:30", "Europe/Brussels"), time_at("2024-05-15T10:00", "Europe/Brussels")));
  REQUIRE_OK(schedule(t, "a", time_at("2024-05-15T10:00", "Europe/Riga"), time_at("2024-05-15T11:00", "Europe/Riga")));
  REQUIRE_OK(schedule(t, "c", time_at("2024-05-15T09:30", "Europe/Brussels"), time_at("2024-05-15T11:00", "Europe/Brussels")));
  REQUIRE_OK(schedule(t, "a2", time_at("2024-05-15T07:00", "UTC"), time_at("2024-05-15T08:00", "UTC")));
  auto items = t.view("p")["items"];
  std::vector<std::string> order;
  for (auto& i : items) order.push_back(i["id"]);
  // a and a2 both 07:00–08:00Z: by id.
  CHECK(order == std::vector<std::string>{"a", "a2", "b", "c"});
  auto day = t.view("p")["days"][0];
  CHECK(day["items"] == json{"a", "a2", "b", "c"});
}

TEST_CASE("time: an item's day is its start's local date in its own zone", "[time][projection]") {
  TestEngine t;
  t.create_plan();
  // 00:30 in Riga on the 16th is 21:30Z on the 15th (and 23:30 in Brussels).
  REQUIRE_OK(schedule(t, "late", time_at("2024-05-16T00:30", "Europe/Riga"), time_at("2024-05-16T01:30", "Europe/Riga")));
  auto v = item_in_view(t, "late");
  CHECK(v["start_utc"] == "2024-05-15T21:30:00Z");
  CHECK(v["day"] == "2024-05-16");
  auto days = t.view("p")["days"];
  CHECK(days[1]["date"] == "2024-05-16");
  CHECK(days[1]["items"] == json{"late"});
}

TEST_CASE("time: malformed local times and zones", "[time]") {
  TestEngine t;
  t.create_plan();
  for (std::string bad : {"2024-05-15", "2024-05-15T7:30", "2024-05-15T07:30Z", "2024-05-15T07:30+02:00",
                          "2024-02-30T10:00", "2024-05-15T10:60", "2024-05-15T10:00:61", "１２３"}) {
    INFO(bad);
    REQUIRE_REJECTED(schedule(t, "x", time_at(bad), time_at("2024-05-15T11:00")), "invalid", "/data/start/local");
  }
  REQUIRE_REJECTED(schedule(t, "x", {{"local", 5}}, time_at("2024-05-15T11:00")), "invalid", "/data/start/local");
  REQUIRE_REJECTED(schedule(t, "x", time_at("2024-05-15T10:00", "CEST+2"), time_at("2024-05-15T11:00")), "invalid",
                   "/data/start/tz");
  REQUIRE_REJECTED(schedule(t, "x", {{"local", "2024-05-15T10:00"}, {"tz", 1}}, time_at("2024-05-15T11:00")), "invalid",
                   "/data/start/tz");
}
