// The demo plan (engine/data/demo/brussels-2024.json): the Brussels study visit of the seed
// document, loaded the way `kartiba-server --demo` loads it.
#include <catch2/catch.hpp>

#include "test_support.h"
#include "views/reference_data.h"

using namespace kartiba;
using namespace kartiba::test;

namespace {
const char* kPlan = "brussels-2024";
}

TEST_CASE("demo: loads as the commands a user would send", "[demo]") {
  TestEngine t;
  t.load_demo();
  auto v = t.view(kPlan);
  // 1 plan + 3 days + 6 venues + 4 people + 10 items + 7 pledges + 9 status/progress steps
  // for pledges past "proposed" + 1 decision.
  CHECK(v["revision"] == 41);
  auto evs = t.events(kPlan);
  REQUIRE(evs.size() == 41);
  CHECK(evs[0]["type"] == "PlanCreated");
  for (auto& e : evs) {
    CHECK(e["actor"] == "kartiba demo");
    CHECK(e["command"] == "import-brussels-2024");
  }
  CHECK(t.engine->verify(kPlan)->ok);
  // The engine's embedded copy (used by --demo) is the same file.
  CHECK(std::string(demo_plan_text()) == demo_plan_json());
}

TEST_CASE("demo: the plan, its three days and priority SDGs 4, 13, 16", "[demo]") {
  TestEngine t;
  t.load_demo();
  auto v = t.view(kPlan);
  CHECK(v["timezone"] == "Europe/Brussels");
  CHECK(v["start_date"] == "2024-05-15");
  CHECK(v["end_date"] == "2024-05-17");
  CHECK(v["priority_sdgs"] == json{4, 13, 16});
  auto days = v["days"];
  REQUIRE(days.size() == 3);
  CHECK(days[0]["date"] == "2024-05-15");
  CHECK(days[0]["items"] == json{"flight-riga-brussels", "cor", "civex", "dg-intpa", "lunch-1", "cemr"});
  CHECK(days[1]["title"] == "IAM un Ilgtspējīgu pašvaldību nedēļa – labās prakses piemēri Flandrijā");
  CHECK(days[1]["items"] == json{"bornem", "lunch-2", "mechelen"});
  CHECK(days[2]["items"] == json{"flight-brussels-riga"});
  for (auto& c : v["sdg_coverage"]) CHECK(c["priority"] == (c["goal"] == 4 || c["goal"] == 13 || c["goal"] == 16));
}

TEST_CASE("demo: ten items in time order, the flights in two zones", "[demo][time]") {
  TestEngine t;
  t.load_demo();
  auto items = t.view(kPlan)["items"];
  REQUIRE(items.size() == 10);
  std::vector<std::string> order;
  for (auto& i : items) order.push_back(i["id"]);
  CHECK(order == std::vector<std::string>{"flight-riga-brussels", "cor", "civex", "dg-intpa", "lunch-1", "cemr", "bornem",
                                          "lunch-2", "mechelen", "flight-brussels-riga"});
  auto out = find_by_id(items, "flight-riga-brussels");
  CHECK(out["start"]["tz"] == "Europe/Riga");
  CHECK(out["end"]["tz"] == "Europe/Brussels");
  CHECK(out["start_utc"] == "2024-05-15T04:30:00Z");
  CHECK(out["end_utc"] == "2024-05-15T06:55:00Z");
  CHECK(out["duration_min"] == 145);
  auto back = find_by_id(items, "flight-brussels-riga");
  CHECK(back["start"]["tz"] == "Europe/Brussels");
  CHECK(back["end"]["tz"] == "Europe/Riga");
  CHECK(back["start_utc"] == "2024-05-17T07:40:00Z");
  CHECK(back["end_utc"] == "2024-05-17T10:05:00Z");
  CHECK(back["duration_min"] == 145);
  auto cor = find_by_id(items, "cor");
  CHECK(cor["start_utc"] == "2024-05-15T08:30:00Z");
  CHECK(cor["venue"] == "cor-bvs");
}

TEST_CASE("demo: the meetings marked (tbc) are tentative", "[demo]") {
  TestEngine t;
  t.load_demo();
  std::vector<std::string> tentative;
  auto items = t.view(kPlan)["items"];
  for (auto& i : items)
    if (i["status"] == "tentative") tentative.push_back(i["id"]);
  CHECK(tentative == std::vector<std::string>{"dg-intpa", "bornem", "mechelen"});
}

TEST_CASE("demo: no conflicts", "[demo][conflicts]") {
  TestEngine t;
  t.load_demo();
  auto v = t.view(kPlan);
  // The agenda as written has none: the two CoR meetings share room BvS 858 back to back
  // (10:30–11:00, 11:00–11:30), which touches but does not overlap; every item starts within
  // 15–17 May in its own zone; no person speaks twice at once; no item has a track.
  INFO(v["conflicts"].dump(2));
  CHECK(v["conflicts"].empty());
  // A real clash is reported: CIVEX starting ten minutes early overlaps the CoR meeting.
  t.ok(kPlan, "reschedule-item", {{"item", "civex"}, {"start", time_at("2024-05-15T10:50")}});
  auto c = t.view(kPlan)["conflicts"];
  REQUIRE(c.size() == 1);
  CHECK(c[0]["kind"] == "room");
  CHECK(c[0]["items"] == json{"cor", "civex"});
  CHECK(c[0]["venue"] == "cor-bvs");
}

TEST_CASE("demo: venues, people and speakers", "[demo]") {
  TestEngine t;
  t.load_demo();
  auto v = t.view(kPlan);
  CHECK(v["venues"].size() == 6);
  CHECK(find_by_id(v["venues"], "cor-bvs")["room"] == "BvS 858");
  CHECK(find_by_id(v["venues"], "cemr-platforma")["address"] == "Square de Meeûs 1, B-1000 Brussels");
  CHECK(v["people"].size() == 4);
  CHECK(find_by_id(v["people"], "banos")["name"] == "Eva Baños de Guisasola");
  CHECK(find_by_id(v["items"], "cemr")["speakers"] == json{"bizarro", "banos"});
  CHECK(find_by_id(v["items"], "bornem")["speakers"] == json{"voeten"});
}

TEST_CASE("demo: pledges with their status and progress, the board and the decision", "[demo][pledges]") {
  TestEngine t;
  t.load_demo();
  auto v = t.view(kPlan);
  REQUIRE(v["pledges"].size() == 7);
  auto adazi = find_by_id(v["pledges"], "adazi-iam-stundas");
  CHECK(adazi["status"] == "in-progress");
  CHECK(adazi["progress"] == 40);
  CHECK(adazi["item"] == "bornem");
  CHECK(adazi["status_note"] == "Skolotājiem sagatavoti mācību materiāli; saskaņots stundu grafiks.");
  CHECK(adazi["by"]["municipality"] == "Ādažu novads");
  CHECK(find_by_id(v["pledges"], "cesis-lidzdaliba")["progress"] == 100);
  CHECK(find_by_id(v["pledges"], "valmiera-energija")["progress"] == 10);
  auto board = v["pledge_board"];
  CHECK(board["by_status"]["proposed"] == json{"jelgava-ukraina"});
  CHECK(board["by_status"]["committed"] == json{"riga-globala-izglitiba", "valmiera-energija"});
  CHECK(board["by_status"]["in-progress"] == json{"adazi-iam-stundas", "tukums-klimata-talka"});
  CHECK(board["by_status"]["fulfilled"] == json{"cesis-lidzdaliba", "sigulda-atklasana"});
  CHECK(board["by_municipality"].size() == 7);
  CHECK(board["by_sdg"]["13"].size() == 4);
  REQUIRE(v["decisions"].size() == 1);
  CHECK(v["decisions"][0]["pledges"].size() == 7);
  CHECK(v["releases"].empty());
}

TEST_CASE("demo: what the document says is what the view shows", "[demo]") {
  TestEngine t;
  t.load_demo();
  auto doc = json::parse(demo_plan_json());
  auto v = t.view(kPlan);
  for (auto& [k, val] : doc["plan"].items()) CHECK(v[k] == val);
  for (const char* list : {"venues", "people", "items", "pledges"})
    for (auto& e : doc[list]) {
      INFO(list << ": " << e.dump());
      CHECK(json_contains(find_by_id(v[list], e["id"]), e));
    }
}
